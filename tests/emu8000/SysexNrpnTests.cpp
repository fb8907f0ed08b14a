// System exclusive and NRPN messages measured in the audio: MIDI Tuning Standard (scale/
// octave 1- and 2-byte, single-note, bulk dump with RPN 3/4), GM2 master volume and tuning,
// GS reset, drum part change, scale tuning and part NRPNs, XG drum banks, the SF2.01 NRPN
// set. The MIDI bytes are written here.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "emu8000/Synth.h"
#include "emu8000/Sysex.h"
#include "monitor/AllocationTrap.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
using Bytes = std::vector<uint8_t>;

SampleSpec sineSample() {
  SampleSpec s = sine440Sample();
  s.name = "sine";
  return s;
}

RegionSpec region(int sample, std::map<Gen, int> gens = {}) {
  RegionSpec r;
  r.sample = sample;
  r.gens = std::move(gens);
  r.gens[Gen::SampleModes] = 1;
  r.gens[Gen::ReleaseVolEnv] = -6000;
  return r;
}

// Bank 0 program 0: a sine (pitched). Bank 128 program 0: noise (the drum kit).
// Bank 0 program 1: a sine through a 2.1 kHz low-pass (for cutoff NRPNs).
std::shared_ptr<const Bank> testBank() {
  PresetSpec melodic{"sine", 0, 0, {region(0)}};
  PresetSpec filtered{"filtered sine", 0, 1, {region(0, {{Gen::InitialFilterFc, 9600}})}};
  PresetSpec drums{"noise kit", kDrumBank, 0, {region(1)}};
  return makeBank({sineSample(), noiseSample(12)}, {melodic, filtered, drums});
}

// A drum kit whose keys are pitched sines (for the drum instrument pitch NRPN).
std::shared_ptr<const Bank> sineDrumBank() {
  PresetSpec drums{"sine kit", kDrumBank, 0, {region(0)}};
  return makeBank({sineSample()}, {drums});
}

void cc(Synth& synth, int channel, int controller, int value) {
  synth.midiMessage(static_cast<uint8_t>(0xB0 | channel), static_cast<uint8_t>(controller), static_cast<uint8_t>(value));
}
void nrpn(Synth& synth, int channel, int msb, int lsb, int dataMsb, int dataLsb = -1) {
  cc(synth, channel, 99, msb);
  cc(synth, channel, 98, lsb);
  if (dataLsb >= 0) cc(synth, channel, 38, dataLsb);
  cc(synth, channel, 6, dataMsb);
}
void rpn(Synth& synth, int channel, int number, int dataMsb) {
  cc(synth, channel, 101, 0);
  cc(synth, channel, 100, number);
  cc(synth, channel, 6, dataMsb);
}
void send(Synth& synth, const Bytes& message) { synth.sysex(message.data(), message.size()); }

// Roland data set with its checksum.
Bytes gs(uint8_t a1, uint8_t a2, uint8_t a3, const Bytes& data) {
  Bytes m{0xF0, 0x41, 0x10, 0x42, 0x12, a1, a2, a3};
  int sum = a1 + a2 + a3;
  for (uint8_t d : data) {  // (push_back: GCC 12 warns falsely on insert here)
    m.push_back(d);
    sum += d;
  }
  m.push_back(static_cast<uint8_t>((128 - sum % 128) % 128));
  m.push_back(0xF7);
  return m;
}

// Pitch of a note on `channel` in cents relative to `key`, once it has settled.
double noteCents(Synth& synth, int channel, int key, double reference) {
  synth.noteOn(channel, key, 100);
  const StereoBuffer out = render(synth, 8820);
  synth.noteOff(channel, key);
  render(synth, 8820);
  return centsBetween(frequencyHz(out.left, 2048, out.size(), kRate), keyHz(reference));
}

double levelDb(const StereoBuffer& out, size_t begin, size_t end) {
  return toDecibels(rms(out.left, begin, end) + rms(out.right, begin, end));
}

