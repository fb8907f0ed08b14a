// Channel behaviour measured in the audio: portamento (CC65 with CC5/CC37, CC84, legato
// from the previous note's pitch), mono and poly modes (CC126/CC127), omni messages and
// RPN 5, in both personalities. MIDI bytes written here, not read from files.
#include <catch2/catch.hpp>
#include <cmath>

#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;

// A looped sine, 440 Hz at key 69, flat envelope (sustain at full level).
// (Release 31 ms: released notes leave the measurements quickly.)
std::shared_ptr<const Bank> sineBank() {
  return oneRegionBank(sine440Sample(), {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, -6000}});
}

// Pitch in cents relative to `key`, measured over [at - half, at + half) seconds.
double centsAt(const StereoBuffer& out, double at_s, double key, double half_s = 0.01) {
  const auto begin = static_cast<size_t>((at_s - half_s) * kRate);
  const auto end = static_cast<size_t>((at_s + half_s) * kRate);
  return centsBetween(frequencyHz(out.left, begin, end, kRate), keyHz(key));
}

void cc(Synth& synth, int channel, int controller, int value) {
  synth.midiMessage(static_cast<uint8_t>(0xB0 | channel), static_cast<uint8_t>(controller), static_cast<uint8_t>(value));
}

// Voices still playing their note (not released, not free).
int soundingVoices(const Synth& synth) {
  int n = 0;
  for (int i = 0; i < synth.voiceCount(); ++i) {
    const VoiceStage stage = synth.voiceInfo(i).stage;
    if (stage != VoiceStage::Free && stage != VoiceStage::Release && stage != VoiceStage::Finished) ++n;
  }
  return n;
}

SynthSettings settingsFor(Personality p) {
  SynthSettings s = sf2Settings();
  s.personality = p;
  return s;
}

}  // namespace

TEST_CASE("portamento: CC65 with CC5 = 39 glides 60 -> 72 as FluidSynth (-1176 cents at 0.1 s)", "[synth][channel][portamento]") {
  for (Personality personality : {Personality::Modern, Personality::Awe}) {
    INFO("personality " << personalityName(personality));
    Synth synth(settingsFor(personality));
    synth.setBank(sineBank());
    cc(synth, 0, 5, 39);  // 39 x 128 ms = 4.992 s for the whole glide
    cc(synth, 0, 37, 0);
    cc(synth, 0, 65, 127);
    synth.noteOn(0, 60, 100);
    render(synth, 4410);
    synth.noteOff(0, 60);
    render(synth, 4410);  // the first note's release is over
    synth.noteOn(0, 72, 100);
    const StereoBuffer out = render(synth, static_cast<size_t>(5.3 * kRate));
    // The curve: linear in cents from -1200 to 0 over 4.992 s.
    for (double t : {0.1, 0.5, 1.0, 2.5, 4.0, 4.9}) {
      const double expected = -1200.0 + 1200.0 * t / 4.992;
      INFO("t = " << t << " s");
      CHECK(centsAt(out, t, 72) == Approx(expected).margin(3.0));
    }
    CHECK(centsAt(out, 0.1, 72) == Approx(-1176.0).margin(3.0));
    CHECK(centsAt(out, 5.2, 72) == Approx(0.0).margin(1.0));
  }
}

TEST_CASE("portamento: off by default, and CC37 adds milliseconds", "[synth][channel][portamento]") {
  Synth synth(sf2Settings());
  synth.setBank(sineBank());
  synth.noteOn(0, 60, 100);
  render(synth, 4410);
  synth.noteOff(0, 60);
  render(synth, 4410);
  synth.noteOn(0, 72, 100);
  StereoBuffer out = render(synth, 8820);
  CHECK(centsAt(out, 0.05, 72) == Approx(0.0).margin(1.0));  // CC65 off: no glide
  synth.allSoundOff();
  render(synth, 4410);
  // CC5 = 0, CC37 = 100: a 100 ms glide; half-way at 50 ms.
  cc(synth, 0, 5, 0);
  cc(synth, 0, 37, 100);
  cc(synth, 0, 65, 127);
  synth.noteOn(0, 60, 100);
  out = render(synth, static_cast<size_t>(0.2 * kRate));
  CHECK(centsAt(out, 0.05, 60, 0.005) == Approx(600.0).margin(25.0));  // 72 -> 60 glides down
  CHECK(centsAt(out, 0.15, 60) == Approx(0.0).margin(1.0));
}

