// Every switch between the awe and modern personalities, rendered in both and measured.
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

constexpr double kRate = 44100.0;

SynthSettings settingsFor(Personality p) {
  SynthSettings s = sf2Settings();
  s.personality = p;
  return s;
}

int timecents(double seconds) { return static_cast<int>(std::lround(1200.0 * std::log2(seconds))); }

// One looped region over `sample` with `gens`; CC7 at full so only the bank attenuates.
struct Rig {
  Synth synth;
  Rig(Personality p, SampleSpec sample, std::map<Gen, int> gens, uint16_t bank = 0)
      : synth(settingsFor(p)) {
    RegionSpec r;
    r.gens = std::move(gens);
    if (r.gens.count(Gen::SampleModes) == 0) r.gens[Gen::SampleModes] = 1;
    PresetSpec preset;
    preset.bank = bank;
    preset.regions.push_back(r);
    synth.setBank(makeBank({std::move(sample)}, {preset}));
    for (int c = 0; c < kMidiChannels; ++c) synth.controlChange(c, 7, 127);
  }
};

// A sine of `hz` at the 44.1 kHz data rate, looped over whole cycles, root key 60.
SampleSpec sineSample(double period_samples, int cycles) {
  SampleSpec s;
  s.data = sineCycles(period_samples, cycles);
  s.loopStart = 0;
  s.loopEnd = static_cast<uint32_t>(s.data.size());
  s.originalKey = 60;
  return s;
}

double steadyLevel_dB(Synth& synth, int key = 60, int velocity = 127, int channel = 0) {
  synth.noteOn(channel, key, velocity);
  StereoBuffer out = render(synth, 16384);
  synth.allSoundOff();
  render(synth, 2048);
  return toDecibels(rms(out.left, 8192, 16384));
}

}  // namespace

TEST_CASE("attenuation: both apply x0.4, awe in 0.375 dB steps, modern continuously", "[personality][volume]") {
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    const double reference = [&] {
      Rig rig(p, constantLoopSample(), {});
      return steadyLevel_dB(rig.synth);
    }();
    for (int cB : {50, 100, 150, 200, 375}) {
      Rig rig(p, constantLoopSample(), {{Gen::InitialAttenuation, cB}});
      const double drop = reference - steadyLevel_dB(rig.synth);
      const double expected = p == Personality::Awe
                                  ? emu::attenuationFromRegister(emu::attenuationRegister(0.4 * cB / 10.0))
                                  : 0.4 * cB / 10.0;
      INFO(personalityName(p) << " initialAttenuation " << cB << " cB: " << drop << " dB down");
      CHECK(std::fabs(drop - expected) < 0.05);
      if (p == Personality::Awe) CHECK(std::fabs(drop - 0.4 * cB / 10.0) <= 0.375 / 2 + 0.05);  // 2 dB per 50 cB
    }
  }
}

TEST_CASE("tremolo: awe never rises above full scale, modern swings both ways", "[personality][volume]") {
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    Rig flat(p, constantLoopSample(), {});
    flat.synth.noteOn(0, 60, 127);
    const double fullScale = rms(render(flat.synth, 8192).left, 4096, 8192);
    Rig rig(p, constantLoopSample(), {{Gen::ModLfoToVolume, 60}, {Gen::FreqModLfo, timecents(5.0 / 8.176)}});
    rig.synth.noteOn(0, 60, 127);
    StereoBuffer out = render(rig.synth, 44100);
    const double peak = toDecibels(peakAbs(out.left, 4410, 44100) / fullScale);
    double low = 1e9;
    for (size_t i = 4410; i < out.size(); ++i) low = std::min(low, static_cast<double>(std::fabs(out.left[i])));
    const double trough = toDecibels(low / fullScale);
    INFO(personalityName(p) << ": tremolo between " << trough << " and " << peak << " dB");
    if (p == Personality::Awe) {
      CHECK(peak < 0.05);
      CHECK(trough == Approx(-6.0).margin(0.4));
    } else {
      CHECK(peak == Approx(6.0).margin(0.3));
      CHECK(trough == Approx(-6.0).margin(0.3));
    }
  }
}

