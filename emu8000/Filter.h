#pragma once
// The voice's resonant 2-pole low-pass: coefficient design (control rate). The kernel runs
// it as a transposed direct-form II biquad.
#include <algorithm>
#include <cmath>

namespace awe {

struct BiquadCoefficients {
  float b0 = 1.0f, b1 = 0.0f, b2 = 0.0f, a1 = 0.0f, a2 = 0.0f;  // a0 normalised to 1
};

// Resonance (dB above the pass-band) to the cookbook Q whose peak height is exactly that:
// with G = 10^(dB/20), Q^2 = (G^2 + G*sqrt(G^2 - 1)) / 2, so 0 dB gives the Butterworth
// Q = 1/sqrt(2) (flat, -3 dB at the cutoff).
inline double resonanceToQ(double resonance_dB) {  // [audio thread]
  const double g = std::pow(10.0, std::max(resonance_dB, 0.0) / 20.0);
  return std::sqrt((g * g + g * std::sqrt(std::max(g * g - 1.0, 0.0))) / 2.0);
}

// Pass-band gain that keeps a resonant voice near the level of the unfiltered one
// (`modern`). Up to 12 dB of resonance it lowers the pass band by half the peak's height,
// as SF2.01 section 8.1.3 asks and FluidSynth does (the peak rises by the other half);
// above that it holds the peak at +6 dB over the unfiltered level, so the SF2 range's
// 96 dB resonance cannot drive a render into clipping. Linear amplitude.
inline double resonanceCompensation(double resonance_dB) {  // [audio thread]
  const double db = std::max(resonance_dB, 0.0);
  return std::min(std::pow(10.0, -db / 40.0), 2.0 * std::pow(10.0, -db / 20.0));
}

// RBJ-cookbook low-pass (SF2 initialFilterQ is "the height above DC gain in centibels" of
// the resonance peak; see resonanceToQ). `dcGain` scales the whole response (the EMU8000
// lowers it as Q rises). The cutoff is kept below 0.45 of the sample rate.
//
// Runs at control rate whenever an envelope or LFO moves the cutoff, so it avoids libm:
// sin and cos of the half angle h = w0/2 by their Taylor series (|h| <= 0.45 pi, error
// below 1e-9), and 1 - cos(w0) = 2 sin^2(h), which stays accurate at the lowest cutoffs.
// [audio thread]
inline BiquadCoefficients designLowpassQ(double cutoff_Hz, double q, double sampleRate, double dcGain = 1.0) {
  const double fc = std::clamp(cutoff_Hz, 5.0, 0.45 * sampleRate);
  const double h = M_PI * fc / sampleRate;
  const double h2 = h * h;
  const double sinH = h * (1.0 - h2 / 6.0 * (1.0 - h2 / 20.0 * (1.0 - h2 / 42.0 * (1.0 - h2 / 72.0 * (1.0 - h2 / 110.0 * (1.0 - h2 / 156.0))))));
  const double cosH = 1.0 - h2 / 2.0 * (1.0 - h2 / 12.0 * (1.0 - h2 / 30.0 * (1.0 - h2 / 56.0 * (1.0 - h2 / 90.0 * (1.0 - h2 / 132.0 * (1.0 - h2 / 182.0))))));
  const double oneMinusCos = 2.0 * sinH * sinH;
  const double cosw = 1.0 - oneMinusCos;
  const double alpha = sinH * cosH / q;  // sin(w0) / (2Q)
  const double a0 = 1.0 + alpha;
  const double b1 = oneMinusCos / a0 * dcGain;
  BiquadCoefficients c;
  c.b0 = static_cast<float>(b1 * 0.5);
  c.b1 = static_cast<float>(b1);
  c.b2 = static_cast<float>(b1 * 0.5);
  c.a1 = static_cast<float>(-2.0 * cosw / a0);
  c.a2 = static_cast<float>((1.0 - alpha) / a0);
  return c;
}

inline BiquadCoefficients designLowpass(double cutoff_Hz, double resonance_dB, double sampleRate,
                                        double dcGain = 1.0) {
  return designLowpassQ(cutoff_Hz, resonanceToQ(resonance_dB), sampleRate, dcGain);
}

}  // namespace awe
