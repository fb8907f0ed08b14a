#pragma once
// Live MIDI through RtMidi (JACK here): every message is stamped on arrival and pushed
// with try_enqueue into a pre-sized single-producer queue that the audio thread drains.
// A full queue counts a drop; the MIDI thread never blocks and never allocates for it.
#include "engine/SpscQueue.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace awe {

class Monitor;

constexpr int kLiveMidiMaxBytes = 12;  // channel messages and short sysex (GM/GS reset)

struct LiveMidiEvent {
  int64_t arrival_ns = 0;   // stamped in the MIDI callback (monotonicNanoseconds)
  int64_t enqueued_ns = 0;  // after the queue accepted it
  uint8_t size = 0;
  uint8_t bytes[kLiveMidiMaxBytes] = {};
};

using LiveMidiQueue = moodycamel::ReaderWriterQueue<LiveMidiEvent>;

// Which MIDI API to use: JACK by default (the ALSA sequencer may not exist).
std::string midiApiName();

class MidiInput {
 public:
  // [control thread] `monitor` (may be null) gets a recordDrop() per lost message.
  MidiInput(LiveMidiQueue& queue, Monitor* monitor, const std::string& clientName = "awe");
  ~MidiInput();
  MidiInput(const MidiInput&) = delete;
  MidiInput& operator=(const MidiInput&) = delete;

  // [control thread] MIDI output ports that can feed us (JACK port names).
  static std::vector<std::string> listPorts(const std::string& clientName = "awe-list");
  // [control thread] Connects to an existing output port by index or by (part of) its name.
  // Throws std::runtime_error listing the ports when nothing matches.
  void open(const std::string& port);
  // [control thread] Creates our own input port others connect to.
  void openVirtual(const std::string& portName = "midi_in");
  void close();
  bool isOpen() const;
  std::string portName() const { return portName_; }

  uint64_t received() const { return received_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  static void onMessage(double deltaTime, std::vector<unsigned char>* message, void* user);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  LiveMidiQueue& queue_;
  Monitor* monitor_;
  std::string portName_;
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> dropped_{0};
};

// Sends MIDI from our own output port (loopback measurements, tests).
class MidiOutput {
 public:
  explicit MidiOutput(const std::string& clientName = "awe-out");
  ~MidiOutput();
  MidiOutput(const MidiOutput&) = delete;
  MidiOutput& operator=(const MidiOutput&) = delete;
  static std::vector<std::string> listPorts(const std::string& clientName = "awe-list");
  void open(const std::string& port);                      // connect to an input port
  void openVirtual(const std::string& portName = "midi_out");
  void send(const uint8_t* bytes, size_t size);            // throws on failure
  std::string portName() const { return portName_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string portName_;
};

}  // namespace awe
