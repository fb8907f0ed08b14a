#include "engine/MidiInput.h"

#include <RtMidi.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "engine/JackMessages.h"
#include "monitor/Clock.h"
#include "monitor/Monitor.h"

namespace awe {
namespace {

// JACK unless AWE_MIDI_API says "alsa": the RtMidi default constructor probes the ALSA
// sequencer, which need not exist, and throws.
RtMidi::Api midiApi() {
  const char* env = std::getenv("AWE_MIDI_API");
  if (env != nullptr && std::strcmp(env, "alsa") == 0) return RtMidi::LINUX_ALSA;
  return RtMidi::UNIX_JACK;
}

bool isNumber(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

template <class Port>
unsigned findPort(Port& midi, const std::string& wanted, const char* direction) {
  const unsigned count = midi.getPortCount();
  std::string seen;
  for (unsigned i = 0; i < count; ++i) {
    const std::string name = midi.getPortName(i);
    seen += (seen.empty() ? "" : ", ") + std::to_string(i) + " '" + name + "'";
    if (isNumber(wanted) ? std::to_string(i) == wanted : name.find(wanted) != std::string::npos) return i;
  }
  throw std::runtime_error(std::string("no MIDI ") + direction + " port matches '" + wanted + "' (" +
                           RtMidi::getApiName(midi.getCurrentApi()) + " ports: " +
                           (seen.empty() ? std::string("none") : seen) + ")");
}

template <class Port>
std::vector<std::string> portNames(Port& midi) {
  std::vector<std::string> names;
  const unsigned count = midi.getPortCount();
  for (unsigned i = 0; i < count; ++i) names.push_back(midi.getPortName(i));
  return names;
}

}  // namespace

std::string midiApiName() { return RtMidi::getApiName(midiApi()); }

struct MidiInput::Impl {
  std::unique_ptr<RtMidiIn> in;
};

MidiInput::MidiInput(LiveMidiQueue& queue, Monitor* monitor, const std::string& clientName)
    : impl_(std::make_unique<Impl>()), queue_(queue), monitor_(monitor) {
  setenv("JACK_NO_START_SERVER", "1", 0);
  quietJackLibrary();
  try {
    impl_->in = std::make_unique<RtMidiIn>(midiApi(), clientName);
  } catch (const RtMidiError& e) {
    throw std::runtime_error("cannot open MIDI input (" + midiApiName() + "): " + e.getMessage());
  }
  impl_->in->ignoreTypes(false, true, true);  // keep sysex; drop clock and active sensing
}

MidiInput::~MidiInput() { close(); }

std::vector<std::string> MidiInput::listPorts(const std::string& clientName) {
  setenv("JACK_NO_START_SERVER", "1", 0);
  quietJackLibrary();
  try {
    RtMidiIn in(midiApi(), clientName);
    return portNames(in);
  } catch (const RtMidiError& e) {
    throw std::runtime_error("cannot list MIDI inputs (" + midiApiName() + "): " + e.getMessage());
  }
}

void MidiInput::open(const std::string& port) {
  close();
  try {
    const unsigned index = findPort(*impl_->in, port, "output");
    portName_ = impl_->in->getPortName(index);
    impl_->in->setCallback(&MidiInput::onMessage, this);
    impl_->in->openPort(index, "midi_in");
  } catch (const RtMidiError& e) {
    throw std::runtime_error("cannot connect MIDI input to '" + port + "': " + e.getMessage());
  }
}

void MidiInput::openVirtual(const std::string& portName) {
  close();
  try {
    impl_->in->setCallback(&MidiInput::onMessage, this);
    impl_->in->openVirtualPort(portName);
    portName_ = portName;
  } catch (const RtMidiError& e) {
    throw std::runtime_error("cannot create MIDI input port '" + portName + "': " + e.getMessage());
  }
}

void MidiInput::close() {
  if (impl_ && impl_->in && impl_->in->isPortOpen()) {
    impl_->in->closePort();
    impl_->in->cancelCallback();
  }
}

bool MidiInput::isOpen() const { return impl_ && impl_->in && impl_->in->isPortOpen(); }

// [MIDI thread: RtMidi's, here JACK's process thread] Stamp, copy, try to enqueue.
void MidiInput::onMessage(double /*deltaTime*/, std::vector<unsigned char>* message, void* user) {
  auto* self = static_cast<MidiInput*>(user);
  LiveMidiEvent event;
  event.arrival_ns = monotonicNanoseconds();
  if (message == nullptr || message->empty() || message->size() > static_cast<size_t>(kLiveMidiMaxBytes)) {
    self->dropped_.fetch_add(1, std::memory_order_relaxed);
    if (self->monitor_ != nullptr) self->monitor_->recordDrop();
    return;
  }
  event.size = static_cast<uint8_t>(message->size());
  std::memcpy(event.bytes, message->data(), message->size());
  event.enqueued_ns = monotonicNanoseconds();
  if (self->queue_.try_enqueue(event)) {
    self->received_.fetch_add(1, std::memory_order_relaxed);
  } else {
    self->dropped_.fetch_add(1, std::memory_order_relaxed);
    if (self->monitor_ != nullptr) self->monitor_->recordDrop();
  }
}

struct MidiOutput::Impl {
  std::unique_ptr<RtMidiOut> out;
};

MidiOutput::MidiOutput(const std::string& clientName) : impl_(std::make_unique<Impl>()) {
  setenv("JACK_NO_START_SERVER", "1", 0);
  quietJackLibrary();
  try {
    impl_->out = std::make_unique<RtMidiOut>(midiApi(), clientName);
  } catch (const RtMidiError& e) {
    throw std::runtime_error("cannot open MIDI output (" + midiApiName() + "): " + e.getMessage());
  }
}

MidiOutput::~MidiOutput() {
  if (impl_ && impl_->out && impl_->out->isPortOpen()) impl_->out->closePort();
}

std::vector<std::string> MidiOutput::listPorts(const std::string& clientName) {
  setenv("JACK_NO_START_SERVER", "1", 0);
  quietJackLibrary();
  try {
    RtMidiOut out(midiApi(), clientName);
    return portNames(out);
  } catch (const RtMidiError& e) {
    throw std::runtime_error("cannot list MIDI outputs (" + midiApiName() + "): " + e.getMessage());
  }
}

void MidiOutput::open(const std::string& port) {
  try {
    const unsigned index = findPort(*impl_->out, port, "input");
    portName_ = impl_->out->getPortName(index);
    impl_->out->openPort(index, "midi_out");
  } catch (const RtMidiError& e) {
    throw std::runtime_error("cannot connect MIDI output to '" + port + "': " + e.getMessage());
  }
}

void MidiOutput::openVirtual(const std::string& portName) {
  try {
    impl_->out->openVirtualPort(portName);
    portName_ = portName;
  } catch (const RtMidiError& e) {
    throw std::runtime_error("cannot create MIDI output port '" + portName + "': " + e.getMessage());
  }
}

void MidiOutput::send(const uint8_t* bytes, size_t size) {
  try {
    impl_->out->sendMessage(bytes, size);
  } catch (const RtMidiError& e) {
    throw std::runtime_error("MIDI send failed: " + e.getMessage());
  }
}

}  // namespace awe
