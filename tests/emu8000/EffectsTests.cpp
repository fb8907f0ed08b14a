// The AWE32 reverb and chorus units measured on their outputs: reverb tails (RT60 from the
// Schroeder energy decay curve, pre-delay, damping), echo times and the panning
// alternation, the chorus taps' modulated delay and feedback decay, silence settling to
// exact zeros without subnormals, no allocation on the audio thread, click-free switching.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "emu8000/Effects.h"
#include "monitor/AllocationTrap.h"

using namespace awe;

namespace {

struct Wet {
  std::vector<float> left, right;
};

// Runs `input` through the unit in blocks, into zeroed outputs.
template <class Unit>
Wet run(Unit& unit, const std::vector<float>& input, size_t block = 256) {
  Wet w;
  w.left.assign(input.size(), 0.0f);
  w.right.assign(input.size(), 0.0f);
  for (size_t i = 0; i < input.size(); i += block) {
    const size_t n = std::min(block, input.size() - i);
    unit.process(&input[i], &w.left[i], &w.right[i], n);
  }
  return w;
}

std::vector<float> impulse(size_t frames, size_t at = 0) {
  std::vector<float> x(frames, 0.0f);
  x[at] = 1.0f;
  return x;
}

std::vector<float> sine(size_t frames, double frequency, double amplitude, double rate) {
  std::vector<float> x(frames);
  for (size_t i = 0; i < frames; ++i)
    x[i] = static_cast<float>(amplitude * std::sin(2.0 * M_PI * frequency * static_cast<double>(i) / rate));
  return x;
}

// The tests must see subnormals if the units made any: switch flush-to-zero and
// denormals-are-zero off for the scope (the synth's render sets them, then restores).
class SubnormalsVisible {
 public:
#if defined(__x86_64__) || defined(__i386__)
  SubnormalsVisible() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ & ~0x8040u); }
  ~SubnormalsVisible() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#endif
};

// RBJ-cookbook biquads (Q = 1/sqrt(2)) for band-limiting impulse responses.
struct Biquad {
  double b0, b1, b2, a1, a2, z1 = 0.0, z2 = 0.0;
  double operator()(double x) {
    const double y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    return y;
  }
};
Biquad lowpass(double f, double rate) {
  const double w = 2.0 * M_PI * f / rate, c = std::cos(w), al = std::sin(w) / std::sqrt(2.0), a0 = 1.0 + al;
  return {(1.0 - c) / 2.0 / a0, (1.0 - c) / a0, (1.0 - c) / 2.0 / a0, -2.0 * c / a0, (1.0 - al) / a0};
}
Biquad highpass(double f, double rate) {
  const double w = 2.0 * M_PI * f / rate, c = std::cos(w), al = std::sin(w) / std::sqrt(2.0), a0 = 1.0 + al;
  return {(1.0 + c) / 2.0 / a0, -(1.0 + c) / a0, (1.0 + c) / 2.0 / a0, -2.0 * c / a0, (1.0 - al) / a0};
}

// Energy per sample of left + right (decorrelated, so the energies add) through `chain`.
std::vector<double> bandEnergy(const Wet& w, std::vector<Biquad> chain) {
  std::vector<double> e(w.left.size());
  for (size_t i = 0; i < e.size(); ++i) {
    double x = static_cast<double>(w.left[i]) + static_cast<double>(w.right[i]);
    for (Biquad& b : chain) x = b(x);
    e[i] = x * x;
  }
  return e;
}

// RT60 from the Schroeder backward-integrated energy decay curve: least-squares slope of
// the curve (dB) between `from_dB` and `to_dB`, extrapolated to 60 dB.
double rt60(const std::vector<double>& energy, double rate, double from_dB, double to_dB) {
  std::vector<double> edc(energy.size() + 1, 0.0);
  for (size_t i = energy.size(); i-- > 0;) edc[i] = edc[i + 1] + energy[i];
  double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  for (size_t i = 0; i < energy.size(); ++i) {
    const double db = 10.0 * std::log10(edc[i] / edc[0] + 1e-300);
    if (db > from_dB || db < to_dB) continue;
    const double t = static_cast<double>(i) / rate;
    sx += t;
    sy += db;
    sxx += t * t;
    sxy += t * db;
    n += 1;
  }
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return -60.0 / slope;
}

// Centre of mass of a tap's response to the impulse at `at`, searched in [at+lo, at+hi]:
// the Catmull-Rom tap reproduces straight lines, so this is its delay to a small fraction
// of a sample.
double arrival(const std::vector<float>& y, size_t at, double lo, double hi) {
  double sw = 0.0, st = 0.0;
  const auto first = at + static_cast<size_t>(std::floor(std::max(lo, 0.0)));
  const auto last = std::min(y.size() - 1, at + static_cast<size_t>(std::ceil(hi)));
  for (size_t k = first; k <= last; ++k) {
    sw += y[k];
    st += y[k] * static_cast<double>(k - at);
  }
  return st / sw;
}

double windowSum(const std::vector<float>& y, double lo, double hi) {
  double s = 0.0;
  for (auto k = static_cast<size_t>(std::floor(lo)); k <= static_cast<size_t>(std::ceil(hi)) && k < y.size(); ++k) s += y[k];
  return s;
}

