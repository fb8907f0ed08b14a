#include "engine/JackMidiPort.h"

#include <jack/jack.h>
#include <jack/midiport.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "engine/JackClient.h"
#include "engine/SpscQueue.h"
#include "monitor/Clock.h"

namespace awe {
namespace {

struct OutgoingMessage {
  uint32_t size = 0;
  uint8_t bytes[JackMidiPort::kMaxOutputBytes] = {};
};

// JACK port buffers are memory another client (often in this very process) reads or wrote
// in the same cycle, ordered by the server's semaphores, which ThreadSanitizer cannot see:
// our side of the copy happens here, left uninstrumented (see JackCapture's copyFromJackPort).
__attribute__((noinline, no_sanitize("thread"))) void copyMidiBytes(const uint8_t* from, std::size_t size,
                                                                    uint8_t* to) noexcept {  // [audio thread: JACK process thread]
  for (std::size_t i = 0; i < size; ++i) to[i] = from[i];
}

jack_client_t* openClient(const std::string& clientName) {
  std::string whyNot;
  jack_client_t* client = openJackClient(clientName, whyNot);
  if (client == nullptr) throw std::runtime_error("cannot open JACK client '" + clientName + "': " + whyNot);
  return client;
}

// The ports ours can link with: an input listens to MIDI outputs, an output feeds inputs.
std::vector<std::string> midiPortsFor(jack_client_t* client, JackMidiPort::Direction direction) {
  return jackPortNames(client, nullptr, JACK_DEFAULT_MIDI_TYPE,
                       direction == JackMidiPort::Direction::Input ? JackPortIsOutput : JackPortIsInput);
}

}  // namespace

struct JackMidiPort::Impl {
  jack_client_t* client = nullptr;
  jack_port_t* port = nullptr;
  Direction direction = Direction::Input;
  Receiver receiver = nullptr;
  void* user = nullptr;
  moodycamel::ReaderWriterQueue<OutgoingMessage> outgoing;  // outputs: send() -> process()

  explicit Impl(std::size_t capacity) : outgoing(capacity) {}
};

JackMidiPort::JackMidiPort(const std::string& clientName, const std::string& portName, Direction direction,
                           Receiver receiver, void* user, std::size_t outputQueueCapacity)
    : impl_(std::make_unique<Impl>(direction == Direction::Output ? outputQueueCapacity : 1)) {
  impl_->direction = direction;
  impl_->receiver = receiver;
  impl_->user = user;
  impl_->client = openClient(clientName);
  // The port before jack_activate: the client is in no graph yet, so no latency callback
  // walks its port list while jack_port_register changes it.
  impl_->port = jack_port_register(impl_->client, portName.c_str(), JACK_DEFAULT_MIDI_TYPE,
                                   direction == Direction::Input ? JackPortIsInput : JackPortIsOutput, 0);
  if (impl_->port == nullptr) {
    jack_client_close(impl_->client);
    throw std::runtime_error("cannot create JACK MIDI port '" + portName + "' on '" + clientName + "'" +
                             (portName.size() >= static_cast<std::size_t>(jack_port_name_size()) ? " (the name is too long)" : ""));
  }
  jack_set_process_callback(impl_->client, &JackMidiPort::onProcess, this);
  if (jack_activate(impl_->client) != 0) {
    jack_client_close(impl_->client);
    throw std::runtime_error("cannot activate JACK client '" + clientName + "'");
  }
}

JackMidiPort::~JackMidiPort() {
  if (impl_->direction == Direction::Output) {
    // What was sent goes out first: the queue drains in the cycles to come (a second at
    // most; a server that stopped calling back drains nothing). park() then waits for a
    // later cycle, so the one that wrote the last message into the port has finished.
    const int64_t giveUp_ns = monotonicNanoseconds() + 1'000'000'000;
    while (impl_->outgoing.size_approx() > 0 && monotonicNanoseconds() < giveUp_ns) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  park_.park();
  // Out of the graph (the server answers after any latency callback in flight), then the
  // port goes with the client: never jack_port_unregister on an active client (the header).
  jack_deactivate(impl_->client);
  jack_client_close(impl_->client);
}

std::vector<std::string> JackMidiPort::peerPorts() const { return midiPortsFor(impl_->client, impl_->direction); }

std::vector<std::string> JackMidiPort::peerPorts(const std::string& clientName, Direction direction) {
  jack_client_t* client = openClient(clientName);
  std::vector<std::string> result = midiPortsFor(client, direction);
  jack_client_close(client);  // never activated
  return result;
}

void JackMidiPort::connect(const std::string& peer) {
  const std::string ours = fullName();
  const bool input = impl_->direction == Direction::Input;
  const int error = input ? jack_connect(impl_->client, peer.c_str(), ours.c_str())
                          : jack_connect(impl_->client, ours.c_str(), peer.c_str());
  if (error != 0 && error != EEXIST) {
    throw std::runtime_error("cannot connect JACK MIDI port '" + ours + (input ? "' to its source '" : "' to '") + peer +
                             "'");
  }
}

std::string JackMidiPort::fullName() const { return jack_port_name(impl_->port); }

bool JackMidiPort::send(const uint8_t* bytes, std::size_t size) {
  if (impl_->direction != Direction::Output || size == 0 || size > kMaxOutputBytes) return false;
  OutgoingMessage message;
  message.size = static_cast<uint32_t>(size);
  std::copy(bytes, bytes + size, message.bytes);
  const int64_t giveUp_ns = monotonicNanoseconds() + 1'000'000'000;
  while (!impl_->outgoing.try_enqueue(message)) {  // full: the process callback drains it every cycle
    if (monotonicNanoseconds() >= giveUp_ns) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

int JackMidiPort::onProcess(uint32_t frames, void* self) {  // [audio thread: JACK process thread]
  auto* port = static_cast<JackMidiPort*>(self);
  return port->park_.parkedHere() ? 0 : port->process(frames);
}

int JackMidiPort::process(uint32_t frames) noexcept {  // [audio thread: JACK process thread]
  Impl& d = *impl_;
  void* buffer = jack_port_get_buffer(d.port, frames);
  if (buffer == nullptr) return 0;
  if (d.direction == Direction::Input) {
    const uint32_t count = jack_midi_get_event_count(buffer);
    for (uint32_t i = 0; i < count; ++i) {
      jack_midi_event_t event;
      if (jack_midi_event_get(&event, buffer, i) == 0 && d.receiver != nullptr) d.receiver(event.buffer, event.size, d.user);
    }
  } else {
    jack_midi_clear_buffer(buffer);
    // Everything queued, at the start of the cycle; what the port buffer cannot take waits
    // for the next one (bounded: the queue's capacity).
    while (const OutgoingMessage* message = d.outgoing.peek()) {
      jack_midi_data_t* space = jack_midi_event_reserve(buffer, 0, message->size);
      if (space == nullptr) break;
      copyMidiBytes(message->bytes, message->size, space);
      d.outgoing.pop();
    }
  }
  return 0;
}

}  // namespace awe