double notePeriodicity(Synth& synth, int channel, int key) {
  synth.noteOn(channel, key, 100);
  const StereoBuffer out = render(synth, 8192);
  synth.noteOff(channel, key);
  render(synth, 8820);
  return periodicity(out.left, 4096, 8192);
}

}  // namespace

TEST_CASE("MTS scale/octave tuning, 1-byte form: cents per pitch class on chosen channels", "[synth][sysex][tuning]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  // Non-real-time (7E), channels 1 and 3 (hh bits 0 and 2): A +30 cents, E -20 cents.
  Bytes m{0xF0, 0x7E, 0x7F, 0x08, 0x08, 0x00, 0x00, 0x05};
  for (int pc = 0; pc < 12; ++pc) m.push_back(pc == 9 ? 64 + 30 : pc == 4 ? 64 - 20 : 64);
  m.push_back(0xF7);
  CHECK(noteCents(synth, 0, 69, 69) == Approx(0.0).margin(1.0));  // before
  send(synth, m);
  CHECK(noteCents(synth, 0, 69, 69) == Approx(30.0).margin(1.0));
  CHECK(noteCents(synth, 0, 57, 57) == Approx(30.0).margin(1.0));  // every octave
  CHECK(noteCents(synth, 2, 64, 64) == Approx(-20.0).margin(1.0));
  CHECK(noteCents(synth, 1, 69, 69) == Approx(0.0).margin(1.0));   // channel 2 not chosen
  CHECK(noteCents(synth, 0, 60, 60) == Approx(0.0).margin(1.0));   // C untouched
}

TEST_CASE("MTS scale/octave tuning, 2-byte real-time form retunes a sounding note", "[synth][sysex][tuning]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  synth.noteOn(0, 69, 100);
  render(synth, 4410);
  // F0 7F 7F 08 09 ff gg hh [ss tt] x 12: all channels, A = 8192 + 4096 -> +50 cents,
  // B = 8192 - 2048 -> -25 cents.
  Bytes m{0xF0, 0x7F, 0x7F, 0x08, 0x09, 0x03, 0x7F, 0x7F};
  for (int pc = 0; pc < 12; ++pc) {
    const int v = pc == 9 ? 8192 + 4096 : pc == 11 ? 8192 - 2048 : 8192;
    m.push_back(static_cast<uint8_t>(v >> 7));
    m.push_back(static_cast<uint8_t>(v & 0x7F));
  }
  m.push_back(0xF7);
  send(synth, m);
  const StereoBuffer out = render(synth, 8820);
  CHECK(centsBetween(frequencyHz(out.left, 1024, out.size(), kRate), 440.0) == Approx(50.0).margin(1.0));
  synth.noteOff(0, 69);
  render(synth, 8820);
  CHECK(noteCents(synth, 5, 71, 71) == Approx(-25.0).margin(1.0));
}

TEST_CASE("MTS scale/octave non-real-time form: sounding notes keep their pitch", "[synth][sysex][tuning]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  synth.noteOn(0, 69, 100);
  render(synth, 4410);
  Bytes m{0xF0, 0x7E, 0x7F, 0x08, 0x08, 0x03, 0x7F, 0x7F};
  for (int pc = 0; pc < 12; ++pc) m.push_back(pc == 9 ? 64 + 40 : 64);
  m.push_back(0xF7);
  send(synth, m);
  const StereoBuffer out = render(synth, 8820);
  CHECK(centsBetween(frequencyHz(out.left, 1024, out.size(), kRate), 440.0) == Approx(0.0).margin(1.0));
  synth.noteOff(0, 69);
  render(synth, 8820);
  CHECK(noteCents(synth, 0, 69, 69) == Approx(40.0).margin(1.0));
}

