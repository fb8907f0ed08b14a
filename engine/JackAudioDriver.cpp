// The JACK audio driver: a JACK client of awe's own with two audio outputs, out_left and
// out_right, that the engine renders into directly.
//
// Why not RtAudio's JACK backend: when the server goes away, JACK2 calls the client's
// shutdown callback on the process thread, and RtAudio's callback starts a thread that
// closes the stream (jack_deactivate, which cancels the process thread asynchronously)
// and then writes to std::cerr. The cancel lands inside that write, whose frames are
// noexcept: std::terminate, in about one run in fifteen (a test that kills the server saw
// it). Here the shutdown callback only raises a flag; the control thread closes the client
// later (stop()), with the process callback parked (engine/JackProcessPark.h).
#include <jack/jack.h>

#include <algorithm>

#include "engine/DeviceDriver.h"
#include "engine/DriverFactory.h"
#include "engine/JackClient.h"
#include "engine/JackProcessPark.h"

namespace awe {
namespace {

std::string clientOf(const std::string& port) { return port.substr(0, port.find(':')); }

// The JACK "devices" a user picks from: the clients that have audio inputs (where our
// outputs can go), in JACK's port order, each with its input ports.
struct JackDevice {
  std::string name;
  std::vector<std::string> ports;
  bool physical = false;
};

std::vector<JackDevice> jackDevices(jack_client_t* client) {
  std::vector<JackDevice> devices;
  const std::vector<std::string> physical =
      jackPortNames(client, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput | JackPortIsPhysical);
  for (const std::string& port : jackPortNames(client, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput)) {
    const std::string name = clientOf(port);
    auto it = std::find_if(devices.begin(), devices.end(), [&](const JackDevice& d) { return d.name == name; });
    if (it == devices.end()) it = devices.insert(devices.end(), JackDevice{name, {}, false});
    it->ports.push_back(port);
    if (std::find(physical.begin(), physical.end(), port) != physical.end()) it->physical = true;
  }
  return devices;
}

// Our client, or the reason in the driver's words (makeDeviceDriver lists it with the others).
jack_client_t* openClient(const std::string& clientName) {
  std::string whyNot;
  jack_client_t* client = openJackClient(clientName, whyNot);
  if (client == nullptr) throw DriverError("jack: cannot open the client '" + clientName + "': " + whyNot);
  return client;
}

class JackAudioDriver final : public DeviceDriver {
 public:
  explicit JackAudioDriver(const DriverSettings& settings) : DeviceDriver(settings) {
    client_ = openClient(settings.clientName);
    try {
      open();
    } catch (...) {
      jack_client_close(client_);  // never activated
      throw;
    }
  }

  ~JackAudioDriver() override {
    stop();
    jack_client_close(client_);
  }

  void start(AudioCallback& callback) override {
    if (active_) return;
    callback_ = &callback;
    threadStarted_.store(false);
    park_.unpark();
    if (jack_activate(client_) != 0) {
      callback_ = nullptr;
      throw DriverError(description_ + ": cannot activate the JACK client" +
                        (serverGone_.load() ? " (the server has shut it down)" : ""));
    }
    active_ = true;
    if (settings_.autoConnect) {
      // Left to the device's first input, right to its second (or the first again: mono).
      for (size_t i = 0; i < 2 && !devicePorts_.empty(); ++i) {
        const std::string& to = devicePorts_[std::min(i, devicePorts_.size() - 1)];
        jack_connect(client_, jack_port_name(ports_[i]), to.c_str());  // a failed link plays on, unheard
      }
    }
  }

  void stop() override {
    if (!active_) return;
    // With the server gone there is no cycle to wait for: park() gives up after half a second.
    if (!serverGone_.load()) park_.park();
    jack_deactivate(client_);
    active_ = false;
    callback_ = nullptr;
  }

  bool running() const override { return active_ && !serverGone_.load(std::memory_order_relaxed); }
  std::string kind() const override { return "jack"; }