// Least-squares fit d(t) = c + a sin(wt) + b cos(wt) at known w.
struct SineFit {
  double centre, amplitude, phase, residual;
};
SineFit fitSine(const std::vector<double>& t, const std::vector<double>& d, double w) {
  double m[3][4] = {};
  for (size_t i = 0; i < t.size(); ++i) {
    const double f[3] = {1.0, std::sin(w * t[i]), std::cos(w * t[i])};
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) m[r][c] += f[r] * f[c];
      m[r][3] += f[r] * d[i];
    }
  }
  for (int p = 0; p < 3; ++p)
    for (int r = p + 1; r < 3; ++r) {
      const double k = m[r][p] / m[p][p];
      for (int c = p; c < 4; ++c) m[r][c] -= k * m[p][c];
    }
  double x[3];
  for (int r = 2; r >= 0; --r) {
    double s = m[r][3];
    for (int c = r + 1; c < 3; ++c) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  double sq = 0.0;
  for (size_t i = 0; i < t.size(); ++i) {
    const double e = d[i] - (x[0] + x[1] * std::sin(w * t[i]) + x[2] * std::cos(w * t[i]));
    sq += e * e;
  }
  return {x[0], std::hypot(x[1], x[2]), std::atan2(x[2], x[1]), std::sqrt(sq / static_cast<double>(t.size()))};
}

const ReverbType kAllReverbs[] = {ReverbType::Room1, ReverbType::Room2, ReverbType::Room3, ReverbType::Hall1,
                                  ReverbType::Hall2, ReverbType::Plate, ReverbType::Delay, ReverbType::PanningDelay};
const ChorusType kAllChoruses[] = {ChorusType::Chorus1,  ChorusType::Chorus2, ChorusType::Chorus3,    ChorusType::Chorus4,
                                   ChorusType::Feedback, ChorusType::Flanger, ChorusType::ShortDelay, ChorusType::ShortDelayFeedback};

}  // namespace

TEST_CASE("effects: names, GS/driver indices and defaults", "[effects]") {
  CHECK(std::string(reverbTypeName(ReverbType::Room1)) == "Room 1");
  CHECK(std::string(reverbTypeName(ReverbType::PanningDelay)) == "Panning Delay");
  CHECK(std::string(chorusTypeName(ChorusType::Feedback)) == "Feedback");
  CHECK(std::string(chorusTypeName(ChorusType::ShortDelayFeedback)) == "Short Delay (FB)");
  for (int i = 0; i < kReverbTypeCount; ++i) {
    REQUIRE(reverbTypeFromIndex(i).has_value());
    CHECK(static_cast<int>(*reverbTypeFromIndex(i)) == i);
  }
  for (int i = 0; i < kChorusTypeCount; ++i) {
    REQUIRE(chorusTypeFromIndex(i).has_value());
    CHECK(static_cast<int>(*chorusTypeFromIndex(i)) == i);
  }
  CHECK_FALSE(reverbTypeFromIndex(-1).has_value());
  CHECK_FALSE(reverbTypeFromIndex(8).has_value());
  CHECK_FALSE(chorusTypeFromIndex(8).has_value());
  CHECK(kDefaultReverbType == ReverbType::Hall1);
  CHECK(kDefaultChorusType == ChorusType::Chorus1);
  CHECK(AweReverb().type() == ReverbType::Hall1);
  CHECK(AweChorus().type() == ChorusType::Chorus1);
}

TEST_CASE("effects: chorus presets in physical units", "[effects]") {
  // Delay register in samples at 44.1 kHz; feedback byte / 256; depth byte in samples;
  // LfoFreq / 330 Hz.
  const ChorusDesign c1 = chorusDesign(ChorusType::Chorus1);
  CHECK(c1.delayLeft_s * 1000.0 == Approx(1014.0 / 44.1).epsilon(1e-9));
  CHECK(c1.delayRight_s == c1.delayLeft_s);
  CHECK(c1.depth_s * 44100.0 == Approx(44.0));
  CHECK(c1.lfoRate_Hz == Approx(109.0 / 330.0));
  CHECK(c1.feedback == 0.0);
  CHECK(c1.outputGain == 1.0);
  CHECK(chorusDesign(ChorusType::Chorus4).delayLeft_s * 1000.0 == Approx(13.99).epsilon(1e-3));
  CHECK(chorusDesign(ChorusType::Feedback).feedback == Approx(0.5));
  CHECK(chorusDesign(ChorusType::Flanger).feedback == Approx(0.875));
  CHECK(chorusDesign(ChorusType::Flanger).lfoRate_Hz == Approx(38.0 / 330.0));
  const ChorusDesign sd = chorusDesign(ChorusType::ShortDelay);
  CHECK(sd.delayLeft_s * 44100.0 == Approx(2822.0));
  CHECK(sd.delayRight_s * 44100.0 == Approx(1090.0));  // (0x0B06 + 0x6E0) mod 0x0DA4
  CHECK(sd.depth_s == 0.0);
  CHECK(chorusDesign(ChorusType::ShortDelayFeedback).feedback == Approx(0.75));
  // Chorus 1 to 4 grow more prominent (AWE32 FAQ): peak pitch deviation 2 pi f depth.
  auto cents = [](ChorusType t) {
    const ChorusDesign d = chorusDesign(t);
    return 1200.0 * std::log2(1.0 + 2.0 * M_PI * d.lfoRate_Hz * d.depth_s);
  };
  CHECK(cents(ChorusType::Chorus1) < cents(ChorusType::Chorus3));
  CHECK(cents(ChorusType::Chorus3) < cents(ChorusType::Chorus4));
  CHECK(cents(ChorusType::Chorus4) < 40.0);
}

