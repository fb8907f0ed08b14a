#pragma once
// The voice's resonant 2-pole low-pass: coefficient design (control rate). The kernel runs
// it as a transposed direct-form II biquad.
#include <algorithm>
#include <cmath>

namespace awe {

struct BiquadCoefficients {
  float b0 = 1.0f, b1 = 0.0f, b2 = 0.0f, a1 = 0.0f, a2 = 0.0f;  // a0 normalised to 1
};

// RBJ-cookbook low-pass whose resonance peak is `resonance_dB` above the pass-band (SF2
// initialFilterQ is "the height above DC gain in centibels" of the peak). With
// G = 10^(dB/20) the cookbook Q that puts the peak at exactly G is
// Q^2 = (G^2 + G*sqrt(G^2 - 1)) / 2, so 0 dB gives the Butterworth Q = 1/sqrt(2): flat,
// -3 dB at the cutoff. `dcGain` scales the whole response (the EMU8000 lowers it as Q
// rises). The cutoff is kept below 0.45 of the sample rate.
inline BiquadCoefficients designLowpass(double cutoff_Hz, double resonance_dB, double sampleRate,
                                        double dcGain = 1.0) {
  const double fc = std::clamp(cutoff_Hz, 5.0, 0.45 * sampleRate);
  const double g = std::pow(10.0, std::max(resonance_dB, 0.0) / 20.0);
  const double q = std::sqrt((g * g + g * std::sqrt(std::max(g * g - 1.0, 0.0))) / 2.0);
  const double w0 = 2.0 * M_PI * fc / sampleRate;
  const double cosw = std::cos(w0);
  const double alpha = std::sin(w0) / (2.0 * q);
  const double a0 = 1.0 + alpha;
  const double b1 = (1.0 - cosw) / a0 * dcGain;
  BiquadCoefficients c;
  c.b0 = static_cast<float>(b1 * 0.5);
  c.b1 = static_cast<float>(b1);
  c.b2 = static_cast<float>(b1 * 0.5);
  c.a1 = static_cast<float>(-2.0 * cosw / a0);
  c.a2 = static_cast<float>((1.0 - alpha) / a0);
  return c;
}

}  // namespace awe
