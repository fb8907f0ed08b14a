#include "engine/OutputMeter.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "emu8000/Conversions.h"

namespace awe {

float meter_dBFS(double amplitude) noexcept {  // [audio thread]
  if (!(amplitude > 0.0)) return kMeterFloor_dBFS;
  return std::max(kMeterFloor_dBFS, static_cast<float>(amplitudeToDecibels(amplitude)));
}

void OutputLevelMeter::process(const float* left, const float* right, size_t frames,
                               uint64_t bufferIndex) noexcept {  // [audio thread]
  if (frames == 0) return;
  const float* sides[2] = {left, right};
  const double buffer_s = static_cast<double>(frames) / sampleRate_Hz_;
  const double fall = decibelsToAmplitude(-kPeakFall_dB_per_s * buffer_s);
  const double keep = std::exp(-buffer_s / kRmsWindow_s);  // the exponential mean's weight on the past
  uint64_t clipped = 0;
  for (int side = 0; side < 2; ++side) {
    const float* x = sides[side];
    float peak = 0.0f;
    double sumSquares = 0.0;
    for (size_t i = 0; i < frames; ++i) {
      const float a = std::fabs(x[i]);
      peak = std::max(peak, a);
      sumSquares += static_cast<double>(x[i]) * static_cast<double>(x[i]);
      clipped += a >= 1.0f ? 1u : 0u;
    }
    peak_[side] = std::max(static_cast<double>(peak), peak_[side] * fall);
    meanSquare_[side] = keep * meanSquare_[side] + (1.0 - keep) * sumSquares / static_cast<double>(frames);
    levels_.peak_dBFS[side] = meter_dBFS(peak_[side]);
    levels_.rms_dBFS[side] = meter_dBFS(std::sqrt(meanSquare_[side]));
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