TEST_CASE("effects: reverb presets in physical units", "[effects]") {
  // Decay word / 256 = gain per pass of the 27 x 242-sample tail loop.
  const double loop_s = 27.0 * 242.0 / 44100.0;
  auto expected = [&](double decayByte) { return -3.0 * loop_s / std::log10(decayByte / 256.0); };
  CHECK(reverbDesign(ReverbType::Room1).rt60_s == Approx(expected(0x50)));
  CHECK(reverbDesign(ReverbType::Room2).rt60_s == Approx(expected(0x58)));
  CHECK(reverbDesign(ReverbType::Room3).rt60_s == Approx(expected(0x60)));
  CHECK(reverbDesign(ReverbType::Hall1).rt60_s == Approx(expected(0x70)));
  CHECK(reverbDesign(ReverbType::Room1).rt60_s == Approx(0.880).margin(0.001));
  CHECK(reverbDesign(ReverbType::Hall1).rt60_s == Approx(1.238).margin(0.001));
  CHECK(reverbDesign(ReverbType::Hall2).rt60High_s < reverbDesign(ReverbType::Hall1).rt60High_s);
  for (ReverbType t : {ReverbType::Room1, ReverbType::Room2, ReverbType::Room3, ReverbType::Hall1, ReverbType::Hall2, ReverbType::Plate}) {
    const ReverbDesign d = reverbDesign(t);
    CHECK(d.kind == ReverbDesign::Kind::Reverb);
    CHECK(d.preDelay_s * 44100.0 == Approx(484.0));  // reflection 1: 2 x 242 samples, 11 ms
    CHECK(d.rt60High_s < d.rt60_s);
  }
  const ReverbDesign delay = reverbDesign(ReverbType::Delay);
  CHECK(delay.kind == ReverbDesign::Kind::Echo);
  CHECK(delay.echoPeriod_s * 44100.0 == Approx(21.0 * 242.0));
  CHECK(delay.echoFeedback == Approx(0x70 / 256.0));
  const ReverbDesign pan = reverbDesign(ReverbType::PanningDelay);
  CHECK(pan.kind == ReverbDesign::Kind::PingPong);
  CHECK(pan.echoFeedback == Approx(0x90 / 256.0));
}

TEST_CASE("effects: reverb tails decay at the designed RT60, Halls longer than Rooms", "[effects]") {
  for (double rate : {44100.0, 48000.0, 96000.0}) {
    std::vector<double> lowBand;
    for (ReverbType type : {ReverbType::Room1, ReverbType::Room2, ReverbType::Room3, ReverbType::Hall1,
                            ReverbType::Hall2, ReverbType::Plate}) {
      INFO(reverbTypeName(type) << " at " << rate << " Hz");
      const ReverbDesign d = reverbDesign(type);
      AweReverb reverb(type);
      reverb.prepare(rate, 512);
      const Wet w = run(reverb, impulse(static_cast<size_t>(4.5 * rate)), 512);

      // Pre-delay: nothing before reflection 1, and it arrives on its sample.
      const auto pre = static_cast<size_t>(std::lround(d.preDelay_s * rate));
      for (size_t i = 0; i < pre; ++i) {
        REQUIRE(w.left[i] == 0.0f);
        REQUIRE(w.right[i] == 0.0f);
      }
      CHECK(std::max(std::fabs(w.left[pre]), std::fabs(w.right[pre])) > 1e-5f);

      // Below 300 Hz the damping does nothing: the designed RT60 within 5 %.
      const double low = rt60(bandEnergy(w, {lowpass(300, rate), lowpass(300, rate)}), rate, -20.0, -50.0);
      CHECK(low == Approx(d.rt60_s).epsilon(0.05));
      lowBand.push_back(low);

      // Around 5 kHz (sixth-octave skirts, 8th order): the damped RT60 within 15 %.
      const double f = 5000.0;
      const double high = rt60(bandEnergy(w, {highpass(f / 1.12, rate), highpass(f / 1.12, rate), highpass(f / 1.12, rate),
                                              highpass(f / 1.12, rate), lowpass(f * 1.12, rate), lowpass(f * 1.12, rate),
                                              lowpass(f * 1.12, rate), lowpass(f * 1.12, rate)}),
                               rate, -5.0, -25.0);
      CHECK(high == Approx(d.rt60High_s).epsilon(0.15));
    }
    // Room 1 < Room 2 < Room 3 < Hall 1, Hall 2, Plate.
    CHECK(lowBand[0] < lowBand[1]);
    CHECK(lowBand[1] < lowBand[2]);
    CHECK(lowBand[2] < lowBand[3] * 0.9);
    CHECK(lowBand[2] < lowBand[4] * 0.9);
  }
}

