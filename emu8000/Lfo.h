#pragma once
// Triangle LFO with a delay, as SF2 8.1.2 describes it (and as 86Box models the EMU8000):
// after the delay it starts at 0 and rises to +1, falls to -1, and so on. Advanced once
// per control block.
#include <cstdint>

namespace awe {

class Lfo {
 public:
  // [audio thread] frequency in Hz, delay in samples, at the output sample rate.
  void start(double frequency_Hz, uint32_t delay_samples, double sampleRate) noexcept {
    delay_ = delay_samples;
    phase_ = 0.0;
    setFrequency(frequency_Hz, sampleRate);
  }
  void setFrequency(double frequency_Hz, double sampleRate) noexcept { step_ = frequency_Hz / sampleRate; }

  // Value (-1..1) now.
  float value() const noexcept {  // [audio thread]
    if (delay_ > 0) return 0.0f;
    // phase 0 -> 0, 0.25 -> +1, 0.75 -> -1, 1 -> 0
    const double p = phase_;
    const double v = p < 0.25 ? 4.0 * p : (p < 0.75 ? 2.0 - 4.0 * p : 4.0 * p - 4.0);
    return static_cast<float>(v);
  }

  void advance(uint32_t n) noexcept {  // [audio thread]
    if (delay_ >= n) {
      delay_ -= n;
      return;
    }
    n -= delay_;
    delay_ = 0;
    phase_ += step_ * static_cast<double>(n);
    phase_ -= static_cast<double>(static_cast<int64_t>(phase_));  // wrap to [0,1)
  }

 private:
  uint32_t delay_ = 0;
  double phase_ = 0.0;
  double step_ = 0.0;
};

}  // namespace awe
