// Volume and modulation envelopes measured on rendered audio: stage times within 1 ms,
// levels within 0.5 dB (SF2 8.1.3 units: timecents, centibels).
#include <catch2/catch.hpp>
#include <cmath>

#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
constexpr double kLevel = 0.5;                  // the constant sample is half full scale
constexpr double kCentrePan = 0.70710678118;    // constant-power pan at the centre

int timecents(double seconds) { return static_cast<int>(std::lround(1200.0 * std::log2(seconds))); }
double fromTimecents(int tc) { return std::exp2(tc / 1200.0); }

std::shared_ptr<const Bank> constantBank(std::map<Gen, int> gens) {
  gens[Gen::SampleModes] = 1;
  return oneRegionBank(constantLoopSample(), std::move(gens));
}

// Envelope gain in dB per sample of the rendered left channel.
std::vector<double> levels_dB(const StereoBuffer& out) {
  std::vector<double> db(out.size());
  for (size_t i = 0; i < out.size(); ++i) db[i] = toDecibels(std::fabs(out.left[i]) / (kLevel * kCentrePan));
  return db;
}

size_t firstAtOrAbove(const std::vector<double>& db, double level, size_t from = 0) {
  for (size_t i = from; i < db.size(); ++i)
    if (db[i] >= level) return i;
  return db.size();
}
size_t firstAtOrBelow(const std::vector<double>& db, double level, size_t from = 0) {
  for (size_t i = from; i < db.size(); ++i)
    if (db[i] <= level) return i;
  return db.size();
}
double ms(size_t samples) { return 1000.0 * static_cast<double>(samples) / kRate; }

}  // namespace

TEST_CASE("volume envelope stages land on time and level", "[synth][envelope]") {
  const int delay = timecents(0.100), attack = timecents(0.200), hold = timecents(0.050);
  const int decay = timecents(1.0), release = timecents(0.5);
  const double delay_ms = 1000 * fromTimecents(delay), attack_ms = 1000 * fromTimecents(attack);
  const double hold_ms = 1000 * fromTimecents(hold), decay_s = fromTimecents(decay);
  const double release_s = fromTimecents(release);
  Synth synth(sf2Settings());
  synth.setBank(constantBank({{Gen::DelayVolEnv, delay},
                              {Gen::AttackVolEnv, attack},
                              {Gen::HoldVolEnv, hold},
                              {Gen::DecayVolEnv, decay},
                              {Gen::SustainVolEnv, 300},  // 30 dB down
                              {Gen::ReleaseVolEnv, release}}));
  synth.controlChange(0, 7, 127);
  synth.noteOn(0, 60, 127);
  StereoBuffer out = render(synth, static_cast<size_t>(kRate));  // key held for 1 s
  synth.noteOff(0, 60);
  renderInto(synth, out, static_cast<size_t>(kRate));
  const std::vector<double> db = levels_dB(out);

  // Delay: silence, then the attack starts.
  const size_t onset = firstAbove(out.left, 1e-6);
  CHECK(std::fabs(ms(onset) - delay_ms) < 1.0);
  // Attack is linear in amplitude: half amplitude (-6.02 dB) half-way through it.
  CHECK(std::fabs(ms(firstAtOrAbove(db, -6.0206)) - (delay_ms + attack_ms / 2)) < 1.0);
  const size_t peak = firstAtOrAbove(db, -0.01);
  CHECK(std::fabs(ms(peak) - (delay_ms + attack_ms)) < 1.0);
  // Hold at full level, then decay linear in dB at 100 dB per decay time.
  const double decayStart_ms = delay_ms + attack_ms + hold_ms;
  const size_t down1 = firstAtOrBelow(db, -1.0, peak);
  CHECK(std::fabs(ms(down1) - (decayStart_ms + 1000.0 * decay_s / 100.0)) < 1.0);
  const size_t down5 = firstAtOrBelow(db, -5.0, peak), down25 = firstAtOrBelow(db, -25.0, peak);
  const double slope_dBps = 20.0 / (static_cast<double>(down25 - down5) / kRate);
  CHECK(slope_dBps == Approx(100.0 / decay_s).epsilon(0.01));
  // Sustain level.
  CHECK(std::fabs(toDecibels(rms(out.left, 40000, 44000) / (kLevel * kCentrePan)) - (-30.0)) < 0.5);
  // Release from the sustain level at 100 dB per release time.
  const size_t off = static_cast<size_t>(kRate);
  const size_t down40 = firstAtOrBelow(db, -40.0, off), down70 = firstAtOrBelow(db, -70.0, off);
  CHECK(std::fabs(ms(down40) - (ms(off) + 1000.0 * release_s * 10.0 / 100.0)) < 1.0);
  CHECK(std::fabs(ms(down70) - (ms(off) + 1000.0 * release_s * 40.0 / 100.0)) < 1.0);
  // The voice ends 96 dB down.
  CHECK(synth.activeVoices() == 0);
  const size_t silent = firstAtOrBelow(db, -200.0, off);
  CHECK(std::fabs(ms(silent) - (ms(off) + 1000.0 * release_s * 66.0 / 100.0)) < 1.0);
}