TEST_CASE("effects: reverb level does not depend on the sample rate", "[effects]") {
  // A steady 500 Hz tone through Hall 1: the wet level at 96 kHz within 1 dB of 44.1 kHz.
  auto level = [](double rate) {
    AweReverb reverb(ReverbType::Hall1);
    reverb.prepare(rate, 512);
    const Wet w = run(reverb, sine(static_cast<size_t>(3.0 * rate), 500.0, 0.5, rate), 512);
    double s = 0.0;
    const auto from = static_cast<size_t>(2.0 * rate);
    for (size_t i = from; i < w.left.size(); ++i) s += w.left[i] * w.left[i] + w.right[i] * w.right[i];
    return std::sqrt(s / static_cast<double>(w.left.size() - from));
  };
  CHECK(20.0 * std::log10(level(96000.0) / level(44100.0)) == Approx(0.0).margin(1.0));
}

TEST_CASE("effects: Delay repeats on both sides, Panning Delay alternates left and right", "[effects]") {
  for (double rate : {44100.0, 48000.0}) {
    INFO(rate << " Hz");
    {
      const ReverbDesign d = reverbDesign(ReverbType::Delay);
      AweReverb reverb(ReverbType::Delay);
      reverb.prepare(rate, 256);
      const Wet w = run(reverb, impulse(static_cast<size_t>(0.6 * rate)));
      const auto period = static_cast<size_t>(std::lround(d.echoPeriod_s * rate));
      const double first = w.left[period];
      CHECK(first == Approx(d.outputGain * d.reflectionGain[5]).epsilon(1e-4));
      for (size_t k = 1; k <= 4; ++k) {
        CHECK(w.left[k * period] == Approx(first * std::pow(d.echoFeedback, static_cast<double>(k - 1))).epsilon(1e-4));
        CHECK(w.right[k * period] == w.left[k * period]);
      }
      // A clean echo: nothing but the echoes (the anti-denormal offset is at -400 dB).
      for (size_t i = 0; i < 4 * period; ++i)
        if (i % period != 0) REQUIRE(std::fabs(w.left[i]) < 1e-12f);
    }
    {
      const ReverbDesign d = reverbDesign(ReverbType::PanningDelay);
      AweReverb reverb(ReverbType::PanningDelay);
      reverb.prepare(rate, 256);
      const Wet w = run(reverb, impulse(static_cast<size_t>(0.6 * rate)));
      const auto period = static_cast<size_t>(std::lround(d.echoPeriod_s * rate));
      const double first = w.left[period];
      CHECK(first == Approx(d.outputGain * d.reflectionGain[5]).epsilon(1e-4));
      for (size_t k = 1; k <= 4; ++k) {
        const bool leftSide = k % 2 == 1;
        const double expected = first * std::pow(d.echoFeedback, static_cast<double>(k - 1));
        CHECK((leftSide ? w.left : w.right)[k * period] == Approx(expected).epsilon(1e-4));
        CHECK(std::fabs((leftSide ? w.right : w.left)[k * period]) < 1e-12f);
      }
    }
  }
}

TEST_CASE("effects: chorus taps sweep the designed delay range at the designed rate", "[effects]") {
  for (double rate : {44100.0, 48000.0}) {
    for (ChorusType type : kAllChoruses) {
      INFO(chorusTypeName(type) << " at " << rate << " Hz");
      const ChorusDesign d = chorusDesign(type);
      // Impulses far enough apart that the previous ones' recirculation has died away.
      const double spacing_s = d.feedback > 0.8 ? 1.0 : (d.feedback > 0.2 ? 0.5 : 0.05);
      const double length_s = std::max(6.0, 1.6 / d.lfoRate_Hz);
      const auto frames = static_cast<size_t>(length_s * rate);
      const auto spacing = static_cast<size_t>(spacing_s * rate);
      std::vector<float> in(frames, 0.0f);
      for (size_t i = 0; i + spacing < frames; i += spacing) in[i] = 1.0f;
      AweChorus chorus(type);
      chorus.prepare(rate, 256);
      const Wet w = run(chorus, in);

      const double depth = d.depth_s * rate;
      // Each tap's delay, at the time the tap read it.
      std::vector<double> tl, tr, left, right;
      for (size_t i = 0; i + spacing < frames; i += spacing) {
        const double l = arrival(w.left, i, d.delayLeft_s * rate - depth - 4.0, d.delayLeft_s * rate + depth + 4.0);
        const double r = arrival(w.right, i, d.delayRight_s * rate - depth - 4.0, d.delayRight_s * rate + depth + 4.0);
        tl.push_back((static_cast<double>(i) + l) / rate);
        tr.push_back((static_cast<double>(i) + r) / rate);
        left.push_back(l);
        right.push_back(r);
      }
      const double omega = 2.0 * M_PI * d.lfoRate_Hz;
      const SineFit fl = fitSine(tl, left, omega);
      const SineFit fr = fitSine(tr, right, omega);
      CHECK(fl.centre == Approx(d.delayLeft_s * rate).margin(0.5));
      CHECK(fr.centre == Approx(d.delayRight_s * rate).margin(0.5));
      CHECK(fl.amplitude == Approx(depth).epsilon(0.02).margin(0.5));
      CHECK(fr.amplitude == Approx(depth).epsilon(0.02).margin(0.5));
      // A sine at the designed rate explains the delays to a fraction of a sample.
      CHECK(fl.residual < 0.3);
      CHECK(fr.residual < 0.3);
      if (depth > 0.0) {
        // The right tap's LFO runs a quarter period ahead of the left one's.
        const double lead = std::remainder(fr.phase - fl.phase, 2.0 * M_PI);
        CHECK(lead == Approx(M_PI / 2.0).margin(0.05));
      }
    }
  }
}