TEST_CASE("cutoff: awe's register opens fully near 8 kHz, modern keeps filtering", "[personality][filter]") {
  // A 5 kHz tone (8.82 samples per cycle) through cutoffs from 4.9 kHz to 19.9 kHz.
  auto gain = [](Personality p, int cutoff) {
    Rig open(p, sineSample(8.82, 500), {{Gen::InitialFilterFc, 13500}});
    Rig rig(p, sineSample(8.82, 500), {{Gen::InitialFilterFc, cutoff}});
    return steadyLevel_dB(rig.synth) - steadyLevel_dB(open.synth);
  };
  // awe: every cutoff from ~7.8 kHz up is the same open filter: a flat curve.
  for (int cutoff : {12000, 12500, 13000}) CHECK(std::fabs(gain(Personality::Awe, cutoff)) < 0.01);
  CHECK(gain(Personality::Awe, 11000) < -2.0);
  // modern: an 8.4 kHz Butterworth still takes a little off 5 kHz, more than 11.6 kHz does.
  const double g12000 = gain(Personality::Modern, 12000), g12500 = gain(Personality::Modern, 12500);
  CHECK(g12000 < -0.3);
  CHECK(g12000 < g12500 - 0.1);
}

TEST_CASE("resonance: awe caps Q near 20 dB and lowers the input, modern follows the file", "[personality][filter]") {
  // Tone 1102.5 Hz (40 samples a cycle) swept by pitch bend across a cutoff placed on it.
  const int cutoff = static_cast<int>(std::lround(emu::cutoffCentsFromRegister(emu::cutoffRegister(
      1200.0 * std::log2(1102.5 / 8.175798915643707)))));
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    auto level = [&](int q_cB, int cutoffGen, double cents) {
      Rig rig(p, sineSample(40.0, 100), {{Gen::InitialFilterFc, cutoffGen}, {Gen::InitialFilterQ, q_cB}});
      rig.synth.controlChange(0, 101, 0);
      rig.synth.controlChange(0, 100, 0);
      rig.synth.controlChange(0, 6, 2);
      rig.synth.pitchBend(0, 8192 + static_cast<int>(std::lround(cents / 200.0 * 8191)));
      return steadyLevel_dB(rig.synth);
    };
    const double unfiltered = level(0, 13500, 0.0);
    double peak = -200.0;
    for (int cents = -150; cents <= 150; cents += 5) peak = std::max(peak, level(300, cutoff, cents));
    // Pass-band reference: the same filter far above the tone (below awe's open top).
    const double passband = level(300, cutoff + 3300, 0.0);  // 2.75 octaves above the tone
    INFO(personalityName(p) << ": pass-band " << passband - unfiltered << " dB, peak " << peak - passband << " dB above it");
    if (p == Personality::Awe) {
      CHECK(peak - passband == Approx(emu::kQTopResonance_dB).margin(1.0));
      CHECK(passband - unfiltered == Approx(20.0 * std::log10(emu::qDcGain(15))).margin(0.5));
    } else {
      CHECK(peak - passband == Approx(30.0).margin(1.0));
      // The pass band drops so the peak stays 6 dB over the unfiltered level (Filter.h).
      CHECK(passband - unfiltered == Approx(20.0 * std::log10(resonanceCompensation(30.0))).margin(0.3));
    }
  }
}

