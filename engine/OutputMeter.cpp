#include "engine/OutputMeter.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "emu8000/Conversions.h"
#include "emu8000/Float4.h"

namespace awe {

float meter_dBFS(double amplitude) noexcept {  // [audio thread]
  // At or under kUnderMeterFloor the logarithm would land below the floor anyway (by 6 dB,
  // far beyond its rounding): the same reading without computing it.
  if (!(amplitude > kUnderMeterFloor)) return kMeterFloor_dBFS;
  return std::max(kMeterFloor_dBFS, static_cast<float>(amplitudeToDecibels(amplitude)));
}

void OutputLevelMeter::prepareDecay(size_t frames) noexcept {  // [audio thread]
  if (frames == decayFrames_) return;  // the same buffer size as last time: the same factors
  const double buffer_s = static_cast<double>(frames) / sampleRate_;
  fall_ = decibelsToAmplitude(-kPeakFall_dB_per_s * buffer_s);
  keep_ = std::exp(-buffer_s / kRmsWindow_s);  // the exponential mean's weight on the past
  decayFrames_ = frames;
}

// [audio thread] One side's meter after a buffer whose largest |sample| was `peak` and whose
// squares summed to `sumSquares` (prepareDecay(frames) done).
void OutputLevelMeter::settle(int side, float peak, double sumSquares, size_t frames) noexcept {
  peak_[side] = std::max(static_cast<double>(peak), peak_[side] * fall_);
  meanSquare_[side] = keep_ * meanSquare_[side] + (1.0 - keep_) * sumSquares / static_cast<double>(frames);
  levels_.peak_dBFS[side] = meter_dBFS(peak_[side]);
  levels_.rms_dBFS[side] = meter_dBFS(std::sqrt(meanSquare_[side]));
}

void OutputLevelMeter::processSilence(size_t frames) noexcept {  // [audio thread]
  if (frames == 0) return;
  prepareDecay(frames);
  // What process() finds in a zero buffer: peak 0, no squares, nothing clipped.
  for (int side = 0; side < 2; ++side) settle(side, 0.0f, 0.0, frames);
}

void OutputLevelMeter::process(const float* left, const float* right, size_t frames,
                               uint64_t bufferIndex) noexcept {  // [audio thread]
  if (frames == 0) return;
  const float* sides[2] = {left, right};
  prepareDecay(frames);
  uint64_t clipped = 0;
  for (int side = 0; side < 2; ++side) {
    const float* x = sides[side];
    // Four lanes at a time in GCC/Clang vector types (SSE2 on x86-64, NEON on aarch64):
    // the compiler keeps one running sum a serial chain it may not reorder, so a plain
    // loop stays scalar. A float lane sums at most frames/4 squares: ample for a meter.
    Float4 lanePeak = {}, laneSquares = {};
    Int4 laneClipped = {};
    const Float4 fullScale = {1.0f, 1.0f, 1.0f, 1.0f};
    size_t i = 0;
    for (; i + 4 <= frames; i += 4) {
      const Float4 v = load4(x + i);
      const Float4 a = reinterpret_cast<Float4>(reinterpret_cast<Int4>(v) & 0x7FFFFFFF);  // |v|
      lanePeak = a > lanePeak ? a : lanePeak;  // a NaN sample leaves the peak
      laneSquares += v * v;
      laneClipped -= a >= fullScale;  // a true lane compares as -1
    }
    float peak = 0.0f;
    double sumSquares = 0.0;
    for (int l = 0; l < 4; ++l) {
      peak = std::max(peak, lanePeak[l]);
      sumSquares += static_cast<double>(laneSquares[l]);
      clipped += static_cast<uint64_t>(laneClipped[l]);
    }
    for (; i < frames; ++i) {  // the last frames / 4 remainder
      const float a = std::fabs(x[i]);
      peak = std::max(peak, a);
      sumSquares += static_cast<double>(x[i]) * static_cast<double>(x[i]);
      clipped += a >= 1.0f ? 1u : 0u;
    }
    settle(side, peak, sumSquares, frames);
  }
  if (clipped > 0) {
    levels_.clippedSamples += clipped;
    levels_.lastClipBuffer = bufferIndex + 1;
  }
}

void OutputLevelMeter::reset() noexcept {  // [audio thread]
  for (int side = 0; side < 2; ++side) {
    peak_[side] = meanSquare_[side] = 0.0;
    levels_.peak_dBFS[side] = levels_.rms_dBFS[side] = kMeterFloor_dBFS;
  }
}

OutputScope::OutputScope(size_t capacity_frames)
    : ring_((std::max(capacity_frames, kScopeBlockFrames) + kScopeBlockFrames - 1) / kScopeBlockFrames) {}

void OutputScope::write(const float* left, const float* right, size_t frames) noexcept {  // [audio thread]
  if (frames > 0 && pendingZeros_) materializePendingZeros();
  size_t done = 0;
  while (done < frames) {  // bounded: frames / kScopeBlockFrames + 1 rounds
    const size_t n = std::min(frames - done, kScopeBlockFrames - pendingFrames_);
    std::memcpy(pending_.left + pendingFrames_, left + done, n * sizeof(float));
    std::memcpy(pending_.right + pendingFrames_, right + done, n * sizeof(float));
    pendingFrames_ += n;
    done += n;
    if (pendingFrames_ == kScopeBlockFrames) {
      ring_.push(pending_);
      pendingFrames_ = 0;
    }
  }
}

void OutputScope::writeSilence(size_t frames) noexcept {  // [audio thread]
  size_t done = 0;
  while (done < frames) {  // bounded: frames / kScopeBlockFrames + 1 rounds
    if (pendingFrames_ == 0) pendingZeros_ = true;
    const size_t n = std::min(frames - done, kScopeBlockFrames - pendingFrames_);
    if (!pendingZeros_) {  // after sound in this block: the zeros are written out
      std::memset(pending_.left + pendingFrames_, 0, n * sizeof(float));
      std::memset(pending_.right + pendingFrames_, 0, n * sizeof(float));
    }
    pendingFrames_ += n;
    done += n;
    if (pendingFrames_ == kScopeBlockFrames) {
      if (pendingZeros_) {
        ring_.pushZeros();  // the bytes of a block of +0.0f, as push() would store them
      } else {
        ring_.push(pending_);
      }
      pendingFrames_ = 0;
    }
  }
}

void OutputScope::materializePendingZeros() noexcept {  // [audio thread]
  std::memset(pending_.left, 0, pendingFrames_ * sizeof(float));
  std::memset(pending_.right, 0, pendingFrames_ * sizeof(float));
  pendingZeros_ = false;
}

size_t OutputScope::readLatest(float* left, float* right, size_t frames) const noexcept {  // [any thread]
  const uint64_t end = ring_.written();
  const size_t blocks = static_cast<size_t>(std::min<uint64_t>({frames / kScopeBlockFrames, ring_.capacity(), end}));
  // Newest first, each into its place from the end; the first block that is gone (the
  // writer lapped the reader) ends the stretch.
  ScopeBlock block;
  size_t got = 0;
  for (; got < blocks; ++got) {
    if (!ring_.read(end - 1 - got, block)) break;
    const size_t at = (blocks - 1 - got) * kScopeBlockFrames;
    std::memcpy(left + at, block.left, sizeof(block.left));
    std::memcpy(right + at, block.right, sizeof(block.right));
  }
  const size_t copied = got * kScopeBlockFrames;
  if (got < blocks) {  // move the unbroken newest stretch to the front
    const size_t from = (blocks - got) * kScopeBlockFrames;
    std::memmove(left, left + from, copied * sizeof(float));
    std::memmove(right, right + from, copied * sizeof(float));
  }
  return copied;
}

}  // namespace awe