TEST_CASE("MTS single-note tuning change (08 02) on the tuning program RPN 3 selects", "[synth][sysex][tuning]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  rpn(synth, 0, 3, 5);  // tuning program 5
  synth.noteOn(0, 69, 100);
  render(synth, 4410);
  // Key 69 -> 70 semitones + 4096/16384 semitone = 7025 cents (real-time: heard at once).
  send(synth, {0xF0, 0x7F, 0x7F, 0x08, 0x02, 0x05, 0x01, 69, 70, 0x20, 0x00, 0xF7});
  const StereoBuffer out = render(synth, 8820);
  CHECK(centsBetween(frequencyHz(out.left, 1024, out.size(), kRate), keyHz(70.25)) == Approx(0.0).margin(1.0));
  synth.noteOff(0, 69);
  render(synth, 8820);
  CHECK(noteCents(synth, 1, 69, 69) == Approx(0.0).margin(1.0));  // channel 2 uses no tuning program
  CHECK(noteCents(synth, 0, 68, 68) == Approx(0.0).margin(1.0));  // other keys stay
  // A key mapped onto another pitch: key 60 plays 72 (an octave stretch of one key).
  send(synth, {0xF0, 0x7F, 0x7F, 0x08, 0x02, 0x05, 0x01, 60, 72, 0x00, 0x00, 0xF7});
  CHECK(noteCents(synth, 0, 60, 72) == Approx(0.0).margin(1.0));
}

TEST_CASE("MTS single-note tuning with bank (08 07) and RPN 4 tuning bank select", "[synth][sysex][tuning]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  send(synth, {0xF0, 0x7E, 0x7F, 0x08, 0x07, 0x02, 0x03, 0x01, 69, 69, 0x20, 0x00, 0xF7});  // bank 2, program 3: +25
  rpn(synth, 0, 3, 3);
  CHECK(noteCents(synth, 0, 69, 69) == Approx(0.0).margin(1.0));  // bank 0 program 3: no such tuning
  rpn(synth, 0, 4, 2);
  CHECK(noteCents(synth, 0, 69, 69) == Approx(25.0).margin(1.0));
}

TEST_CASE("MTS bulk tuning dump (08 01): a whole quarter-tone-shifted table", "[synth][sysex][tuning]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  Bytes m{0xF0, 0x7E, 0x7F, 0x08, 0x01, 0x07};
  for (char c : std::string("quarter up      ")) m.push_back(static_cast<uint8_t>(c));
  for (int key = 0; key < 128; ++key) {
    // key + 50 cents, key 127 left as "no change"
    if (key == 127) {
      m.insert(m.end(), {0x7F, 0x7F, 0x7F});
    } else {
      m.insert(m.end(), {static_cast<uint8_t>(key), 0x40, 0x00});
    }
  }
  uint8_t sum = 0;
  for (size_t i = 1; i < m.size(); ++i) sum = static_cast<uint8_t>(sum ^ m[i]);
  m.push_back(sum & 0x7F);
  m.push_back(0xF7);
  REQUIRE(m.size() == 408);
  send(synth, m);
  CHECK(noteCents(synth, 0, 69, 69) == Approx(0.0).margin(1.0));  // not selected yet
  rpn(synth, 0, 3, 7);
  for (int key : {45, 62, 69, 81}) {
    INFO("key " << key);
    CHECK(noteCents(synth, 0, key, key) == Approx(50.0).margin(1.0));
  }
  // Scale tuning 0 (a drum-like region) keeps every key at the root's pitch, root tuned.
  send(synth, {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7});  // GM on: tunings cleared
  CHECK(noteCents(synth, 0, 69, 69) == Approx(0.0).margin(1.0));
}

TEST_CASE("GS scale tuning (40 1x 40..4B) tunes one part's pitch classes", "[synth][sysex][tuning][gs]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  // Part 1 (40 11 ..) = channel 1: all twelve classes, A at -14 cents.
  Bytes classes(12, 64);
  classes[9] = 64 - 14;
  send(synth, gs(0x40, 0x11, 0x40, classes));
  CHECK(noteCents(synth, 0, 69, 69) == Approx(-14.0).margin(1.0));
  CHECK(noteCents(synth, 1, 69, 69) == Approx(0.0).margin(1.0));
  // Part 10 (40 10 ..) = channel 10, one address only: E at +7 (the drum channel plays the
  // melodic sine after a GS drum part change off).
  send(synth, gs(0x40, 0x10, 0x15, {0x00}));
  synth.programChange(9, 0);
  send(synth, gs(0x40, 0x10, 0x44, {64 + 7}));
  CHECK(noteCents(synth, 9, 64, 64) == Approx(7.0).margin(1.0));
}

