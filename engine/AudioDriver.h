#pragma once
// Audio drivers: who calls the engine's render callback, and when.
//   RtAudio  a real device through JACK, ALSA or PulseAudio (RtAudio's choice or yours)
//            (engine/RtAudioDriver.cpp)
//   paced    its own thread waking at absolute deadlines, for machines with no device
//            (engine/PacedClockDriver.cpp)
//   offline  as fast as possible, on the caller's thread (engine/OfflineDriver.h)
// engine/DriverFactory.h makes the one the settings ask for.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/Config.h"  // kDefaultSampleRate, kDefaultBufferFrames

namespace awe {

// No usable audio device, a bad device name, a failed stream: the message says what was
// tried and why it failed.
class DriverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DriverCallbackInfo {
  int64_t start_ns = 0;  // callback entry (monotonicNanoseconds)
  bool xrun = false;     // the device reported an underrun since the previous callback
};

// The engine side of a driver. process() runs on the audio thread.
class AudioCallback {
 public:
  virtual ~AudioCallback() = default;
  // [audio thread] Fill `frames` samples of both channels.
  virtual void process(float* left, float* right, size_t frames, const DriverCallbackInfo& info) noexcept = 0;
  // [audio thread] Called on the audio thread before its first process(), and (where the
  // driver knows) after its last one.
  virtual void audioThreadStarted() noexcept {}
  virtual void audioThreadFinished() noexcept {}
};

enum class DriverKind { Auto, RtAudio, Paced, Offline };

struct DriverSettings {
  DriverKind kind = DriverKind::Auto;  // Auto: RtAudio when a device opens, else paced
  double sampleRate = kDefaultSampleRate;
  uint32_t bufferFrames = kDefaultBufferFrames;
  std::string api;     // RtAudio: "jack", "alsa", "pulse"; empty = try each compiled API
  std::string device;  // RtAudio: device index or part of its name; empty = default output
  std::string clientName = "awe";  // JACK client / stream name
  bool autoConnect = true;         // JACK: connect the outputs to the system playback ports
  bool realtimePriority = true;    // ask for SCHED_FIFO where the driver can
};

class AudioDriver {
 public:
  virtual ~AudioDriver() = default;
  // [control thread] Starts calling `callback` (offline: does nothing until run()).
  // Throws DriverError.
  virtual void start(AudioCallback& callback) = 0;
  // [control thread] Stops and joins; the callback is not called after it returns.
  virtual void stop() = 0;
  virtual bool running() const = 0;
  virtual std::string kind() const = 0;         // "rtaudio", "paced", "offline"
  virtual std::string description() const = 0;  // API and device, for humans
  virtual double sampleRate() const = 0;
  virtual uint32_t bufferFrames() const = 0;
  // Output latency the audio API reports (device and its buffering), in seconds.
  virtual double outputLatency_s() const = 0;
  virtual uint64_t xruns() const = 0;
  // True when the audio thread got real-time scheduling.
  virtual bool realtime() const = 0;
};

// Audio output devices RtAudio can see, per compiled API ("jack: 0 system (2 out)").
std::vector<std::string> listAudioDevices();

}  // namespace awe
