// Pitch of rendered notes against the SF2 spec, within 1 cent: across keys, with coarse,
// fine and scale tuning, pitch correction, pitch bend with RPN 0 ranges, RPN 1/2 tuning.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <vector>

#include "emu8000/Conversions.h"
#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;

// A looped sine that plays 440 Hz at key 69: 100-sample period at 44 kHz.
std::shared_ptr<const Bank> sineBank(std::map<Gen, int> gens = {}, int8_t correction = 0) {
  SampleSpec s = sine440Sample();
  s.pitchCorrection_cents = correction;
  gens[Gen::SampleModes] = 1;
  return oneRegionBank(std::move(s), std::move(gens));
}

double measure(Synth& synth, int key, size_t frames = 22050) {
  synth.noteOn(0, key, 127);
  StereoBuffer out = render(synth, frames);
  synth.allSoundOff();
  render(synth, 4096);
  return frequencyHz(out.left, 2048, out.size(), kRate);
}

}  // namespace

TEST_CASE("fastExp2 on four values gives each the bits of the scalar one", "[synth][pitch]") {
  // The synth takes a group's pitch ratios four at a time; a lane's pitch must not depend
  // on that. Across the whole range, both sides of each clamp, and integers (the floor).
  std::vector<float> xs = {-1000.0f, -126.5f, -126.0f, -125.99f, -1.0f, -0.5f, -1e-9f, 0.0f,
                           1e-9f, 0.5f, 1.0f, 126.99f, 127.0f, 127.5f, 1000.0f};
  for (int i = -4000; i <= 4000; ++i) xs.push_back(static_cast<float>(i) * 0.0317f);
  while (xs.size() % 4 != 0) xs.push_back(3.0f);
  for (size_t i = 0; i < xs.size(); i += 4) {
    const Float4 together = fastExp2(load4(&xs[i]));
    for (size_t k = 0; k < 4; ++k) {
      const float alone = fastExp2(xs[i + k]), inFour = together[k];
      INFO("2^" << xs[i + k]);
      CHECK(std::memcmp(&inFour, &alone, sizeof alone) == 0);
    }
  }
  CHECK(fastExp2(1.0f) == Approx(2.0f).epsilon(1e-7));
  CHECK(fastExp2(-1.0f) == Approx(0.5f).epsilon(1e-7));
}

TEST_CASE("pitch follows the key within 1 cent", "[synth][pitch]") {
  for (Interpolation interp : {Interpolation::Cubic, Interpolation::Linear}) {
    SynthSettings settings = sf2Settings();
    settings.interpolation = interp;
    Synth synth(settings);
    synth.setBank(sineBank());
    for (int key = 21; key <= 108; key += 5) {
      const double f = measure(synth, key);
      INFO("key " << key << " measured " << f << " Hz, interpolation " << static_cast<int>(interp));
      CHECK(std::fabs(centsBetween(f, keyHz(key))) < 1.0);
    }
  }
}

TEST_CASE("coarse, fine and scale tuning and pitch correction", "[synth][pitch]") {
  SECTION("coarse +2 semitones, fine -37 cents") {
    Synth synth(sf2Settings());
    synth.setBank(sineBank({{Gen::CoarseTune, 2}, {Gen::FineTune, -37}}));
    CHECK(std::fabs(centsBetween(measure(synth, 69), keyHz(71.0 - 0.37))) < 1.0);
  }
  SECTION("scale tuning 50 cents per key") {
    Synth synth(sf2Settings());
    synth.setBank(sineBank({{Gen::ScaleTuning, 50}}));
    CHECK(std::fabs(centsBetween(measure(synth, 81), keyHz(75))) < 1.0);
    CHECK(std::fabs(centsBetween(measure(synth, 57), keyHz(63))) < 1.0);
  }
  SECTION("overriding root key") {
    Synth synth(sf2Settings());
    synth.setBank(sineBank({{Gen::OverridingRootKey, 60}}));
    CHECK(std::fabs(centsBetween(measure(synth, 60), 440.0)) < 1.0);
  }
  SECTION("sample pitch correction") {
    Synth synth(sf2Settings());
    synth.setBank(sineBank({}, -25));
    CHECK(std::fabs(centsBetween(measure(synth, 69), keyHz(68.75))) < 1.0);
  }
  SECTION("sample rate other than the output rate") {
    Synth synth(sf2Settings());
    synth.setBank(sineBank());
    // 44000 Hz sample at 44100 output: 440 Hz exactly at the root key.
    CHECK(std::fabs(centsBetween(measure(synth, 69), 440.0)) < 1.0);
  }
}

TEST_CASE("pitch bend follows RPN 0 range", "[synth][pitch]") {
  Synth synth(sf2Settings());
  synth.setBank(sineBank());
  struct Case {
    int rangeSemitones;
    int bend;
    double expectCents;
  };
  for (const Case& c : {Case{2, 16383, 200.0}, Case{2, 0, -200.0}, Case{12, 16383, 1200.0}, Case{12, 4096, -600.0},
                        Case{7, 8192, 0.0}, Case{1, 12288, 100.0 * 4096.0 / 8191.0}}) {
    synth.controlChange(0, 101, 0);
    synth.controlChange(0, 100, 0);
    synth.controlChange(0, 6, c.rangeSemitones);
    synth.controlChange(0, 38, 0);
    synth.pitchBend(0, c.bend);
    const double f = measure(synth, 69);
    INFO("range " << c.rangeSemitones << " bend " << c.bend);
    CHECK(std::fabs(centsBetween(f, 440.0) - c.expectCents) < 1.0);
  }
}

TEST_CASE("pitch bend moves a sounding note", "[synth][pitch]") {
  Synth synth(sf2Settings());
  synth.setBank(sineBank());
  synth.noteOn(0, 69, 127);
  StereoBuffer before = render(synth, 8192);
  synth.pitchBend(0, 16383);
  StereoBuffer after = render(synth, 8192);
  CHECK(std::fabs(centsBetween(frequencyHz(before.left, 1024, 8192, kRate), 440.0)) < 1.0);
  CHECK(std::fabs(centsBetween(frequencyHz(after.left, 1024, 8192, kRate), 440.0) - 200.0) < 1.0);
}

TEST_CASE("RPN 1 and 2 tune the channel", "[synth][pitch]") {
  Synth synth(sf2Settings());
  synth.setBank(sineBank());
  // Coarse tuning: RPN 2, +3 semitones.
  synth.controlChange(0, 101, 0);
  synth.controlChange(0, 100, 2);
  synth.controlChange(0, 6, 67);
  CHECK(std::fabs(centsBetween(measure(synth, 69), keyHz(72))) < 1.0);
  // Fine tuning: RPN 1, -50 cents (8192 - 4096).
  synth.controlChange(0, 100, 1);
  synth.controlChange(0, 6, 32);
  synth.controlChange(0, 38, 0);
  CHECK(std::fabs(centsBetween(measure(synth, 69), keyHz(72 - 0.5))) < 1.0);
}
