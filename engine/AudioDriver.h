#pragma once
// Audio drivers: who calls the engine's render callback, and when.
//   device   a real device: JACK through a client of awe's own (engine/JackAudioDriver.cpp),
//            ALSA or PulseAudio through RtAudio (engine/RtAudioDriver.cpp); the first API
//            that opens, or the one asked for; what the two share is engine/DeviceDriver.h
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

enum class DriverKind { Auto, Device, Paced, Offline };

struct DriverSettings {
  DriverKind kind = DriverKind::Auto;  // Auto: a device when one opens, else paced
  double sampleRate = kDefaultSampleRate;
  uint32_t bufferFrames = kDefaultBufferFrames;
  std::string api;     // device: "jack", "alsa", "pulse"; empty = try each compiled API, JACK first
  std::string device;  // device: its index or part of its name; empty = the default output
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
  virtual std::string kind() const = 0;         // "jack", "rtaudio", "paced", "offline"
  // True for the drivers that play on a device (one that can go away): jack, rtaudio.
  virtual bool playsOnDevice() const { return false; }
  virtual std::string description() const = 0;  // API and device, for humans
  virtual double sampleRate() const = 0;
  virtual uint32_t bufferFrames() const = 0;
  // Output latency the audio API reports (device and its buffering), in seconds.
  virtual double outputLatency_s() const = 0;
  virtual uint64_t xruns() const = 0;
  // True when the audio thread got real-time scheduling.
  virtual bool realtime() const = 0;
};

// A device or port as the user names it: its number in the listing (all digits), or a part
// of its name. True when `wanted` names the one at `index` called `name`.
bool namesDevice(const std::string& wanted, std::size_t index, const std::string& name);

// [any thread] True when the calling thread runs under SCHED_FIFO or SCHED_RR.
bool currentThreadIsRealtime() noexcept;

// Audio output devices per compiled API ("jack: 0 'system' (2 out, physical)"), numbered as
// DriverSettings::device takes them.
std::vector<std::string> listAudioDevices();

}  // namespace awe