TEST_CASE("effects: chorus feedback types repeat, each pass scaled by the feedback", "[effects]") {
  for (ChorusType type : {ChorusType::Feedback, ChorusType::Flanger, ChorusType::ShortDelayFeedback}) {
    INFO(chorusTypeName(type));
    const double rate = 44100.0;
    const ChorusDesign d = chorusDesign(type);
    AweChorus chorus(type);
    chorus.prepare(rate, 256);
    const Wet w = run(chorus, impulse(static_cast<size_t>(0.8 * rate)));
    const double depth = d.depth_s * rate;
    // Pass k arrives after k taps, each within the tap's delay range; every Catmull-Rom tap
    // sums to one, so a pass's samples sum to its gain whatever its shape.
    auto passes = [&](const std::vector<float>& y, double delay) {
      std::vector<double> sums;
      for (int k = 1; k <= 4; ++k) sums.push_back(windowSum(y, k * (delay - depth) - 2.0 * k - 2.0, k * (delay + depth) + 2.0 * k + 2.0));
      return sums;
    };
    for (const std::vector<double>& pass : {passes(w.left, d.delayLeft_s * rate), passes(w.right, d.delayRight_s * rate)}) {
      CHECK(pass[0] == Approx(d.outputGain).epsilon(0.01));
      for (size_t k = 1; k < pass.size(); ++k) CHECK(pass[k] / pass[k - 1] == Approx(d.feedback).epsilon(0.02));
    }
  }
}

TEST_CASE("effects: silence after a tail settles to exact zeros, never subnormal", "[effects]") {
  const SubnormalsVisible subnormals;
  const double rate = 44100.0;
  const size_t block = 256;
  auto check = [&](auto& unit, double bound_s) {
    unit.prepare(rate, block);
    // A burst of noise, then silence.
    std::vector<float> in(static_cast<size_t>((bound_s + 1.0) * rate), 0.0f);
    uint32_t seed = 12345;
    for (size_t i = 0; i < static_cast<size_t>(0.2 * rate); ++i) {
      seed = seed * 1664525u + 1013904223u;
      in[i] = static_cast<float>(seed >> 8) / 8388608.0f - 1.0f;
    }
    const Wet w = run(unit, in, block);
    for (size_t i = 0; i < w.left.size(); ++i) {
      REQUIRE(std::fpclassify(w.left[i]) != FP_SUBNORMAL);
      REQUIRE(std::fpclassify(w.right[i]) != FP_SUBNORMAL);
    }
    CHECK(unit.idle());
    // From the point it went idle the output is exactly zero.
    size_t lastNonZero = 0;
    for (size_t i = 0; i < w.left.size(); ++i)
      if (w.left[i] != 0.0f || w.right[i] != 0.0f) lastNonZero = i;
    CHECK(static_cast<double>(lastNonZero) / rate < bound_s);
    // More silence costs nothing and stays zero; new input wakes the unit.
    std::vector<float> zeros(block, 0.0f), l(block, 0.0f), r(block, 0.0f);
    unit.process(zeros.data(), l.data(), r.data(), block);
    CHECK(unit.idle());
    CHECK(*std::max_element(l.begin(), l.end()) == 0.0f);
    zeros[0] = 1.0f;
    unit.process(zeros.data(), l.data(), r.data(), block);
    CHECK_FALSE(unit.idle());
  };
  for (ReverbType type : kAllReverbs) {
    INFO(reverbTypeName(type));
    AweReverb reverb(type);
    // -180 dB takes 3 RT60 (or 36 echoes for Panning Delay); then the unit waits out its
    // longest path (about 0.3 s) before it clears.
    check(reverb, 5.5);
  }
  for (ChorusType type : kAllChoruses) {
    INFO(chorusTypeName(type));
    AweChorus chorus(type);
    check(chorus, 5.5);
  }
}