TEST_CASE("GM2 master volume, fine and coarse tuning, restored by GM/GS/XG resets", "[synth][sysex][master]") {
  for (Personality personality : {Personality::Modern, Personality::Awe}) {
    INFO("personality " << personalityName(personality));
    SynthSettings settings = sf2Settings();
    settings.personality = personality;
    Synth synth(settings);
    synth.setBank(testBank());
    synth.noteOn(0, 69, 100);
    StereoBuffer out = render(synth, 8820);
    const double full = levelDb(out, 4410, 8820);
    send(synth, {0xF0, 0x7F, 0x7F, 0x04, 0x01, 0x00, 0x40, 0xF7});  // 8192 / 16383
    out = render(synth, 8820);
    CHECK(levelDb(out, 4410, 8820) - full == Approx(20.0 * std::log10(8192.0 / 16383.0)).margin(0.1));
    send(synth, {0xF0, 0x7F, 0x7F, 0x04, 0x03, 0x00, 0x60, 0xF7});  // fine: 8192 + 4096 = +50 cents
    out = render(synth, 8820);
    CHECK(centsBetween(frequencyHz(out.left, 1024, out.size(), kRate), 440.0) == Approx(50.0).margin(1.0));
    send(synth, {0xF0, 0x7F, 0x7F, 0x04, 0x04, 0x00, 0x40 + 2, 0xF7});  // coarse: +2 semitones
    out = render(synth, 8820);
    CHECK(centsBetween(frequencyHz(out.left, 1024, out.size(), kRate), 440.0) == Approx(250.0).margin(1.0));
    synth.allSoundOff();
    render(synth, 4410);
    for (const Bytes& reset : {Bytes{0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7}, Bytes{0xF0, 0x7E, 0x7F, 0x09, 0x03, 0xF7},
                               Bytes{0xF0, 0x7E, 0x7F, 0x09, 0x02, 0xF7}, gs(0x40, 0x00, 0x7F, {0x00}),
                               Bytes{0xF0, 0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7}}) {
      send(synth, {0xF0, 0x7F, 0x7F, 0x04, 0x01, 0x00, 0x20, 0xF7});
      send(synth, {0xF0, 0x7F, 0x7F, 0x04, 0x04, 0x00, 0x40 + 5, 0xF7});
      send(synth, reset);
      synth.noteOn(0, 69, 100);
      out = render(synth, 8820);
      synth.allSoundOff();
      render(synth, 4410);
      CHECK(levelDb(out, 4410, 8820) == Approx(full).margin(0.1));
      CHECK(centsBetween(frequencyHz(out.left, 1024, out.size(), kRate), 440.0) == Approx(0.0).margin(1.0));
    }
  }
}

TEST_CASE("GS drum part change: any channel becomes a drum part until GS reset", "[synth][sysex][gs][drums]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  CHECK(notePeriodicity(synth, 2, 60) > 0.95);  // channel 3: the pitched sine
  CHECK(notePeriodicity(synth, 9, 60) < 0.3);   // channel 10: the noise kit
  send(synth, gs(0x40, 0x13, 0x15, {0x01}));   // part 3 (40 13) = channel 3: rhythm part 1
  CHECK(synth.channelBank(2) == kDrumBank);
  CHECK(notePeriodicity(synth, 2, 60) < 0.3);
  send(synth, gs(0x40, 0x10, 0x15, {0x00}));   // part 10 melodic
  CHECK(notePeriodicity(synth, 9, 60) > 0.95);
  send(synth, gs(0x40, 0x00, 0x7F, {0x00}));   // GS reset
  CHECK(notePeriodicity(synth, 2, 60) > 0.95);
  CHECK(notePeriodicity(synth, 9, 60) < 0.3);
  CHECK(gsPartChannel(0) == 9);
  CHECK(gsPartChannel(1) == 0);
  CHECK(gsPartChannel(10) == 10);
  CHECK(gsPartChannel(15) == 15);
}

