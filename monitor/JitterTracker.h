#pragma once
// JitterTracker: how far each callback starts from its ideal time.
//
// The ideal timeline is start_0 + (frames so far) * T, where T, the real period of a frame
// measured on the monitor's clock, is tracked with a second-order delay-locked loop (as
// JACK does, after F. Adriaensen, "Using a DLL to filter time", 2005). The loop follows
// the slow drift between the audio clock and the CPU clock (its bandwidth, 0.1 Hz by
// default, is far below the callback rate) but not the jitter, so jitter = start minus
// the predicted ideal start, with drift removed. Outliers (more than 1/8 of a buffer or
// 1 ms off, whichever is larger) are reported but kept out of the loop, so one late
// callback does not bend the timeline; four outliers in a row on the same side (the
// callbacks moved for good, e.g. after a slow buffer on a self-paced clock) or a jump of
// more than two buffers (a stall, an xrun that skipped audio) start a new timeline at that
// callback, keeping the tracked rate.
// Plain state owned by one thread (the audio thread); nothing allocates.
#include <cstdint>

namespace awe {

class JitterTracker {
 public:
  JitterTracker(double sampleRate, double bandwidth_Hz) noexcept;

  // [owner thread] The jitter of a callback starting at start_ns, in ns; previousFrames is
  // the previous buffer's length (0 = first buffer, which has jitter 0 by definition).
  int64_t update(int64_t start_ns, uint32_t previousFrames) noexcept;

  // The tracked frame period over the nominal one, minus 1, in parts per million
  // (positive: callbacks come slower than the nominal rate).
  // [audio thread]
  double drift_ppm() const noexcept { return (framePeriod_ns_ / nominalFramePeriod_ns_ - 1.0) * 1e6; }

 private:
  static constexpr double kMinimumOutlier_ns = 1e6;
  static constexpr int kOutliersForNewTimeline = 4;

  void restartTimeline(int64_t start_ns) noexcept;

  double nominalFramePeriod_ns_;
  double framePeriod_ns_;
  double bandwidth_Hz_;
  double sampleRate_;
  bool started_ = false;
  int64_t anchor_ns_ = 0;        // where the current timeline starts
  double idealOffset_ns_ = 0.0;  // ideal start of the last buffer, relative to the anchor
  int outliersInARow_ = 0;
  int outlierSide_ = 0;          // +1 late, -1 early
  uint32_t gainFrames_ = 0;      // the buffer length the loop gains were computed for
  double phaseGain_ = 0.0;
  double periodGain_ = 0.0;
};

}  // namespace awe
