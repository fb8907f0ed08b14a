// The device driver's factory, and its RtAudio half: PulseAudio or ALSA, non-interleaved
// float stereo. JACK has a client of awe's own (engine/JackAudioDriver.cpp).
#include <RtAudio.h>

#include <algorithm>

#include "engine/DeviceDriver.h"
#include "engine/DriverFactory.h"
#include "engine/JackClient.h"
#include "engine/JackMessages.h"

namespace awe {
namespace {

std::vector<RtAudio::Api> apisToTry(const std::string& wanted) {
  std::vector<RtAudio::Api> compiled;
  RtAudio::getCompiledApi(compiled);
  if (wanted.empty()) {
    // JACK first: where a JACK server runs, it owns the device.
    std::stable_sort(compiled.begin(), compiled.end(),
                     [](RtAudio::Api a, RtAudio::Api b) { return a == RtAudio::UNIX_JACK && b != RtAudio::UNIX_JACK; });
    return compiled;
  }
  const RtAudio::Api api = RtAudio::getCompiledApiByName(wanted);
  if (api == RtAudio::UNSPECIFIED) {
    std::string names;
    for (RtAudio::Api a : compiled) names += (names.empty() ? "" : ", ") + RtAudio::getApiName(a);
    throw DriverError("audio API '" + wanted + "' is not available (this build has: " + names + ")");
  }
  return {api};
}

// ALSA or PulseAudio through RtAudio (JACK has its own driver: engine/JackAudioDriver.cpp).
class RtAudioDriver final : public DeviceDriver {
 public:
  // Opens the stream on `api`; throws DriverError saying why it could not.
  RtAudioDriver(const DriverSettings& settings, RtAudio::Api api) : DeviceDriver(settings) {
    const std::string name = RtAudio::getApiName(api);
    try {
      auto audio = std::make_unique<RtAudio>(api);
      audio->showWarnings(false);
      const unsigned count = audio->getDeviceCount();
      if (count == 0) throw DriverError(name + ": no output devices");
      unsigned device = 0;
      std::string deviceName;
      std::string why;
      if (!pickDevice(*audio, count, device, deviceName, why, name)) throw DriverError(why);
      try {
        openOn(*audio, device);
      } catch (const DriverError& e) {
        throw DriverError(name + ": " + e.what());
      }
      rtaudio_ = std::move(audio);
      description_ = name + ": " + deviceName;
    } catch (const RtAudioError& e) {
      throw DriverError(name + ": " + e.getMessage());
    }
  }

  ~RtAudioDriver() override { stop(); }

  void start(AudioCallback& callback) override {
    callback_ = &callback;
    threadStarted_.store(false);
    try {
      rtaudio_->startStream();
    } catch (const RtAudioError& e) {
      callback_ = nullptr;
      throw DriverError(description_ + ": cannot start the stream: " + e.getMessage());
    }
  }

  void stop() override {
    if (rtaudio_ == nullptr) return;
    try {
      // abortStream, not stopStream: stopStream waits, with no timeout, for a callback to
      // drain the output, and a device that has gone away never calls back.
      if (rtaudio_->isStreamRunning()) rtaudio_->abortStream();
      if (rtaudio_->isStreamOpen()) rtaudio_->closeStream();
    } catch (const RtAudioError&) {
      // Stopping a stream whose server went away: nothing left to do.
    }
    callback_ = nullptr;
  }

  bool running() const override { return rtaudio_ != nullptr && rtaudio_->isStreamRunning(); }
  std::string kind() const override { return "rtaudio"; }

 private:
  bool pickDevice(RtAudio& audio, unsigned count, unsigned& device, std::string& deviceName, std::string& why,
                  const std::string& apiName) {
    if (settings_.device.empty()) {
      device = audio.getDefaultOutputDevice();
      if (device >= count) device = 0;
      const RtAudio::DeviceInfo info = audio.getDeviceInfo(device);
      if (!info.probed || info.outputChannels == 0) {
        why = apiName + ": the default device has no outputs";
        return false;
      }
      deviceName = info.name;
      return true;
    }
    std::string seen;
    for (unsigned i = 0; i < count; ++i) {
      const RtAudio::DeviceInfo info = audio.getDeviceInfo(i);
      if (!info.probed || info.outputChannels == 0) continue;
      seen += (seen.empty() ? "" : ", ") + std::to_string(i) + " '" + info.name + "'";
      if (namesDevice(settings_.device, i, info.name)) {
        device = i;
        deviceName = info.name;
        return true;
      }
    }
    why = apiName + ": no output device matches '" + settings_.device + "' (devices: " +
             (seen.empty() ? std::string("none") : seen) + ")";
    return false;
  }