TEST_CASE("portamento control CC84: the next note glides from the given key, once", "[synth][channel][portamento]") {
  Synth synth(sf2Settings());
  synth.setBank(sineBank());
  cc(synth, 0, 5, 39);
  cc(synth, 0, 84, 48);  // CC65 stays off
  synth.noteOn(0, 60, 100);
  StereoBuffer out = render(synth, static_cast<size_t>(0.2 * kRate));
  CHECK(centsAt(out, 0.1, 60) == Approx(-1176.0).margin(3.0));
  synth.noteOff(0, 60);
  render(synth, 8820);
  synth.noteOn(0, 64, 100);  // no CC84 this time, CC65 off: straight to the key
  out = render(synth, static_cast<size_t>(0.2 * kRate));
  CHECK(centsAt(out, 0.1, 64) == Approx(0.0).margin(1.0));
}

TEST_CASE("portamento: a legato note glides from the previous note's pitch, mid-glide", "[synth][channel][portamento][mono]") {
  Synth synth(sf2Settings());
  synth.setBank(sineBank());
  cc(synth, 0, 126, 1);  // mono
  cc(synth, 0, 5, 39);
  cc(synth, 0, 65, 127);
  synth.noteOn(0, 60, 100);
  render(synth, 4410);
  synth.noteOn(0, 72, 100);  // legato: 60 still down
  StereoBuffer out = render(synth, static_cast<size_t>(1.0 * kRate));
  CHECK(centsAt(out, 0.9, 72) == Approx(-1200.0 + 1200.0 * 0.9 / 4.992).margin(3.0));
  // After 1 s the glide is at 72 - 9.6 semitones; the next legato note starts there.
  // (FluidSynth's rule: every glide takes the portamento time, whatever its interval.)
  const double from = 7200.0 - 1200.0 + 1200.0 * 1.0 / 4.992;
  synth.noteOn(0, 84, 100);
  out = render(synth, static_cast<size_t>(0.2 * kRate));
  CHECK(centsAt(out, 0.1, 84) == Approx((from - 8400.0) * (1.0 - 0.1 / 4.992)).margin(3.0));
  CHECK(soundingVoices(synth) == 1);
}

TEST_CASE("mono mode CC126: one note per channel, legato returns to held keys, CC127 poly", "[synth][channel][mono]") {
  for (Personality personality : {Personality::Modern, Personality::Awe}) {
    INFO("personality " << personalityName(personality));
    Synth synth(settingsFor(personality));
    synth.setBank(sineBank());
    // Poly (the default): a chord is three notes.
    synth.noteOn(0, 60, 100);
    synth.noteOn(0, 64, 100);
    synth.noteOn(0, 67, 100);
    render(synth, 1024);
    CHECK(soundingVoices(synth) == 3);
    cc(synth, 0, 126, 1);  // mono on: all notes off first
    render(synth, 4410);
    CHECK(soundingVoices(synth) == 0);

    synth.noteOn(0, 60, 100);
    synth.noteOn(0, 64, 100);
    synth.noteOn(0, 67, 100);
    StereoBuffer out = render(synth, 8820);
    CHECK(soundingVoices(synth) == 1);
    CHECK(centsAt(out, 0.15, 67) == Approx(0.0).margin(1.0));  // last-note priority
    // Legato: the held notes did not retrigger: one voice started for the chord.
    const uint64_t started = synth.counters().voicesStarted;
    synth.noteOff(0, 67);  // back to 64, still held, without a new attack
    out = render(synth, 8820);
    CHECK(soundingVoices(synth) == 1);
    CHECK(synth.counters().voicesStarted == started);
    CHECK(centsAt(out, 0.15, 64) == Approx(0.0).margin(1.0));
    synth.noteOff(0, 60);  // not the sounding key: nothing changes
    out = render(synth, 4410);
    CHECK(centsAt(out, 0.05, 64) == Approx(0.0).margin(1.0));
    synth.noteOff(0, 64);
    render(synth, 4410);
    CHECK(soundingVoices(synth) == 0);

    // Staccato in mono mode: each note its own attack, never two at once.
    synth.noteOn(0, 60, 100);
    synth.noteOff(0, 60);
    synth.noteOn(0, 62, 100);
    render(synth, 1024);
    CHECK(soundingVoices(synth) == 1);
    // Another channel stays poly.
    synth.noteOn(1, 60, 100);
    synth.noteOn(1, 64, 100);
    render(synth, 1024);
    CHECK(soundingVoices(synth) == 3);

    cc(synth, 0, 127, 0);  // poly again
    cc(synth, 1, 123, 0);
    render(synth, 4410);
    synth.noteOn(0, 60, 100);
    synth.noteOn(0, 64, 100);
    render(synth, 1024);
    CHECK(soundingVoices(synth) == 2);
    synth.allSoundOff();
    render(synth, 4410);
  }
}