 private:
  void open() {
    sampleRate_ = jack_get_sample_rate(client_);
    bufferFrames_ = jack_get_buffer_size(client_);
    if (static_cast<double>(sampleRate_) != settings_.sampleRate) {
      throw DriverError("jack: the server runs at " + std::to_string(sampleRate_) + " Hz, not the " +
                        std::to_string(static_cast<int>(settings_.sampleRate)) + " Hz asked for");
    }
    const JackDevice device = pickDevice();
    devicePorts_ = device.ports;
    description_ = "jack: " + device.name;
    // Ports before jack_activate (see JackMidiPort: no latency callback walks the list
    // while it changes), and never unregistered: they go with the client.
    const char* names[2] = {"out_left", "out_right"};
    for (int i = 0; i < 2; ++i) {
      ports_[i] = jack_port_register(client_, names[i], JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
      if (ports_[i] == nullptr) throw DriverError("jack: cannot create the output port '" + std::string(names[i]) + "'");
    }
    jack_set_process_callback(client_, &JackAudioDriver::onProcess, this);
    jack_set_xrun_callback(client_, &JackAudioDriver::onXrun, this);
    jack_on_info_shutdown(client_, &JackAudioDriver::onShutdown, this);
    // Output latency as the device's port reports it, the smaller end of its range (on the
    // dummy backend it already counts our buffer: awe-latency's loopback checks it). A
    // device that reports nothing gets our one buffer.
    jack_latency_range_t range{0, 0};
    if (!devicePorts_.empty()) {
      if (jack_port_t* port = jack_port_by_name(client_, devicePorts_.front().c_str())) {
        jack_port_get_latency_range(port, JackPlaybackLatency, &range);
      }
    }
    latency_s_ = static_cast<double>(range.min > 0 ? range.min : bufferFrames_) / sampleRate_;
  }

  // The device the settings name (its number in listAudioDevices()' JACK lines, or a part
  // of its client name); by default the physical playback ports, else the first client
  // that takes audio.
  JackDevice pickDevice() {
    const std::vector<JackDevice> devices = jackDevices(client_);
    std::string seen;
    for (size_t i = 0; i < devices.size(); ++i) {
      seen += (seen.empty() ? "" : ", ") + std::to_string(i) + " '" + devices[i].name + "'";
    }
    if (settings_.device.empty()) {
      for (const JackDevice& d : devices) {
        if (d.physical) return d;
      }
      if (!devices.empty()) return devices.front();
      throw DriverError("jack: no client takes audio (no playback ports)");
    }
    for (size_t i = 0; i < devices.size(); ++i) {
      if (namesDevice(settings_.device, i, devices[i].name)) return devices[i];
    }
    throw DriverError("jack: no output device matches '" + settings_.device +
                      "' (devices: " + (seen.empty() ? std::string("none") : seen) + ")");
  }

  // Not noexcept: stop() parks the callback here before jack_deactivate cancels its thread.
  static int onProcess(jack_nframes_t frames, void* user) {  // [audio thread: JACK process thread]
    auto* self = static_cast<JackAudioDriver*>(user);
    return self->park_.parkedHere() ? 0 : self->process(frames);
  }

  int process(jack_nframes_t frames) noexcept {  // [audio thread: JACK process thread]
    DriverCallbackInfo info = beginCallback();
    info.xrun = xrunPending_.exchange(false, std::memory_order_relaxed);
    auto* left = static_cast<float*>(jack_port_get_buffer(ports_[0], frames));
    auto* right = static_cast<float*>(jack_port_get_buffer(ports_[1], frames));
    if (left == nullptr || right == nullptr) return 0;
    callback_->process(left, right, frames, info);
    return 0;
  }

  static int onXrun(void* user) {  // [JACK thread]
    auto* self = static_cast<JackAudioDriver*>(user);
    self->xruns_.fetch_add(1, std::memory_order_relaxed);
    self->xrunPending_.store(true, std::memory_order_relaxed);
    return 0;
  }

  // On the process thread as JACK2 ends it: nothing here but the flag (see the top).
  static void onShutdown(jack_status_t, const char*, void* user) {  // [JACK process thread]
    static_cast<JackAudioDriver*>(user)->serverGone_.store(true, std::memory_order_relaxed);
  }

  jack_client_t* client_ = nullptr;
  jack_port_t* ports_[2] = {nullptr, nullptr};
  std::vector<std::string> devicePorts_;
  bool active_ = false;
  std::atomic<bool> xrunPending_{false};
  std::atomic<bool> serverGone_{false};
  JackProcessPark park_;
};

}  // namespace

std::unique_ptr<AudioDriver> makeJackAudioDriver(const DriverSettings& settings) {
  return std::make_unique<JackAudioDriver>(settings);
}

std::vector<std::string> listJackAudioDevices(const std::string& clientName) {
  jack_client_t* client = openClient(clientName + "-list");
  std::vector<std::string> lines;
  const std::vector<JackDevice> devices = jackDevices(client);
  jack_client_close(client);
  for (size_t i = 0; i < devices.size(); ++i) {
    lines.push_back("jack: " + std::to_string(i) + " '" + devices[i].name + "' (" + std::to_string(devices[i].ports.size()) +
                    " out" + (devices[i].physical ? ", physical" : "") + ")");
  }
  if (lines.empty()) lines.push_back("jack: no devices");
  return lines;
}

}  // namespace awe