TEST_CASE("XG: bank MSB 127 makes a drum channel anywhere (not in GS mode), missing banks fall back", "[synth][sysex][xg][drums]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  send(synth, {0xF0, 0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7});  // XG system on
  cc(synth, 4, 0, 127);
  synth.programChange(4, 0);
  CHECK(synth.channelBank(4) == kDrumBank);
  CHECK(notePeriodicity(synth, 4, 60) < 0.3);
  cc(synth, 4, 0, 64);  // SFX bank: not in this bank, the GM sound plays
  synth.programChange(4, 0);
  CHECK(synth.channelBank(4) == 64);
  CHECK(notePeriodicity(synth, 4, 60) > 0.95);
  send(synth, gs(0x40, 0x00, 0x7F, {0x00}));  // GS: bank 127 is a melodic variation bank
  cc(synth, 4, 0, 127);
  synth.programChange(4, 0);
  CHECK(notePeriodicity(synth, 4, 60) > 0.95);
}

TEST_CASE("SF2.01 NRPNs (MSB 120): any generator by number, offsets in the spec's units", "[synth][nrpn][sf2nrpn]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  synth.noteOn(0, 69, 100);
  StereoBuffer out = render(synth, 8820);
  const double before = levelDb(out, 4410, 8820);
  // Generator 48 (initialAttenuation), +100 cB: 8192 + 100 = MSB 64, LSB 100. Heard at once.
  nrpn(synth, 0, 120, 48, 64, 100);
  out = render(synth, 8820);
  CHECK(levelDb(out, 4410, 8820) - before == Approx(-10.0).margin(0.1));
  // Generator 51 (coarseTune) +12 semitones (scale 1): data 8192 + 12.
  nrpn(synth, 0, 120, 51, 64, 12);
  out = render(synth, 8820);
  CHECK(centsBetween(frequencyHz(out.left, 1024, out.size(), kRate), 880.0) == Approx(0.0).margin(1.0));
  // Generator 52 (fineTune) -30 cents; then 8 (initialFilterFc) at 2 cents a step on the
  // filtered preset: -1600 steps = -3200 cents takes 2.1 kHz to 0.33 kHz.
  nrpn(synth, 0, 120, 52, (8192 - 30) >> 7, (8192 - 30) & 0x7F);
  out = render(synth, 8820);
  CHECK(centsBetween(frequencyHz(out.left, 1024, out.size(), kRate), 880.0) == Approx(-30.0).margin(1.0));
  synth.allSoundOff();
  render(synth, 4410);
  cc(synth, 1, 121, 0);
  synth.programChange(1, 1);
  synth.noteOn(1, 69, 100);
  out = render(synth, 8820);
  const double open = levelDb(out, 4410, 8820);
  nrpn(synth, 1, 120, 8, (8192 - 1600) >> 7, (8192 - 1600) & 0x7F);
  out = render(synth, 8820);
  const double closed = levelDb(out, 4410, 8820);
  INFO("open " << open << " dB, closed " << closed << " dB");
  CHECK(closed - open < -5.0);
  // The offset holds for the next notes too; data entry 8192 takes it away.
  synth.noteOff(1, 69);
  render(synth, 8820);
  synth.noteOn(1, 69, 100);
  out = render(synth, 8820);
  CHECK(levelDb(out, 4410, 8820) == Approx(closed).margin(0.2));
  nrpn(synth, 1, 120, 8, 64, 0);
  out = render(synth, 8820);
  CHECK(levelDb(out, 4410, 8820) == Approx(open).margin(0.2));
  // LSB 100 then 48 selects generator 148 (there is none): nothing changes, and the next
  // plain selection names generator 48 again.
  cc(synth, 1, 99, 120);
  cc(synth, 1, 98, 100);
  cc(synth, 1, 98, 48);
  cc(synth, 1, 38, 100);
  cc(synth, 1, 6, 64);
  out = render(synth, 8820);
  CHECK(levelDb(out, 4410, 8820) == Approx(open).margin(0.2));
  nrpn(synth, 1, 120, 48, 64, 60);  // +60 cB
  out = render(synth, 8820);
  CHECK(levelDb(out, 4410, 8820) - open == Approx(-6.0).margin(0.1));
}

