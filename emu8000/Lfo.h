#pragma once
// Triangle LFO with a delay, as SF2 8.1.2 describes it (and as 86Box models the EMU8000):
// after the delay it starts at 0 and rises to +1, falls to -1, and so on. Advanced once
// per control block.
#include <algorithm>
#include <cstdint>

#include "emu8000/Float4.h"

namespace awe {

class Lfo {
 public:
  // [audio thread] frequency in Hz, delay in samples, at the output sample rate.
  void start(double frequency_Hz, uint32_t delay_samples, double sampleRate) noexcept {
    delay_ = delay_samples;
    phase_ = 0;
    setFrequency(frequency_Hz, sampleRate);
  }
  // The phase is a 32-bit fraction of a cycle, so it wraps by itself and costs integer
  // adds only: 2^-32 cycle per sample is 1e-5 Hz at 44.1 kHz.
  void setFrequency(double frequency_Hz, double sampleRate) noexcept {  // [audio thread]
    const double cyclesPerSample = std::clamp(frequency_Hz / sampleRate, 0.0, 0.5);
    step_ = static_cast<uint32_t>(cyclesPerSample * kPhaseUnitsPerCycle + 0.5);
  }

  // Value (-1..1) now.
  float value() const noexcept {  // [audio thread]
    if (delay_ > 0) return 0.0f;
    // phase 0 -> 0, 1/4 -> +1, 3/4 -> -1: 1 - 4 |frac(phase + 1/4) - 1/2|
    const uint32_t shifted = phase_ + kQuarterCycle;
    const uint32_t fromHalf = shifted >= kHalfCycle ? shifted - kHalfCycle : kHalfCycle - shifted;
    return 1.0f - static_cast<float>(fromHalf) * kValuePerPhaseUnit;
  }
  // value() of four running LFOs (past their delays) at these phases, with the same bits.
  static Float4 valueAt(UInt4 phase) noexcept {  // [audio thread]
    const UInt4 shifted = phase + kQuarterCycle;
    const UInt4 fromHalf = shifted >= kHalfCycle ? shifted - kHalfCycle : kHalfCycle - shifted;
    // fromHalf is at most 2^31, which int32 cannot hold: that one value is made by hand.
    const Float4 distance = __builtin_convertvector(reinterpret_cast<Int4>(fromHalf), Float4);
    const Float4 fromHalf_units = fromHalf == kHalfCycle ? Float4{} + static_cast<float>(kHalfCycle) : distance;
    return 1.0f - fromHalf_units * kValuePerPhaseUnit;
  }

  // The running state, for a control walk that steps several LFOs at once (Synth's steady
  // lanes) and writes the phase back.
  bool delaying() const noexcept { return delay_ > 0; }  // [audio thread]
  uint32_t phase() const noexcept { return phase_; }  // [audio thread]
  uint32_t step() const noexcept { return step_; }  // [audio thread]
  void setPhase(uint32_t phase) noexcept { phase_ = phase; }  // [audio thread]

  void advance(uint32_t n) noexcept {  // [audio thread]
    if (delay_ >= n) {
      delay_ -= n;
      return;
    }
    n -= delay_;
    delay_ = 0;
    phase_ += step_ * n;  // modulo 2^32: whole cycles drop out
  }

 private:
  static constexpr double kPhaseUnitsPerCycle = 4294967296.0;  // 2^32
  static constexpr uint32_t kQuarterCycle = 0x40000000u;
  static constexpr uint32_t kHalfCycle = 0x80000000u;
  static constexpr float kValuePerPhaseUnit = 4.0f / static_cast<float>(kPhaseUnitsPerCycle);
  uint32_t delay_ = 0;
  uint32_t phase_ = 0;
  uint32_t step_ = 0;
};

}  // namespace awe