TEST_CASE("mono mode: the sustain pedal keeps one note only", "[synth][channel][mono]") {
  Synth synth(sf2Settings());
  synth.setBank(sineBank());
  cc(synth, 0, 126, 1);
  cc(synth, 0, 64, 127);
  synth.noteOn(0, 60, 100);
  synth.noteOff(0, 60);  // held by the pedal
  render(synth, 1024);
  CHECK(soundingVoices(synth) == 1);
  synth.noteOn(0, 64, 100);  // replaces the pedal-held note
  render(synth, 4410);
  CHECK(soundingVoices(synth) == 1);
}

TEST_CASE("omni off / omni on act as all notes off", "[synth][channel]") {
  for (int controller : {124, 125}) {
    Synth synth(sf2Settings());
    synth.setBank(sineBank());
    synth.noteOn(0, 60, 100);
    synth.noteOn(0, 64, 100);
    render(synth, 1024);
    cc(synth, 0, controller, 0);
    render(synth, 1024);
    CHECK(soundingVoices(synth) == 0);
  }
}

TEST_CASE("RPN 5 (modulation depth range) scales what CC1 does", "[synth][channel][rpn]") {
  // Peak vibrato depth in cents, from the pitch of 5 ms windows over 1 s.
  auto vibratoDepth = [](Synth& synth) {
    synth.noteOn(0, 69, 100);
    const StereoBuffer out = render(synth, static_cast<size_t>(1.2 * kRate));
    synth.allSoundOff();
    render(synth, 4410);
    double lo = 1e9, hi = -1e9;
    for (double t = 0.2; t < 1.15; t += 0.004) {
      const double c = centsAt(out, t, 69, 0.004);
      lo = std::min(lo, c);
      hi = std::max(hi, c);
    }
    return (hi - lo) / 2.0;
  };
  for (Personality personality : {Personality::Modern, Personality::Awe}) {
    INFO("personality " << personalityName(personality));
    Synth synth(settingsFor(personality));
    synth.setBank(sineBank());
    cc(synth, 0, 1, 127);
    const double standard = vibratoDepth(synth);  // 50 cents, the GM2 default range
    CHECK(standard == Approx(50.0).margin(8.0));
    cc(synth, 0, 101, 0);
    cc(synth, 0, 100, 5);
    cc(synth, 0, 6, 2);  // 2 semitones
    cc(synth, 0, 38, 0);
    const double wide = vibratoDepth(synth);
    CHECK(wide == Approx(200.0).margin(25.0));
    CHECK(wide / standard == Approx(4.0).epsilon(0.1));
    cc(synth, 0, 6, 0);
    cc(synth, 0, 38, 0);  // 0: the wheel does nothing
    CHECK(vibratoDepth(synth) < 2.0);
  }
}

TEST_CASE("RPN 0 with a low byte adds cents to the bend range", "[synth][channel][rpn]") {
  Synth synth(sf2Settings());
  synth.setBank(sineBank());
  cc(synth, 0, 101, 0);
  cc(synth, 0, 100, 0);
  cc(synth, 0, 6, 2);
  cc(synth, 0, 38, 50);  // 2 semitones 50 cents
  synth.pitchBend(0, 16383);
  synth.noteOn(0, 69, 100);
  const StereoBuffer out = render(synth, 22050);
  CHECK(centsAt(out, 0.4, 69) == Approx(250.0).margin(1.0));
}
