#pragma once
// JackMidiPort: a JACK client of our own with one MIDI port, input or output; MidiInput and
// MidiOutput use it on JACK (the ALSA sequencer stays with RtMidi).
//
// Why not RtMidi's JACK backend: it activates its client before it registers the port, and
// unregisters the port while the client is still active (closePort(), its destructor).
// JACK2 (1.9.21) keeps a client's ports in a list that jack_port_register/unregister change
// on the calling thread while the client's notification thread walks it, unlocked, for
// every latency callback (JackClient::HandleLatencyCallback, sent after any graph change on
// the server). An unregister during that walk frees the list node under it: SIGSEGV on the
// notification thread (a core of the JACK loopback test: HandleLatencyCallback on the MIDI
// input client's notification thread, MidiInJack::closePort -> jack_port_unregister on the
// main thread, right after the engine's audio client closed). Here the port is registered
// before jack_activate and never unregistered: jack_deactivate takes the client out of the
// graph (the server sends latency callbacks to the clients in the graph only, one at a
// time, and answers our request after the one in flight), and jack_client_close releases
// the port with the client.
//
// Like JackCapture, the process callback is parked before jack_deactivate, which cancels
// the process thread asynchronously (engine/JackProcessPark.h).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/JackProcessPark.h"

namespace awe {

class JackMidiPort {
 public:
  enum class Direction : uint8_t { Input, Output };
  static constexpr std::size_t kMaxOutputBytes = 64;  // one message sent through an output

  // [JACK process thread] One incoming message, as JACK delivered it (inputs only).
  using Receiver = void (*)(const uint8_t* bytes, std::size_t size, void* user);

  // [control thread] Opens client `clientName` (never starts a server), registers the port
  // `portName` and activates the client. Throws std::runtime_error saying why JACK refused.
  JackMidiPort(const std::string& clientName, const std::string& portName, Direction direction,
               Receiver receiver = nullptr, void* user = nullptr, std::size_t outputQueueCapacity = 1024);
  // [control thread] Outputs first wait (a second at most) for what was sent to go out.
  ~JackMidiPort();
  JackMidiPort(const JackMidiPort&) = delete;
  JackMidiPort& operator=(const JackMidiPort&) = delete;

  // [control thread] The MIDI ports on the other side: outputs that can feed an input, or
  // inputs an output can feed (JACK's full names, in JACK's order). The static form opens a
  // client of its own for the look-up, never activated.
  std::vector<std::string> peerPorts() const;
  static std::vector<std::string> peerPorts(const std::string& clientName, Direction direction);
  // [control thread] Connects our port to `peer` (a full name). Throws when JACK refuses.
  void connect(const std::string& peer);
  std::string fullName() const;  // "client:port"

  // [one sending thread] Queues a message for the next cycle (outputs only); waits while the
  // queue is full, a second at most. False when it is empty, too long or never fitted.
  bool send(const uint8_t* bytes, std::size_t size);

 private:
  // Not noexcept: the destructor parks the callback here before jack_deactivate cancels
  // its thread (engine/JackProcessPark.h).
  static int onProcess(uint32_t frames, void* self);
  int process(uint32_t frames) noexcept;

  struct Impl;
  std::unique_ptr<Impl> impl_;
  JackProcessPark park_;
};

}  // namespace awe
