// The modulation envelope's attack has the volume envelope's convex shape (issue 11): a
// 1200-cent pitch envelope is far above half way at the attack's midpoint in time.
#include <catch2/catch.hpp>
#include <cmath>

#include "emu8000/Emu8000Registers.h"
#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;
namespace emu = awe::emu8000;

namespace {
constexpr double kRate = 44100.0;
}

TEST_CASE("modulation envelope attack is convex like the volume attack, in both personalities", "[synth][envelope]") {
  constexpr double kAttack_s = 1.0;
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    SampleSpec s;
    s.data = sineCycles(100.0, 64);  // 441 Hz at key 60
    s.loopEnd = static_cast<uint32_t>(s.data.size());
    RegionSpec r;
    r.gens = {{Gen::SampleModes, 1},
              {Gen::ModEnvToPitch, 1200},
              {Gen::AttackModEnv, static_cast<int>(std::lround(1200.0 * std::log2(kAttack_s)))},
              {Gen::HoldModEnv, 0},
              {Gen::SustainModEnv, 0}};
    PresetSpec preset;
    preset.regions.push_back(r);
    SynthSettings settings = sf2Settings();
    settings.personality = p;
    Synth synth(settings);
    synth.setBank(makeBank({s}, {preset}));
    synth.noteOn(0, 60, 127);
    StereoBuffer out = render(synth, static_cast<size_t>(1.5 * kRate));
    // awe: the attack register's time, and the depth's signed 8-bit register (127 x 9.375).
    const double attack_s = p == Personality::Awe ? emu::attackSeconds(emu::attackRegister(kAttack_s)) : kAttack_s;
    const double depth = p == Personality::Awe ? 127 * emu::kPitchDepthStep_cents : 1200.0;
    auto centsAt = [&](double t) {
      const auto b = static_cast<size_t>((t - 0.005) * kRate), e = static_cast<size_t>((t + 0.005) * kRate);
      return centsBetween(frequencyHz(out.left, b, e, kRate), 441.0);
    };
    for (double fraction : {0.25, 0.5, 0.75}) {
      const double cents = centsAt(fraction * attack_s);
      // The volume attack's linear amplitude read on its 100 dB scale: 1 + 20 log10(t) / 100.
      const double expected = depth * (1.0 + 0.2 * std::log10(fraction));
      INFO(personalityName(p) << ": at " << fraction * 100 << " % of the attack the pitch is up " << cents
                              << " cents (expected " << expected << ")");
      CHECK(cents == Approx(expected).margin(5.0));
      if (fraction == 0.5) CHECK(cents > 750.0);
    }
    CHECK(centsAt(1.2 * attack_s) == Approx(depth).margin(1.0));  // then held at the peak (sustain 0 cB = full)
  }
}
