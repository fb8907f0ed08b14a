#pragma once
// Unit conversions of SoundFont 2 (spec section 8.1.2 gives the units) used at control
// rate. Where a formula comes from elsewhere it says so.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "emu8000/Float4.h"

namespace awe {

// 2^x at control rate (pitch ratios, envelope and attenuation gains) without a libm
// call: exact exponent, degree-6 polynomial on the fraction fitted over [0,1) (relative
// error 2e-9 before float rounding, so about 1e-7 in float: 0.0002 cents, 1e-6 dB).
template <class F>
inline F exp2OfFraction(F f) noexcept {  // [audio thread] 2^f for f in [0,1), float or Float4
  return 1.0f + f * (0.6931470422f +
                     f * (0.2402293261f + f * (0.05548521567f + f * (0.009675541782f + f * (0.001246729185f +
                                                                                            f * 0.0002161409807f)))));
}
// Always inline: the control walk takes it per voice and block (envelope levels, gains),
// where a call would also spill the walk's registers.
inline __attribute__((always_inline)) float fastExp2(float x) noexcept {  // [audio thread]
  x = x < -126.0f ? -126.0f : (x > 127.0f ? 127.0f : x);
  int32_t wholeInt = static_cast<int32_t>(x);  // truncates; floor it for negatives below
  if (static_cast<float>(wholeInt) > x) --wholeInt;
  const float whole = static_cast<float>(wholeInt);
  const float p = exp2OfFraction(x - whole);
  const int32_t exponentBits = (wholeInt + 127) << 23;
  float scale;
  std::memcpy(&scale, &exponentBits, sizeof(scale));
  return p * scale;
}
// The same on four values at once, with the same bits in each: the same operations in the
// same order, per element.
inline Float4 fastExp2(Float4 x) noexcept {  // [audio thread]
  const Float4 low = {-126.0f, -126.0f, -126.0f, -126.0f}, high = {127.0f, 127.0f, 127.0f, 127.0f};
  x = x < low ? low : (x > high ? high : x);
  Int4 wholeInt = __builtin_convertvector(x, Int4);
  wholeInt += __builtin_convertvector(wholeInt, Float4) > x;  // comparisons give -1 where true
  const Float4 whole = __builtin_convertvector(wholeInt, Float4);
  const Float4 p = exp2OfFraction(x - whole);
  return p * reinterpret_cast<Float4>((wholeInt + 127) << 23);
}

// Absolute timecents: seconds = 2^(tc/1200). -32768 means "zero time" (SF2 8.1.2).
// fastExp2 is exact to ~1e-7: a sample in ten million.
inline double timecentsToSeconds(double timecents) {  // [audio thread]
  if (timecents <= -32768.0) return 0.0;
  return fastExp2(static_cast<float>(timecents / 1200.0));
}

// Absolute cents: 0 cents = 8.176 Hz (MIDI key 0), 6900 cents = 440 Hz.
inline double absoluteCentsToHz(double cents) {  // [audio thread]
  return 440.0 * static_cast<double>(fastExp2(static_cast<float>((cents - 6900.0) / 1200.0)));
}
inline double hzToAbsoluteCents(double hz) { return 6900.0 + 1200.0 * std::log2(hz / 440.0); }  // [audio thread]

// Centibels of attenuation to linear amplitude: 200 cB = 20 dB = a factor of 10.
inline double centibelsToAmplitude(double attenuation_cB) { return std::pow(10.0, -attenuation_cB / 200.0); }
inline double decibelsToAmplitude(double gain_dB) { return std::pow(10.0, gain_dB / 20.0); }  // [audio thread]
inline double amplitudeToDecibels(double amplitude) { return 20.0 * std::log10(amplitude); }  // [audio thread]

// SF2 modulator curves on a unipolar input x in [0,1] (SF2 2.01 section 8.2.1, as drawn
// in the figures; FluidSynth reads the text the same way): concave = -20/96 log10((1-x)^2),
// reaching 1 at 96 dB; convex is its mirror image.
inline float concaveCurve(float x) {  // [audio thread]
  if (x >= 1.0f) return 1.0f;
  if (x <= 0.0f) return 0.0f;
  const float y = -(40.0f / 96.0f) * std::log10(1.0f - x);
  return std::min(y, 1.0f);
}
inline float convexCurve(float x) { return 1.0f - concaveCurve(1.0f - x); }  // [audio thread]

// Constant-power pan from SF2 pan in 0.1 % units (-500 = full left, +500 = full right).
struct PanGains {
  float left;
  float right;
};
inline PanGains panGains(double pan_permille) {  // [audio thread]
  const double p = std::clamp(pan_permille, -500.0, 500.0);
  const double angle = (p + 500.0) / 1000.0 * (M_PI / 2.0);
  return {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
}

}  // namespace awe