TEST_CASE("GS part NRPNs: vibrato depth and rate, cutoff, attack and release", "[synth][nrpn][gs]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  SECTION("vibrato depth (1/9) +63: 126 cents of vibrato; rate (1/8) +63 is 2.5x faster") {
    auto vibrato = [&](double& depth_cents, double& rate_Hz) {
      synth.noteOn(0, 69, 100);
      const StereoBuffer out = render(synth, static_cast<size_t>(1.2 * kRate));
      synth.allSoundOff();
      render(synth, 4410);
      std::vector<double> cents;
      for (double t = 0.1; t < 1.15; t += 0.002) {
        const auto b = static_cast<size_t>((t - 0.004) * kRate), e = static_cast<size_t>((t + 0.004) * kRate);
        cents.push_back(centsBetween(frequencyHz(out.left, b, e, kRate), 440.0));
      }
      double lo = 1e9, hi = -1e9;
      int crossings = 0;
      for (size_t i = 0; i < cents.size(); ++i) {
        lo = std::min(lo, cents[i]);
        hi = std::max(hi, cents[i]);
        if (i > 0 && cents[i - 1] < 0.0 && cents[i] >= 0.0) ++crossings;
      }
      depth_cents = (hi - lo) / 2.0;
      rate_Hz = crossings / 1.05;
    };
    double depth = 0, rate = 0;
    vibrato(depth, rate);
    CHECK(depth < 1.0);
    nrpn(synth, 0, 1, 9, 64 + 63);
    vibrato(depth, rate);
    CHECK(depth == Approx(126.0).margin(10.0));
    CHECK(rate == Approx(8.176).margin(1.0));  // the SF2 default vibrato LFO
    nrpn(synth, 0, 1, 8, 64 + 63);
    vibrato(depth, rate);
    CHECK(rate == Approx(8.176 * std::exp2(63.0 * 25.0 / 1200.0)).margin(2.0));
  }
  SECTION("TVF cutoff (1/32) -64 closes the filter; resonance (1/33) raises the peak") {
    synth.programChange(0, 1);
    synth.noteOn(0, 69, 100);
    StereoBuffer out = render(synth, 8820);
    const double open = levelDb(out, 4410, 8820);
    nrpn(synth, 0, 1, 32, 0);  // -64 x 50 cents: 2.1 kHz -> 0.33 kHz
    out = render(synth, 8820);
    const double closed = levelDb(out, 4410, 8820);
    CHECK(closed - open < -5.0);
    // The cutoff on the note, where resonance raises it (below the cutoff modern lowers the
    // pass band as Q rises, so a note there gets quieter).
    // -2200 cents, and velocity 100's -510 (SF2.04 velocity to cutoff): 9600 - 2710 cents,
    // within 10 cents of the note.
    nrpn(synth, 0, 1, 32, 64 - 44);
    out = render(synth, 8820);
    const double flat = levelDb(out, 4410, 8820);
    nrpn(synth, 0, 1, 33, 127);      // +63 x 3 cB of resonance
    out = render(synth, 8820);
    CHECK(levelDb(out, 4410, 8820) > flat + 1.0);
  }
  SECTION("TVA attack (1/99) +63 slows the onset; release (1/102) +40 lengthens the tail") {
    synth.noteOn(0, 69, 100);
    StereoBuffer out = render(synth, 8820);
    const double early = levelDb(out, 0, 220);  // first 5 ms
    synth.allSoundOff();
    render(synth, 4410);
    nrpn(synth, 0, 1, 99, 127);  // -12000 + 6300 timecents: 37 ms attack
    synth.noteOn(0, 69, 100);
    out = render(synth, 8820);
    CHECK(levelDb(out, 0, 220) < early - 10.0);
    synth.allSoundOff();
    render(synth, 4410);
    nrpn(synth, 0, 1, 99, 64);
    // Release: the bank's 31 ms (-6000 timecents) becomes -2000 timecents (0.31 s).
    auto tail = [&]() {
      synth.noteOn(0, 69, 100);
      render(synth, 4410);
      synth.noteOff(0, 69);
      const StereoBuffer t = render(synth, 22050);
      return levelDb(t, 4410, 6615);  // 100..150 ms after note-off
    };
    const double shortTail = tail();
    nrpn(synth, 0, 1, 102, 64 + 40);
    CHECK(tail() > shortTail + 20.0);
  }
}