TEST_CASE("effects: an idle unit stays idle on zeros (-0.0 too) and wakes on the first sample that is not", "[effects]") {
  const double rate = 44100.0;
  const size_t block = 256;
  auto check = [&](auto& woken, auto& reference) {
    woken.prepare(rate, block);
    reference.prepare(rate, block);
    REQUIRE(woken.idle());
    // Zeros and negative zeros: nothing is added to the outputs, the unit stays idle.
    std::vector<float> in(1000, 0.0f), left(1000, 0.25f), right(1000, -0.25f);
    for (size_t i = 0; i < in.size(); i += 3) in[i] = -0.0f;
    woken.process(in.data(), left.data(), right.data(), in.size());
    CHECK(woken.idle());
    CHECK(std::all_of(left.begin(), left.end(), [](float x) { return x == 0.25f; }));
    CHECK(std::all_of(right.begin(), right.end(), [](float x) { return x == -0.25f; }));
    // One call of silence ending in a click, longer than the unit's block: it wakes, and
    // its output is that of a unit given the same input a block at a time.
    in.assign(1000, 0.0f);
    in[999] = 0.5f;
    std::vector<float> l(1000, 0.0f), r(1000, 0.0f);
    woken.process(in.data(), l.data(), r.data(), in.size());
    CHECK_FALSE(woken.idle());
    const Wet expected = run(reference, in, block);
    CHECK(l == expected.left);
    CHECK(r == expected.right);
    // And the tail that follows matches too (the wet signal arrives after the pre-delay).
    const std::vector<float> zeros(block * 40, 0.0f);
    const Wet tailWoken = run(woken, zeros, block), tailReference = run(reference, zeros, block);
    CHECK(tailWoken.left == tailReference.left);
    CHECK(tailWoken.right == tailReference.right);
    CHECK(*std::max_element(tailWoken.left.begin(), tailWoken.left.end()) > 0.0f);
  };
  for (ReverbType type : kAllReverbs) {
    INFO(reverbTypeName(type));
    AweReverb woken(type), reference(type);
    check(woken, reference);
  }
  for (ChorusType type : kAllChoruses) {
    INFO(chorusTypeName(type));
    AweChorus woken(type), reference(type);
    check(woken, reference);
  }
}

TEST_CASE("effects: process, setType and reset never allocate", "[effects]") {
  const double rate = 48000.0;
  const size_t block = 128;
  AweReverb reverb;
  AweChorus chorus;
  reverb.prepare(rate, block);
  chorus.prepare(rate, block);
  const std::vector<float> noise = sine(block, 1234.5, 0.5, rate);
  const std::vector<float> silence(block, 0.0f);
  std::vector<float> left(block, 0.0f), right(block, 0.0f);

  const uint64_t before = AllocationTrap::audioThreadAllocationCount();
  {
    const AllocationTrap::ScopedAudioThread audio;
    for (int round = 0; round < 3; ++round) {
      for (int t = 0; t < kReverbTypeCount; ++t) {
        reverb.setType(static_cast<ReverbType>(t));
        chorus.setType(static_cast<ChorusType>(t));
        for (int b = 0; b < 40; ++b) {
          const std::vector<float>& in = b < 30 ? noise : silence;
          reverb.process(in.data(), left.data(), right.data(), block);
          chorus.process(in.data(), left.data(), right.data(), block);
        }
      }
      reverb.reset();
      chorus.reset();
    }
  }
  CHECK(AllocationTrap::audioThreadAllocationCount() == before);
}

TEST_CASE("effects: switching type while playing does not click", "[effects]") {
  // A click is a jump: it shows in the second difference of the output, which for a steady
  // tone of angular frequency w and peak A stays below w^2 A, and for any smooth change of
  // level or delay stays near it. A step of 1 % of the peak would be ten times that.
  const double rate = 44100.0;
  const size_t block = 64;
  const double w = 2.0 * M_PI * 220.0 / rate;
  const std::vector<int> order = {3, 0, 6, 4, 7, 5, 1, 2, 7, 6, 3, 5, 0, 4, 2, 6, 1, 7, 3};
  // Cycles through `order`, switching every 0.3 s, and checks the 100 ms after each switch.
  auto check = [&](auto& unit, auto toType) {
    const auto segment = static_cast<size_t>(0.3 * rate);
    const std::vector<float> tone = sine(segment * order.size(), 220.0, 0.5, rate);
    Wet out;
    out.left.assign(tone.size(), 0.0f);
    out.right.assign(tone.size(), 0.0f);
    for (size_t s = 0; s < order.size(); ++s) {
      unit.setType(toType(order[s]));
      for (size_t i = s * segment; i < (s + 1) * segment; i += block) {
        const size_t n = std::min(block, (s + 1) * segment - i);
        unit.process(&tone[i], &out.left[i], &out.right[i], n);
      }
    }
    for (size_t s = 1; s < order.size(); ++s) {
      INFO("switch " << order[s - 1] << " -> " << order[s]);
      const size_t from = s * segment, to = from + static_cast<size_t>(0.1 * rate);
      for (const std::vector<float>* y : {&out.left, &out.right}) {
        double peak = 0.0, bend = 0.0;
        for (size_t i = from; i < to; ++i) {
          peak = std::max(peak, std::fabs(static_cast<double>((*y)[i])));
          bend = std::max(bend, std::fabs(static_cast<double>((*y)[i]) - 2.0 * (*y)[i - 1] + (*y)[i - 2]));
        }
        CHECK(bend <= 2.0 * w * w * peak);
      }
    }
  };
  AweReverb reverb(ReverbType::Hall1);
  reverb.prepare(rate, block);
  check(reverb, [](int i) { return static_cast<ReverbType>(i); });
  AweChorus chorus(ChorusType::Chorus3);
  chorus.prepare(rate, block);
  check(chorus, [](int i) { return static_cast<ChorusType>(i); });
}

