// The SF2 default modulators as a listener checks them (issue 11): CC10 pan covers the pan
// range once, a bank's pitch-wheel modulator replaces the default, and modern's
// velocity-to-cutoff is SF2.04's. Each one rendered and measured.
#include <catch2/catch.hpp>
#include <cmath>
#include <complex>

#include "emu8000/Conversions.h"
#include "emu8000/Filter.h"
#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
constexpr uint16_t kPitchWheelToFineTune = 0x020E;  // wheel, bipolar linear
constexpr uint16_t kWheelSensitivity = 0x0010;
constexpr uint16_t kVelocityNegative = 0x0102;

SynthSettings settingsFor(Personality p) {
  SynthSettings s = sf2Settings();
  s.personality = p;
  return s;
}

// One looped region over a 441 Hz sine (100 samples a cycle, root key 60).
std::unique_ptr<Synth> sineSynth(Personality p, std::map<Gen, int> gens, std::vector<ModulatorSpec> mods = {},
                                 double period = 100.0, int cycles = 64) {
  auto synth = std::make_unique<Synth>(settingsFor(p));
  SampleSpec s;
  s.data = sineCycles(period, cycles);
  s.loopEnd = static_cast<uint32_t>(s.data.size());
  RegionSpec r;
  r.gens = std::move(gens);
  r.gens[Gen::SampleModes] = 1;
  r.instrumentModulators = std::move(mods);
  PresetSpec preset;
  preset.regions.push_back(r);
  synth->setBank(makeBank({s}, {preset}));
  synth->controlChange(0, 7, 127);
  return synth;
}

// Pan position in SF2 units (-500 left .. +500 right) from the two channels' levels of a
// mono note, inverting the constant-power law.
double measuredPan_permille(Synth& synth) {
  synth.noteOn(0, 60, 127);
  StereoBuffer out = render(synth, 8192);
  const double l = rms(out.left, 4096, 8192), r = rms(out.right, 4096, 8192);
  return std::atan2(r, l) / (M_PI / 2.0) * 1000.0 - 500.0;
}

double bentCents(Personality p, std::vector<ModulatorSpec> mods, int wheel) {
  auto synth = sineSynth(p, {}, std::move(mods));
  synth->pitchBend(0, wheel);
  synth->noteOn(0, 60, 127);
  StereoBuffer out = render(*synth, 16384);
  return centsBetween(frequencyHz(out.left, 4096, out.size(), kRate), 441.0);
}

}  // namespace

TEST_CASE("CC10 pans through the bank's pan range once, in both personalities", "[modulators][pan]") {
  const std::pair<int, double> expected[] = {{0, -500.0}, {16, -375.0}, {32, -250.0}, {64, 0.0}, {127, 492.1875}};
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    for (const auto& [cc10, pan] : expected) {
      auto synth = sineSynth(p, {});
      synth->controlChange(0, 10, cc10);
      const double measured = measuredPan_permille(*synth);
      INFO(personalityName(p) << ": CC10 " << cc10 << " pans to " << measured / 10.0 << " %");
      CHECK(measured == Approx(pan).margin(3.0));  // 0.3 % of the range
    }
  }
}

TEST_CASE("a bank's own CC10 modulator replaces the default one", "[modulators][pan]") {
  // Amount 1000 reaches +-100 %: CC10 48 (-0.25 of the controller's range) pans -25 %,
  // where the default would give -12.5 %; CC10 32 is hard left.
  const ModulatorSpec wide{0x028A, static_cast<uint16_t>(Gen::Pan), 1000, 0, 0};
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    for (const auto& [cc10, pan] : {std::pair<int, double>{48, -250.0}, {32, -500.0}, {80, 250.0}}) {
      auto synth = sineSynth(p, {}, {wide});
      synth->controlChange(0, 10, cc10);
      const double measured = measuredPan_permille(*synth);
      INFO(personalityName(p) << ": CC10 " << cc10 << " with amount 1000 pans to " << measured / 10.0 << " %");
      CHECK(measured == Approx(pan).margin(3.0));
    }
  }
}