TEST_CASE("GS drum instrument NRPNs: pitch, level and pan of one key", "[synth][nrpn][gs][drums]") {
  Synth synth(sf2Settings());
  synth.setBank(sineDrumBank());
  CHECK(noteCents(synth, 9, 69, 69) == Approx(0.0).margin(1.0));
  nrpn(synth, 9, 24, 69, 64 + 5);  // key 69 five semitones up
  CHECK(noteCents(synth, 9, 69, 74) == Approx(0.0).margin(1.0));
  CHECK(noteCents(synth, 9, 70, 70) == Approx(0.0).margin(1.0));  // other keys as they were
  auto level = [&](int key, double& left, double& right) {
    synth.noteOn(9, key, 100);
    const StereoBuffer out = render(synth, 8820);
    synth.noteOff(9, key);
    render(synth, 8820);
    left = toDecibels(rms(out.left, 4410, 8820));
    right = toDecibels(rms(out.right, 4410, 8820));
  };
  double l0 = 0, r0 = 0, l1 = 0, r1 = 0;
  level(69, l0, r0);
  nrpn(synth, 9, 26, 69, 64);  // level 64 of 127: 40 log10(64/127) = -11.9 dB
  level(69, l1, r1);
  CHECK(l1 - l0 == Approx(40.0 * std::log10(64.0 / 127.0)).margin(0.2));
  nrpn(synth, 9, 28, 69, 127);  // pan hard right
  level(69, l1, r1);
  CHECK(r1 - l1 > 30.0);
}

TEST_CASE("sysex: cut-short, over-long and garbage messages are ignored without reading past them", "[synth][sysex]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  Bytes octave{0xF0, 0x7F, 0x7F, 0x08, 0x09, 0x03, 0x7F, 0x7F};
  for (int i = 0; i < 24; ++i) octave.push_back(0x40);
  octave.push_back(0xF7);
  Bytes dump{0xF0, 0x7E, 0x7F, 0x08, 0x01, 0x00};
  for (int i = 0; i < 16 + 384 + 1; ++i) dump.push_back(0x20);
  dump.push_back(0xF7);
  const std::vector<Bytes> messages = {
      octave, dump, gs(0x40, 0x11, 0x40, Bytes(12, 0x50)), gs(0x40, 0x12, 0x15, {0x01}),
      {0xF0, 0x7F, 0x7F, 0x08, 0x02, 0x00, 0x05, 60, 61, 0, 0, 0xF7},  // announces 5 changes, has 1
      {0xF0, 0x7F, 0x7F, 0x04, 0x01, 0x00, 0x40, 0xF7}, {0xF0, 0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7}};
  for (const Bytes& m : messages) {
    for (size_t n = 0; n <= m.size(); ++n) {
      // Each prefix in a buffer of exactly that size (AddressSanitizer sees any overread),
      // once as it is and once closed with F7.
      std::vector<uint8_t> cut(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(n));
      synth.sysex(cut.empty() ? nullptr : cut.data(), cut.size());
      if (n > 0) {
        cut.back() = 0xF7;
        synth.sysex(cut.data(), cut.size());
      }
    }
  }
  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> junk(static_cast<size_t>(random() % 40 + 1));
    for (uint8_t& b : junk) b = static_cast<uint8_t>(random() & 0x7F);
    junk.front() = 0xF0;
    const uint8_t makers[] = {0x41, 0x43, 0x7E, 0x7F};  // Roland, Yamaha, universal
    junk[1 % junk.size()] = makers[random() % 4];
    junk.back() = 0xF7;
    synth.sysex(junk.data(), junk.size());
  }
  send(synth, {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7});
  CHECK(noteCents(synth, 0, 69, 69) == Approx(0.0).margin(1.0));
}