TEST_CASE("effects: setting the current type again changes nothing", "[effects]") {
  // The integration may re-assert the type every block (from controller state).
  const double rate = 44100.0;
  const size_t block = 64;
  const std::vector<float> tone = sine(static_cast<size_t>(0.5 * rate), 330.0, 0.5, rate);
  auto render = [&](auto& unit, auto type, bool reassert) {
    Wet w;
    w.left.assign(tone.size(), 0.0f);
    w.right.assign(tone.size(), 0.0f);
    for (size_t i = 0; i < tone.size(); i += block) {
      if (reassert) unit.setType(type);
      unit.process(&tone[i], &w.left[i], &w.right[i], std::min(block, tone.size() - i));
    }
    return w;
  };
  AweReverb r1(ReverbType::Room2), r2(ReverbType::Room2);
  r1.prepare(rate, block);
  r2.prepare(rate, block);
  const Wet a = render(r1, ReverbType::Room2, false), b = render(r2, ReverbType::Room2, true);
  CHECK(a.left == b.left);
  CHECK(a.right == b.right);
  AweChorus c1(ChorusType::Flanger), c2(ChorusType::Flanger);
  c1.prepare(rate, block);
  c2.prepare(rate, block);
  const Wet c = render(c1, ChorusType::Flanger, false), d = render(c2, ChorusType::Flanger, true);
  CHECK(c.left == d.left);
  CHECK(c.right == d.right);
}

TEST_CASE("effects: bad prepare arguments are refused; unprepared units do nothing", "[effects]") {
  AweReverb reverb;
  AweChorus chorus;
  CHECK_THROWS_AS(reverb.prepare(0.0, 256), std::invalid_argument);
  CHECK_THROWS_AS(reverb.prepare(44100.0, 0), std::invalid_argument);
  CHECK_THROWS_AS(chorus.prepare(1e9, 256), std::invalid_argument);
  std::vector<float> in(16, 1.0f), l(16, 0.0f), r(16, 0.0f);
  reverb.setType(ReverbType::Plate);
  reverb.process(in.data(), l.data(), r.data(), in.size());
  chorus.process(in.data(), l.data(), r.data(), in.size());
  CHECK(*std::max_element(l.begin(), l.end()) == 0.0f);
  CHECK(reverb.type() == ReverbType::Plate);
}

