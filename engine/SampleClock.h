#pragma once
// SampleClock: where each buffer starts on the audio device's sample clock, in
// monotonicNanoseconds().
//
// The callback is entered late by a wake-up delay that changes from buffer to buffer
// (tens of microseconds on an idle machine, more under load). Live events placed against
// the entry time would move by that many samples, so the fixed-latency schedule would not
// keep their spacing. Frames, though, are counted exactly: a buffer starts at
// origin + (frames before it) / rate, where the origin follows the lower envelope of
// entry - (frames before it) / rate, i.e. the least-delayed entries:
//   - an entry below the envelope lowers it at once (it was less delayed than any so far,
//     or the device clock runs fast against the monotonic clock);
//   - the envelope rises with the slope between the lowest entries of successive refresh
//     windows (one second, at least 32 buffers; smoothed; 0 .. kMaxDrift), so a device
//     clock running slow is followed smoothly, and at the end of each window it is raised
//     to that window's lowest entry carried forward along the slope;
//   - an entry more than a buffer above it restarts the timeline there (a stall, or frames
//     the driver never asked for).
// A buffer therefore never starts after its callback was entered, and a driver running
// faster than real time (offline rendering) starts each buffer at its entry.
//
// [audio thread] bufferStart() is a few arithmetic operations; no allocation, no locks.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace awe {

class SampleClock {
 public:
  static constexpr double kRefreshWindow_s = 1.0;
  static constexpr uint32_t kMinimumRefreshBuffers = 32;
  static constexpr double kSlopeSmoothing = 0.25;  // of each new window's slope
  static constexpr double kMaxDrift = 500e-6;  // slower device clocks than this restart now and then

  explicit SampleClock(double sampleRate) noexcept : sampleRate_(sampleRate), ns_per_frame_(1e9 / sampleRate) {}

  // A buffer of `frames` frames whose callback was entered at `entry_ns` starts here on the
  // sample clock; never later than entry_ns.
  int64_t bufferStart(int64_t entry_ns, std::size_t frames) noexcept {  // [audio thread]
    const double elapsed_ns = static_cast<double>(frames_) * ns_per_frame_;
    const double candidate_ns = static_cast<double>(entry_ns) - elapsed_ns;
    const double duration_ns = static_cast<double>(frames) * ns_per_frame_;
    if (started_) origin_ns_ += slope_ * static_cast<double>(previousFrames_);
    if (!started_ || candidate_ns - origin_ns_ > duration_ns) {
      origin_ns_ = candidate_ns;  // the slope (the device's drift) survives a restart
      started_ = true;
      havePreviousMin_ = false;
      startWindow(candidate_ns);
    } else {
      origin_ns_ = std::min(origin_ns_, candidate_ns);
      if (candidate_ns <= windowMin_ns_) {
        windowMin_ns_ = candidate_ns;
        windowMinFrame_ = frames_;
      }
      windowFrames_ += frames;
      const double window_frames =
          std::max(kRefreshWindow_s * sampleRate_, kMinimumRefreshBuffers * static_cast<double>(frames));
      if (static_cast<double>(windowFrames_) >= window_frames) {
        if (havePreviousMin_ && windowMinFrame_ > previousMinFrame_) {
          // The first estimate as it is, later ones smoothed: one window's lowest entry is
          // itself a little noisy.
          const double slope = (windowMin_ns_ - previousMin_ns_) / static_cast<double>(windowMinFrame_ - previousMinFrame_);
          const double smoothed = haveSlope_ ? slope_ + kSlopeSmoothing * (slope - slope_) : slope;
          slope_ = std::clamp(smoothed, 0.0, kMaxDrift * ns_per_frame_);
          haveSlope_ = true;
        }
        previousMin_ns_ = windowMin_ns_;
        previousMinFrame_ = windowMinFrame_;
        havePreviousMin_ = true;
        origin_ns_ = std::max(origin_ns_, windowMin_ns_ + slope_ * static_cast<double>(frames_ - windowMinFrame_));
        startWindow(candidate_ns);
      }
    }
    previousFrames_ = frames;
    frames_ += frames;
    return std::min(entry_ns, static_cast<int64_t>(std::llround(origin_ns_ + elapsed_ns)));
  }

  // Forget the timeline and the drift (the driver restarts).
  void reset() noexcept {
    started_ = false;
    frames_ = 0;
    slope_ = 0.0;
    haveSlope_ = false;
    havePreviousMin_ = false;
  }

 private:
  void startWindow(double candidate_ns) noexcept {  // [audio thread]
    windowMin_ns_ = candidate_ns;
    windowMinFrame_ = frames_;
    windowFrames_ = 0;
  }

  double sampleRate_;
  double ns_per_frame_;
  double origin_ns_ = 0.0;
  double slope_ = 0.0;  // ns the origin rises per frame
  bool haveSlope_ = false;
  double windowMin_ns_ = 0.0;
  uint64_t windowMinFrame_ = 0;
  uint64_t windowFrames_ = 0;
  double previousMin_ns_ = 0.0;
  uint64_t previousMinFrame_ = 0;
  bool havePreviousMin_ = false;
  uint64_t frames_ = 0;
  std::size_t previousFrames_ = 0;
  bool started_ = false;
};

}  // namespace awe
