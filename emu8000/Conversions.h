#pragma once
// Unit conversions of SoundFont 2 (spec section 8.1.2 gives the units) used at control
// rate. Where a formula comes from elsewhere it says so.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace awe {

// Absolute timecents: seconds = 2^(tc/1200). -32768 means "zero time" (SF2 8.1.2).
inline double timecentsToSeconds(double timecents) {
  if (timecents <= -32768.0) return 0.0;
  return std::exp2(timecents / 1200.0);
}

// Absolute cents: 0 cents = 8.176 Hz (MIDI key 0), 6900 cents = 440 Hz.
inline double absoluteCentsToHz(double cents) { return 440.0 * std::exp2((cents - 6900.0) / 1200.0); }
inline double hzToAbsoluteCents(double hz) { return 6900.0 + 1200.0 * std::log2(hz / 440.0); }

// Centibels of attenuation to linear amplitude: 200 cB = 20 dB = a factor of 10.
inline double centibelsToAmplitude(double attenuation_cB) { return std::pow(10.0, -attenuation_cB / 200.0); }
inline double decibelsToAmplitude(double gain_dB) { return std::pow(10.0, gain_dB / 20.0); }
inline double amplitudeToDecibels(double amplitude) { return 20.0 * std::log10(amplitude); }

// SF2 modulator curves on a unipolar input x in [0,1] (SF2 2.01 section 8.2.1, as drawn
// in the figures; FluidSynth reads the text the same way): concave = -20/96 log10((1-x)^2),
// reaching 1 at 96 dB; convex is its mirror image.
inline float concaveCurve(float x) {
  if (x >= 1.0f) return 1.0f;
  if (x <= 0.0f) return 0.0f;
  const float y = -(40.0f / 96.0f) * std::log10(1.0f - x);
  return std::min(y, 1.0f);
}
inline float convexCurve(float x) { return 1.0f - concaveCurve(1.0f - x); }

// Constant-power pan from SF2 pan in 0.1 % units (-500 = full left, +500 = full right).
struct PanGains {
  float left;
  float right;
};
inline PanGains panGains(double pan_permille) {
  const double p = std::clamp(pan_permille, -500.0, 500.0);
  const double angle = (p + 500.0) / 1000.0 * (M_PI / 2.0);
  return {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
}

}  // namespace awe
