// Voice behaviour: loop modes, exclusive class, stealing order, events on their exact
// sample, the SIMD kernel against the portable one.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>

#include "emu8000/Synth.h"
#include "emu8000/VoiceKernel.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;

int timecents(double seconds) { return static_cast<int>(std::lround(1200.0 * std::log2(seconds))); }

// 2000 frames: a sine whose loop is [500, 1500); plays at the output rate at key 60.
SampleSpec loopedSine() {
  SampleSpec s;
  s.data = sineCycles(100.0, 20);
  s.loopStart = 500;
  s.loopEnd = 1500;
  return s;
}

std::shared_ptr<const Bank> oneRegion(std::map<Gen, int> gens, SampleSpec sample = loopedSine()) {
  return oneRegionBank(std::move(sample), std::move(gens));
}

}  // namespace

TEST_CASE("loop modes", "[synth][loop]") {
  const int longRelease = timecents(5.0);
  SECTION("0: no loop, the sample plays once even with the key held") {
    Synth synth(sf2Settings());
    synth.setBank(oneRegion({{Gen::SampleModes, 0}}));
    synth.noteOn(0, 60, 127);
    StereoBuffer out = render(synth, 8192);
    CHECK(peakAbs(out.left, 0, 1990) > 0.02);
    // Silent once the sample is over and the voice freed (at the end of that block).
    CHECK(peakAbs(out.left, 2000 + kControlBlockFrames, 8192) == 0.0);
    CHECK(synth.activeVoices() == 0);
  }
  SECTION("1: loops while held and through the release") {
    Synth synth(sf2Settings());
    synth.setBank(oneRegion({{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, longRelease}}));
    synth.noteOn(0, 60, 127);
    StereoBuffer out = render(synth, 8192);
    synth.noteOff(0, 60);
    renderInto(synth, out, 8192);
    CHECK(peakAbs(out.left, 7000, 8192) > 0.02);
    CHECK(peakAbs(out.left, 15000, 16384) > 0.01);
    CHECK(synth.activeVoices() == 1);
    // The looped section keeps its frequency: 441 Hz (100-sample period at 44.1 kHz).
    CHECK(std::fabs(centsBetween(frequencyHz(out.left, 2000, 8192, kRate), 441.0)) < 1.0);
  }
  SECTION("3: loops while held, then plays on to the end of the sample") {
    Synth synth(sf2Settings());
    synth.setBank(oneRegion({{Gen::SampleModes, 3}, {Gen::ReleaseVolEnv, longRelease}}));
    synth.noteOn(0, 60, 127);
    StereoBuffer out = render(synth, 8192);
    CHECK(peakAbs(out.left, 7000, 8192) > 0.02);
    synth.noteOff(0, 60);
    renderInto(synth, out, 8192);
    // At most the rest of the loop plus the 500 frames after it remain.
    CHECK(peakAbs(out.left, 8192 + 1000 + 500 + 32, out.size()) == 0.0);
    CHECK(synth.activeVoices() == 0);
  }
}

TEST_CASE("exclusive class cuts the other voice of the class on the channel", "[synth][exclusive]") {
  SampleSpec s = loopedSine();
  RegionSpec open, closed, other;
  open.keyLo = open.keyHi = 46;
  open.gens = {{Gen::SampleModes, 1}, {Gen::ExclusiveClass, 1}, {Gen::Pan, -500}, {Gen::OverridingRootKey, 60}};
  closed.keyLo = closed.keyHi = 42;
  closed.gens = {{Gen::SampleModes, 1}, {Gen::ExclusiveClass, 1}, {Gen::Pan, 500}, {Gen::OverridingRootKey, 60}};
  other.keyLo = other.keyHi = 50;
  other.gens = {{Gen::SampleModes, 1}, {Gen::ExclusiveClass, 2}, {Gen::Pan, -500}, {Gen::OverridingRootKey, 60}};
  PresetSpec kit;
  kit.bank = 128;
  kit.regions = {open, closed, other};
  Synth synth(sf2Settings());
  synth.setBank(makeBank({s}, {kit}));
  synth.noteOn(9, 46, 127);  // open hat, hard left
  StereoBuffer out = render(synth, 4096);
  CHECK(rms(out.left, 2048, 4096) > 0.05);
  synth.noteOn(9, 42, 127);  // closed hat, hard right: cuts the open one
  renderInto(synth, out, 4096);
  // Gone within 1024 samples (fast release); what remains on the left is the hard-right
  // voice's cos(pi/2) = 6e-17 leak.
  CHECK(rms(out.left, 4096 + 1024, 8192) < 1e-9);
  CHECK(rms(out.right, 4096 + 1024, 8192) > 0.05);
  CHECK(synth.activeVoices() == 1);
  // A different class on the same channel is not cut, nor the same class elsewhere.
  synth.noteOn(9, 50, 127);
  synth.noteOn(9, 42, 127);
  render(synth, 4096);
  CHECK(synth.activeVoices() == 2);
}

