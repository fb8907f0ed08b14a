// Levels a listener checks (issue 11): the x0.4 attenuation reading in both personalities
// (and the literal one on request), no clipping from filter resonance in modern, and awe's
// resonance topping out near 20 dB as the hardware measures.
#include <catch2/catch.hpp>
#include <cmath>

#include "emu8000/Emu8000Registers.h"
#include "emu8000/Filter.h"
#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;
namespace emu = awe::emu8000;

namespace {

std::unique_ptr<Synth> synthWith(SynthSettings settings, SampleSpec sample, std::map<Gen, int> gens) {
  auto synth = std::make_unique<Synth>(settings);
  RegionSpec r;
  r.gens = std::move(gens);
  r.gens[Gen::SampleModes] = 1;
  PresetSpec preset;
  preset.regions.push_back(r);
  synth->setBank(makeBank({std::move(sample)}, {preset}));
  synth->controlChange(0, 7, 127);
  return synth;
}

// A full-scale sawtooth, 100 samples a cycle (441 Hz at key 60): every harmonic present.
SampleSpec sawSample() {
  SampleSpec s;
  for (int cycle = 0; cycle < 40; ++cycle) {
    for (int i = 0; i < 100; ++i) s.data.push_back(static_cast<int16_t>(-32767 + i * 65534 / 99));
  }
  s.loopEnd = static_cast<uint32_t>(s.data.size());
  return s;
}

SampleSpec sineSample(double period, int cycles) {
  SampleSpec s;
  s.data = sineCycles(period, cycles);
  s.loopEnd = static_cast<uint32_t>(s.data.size());
  return s;
}

double steadyLevel_dB(Synth& synth) {
  synth.noteOn(0, 60, 127);
  StereoBuffer out = render(synth, 16384);
  return toDecibels(rms(out.left, 8192, 16384));
}

SynthSettings settingsFor(Personality p, AttenuationReading reading = AttenuationReading::Hardware) {
  SynthSettings s = sf2Settings();
  s.personality = p;
  s.attenuation = reading;
  return s;
}

}  // namespace

TEST_CASE("a 0..30 dB initialAttenuation ladder sounds 0..12 dB in modern, 0..30 dB read literally",
          "[levels][volume]") {
  for (AttenuationReading reading : {AttenuationReading::Hardware, AttenuationReading::Literal}) {
    const double reference = steadyLevel_dB(*synthWith(settingsFor(Personality::Modern, reading), constantLoopSample(), {}));
    for (int cB = 0; cB <= 300; cB += 50) {
      auto synth = synthWith(settingsFor(Personality::Modern, reading), constantLoopSample(), {{Gen::InitialAttenuation, cB}});
      const double drop = reference - steadyLevel_dB(*synth);
      const double expected = reading == AttenuationReading::Hardware ? 0.4 * cB / 10.0 : cB / 10.0;
      INFO(attenuationReadingName(reading) << ": initialAttenuation " << cB / 10.0 << " dB sounds " << drop << " dB down");
      CHECK(drop == Approx(expected).margin(0.05));
    }
  }
  // awe with the literal reading: the file's value, on the register's 0.375 dB steps.
  const double reference = steadyLevel_dB(*synthWith(settingsFor(Personality::Awe, AttenuationReading::Literal), constantLoopSample(), {}));
  auto synth = synthWith(settingsFor(Personality::Awe, AttenuationReading::Literal), constantLoopSample(), {{Gen::InitialAttenuation, 300}});
  CHECK(reference - steadyLevel_dB(*synth) == Approx(30.0).margin(0.2));
  CHECK(parseAttenuationReading("literal") == AttenuationReading::Literal);
  CHECK_THROWS_WITH(parseAttenuationReading("x0.4"), Catch::Contains("hardware or literal"));
}

TEST_CASE("modern: a resonant note peaks near the unfiltered note and never clips at the default gain",
          "[levels][filter]") {
  // A full-scale sawtooth at the default master gain, the cutoff on its fundamental, on its
  // third harmonic and between harmonics, Q from 0 to the SF2 maximum of 96 dB.
  SynthSettings settings;  // the default gain, effects on
  settings.personality = Personality::Modern;
  auto peakOf = [&](int cutoff_cents, int q_cB) {
    auto synth = synthWith(settings, sawSample(), {{Gen::InitialFilterFc, cutoff_cents}, {Gen::InitialFilterQ, q_cB}});
    synth->noteOn(0, 60, 127);
    StereoBuffer out = render(*synth, 88200);
    size_t clipped = 0;
    for (size_t i = 0; i < out.size(); ++i) clipped += std::fabs(out.left[i]) >= 1.0f || std::fabs(out.right[i]) >= 1.0f;
    CHECK(clipped == 0);
    return toDecibels(std::max(peakAbs(out.left, 0, out.size()), peakAbs(out.right, 0, out.size())));
  };
  const double unfiltered = peakOf(13500, 0);
  for (double hz : {441.0, 1323.0, 2000.0}) {
    const int cutoff = static_cast<int>(std::lround(1200.0 * std::log2(hz / 8.175798915643707)));
    for (int q_cB : {100, 200, 400, 960}) {
      const double peak = peakOf(cutoff, q_cB);
      INFO("cutoff " << hz << " Hz, Q " << q_cB / 10.0 << " dB: peak " << peak << " dBFS, unfiltered " << unfiltered
                     << " dBFS");
      CHECK(peak < unfiltered + 6.5);  // the resonance stands at most 6 dB over the unfiltered level
      CHECK(peak < -3.0);
    }
  }
}

TEST_CASE("awe: resonance tops out near 20 dB, as the hardware measures", "[levels][filter][personality]") {
  // A 1102.5 Hz sine swept by pitch bend across a cutoff placed on it; the peak over the
  // same filter's pass band.
  const int cutoff = static_cast<int>(std::lround(emu::cutoffCentsFromRegister(emu::cutoffRegister(
      1200.0 * std::log2(1102.5 / 8.175798915643707)))));
  auto level = [&](int q_cB, int cutoffGen, double cents) {
    auto synth = synthWith(settingsFor(Personality::Awe), sineSample(40.0, 100),
                           {{Gen::InitialFilterFc, cutoffGen}, {Gen::InitialFilterQ, q_cB}});
    synth->controlChange(0, 101, 0);
    synth->controlChange(0, 100, 0);
    synth->controlChange(0, 6, 2);
    synth->pitchBend(0, 8192 + static_cast<int>(std::lround(cents / 200.0 * 8191)));
    return steadyLevel_dB(*synth);
  };
  for (int q_cB : {50, 100, 150, 200, 300, 960}) {
    double peak = -200.0;
    for (int cents = -150; cents <= 150; cents += 5) peak = std::max(peak, level(q_cB, cutoff, cents));
    const double resonance = peak - level(q_cB, cutoff + 3300, 0.0);
    const double expected = emu::qResonance_dB(emu::qRegister(q_cB));
    INFO("Q " << q_cB / 10.0 << " dB in the bank: resonance " << resonance << " dB (register " << emu::qRegister(q_cB)
              << ", " << expected << " dB)");
    CHECK(resonance == Approx(expected).margin(1.0));
    CHECK(resonance < 21.0);
    if (q_cB >= 200) CHECK(resonance > 19.0);
  }
}
