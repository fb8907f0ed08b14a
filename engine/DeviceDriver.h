#pragma once
// What the two drivers that play on a device (engine/JackAudioDriver.cpp,
// engine/RtAudioDriver.cpp) share: the facts their stream settled on when it opened, the
// counts their callback keeps, and the step every callback begins with. Opening, starting
// and stopping stay each driver's own.
#include <atomic>
#include <cstdint>
#include <string>

#include "engine/AudioDriver.h"
#include "monitor/Clock.h"

namespace awe {

class DeviceDriver : public AudioDriver {
 public:
  bool playsOnDevice() const final { return true; }
  std::string description() const final { return description_; }
  double sampleRate() const final { return sampleRate_; }
  uint32_t bufferFrames() const final { return bufferFrames_; }
  double outputLatency_s() const final { return latency_s_; }
  uint64_t xruns() const final { return xruns_.load(std::memory_order_relaxed); }
  bool realtime() const final { return realtime_.load(std::memory_order_relaxed); }

 protected:
  explicit DeviceDriver(const DriverSettings& settings) : settings_(settings) {}

  // [audio thread] The start of every callback: its entry time; on the first one after
  // start() (threadStarted_ cleared) whether the thread runs real-time, then the engine is
  // told its audio thread started.
  DriverCallbackInfo beginCallback() noexcept {  // [audio thread]
    DriverCallbackInfo info;
    info.start_ns = monotonicNanoseconds();
    if (!threadStarted_.exchange(true, std::memory_order_relaxed)) {
      realtime_.store(currentThreadIsRealtime(), std::memory_order_relaxed);
      callback_->audioThreadStarted();
    }
    return info;
  }

  DriverSettings settings_;
  std::string description_;  // API and device, set when the stream opens
  AudioCallback* callback_ = nullptr;
  // What the stream settled on when it opened.
  unsigned sampleRate_ = 0;
  uint32_t bufferFrames_ = 0;
  double latency_s_ = 0.0;
  std::atomic<uint64_t> xruns_{0};
  std::atomic<bool> threadStarted_{false};
  std::atomic<bool> realtime_{false};
};

}  // namespace awe