TEST_CASE("stealing: released voices first (quietest), then the oldest", "[synth][steal]") {
  SynthSettings settings = sf2Settings();
  settings.polyphony = 4;
  Synth synth(settings);
  synth.setBank(oneRegion({{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, timecents(8.0)}}));
  for (int key = 60; key < 64; ++key) {
    synth.noteOn(0, key, 127);
    render(synth, 256);
  }
  REQUIRE(synth.activeVoices() == 4);
  synth.noteOff(0, 62);  // released first: quieter by the time we steal
  render(synth, 4096);
  synth.noteOff(0, 61);
  render(synth, 256);
  auto keys = [&] {
    std::vector<int> k;
    for (int i = 0; i < synth.voiceCount(); ++i)
      if (synth.voiceInfo(i).stage != VoiceStage::Free) k.push_back(synth.voiceInfo(i).key);
    std::sort(k.begin(), k.end());
    return k;
  };
  synth.noteOn(0, 64, 127);
  CHECK(keys() == std::vector<int>{60, 61, 63, 64});  // the quieter released voice (62) went
  synth.noteOn(0, 65, 127);
  CHECK(keys() == std::vector<int>{60, 63, 64, 65});  // then the other released one
  synth.noteOn(0, 66, 127);
  CHECK(keys() == std::vector<int>{63, 64, 65, 66});  // then the oldest held note
  CHECK(synth.counters().steals == 3);
  int stolenSlots = 0;
  for (int i = 0; i < synth.voiceCount(); ++i) stolenSlots += synth.voiceInfo(i).stolen ? 1 : 0;
  CHECK(stolenSlots == 3);
}

TEST_CASE("stealing never takes a voice of the note being started", "[synth][steal]") {
  SampleSpec s = loopedSine();
  RegionSpec left, right;
  left.gens = {{Gen::SampleModes, 1}, {Gen::Pan, -500}};
  right.gens = {{Gen::SampleModes, 1}, {Gen::Pan, 500}};
  PresetSpec p;
  p.regions = {left, right};
  SynthSettings settings = sf2Settings();
  settings.polyphony = 1;
  Synth synth(settings);
  synth.setBank(makeBank({s}, {p}));
  synth.noteOn(0, 60, 127);
  CHECK(synth.activeVoices() == 1);
  CHECK(synth.counters().steals == 0);
  StereoBuffer out = render(synth, 1024);
  CHECK(rms(out.left, 0, 1024) > 0.05);  // the first region kept its voice
}

TEST_CASE("a note starts on its exact sample whatever the block size", "[synth][timing]") {
  for (size_t block : {size_t{1}, size_t{64}, size_t{1024}, size_t{37}}) {
    for (size_t at : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{1000}, size_t{1025}, size_t{3333}}) {
      Synth synth(sf2Settings());
      synth.setBank(oneRegion({{Gen::SampleModes, 1}, {Gen::AttackVolEnv, -12000}}, [] {
        SampleSpec s;
        s.data = constant(1000, 16384);
        s.loopStart = 10;
        s.loopEnd = 990;
        return s;
      }()));
      StereoBuffer out = render(synth, at, block);
      synth.noteOn(0, 60, 127);
      renderInto(synth, out, 4096, block);
      // The SF2 default volume-envelope delay is -12000 timecents: round(2^-10 * 44100) = 43.
      INFO("block " << block << " note at " << at);
      CHECK(firstAbove(out.left, 0.0) == at + 43);
    }
  }
}

TEST_CASE("the SIMD kernel matches the portable kernel", "[synth][kernel]") {
  const VoiceKernelTable& fast = voiceKernels();
  const VoiceKernelTable& ref = genericVoiceKernels();
  if (fast.fn[0][0][0][0] == ref.fn[0][0][0][0]) SUCCEED("no SIMD kernel on this CPU");
  std::vector<int16_t> samples(70000);
  uint32_t seed = 12345;
  for (int16_t& s : samples) {
    seed = seed * 1664525u + 1013904223u;
    s = static_cast<int16_t>(seed >> 16);
  }
  for (int interp = 0; interp < 3; ++interp) {
    for (int filter = 0; filter < 2; ++filter) {
      for (int wrap = 0; wrap < 2; ++wrap) {
        LaneGroup a{};
        for (int l = 0; l < kLanes; ++l) {
          a.pos[l] = 1000 + 7000 * l;
          a.frac[l] = 0.1f * static_cast<float>(l);
          a.inc[l] = 0.5f + 0.37f * static_cast<float>(l);
          a.limit[l] = wrap ? a.pos[l] + 20 + l : INT32_MAX;
          a.wrap[l] = wrap ? 15 : 0;
          a.floor[l] = wrap ? a.pos[l] + 5 : INT32_MIN;
          a.endClamp[l] = INT32_MAX;
          a.gain[l] = 0.001f;
          a.gainStep[l] = 1e-5f;
          a.panLeft[l] = 0.6f;
          a.panRight[l] = 0.8f;
          a.sendReverb[l] = 0.3f;
          a.sendChorus[l] = 0.2f;
          a.b0[l] = 0.2f; a.b1[l] = 0.4f; a.b2[l] = 0.2f; a.a1[l] = -0.5f; a.a2[l] = 0.3f;
        }
        LaneGroup b = a;
        alignas(64) float accA[kBusCount * kControlBlockFrames * kLanes] = {};
        alignas(64) float accB[kBusCount * kControlBlockFrames * kLanes] = {};
        fast.fn[interp][filter][kSendsBoth][wrap](a, samples.data(), kControlBlockFrames, accA, kControlBlockFrames);
        ref.fn[interp][filter][kSendsBoth][wrap](b, samples.data(), kControlBlockFrames, accB, kControlBlockFrames);
        INFO("interp " << interp << " filter " << filter << " wrap " << wrap);
        for (int l = 0; l < kLanes; ++l) CHECK(a.pos[l] == b.pos[l]);
        for (size_t i = 0; i < std::size(accA); ++i) REQUIRE(accA[i] == Approx(accB[i]).margin(1e-3));
      }
    }
  }
}