TEST_CASE("channel modes, tunings, sysex and NRPNs allocate nothing on the audio thread", "[synth][sysex][realtime]") {
  Synth synth(sf2Settings());
  synth.setBank(testBank());
  Bytes dump{0xF0, 0x7E, 0x7F, 0x08, 0x01, 0x02};
  for (int i = 0; i < 16; ++i) dump.push_back(0x20);
  for (int key = 0; key < 128; ++key) dump.insert(dump.end(), {static_cast<uint8_t>(key), 0x10, 0x00});
  dump.insert(dump.end(), {0x00, 0xF7});
  Bytes octave{0xF0, 0x7F, 0x7F, 0x08, 0x08, 0x03, 0x7F, 0x7F};
  for (int pc = 0; pc < 12; ++pc) octave.push_back(static_cast<uint8_t>(60 + pc));
  octave.push_back(0xF7);
  const Bytes gsTuning = gs(0x40, 0x11, 0x40, Bytes(12, 70));
  const Bytes drumPart = gs(0x40, 0x12, 0x15, {0x01});
  const Bytes gsReset = gs(0x40, 0x00, 0x7F, {0x00});
  const Bytes volume{0xF0, 0x7F, 0x7F, 0x04, 0x01, 0x00, 0x60, 0xF7};
  const Bytes single{0xF0, 0x7F, 0x7F, 0x08, 0x02, 0x02, 0x01, 64, 64, 0x20, 0x00, 0xF7};
  StereoBuffer out;
  out.left.reserve(1 << 20);
  out.right.reserve(1 << 20);
  render(synth, 1024);  // first-use set-up outside the measured part
  const uint64_t before = AllocationTrap::audioThreadAllocationCount();
  {
    const AllocationTrap::ScopedAudioThread audio;
    for (int round = 0; round < 3; ++round) {
      send(synth, dump);
      send(synth, octave);
      send(synth, gsTuning);
      send(synth, drumPart);
      send(synth, volume);
      rpn(synth, 0, 3, 2);
      rpn(synth, 0, 5, 1);
      cc(synth, 0, 5, 2);
      cc(synth, 0, 65, 127);
      cc(synth, 0, 1, 100);
      synth.noteOn(0, 60, 100);
      renderInto(synth, out, 2048);
      synth.noteOn(0, 64, 100);
      send(synth, single);
      nrpn(synth, 0, 120, 8, 60, 0);
      nrpn(synth, 0, 1, 9, 100);
      nrpn(synth, 2, 24, 60, 70);
      synth.noteOn(2, 60, 100);
      cc(synth, 1, 126, 1);
      synth.noteOn(1, 60, 100);
      synth.noteOn(1, 67, 100);
      renderInto(synth, out, 2048);
      synth.noteOff(1, 67);
      cc(synth, 0, 84, 40);
      synth.noteOn(0, 72, 100);
      renderInto(synth, out, 4096);
      synth.allNotesOff();
      send(synth, gsReset);
      renderInto(synth, out, 4096);
    }
  }
  CHECK(AllocationTrap::audioThreadAllocationCount() == before);
}
