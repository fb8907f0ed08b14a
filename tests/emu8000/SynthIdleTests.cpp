// The synth at rest: Synth::silent() and what render() does then (exact zeros, no state
// changed), and how it ends (a note wakes it; a quality switch's fade is not silence).
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

// With reverb and chorus, full sends on channel 1, and a looped sine.
SynthSettings wetSettings() {
  SynthSettings settings = sf2Settings();
  settings.effectsEnabled = true;
  return settings;
}

void setUpWet(Synth& synth) {
  synth.setBank(oneRegionBank(sine440Sample(), {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, -2400}}));
  synth.controlChange(0, 91, 127);
  synth.controlChange(0, 93, 127);
}

bool allPositiveZero(const std::vector<float>& x) {
  const std::vector<float> zeros(x.size(), 0.0f);
  return std::memcmp(x.data(), zeros.data(), x.size() * sizeof(float)) == 0;  // +0.0f bits, not -0.0f
}

bool sameVoiceInfo(const VoiceInfo& a, const VoiceInfo& b) {
  return a.stage == b.stage && a.channel == b.channel && a.key == b.key && a.velocity == b.velocity &&
         a.level == b.level && a.stolen == b.stolen;
}

// Renders 1024-frame buffers until the synth is silent; the frames it took.
size_t renderUntilSilent(Synth& synth, size_t limit_frames) {
  size_t frames = 0;
  while (!synth.silent() && frames < limit_frames) {
    render(synth, 1024);
    frames += 1024;
  }
  return frames;
}

}  // namespace

TEST_CASE("an idle synth is silent, renders exact +0.0 zeros and reads free in every voice slot", "[synth][idle]") {
  Synth synth(wetSettings());
  setUpWet(synth);
  CHECK(synth.silent());
  std::vector<float> left(3000, 1.0f), right(3000, -1.0f);  // overwritten, not added to
  synth.render(left.data(), right.data(), left.size());
  CHECK(allPositiveZero(left));
  CHECK(allPositiveZero(right));
  CHECK(synth.silent());

  synth.noteOn(0, 69, 100);
  CHECK_FALSE(synth.silent());
  StereoBuffer out = render(synth, 4096);
  CHECK(peakAbs(out.left, 0, 4096) > 0.01);
  synth.noteOff(0, 69);
  CHECK_FALSE(synth.silent());
  // The release is short; the reverb tail is what takes seconds, and the synth is not
  // silent until the units have gone idle.
  const size_t took = renderUntilSilent(synth, 60 * 44100);
  REQUIRE(synth.silent());
  CHECK(synth.activeVoices() == 0);
  CHECK(synth.effectsIdle());
  CHECK(took > 44100);  // not before the tail had rung out
  for (int slot = 0; slot < synth.voiceCount(); ++slot) CHECK(sameVoiceInfo(synth.voiceInfo(slot), VoiceInfo{}));
  left.assign(1024, 1.0f);
  right.assign(1024, 1.0f);
  synth.render(left.data(), right.data(), left.size());
  CHECK(allPositiveZero(left));
  CHECK(allPositiveZero(right));
}

TEST_CASE("idle time changes nothing: a note after 12 s of silence sounds as one after a single buffer", "[synth][idle]") {
  Synth shortRest(wetSettings()), longRest(wetSettings());
  for (Synth* s : {&shortRest, &longRest}) {
    setUpWet(*s);
    s->noteOn(0, 64, 100);  // a fractional pitch step, the chorus swinging, the reverb ringing
    render(*s, 8192);
    s->noteOff(0, 64);
    REQUIRE(renderUntilSilent(*s, 60 * 44100) > 0);
    REQUIRE(s->silent());
  }
  render(shortRest, 1024);
  render(longRest, 12 * 44100);
  for (Synth* s : {&shortRest, &longRest}) s->noteOn(0, 71, 90);
  const StereoBuffer a = render(shortRest, 3 * 44100), b = render(longRest, 3 * 44100);
  CHECK(peakAbs(a.left, 0, a.left.size()) > 0.01);
  CHECK(a.left == b.left);
  CHECK(a.right == b.right);
}

TEST_CASE("a quality switch while idle runs its fade before the synth counts as silent again", "[synth][idle]") {
  Synth synth(wetSettings());
  setUpWet(synth);
  REQUIRE(synth.silent());
  synth.setInterpolation(Interpolation::Linear);  // a fade out, the switch, a fade in
  CHECK_FALSE(synth.silent());
  std::vector<float> left(kControlBlockFrames), right(kControlBlockFrames);
  int blocks = 0;
  while (!synth.silent() && blocks < 100) {
    left.assign(left.size(), 1.0f);
    right.assign(right.size(), 1.0f);
    synth.render(left.data(), right.data(), left.size());
    CHECK(allPositiveZero(left));
    CHECK(allPositiveZero(right));
    ++blocks;
  }
  CHECK(synth.silent());
  CHECK(blocks == 2);  // one control block out, one in
  CHECK(synth.settings().interpolation == Interpolation::Linear);
}