TEST_CASE("release during the attack starts from the level reached", "[synth][envelope]") {
  Synth synth(sf2Settings());
  synth.setBank(constantBank({{Gen::AttackVolEnv, timecents(0.4)}, {Gen::ReleaseVolEnv, timecents(1.0)}}));
  synth.controlChange(0, 7, 127);
  synth.noteOn(0, 60, 127);
  StereoBuffer out = render(synth, static_cast<size_t>(0.1 * kRate));  // a quarter of the attack
  synth.noteOff(0, 60);
  renderInto(synth, out, static_cast<size_t>(0.2 * kRate));
  const std::vector<double> db = levels_dB(out);
  const double atRelease = db[static_cast<size_t>(0.1 * kRate) - 1];
  CHECK(std::fabs(atRelease - toDecibels(0.25)) < 0.5);
  // 100 ms later it has fallen another 10 dB.
  CHECK(std::fabs(db[static_cast<size_t>(0.2 * kRate) - 1] - (atRelease - 10.0)) < 0.5);
}

TEST_CASE("key number scales hold and decay", "[synth][envelope]") {
  // keynumToVolEnvDecay 100 tc/key: key 72 decays 2^(-12*100/1200) = half as long as key 60.
  auto decayTime = [](int key) {
    Synth synth(sf2Settings());
    synth.setBank(constantBank({{Gen::DecayVolEnv, timecents(1.0)}, {Gen::SustainVolEnv, 600},
                                {Gen::KeynumToVolEnvDecay, 100}}));
    synth.controlChange(0, 7, 127);
    synth.noteOn(0, key, 127);
    const std::vector<double> db = levels_dB(render(synth, static_cast<size_t>(kRate)));
    return static_cast<double>(firstAtOrBelow(db, -20.0, 100) - firstAtOrBelow(db, -10.0, 100)) / kRate;
  };
  CHECK(decayTime(60) == Approx(0.1).margin(0.001));
  CHECK(decayTime(72) == Approx(0.05).margin(0.001));
}

TEST_CASE("sustain pedal holds released notes until it is lifted", "[synth][envelope]") {
  Synth synth(sf2Settings());
  synth.setBank(constantBank({{Gen::ReleaseVolEnv, timecents(0.1)}}));
  synth.controlChange(0, 7, 127);
  synth.controlChange(0, 64, 127);
  synth.noteOn(0, 60, 127);
  render(synth, 4410);
  synth.noteOff(0, 60);
  StereoBuffer held = render(synth, 22050);
  CHECK(std::fabs(toDecibels(rms(held.left, 20000, 22050) / (kLevel * kCentrePan))) < 0.5);
  synth.controlChange(0, 64, 0);
  StereoBuffer released = render(synth, 22050);
  CHECK(synth.activeVoices() == 0);
  CHECK(peakAbs(released.left, 10000, 22050) == 0.0);
}

