// Pitch of rendered notes against the SF2 spec, within 1 cent: across keys, with coarse,
// fine and scale tuning, pitch correction, pitch bend with RPN 0 ranges, RPN 1/2 tuning.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "emu8000/Conversions.h"
#include "emu8000/Lfo.h"
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

TEST_CASE("LFO values four at a time give each the bits of the scalar one", "[synth][pitch][lfo]") {
  // Held voices that only vibrato moves take their LFO values four at a time; a lane's
  // pitch must not depend on that. Phases over whole cycles at an odd step, and the corners
  // (0xC0000000 is the one value 2^31 from the half cycle).
  std::vector<uint32_t> phases = {0u, 0x40000000u, 0x80000000u, 0xBFFFFFFFu, 0xC0000000u, 0xC0000001u, 0xFFFFFFFFu};
  for (uint32_t phase = 7; phases.size() < 40000; phase += 0x0001A3B5u * 1237u) phases.push_back(phase);
  while (phases.size() % 4 != 0) phases.push_back(1u);
  for (size_t i = 0; i < phases.size(); i += 4) {
    const Float4 together = Lfo::valueAt(load4(&phases[i]));
    for (size_t k = 0; k < 4; ++k) {
      Lfo lfo;
      lfo.start(1.0, 0, kRate);
      lfo.setPhase(phases[i + k]);
      const float alone = lfo.value(), inFour = together[k];
      INFO("phase " << phases[i + k]);
      CHECK(std::memcmp(&inFour, &alone, sizeof alone) == 0);
    }
  }
  Lfo lfo;
  lfo.start(1.0, 0, kRate);
  lfo.setPhase(0xC0000000u);
  CHECK(lfo.value() == -1.0f);
}

TEST_CASE("a held note's vibrato runs on when its parameters are read again", "[synth][pitch][lfo]") {
  // Held voices that only vibrato moves are stepped together, and go back to the voice by
  // voice walk for a block when a controller makes them read their parameters again. The
  // vibrato must not notice: with a controller that changes nothing the output is the same
  // sample for sample, and after a bend the pitch is 200 cents up with the same depth.
  constexpr size_t kHalf = 22050;
  constexpr double kVibrato_Hz = 8.176;  // the SF2 default rate (0 absolute cents)
  auto play = [&](int change) {  // 0: nothing, 1: a controller that changes nothing, 2: a bend
    Synth synth(sf2Settings());
    synth.setBank(sineBank({{Gen::VibLfoToPitch, 50}}));
    synth.noteOn(0, 69, 127);
    render(synth, kHalf);
    if (change == 1) synth.midiMessage(0xB0, 1, 0);
    if (change == 2) synth.pitchBend(0, 16383);
    return render(synth, kHalf);
  };
  // Pitch in 8 ms windows every 4 ms: the mean over whole vibrato cycles and the depth.
  auto track = [&](const StereoBuffer& out, double& mean_cents, double& depth_cents) {
    const auto window = static_cast<size_t>(0.008 * kRate), hop = window / 2;
    const double cycles = std::floor(static_cast<double>(out.size() - window) / kRate * kVibrato_Hz);
    const auto end = static_cast<size_t>(cycles / kVibrato_Hz * kRate);
    double sum = 0, lo = 1e9, hi = -1e9;
    size_t n = 0;
    for (size_t at = 0; at + window <= end; at += hop, ++n) {
      const double c = centsBetween(frequencyHz(out.left, at, at + window, kRate), 440.0);
      sum += c;
      lo = std::min(lo, c);
      hi = std::max(hi, c);
    }
    mean_cents = sum / static_cast<double>(n);
    depth_cents = (hi - lo) / 2.0;
  };
  const StereoBuffer plain = play(0), reread = play(1), bent = play(2);
  REQUIRE(plain.size() == reread.size());
  float largest = 0.0f;
  for (size_t i = 0; i < plain.size(); ++i) largest = std::max(largest, std::fabs(plain.left[i] - reread.left[i]));
  CHECK(largest == 0.0f);
  double plainMean = 0, plainDepth = 0, bentMean = 0, bentDepth = 0;
  track(plain, plainMean, plainDepth);
  track(bent, bentMean, bentDepth);
  INFO("unbent: mean " << plainMean << " cents, depth " << plainDepth << "; bent: mean " << bentMean << ", depth " << bentDepth);
  CHECK(plainDepth == Approx(50.0).margin(8.0));
  CHECK(bentDepth == Approx(plainDepth).margin(2.0));
  CHECK(bentMean - plainMean == Approx(200.0).margin(1.0));
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
