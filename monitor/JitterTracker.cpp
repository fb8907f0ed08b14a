#include "monitor/JitterTracker.h"

#include <algorithm>
#include <cmath>

namespace awe {
namespace {
constexpr double kPi = 3.14159265358979323846;

// Round to nearest without a libm call.
int64_t roundToInt64(double value) noexcept {
  return value >= 0.0 ? static_cast<int64_t>(value + 0.5) : -static_cast<int64_t>(0.5 - value);
}
}  // namespace

JitterTracker::JitterTracker(double sampleRate, double bandwidth_Hz) noexcept
    : nominalFramePeriod_ns_(1e9 / sampleRate),
      framePeriod_ns_(1e9 / sampleRate),
      bandwidth_Hz_(bandwidth_Hz),
      sampleRate_(sampleRate) {}

int64_t JitterTracker::update(int64_t start_ns, uint32_t previousFrames) noexcept {  // [audio thread]
  if (!started_ || previousFrames == 0) {
    started_ = true;
    restartTimeline(start_ns);
    return 0;
  }
  const double predicted_ns = idealOffset_ns_ + previousFrames * framePeriod_ns_;
  const double error_ns = static_cast<double>(start_ns - anchor_ns_) - predicted_ns;
  const int64_t jitter_ns = roundToInt64(error_ns);
  const double nominalBuffer_ns = previousFrames * nominalFramePeriod_ns_;
  if (std::abs(error_ns) > 2.0 * nominalBuffer_ns) {  // a stall or skip: new timeline, same rate
    restartTimeline(start_ns);
    return jitter_ns;
  }
  // An outlier (one late callback) says nothing about the rate: keep it out of the loop.
  // Several in a row on the same side mean the timeline itself moved: start a new one.
  const double outlierLimit_ns = std::max(nominalBuffer_ns / 8.0, kMinimumOutlier_ns);
  if (std::abs(error_ns) > outlierLimit_ns) {
    const int side = error_ns > 0.0 ? 1 : -1;
    outliersInARow_ = side == outlierSide_ ? outliersInARow_ + 1 : 1;
    outlierSide_ = side;
    if (outliersInARow_ >= kOutliersForNewTimeline) {
      restartTimeline(start_ns);
    } else {
      idealOffset_ns_ = predicted_ns;
    }
    return jitter_ns;
  }
  outliersInARow_ = 0;
  if (previousFrames != gainFrames_) {  // only when the buffer size changes
    gainFrames_ = previousFrames;
    const double omega = 2.0 * kPi * bandwidth_Hz_ * previousFrames / sampleRate_;
    phaseGain_ = std::sqrt(2.0) * omega;
    periodGain_ = omega * omega;
  }
  idealOffset_ns_ = predicted_ns + phaseGain_ * error_ns;
  framePeriod_ns_ += periodGain_ * error_ns / previousFrames;
  // Keep the offset small so the double never loses nanoseconds over a long run.
  if (idealOffset_ns_ > 1e12) {
    const auto shift = static_cast<int64_t>(idealOffset_ns_);
    anchor_ns_ += shift;
    idealOffset_ns_ -= static_cast<double>(shift);
  }
  return jitter_ns;
}

void JitterTracker::restartTimeline(int64_t start_ns) noexcept {  // [audio thread]
  anchor_ns_ = start_ns;
  idealOffset_ns_ = 0.0;
  outliersInARow_ = 0;
  outlierSide_ = 0;
}

}  // namespace awe