TEST_CASE("a bank's pitch-wheel modulator replaces the default rather than adding to it", "[modulators][pitch]") {
  auto wheel = [](int16_t amount) {
    return ModulatorSpec{kPitchWheelToFineTune, static_cast<uint16_t>(Gen::FineTune), amount, kWheelSensitivity, 0};
  };
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    INFO(personalityName(p));
    // The default: +-2 semitones at the wheel's ends.
    CHECK(bentCents(p, {}, 16383) == Approx(200.0).margin(1.0));
    CHECK(bentCents(p, {}, 0) == Approx(-200.0).margin(1.0));
    // Amount 0 removes bending.
    CHECK(std::fabs(bentCents(p, {wheel(0)}, 16383)) < 1.0);
    CHECK(std::fabs(bentCents(p, {wheel(0)}, 0)) < 1.0);
    // A negative amount inverts it at the full range: up on the wheel goes down.
    CHECK(bentCents(p, {wheel(-12700)}, 16383) == Approx(-200.0).margin(1.0));
    CHECK(bentCents(p, {wheel(-12700)}, 0) == Approx(200.0).margin(1.0));
  }
}

namespace {

// Velocity to cutoff in modern, measured as the cutoff's shift in octaves: a 4 kHz tone
// through a 4 kHz, 10 dB Q low-pass; its level (with velocity's attenuation cancelled)
// against an open filter is inverted through the filter's exact response. The tone is at
// or above the cutoff, where the response falls monotonically with the cutoff.
constexpr double kToneHz = 4000.0;
constexpr int kQ_cB = 100;

double responseAt(double cutoff_Hz, double toneHz) {
  const BiquadCoefficients c = designLowpass(cutoff_Hz, kQ_cB / 10.0, kRate);
  const double w = 2.0 * M_PI * toneHz / kRate;
  const std::complex<double> z = std::polar(1.0, -w);
  const std::complex<double> h = (double(c.b0) + double(c.b1) * z + double(c.b2) * z * z) /
                                 (1.0 + double(c.a1) * z + double(c.a2) * z * z);
  return std::abs(h);
}

double cutoffShift_octaves(double gain) {
  double lo = -4.0, hi = 0.0;  // response rises with the shift over this range
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2.0;
    if (responseAt(kToneHz * std::exp2(mid), kToneHz) < gain) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2.0;
}

double toneLevel(int cutoff_cents, int velocity, std::vector<ModulatorSpec> mods) {
  // Cancel velocity to attenuation so velocity only moves the filter.
  mods.push_back({0x0502, static_cast<uint16_t>(Gen::InitialAttenuation), 0, 0, 0});
  auto synth = sineSynth(Personality::Modern, {{Gen::InitialFilterFc, cutoff_cents}, {Gen::InitialFilterQ, kQ_cB}},
                         std::move(mods), kRate / kToneHz, 400);
  synth->noteOn(0, 60, velocity);
  StereoBuffer out = render(*synth, 16384);
  return rms(out.left, 8192, 16384);
}

double measuredShift(int velocity, std::vector<ModulatorSpec> mods = {}) {
  const int cutoff = static_cast<int>(std::lround(hzToAbsoluteCents(kToneHz)));
  const double open = toneLevel(13500, 127, mods);
  return cutoffShift_octaves(toneLevel(cutoff, velocity, mods) / (open * responseAt(absoluteCentsToHz(13500), kToneHz)));
}

}  // namespace

TEST_CASE("modern: velocity lowers the cutoff as SF2.04's default modulator, smoothly", "[modulators][filter]") {
  // Velocity, negative unipolar linear, -2400 cents, no amount source: 2 octaves x (1 - v/127).
  double previous = 0.0;
  for (int velocity : {127, 100, 65, 64, 63, 40, 15}) {
    const double shift = measuredShift(velocity);
    const double expected = -2.0 * (1.0 - velocity / 127.0);
    INFO("velocity " << velocity << ": cutoff moves " << shift << " octaves (expected " << expected << ")");
    CHECK(shift == Approx(expected).margin(0.02));
    if (velocity == 63) CHECK(previous - shift < 0.03);  // no jump between 64 and 63
    previous = shift;
  }
}

TEST_CASE("modern: a bank cancels velocity to cutoff the 2.01 way or the 2.04 way", "[modulators][filter]") {
  const uint16_t fc = static_cast<uint16_t>(Gen::InitialFilterFc);
  for (uint16_t amountSource : {uint16_t{0}, uint16_t{0x0D02}, uint16_t{0x0C02}}) {
    const double shift = measuredShift(15, {{kVelocityNegative, fc, 0, amountSource, 0}});
    INFO("cancelled with amount source 0x" << std::hex << amountSource << std::dec << ": shift " << shift << " octaves");
    CHECK(std::fabs(shift) < 0.01);
  }
}
