#include "engine/MidiInput.h"

#include <RtMidi.h>
#include <alsa/asoundlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "engine/AudioDriver.h"  // namesDevice
#include "engine/JackClient.h"
#include "engine/JackMessages.h"
#include "engine/JackMidiPort.h"
#include "monitor/Clock.h"
#include "monitor/Monitor.h"

namespace awe {
namespace {

RtMidi::Api rtMidiApi(MidiApi api) { return api == MidiApi::Alsa ? RtMidi::LINUX_ALSA : RtMidi::UNIX_JACK; }

std::string apiLabel(MidiApi api) { return api == MidiApi::Alsa ? "ALSA sequencer" : "JACK"; }

void quietMidiLibraries() {
  prepareJackLibrary();
  quietAlsaLibrary();
}

// RtMidi's errors and warnings, collected by its error callback instead of printed (with a
// callback RtMidi neither prints nor throws: each call is checked with throwIfFailed).
struct ErrorSink {
  std::mutex mutex;
  std::string text;
};

void collectError(RtMidiError::Type /*type*/, const std::string& text, void* user) {
  auto* sink = static_cast<ErrorSink*>(user);
  std::lock_guard<std::mutex> lock(sink->mutex);
  sink->text += (sink->text.empty() ? "" : "; ") + text;
}

void throwIfFailed(ErrorSink& sink, const std::string& what) {
  std::string text;
  {
    std::lock_guard<std::mutex> lock(sink.mutex);
    text.swap(sink.text);
  }
  if (!text.empty()) throw std::runtime_error(what + ": " + text);
}

// Makes an RtMidi object for an API that was checked first (midiApiProblem), so its
// constructor has nothing to print, then routes its later errors to `sink`.
template <class Port>
std::unique_ptr<Port> makePort(MidiApi api, const std::string& clientName, ErrorSink& sink, const char* what) {
  std::unique_ptr<Port> port;
  try {
    port = std::make_unique<Port>(rtMidiApi(api), clientName);
  } catch (const RtMidiError& e) {
    throw std::runtime_error(std::string("cannot open MIDI ") + what + " (" + apiLabel(api) + "): " + e.getMessage());
  }
  port->setErrorCallback(&collectError, &sink);
  return port;
}

template <class Port>
std::vector<std::string> portNames(Port& midi, ErrorSink& sink, MidiApi api) {
  std::vector<std::string> names;
  const unsigned count = midi.getPortCount();
  for (unsigned i = 0; i < count; ++i) names.push_back(midi.getPortName(i));
  throwIfFailed(sink, "cannot list the " + apiLabel(api) + " MIDI ports");
  return names;
}

// The port `wanted` names among `names`: its index, or (a part of) its name. Throws listing
// the ports when none matches.
unsigned pickPort(const std::vector<std::string>& names, MidiApi api, const std::string& wanted, const char* direction) {
  std::string seen;
  for (unsigned i = 0; i < names.size(); ++i) {
    seen += (seen.empty() ? "" : ", ") + std::to_string(i) + " '" + names[i] + "'";
    if (namesDevice(wanted, i, names[i])) return i;
  }
  throw std::runtime_error(std::string("no MIDI ") + direction + " port matches '" + wanted + "' (" + apiLabel(api) +
                           " ports: " + (seen.empty() ? std::string("none") : seen) +
                           "; --midi-api alsa|jack chooses the other system)");
}

// Whether the JACK server (JACK_DEFAULT_SERVER, else "default") answers on its socket. A
// connection to the socket, not a client: opening a client would change the server's graph
// under running clients, and a probe must not disturb a measurement.
bool jackServerRuns() {
  const char* env = std::getenv("JACK_DEFAULT_SERVER");
  const std::string server = env != nullptr && *env != '\0' ? env : "default";
  // jackd2's request socket: <server dir>/jack_<server>_<uid>_0, the server dir /dev/shm.
  const std::string path = "/dev/shm/jack_" + server + "_" + std::to_string(::getuid()) + "_0";
  sockaddr_un address{};
  if (path.size() >= sizeof address.sun_path) return false;
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool answered = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return answered;
}

}  // namespace

MidiApi parseMidiApi(const std::string& key) {
  if (key == "auto") return MidiApi::Auto;
  if (key == "alsa") return MidiApi::Alsa;
  if (key == "jack") return MidiApi::Jack;
  throw std::invalid_argument("unknown MIDI API '" + key + "' (auto, alsa or jack)");
}

const char* midiApiKey(MidiApi api) {
  switch (api) {
    case MidiApi::Alsa: return "alsa";
    case MidiApi::Jack: return "jack";
    case MidiApi::Auto: break;
  }
  return "auto";
}

MidiApi defaultMidiApi() {
  const char* env = std::getenv("AWE_MIDI_API");
  if (env == nullptr || *env == '\0') return MidiApi::Auto;
  try {
    return parseMidiApi(env);
  } catch (const std::invalid_argument&) {
    return MidiApi::Auto;  // the tools check AWE_MIDI_API as an option default and say so
  }
}

std::string midiApiProblem(MidiApi api) {
  quietMidiLibraries();
  if (api == MidiApi::Jack) return jackServerRuns() ? "" : "no server is running";
  if (api == MidiApi::Alsa) {
    takeAlsaMessages();
    snd_seq_t* sequencer = nullptr;
    const int error = snd_seq_open(&sequencer, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
    if (error < 0) {
      std::string why = "cannot open it: " + std::string(snd_strerror(error));
      if (::access("/dev/snd/seq", F_OK) != 0) why += " (/dev/snd/seq is missing: is the snd-seq kernel module loaded?)";
      takeAlsaMessages();  // said above, in our words
      return why;
    }
    snd_seq_close(sequencer);
    return {};
  }
  return {};
}

MidiApi resolveMidiApi(MidiApi api) {
  if (api != MidiApi::Auto) {
    const std::string problem = midiApiProblem(api);
    if (!problem.empty()) {
      throw std::runtime_error("no MIDI through " + std::string(api == MidiApi::Alsa ? "the " : "") + apiLabel(api) +
                               " (--midi-api " + midiApiKey(api) + "): " + problem);
    }
    return api;
  }
  const std::string jack = midiApiProblem(MidiApi::Jack);
  if (jack.empty()) return MidiApi::Jack;
  const std::string alsa = midiApiProblem(MidiApi::Alsa);
  if (alsa.empty()) return MidiApi::Alsa;
  throw std::runtime_error("no MIDI system to use: tried JACK (" + jack + ") and the ALSA sequencer (" + alsa + ")");
}

std::string midiApiName(MidiApi api) {
  if (api != MidiApi::Auto) return apiLabel(api);
  try {
    return apiLabel(resolveMidiApi(api));
  } catch (const std::runtime_error&) {
    return "none";
  }
}

struct MidiInput::Impl {
  std::string clientName;
  ErrorSink errors;
  std::unique_ptr<RtMidiIn> in;        // the ALSA sequencer
  std::unique_ptr<JackMidiPort> jack;  // JACK: our own client, while a port is open
};

MidiInput::MidiInput(LiveMidiQueue& queue, Monitor* monitor, const std::string& clientName, MidiApi api)
    : impl_(std::make_unique<Impl>()), queue_(queue), monitor_(monitor), api_(resolveMidiApi(api)) {
  impl_->clientName = clientName;
  if (api_ == MidiApi::Jack) return;  // the client opens with the port (JackMidiPort)
  impl_->in = makePort<RtMidiIn>(api_, clientName, impl_->errors, "input");
  impl_->in->ignoreTypes(false, true, true);  // keep sysex; drop clock and active sensing
}

MidiInput::~MidiInput() { close(); }

std::vector<std::string> MidiInput::listPorts(const std::string& clientName, MidiApi api) {
  api = resolveMidiApi(api);
  if (api == MidiApi::Jack) return JackMidiPort::peerPorts(clientName, JackMidiPort::Direction::Input);
  ErrorSink errors;
  auto in = makePort<RtMidiIn>(api, clientName, errors, "input");
  return portNames(*in, errors, api);
}

void MidiInput::open(const std::string& port) {
  close();
  if (api_ == MidiApi::Jack) {
    auto jack = std::make_unique<JackMidiPort>(impl_->clientName, "midi_in", JackMidiPort::Direction::Input,
                                               &MidiInput::onJackMessage, this);
    const std::vector<std::string> names = jack->peerPorts();
    const std::string chosen = names[pickPort(names, api_, port, "output")];
    jack->connect(chosen);
    portName_ = chosen;
    impl_->jack = std::move(jack);
    return;
  }
  const unsigned index = pickPort(portNames(*impl_->in, impl_->errors, api_), api_, port, "output");
  portName_ = impl_->in->getPortName(index);
  impl_->in->setCallback(&MidiInput::onMessage, this);
  impl_->in->openPort(index, "midi_in");
  try {
    throwIfFailed(impl_->errors, "cannot connect MIDI input to '" + portName_ + "' (" + apiLabel(api_) + ")");
  } catch (...) {
    impl_->in->cancelCallback();
    throw;
  }
}

void MidiInput::openVirtual(const std::string& portName) {
  close();
  if (api_ == MidiApi::Jack) {
    impl_->jack = std::make_unique<JackMidiPort>(impl_->clientName, portName, JackMidiPort::Direction::Input,
                                                 &MidiInput::onJackMessage, this);
    portName_ = portName;
    return;
  }
  impl_->in->setCallback(&MidiInput::onMessage, this);
  impl_->in->openVirtualPort(portName);
  try {
    throwIfFailed(impl_->errors, "cannot create MIDI input port '" + portName + "' (" + apiLabel(api_) + ")");
  } catch (...) {
    impl_->in->cancelCallback();
    throw;
  }
  portName_ = portName;
}

void MidiInput::close() {
  if (!impl_) return;
  impl_->jack.reset();  // parks the callback, deactivates, closes the client with its port
  if (impl_->in && impl_->in->isPortOpen()) {
    impl_->in->closePort();
    impl_->in->cancelCallback();
  }
}

bool MidiInput::isOpen() const { return impl_ && (impl_->jack != nullptr || (impl_->in && impl_->in->isPortOpen())); }

// [audio thread: RtMidi's ALSA input thread] RtMidi's form of deliver().
void MidiInput::onMessage(double /*deltaTime*/, std::vector<unsigned char>* message, void* user) {
  auto* self = static_cast<MidiInput*>(user);
  if (message == nullptr) {
    self->deliver(nullptr, 0);
    return;
  }
  self->deliver(message->data(), message->size());
}

// [audio thread: JACK process thread] What RtMidi's ignoreTypes(false, true, true) drops:
// MIDI time code, clock and active sensing; the rest as it came, sysex included.
void MidiInput::onJackMessage(const uint8_t* bytes, std::size_t size, void* user) {
  if (size > 0 && (bytes[0] == 0xF1 || bytes[0] == 0xF8 || bytes[0] == 0xFE)) return;
  static_cast<MidiInput*>(user)->deliver(bytes, size);
}

// [audio thread: the MIDI input's thread, JACK's process thread or RtMidi's ALSA thread]
// Stamp, copy, try to enqueue.
void MidiInput::deliver(const uint8_t* bytes, std::size_t size) noexcept {
  LiveMidiEvent event;
  event.arrival_ns = monotonicNanoseconds();
  if (bytes == nullptr || size == 0 || size > static_cast<size_t>(kLiveMidiMaxBytes)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    if (monitor_ != nullptr) monitor_->recordDrop();
    return;
  }
  event.size = static_cast<uint8_t>(size);
  std::memcpy(event.bytes, bytes, size);
  event.enqueued_ns = monotonicNanoseconds();
  if (queue_.try_enqueue(event)) {
    received_.fetch_add(1, std::memory_order_relaxed);
  } else {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    if (monitor_ != nullptr) monitor_->recordDrop();
  }
}

struct MidiOutput::Impl {
  std::string clientName;
  ErrorSink errors;
  std::unique_ptr<RtMidiOut> out;      // the ALSA sequencer
  std::unique_ptr<JackMidiPort> jack;  // JACK: our own client, from the first open on

  // [control thread] The JACK port, made on first use (a later open connects it again).
  JackMidiPort& jackPort(const std::string& portName) {
    if (!jack) jack = std::make_unique<JackMidiPort>(clientName, portName, JackMidiPort::Direction::Output);
    return *jack;
  }
};

MidiOutput::MidiOutput(const std::string& clientName, MidiApi api)
    : impl_(std::make_unique<Impl>()), api_(resolveMidiApi(api)) {
  impl_->clientName = clientName;
  if (api_ == MidiApi::Jack) return;  // the client opens with the port (JackMidiPort)
  impl_->out = makePort<RtMidiOut>(api_, clientName, impl_->errors, "output");
}

MidiOutput::~MidiOutput() {
  if (!impl_) return;
  impl_->jack.reset();  // what was sent goes out first (JackMidiPort)
  if (impl_->out && impl_->out->isPortOpen()) impl_->out->closePort();
}

std::vector<std::string> MidiOutput::listPorts(const std::string& clientName, MidiApi api) {
  api = resolveMidiApi(api);
  if (api == MidiApi::Jack) return JackMidiPort::peerPorts(clientName, JackMidiPort::Direction::Output);
  ErrorSink errors;
  auto out = makePort<RtMidiOut>(api, clientName, errors, "output");
  return portNames(*out, errors, api);
}

void MidiOutput::open(const std::string& port) {
  if (api_ == MidiApi::Jack) {
    JackMidiPort& jack = impl_->jackPort("midi_out");
    const std::vector<std::string> names = jack.peerPorts();
    const std::string chosen = names[pickPort(names, api_, port, "input")];
    jack.connect(chosen);
    portName_ = chosen;
    return;
  }
  const unsigned index = pickPort(portNames(*impl_->out, impl_->errors, api_), api_, port, "input");
  portName_ = impl_->out->getPortName(index);
  impl_->out->openPort(index, "midi_out");
  throwIfFailed(impl_->errors, "cannot connect MIDI output to '" + portName_ + "' (" + apiLabel(api_) + ")");
}

void MidiOutput::openVirtual(const std::string& portName) {
  if (api_ == MidiApi::Jack) {
    impl_->jackPort(portName);
    portName_ = portName;
    return;
  }
  impl_->out->openVirtualPort(portName);
  throwIfFailed(impl_->errors, "cannot create MIDI output port '" + portName + "' (" + apiLabel(api_) + ")");
  portName_ = portName;
}

void MidiOutput::send(const uint8_t* bytes, size_t size) {
  if (api_ == MidiApi::Jack) {
    if (!impl_->jack) throw std::runtime_error("MIDI send failed: no JACK MIDI output port is open");
    if (!impl_->jack->send(bytes, size)) {
      throw std::runtime_error("MIDI send failed: " + std::to_string(size) + " bytes (at most " +
                               std::to_string(JackMidiPort::kMaxOutputBytes) +
                               ", and the JACK port takes them at every cycle: is the server running?)");
    }
    return;
  }
  impl_->out->sendMessage(bytes, size);
  throwIfFailed(impl_->errors, "MIDI send failed");
}

}  // namespace awe
