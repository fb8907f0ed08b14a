#pragma once
// Live MIDI from JACK MIDI (a client of our own, engine/JackMidiPort.h, which says why not
// RtMidi's) or the ALSA sequencer (through RtMidi): every message is stamped on arrival and
// pushed with try_enqueue into a pre-sized single-producer queue that the audio thread
// drains. A full queue counts a drop; the MIDI thread never blocks and never allocates for it.
//
// The libraries stay quiet: ALSA's error handler and RtMidi's error callback are ours, and
// the API is checked before RtMidi touches it (RtMidi prints on std::cerr before a callback
// can be set), so a failure is one exception in awe's words saying what was tried.
#include "engine/SpscQueue.h"

#include <atomic>
#include <cstddef>
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

// Which MIDI system: auto = JACK when a JACK server runs, else the ALSA sequencer.
enum class MidiApi : uint8_t { Auto, Alsa, Jack };
// "auto", "alsa", "jack"; throws std::invalid_argument for anything else.
MidiApi parseMidiApi(const std::string& key);
const char* midiApiKey(MidiApi api);
// The default: AWE_MIDI_API (auto, alsa or jack) when set, else auto.
MidiApi defaultMidiApi();
// [control thread] Auto resolved to the API that works now. Throws std::runtime_error
// saying what was tried when the API (or, for auto, neither) is available.
MidiApi resolveMidiApi(MidiApi api);
// Why `api` (Alsa or Jack) cannot be used now, or "" when it can. [control thread]
std::string midiApiProblem(MidiApi api);
// "JACK" or "ALSA sequencer" for Alsa/Jack; for Auto the one it resolves to now (or "none").
std::string midiApiName(MidiApi api = defaultMidiApi());

class MidiInput {
 public:
  // [control thread] `monitor` (may be null) gets a recordDrop() per lost message. Throws
  // std::runtime_error when the API cannot be used (resolveMidiApi).
  MidiInput(LiveMidiQueue& queue, Monitor* monitor, const std::string& clientName = "awe",
            MidiApi api = defaultMidiApi());
  ~MidiInput();
  MidiInput(const MidiInput&) = delete;
  MidiInput& operator=(const MidiInput&) = delete;

  // [control thread] MIDI output ports that can feed us (JACK port names, or ALSA
  // "client:port" names).
  static std::vector<std::string> listPorts(const std::string& clientName = "awe-list",
                                            MidiApi api = defaultMidiApi());
  // [control thread] Connects to an existing output port by index or by (part of) its name.
  // Throws std::runtime_error listing the ports when nothing matches.
  void open(const std::string& port);
  // [control thread] Creates our own input port others connect to.
  void openVirtual(const std::string& portName = "midi_in");
  void close();
  bool isOpen() const;
  std::string portName() const { return portName_; }
  MidiApi api() const { return api_; }  // resolved: Alsa or Jack

  uint64_t received() const { return received_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  static void onMessage(double deltaTime, std::vector<unsigned char>* message, void* user);
  static void onJackMessage(const uint8_t* bytes, std::size_t size, void* user);
  void deliver(const uint8_t* bytes, std::size_t size) noexcept;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  LiveMidiQueue& queue_;
  Monitor* monitor_;
  MidiApi api_ = MidiApi::Jack;
  std::string portName_;
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> dropped_{0};
};

// Sends MIDI from our own output port (loopback measurements, tests).
class MidiOutput {
 public:
  explicit MidiOutput(const std::string& clientName = "awe-out", MidiApi api = defaultMidiApi());
  ~MidiOutput();
  MidiOutput(const MidiOutput&) = delete;
  MidiOutput& operator=(const MidiOutput&) = delete;
  static std::vector<std::string> listPorts(const std::string& clientName = "awe-list",
                                            MidiApi api = defaultMidiApi());
  void open(const std::string& port);                      // connect to an input port
  void openVirtual(const std::string& portName = "midi_out");
  void send(const uint8_t* bytes, size_t size);            // throws on failure
  std::string portName() const { return portName_; }
  MidiApi api() const { return api_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  MidiApi api_ = MidiApi::Jack;
  std::string portName_;
};

}  // namespace awe