  void openOn(RtAudio& audio, unsigned device) {
    RtAudio::StreamParameters out;
    out.deviceId = device;
    out.nChannels = 2;
    out.firstChannel = 0;
    RtAudio::StreamOptions options;
    options.flags = RTAUDIO_NONINTERLEAVED;
    if (settings_.realtimePriority) options.flags |= RTAUDIO_SCHEDULE_REALTIME;
    options.streamName = settings_.clientName;
    options.priority = kAudioThreadPriority;
    unsigned frames = settings_.bufferFrames;
    audio.openStream(&out, nullptr, RTAUDIO_FLOAT32, static_cast<unsigned>(settings_.sampleRate), &frames,
                     &RtAudioDriver::onAudio, this, &options);
    sampleRate_ = audio.getStreamSampleRate();
    bufferFrames_ = frames;
    if (static_cast<double>(sampleRate_) != settings_.sampleRate) {
      audio.closeStream();
      throw DriverError("the device runs at " + std::to_string(sampleRate_) + " Hz, not the " +
                        std::to_string(static_cast<int>(settings_.sampleRate)) + " Hz asked for");
    }
    // Output latency as the API reports it (on JACK it already counts our buffer: the
    // loopback measurement of awe-latency found one buffer too many when we added it).
    // An API that reports nothing gets our one buffer.
    const long reported = audio.getStreamLatency();
    latency_s_ = static_cast<double>(reported > 0 ? reported : static_cast<long>(frames)) / sampleRate_;
  }

  static int onAudio(void* output, void* /*input*/, unsigned int frames, double /*streamTime*/,
                     RtAudioStreamStatus status, void* user) {  // [audio thread]
    auto* self = static_cast<RtAudioDriver*>(user);
    DriverCallbackInfo info = self->beginCallback();
    if ((status & RTAUDIO_OUTPUT_UNDERFLOW) != 0) {
      info.xrun = true;
      self->xruns_.fetch_add(1, std::memory_order_relaxed);
    }
    auto* out = static_cast<float*>(output);
    self->callback_->process(out, out + frames, frames, info);
    return 0;
  }

  std::unique_ptr<RtAudio> rtaudio_;
};

}  // namespace

std::unique_ptr<AudioDriver> makeDeviceDriver(const DriverSettings& settings) {
  // Never let libjack start a server behind the user's back: no server means no JACK.
  prepareJackLibrary();
  quietAlsaLibrary();
  std::string tried;
  for (RtAudio::Api api : apisToTry(settings.api)) {
    try {
      if (api == RtAudio::UNIX_JACK) return makeJackAudioDriver(settings);
      return std::make_unique<RtAudioDriver>(settings, api);
    } catch (const DriverError& e) {
      tried += std::string("\n  ") + e.what();
    }
  }
  throw DriverError("no audio device could be opened for " + std::to_string(settings.bufferFrames) +
                    "-frame buffers at " + std::to_string(static_cast<int>(settings.sampleRate)) + " Hz; tried:" +
                    (tried.empty() ? std::string("\n  (no audio API compiled in)") : tried));
}

std::vector<std::string> listAudioDevices() {
  prepareJackLibrary();
  quietAlsaLibrary();
  std::vector<std::string> lines;
  std::vector<RtAudio::Api> compiled;
  RtAudio::getCompiledApi(compiled);
  for (RtAudio::Api api : compiled) {
    if (api == RtAudio::UNIX_JACK) {
      try {
        for (std::string& line : listJackAudioDevices("awe")) lines.push_back(std::move(line));
      } catch (const DriverError& e) {
        lines.push_back(e.what());
      }
      continue;
    }
    try {
      RtAudio audio(api);
      audio.showWarnings(false);
      const unsigned count = audio.getDeviceCount();
      if (count == 0) lines.push_back(RtAudio::getApiName(api) + ": no devices");
      for (unsigned i = 0; i < count; ++i) {
        const RtAudio::DeviceInfo info = audio.getDeviceInfo(i);
        if (!info.probed) continue;
        lines.push_back(RtAudio::getApiName(api) + ": " + std::to_string(i) + " '" + info.name + "' (" +
                        std::to_string(info.outputChannels) + " out" + (info.isDefaultOutput ? ", default" : "") + ")");
      }
    } catch (const RtAudioError& e) {
      lines.push_back(RtAudio::getApiName(api) + ": " + e.getMessage());
    }
  }
  return lines;
}

}  // namespace awe
