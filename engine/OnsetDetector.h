#pragma once
// OnsetDetector: finds where sounds start in a signal that is silent between them (a
// synth playing one short note at a time, as awe-latency's loopback does). An onset is the
// first sample whose magnitude exceeds the threshold after at least `holdFrames` samples
// at or below it; the detector then waits for that much quiet again before it re-arms.
// It starts disarmed, so a capture that begins in the middle of a sound reports no onset
// for it.
//
// Real-time safe: process() does no allocation, locking or I/O and touches each sample
// once, so it can run inside a JACK process callback.
#include <cstddef>
#include <cstdint>

namespace awe {

struct OnsetDetectorSettings {
  float threshold = 0.001f;   // linear magnitude (0.001 = -60 dBFS)
  uint32_t holdFrames = 441;  // quiet needed before the next onset (10 ms at 44.1 kHz)
};

struct Onset {
  uint64_t frame = 0;  // absolute frame number of the first sample above the threshold
  float level = 0.0f;  // that sample's magnitude
};

class OnsetDetector {
 public:
  explicit OnsetDetector(const OnsetDetectorSettings& settings = {}) noexcept : settings_(settings) {}

  // [one thread at a time] Scans `frames` samples whose first has frame number
  // `firstFrame` (consecutive calls need not be contiguous: a gap counts as unknown and
  // disarms). Writes at most `capacity` onsets to `out` and returns how many it wrote;
  // onsets beyond `capacity` are counted in dropped().
  std::size_t process(const float* samples, std::size_t frames, uint64_t firstFrame, Onset* out,
                      std::size_t capacity) noexcept;

  void reset() noexcept;
  bool armed() const noexcept { return quietFrames_ >= settings_.holdFrames; }
  uint64_t dropped() const noexcept { return dropped_; }
  const OnsetDetectorSettings& settings() const noexcept { return settings_; }

 private:
  OnsetDetectorSettings settings_;
  uint32_t quietFrames_ = 0;  // consecutive samples at or below the threshold
  uint64_t nextFrame_ = 0;
  bool started_ = false;
  uint64_t dropped_ = 0;
};

}  // namespace awe