TEST_CASE("envelope times: awe lands on the register grids, modern on the file's times", "[personality][envelope]") {
  const double attack_s = 0.100, hold_s = 0.150, delay_s = 0.010;
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    Rig rig(p, constantLoopSample(),
            {{Gen::DelayVolEnv, timecents(delay_s)}, {Gen::AttackVolEnv, timecents(attack_s)},
             {Gen::HoldVolEnv, timecents(hold_s)}, {Gen::DecayVolEnv, timecents(2.0)}, {Gen::SustainVolEnv, 1000}});
    rig.synth.noteOn(0, 60, 127);
    StereoBuffer out = render(rig.synth, 44100);
    const double full = peakAbs(out.left, 0, out.size());
    const double onset_s = static_cast<double>(firstAbove(out.left, 0.0)) / kRate;
    size_t peakAt = 0;
    while (peakAt < out.size() && std::fabs(out.left[peakAt]) < full * 0.9999) ++peakAt;
    size_t holdEnd = peakAt;
    while (holdEnd < out.size() && std::fabs(out.left[holdEnd]) >= full * 0.9999) ++holdEnd;
    const double measuredAttack = static_cast<double>(peakAt) / kRate - onset_s;
    const double measuredHold = static_cast<double>(holdEnd - peakAt) / kRate;
    double expectAttack = attack_s, expectHold = hold_s, expectDelay = delay_s + 1.0 / kRate;
    if (p == Personality::Awe) {
      expectAttack = emu::attackSeconds(emu::attackRegister(attack_s));  // 98.1 ms
      expectHold = emu::holdSamples(emu::holdRegister(hold_s)) / 44100.0;  // 2 x 92.9 ms
      expectDelay = emu::quantizeDelay_samples(delay_s) / 44100.0 + 1.0 / kRate;
    }
    INFO(personalityName(p) << ": delay " << onset_s << " attack " << measuredAttack << " hold " << measuredHold);
    CHECK(std::fabs(onset_s - expectDelay) < 0.001);
    CHECK(std::fabs(measuredAttack - expectAttack) < 0.001);
    CHECK(std::fabs(measuredHold - expectHold) < 0.001);
    if (p == Personality::Awe) {
      CHECK(std::fabs(expectHold - hold_s) > 0.02);  // the grid really moved it
      CHECK(std::fabs(expectAttack - attack_s) > 0.0015);
    }
  }
}

TEST_CASE("pitch: awe stops 2 octaves above the sample's rate, modern goes on", "[personality][pitch]") {
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    Rig rig(p, sineSample(100.0, 64), {});
    rig.synth.noteOn(0, 60 + 36, 127);  // 3 octaves up
    StereoBuffer out = render(rig.synth, 16384);
    const double f = frequencyHz(out.left, 2048, out.size(), kRate);
    const double expected = p == Personality::Awe ? 441.0 * 4.0 : 441.0 * 8.0;
    INFO(personalityName(p) << ": " << f << " Hz");
    CHECK(std::fabs(centsBetween(f, expected)) < 1.0);
  }
}

TEST_CASE("mod wheel: awe deepens LFO1, modern the vibrato LFO", "[personality][lfo]") {
  // LFO1 at 5 Hz, LFO2 at 8 Hz; the mod wheel's vibrato shows which one it drives.
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    Rig rig(p, sineSample(100.0, 64),
            {{Gen::FreqModLfo, timecents(5.0 / 8.175798915643707)}, {Gen::FreqVibLfo, timecents(8.0 / 8.175798915643707)}});
    rig.synth.controlChange(0, 1, 127);
    rig.synth.noteOn(0, 60, 127);
    StereoBuffer out = render(rig.synth, 2 * 44100);
    // Instantaneous period from successive rising zero crossings, then the rate at which
    // it oscillates around its mean.
    std::vector<double> crossings;
    for (size_t i = 1; i < out.size(); ++i) {
      if (out.left[i - 1] < 0.0f && out.left[i] >= 0.0f)
        crossings.push_back(static_cast<double>(i - 1) + out.left[i - 1] / (out.left[i - 1] - out.left[i]));
    }
    std::vector<double> periods;
    for (size_t i = 1; i < crossings.size(); ++i) periods.push_back(crossings[i] - crossings[i - 1]);
    double mean = 0.0;
    for (double x : periods) mean += x;
    mean /= static_cast<double>(periods.size());
    int signChanges = 0;
    double spread = 0.0;
    for (size_t i = 1; i < periods.size(); ++i) {
      if ((periods[i - 1] - mean) * (periods[i] - mean) < 0.0) ++signChanges;
      spread = std::max(spread, std::fabs(periods[i] - mean));
    }
    const double seconds = (crossings.back() - crossings.front()) / kRate;
    const double vibratoRate = signChanges / 2.0 / seconds;
    INFO(personalityName(p) << ": vibrato at " << vibratoRate << " Hz, period spread " << spread);
    CHECK(spread > 0.1);  // there is vibrato
    CHECK(vibratoRate == Approx(p == Personality::Awe ? 5.0 : 8.0).margin(0.5));
  }
}