TEST_CASE("modulation envelope bends pitch and reaches its sustain", "[synth][envelope]") {
  const SampleSpec s = sine440Sample();
  RegionSpec r;
  r.gens = {{Gen::SampleModes, 1}, {Gen::ModEnvToPitch, 1200}, {Gen::AttackModEnv, timecents(0.05)},
            {Gen::DecayModEnv, timecents(0.2)}, {Gen::SustainModEnv, 500}};
  PresetSpec p;
  p.regions.push_back(r);
  Synth synth(sf2Settings());
  synth.setBank(makeBank({s}, {p}));
  synth.noteOn(0, 69, 127);
  StereoBuffer out = render(synth, static_cast<size_t>(kRate));
  // Sustain at half depth: +600 cents.
  CHECK(std::fabs(centsBetween(frequencyHz(out.left, 30000, 44100, kRate), 440.0) - 600.0) < 1.0);
}

// A held voice whose modulation envelope sustains is stepped with the other steady voices
// (Synth.cpp, enterSteady): its pitch and cutoff stay where the envelope left them, a
// controller that makes it read its parameters again changes no sample, and its release
// starts from the sustain level at note-off, not from where the envelope was when the
// voice became steady.
TEST_CASE("a sustaining modulation envelope holds pitch and cutoff through the steady walk and releases from there",
          "[synth][envelope]") {
  const SampleSpec s = sine440Sample();
  RegionSpec r;
  r.gens = {{Gen::SampleModes, 1},        {Gen::ModEnvToPitch, 1200},         {Gen::ModEnvToFilterFc, -2400},
            {Gen::InitialFilterFc, 9000}, {Gen::AttackModEnv, timecents(0.05)}, {Gen::DecayModEnv, timecents(0.2)},
            {Gen::SustainModEnv, 500},    {Gen::ReleaseModEnv, timecents(1.0)}, {Gen::ReleaseVolEnv, timecents(2.0)}};
  PresetSpec p;
  p.regions.push_back(r);
  const auto bank = makeBank({s}, {p});
  constexpr size_t kHeld = 44100, kAfter = 22050, kReleased = 8820;
  auto play = [&](bool reread) {
    Synth synth(sf2Settings());
    synth.setBank(bank);
    synth.noteOn(0, 69, 127);
    StereoBuffer held = render(synth, kHeld);
    if (reread) synth.midiMessage(0xB0, 1, 0);  // the mod wheel to where it is: nothing changes
    StereoBuffer after = render(synth, kAfter);
    synth.noteOff(0, 69);
    StereoBuffer released = render(synth, kReleased);
    held.left.insert(held.left.end(), after.left.begin(), after.left.end());
    held.left.insert(held.left.end(), released.left.begin(), released.left.end());
    return held.left;
  };
  const std::vector<float> plain = play(false), reread = play(true);
  REQUIRE(plain.size() == reread.size());
  float largest = 0.0f;
  for (size_t i = 0; i < plain.size(); ++i) largest = std::max(largest, std::fabs(plain[i] - reread[i]));
  CHECK(largest == 0.0f);
  // Sustain at half depth: +600 cents, long after the envelope got there.
  CHECK(std::fabs(centsBetween(frequencyHz(plain, kHeld, kHeld + kAfter, kRate), 440.0) - 600.0) < 1.0);
  // The release falls 1200 cents a second from +600 (the whole depth in its 1 s): -120
  // cents over its first 100 ms, so the mean over them is 60 cents under the sustain pitch.
  const double releasing_cents = centsBetween(frequencyHz(plain, kHeld + kAfter, kHeld + kAfter + 4410, kRate), 440.0);
  INFO("pitch over the release's first 100 ms: " << releasing_cents << " cents");
  CHECK(std::fabs(releasing_cents - 540.0) < 5.0);
}