// ---- The sound pinned across rewrites of the units' inner loops ----------------------------
// Figures of every type, measured on the implementation before the effects were rewritten
// for speed (commit ae84127: reverb 372 and chorus 153 instructions per output sample) with
//   AWE_PRINT_EFFECT_FIGURES=1 build/bin/awe-tests "effects: tails and spectra match*"
// which prints the table below for the code it runs. A rewrite must keep each decay time
// within 5 % and each octave band's energy within 1 dB.
namespace {

constexpr double kOctaveCentres_Hz[] = {125, 250, 500, 1000, 2000, 4000, 8000};
constexpr int kOctaves = 7;

struct EffectFigures {
  double decay_s[3];           // T30 (-5 to -35 dB) extrapolated to 60 dB: broadband, 500 Hz and 4 kHz octaves
  double band_dB[kOctaves];    // energy per octave band, left + right
};

// Octave band: two high-passes at f/sqrt(2), two low-passes at f*sqrt(2).
std::vector<Biquad> octave(double centre, double rate) {
  const double lo = centre / std::sqrt(2.0), hi = centre * std::sqrt(2.0);
  return {highpass(lo, rate), highpass(lo, rate), lowpass(hi, rate), lowpass(hi, rate)};
}

double bandEnergy_dB(const Wet& w, double centre, double rate) {
  double e = 0.0;
  for (const std::vector<float>* side : {&w.left, &w.right}) {
    std::vector<Biquad> chain = octave(centre, rate);
    for (float v : *side) {
      double x = v;
      for (Biquad& b : chain) x = b(x);
      e += x * x;
    }
  }
  return 10.0 * std::log10(e + 1e-300);
}

// Energy per sample of left and right (added, not summed first) through `chain`.
std::vector<double> sideEnergy(const Wet& w, std::vector<Biquad> chain) {
  std::vector<double> e(w.left.size(), 0.0);
  for (const std::vector<float>* side : {&w.left, &w.right}) {
    std::vector<Biquad> c = chain;
    for (size_t i = 0; i < e.size(); ++i) {
      double x = (*side)[i];
      for (Biquad& b : c) x = b(x);
      e[i] += x * x;
    }
  }
  return e;
}

std::vector<float> noiseBurst(size_t frames, size_t burst) {
  std::vector<float> x(frames, 0.0f);
  uint32_t seed = 987654321;
  for (size_t i = 0; i < burst; ++i) {
    seed = seed * 1664525u + 1013904223u;
    x[i] = 0.5f * (static_cast<float>(seed >> 8) / 8388608.0f - 1.0f);
  }
  return x;
}

// Decay times from the impulse response (32-frame blocks, as the synth calls the units);
// band energies from a 1.5 s noise burst and its tail.
template <class Unit>
EffectFigures measureFigures(Unit& unit, double rate, double length_s) {
  EffectFigures f{};
  unit.prepare(rate, 32);
  const Wet ir = run(unit, impulse(static_cast<size_t>(length_s * rate)), 32);
  f.decay_s[0] = rt60(sideEnergy(ir, {}), rate, -5.0, -35.0);
  f.decay_s[1] = rt60(sideEnergy(ir, octave(500, rate)), rate, -5.0, -35.0);
  f.decay_s[2] = rt60(sideEnergy(ir, octave(4000, rate)), rate, -5.0, -35.0);
  unit.reset();
  const Wet noise = run(unit, noiseBurst(static_cast<size_t>((1.5 + length_s) * rate), static_cast<size_t>(1.5 * rate)), 32);
  for (int b = 0; b < kOctaves; ++b) f.band_dB[b] = bandEnergy_dB(noise, kOctaveCentres_Hz[b], rate);
  return f;
}

// Measured before the rewrite (see above). Chorus decay times are those of the feedback
// types only (0 = not compared: no recirculation, nothing decays).
const EffectFigures kReverbFigures[kReverbTypeCount] = {
    {{0.82798, 0.88715, 0.86316}, {7.4741, 10.5089, 13.6813, 16.1103, 19.3326, 22.2708, 25.0242}},  // Room 1
    {{0.86873, 0.96294, 0.88364}, {7.1125, 10.1692, 13.4488, 15.4876, 18.7070, 20.9075, 21.9868}},  // Room 2
    {{0.97027, 1.0432, 1.0169}, {8.8038, 11.8789, 15.0669, 17.1995, 20.6363, 23.5162, 26.1575}},  // Room 3
    {{1.1212, 1.2382, 1.1249}, {10.3887, 13.3744, 16.6822, 18.7199, 21.8970, 24.0528, 24.9588}},  // Hall 1
    {{1.1574, 1.2165, 0.82476}, {10.2442, 13.1026, 16.1120, 17.0363, 17.5502, 15.1904, 10.5779}},  // Hall 2
    {{1.121, 1.2389, 1.1243}, {15.7683, 18.7368, 22.0614, 24.1273, 27.2718, 29.4477, 30.3536}},  // Plate
    {{1.0271, 1.0237, 1.0267}, {14.4289, 17.4373, 20.1456, 23.1514, 26.1506, 29.2713, 32.4394}},  // Delay
    {{1.4231, 1.4201, 1.4227}, {12.0146, 15.0099, 17.8864, 20.8981, 23.8902, 26.9955, 30.1931}},  // Panning Delay
};
const EffectFigures kChorusFigures[kChorusTypeCount] = {
    {{0, 0, 0}, {13.3785, 16.3895, 19.3178, 22.3006, 25.3526, 28.4098, 31.3620}},  // Chorus 1
    {{0, 0, 0}, {13.3851, 16.3765, 19.3069, 22.2936, 25.3473, 28.4030, 31.3536}},  // Chorus 2
    {{0, 0, 0}, {13.3789, 16.3894, 19.2944, 22.2853, 25.3404, 28.3974, 31.3479}},  // Chorus 3
    {{0, 0, 0}, {13.3185, 16.4206, 19.3456, 22.3053, 25.3450, 28.3924, 31.3451}},  // Chorus 4
    {{0.29913, 0.31237, 0.3122}, {13.2947, 16.2572, 19.2656, 22.2361, 25.3636, 28.4261, 31.2240}},  // Feedback
    {{1.1622, 1.3246, 1.2998}, {13.3500, 16.3087, 19.2407, 22.2635, 25.1957, 28.1499, 30.6894}},  // Flanger
    {{0, 0, 0}, {13.3848, 16.3951, 19.3241, 22.3062, 25.3610, 28.4438, 31.6295}},  // Short Delay
    {{1.4897, 1.4896, 1.4896}, {13.7174, 16.3877, 19.4589, 22.2669, 25.3469, 28.5111, 31.6887}},  // Short Delay (FB)
};

void printFigures(const char* name, const EffectFigures& f) {
  std::printf("    {{%.5g, %.5g, %.5g}, {", f.decay_s[0], f.decay_s[1], f.decay_s[2]);
  for (int b = 0; b < kOctaves; ++b) std::printf("%s%.4f", b ? ", " : "", f.band_dB[b]);
  std::printf("}},  // %s\n", name);
}

void checkFigures(const EffectFigures& now, const EffectFigures& pinned, bool decays) {
  if (decays) {
    for (int k = 0; k < 3; ++k) {
      INFO("decay time " << k << " (broadband, 500 Hz, 4 kHz)");
      CHECK(now.decay_s[k] == Approx(pinned.decay_s[k]).epsilon(0.05));
    }
  }
  for (int b = 0; b < kOctaves; ++b) {
    INFO("octave band " << kOctaveCentres_Hz[b] << " Hz");
    CHECK(now.band_dB[b] == Approx(pinned.band_dB[b]).margin(1.0));
  }
}

}  // namespace

TEST_CASE("effects: tails and spectra match the figures measured before the speed rewrite", "[effects]") {
  const bool print = std::getenv("AWE_PRINT_EFFECT_FIGURES") != nullptr;
  const double rate = 44100.0;
  for (ReverbType type : kAllReverbs) {
    INFO(reverbTypeName(type));
    AweReverb reverb(type);
    const EffectFigures f = measureFigures(reverb, rate, 6.0);
    if (print) printFigures(reverbTypeName(type), f);
    checkFigures(f, kReverbFigures[static_cast<int>(type)], true);
  }
  for (ChorusType type : kAllChoruses) {
    INFO(chorusTypeName(type));
    AweChorus chorus(type);
    const EffectFigures f = measureFigures(chorus, rate, 1.0);
    if (print) printFigures(chorusTypeName(type), f);
    checkFigures(f, kChorusFigures[static_cast<int>(type)], chorusDesign(type).feedback >= 0.5);
  }
}