TEST_CASE("velocity to cutoff: awe only with a slow attack and not on drums", "[personality][filter]") {
  // A 5 kHz tone at velocity 40: compare a 100 ms attack with the 6 ms minimum.
  auto darkening = [](Personality p, int channel, uint16_t bank) {
    auto level = [&](double attack) {
      Rig rig(p, sineSample(8.82, 500), {{Gen::AttackVolEnv, timecents(attack)}}, bank);
      rig.synth.noteOn(channel, 60, 40);
      StereoBuffer out = render(rig.synth, 22050);
      return toDecibels(rms(out.left, 11025, 22050));
    };
    return level(0.1) - level(0.006);
  };
  const double aweMelodic = darkening(Personality::Awe, 0, 0);
  const double aweDrums = darkening(Personality::Awe, 9, 128);
  const double modern = darkening(Personality::Modern, 0, 0);
  INFO("awe " << aweMelodic << " dB, awe drums " << aweDrums << " dB, modern " << modern << " dB");
  CHECK(aweMelodic < -6.0);
  CHECK(std::fabs(aweDrums) < 0.1);
  CHECK(std::fabs(modern) < 0.1);
}

TEST_CASE("stealing: awe takes the oldest released voice, modern the quietest", "[personality][steal]") {
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    SynthSettings s = settingsFor(p);
    s.polyphony = 3;
    Synth synth(s);
    RegionSpec slow, fast;
    slow.keyHi = 61;
    slow.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, timecents(20.0)}};
    fast.keyLo = 62;
    fast.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, timecents(0.5)}};
    PresetSpec preset;
    preset.regions = {slow, fast};
    synth.setBank(makeBank({constantLoopSample()}, {preset}));
    synth.noteOn(0, 60, 127);  // oldest, released slowly: still loud
    render(synth, 512);
    synth.noteOn(0, 62, 127);  // released fast: quiet
    render(synth, 512);
    synth.noteOn(0, 64, 127);  // held
    synth.noteOff(0, 60);
    synth.noteOff(0, 62);
    render(synth, 4410);
    synth.noteOn(0, 66, 127);
    bool has60 = false, has62 = false;
    for (int i = 0; i < synth.voiceCount(); ++i) {
      const VoiceInfo v = synth.voiceInfo(i);
      if (v.stage == VoiceStage::Free) continue;
      has60 |= v.key == 60;
      has62 |= v.key == 62;
    }
    INFO(personalityName(p));
    if (p == Personality::Awe) {
      CHECK(!has60);
      CHECK(has62);
    } else {
      CHECK(has60);
      CHECK(!has62);
    }
  }
}

TEST_CASE("AWE32 NRPN edits are heard within one buffer", "[personality][nrpn]") {
  for (Personality p : {Personality::Awe, Personality::Modern}) {
    Rig rig(p, sineSample(100.0, 64), {});
    auto nrpn = [&](int parameter, int value) {
      const int data = value + 8192;
      rig.synth.controlChange(0, 99, 127);
      rig.synth.controlChange(0, 98, parameter);
      rig.synth.controlChange(0, 38, data & 0x7F);
      rig.synth.controlChange(0, 6, data >> 7);
    };
    rig.synth.noteOn(0, 60, 127);
    StereoBuffer before = render(rig.synth, 4096);
    nrpn(16, 100);  // initial pitch +100 cents
    StereoBuffer pitched = render(rig.synth, 1024);
    nrpn(21, 0);  // cutoff to its lowest (4335 cents, ~100 Hz): the 441 Hz tone drops
    StereoBuffer filtered = render(rig.synth, 1024);
    INFO(personalityName(p));
    CHECK(std::fabs(centsBetween(frequencyHz(before.left, 1024, 4096, kRate), 441.0)) < 1.0);
    CHECK(std::fabs(centsBetween(frequencyHz(pitched.left, 100, 1024, kRate), 441.0 * std::exp2(100.0 / 1200.0))) < 3.0);
    CHECK(toDecibels(rms(filtered.left, 512, 1024)) < toDecibels(rms(pitched.left, 512, 1024)) - 12.0);
  }
}

TEST_CASE("the personality follows the bank's sound engine when asked", "[personality]") {
  Bank::Parts emu;
  emu.info.soundEngine = "EMU8000";
  Bank::Parts other;
  other.info.soundEngine = "E-mu 10K1";
  CHECK(personalityForBank(Bank(std::move(emu))) == Personality::Awe);
  CHECK(personalityForBank(Bank(std::move(other))) == Personality::Modern);
  CHECK(parsePersonality("awe") == Personality::Awe);
  CHECK_THROWS_WITH(parsePersonality("sb16"), Catch::Contains("awe or modern"));
}
