#pragma once
// What the listener hears, measured where the engine writes its output:
//   OutputLevelMeter  peak and RMS level per side in dBFS and the clipped samples, kept by
//                     the audio thread and published in EngineStatus (the UI reads that
//                     snapshot, never this object);
//   OutputScope       the newest output samples in a lock-free ring the audio thread
//                     fills, for an oscilloscope and a spectrum drawn on the UI thread.
// Neither allocates, locks or waits on the audio thread; capacities are fixed at
// construction.
#include <cstddef>
#include <cstdint>

#include "monitor/FlightRecorder.h"

namespace awe {

// Below this a meter reads "silence" (and the published dB values stop there).
constexpr float kMeterFloor_dBFS = -120.0f;
// A linear amplitude as a meter reads it: dB re full scale, kMeterFloor_dBFS at most quiet.
float meter_dBFS(double amplitude) noexcept;  // [any thread, the audio thread too]
// An amplitude 6 dB under the floor (-126 dBFS): meter_dBFS reads kMeterFloor_dBFS at and
// below it without taking a logarithm.
constexpr double kUnderMeterFloor = 5e-7;
static_assert(kMeterFloor_dBFS == -120.0f, "kUnderMeterFloor is 10^(kMeterFloor_dBFS / 20) / 2");

// The output's level as a meter shows it. Side 0 is left, 1 is right.
struct OutputLevels {
  // Peak meter: the largest |sample| with instant attack, falling 20 dB in 1.7 s (the
  // IEC 60268-18 peak meter's return time), so a short peak stays readable.
  float peak_dBFS[2] = {kMeterFloor_dBFS, kMeterFloor_dBFS};
  // RMS over the last ~300 ms (exponential mean of the squares, per buffer): a sine
  // reads 3.01 dB under its peak.
  float rms_dBFS[2] = {kMeterFloor_dBFS, kMeterFloor_dBFS};
  uint64_t clippedSamples = 0;  // samples at or beyond full scale (|x| >= 1), either side, since start
  uint64_t lastClipBuffer = 0;  // engine buffer index of the newest clipped sample (+1; 0 = never)
};

class OutputLevelMeter {
 public:
  static constexpr double kRmsWindow_s = 0.3;
  static constexpr double kPeakFall_dB_per_s = 20.0 / 1.7;

  explicit OutputLevelMeter(double sampleRate) : sampleRate_(sampleRate) {}

  // [audio thread] Takes one buffer of output; `bufferIndex` names it in lastClipBuffer.
  void process(const float* left, const float* right, size_t frames, uint64_t bufferIndex) noexcept;
  // [audio thread] Takes a buffer of `frames` exact zeros without reading it (the engine
  // knows an idle synth's buffer is one): the readings process() would give it.
  void processSilence(size_t frames) noexcept;
  // [audio thread] The meter now (copied into EngineStatus once per buffer).
  const OutputLevels& levels() const noexcept { return levels_; }
  // [audio thread] Forget the levels (not the clip count): after a seek, say.
  void reset() noexcept;

 private:
  void prepareDecay(size_t frames) noexcept;
  void settle(int side, float peak, double sumSquares, size_t frames) noexcept;

  double sampleRate_;
  size_t decayFrames_ = 0;  // the buffer size fall_ and keep_ are for (0: none yet)
  double fall_ = 1.0;       // the peak's fall over one buffer, linear
  double keep_ = 1.0;       // the RMS mean's weight on the past over one buffer
  double peak_[2] = {0.0, 0.0};        // linear, with the fall applied
  double meanSquare_[2] = {0.0, 0.0};  // the exponential mean of x^2
  OutputLevels levels_;
};

// Frames per ring record: the audio thread copies whole records; a partly filled one
// waits on the audio side until the next buffer completes it.
constexpr size_t kScopeBlockFrames = 256;
struct ScopeBlock {
  float left[kScopeBlockFrames];
  float right[kScopeBlockFrames];
};

class OutputScope {
 public:
  // [control thread] Allocates the ring: at least `capacity_frames` of the newest output.
  explicit OutputScope(size_t capacity_frames = 16384);

  // [audio thread] Appends one buffer of output.
  void write(const float* left, const float* right, size_t frames) noexcept;
  // [audio thread] Appends `frames` of exact silence (+0.0f both sides) without reading a
  // buffer: what write() of a zero buffer stores, at the cost of a few stores per block.
  void writeSilence(size_t frames) noexcept;

  // [any thread] Copies the newest `frames` frames (at most capacity_frames(), in whole
  // blocks of kScopeBlockFrames) oldest first into left/right. Returns how many were
  // copied: fewer when less was written, or when the audio thread overwrote the oldest
  // part during the copy (what is returned is always one unbroken stretch).
  size_t readLatest(float* left, float* right, size_t frames) const noexcept;
  size_t capacity_frames() const noexcept { return ring_.capacity() * kScopeBlockFrames; }
  // [any thread] Frames in complete blocks so far (a stamp: the scope has news when it moves).
  uint64_t framesWritten() const noexcept { return ring_.written() * kScopeBlockFrames; }

 private:
  // [audio thread] pending_[0, pendingFrames_) are zeros not written into pending_ yet.
  void materializePendingZeros() noexcept;

  FlightRecorder<ScopeBlock> ring_;
  ScopeBlock pending_{};         // [audio thread] the block being filled
  size_t pendingFrames_ = 0;
  bool pendingZeros_ = false;    // [audio thread] the block so far is silence from writeSilence()
};

}  // namespace awe
