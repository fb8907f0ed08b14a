// awe-make-bank: builds the project's own General MIDI SoundFont from synthesized
// waveforms only (no recordings), deterministically: the same bytes on every run.
//
//   awe-make-bank -o soundfonts/awe-gm.sf2 [--verbose]
//
// Every sample is computed here: additive partials for tones (pianos, bells, organs,
// winds, strings, synths), Karplus-Strong strings for plucks and basses, filtered noise
// and metallic partials for drums. Sustained samples loop over a whole number of periods
// of every partial they contain, so a loop joins without a jump. Programs reuse sample
// families with their own envelopes, filters, LFOs and layers; which program plays what is
// a table (kPatches, kPrograms) that buildPrograms reads.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "emu8000/Sf2Writer.h"
#include "monitor/report/OutputFile.h"

namespace {

using awe::Gen;
using GenEntry = awe::Sf2Description::GenEntry;

constexpr double kPi = 3.14159265358979323846;
constexpr uint32_t kRate = 22050;      // tones and most drums
constexpr uint32_t kRateHigh = 32000;  // cymbals, hats and other bright metal
constexpr double kTargetLoudness = 0.2;  // 50 ms RMS every family is scaled to (full scale 1)

int roundToInt(double x) { return static_cast<int>(std::lround(x)); }
double midiToHz(double key) { return 440.0 * std::pow(2.0, (key - 69.0) / 12.0); }
double hzToMidi(double hz) { return 69.0 + 12.0 * std::log2(hz / 440.0); }
double dbToGain(double db) { return std::pow(10.0, db / 20.0); }

// ---------------------------------------------------------------------------------------
// Deterministic randomness: xorshift64* seeded from a name, so every sample has its own
// stream and changing one sample never changes another.

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed != 0 ? seed : 0x9E3779B97F4A7C15ULL) {}
  explicit Rng(const std::string& name) : Rng(fnv1a(name)) {}
  uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double bipolar() { return 2.0 * uniform() - 1.0; }                                             // [-1, 1)
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }

 private:
  static uint64_t fnv1a(const std::string& s) {
    uint64_t h = 0xCBF29CE484222325ULL;
    for (char c : s) {
      h ^= static_cast<uint8_t>(c);
      h *= 0x100000001B3ULL;
    }
    return h;
  }
  uint64_t state_;
};

// ---------------------------------------------------------------------------------------
// Small DSP pieces.

// RBJ biquad, direct form II transposed.
struct Biquad {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
  double z1 = 0, z2 = 0;

  static Biquad make(double b0, double b1, double b2, double a0, double a1, double a2) {
    Biquad f;
    f.b0 = b0 / a0;
    f.b1 = b1 / a0;
    f.b2 = b2 / a0;
    f.a1 = a1 / a0;
    f.a2 = a2 / a0;
    return f;
  }
  static Biquad lowpass(double hz, double q, double rate) {
    const double w = 2 * kPi * hz / rate, c = std::cos(w), alpha = std::sin(w) / (2 * q);
    return make((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
  }
  static Biquad highpass(double hz, double q, double rate) {
    const double w = 2 * kPi * hz / rate, c = std::cos(w), alpha = std::sin(w) / (2 * q);
    return make((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
  }
  // Constant 0 dB peak gain.
  static Biquad bandpass(double hz, double q, double rate) {
    const double w = 2 * kPi * hz / rate, c = std::cos(w), alpha = std::sin(w) / (2 * q);
    return make(alpha, 0, -alpha, 1 + alpha, -2 * c, 1 - alpha);
  }
  double process(double x) {
    const double y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    return y;
  }
  void run(std::vector<double>& v) {
    for (double& x : v) x = process(x);
  }
};

// One sine period of `length` points; partials index it with integer steps so that every
// partial completes a whole number of periods in `length` samples.
class SineTable {
 public:
  explicit SineTable(uint32_t length) : table_(length) {
    for (uint32_t i = 0; i < length; ++i) table_[i] = std::sin(2 * kPi * i / length);
  }
  double operator[](uint64_t index) const { return table_[index % table_.size()]; }
  uint32_t size() const { return static_cast<uint32_t>(table_.size()); }

 private:
  std::vector<double> table_;
};

// Noise that repeats exactly every `length` samples: random-phase sines on the integer
// bins of the loop, weighted by `shape(hz)`. Normalized to RMS 1.
std::vector<double> periodicNoise(uint32_t length, uint32_t rate, Rng& rng,
                                  const std::function<double(double)>& shape) {
  const SineTable table(length);
  std::vector<double> out(length, 0.0);
  for (uint32_t bin = 1; bin < length / 2; ++bin) {
    const double amp = shape(static_cast<double>(bin) * rate / length);
    const uint32_t phase = rng.below(length);
    if (amp <= 0) continue;
    uint64_t index = phase;
    for (uint32_t t = 0; t < length; ++t, index += bin) out[t] += amp * table[index];
  }
  double energy = 0;
  for (double x : out) energy += x * x;
  const double rms = std::sqrt(energy / length);
  if (rms > 0)
    for (double& x : out) x /= rms;
  return out;
}

std::vector<double> whiteNoise(size_t frames, Rng& rng) {
  std::vector<double> v(frames);
  for (double& x : v) x = rng.bipolar();
  return v;
}

size_t framesOf(double seconds, uint32_t rate) { return static_cast<size_t>(std::lround(seconds * rate)); }

// Filtered white noise under an exponential decay (time constant tau_s); 0 Hz skips a filter.
std::vector<double> noiseBurst(double length_s, double tau_s, double lowpass_hz, double highpass_hz, uint32_t rate,
                               Rng& rng, double q = 0.7071) {
  std::vector<double> v = whiteNoise(framesOf(length_s, rate), rng);
  if (lowpass_hz > 0) Biquad::lowpass(lowpass_hz, q, rate).run(v);
  if (highpass_hz > 0) Biquad::highpass(highpass_hz, q, rate).run(v);
  for (size_t t = 0; t < v.size(); ++t) v[t] *= std::exp(-static_cast<double>(t) / (tau_s * rate));
  return v;
}

// Band-passed noise burst.
std::vector<double> bandBurst(double length_s, double tau_s, double center_hz, double q, uint32_t rate, Rng& rng) {
  std::vector<double> v = whiteNoise(framesOf(length_s, rate), rng);
  Biquad::bandpass(center_hz, q, rate).run(v);
  for (size_t t = 0; t < v.size(); ++t) v[t] *= std::exp(-static_cast<double>(t) / (tau_s * rate));
  return v;
}

// ---------------------------------------------------------------------------------------
// A synthesized sample before it is scaled and quantized.

struct Wave {
  std::string name;
  uint32_t rate = kRate;
  std::vector<double> data;
  bool looped = false;
  uint32_t loopStart = 0, loopEnd = 0;
  double pitch_hz = 0;  // 0: unpitched (stored with root key 60)
};

// Frames appended after a loop (the spec wants valid points beyond the loop end for
// interpolation); they continue the periodic signal.
constexpr uint32_t kTailFrames = 16;

// Additive tone: partials whose frequencies are integer bins of the loop, so the loop
// [settle, settle + loopFrames) is exactly periodic. Each partial moves from its start
// amplitude to its loop amplitude during the settle time and stays there.
struct Partial {
  double ratio = 1;     // frequency relative to the fundamental
  double startAmp = 1;  // at the note start
  double loopAmp = 1;   // constant from the loop start on
  double curve = 3;     // shape of the move (0 linear; larger moves faster at first)
  int binOffset = 0;    // extra bins (a detuned copy beats at offset * rate / loopFrames Hz)
};

struct ToneSpec {
  std::string name;
  uint32_t rate = kRate;
  double pitch_hz = 261.63;
  uint32_t loopFrames = 4096;
  double settle_s = 0.01;
  double maxPartial_hz = 0;  // 0: 0.45 * rate
  uint32_t binMultiple = 1;  // fundamental bin rounded to a multiple (2 for half-ratio partials)
  std::vector<Partial> partials;
  std::vector<double> transient;  // added from the start; should be silent before the loop
  // Periodic noise (length loopFrames) mixed in, moving from start to loop level.
  std::vector<double> noise;
  double noiseStart = 0, noiseLoop = 0;
};

double settleShape(double u, double curve) {
  if (u >= 1) return 0;
  if (curve < 1e-6) return 1 - u;
  return (std::exp(-curve * u) - std::exp(-curve)) / (1 - std::exp(-curve));
}

Wave synthTone(const ToneSpec& spec) {
  const uint32_t L = spec.loopFrames;
  const SineTable table(L);
  const uint32_t m = std::max<uint32_t>(1, spec.binMultiple);
  const uint32_t fundamentalBin =
      m * std::max<uint32_t>(1, static_cast<uint32_t>(std::lround(spec.pitch_hz * L / spec.rate / m)));
  const double maxHz = spec.maxPartial_hz > 0 ? spec.maxPartial_hz : 0.45 * spec.rate;
  const uint32_t settle = std::max<uint32_t>(8, static_cast<uint32_t>(std::lround(spec.settle_s * spec.rate)));
  const uint32_t total = settle + L + kTailFrames;

  Wave w;
  w.name = spec.name;
  w.rate = spec.rate;
  w.data.assign(total, 0.0);
  w.looped = true;
  w.loopStart = settle;
  w.loopEnd = settle + L;
  w.pitch_hz = static_cast<double>(fundamentalBin) * spec.rate / L;

  Rng rng(spec.name);
  for (const Partial& p : spec.partials) {
    const double exact = p.ratio * fundamentalBin;
    const long bin = std::lround(exact) + p.binOffset;
    if (bin <= 0 || static_cast<double>(bin) * spec.rate / L >= maxHz) continue;
    uint64_t index = rng.below(L);
    for (uint32_t t = 0; t < total; ++t, index += static_cast<uint64_t>(bin)) {
      const double amp = p.loopAmp + (p.startAmp - p.loopAmp) * settleShape(static_cast<double>(t) / settle, p.curve);
      w.data[t] += amp * table[index];
    }
  }
  // The transient must be over before the loop starts: fade out whatever reaches it.
  const size_t fade = std::min<size_t>(64, settle);
  for (size_t t = 0; t < spec.transient.size() && t < settle; ++t) {
    const double g = t + fade >= settle ? static_cast<double>(settle - t) / static_cast<double>(fade) : 1.0;
    w.data[t] += g * spec.transient[t];
  }
  if (!spec.noise.empty()) {
    for (uint32_t t = 0; t < total; ++t) {
      const double amp = spec.noiseLoop + (spec.noiseStart - spec.noiseLoop) * settleShape(static_cast<double>(t) / settle, 2);
      w.data[t] += amp * spec.noise[t % spec.noise.size()];
    }
  }
  return w;
}

// Karplus-Strong string: a noise burst circulating in a delay of exactly `period` samples
// through a symmetric (zero-phase) loss filter. After `settle_s` the loss stops, so the
// string repeats its last period exactly and the loop joins seamlessly; the volume
// envelope carries the rest of the decay.
struct PluckSpec {
  std::string name;
  uint32_t rate = kRate;
  double pitch_hz = 110;
  double decay_s = 2;         // fundamental's 60 dB decay while the loss runs
  double damping = 0.25;      // side taps of the loss filter (0 bright .. 0.25 dark)
  double pickPosition = 0.2;  // 0..0.5 of the string length (comb on the excitation)
  double excitation_hz = 0;   // low-pass on the initial burst (0: none)
  double settle_s = 0.5;
  uint32_t minLoopFrames = 512;
};

Wave synthPluck(const PluckSpec& spec) {
  const uint32_t period = std::max<uint32_t>(4, static_cast<uint32_t>(std::lround(spec.rate / spec.pitch_hz)));
  const uint32_t settle = std::max(2 * period, static_cast<uint32_t>(std::lround(spec.settle_s * spec.rate)));
  const uint32_t periods = (spec.minLoopFrames + period - 1) / period;
  const uint32_t loopEnd = settle + periods * period;
  const uint32_t total = loopEnd + kTailFrames;
  Rng rng(spec.name);

  // Excitation: one period of noise, low-passed, combed at the pick position, no DC.
  std::vector<double> burst = whiteNoise(period, rng);
  if (spec.excitation_hz > 0) {
    Biquad lp = Biquad::lowpass(spec.excitation_hz, 0.7071, spec.rate);
    for (int pass = 0; pass < 2; ++pass) lp.run(burst);  // second pass: circular steady state
  }
  const uint32_t pick = std::max<uint32_t>(1, static_cast<uint32_t>(std::lround(spec.pickPosition * period)));
  std::vector<double> shaped(period);
  for (uint32_t i = 0; i < period; ++i) shaped[i] = burst[i] - burst[(i + pick) % period];
  double mean = 0;
  for (double x : shaped) mean += x;
  mean /= period;
  for (double& x : shaped) x -= mean;

  const double gain = std::pow(10.0, -3.0 * period / (spec.rate * spec.decay_s));
  const double a = spec.damping;
  std::vector<double> y(total, 0.0);
  for (uint32_t n = 0; n < total; ++n) {
    if (n < period) {
      y[n] = shaped[n];
    } else if (n < settle) {
      const double prev = n >= period + 1 ? y[n - period - 1] : 0.0;
      y[n] = gain * (a * prev + (1 - 2 * a) * y[n - period] + a * y[n - period + 1]);
    } else {
      y[n] = y[n - period];
    }
  }
  Wave w;
  w.name = spec.name;
  w.rate = spec.rate;
  w.data = std::move(y);
  w.looped = true;
  w.loopStart = settle;
  w.loopEnd = loopEnd;
  w.pitch_hz = static_cast<double>(spec.rate) / period;
  return w;
}

// ---------------------------------------------------------------------------------------
// Programs: how a set of samples is played (SF2 generators in readable units).

struct Patch {
  // Volume envelope. sustain_dB is the attenuation after the decay (0 = full level).
  double delay_s = 0, attack_s = 0.001, hold_s = 0, decay_s = 0, sustain_dB = 0, release_s = 0.2;
  int keyToVolDecay = 0;  // timecents per key above 60 (negative: higher notes decay faster)
  int keyToVolHold = 0;
  // Filter (0 = open).
  double filter_hz = 0, q_dB = 0;
  // Modulation envelope; sustain is a level 0..1.
  double modAttack_s = 0.001, modHold_s = 0, modDecay_s = 0, modSustain = 1, modRelease_s = 0;
  int modToFilter_cents = 0, modToPitch_cents = 0;
  // Vibrato LFO (pitch only).
  double vibRate_hz = 0, vibDelay_s = 0;
  int vibDepth_cents = 0;
  // Modulation LFO.
  double lfoRate_hz = 0, lfoDelay_s = 0;
  int lfoToVolume_cB = 0, lfoToFilter_cents = 0, lfoToPitch_cents = 0;
  // Mix and tuning.
  int reverb = 150, chorus = 0;  // 0.1 % units
  int pan = 0;                   // -500 (left) .. 500 (right)
  int attenuation_cB = 0;
  int coarse = 0, fine = 0;
  int scaleTuning = 100;
  int rootKey = -1;    // overriding root key
  int exclusiveClass = 0;
  bool oneShot = false;  // play looped samples without their loop
  // Layering: two copies detuned by ±detune_cents and panned ±layerPan.
  int detune_cents = 0, layerPan = 0;
};

int timecents(double seconds) {
  if (seconds <= 0.001) return -12000;
  return std::clamp(roundToInt(1200.0 * std::log2(seconds)), -12000, 8000);
}
int absoluteCents(double hz) { return roundToInt(1200.0 * std::log2(hz / 8.176)); }

struct KeyZone {
  uint16_t sample = 0;
  uint8_t keyLo = 0, keyHi = 127;
  bool looped = true;
};
using SampleSet = std::vector<KeyZone>;

// One layer of a program: a sample set played with a patch.
struct Layer {
  SampleSet set;
  Patch patch;
};

// Generators of one instrument zone, in the order SF2 wants (keyRange first, sampleID last).
std::vector<GenEntry> zoneGenerators(const KeyZone& zone, const Patch& p, int fine, int pan) {
  std::vector<GenEntry> g;
  auto put = [&g](Gen gen, int value) { g.push_back(GenEntry::value(gen, value)); };
  g.push_back(GenEntry::range(Gen::KeyRange, zone.keyLo, zone.keyHi));
  if (p.attenuation_cB > 0) put(Gen::InitialAttenuation, std::min(p.attenuation_cB, 1440));
  if (pan != 0) put(Gen::Pan, std::clamp(pan, -500, 500));
  if (p.coarse != 0) put(Gen::CoarseTune, p.coarse);
  if (fine != 0) put(Gen::FineTune, fine);
  if (p.scaleTuning != 100) put(Gen::ScaleTuning, p.scaleTuning);
  if (p.delay_s > 0) put(Gen::DelayVolEnv, timecents(p.delay_s));
  if (p.attack_s > 0.001) put(Gen::AttackVolEnv, timecents(p.attack_s));
  if (p.hold_s > 0) put(Gen::HoldVolEnv, timecents(p.hold_s));
  if (p.decay_s > 0) put(Gen::DecayVolEnv, timecents(p.decay_s));
  if (p.sustain_dB > 0) put(Gen::SustainVolEnv, std::min(roundToInt(p.sustain_dB * 10), 1440));
  put(Gen::ReleaseVolEnv, timecents(p.release_s));
  if (p.keyToVolHold != 0) put(Gen::KeynumToVolEnvHold, p.keyToVolHold);
  if (p.keyToVolDecay != 0) put(Gen::KeynumToVolEnvDecay, p.keyToVolDecay);
  if (p.filter_hz > 0) put(Gen::InitialFilterFc, std::clamp(absoluteCents(p.filter_hz), 1500, 13500));
  if (p.q_dB > 0) put(Gen::InitialFilterQ, std::min(roundToInt(p.q_dB * 10), 960));
  if (p.modToFilter_cents != 0 || p.modToPitch_cents != 0) {
    if (p.modAttack_s > 0.001) put(Gen::AttackModEnv, timecents(p.modAttack_s));
    if (p.modHold_s > 0) put(Gen::HoldModEnv, timecents(p.modHold_s));
    if (p.modDecay_s > 0) put(Gen::DecayModEnv, timecents(p.modDecay_s));
    if (p.modSustain < 1) put(Gen::SustainModEnv, roundToInt((1 - p.modSustain) * 1000));
    if (p.modRelease_s > 0) put(Gen::ReleaseModEnv, timecents(p.modRelease_s));
    if (p.modToFilter_cents != 0) put(Gen::ModEnvToFilterFc, p.modToFilter_cents);
    if (p.modToPitch_cents != 0) put(Gen::ModEnvToPitch, p.modToPitch_cents);
  }
  if (p.vibDepth_cents != 0) {
    put(Gen::FreqVibLfo, absoluteCents(p.vibRate_hz));
    if (p.vibDelay_s > 0) put(Gen::DelayVibLfo, timecents(p.vibDelay_s));
    put(Gen::VibLfoToPitch, p.vibDepth_cents);
  }
  if (p.lfoToVolume_cB != 0 || p.lfoToFilter_cents != 0 || p.lfoToPitch_cents != 0) {
    put(Gen::FreqModLfo, absoluteCents(p.lfoRate_hz));
    if (p.lfoDelay_s > 0) put(Gen::DelayModLfo, timecents(p.lfoDelay_s));
    if (p.lfoToVolume_cB != 0) put(Gen::ModLfoToVolume, p.lfoToVolume_cB);
    if (p.lfoToFilter_cents != 0) put(Gen::ModLfoToFilterFc, p.lfoToFilter_cents);
    if (p.lfoToPitch_cents != 0) put(Gen::ModLfoToPitch, p.lfoToPitch_cents);
  }
  if (p.chorus > 0) put(Gen::ChorusEffectsSend, std::min(p.chorus, 1000));
  if (p.reverb > 0) put(Gen::ReverbEffectsSend, std::min(p.reverb, 1000));
  if (p.exclusiveClass != 0) put(Gen::ExclusiveClass, p.exclusiveClass);
  if (p.rootKey >= 0) put(Gen::OverridingRootKey, p.rootKey);
  put(Gen::SampleModes, zone.looped && !p.oneShot ? 1 : 0);
  put(Gen::SampleId, zone.sample);
  return g;
}

// ---------------------------------------------------------------------------------------
// The bank under construction.

class BankBuilder {
 public:
  explicit BankBuilder(bool verbose) : verbose_(verbose) {
    desc_.name = "awe GM";
    desc_.soundEngine = "EMU8000";
    desc_.versionMajor = 2;
    desc_.versionMinor = 1;
    desc_.software = "awe-make-bank";
    desc_.copyright = "Made by the awe project from synthesized waveforms; free to use";
    desc_.comment = "General MIDI bank synthesized by awe-make-bank: 128 programs and a Standard drum kit.";
  }

  // Scales a family of waves together: each to the same loudness (the highest RMS over
  // 50 ms in the first half second of the note as it plays, loop included), then the
  // whole family so that its loudest peak stays below full scale. Returns the zones for
  // the given key ranges (keyHi: upper key of each wave but the last).
  SampleSet addFamily(const std::string& family, std::vector<Wave> waves, const std::vector<int>& keyHi,
                      double targetLoudness = kTargetLoudness) {
    std::vector<double> gains;
    double limit = 1.0;
    for (const Wave& w : waves) {
      const double loud = loudness(w);
      const double gain = loud > 0 ? targetLoudness / loud : 1.0;
      gains.push_back(gain);
      const double peak = peakOf(w) * gain;
      if (peak > kPeakCeiling) limit = std::min(limit, kPeakCeiling / peak);
    }
    if (verbose_ && limit < 1.0)
      fmt::print("  family {:<14} peak-limited by {:.1f} dB\n", family, -20 * std::log10(limit));
    SampleSet set;
    int lo = 0;
    for (size_t i = 0; i < waves.size(); ++i) {
      const int hi = i < keyHi.size() ? keyHi[i] : 127;
      KeyZone z;
      z.sample = store(waves[i], gains[i] * limit);
      z.keyLo = static_cast<uint8_t>(lo);
      z.keyHi = static_cast<uint8_t>(i + 1 == waves.size() ? 127 : hi);
      z.looped = waves[i].looped;
      set.push_back(z);
      lo = hi + 1;
    }
    return set;
  }

  // A single unpitched or pitched sample scaled to a peak level.
  KeyZone addPeak(Wave w, double peak = 0.9) {
    const double p = peakOf(w);
    KeyZone z;
    z.sample = store(w, p > 0 ? peak / p : 1.0);
    z.looped = w.looped;
    return z;
  }

  void addProgram(int bank, int program, const std::string& name, const std::vector<Layer>& layers) {
    awe::Sf2Description::Instrument inst;
    inst.name = name;
    for (const Layer& layer : layers) {
      const Patch& p = layer.patch;
      const int copies = p.detune_cents != 0 ? 2 : 1;
      for (int c = 0; c < copies; ++c) {
        const int sign = copies == 2 ? (c == 0 ? -1 : 1) : 0;
        for (const KeyZone& z : layer.set) {
          awe::Sf2Description::Zone zone;
          zone.gens = zoneGenerators(z, p, p.fine + sign * p.detune_cents, p.pan + sign * p.layerPan);
          inst.zones.push_back(std::move(zone));
        }
      }
    }
    addInstrumentPreset(bank, program, name, std::move(inst));
  }

  // Drum kits: one zone per key, each with its own patch.
  struct DrumZone {
    int key;
    KeyZone sample;
    Patch patch;
  };
  void addDrumKit(int program, const std::string& name, const std::vector<DrumZone>& zones) {
    awe::Sf2Description::Instrument inst;
    inst.name = name;
    for (const DrumZone& d : zones) {
      KeyZone z = d.sample;
      z.keyLo = z.keyHi = static_cast<uint8_t>(d.key);
      Patch p = d.patch;
      if (p.rootKey < 0) p.rootKey = d.key;
      awe::Sf2Description::Zone zone;
      zone.gens = zoneGenerators(z, p, p.fine, p.pan);
      inst.zones.push_back(std::move(zone));
    }
    addInstrumentPreset(128, program, name, std::move(inst));
  }

  awe::Sf2Description& description() { return desc_; }
  size_t sampleCount() const { return desc_.samples.size(); }

 private:
  static constexpr double kPeakCeiling = 0.97;

  void addInstrumentPreset(int bank, int program, const std::string& name, awe::Sf2Description::Instrument inst) {
    const int instrumentIndex = static_cast<int>(desc_.instruments.size());
    desc_.instruments.push_back(std::move(inst));
    awe::Sf2Description::Preset preset;
    preset.name = name;
    preset.bank = static_cast<uint16_t>(bank);
    preset.program = static_cast<uint16_t>(program);
    awe::Sf2Description::Zone zone;
    zone.gens.push_back(GenEntry::value(Gen::Instrument, instrumentIndex));
    preset.zones.push_back(std::move(zone));
    desc_.presets.push_back(std::move(preset));
  }

  static double peakOf(const Wave& w) {
    double peak = 0;
    for (double x : w.data) peak = std::max(peak, std::fabs(x));
    return peak;
  }
  // Highest 50 ms RMS in the first half second of the note as the synth plays it.
  static double loudness(const Wave& w) {
    const size_t window = w.rate / 20, frames = w.rate / 2;
    std::vector<double> played;
    size_t pos = 0;
    for (size_t i = 0; i < frames; ++i) {
      if (w.looped && pos >= w.loopEnd) pos = w.loopStart;
      if (pos >= w.data.size()) break;
      played.push_back(w.data[pos++]);
    }
    double best = 0, energy = 0;
    for (size_t i = 0; i < played.size(); ++i) {
      energy += played[i] * played[i];
      if (i >= window) energy -= played[i - window] * played[i - window];
      best = std::max(best, energy);
    }
    return std::sqrt(std::max(best, 0.0) / static_cast<double>(window));
  }

  uint16_t store(const Wave& w, double gain) {
    // A loop's mean is the offset it would hold forever: remove it (a constant keeps the
    // loop seamless).
    double offset = 0;
    if (w.looped && w.loopEnd > w.loopStart) {
      for (uint32_t i = w.loopStart; i < w.loopEnd; ++i) offset += w.data[i];
      offset /= static_cast<double>(w.loopEnd - w.loopStart);
    }
    std::vector<int16_t> pcm(w.data.size());
    for (size_t i = 0; i < w.data.size(); ++i)
      pcm[i] = static_cast<int16_t>(std::clamp(std::lround((w.data[i] - offset) * gain * 32767.0), -32767L, 32767L));
    uint8_t key = 60;
    int8_t correction = 0;
    if (w.pitch_hz > 0) {
      const double midi = hzToMidi(w.pitch_hz);
      const int k = std::clamp(roundToInt(midi), 0, 127);
      key = static_cast<uint8_t>(k);
      correction = static_cast<int8_t>(std::clamp(roundToInt((k - midi) * 100.0), -99, 99));
    }
    // Unlooped samples still get valid loop points inside the data (never used).
    uint32_t loopStart = w.loopStart, loopEnd = w.loopEnd;
    const uint32_t frames = static_cast<uint32_t>(pcm.size());
    if (!w.looped) {
      loopStart = std::min<uint32_t>(8, frames);
      loopEnd = frames > 16 ? frames - 8 : frames;
    }
    return desc_.addSample(w.name, pcm.data(), frames, w.rate, key, loopStart, loopEnd, correction);
  }

  bool verbose_;
  awe::Sf2Description desc_;
};

// ---------------------------------------------------------------------------------------
// General MIDI program names (shortened where the GM name exceeds SF2's 20 characters).

const std::array<const char*, 128> kGmNames = {
    "Acoustic Grand Piano", "Bright Acoust. Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet",
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone",
    "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ",
    "Reed Organ", "Accordion", "Harmonica", "Tango Accordion",
    "Ac. Guitar (nylon)", "Ac. Guitar (steel)", "El. Guitar (jazz)", "El. Guitar (clean)",
    "El. Guitar (muted)", "Overdriven Guitar", "Distortion Guitar", "Guitar Harmonics",
    "Acoustic Bass", "El. Bass (finger)", "El. Bass (pick)", "Fretless Bass",
    "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    "Violin", "Viola", "Cello", "Contrabass",
    "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani",
    "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2",
    "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit",
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet",
    "French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2",
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax",
    "Oboe", "English Horn", "Bassoon", "Clarinet",
    "Piccolo", "Flute", "Recorder", "Pan Flute",
    "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)",
    "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
    "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    "Sitar", "Banjo", "Shamisen", "Koto",
    "Kalimba", "Bag pipe", "Fiddle", "Shanai",
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock",
    "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal",
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet",
    "Telephone Ring", "Helicopter", "Applause", "Gunshot",
};

// ---------------------------------------------------------------------------------------
// Sample families. Each returns waves at the given root keys; the caller gives key ranges.

// Acoustic piano: stiff-string partials (inharmonicity grows up the keyboard), a hammer
// spectrum with a strike-position comb, upper partials dying faster than lower ones
// during the settle, a second string beating on the upper partials, and a hammer knock.
Wave pianoNote(int key) {
  const double f0 = midiToHz(key);
  ToneSpec s;
  s.name = fmt::format("Piano {}", key);
  s.pitch_hz = f0;
  s.loopFrames = key < 52 ? 8192 : 4096;
  s.settle_s = key < 52 ? 0.55 : (key < 76 ? 0.45 : 0.3);
  s.maxPartial_hz = 9500;
  const double inharmonicity = 0.00012 * std::pow(2.0, (key - 40) / 9.0);
  const double strike = 1.0 / 8.3;
  const double detune = 0.0012;  // second string, relative
  const double bin_hz = static_cast<double>(s.rate) / s.loopFrames;
  for (int n = 1; n <= 80; ++n) {
    const double ratio = n * std::sqrt(1 + inharmonicity * n * n);
    const double fn = f0 * ratio;
    if (fn > s.maxPartial_hz) break;
    double amp = std::pow(n, -0.9) * (0.35 + 0.65 * std::fabs(std::sin(kPi * n * strike)));
    amp /= std::sqrt(1 + std::pow(fn / 2800.0, 2));
    const double settleDb = 3 + 16 * std::pow(fn / 2500.0, 0.8) + 0.4 * n;
    Partial p;
    p.ratio = ratio;
    p.startAmp = amp;
    p.loopAmp = amp * dbToGain(-std::min(settleDb, 45.0));
    p.curve = 3.5;
    const int offset = static_cast<int>(std::lround(fn * detune / bin_hz));
    if (offset == 0) {
      s.partials.push_back(p);
    } else {
      p.startAmp *= 0.6;
      p.loopAmp *= 0.6;
      s.partials.push_back(p);
      p.binOffset = offset;
      p.startAmp *= 0.75;
      p.loopAmp *= 0.75;
      s.partials.push_back(p);
    }
  }
  // Hammer: a short low-passed noise knock plus a thump.
  Rng rng(s.name + " hammer");
  const size_t knockFrames = static_cast<size_t>(0.04 * s.rate);
  std::vector<double> knock = whiteNoise(knockFrames, rng);
  Biquad lp = Biquad::lowpass(std::min(1500.0 + 4 * f0, 6000.0), 0.7, s.rate);
  lp.run(knock);
  for (size_t t = 0; t < knockFrames; ++t) {
    const double env = std::exp(-static_cast<double>(t) / (0.006 * s.rate));
    knock[t] = 0.35 * env * knock[t] + 0.25 * env * std::sin(2 * kPi * 70.0 * static_cast<double>(t) / s.rate);
  }
  s.transient = std::move(knock);
  return synthTone(s);
}

// Electric piano 1 (tine): nearly sinusoidal, with the pickup's second harmonic and the
// tine's inharmonic "bark" in the attack, stronger on low notes.
Wave epianoTine(int key) {
  ToneSpec s;
  s.name = fmt::format("EPiano {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 1024;
  s.settle_s = 0.3;
  s.maxPartial_hz = 8000;
  const double bark = std::clamp(1.0 - (key - 36) / 60.0, 0.3, 1.0);
  s.partials = {{1, 1.0, 0.85, 2},       {2, 0.1 + 0.35 * bark, 0.1, 3}, {3, 0.2 * bark, 0.03, 4},
                {4, 0.08 * bark, 0, 5},  {7.1, 0.25, 0, 14},            {14.3, 0.1 * bark, 0, 18}};
  Rng rng(s.name);
  s.transient = noiseBurst(0.03, 0.004, 1200, 0, s.rate, rng);
  for (double& x : s.transient) x *= 0.4;
  return synthTone(s);
}

// Electric piano 2 (FM): bright harmonic attack falling to a soft tone, with a metallic
// ring from high sidebands.
Wave epianoFm(int key) {
  ToneSpec s;
  s.name = fmt::format("FM Piano {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 1024;
  s.settle_s = 0.3;
  s.maxPartial_hz = 9000;
  const double start[] = {1, 0.6, 0.45, 0.3, 0.22, 0.15, 0.1, 0.07, 0.05, 0.03};
  const double loop[] = {0.9, 0.18, 0.05, 0.02, 0, 0, 0, 0, 0, 0};
  for (int n = 1; n <= 10; ++n) s.partials.push_back({static_cast<double>(n), start[n - 1], loop[n - 1], 4});
  s.partials.push_back({13, 0.18, 0, 12});
  s.partials.push_back({15, 0.14, 0, 12});
  return synthTone(s);
}

// Plucked strings of three characters (Karplus-Strong).
enum class PluckKind { Soft, Medium, Bright };
Wave pluckNote(PluckKind kind, int key) {
  PluckSpec p;
  p.pitch_hz = midiToHz(key);
  switch (kind) {
    case PluckKind::Soft:
      p.name = fmt::format("Nylon {}", key);
      p.damping = 0.22;
      p.pickPosition = 0.22;
      p.excitation_hz = 2500;
      p.decay_s = 3;
      break;
    case PluckKind::Medium:
      p.name = fmt::format("Guitar {}", key);
      p.damping = 0.12;
      p.pickPosition = 0.16;
      p.excitation_hz = 5000;
      p.decay_s = 4;
      break;
    case PluckKind::Bright:
      p.name = fmt::format("Pluck {}", key);
      p.damping = 0.05;
      p.pickPosition = 0.11;
      p.decay_s = 4;
      break;
  }
  p.settle_s = key < 50 ? 0.45 : 0.35;
  return synthPluck(p);
}

// Struck bars: free-free bar modes (glockenspiel), tuned bars with a resonator (marimba,
// vibraphone: modes at 1, 4, 10) and xylophone (1, 3, 6).
enum class BarKind { Glock, Mallet, Xylo };
Wave barNote(BarKind kind, int key) {
  ToneSpec s;
  s.pitch_hz = midiToHz(key);
  s.maxPartial_hz = 9500;
  Rng rng(fmt::format("bar {} {}", static_cast<int>(kind), key));
  switch (kind) {
    case BarKind::Glock:
      s.name = fmt::format("Glock {}", key);
      s.loopFrames = 2048;
      s.settle_s = 0.25;
      s.partials = {{1, 1, 0.55, 3}, {2.756, 0.45, 0.05, 5}, {5.404, 0.25, 0, 7}, {8.933, 0.12, 0, 9}};
      s.transient = noiseBurst(0.01, 0.001, 0, 2000, s.rate, rng);
      for (double& x : s.transient) x *= 0.3;
      break;
    case BarKind::Mallet:
      s.name = fmt::format("Mallet {}", key);
      s.loopFrames = 2048;
      s.settle_s = 0.3;
      s.partials = {{1, 1, 0.75, 2}, {3.93, 0.5, 0.08, 5}, {9.2, 0.2, 0, 9}};
      s.transient = noiseBurst(0.03, 0.004, 800, 0, s.rate, rng);
      for (double& x : s.transient) x *= 0.5;
      break;
    case BarKind::Xylo:
      s.name = fmt::format("Xylo {}", key);
      s.loopFrames = 2048;
      s.settle_s = 0.15;
      s.partials = {{1, 1, 0.5, 3}, {3.0, 0.45, 0.04, 6}, {6.1, 0.2, 0, 9}};
      s.transient = noiseBurst(0.015, 0.002, 3000, 0, s.rate, rng);
      for (double& x : s.transient) x *= 0.5;
      break;
  }
  return synthTone(s);
}

// Bell: hum, prime, minor-third tierce, quint, nominal and upper partials, the lower ones
// ringing longest. Pitched at the prime.
Wave bellNote(int key) {
  ToneSpec s;
  s.name = fmt::format("Bell {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 4096;
  s.settle_s = 0.5;
  s.maxPartial_hz = 9500;
  s.binMultiple = 2;
  s.partials = {{0.5, 0.5, 0.4, 1},   {1, 1, 0.6, 2},     {1.19, 0.6, 0.3, 3},  {1.5, 0.3, 0.1, 3},
                {2.0, 0.6, 0.15, 4},  {2.52, 0.3, 0, 5},  {3.0, 0.2, 0, 6},     {4.07, 0.15, 0, 7},
                {5.2, 0.08, 0, 8}};
  Rng rng(s.name);
  s.transient = noiseBurst(0.01, 0.0015, 0, 1500, s.rate, rng);
  for (double& x : s.transient) x *= 0.2;
  return synthTone(s);
}

// Tonewheel organ: drawbars at 16', 5 1/3', 8', 4', 2 2/3', 2', 1 3/5', 1 1/3', 1' (levels
// 0-8, about 3 dB a step), optional decaying percussion harmonic, key click, and the
// upper harmonics an overdriven amplifier adds ("grit").
struct Drawbars {
  std::array<int, 9> levels{};
  double percussionRatio = 0;  // 0: none
  double grit = 0;             // 0: clean
};
Wave organNote(const std::string& family, const Drawbars& d, int key) {
  static const double kFootage[9] = {0.5, 1.5, 1, 2, 3, 4, 5, 6, 8};
  ToneSpec s;
  s.name = fmt::format("{} {}", family, key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 1024;
  s.binMultiple = 2;
  s.maxPartial_hz = 6000;
  s.settle_s = d.percussionRatio > 0 ? 0.35 : 0.01;
  for (int i = 0; i < 9; ++i) {
    if (d.levels[static_cast<size_t>(i)] == 0) continue;
    const double amp = dbToGain(-3.0 * (8 - d.levels[static_cast<size_t>(i)]));
    s.partials.push_back({kFootage[i], amp, amp, 0});
  }
  if (d.percussionRatio > 0) s.partials.push_back({d.percussionRatio, 0.9, 0, 4});
  for (int n = 7; n <= 16 && d.grit > 0; ++n) s.partials.push_back({static_cast<double>(n), d.grit / n, d.grit / n, 0});
  Rng rng(s.name);
  s.transient = bandBurst(0.006, 0.0015, 2500, 0.8, s.rate, rng);
  for (double& x : s.transient) x *= 0.5;
  Wave w = synthTone(s);
  return w;
}

// Pipe organ: principal chorus (8' + 4' + 2 2/3' + 2' and a mixture) over a 16' bourdon on
// the lower samples, with a breathy chiff at the start.
Wave pipeOrganNote(int key) {
  ToneSpec s;
  s.name = fmt::format("Pipe {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 4096;
  s.binMultiple = 2;
  s.maxPartial_hz = 7500;
  s.settle_s = 0.08;
  for (int n = 1; n <= 24; ++n) {
    double amp = std::pow(n, -1.4);
    if (n == 2 || n == 4) amp += 0.5 * std::pow(n / 2.0, -1.4);  // octave ranks
    if (n == 3 || n == 6 || n == 8) amp += 0.25;                   // quint and mixture
    s.partials.push_back({static_cast<double>(n), amp * 0.6, amp, 2});
  }
  if (key < 60) s.partials.push_back({0.5, 0.2, 0.6, 1});
  Rng rng(s.name);
  s.transient = bandBurst(0.06, 0.015, std::min(3 * s.pitch_hz, 5000.0), 2, s.rate, rng);
  for (double& x : s.transient) x *= 0.5;
  return synthTone(s);
}

// Free reed (harmonium, accordion, harmonica): sawtooth-like with a formant near 1.3 kHz.
Wave reedOrganNote(int key) {
  ToneSpec s;
  s.name = fmt::format("Reed {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 1024;
  s.maxPartial_hz = 8000;
  s.settle_s = 0.01;
  for (int n = 1; n <= 60; ++n) {
    const double fn = n * s.pitch_hz;
    const double formant = 1 + 1.5 * std::exp(-std::pow(std::log2(fn / 1300.0), 2) * 2);
    const double amp = formant / n * (n % 2 == 1 ? 1.0 : 0.7);
    s.partials.push_back({static_cast<double>(n), amp, amp, 0});
  }
  return synthTone(s);
}

// Bass strings: Karplus-Strong with a soft finger excitation.
Wave bassNote(int key) {
  PluckSpec p;
  p.name = fmt::format("Bass {}", key);
  p.pitch_hz = midiToHz(key);
  p.damping = 0.18;
  p.pickPosition = 0.25;
  p.excitation_hz = 1500;
  p.decay_s = 5;
  p.settle_s = 0.4;
  return synthPluck(p);
}

// Overdriven guitar: a sustained, compressed harmonic spectrum through a guitar cabinet
// (nothing above 5 kHz), brighter at the pick attack.
Wave driveNote(int key) {
  ToneSpec s;
  s.name = fmt::format("Drive {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 1024;
  s.settle_s = 0.15;
  s.maxPartial_hz = 6000;
  for (int n = 1; n <= 80; ++n) {
    const double fn = n * s.pitch_hz;
    const double cabinet = (fn / (fn + 120.0)) / std::sqrt(1 + std::pow(fn / 2800.0, 4));
    const double amp = (n % 2 == 1 ? 1.0 : 0.75) * std::pow(n, -0.6) * cabinet;
    s.partials.push_back({static_cast<double>(n), amp * (n > 3 ? 1.6 : 1.0), amp, 4});
  }
  Rng rng(s.name);
  s.transient = noiseBurst(0.015, 0.003, 0, 2000, s.rate, rng);
  for (double& x : s.transient) x *= 0.3;
  return synthTone(s);
}

// Analog oscillator waves, band-limited.
enum class Osc { Saw, Square, Round };
Wave oscNote(Osc kind, int key) {
  ToneSpec s;
  static const char* kNames[] = {"Saw", "Square", "Round"};
  s.name = fmt::format("{} {}", kNames[static_cast<int>(kind)], key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 1024;
  s.settle_s = 0.005;
  s.maxPartial_hz = 9500;
  for (int n = 1; n <= 200; ++n) {
    double amp = 0;
    switch (kind) {
      case Osc::Saw: amp = 1.0 / n; break;
      case Osc::Square: amp = n % 2 == 1 ? 1.0 / n : 0.0; break;
      case Osc::Round: amp = std::pow(0.45, n - 1); break;
    }
    if (amp > 1e-4) s.partials.push_back({static_cast<double>(n), amp, amp, 0});
  }
  return synthTone(s);
}

// Resonances (centre Hz, bandwidth Hz, gain) summed into a spectral envelope: body
// resonances of strings, vowel formants of voices, bores of winds.
struct Resonance {
  double center_hz, bandwidth_hz, gain;
};
double resonanceGain(double hz, const std::vector<Resonance>& resonances, double floor) {
  double g = floor;
  for (const Resonance& r : resonances) g += r.gain / std::sqrt(1 + std::pow((hz - r.center_hz) / (r.bandwidth_hz / 2), 2));
  return g;
}

// Adds a harmonic spectrum to a tone: amp(n, hz) for each harmonic; when `spread` is set
// (relative detune, e.g. 0.006 = 10 cents), harmonics high enough to be resolved by the
// loop get two extra copies a few bins away, so the loop shimmers like an ensemble.
template <typename Amp>
void addHarmonics(ToneSpec& s, int count, Amp amp, double spread = 0, double attackScale = 1, double curve = 0) {
  const double bin_hz = static_cast<double>(s.rate) / s.loopFrames;
  for (int n = 1; n <= count; ++n) {
    const double fn = n * s.pitch_hz;
    const double a = amp(n, fn);
    if (a <= 1e-5) continue;
    const int offset = static_cast<int>(std::lround(fn * spread / bin_hz));
    const double share = offset != 0 ? 0.6 : 1.0;
    s.partials.push_back({static_cast<double>(n), a * share * attackScale, a * share, curve});
    if (offset != 0) {
      s.partials.push_back({static_cast<double>(n), a * 0.45 * attackScale, a * 0.45, curve, offset});
      s.partials.push_back({static_cast<double>(n), a * 0.45 * attackScale, a * 0.45, curve, -offset});
    }
  }
}

// Band-limited breath or bow noise for a loop: periodic noise shaped by a band.
std::vector<double> breathNoise(const ToneSpec& s, double low_hz, double high_hz, const std::string& seed) {
  Rng rng(seed);
  return periodicNoise(s.loopFrames, s.rate, rng, [low_hz, high_hz](double hz) {
    if (hz < low_hz * 0.5 || hz > high_hz * 2) return 0.0;
    return 1.0 / std::sqrt((1 + std::pow(low_hz / hz, 4)) * (1 + std::pow(hz / high_hz, 4)));
  });
}

// Bowed strings: a sawtooth-like bow force through a violin-family body (air resonance,
// bridge hill), with rosin noise at the start. `ensemble`: a section that shimmers.
Wave stringNote(int key, bool ensemble) {
  ToneSpec s;
  s.name = fmt::format("{} {}", ensemble ? "Strings" : "Bowed", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = ensemble ? 8192 : 2048;
  s.settle_s = 0.08;
  s.maxPartial_hz = 9000;
  const std::vector<Resonance> body = {{290, 150, 0.9}, {480, 250, 0.5}, {1050, 500, 0.4}, {2600, 1400, 1.0}};
  addHarmonics(s, 120, [&](int n, double fn) { return std::pow(n, -0.85) * resonanceGain(fn, body, 0.25) / std::sqrt(1 + std::pow(fn / 6000, 4)); },
               ensemble ? 0.006 : 0.0);
  s.noise = breathNoise(s, 1500, 6000, s.name + " bow");
  s.noiseStart = 0.25;
  s.noiseLoop = 0.03;
  return synthTone(s);
}

// Voices: glottal harmonics (falling about 12 dB an octave) through vowel formants, sung by
// a group (shimmer), with a little breath.
Wave voiceNote(int key, bool ooh) {
  ToneSpec s;
  s.name = fmt::format("{} {}", ooh ? "Ooh" : "Aah", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 8192;
  s.settle_s = 0.02;
  s.maxPartial_hz = 8000;
  const std::vector<Resonance> aah = {{750, 110, 1.0}, {1200, 130, 0.55}, {2650, 200, 0.3}, {3400, 300, 0.15}};
  const std::vector<Resonance> oohF = {{330, 80, 1.0}, {850, 110, 0.35}, {2300, 200, 0.08}};
  const auto& formants = ooh ? oohF : aah;
  addHarmonics(s, 100, [&](int n, double fn) { return resonanceGain(fn, formants, 0.01) / (1 + 0.15 * n) * (fn < 90 ? 0.3 : 1.0); },
               0.008);
  s.noise = breathNoise(s, ooh ? 400 : 700, ooh ? 1200 : 3000, s.name + " breath");
  s.noiseStart = s.noiseLoop = 0.015;
  return synthTone(s);
}

// Timpani: a kettle-tuned membrane (nearly harmonic modes) struck with a felt mallet.
Wave timpaniNote(int key) {
  ToneSpec s;
  s.name = fmt::format("Timpani {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 4096;
  s.settle_s = 0.45;
  s.partials = {{1, 1, 0.55, 2},      {1.5, 0.6, 0.2, 3},  {1.99, 0.45, 0.12, 3}, {2.44, 0.3, 0.04, 4},
                {2.89, 0.25, 0.02, 5}, {3.33, 0.15, 0, 6}, {0.8, 0.25, 0, 8}};
  Rng rng(s.name);
  s.transient = noiseBurst(0.08, 0.012, 600, 0, s.rate, rng);
  for (double& x : s.transient) x *= 0.8;
  return synthTone(s);
}

// Orchestra hit: brass and strings on a major chord (root, fifth, octave, tenth, twelfth)
// with a noisy attack, dying in half a second. Pitched at the root.
Wave orchestraHit() {
  const double root = midiToHz(60);
  const uint32_t rate = kRate;
  const size_t frames = framesOf(0.7, rate);
  Wave w;
  w.name = "Orchestra Hit";
  w.rate = rate;
  w.pitch_hz = root;
  w.data.assign(frames, 0.0);
  const double chord[] = {1.0, 1.5, 2.0, 2.52, 3.0, 0.5};
  Rng rng(w.name);
  for (double ratio : chord) {
    for (int copy = 0; copy < 3; ++copy) {
      const double f = root * ratio * (1 + 0.004 * (copy - 1));
      const double phase = rng.uniform() * 2 * kPi;
      for (int n = 1; n * f < 8000; ++n) {
        const double amp = std::pow(n, -0.8) / (1 + std::pow(n * f / 2500, 2)) / 3;
        for (size_t t = 0; t < frames; ++t)
          w.data[t] += amp * std::sin(2 * kPi * n * f * static_cast<double>(t) / rate + n * phase);
      }
    }
  }
  std::vector<double> hit = noiseBurst(0.1, 0.02, 5000, 200, rate, rng);
  for (size_t t = 0; t < frames; ++t) {
    const double time = static_cast<double>(t) / rate;
    const double env = std::min(1.0, time / 0.004) * std::exp(-time / 0.16);
    w.data[t] = w.data[t] * env + (t < hit.size() ? 0.6 * hit[t] : 0.0);
  }
  return w;
}

// Brass: a bright lip-buzz spectrum with a formant near 1.2 kHz (the bell); the programs
// open a filter during the attack for the "blat".
Wave brassNote(int key) {
  ToneSpec s;
  s.name = fmt::format("Brass {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 2048;
  s.settle_s = 0.005;
  s.maxPartial_hz = 9000;
  addHarmonics(s, 100, [](int n, double fn) {
    return std::pow(n, -0.3) * (fn / (fn + 350)) / std::pow(1 + std::pow(fn / 1500, 2), 0.75);
  });
  return synthTone(s);
}

// Woodwinds. Sax: conical bore, bright with a breathy edge. Double reed: nasal formant,
// weak fundamental. Clarinet: cylindrical bore, odd harmonics in the low register.
enum class Reed { Sax, Double, Clarinet };
Wave reedNote(Reed kind, int key) {
  ToneSpec s;
  static const char* kNames[] = {"Sax", "Oboe", "Clarinet"};
  s.name = fmt::format("{} {}", kNames[static_cast<int>(kind)], key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 2048;
  s.settle_s = 0.04;
  s.maxPartial_hz = 9000;
  switch (kind) {
    case Reed::Sax: {
      const std::vector<Resonance> bore = {{700, 500, 0.8}, {1800, 900, 0.5}};
      addHarmonics(s, 100, [&](int n, double fn) { return std::pow(n, -0.7) * resonanceGain(fn, bore, 0.2) / (1 + std::pow(fn / 4000, 2)); });
      s.noise = breathNoise(s, 1500, 5000, s.name + " breath");
      s.noiseStart = 0.08;
      s.noiseLoop = 0.02;
      break;
    }
    case Reed::Double: {
      const std::vector<Resonance> bore = {{1100, 400, 1.0}, {2800, 800, 0.35}};
      addHarmonics(s, 100, [&](int n, double fn) { return (n == 1 ? 0.35 : 1.0) * std::pow(n, -0.5) * resonanceGain(fn, bore, 0.08); });
      break;
    }
    case Reed::Clarinet: {
      addHarmonics(s, 100, [&](int n, double fn) {
        const double oddness = fn < 1800 ? (n % 2 == 1 ? 1.0 : 0.08) : 0.6;
        return oddness / n / std::sqrt(1 + std::pow(fn / 3500, 2));
      });
      s.noise = breathNoise(s, 1000, 4000, s.name + " breath");
      s.noiseStart = 0.04;
      s.noiseLoop = 0.01;
      break;
    }
  }
  return synthTone(s);
}

// Flute: nearly sinusoidal with a soft second and third harmonic and plenty of breath,
// a stronger puff ("chiff") at the start. A long loop keeps the noise from sounding looped.
Wave fluteNote(int key) {
  ToneSpec s;
  s.name = fmt::format("Flute {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 8192;
  s.settle_s = 0.06;
  s.partials = {{1, 0.6, 1, 2}, {2, 0.3, 0.25, 2}, {3, 0.15, 0.12, 2}, {4, 0.05, 0.04, 2}, {5, 0.02, 0.02, 2}};
  s.noise = breathNoise(s, s.pitch_hz * 1.5, s.pitch_hz * 6, s.name + " breath");
  s.noiseStart = 0.25;
  s.noiseLoop = 0.07;
  return synthTone(s);
}

// Sitar: a bright string whose spectral peak slides down as the curved bridge (jawari)
// keeps regenerating upper partials; sympathetic strings shimmer in the loop.
Wave sitarNote(int key) {
  ToneSpec s;
  s.name = fmt::format("Sitar {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 4096;
  s.settle_s = 0.4;
  s.maxPartial_hz = 9000;
  const double bin_hz = static_cast<double>(s.rate) / s.loopFrames;
  for (int n = 1; n <= 100; ++n) {
    const double fn = n * s.pitch_hz;
    if (fn > s.maxPartial_hz) break;
    const double attack = std::pow(n, -0.4) * resonanceGain(fn, {{3200, 2500, 1.0}}, 0.15);
    const double held = std::pow(n, -0.5) * resonanceGain(fn, {{1400, 1400, 1.0}}, 0.1) * 0.5;
    s.partials.push_back({static_cast<double>(n), attack, held, 2});
    const int offset = static_cast<int>(std::lround(fn * 0.004 / bin_hz));
    if (offset != 0) s.partials.push_back({static_cast<double>(n), 0, held * 0.4, 1, offset});
  }
  Rng rng(s.name);
  s.transient = noiseBurst(0.01, 0.002, 0, 2500, s.rate, rng);
  for (double& x : s.transient) x *= 0.3;
  return synthTone(s);
}

// Steel pan: tuned harmonics (fundamental, octave, twelfth) from a soft rubber mallet.
Wave steelPanNote(int key) {
  ToneSpec s;
  s.name = fmt::format("SteelPan {}", key);
  s.pitch_hz = midiToHz(key);
  s.loopFrames = 2048;
  s.settle_s = 0.3;
  s.partials = {{1, 1, 0.7, 2}, {2, 0.6, 0.3, 3}, {3, 0.35, 0.08, 4}, {4, 0.2, 0, 5}, {5.03, 0.1, 0, 6}};
  Rng rng(s.name);
  s.transient = noiseBurst(0.02, 0.003, 1500, 0, s.rate, rng);
  for (double& x : s.transient) x *= 0.3;
  return synthTone(s);
}

// ---------------------------------------------------------------------------------------
// Drums and noises. One-shots are computed sample by sample; metal (hats, cymbals,
// triangle) is additive with a periodic loop so long rings cost little.

Wave blank(const std::string& name, uint32_t rate, double seconds, double pitch_hz = 0) {
  Wave w;
  w.name = name;
  w.rate = rate;
  w.pitch_hz = pitch_hz;
  w.data.assign(framesOf(seconds, rate), 0.0);
  return w;
}

// Ends a one-shot with a short fade so the last sample is silence.
void fadeTail(Wave& w, double seconds = 0.01) {
  const size_t n = std::min(w.data.size(), framesOf(seconds, w.rate));
  for (size_t i = 0; i < n; ++i) w.data[w.data.size() - 1 - i] *= static_cast<double>(i) / static_cast<double>(n);
}

double timeOf(size_t t, uint32_t rate) { return static_cast<double>(t) / rate; }

// A drum head: a sine whose pitch falls from `bend` times the base to the base, plus a
// second mode, under an exponential decay.
Wave membrane(const std::string& name, double base_hz, double bend, double bendTau_s, double decay_s,
              double length_s, double secondRatio, double secondLevel) {
  Wave w = blank(name, kRate, length_s, base_hz);
  double phase = 0, phase2 = 0;
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    const double f = base_hz * (1 + (bend - 1) * std::exp(-time / bendTau_s));
    phase += 2 * kPi * f / w.rate;
    phase2 += 2 * kPi * f * secondRatio / w.rate;
    const double env = std::min(1.0, time / 0.001) * std::exp(-time / decay_s);
    w.data[t] = env * (std::sin(phase) + secondLevel * std::sin(phase2) * std::exp(-time / (decay_s * 0.5)));
  }
  return w;
}

void addBurst(Wave& w, const std::vector<double>& burst, double level, size_t at = 0) {
  for (size_t i = 0; i < burst.size() && at + i < w.data.size(); ++i) w.data[at + i] += level * burst[i];
}

Wave kickDrum() {
  Wave w = membrane("Kick", 48, 3.4, 0.035, 0.28, 0.5, 2.1, 0.15);
  Rng rng(w.name);
  addBurst(w, noiseBurst(0.01, 0.002, 0, 2000, w.rate, rng), 0.35);
  w.pitch_hz = 0;
  fadeTail(w, 0.05);
  return w;
}

Wave snareDrum() {
  Wave w = blank("Snare", kRate, 0.4);
  Rng rng(w.name);
  std::vector<double> wires = whiteNoise(w.data.size(), rng);
  Biquad hp = Biquad::highpass(1200, 0.7, w.rate), lp = Biquad::lowpass(8500, 0.7, w.rate);
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    const double body = std::sin(2 * kPi * 190 * time) * std::exp(-time / 0.05) +
                        0.5 * std::sin(2 * kPi * 330 * time) * std::exp(-time / 0.035);
    const double snares = lp.process(hp.process(wires[t])) * std::exp(-time / 0.11);
    w.data[t] = std::min(1.0, time / 0.0008) * (0.7 * body + 0.9 * snares);
  }
  fadeTail(w, 0.05);
  return w;
}

Wave sideStick() {
  Wave w = blank("Side Stick", kRate, 0.12);
  Rng rng(w.name);
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    w.data[t] = 0.6 * std::sin(2 * kPi * 1000 * time) * std::exp(-time / 0.012) +
                0.3 * std::sin(2 * kPi * 1730 * time) * std::exp(-time / 0.008);
  }
  addBurst(w, bandBurst(0.05, 0.005, 2200, 1.5, w.rate, rng), 1.2);
  fadeTail(w);
  return w;
}

Wave handClap() {
  Wave w = blank("Hand Clap", kRate, 0.35);
  Rng rng(w.name);
  const double hits[] = {0, 0.011, 0.021, 0.033};
  for (double at : hits) addBurst(w, bandBurst(0.03, 0.005, 1200, 1.2, w.rate, rng), 1.0, framesOf(at, w.rate));
  addBurst(w, bandBurst(0.3, 0.06, 1100, 1.0, w.rate, rng), 0.6, framesOf(0.033, w.rate));
  fadeTail(w, 0.03);
  return w;
}

Wave tomDrum() {
  Wave w = membrane("Tom", 110, 1.3, 0.05, 0.32, 0.65, 1.58, 0.3);
  Rng rng(w.name);
  addBurst(w, noiseBurst(0.03, 0.008, 3000, 0, w.rate, rng), 0.35);
  fadeTail(w, 0.05);
  return w;
}

Wave congaDrum() {
  Wave w = membrane("Conga", 220, 1.1, 0.02, 0.2, 0.45, 1.55, 0.2);
  Rng rng(w.name);
  addBurst(w, bandBurst(0.02, 0.004, 2000, 1, w.rate, rng), 0.8);
  fadeTail(w, 0.04);
  return w;
}

Wave bongoDrum() {
  Wave w = membrane("Bongo", 400, 1.08, 0.015, 0.1, 0.28, 1.6, 0.25);
  Rng rng(w.name);
  addBurst(w, bandBurst(0.015, 0.003, 3000, 1, w.rate, rng), 0.6);
  fadeTail(w, 0.03);
  return w;
}

Wave timbaleDrum() {
  Wave w = blank("Timbale", kRate, 0.45, 350);
  const double ratios[] = {1, 1.6, 2.25, 2.9};
  const double levels[] = {1, 0.5, 0.35, 0.2};
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    for (int i = 0; i < 4; ++i)
      w.data[t] += levels[i] * std::sin(2 * kPi * 350 * ratios[i] * time) * std::exp(-time / (0.25 / (1 + i * 0.5)));
  }
  Rng rng(w.name);
  addBurst(w, bandBurst(0.03, 0.006, 2500, 0.8, w.rate, rng), 1.0);
  fadeTail(w, 0.04);
  return w;
}

// Partials (ratio, level) under one decay, higher partials dying faster.
Wave struckMetal(const std::string& name, uint32_t rate, double base_hz, const std::vector<std::pair<double, double>>& modes,
                 double decay_s, double length_s) {
  Wave w = blank(name, rate, length_s, base_hz);
  Rng rng(name);
  for (const auto& [ratio, level] : modes) {
    const double phase = rng.uniform() * 2 * kPi;
    const double tau = decay_s / std::sqrt(ratio);
    for (size_t t = 0; t < w.data.size(); ++t) {
      const double time = timeOf(t, rate);
      w.data[t] += level * std::sin(2 * kPi * base_hz * ratio * time + phase) * std::exp(-time / tau);
    }
  }
  for (size_t t = 0; t < std::min(w.data.size(), framesOf(0.001, rate)); ++t) w.data[t] *= timeOf(t, rate) / 0.001;
  fadeTail(w, 0.03);
  return w;
}

Wave cowbell() {
  // Two square waves (the classic drum-machine recipe) through a band around 900 Hz.
  Wave w = blank("Cowbell", kRate, 0.4, 560);
  for (double f : {540.0, 800.0}) {
    for (int k = 1; k * f < 9000; k += 2) {
      const double band = 1 / std::sqrt(1 + std::pow((k * f - 900) / 500, 2));
      for (size_t t = 0; t < w.data.size(); ++t) {
        const double time = timeOf(t, w.rate);
        w.data[t] += band / k * std::sin(2 * kPi * k * f * time);
      }
    }
  }
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    w.data[t] *= std::min(1.0, time / 0.0005) * (0.7 * std::exp(-time / 0.03) + 0.3 * std::exp(-time / 0.15));
  }
  fadeTail(w, 0.03);
  return w;
}

// Noise shaker: band-limited noise under an attack-decay envelope.
Wave shaker(const std::string& name, double length_s, double attack_s, double decay_s, double highpass_hz) {
  Wave w = blank(name, kRate, length_s);
  Rng rng(name);
  std::vector<double> n = whiteNoise(w.data.size(), rng);
  Biquad::highpass(highpass_hz, 0.7, w.rate).run(n);
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    w.data[t] = n[t] * std::min(1.0, time / attack_s) * std::exp(-std::max(0.0, time - attack_s) / decay_s);
  }
  fadeTail(w);
  return w;
}

Wave guiro() {
  Wave w = blank("Guiro", kRate, 0.42);
  Rng rng(w.name);
  std::vector<double> n = whiteNoise(w.data.size(), rng);
  Biquad::bandpass(3000, 1.5, w.rate).run(n);
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    const double scrape = 0.5 - 0.5 * std::cos(2 * kPi * 32 * time);  // 32 ridges a second
    w.data[t] = n[t] * scrape * scrape * std::min(1.0, time / 0.01);
  }
  fadeTail(w, 0.04);
  return w;
}

Wave cuica() {
  Wave w = blank("Cuica", kRate, 0.32, 500);
  Rng rng(w.name);
  double phase = 0;
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    const double f = 350 + 300 * (1 - std::exp(-time / 0.05));
    phase += 2 * kPi * f / w.rate;
    const double env = std::min(1.0, time / 0.01) * std::exp(-time / 0.12);
    w.data[t] = env * (std::sin(phase) + 0.3 * std::sin(2 * phase));
  }
  addBurst(w, bandBurst(0.1, 0.03, 1200, 2, w.rate, rng), 0.2);
  fadeTail(w, 0.03);
  return w;
}

Wave vibraslap() {
  Wave w = blank("Vibraslap", kRate, 0.6);
  Rng rng(w.name);
  for (double at = 0; at < 0.55; at += 1 / 28.0) {
    const double level = std::exp(-at / 0.18);
    addBurst(w, bandBurst(0.02, 0.003, 3200, 3, w.rate, rng), level, framesOf(at, w.rate));
    addBurst(w, bandBurst(0.03, 0.008, 650, 4, w.rate, rng), 0.6 * level, framesOf(at, w.rate));
  }
  fadeTail(w, 0.05);
  return w;
}

// Metal with a periodic loop: inharmonic partials (integer bins of the loop) and periodic
// noise, both shaped by a high-pass; brighter during the settle.
struct MetalSpec {
  std::string name;
  uint32_t loopFrames = 8192;
  double settle_s = 0.05;
  std::vector<std::pair<double, double>> partials_hz;  // frequency, level
  double highpass_hz = 5000, lowpass_hz = 14000;
  double noiseLevel = 0.5;
  double attackBrightness = 2;
};

Wave metalLoop(const MetalSpec& m) {
  ToneSpec s;
  s.name = m.name;
  s.rate = kRateHigh;
  s.pitch_hz = static_cast<double>(s.rate) / m.loopFrames;  // bin 1: ratios are bins
  s.loopFrames = m.loopFrames;
  s.settle_s = m.settle_s;
  s.maxPartial_hz = 15500;
  auto shape = [&m](double hz) {
    return 1 / std::sqrt((1 + std::pow(m.highpass_hz / hz, 4)) * (1 + std::pow(hz / m.lowpass_hz, 4)));
  };
  for (const auto& [hz, level] : m.partials_hz) {
    const double amp = level * shape(hz);
    s.partials.push_back({hz / s.pitch_hz, amp * m.attackBrightness, amp, 4});
  }
  Rng rng(m.name + " noise");
  s.noise = periodicNoise(m.loopFrames, s.rate, rng, shape);
  double energy = 0;
  for (const auto& partial : s.partials) energy += partial.loopAmp * partial.loopAmp / 2;
  const double noiseScale = m.noiseLevel * std::sqrt(std::max(energy, 1e-6));
  s.noiseStart = noiseScale * m.attackBrightness;
  s.noiseLoop = noiseScale;
  Wave w = synthTone(s);
  w.pitch_hz = 0;
  return w;
}

// Square-wave partials at the classic hi-hat frequencies, their odd harmonics.
std::vector<std::pair<double, double>> squareCluster(const std::vector<double>& bases, double scale) {
  std::vector<std::pair<double, double>> out;
  for (double b : bases)
    for (int k = 1; k * b * scale < 15500; k += 2) out.push_back({k * b * scale, 1.0 / k});
  return out;
}

// Random inharmonic partials between lo and hi Hz.
std::vector<std::pair<double, double>> randomPartials(const std::string& seed, int count, double lo, double hi) {
  Rng rng(seed);
  std::vector<std::pair<double, double>> out;
  for (int i = 0; i < count; ++i) {
    const double hz = lo * std::pow(hi / lo, rng.uniform());
    out.push_back({hz, 0.5 + rng.uniform()});
  }
  return out;
}

Wave hiHat() {
  MetalSpec m;
  m.name = "Hi-Hat";
  m.loopFrames = 8192;
  m.settle_s = 0.04;
  m.partials_hz = squareCluster({205.3, 304.4, 369.6, 522.7, 540.0, 800.0}, 1.7);
  m.highpass_hz = 6500;
  m.noiseLevel = 0.7;
  return metalLoop(m);
}

Wave crashCymbal() {
  MetalSpec m;
  m.name = "Crash";
  m.loopFrames = 12000;
  m.settle_s = 0.12;
  m.partials_hz = randomPartials("crash partials", 90, 300, 15000);
  m.highpass_hz = 2500;
  m.lowpass_hz = 13000;
  m.noiseLevel = 1.2;
  m.attackBrightness = 2.5;
  return metalLoop(m);
}

Wave rideCymbal() {
  MetalSpec m;
  m.name = "Ride";
  m.loopFrames = 12000;
  m.settle_s = 0.08;
  m.partials_hz = randomPartials("ride partials", 60, 2000, 12000);
  for (auto& [hz, level] : m.partials_hz)
    if (hz > 3000 && hz < 6000) level *= 2.5;  // the ping
  m.highpass_hz = 1800;
  m.lowpass_hz = 11000;
  m.noiseLevel = 0.35;
  m.attackBrightness = 2;
  return metalLoop(m);
}

Wave triangle() {
  MetalSpec m;
  m.name = "Triangle";
  m.loopFrames = 4000;
  m.settle_s = 0.03;
  for (double r : {1.0, 2.76, 5.40, 8.93, 13.34})
    for (double copy : {1.0, 1.013}) m.partials_hz.push_back({1250 * r * copy, 1 / std::sqrt(r)});
  m.highpass_hz = 900;
  m.noiseLevel = 0.03;
  return metalLoop(m);
}

Wave tambourine() {
  Wave w = blank("Tambourine", kRateHigh, 0.35);
  Rng rng(w.name);
  std::vector<double> n = whiteNoise(w.data.size(), rng);
  Biquad::highpass(5000, 0.7, w.rate).run(n);
  const double jingles[] = {6200, 7450, 8900, 10600, 12100};
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    double ring = 0;
    for (double f : jingles) ring += std::sin(2 * kPi * f * time) * std::exp(-time / 0.1);
    w.data[t] = std::min(1.0, time / 0.002) * (0.6 * n[t] * std::exp(-time / 0.07) + 0.15 * ring);
  }
  fadeTail(w, 0.03);
  return w;
}

// Looped noises for effects: pinkish noise, and an audience clapping (claps placed on a
// circle, so the loop is seamless).
Wave noiseLoop() {
  Wave w;
  w.name = "Noise";
  w.rate = kRate;
  Rng rng(w.name);
  std::vector<double> n = periodicNoise(16384, w.rate, rng, [](double hz) { return hz > 30 ? 1 / std::pow(hz / 100, 0.5) : 0.0; });
  w.data.assign(8, 0.0);
  w.data.insert(w.data.end(), n.begin(), n.end());
  w.data.insert(w.data.end(), n.begin(), n.begin() + kTailFrames);
  for (size_t t = 0; t < 8; ++t) w.data[t] = n[n.size() - 8 + t] * static_cast<double>(t) / 8;
  w.looped = true;
  w.loopStart = 8;
  w.loopEnd = 8 + static_cast<uint32_t>(n.size());
  return w;
}

Wave applauseLoop() {
  const uint32_t length = 16384;
  Wave w;
  w.name = "Applause";
  w.rate = kRate;
  Rng rng(w.name);
  std::vector<double> ring(length, 0.0);
  for (int clap = 0; clap < 140; ++clap) {
    const uint32_t at = rng.below(length);
    const std::vector<double> burst = bandBurst(0.03, 0.006, 700 + 1800 * rng.uniform(), 1.5, w.rate, rng);
    const double level = 0.4 + 0.6 * rng.uniform();
    for (size_t i = 0; i < burst.size(); ++i) ring[(at + i) % length] += level * burst[i];
  }
  w.data.assign(8, 0.0);
  w.data.insert(w.data.end(), ring.begin(), ring.end());
  w.data.insert(w.data.end(), ring.begin(), ring.begin() + kTailFrames);
  w.looped = true;
  w.loopStart = 8;
  w.loopEnd = 8 + length;
  return w;
}

Wave gunshot() {
  Wave w = blank("Gunshot", kRate, 0.6);
  Rng rng(w.name);
  addBurst(w, noiseBurst(0.6, 0.06, 4000, 0, w.rate, rng), 1.0);
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    w.data[t] += 0.8 * std::sin(2 * kPi * 55 * time) * std::exp(-time / 0.12);
  }
  fadeTail(w, 0.05);
  return w;
}

Wave fretSqueak() {
  Wave w = blank("Fret Noise", kRate, 0.3, 0);
  Rng rng(w.name);
  std::vector<double> n = whiteNoise(w.data.size(), rng);
  Biquad::bandpass(2200, 4, w.rate).run(n);
  double phase = 0;
  for (size_t t = 0; t < w.data.size(); ++t) {
    const double time = timeOf(t, w.rate);
    phase += 2 * kPi * (1800 - 1500 * time) / w.rate;
    const double env = std::min(1.0, time / 0.02) * std::exp(-time / 0.08);
    w.data[t] = env * (n[t] + 0.15 * std::sin(phase));
  }
  fadeTail(w, 0.03);
  return w;
}

// Referee's whistle: a pure high tone with a breathy edge (the trill is the program's LFO).
Wave whistleLoop() {
  ToneSpec s;
  s.name = "Whistle";
  s.pitch_hz = 2300;
  s.loopFrames = 2048;
  s.settle_s = 0.01;
  s.partials = {{1, 1, 1, 0}, {2, 0.08, 0.08, 0}};
  s.noise = breathNoise(s, 1800, 4000, "whistle breath");
  s.noiseStart = s.noiseLoop = 0.08;
  return synthTone(s);
}

// ---------------------------------------------------------------------------------------

struct Families {
  SampleSet piano, epiano, fmPiano, pluckSoft, pluckMedium, pluckBright;
  SampleSet glock, mallet, xylo, bell;
  SampleSet drawbar, percOrgan, rockOrgan, pipeOrgan, reedOrgan;
  SampleSet bass, drive, saw, square, round;
  SampleSet bowed, strings, aah, ooh, timpani, orchestraHit;
  SampleSet brass, sax, doubleReed, clarinet, flute;
  SampleSet sitar, steelPan;
  // Drums and noises (one zone each, full key range).
  KeyZone kick, snare, sideStick, clap, tom, conga, bongo, timbale, cowbell, agogo, claves, woodblock;
  KeyZone cabasa, maracas, guiro, cuica, vibraslap, hiHat, crash, ride, rideBell, triangle, tambourine, whistle;
  KeyZone noise, applause, gunshot, fret;
  // The lowest double-reed sample alone (the bagpipe's drone plays it over the whole keyboard).
  KeyZone doubleReedLowest;
};

// Builds waves at the given root keys with `make`.
template <typename Make>
std::vector<Wave> atKeys(const std::vector<int>& keys, Make make) {
  std::vector<Wave> waves;
  for (int k : keys) waves.push_back(make(k));
  return waves;
}

Families buildFamilies(BankBuilder& b) {
  Families f;
  const std::vector<int> roots3 = {43, 62, 81}, split3 = {52, 71};
  f.piano = b.addFamily("piano", atKeys({36, 55, 72, 89}, pianoNote), {45, 63, 80});
  f.epiano = b.addFamily("epiano", atKeys(roots3, epianoTine), split3);
  f.fmPiano = b.addFamily("fm piano", atKeys(roots3, epianoFm), split3);
  const std::vector<int> pluckRoots = {43, 60, 77}, pluckSplit = {51, 68};
  f.pluckSoft = b.addFamily("pluck soft", atKeys(pluckRoots, [](int k) { return pluckNote(PluckKind::Soft, k); }), pluckSplit);
  f.pluckMedium = b.addFamily("pluck medium", atKeys(pluckRoots, [](int k) { return pluckNote(PluckKind::Medium, k); }), pluckSplit);
  f.pluckBright = b.addFamily("pluck bright", atKeys(pluckRoots, [](int k) { return pluckNote(PluckKind::Bright, k); }), pluckSplit);
  f.glock = b.addFamily("glock", atKeys({60, 76, 91}, [](int k) { return barNote(BarKind::Glock, k); }), {67, 83});
  f.mallet = b.addFamily("mallet", atKeys({48, 64, 81}, [](int k) { return barNote(BarKind::Mallet, k); }), {56, 72});
  f.xylo = b.addFamily("xylo", atKeys({60, 79}, [](int k) { return barNote(BarKind::Xylo, k); }), {69});
  f.bell = b.addFamily("bell", atKeys({55, 74}, bellNote), {64});
  const Drawbars drawbar{{6, 8, 8, 4, 0, 3, 0, 0, 2}, 0, 0};
  const Drawbars percussive{{0, 0, 8, 5, 0, 0, 0, 0, 0}, 3, 0};
  const Drawbars rock{{8, 8, 8, 8, 6, 6, 4, 4, 6}, 0, 1.5};
  f.drawbar = b.addFamily("drawbar", atKeys(roots3, [&](int k) { return organNote("Drawbar", drawbar, k); }), split3);
  f.percOrgan = b.addFamily("perc organ", atKeys(roots3, [&](int k) { return organNote("PercOrgan", percussive, k); }), split3);
  f.rockOrgan = b.addFamily("rock organ", atKeys(roots3, [&](int k) { return organNote("RockOrgan", rock, k); }), split3);
  f.pipeOrgan = b.addFamily("pipe organ", atKeys({36, 55, 74}, pipeOrganNote), {45, 64});
  f.reedOrgan = b.addFamily("reed organ", atKeys(roots3, reedOrganNote), split3);
  f.bass = b.addFamily("bass", atKeys({28, 40, 52}, bassNote), {34, 46});
  f.drive = b.addFamily("drive", atKeys({40, 55, 72}, driveNote), {47, 63});
  const std::vector<int> oscRoots = {36, 60, 84}, oscSplit = {47, 71};
  f.saw = b.addFamily("saw", atKeys(oscRoots, [](int k) { return oscNote(Osc::Saw, k); }), oscSplit);
  f.square = b.addFamily("square", atKeys(oscRoots, [](int k) { return oscNote(Osc::Square, k); }), oscSplit);
  f.round = b.addFamily("round", atKeys({33, 48, 67}, [](int k) { return oscNote(Osc::Round, k); }), {40, 57});
  f.bowed = b.addFamily("bowed", atKeys({36, 55, 74}, [](int k) { return stringNote(k, false); }), {45, 64});
  f.strings = b.addFamily("strings", atKeys({43, 62, 79}, [](int k) { return stringNote(k, true); }), {52, 70});
  f.aah = b.addFamily("aah", atKeys({50, 64, 76}, [](int k) { return voiceNote(k, false); }), {57, 70});
  f.ooh = b.addFamily("ooh", atKeys({50, 64, 76}, [](int k) { return voiceNote(k, true); }), {57, 70});
  f.timpani = b.addFamily("timpani", atKeys({41, 53}, timpaniNote), {47});
  f.orchestraHit = b.addFamily("orchestra hit", {orchestraHit()}, {});
  f.brass = b.addFamily("brass", atKeys({43, 58, 72}, brassNote), {50, 65});
  f.sax = b.addFamily("sax", atKeys({45, 60, 74}, [](int k) { return reedNote(Reed::Sax, k); }), {52, 67});
  f.doubleReed = b.addFamily("double reed", atKeys({45, 62, 76}, [](int k) { return reedNote(Reed::Double, k); }), {53, 69});
  f.doubleReedLowest = f.doubleReed.front();
  f.clarinet = b.addFamily("clarinet", atKeys({50, 64, 77}, [](int k) { return reedNote(Reed::Clarinet, k); }), {57, 70});
  f.flute = b.addFamily("flute", atKeys({60, 74, 88}, fluteNote), {67, 81});
  f.sitar = b.addFamily("sitar", atKeys({50, 67}, sitarNote), {58});
  f.steelPan = b.addFamily("steel pan", atKeys({60, 76}, steelPanNote), {67});
  f.kick = b.addPeak(kickDrum());
  f.snare = b.addPeak(snareDrum());
  f.sideStick = b.addPeak(sideStick());
  f.clap = b.addPeak(handClap());
  f.tom = b.addPeak(tomDrum());
  f.conga = b.addPeak(congaDrum());
  f.bongo = b.addPeak(bongoDrum());
  f.timbale = b.addPeak(timbaleDrum());
  f.cowbell = b.addPeak(cowbell());
  f.agogo = b.addPeak(struckMetal("Agogo", kRate, 900, {{1, 1}, {2.41, 0.5}, {3.93, 0.3}, {5.6, 0.15}}, 0.2, 0.45));
  f.claves = b.addPeak(struckMetal("Claves", kRate, 2500, {{1, 1}, {2.7, 0.25}}, 0.03, 0.12));
  f.woodblock = b.addPeak(struckMetal("Woodblock", kRate, 1200, {{1, 1}, {2.3, 0.45}, {3.9, 0.2}}, 0.05, 0.15));
  f.cabasa = b.addPeak(shaker("Cabasa", 0.16, 0.008, 0.05, 4000));
  f.maracas = b.addPeak(shaker("Maracas", 0.1, 0.002, 0.03, 5000));
  f.guiro = b.addPeak(guiro());
  f.cuica = b.addPeak(cuica());
  f.vibraslap = b.addPeak(vibraslap());
  f.hiHat = b.addPeak(hiHat());
  f.crash = b.addPeak(crashCymbal());
  f.ride = b.addPeak(rideCymbal());
  f.rideBell = b.addPeak(struckMetal("Ride Bell", kRate, 620, {{1, 1}, {2.05, 0.7}, {2.9, 0.5}, {4.1, 0.35}, {5.3, 0.25}, {6.8, 0.15}}, 0.5, 0.9));
  f.triangle = b.addPeak(triangle());
  f.tambourine = b.addPeak(tambourine());
  f.whistle = b.addPeak(whistleLoop());
  f.noise = b.addPeak(noiseLoop());
  f.applause = b.addPeak(applauseLoop(), 0.8);
  f.gunshot = b.addPeak(gunshot());
  f.fret = b.addPeak(fretSqueak());
  return f;
}

// A patch for notes that die away (pianos, plucks, mallets): decay to silence in
// `decay_s` at key 60, faster up the keyboard.
Patch decaying(double decay_s, double release_s, int keyToDecay = -30) {
  Patch p;
  p.decay_s = decay_s;
  p.sustain_dB = 100;
  p.keyToVolDecay = keyToDecay;
  p.release_s = release_s;
  return p;
}

// A patch for held tones.
Patch sustained(double attack_s, double release_s) {
  Patch p;
  p.attack_s = attack_s;
  p.release_s = release_s;
  return p;
}

// Loudness trims per program, in centibels of initial attenuation, found by rendering
// every program with FluidSynth at five keys and levelling the loudest 50 ms of each note
// (see soundfonts/README.md). Like the EMU8000, FluidSynth scales initial attenuation by
// 0.4, so 25 cB here is 1 dB there.
const std::array<int, 128> kTrim_cB = {
    0, 0, 155, 80, 40, 165, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30,  //
    60, 40, 0, 145, 25, 105, 25, 110, 0, 0, 0, 40, 0, 0, 65, 0,  //
    0, 0, 0, 0, 0, 0, 0, 60, 30, 30, 30, 0, 90, 0, 0, 0,  //
    105, 95, 120, 120, 70, 80, 75, 0, 0, 0, 0, 0, 0, 50, 45, 45,  //
    30, 30, 30, 0, 25, 0, 0, 40, 55, 55, 40, 50, 40, 50, 30, 40,  //
    25, 90, 35, 0, 45, 0, 40, 40, 80, 125, 65, 110, 110, 50, 90, 70,  //
    55, 150, 60, 40, 125, 110, 120, 0, 0, 0, 0, 0, 0, 60, 30, 30,  //
    0, 105, 0, 85, 160, 130, 0, 0, 0, 45, 45, 0, 0, 0, 0, 80,  //
};

// ---------------------------------------------------------------------------------------
// The instrument table: every General MIDI program as data. kPatches says how each sound
// is played (where it starts and the fields it changes), kPrograms which sample families
// each program plays with which patches; buildPrograms reads both.

// One field of a patch set (or raised) to a value. The value is written as in Patch's own
// units; whole-number fields take it as a whole number.
struct PatchEdit {
  enum Op { kSet, kAdd };
  std::variant<double Patch::*, int Patch::*, bool Patch::*> field;
  double value = 0;
  Op op = kSet;
};

// Where a patch starts: decaying(...) or sustained(...) (above), or an earlier patch by name.
// (Implicit on purpose: a row reads `{"viola", "violin", {...}}`.)
struct PatchStart {
  PatchStart(Patch p) : patch(p) {}
  PatchStart(const char* name) : like(name) {}
  Patch patch;
  const char* like = nullptr;
};

struct PatchRow {
  const char* name;  // how later rows and kPrograms name it
  PatchStart start;
  std::vector<PatchEdit> edits;  // applied in order
};

// In the order they are defined: a patch starts only from one defined above it.
const std::vector<PatchRow>& patchTable() {
  static const std::vector<PatchRow> kPatches = {
    // Pianos.
    {"piano", decaying(18, 0.35, -40), {{&Patch::reverb, 200}, {&Patch::filter_hz, 7000}}},
    {"bright", "piano", {{&Patch::filter_hz, 0}, {&Patch::attenuation_cB, 20}}},
    {"electricGrand", decaying(10, 0.3, -30), {{&Patch::chorus, 100}, {&Patch::detune_cents, 4},
        {&Patch::attenuation_cB, 30}}},
    {"honky", "piano", {{&Patch::filter_hz, 0}, {&Patch::detune_cents, 14}, {&Patch::layerPan, 150},
        {&Patch::attenuation_cB, 30}}},
    {"ep1", decaying(12, 0.3, -30), {{&Patch::chorus, 100}, {&Patch::lfoRate_hz, 4.5}, {&Patch::lfoToVolume_cB, 25}}},
    {"ep2", decaying(10, 0.3, -30), {{&Patch::chorus, 100}, {&Patch::detune_cents, 5}, {&Patch::attenuation_cB, 20}}},
    {"harpsichord", decaying(7, 0.15, -30), {{&Patch::reverb, 250}}},
    {"clav", decaying(4, 0.08, -20), {{&Patch::filter_hz, 2000}, {&Patch::q_dB, 4}, {&Patch::modDecay_s, 0.35},
        {&Patch::modSustain, 0.3}, {&Patch::modToFilter_cents, 3000}, {&Patch::reverb, 80}}},
    // Chromatic percussion.
    {"celesta", decaying(3, 0.3, -30), {{&Patch::filter_hz, 3000}, {&Patch::reverb, 300}}},
    {"glockenspiel", decaying(4, 0.5, -20), {{&Patch::reverb, 300}}},
    {"musicBox", decaying(2.5, 0.4, -20), {{&Patch::coarse, 12}, {&Patch::reverb, 350}, {&Patch::attenuation_cB, 30}}},
    {"vibes", decaying(7, 0.6, -30), {{&Patch::lfoRate_hz, 5.5}, {&Patch::lfoToVolume_cB, 50}, {&Patch::reverb, 300}}},
    {"marimba", decaying(1.6, 0.2, -25), {{&Patch::reverb, 250}}},
    {"xylophone", decaying(1.2, 0.15, -20), {{&Patch::reverb, 250}}},
    {"tubular", decaying(12, 1.5, -20), {{&Patch::reverb, 400}}},
    {"dulcimer", decaying(5, 0.4, -30), {{&Patch::detune_cents, 7}, {&Patch::layerPan, 100},
        {&Patch::attenuation_cB, 30}}},
    // Organs.
    {"organ", sustained(0.005, 0.08), {{&Patch::chorus, 80}, {&Patch::reverb, 200}}},
    {"percOrgan", "organ", {}},
    // rock: fast rotary speaker
    {"rock", "organ", {{&Patch::lfoRate_hz, 6.5}, {&Patch::lfoToPitch_cents, 6}, {&Patch::lfoToVolume_cB, 15},
        {&Patch::attenuation_cB, 30}}},
    {"church", sustained(0.06, 0.5), {{&Patch::reverb, 600}, {&Patch::detune_cents, 3}, {&Patch::attenuation_cB, 40}}},
    {"reedOrgan", sustained(0.04, 0.15), {{&Patch::filter_hz, 2500}, {&Patch::reverb, 250}}},
    // accordion: musette
    {"accordion", sustained(0.03, 0.12), {{&Patch::detune_cents, 10}, {&Patch::reverb, 200},
        {&Patch::attenuation_cB, 40}}},
    {"harmonica", sustained(0.05, 0.1), {{&Patch::filter_hz, 3000}, {&Patch::vibRate_hz, 5.5},
        {&Patch::vibDelay_s, 0.3}, {&Patch::vibDepth_cents, 12}, {&Patch::reverb, 200}}},
    {"tango", sustained(0.02, 0.1), {{&Patch::detune_cents, 5}, {&Patch::filter_hz, 5000},
        {&Patch::attenuation_cB, 40}}},
    // Guitars.
    {"nylon", decaying(7, 0.3, -30), {{&Patch::reverb, 200}}},
    {"steel", decaying(8, 0.3, -30), {{&Patch::reverb, 200}}},
    {"jazz", decaying(6, 0.25, -30), {{&Patch::filter_hz, 2200}}},
    {"clean", decaying(7, 0.3, -30), {{&Patch::chorus, 100}}},
    {"muted", decaying(0.8, 0.08, -10), {{&Patch::filter_hz, 3000}, {&Patch::reverb, 80}}},
    {"overdriven", sustained(0.002, 0.15), {{&Patch::decay_s, 8}, {&Patch::sustain_dB, 12}, {&Patch::filter_hz, 4000}}},
    {"distortion", "overdriven", {{&Patch::filter_hz, 5000}, {&Patch::q_dB, 3}, {&Patch::detune_cents, 8}}},
    {"harmonics", decaying(4, 0.4, -20), {{&Patch::coarse, 12}, {&Patch::reverb, 300}}},
    // Basses.
    {"acousticBass", decaying(5, 0.15, -20), {{&Patch::filter_hz, 2200}, {&Patch::reverb, 100}}},
    {"finger", decaying(7, 0.12, -20), {{&Patch::filter_hz, 2500}, {&Patch::reverb, 60}}},
    {"pick", decaying(7, 0.12, -20), {{&Patch::filter_hz, 1500}, {&Patch::modDecay_s, 0.3}, {&Patch::modSustain, 0.2},
        {&Patch::modToFilter_cents, 2400}, {&Patch::reverb, 60}}},
    {"fretless", decaying(8, 0.15, -20), {{&Patch::attack_s, 0.02}, {&Patch::filter_hz, 800},
        {&Patch::modAttack_s, 0.08}, {&Patch::modDecay_s, 0.5}, {&Patch::modSustain, 0.5},
        {&Patch::modToFilter_cents, 1800}, {&Patch::vibRate_hz, 5}, {&Patch::vibDelay_s, 0.4},
        {&Patch::vibDepth_cents, 8}, {&Patch::reverb, 100}}},
    {"slap1", decaying(5, 0.1, -20), {{&Patch::filter_hz, 3000}, {&Patch::modDecay_s, 0.08}, {&Patch::modSustain, 0.3},
        {&Patch::modToFilter_cents, 3600}, {&Patch::q_dB, 3}, {&Patch::reverb, 60}}},
    {"slap2", "slap1", {{&Patch::filter_hz, 3500}, {&Patch::q_dB, 4}, {&Patch::modDecay_s, 0.15},
        {&Patch::modToFilter_cents, 4000}}},
    {"synthBass1", sustained(0.001, 0.08), {{&Patch::decay_s, 1.5}, {&Patch::sustain_dB, 8}, {&Patch::filter_hz, 500},
        {&Patch::q_dB, 6}, {&Patch::modDecay_s, 0.35}, {&Patch::modSustain, 0.15}, {&Patch::modToFilter_cents, 3600},
        {&Patch::reverb, 50}}},
    {"synthBass2", "synthBass1", {{&Patch::filter_hz, 500}, {&Patch::q_dB, 4}, {&Patch::modDecay_s, 0.2},
        {&Patch::modToFilter_cents, 2400}, {&Patch::detune_cents, 6}}},
    // Strings and ensembles.
    {"violin", sustained(0.06, 0.25), {{&Patch::vibRate_hz, 5.6}, {&Patch::vibDelay_s, 0.25},
        {&Patch::vibDepth_cents, 18}, {&Patch::filter_hz, 6000}, {&Patch::reverb, 300}}},
    {"viola", "violin", {{&Patch::vibRate_hz, 5.2}, {&Patch::filter_hz, 4000}}},
    {"cello", "violin", {{&Patch::vibRate_hz, 5.0}, {&Patch::filter_hz, 3000}, {&Patch::attack_s, 0.08}}},
    {"contrabass", "cello", {{&Patch::filter_hz, 1800}, {&Patch::vibDepth_cents, 12}}},
    {"ensemble", sustained(0.18, 0.4), {{&Patch::detune_cents, 6}, {&Patch::layerPan, 200}, {&Patch::vibRate_hz, 5.3},
        {&Patch::vibDelay_s, 0.3}, {&Patch::vibDepth_cents, 8}, {&Patch::reverb, 400}, {&Patch::chorus, 80},
        {&Patch::attenuation_cB, 60}}},
    {"tremolo", "ensemble", {{&Patch::attack_s, 0.05}, {&Patch::lfoRate_hz, 7.5}, {&Patch::lfoToVolume_cB, 80}}},
    {"pizzicato", decaying(0.8, 0.15, -20), {{&Patch::reverb, 350}}},
    {"harp", decaying(6, 0.6, -30), {{&Patch::reverb, 400}}},
    {"timpani", decaying(4, 0.6, -20), {{&Patch::reverb, 350}}},
    {"slowStrings", "ensemble", {{&Patch::attack_s, 0.45}, {&Patch::release_s, 0.6}, {&Patch::filter_hz, 4500}}},
    {"synthStrings1", sustained(0.25, 0.5), {{&Patch::detune_cents, 10}, {&Patch::layerPan, 250},
        {&Patch::filter_hz, 2500}, {&Patch::chorus, 100}, {&Patch::reverb, 350}, {&Patch::attenuation_cB, 60}}},
    {"synthStrings2", "synthStrings1", {{&Patch::filter_hz, 1200}, {&Patch::modAttack_s, 0.8}, {&Patch::modSustain, 1},
        {&Patch::modToFilter_cents, 1500}}},
    {"choir", sustained(0.15, 0.4), {{&Patch::detune_cents, 5}, {&Patch::layerPan, 200}, {&Patch::vibRate_hz, 5},
        {&Patch::vibDelay_s, 0.3}, {&Patch::vibDepth_cents, 10}, {&Patch::reverb, 450}, {&Patch::attenuation_cB, 60}}},
    {"synthVoice", sustained(0.08, 0.35), {{&Patch::vibRate_hz, 5.5}, {&Patch::vibDepth_cents, 12},
        {&Patch::chorus, 100}, {&Patch::reverb, 350}, {&Patch::filter_hz, 3000}}},
    {"orchestraHit", decaying(1.5, 0.3, 0), {{&Patch::reverb, 400}}},
    // Brass.
    {"trumpet", sustained(0.02, 0.12), {{&Patch::filter_hz, 1500}, {&Patch::modAttack_s, 0.03},
        {&Patch::modDecay_s, 0.2}, {&Patch::modSustain, 0.7}, {&Patch::modToFilter_cents, 2400},
        {&Patch::vibRate_hz, 5.5}, {&Patch::vibDelay_s, 0.35}, {&Patch::vibDepth_cents, 10}, {&Patch::reverb, 250}}},
    {"trombone", "trumpet", {{&Patch::filter_hz, 900}, {&Patch::attack_s, 0.03}}},
    {"tuba", "trombone", {{&Patch::filter_hz, 500}, {&Patch::modToFilter_cents, 1800}}},
    {"mutedTrumpet", "trumpet", {{&Patch::filter_hz, 2200}, {&Patch::q_dB, 12}, {&Patch::modToFilter_cents, 600}}},
    {"horn", sustained(0.05, 0.2), {{&Patch::filter_hz, 700}, {&Patch::modAttack_s, 0.08}, {&Patch::modDecay_s, 0.3},
        {&Patch::modSustain, 0.6}, {&Patch::modToFilter_cents, 1200}, {&Patch::reverb, 400}}},
    {"brassSection", "trumpet", {{&Patch::detune_cents, 8}, {&Patch::layerPan, 200}, {&Patch::attenuation_cB, 60}}},
    {"synthBrass1", sustained(0.01, 0.2), {{&Patch::filter_hz, 600}, {&Patch::q_dB, 4}, {&Patch::modAttack_s, 0.06},
        {&Patch::modDecay_s, 0.4}, {&Patch::modSustain, 0.5}, {&Patch::modToFilter_cents, 3000},
        {&Patch::detune_cents, 7}, {&Patch::attenuation_cB, 60}, {&Patch::reverb, 200}}},
    // synthBrass2: the square a little sharp of the saw
    {"synthBrass2", "synthBrass1", {{&Patch::attack_s, 0.06}, {&Patch::modAttack_s, 0.25}, {&Patch::filter_hz, 450},
        {&Patch::detune_cents, 0}, {&Patch::fine, 6}}},
    {"synthBrass2Saw", "synthBrass2", {{&Patch::fine, -6}}},
    // Reeds.
    {"sax", sustained(0.025, 0.12), {{&Patch::vibRate_hz, 5.2}, {&Patch::vibDelay_s, 0.3}, {&Patch::vibDepth_cents, 14},
        {&Patch::filter_hz, 5000}, {&Patch::reverb, 250}}},
    {"alto", "sax", {{&Patch::filter_hz, 4000}}},
    {"tenor", "sax", {{&Patch::filter_hz, 3000}}},
    {"bari", "sax", {{&Patch::filter_hz, 2000}, {&Patch::vibDepth_cents, 8}}},
    {"oboe", sustained(0.03, 0.1), {{&Patch::vibRate_hz, 5.5}, {&Patch::vibDelay_s, 0.3}, {&Patch::vibDepth_cents, 10},
        {&Patch::reverb, 300}}},
    {"englishHorn", "oboe", {{&Patch::filter_hz, 2500}}},
    {"bassoon", "oboe", {{&Patch::filter_hz, 1500}, {&Patch::vibDepth_cents, 6}}},
    {"clarinet", sustained(0.03, 0.1), {{&Patch::reverb, 300}}},
    // Pipes.
    {"flute", sustained(0.05, 0.15), {{&Patch::vibRate_hz, 5}, {&Patch::vibDelay_s, 0.2}, {&Patch::vibDepth_cents, 12},
        {&Patch::reverb, 350}}},
    {"piccolo", "flute", {{&Patch::vibRate_hz, 5.8}}},
    {"recorder", sustained(0.03, 0.1), {{&Patch::filter_hz, 2500}, {&Patch::reverb, 300}}},
    {"panFlute", "flute", {{&Patch::attack_s, 0.08}, {&Patch::vibDepth_cents, 20}, {&Patch::filter_hz, 3500}}},
    {"bottle", sustained(0.1, 0.2), {{&Patch::filter_hz, 1200}, {&Patch::reverb, 400}}},
    {"shakuhachi", "flute", {{&Patch::attack_s, 0.12}, {&Patch::vibDepth_cents, 25}, {&Patch::vibRate_hz, 4.5},
        {&Patch::filter_hz, 3000}}},
    {"whistle", sustained(0.03, 0.1), {{&Patch::vibRate_hz, 6}, {&Patch::vibDepth_cents, 15}, {&Patch::coarse, 12},
        {&Patch::reverb, 250}}},
    {"ocarina", sustained(0.04, 0.12), {{&Patch::vibRate_hz, 5}, {&Patch::vibDelay_s, 0.3}, {&Patch::vibDepth_cents, 8},
        {&Patch::reverb, 300}}},
    // Synth leads.
    {"lead", sustained(0.005, 0.12), {{&Patch::vibRate_hz, 5.5}, {&Patch::vibDelay_s, 0.4},
        {&Patch::vibDepth_cents, 12}, {&Patch::reverb, 200}}},
    {"squareLead", "lead", {{&Patch::filter_hz, 4000}}},
    {"sawLead", "lead", {{&Patch::filter_hz, 5000}, {&Patch::detune_cents, 6}, {&Patch::attenuation_cB, 60}}},
    {"calliope", "lead", {{&Patch::vibRate_hz, 6.5}, {&Patch::vibDelay_s, 0}, {&Patch::vibDepth_cents, 10}}},
    {"chiff", "lead", {{&Patch::decay_s, 3}, {&Patch::sustain_dB, 8}, {&Patch::filter_hz, 1500},
        {&Patch::modDecay_s, 0.08}, {&Patch::modSustain, 0}, {&Patch::modToFilter_cents, 3600}}},
    {"charang", "lead", {{&Patch::detune_cents, 10}, {&Patch::filter_hz, 4500}, {&Patch::attenuation_cB, 60}}},
    {"voiceLead", "lead", {{&Patch::attack_s, 0.03}, {&Patch::filter_hz, 3500}, {&Patch::vibDepth_cents, 16}}},
    {"fifths", "lead", {{&Patch::filter_hz, 4000}, {&Patch::attenuation_cB, 60}}},
    {"fifthUp", "fifths", {{&Patch::coarse, 7}}},
    {"bassLead", "lead", {{&Patch::filter_hz, 4000}, {&Patch::attenuation_cB, 60}}},
    {"octaveDown", "bassLead", {{&Patch::coarse, -12}}},
    // Synth pads.
    {"pad", sustained(0.4, 0.9), {{&Patch::detune_cents, 8}, {&Patch::layerPan, 250}, {&Patch::chorus, 100},
        {&Patch::reverb, 500}, {&Patch::attenuation_cB, 60}}},
    {"newAgeBell", decaying(5, 1.0, -20), {{&Patch::reverb, 500}, {&Patch::attenuation_cB, 40}}},
    {"newAgePad", "pad", {{&Patch::filter_hz, 1500}, {&Patch::attenuation_cB, 100}}},
    {"warm", "pad", {{&Patch::filter_hz, 1200}}},
    {"polysynth", sustained(0.01, 0.5), {{&Patch::decay_s, 2}, {&Patch::sustain_dB, 6}, {&Patch::filter_hz, 900},
        {&Patch::modDecay_s, 0.8}, {&Patch::modSustain, 0.3}, {&Patch::modToFilter_cents, 2400},
        {&Patch::detune_cents, 10}, {&Patch::chorus, 100}, {&Patch::reverb, 350}, {&Patch::attenuation_cB, 60}}},
    {"choirPad", "pad", {{&Patch::attack_s, 0.6}, {&Patch::release_s, 1.2}}},
    {"bowedPad", "pad", {{&Patch::filter_hz, 1500}, {&Patch::attack_s, 0.5}, {&Patch::lfoRate_hz, 0.3},
        {&Patch::lfoToFilter_cents, 500}}},
    {"metallic", "pad", {{&Patch::attack_s, 0.3}}},
    {"halo", "pad", {{&Patch::attack_s, 0.7}, {&Patch::release_s, 1.5}, {&Patch::chorus, 100}}},
    {"sweep", "pad", {{&Patch::filter_hz, 600}, {&Patch::q_dB, 9}, {&Patch::lfoRate_hz, 0.2},
        {&Patch::lfoToFilter_cents, 2400}}},
    // Synth effects.
    {"rainDrops", decaying(1.5, 0.8, -10), {{&Patch::reverb, 600}, {&Patch::chorus, 100}, {&Patch::coarse, 12}}},
    {"rainBed", "pad", {{&Patch::filter_hz, 2000}, {&Patch::attenuation_cB, 120}}},
    {"soundtrack", "pad", {{&Patch::attack_s, 0.8}, {&Patch::filter_hz, 800}, {&Patch::modAttack_s, 2},
        {&Patch::modToFilter_cents, 2400}}},
    {"soundtrackVoice", "soundtrack", {{&Patch::detune_cents, 0}, {&Patch::attenuation_cB, 60, PatchEdit::kAdd}}},
    {"crystal", decaying(3, 1.0, -15), {{&Patch::coarse, 12}, {&Patch::reverb, 600}, {&Patch::chorus, 100}}},
    {"crystalGlock", decaying(2, 0.8, -15), {{&Patch::reverb, 600}, {&Patch::attenuation_cB, 60}}},
    {"atmospherePluck", decaying(4, 0.8, -20), {{&Patch::reverb, 500}}},
    {"atmospherePad", "pad", {{&Patch::attenuation_cB, 120}}},
    {"brightness", "pad", {{&Patch::attack_s, 0.15}, {&Patch::chorus, 100}}},
    {"goblins", "pad", {{&Patch::attack_s, 1.0}, {&Patch::filter_hz, 700}, {&Patch::q_dB, 12},
        {&Patch::lfoRate_hz, 0.6}, {&Patch::lfoToPitch_cents, 40}, {&Patch::lfoToFilter_cents, 1800}}},
    {"echoes", decaying(6, 1.2, -20), {{&Patch::lfoRate_hz, 3}, {&Patch::lfoToVolume_cB, 120}, {&Patch::reverb, 600},
        {&Patch::chorus, 100}, {&Patch::detune_cents, 5}, {&Patch::attenuation_cB, 40}}},
    {"sciFi", sustained(0.2, 0.8), {{&Patch::lfoRate_hz, 6}, {&Patch::lfoToPitch_cents, 150}, {&Patch::filter_hz, 2000},
        {&Patch::q_dB, 8}, {&Patch::reverb, 500}}},
    // Ethnic.
    {"sitar", decaying(8, 0.4, -30), {{&Patch::reverb, 300}}},
    {"banjo", decaying(2, 0.15, -20), {{&Patch::reverb, 150}}},
    {"shamisen", decaying(1.5, 0.12, -20), {{&Patch::filter_hz, 5000}}},
    {"koto", decaying(4, 0.3, -25), {{&Patch::reverb, 350}, {&Patch::vibRate_hz, 5}, {&Patch::vibDelay_s, 0.5},
        {&Patch::vibDepth_cents, 6}}},
    {"kalimba", decaying(1.5, 0.3, -20), {{&Patch::filter_hz, 3000}, {&Patch::reverb, 300}}},
    {"chanter", sustained(0.02, 0.1), {{&Patch::reverb, 250}}},
    // The drone plays the lowest sample at its own pitch whatever the key (scale tuning 0).
    {"drone", "chanter", {{&Patch::scaleTuning, 0}, {&Patch::attenuation_cB, 80}}},
    {"fiddle", "violin", {{&Patch::attack_s, 0.03}, {&Patch::filter_hz, 0}, {&Patch::vibDepth_cents, 14}}},
    {"shanai", "oboe", {{&Patch::vibRate_hz, 6}, {&Patch::vibDepth_cents, 20}}},
    // Percussive (melodic).
    {"tinkle", decaying(2, 0.5, -10), {{&Patch::coarse, 12}, {&Patch::reverb, 350}}},
    {"steelDrum", decaying(2, 0.4, -20), {{&Patch::reverb, 300}}},
    {"agogo", decaying(1.2, 0.3, 0), {{&Patch::reverb, 250}}},
    {"woodblock", decaying(0.6, 0.2, 0), {{&Patch::reverb, 250}}},
    {"taiko", decaying(3, 1.0, 0), {{&Patch::coarse, -12}, {&Patch::reverb, 450}}},
    {"melodicTom", decaying(2, 0.6, 0), {{&Patch::reverb, 300}}},
    {"synthDrum", decaying(1.0, 0.2, -10), {{&Patch::modDecay_s, 0.18}, {&Patch::modSustain, 0},
        {&Patch::modToPitch_cents, 1000}, {&Patch::reverb, 250}}},
    {"reverseCymbal", sustained(1.5, 0.08), {{&Patch::reverb, 300}}},
    // Sound effects.
    {"fret", decaying(1.0, 0.2, 0), {{&Patch::reverb, 150}}},
    {"breath", sustained(0.1, 0.2), {{&Patch::filter_hz, 3000}, {&Patch::reverb, 250}}},
    {"seashore", sustained(0.8, 1.5), {{&Patch::filter_hz, 1000}, {&Patch::lfoRate_hz, 0.12},
        {&Patch::lfoToFilter_cents, 1800}, {&Patch::lfoToVolume_cB, 60}, {&Patch::reverb, 400}}},
    {"bird", decaying(0.8, 0.2, 0), {{&Patch::coarse, 24}, {&Patch::lfoRate_hz, 14}, {&Patch::lfoToPitch_cents, 200},
        {&Patch::modDecay_s, 0.12}, {&Patch::modSustain, 0}, {&Patch::modToPitch_cents, 600}, {&Patch::reverb, 350}}},
    {"telephone", sustained(0.005, 0.05), {{&Patch::coarse, 12}, {&Patch::filter_hz, 3000}, {&Patch::lfoRate_hz, 16},
        {&Patch::lfoToPitch_cents, 100}, {&Patch::lfoToVolume_cB, 100}}},
    {"helicopter", sustained(0.5, 0.8), {{&Patch::filter_hz, 800}, {&Patch::q_dB, 4}, {&Patch::lfoRate_hz, 11},
        {&Patch::lfoToVolume_cB, 200}, {&Patch::reverb, 200}}},
    {"applause", sustained(0.3, 0.8), {{&Patch::reverb, 350}}},
    {"gunshot", decaying(1.5, 0.5, 0), {{&Patch::reverb, 500}}},
  };
  return kPatches;
}

// One layer of a program: a sample family (its key splits as made) or one sample over the
// whole keyboard, played with a patch of kPatches.
struct LayerRow {
  LayerRow(SampleSet Families::*family_, const char* patch_) : family(family_), patch(patch_) {}
  LayerRow(KeyZone Families::*sample_, const char* patch_) : sample(sample_), patch(patch_) {}
  SampleSet Families::*family = nullptr;
  KeyZone Families::*sample = nullptr;
  const char* patch;
};

struct ProgramRow {
  int program;  // General MIDI program (bank 0); kGmNames names it
  std::vector<LayerRow> layers;
};

// Every program once, in the order the bank stores them.
const std::vector<ProgramRow>& programTable() {
  static const std::vector<ProgramRow> kPrograms = {
    // Pianos.
    {0, {{&Families::piano, "piano"}}},
    {1, {{&Families::piano, "bright"}}},
    {2, {{&Families::piano, "electricGrand"}}},
    {3, {{&Families::piano, "honky"}}},
    {4, {{&Families::epiano, "ep1"}}},
    {5, {{&Families::fmPiano, "ep2"}}},
    {6, {{&Families::pluckBright, "harpsichord"}}},
    {7, {{&Families::pluckBright, "clav"}}},
    // Chromatic percussion.
    {8, {{&Families::glock, "celesta"}}},
    {9, {{&Families::glock, "glockenspiel"}}},
    {10, {{&Families::glock, "musicBox"}}},
    {11, {{&Families::mallet, "vibes"}}},
    {12, {{&Families::mallet, "marimba"}}},
    {13, {{&Families::xylo, "xylophone"}}},
    {14, {{&Families::bell, "tubular"}}},
    {15, {{&Families::pluckBright, "dulcimer"}}},
    // Organs.
    {16, {{&Families::drawbar, "organ"}}},
    {17, {{&Families::percOrgan, "percOrgan"}}},
    {18, {{&Families::rockOrgan, "rock"}}},
    {19, {{&Families::pipeOrgan, "church"}}},
    {20, {{&Families::reedOrgan, "reedOrgan"}}},
    {21, {{&Families::reedOrgan, "accordion"}}},
    {22, {{&Families::reedOrgan, "harmonica"}}},
    {23, {{&Families::reedOrgan, "tango"}}},
    // Guitars.
    {24, {{&Families::pluckSoft, "nylon"}}},
    {25, {{&Families::pluckMedium, "steel"}}},
    {26, {{&Families::pluckMedium, "jazz"}}},
    {27, {{&Families::pluckMedium, "clean"}}},
    {28, {{&Families::pluckMedium, "muted"}}},
    {29, {{&Families::drive, "overdriven"}}},
    {30, {{&Families::drive, "distortion"}}},
    {31, {{&Families::pluckSoft, "harmonics"}}},
    // Basses.
    {32, {{&Families::bass, "acousticBass"}}},
    {33, {{&Families::bass, "finger"}}},
    {34, {{&Families::bass, "pick"}}},
    {35, {{&Families::round, "fretless"}}},
    {36, {{&Families::bass, "slap1"}}},
    {37, {{&Families::bass, "slap2"}}},
    {38, {{&Families::saw, "synthBass1"}}},
    {39, {{&Families::square, "synthBass2"}}},
    // Strings and ensembles.
    {40, {{&Families::bowed, "violin"}}},
    {41, {{&Families::bowed, "viola"}}},
    {42, {{&Families::bowed, "cello"}}},
    {43, {{&Families::bowed, "contrabass"}}},
    {44, {{&Families::strings, "tremolo"}}},
    {45, {{&Families::pluckSoft, "pizzicato"}}},
    {46, {{&Families::pluckSoft, "harp"}}},
    {47, {{&Families::timpani, "timpani"}}},
    {48, {{&Families::strings, "ensemble"}}},
    {49, {{&Families::strings, "slowStrings"}}},
    {50, {{&Families::saw, "synthStrings1"}}},
    {51, {{&Families::strings, "synthStrings2"}}},
    {52, {{&Families::aah, "choir"}}},
    {53, {{&Families::ooh, "choir"}}},
    {54, {{&Families::ooh, "synthVoice"}}},
    {55, {{&Families::orchestraHit, "orchestraHit"}}},
    // Brass.
    {56, {{&Families::brass, "trumpet"}}},
    {57, {{&Families::brass, "trombone"}}},
    {58, {{&Families::brass, "tuba"}}},
    {59, {{&Families::brass, "mutedTrumpet"}}},
    {60, {{&Families::brass, "horn"}}},
    {61, {{&Families::brass, "brassSection"}}},
    {62, {{&Families::saw, "synthBrass1"}}},
    {63, {{&Families::square, "synthBrass2"}, {&Families::saw, "synthBrass2Saw"}}},
    // Reeds.
    {64, {{&Families::sax, "sax"}}},
    {65, {{&Families::sax, "alto"}}},
    {66, {{&Families::sax, "tenor"}}},
    {67, {{&Families::sax, "bari"}}},
    {68, {{&Families::doubleReed, "oboe"}}},
    {69, {{&Families::doubleReed, "englishHorn"}}},
    {70, {{&Families::doubleReed, "bassoon"}}},
    {71, {{&Families::clarinet, "clarinet"}}},
    // Pipes.
    {72, {{&Families::flute, "piccolo"}}},
    {73, {{&Families::flute, "flute"}}},
    {74, {{&Families::flute, "recorder"}}},
    {75, {{&Families::flute, "panFlute"}}},
    {76, {{&Families::flute, "bottle"}}},
    {77, {{&Families::flute, "shakuhachi"}}},
    {78, {{&Families::round, "whistle"}}},
    {79, {{&Families::round, "ocarina"}}},
    // Synth leads.
    {80, {{&Families::square, "squareLead"}}},
    {81, {{&Families::saw, "sawLead"}}},
    {82, {{&Families::flute, "calliope"}}},
    {83, {{&Families::flute, "chiff"}}},
    {84, {{&Families::drive, "charang"}}},
    {85, {{&Families::aah, "voiceLead"}}},
    {86, {{&Families::saw, "fifths"}, {&Families::saw, "fifthUp"}}},
    {87, {{&Families::saw, "bassLead"}, {&Families::square, "octaveDown"}}},
    // Synth pads.
    {88, {{&Families::bell, "newAgeBell"}, {&Families::saw, "newAgePad"}}},
    {89, {{&Families::saw, "warm"}}},
    {90, {{&Families::saw, "polysynth"}}},
    {91, {{&Families::aah, "choirPad"}}},
    {92, {{&Families::strings, "bowedPad"}}},
    {93, {{&Families::bell, "metallic"}}},
    {94, {{&Families::ooh, "halo"}}},
    {95, {{&Families::saw, "sweep"}}},
    // Synth effects.
    {96, {{&Families::glock, "rainDrops"}, {&Families::strings, "rainBed"}}},
    {97, {{&Families::strings, "soundtrack"}, {&Families::ooh, "soundtrackVoice"}}},
    {98, {{&Families::bell, "crystal"}, {&Families::glock, "crystalGlock"}}},
    {99, {{&Families::pluckSoft, "atmospherePluck"}, {&Families::ooh, "atmospherePad"}}},
    {100, {{&Families::strings, "brightness"}}},
    {101, {{&Families::saw, "goblins"}}},
    {102, {{&Families::pluckMedium, "echoes"}}},
    {103, {{&Families::round, "sciFi"}}},
    // Ethnic.
    {104, {{&Families::sitar, "sitar"}}},
    {105, {{&Families::pluckBright, "banjo"}}},
    {106, {{&Families::pluckBright, "shamisen"}}},
    {107, {{&Families::pluckMedium, "koto"}}},
    {108, {{&Families::mallet, "kalimba"}}},
    {109, {{&Families::doubleReed, "chanter"}, {&Families::doubleReedLowest, "drone"}}},
    {110, {{&Families::bowed, "fiddle"}}},
    {111, {{&Families::doubleReed, "shanai"}}},
    // Percussive (melodic).
    {112, {{&Families::bell, "tinkle"}}},
    {114, {{&Families::steelPan, "steelDrum"}}},
    {113, {{&Families::agogo, "agogo"}}},
    {115, {{&Families::woodblock, "woodblock"}}},
    {116, {{&Families::tom, "taiko"}}},
    {117, {{&Families::tom, "melodicTom"}}},
    {118, {{&Families::round, "synthDrum"}}},
    {119, {{&Families::crash, "reverseCymbal"}}},
    // Sound effects.
    {120, {{&Families::fret, "fret"}}},
    {121, {{&Families::noise, "breath"}}},
    {122, {{&Families::noise, "seashore"}}},
    {123, {{&Families::round, "bird"}}},
    {124, {{&Families::square, "telephone"}}},
    {125, {{&Families::noise, "helicopter"}}},
    {126, {{&Families::applause, "applause"}}},
    {127, {{&Families::gunshot, "gunshot"}}},
  };
  return kPrograms;
}

void applyEdit(Patch& p, const PatchEdit& e) {
  std::visit(
      [&](auto field) {
        using Value = std::remove_reference_t<decltype(p.*field)>;
        if constexpr (std::is_same_v<Value, bool>) {
          p.*field = e.value != 0;
        } else if constexpr (std::is_same_v<Value, int>) {
          const int v = roundToInt(e.value);
          p.*field = e.op == PatchEdit::kAdd ? p.*field + v : v;
        } else {
          p.*field = e.op == PatchEdit::kAdd ? p.*field + e.value : e.value;
        }
      },
      e.field);
}

// kPatches evaluated: each patch by name.
std::map<std::string, Patch> buildPatches() {
  std::map<std::string, Patch> patches;
  for (const PatchRow& row : patchTable()) {
    Patch p = row.start.patch;
    if (row.start.like != nullptr) {
      const auto base = patches.find(row.start.like);
      if (base == patches.end()) {
        throw std::logic_error(fmt::format("patch {}: {} is not defined above it", row.name, row.start.like));
      }
      p = base->second;
    }
    for (const PatchEdit& e : row.edits) applyEdit(p, e);
    if (!patches.emplace(row.name, p).second) {
      throw std::logic_error(fmt::format("patch {} is defined twice", row.name));
    }
  }
  return patches;
}

void buildPrograms(BankBuilder& b, const Families& f) {
  const std::map<std::string, Patch> patches = buildPatches();
  std::array<bool, 128> done{};
  for (const ProgramRow& row : programTable()) {
    const size_t index = static_cast<size_t>(row.program);
    if (done.at(index)) throw std::logic_error(fmt::format("GM program {} is defined twice", row.program));
    std::vector<Layer> layers;
    for (const LayerRow& l : row.layers) {
      Layer layer;
      if (l.family != nullptr) {
        layer.set = f.*l.family;
      } else {
        KeyZone whole = f.*l.sample;
        whole.keyLo = 0;
        whole.keyHi = 127;
        layer.set = {whole};
      }
      const auto patch = patches.find(l.patch);
      if (patch == patches.end()) {
        throw std::logic_error(fmt::format("GM program {}: no patch {}", row.program, l.patch));
      }
      layer.patch = patch->second;
      layer.patch.attenuation_cB += kTrim_cB[index];
      layers.push_back(std::move(layer));
    }
    b.addProgram(0, row.program, kGmNames[index], layers);
    done[index] = true;
  }
  for (size_t program = 0; program < done.size(); ++program)
    if (!done[program]) throw std::logic_error(fmt::format("GM program {} has no definition", program));
}

// The GM Standard kit: keys 35-81 of GM Level 1 and the GM2 / GS additions 27-34 and 82-87.
void buildDrumKit(BankBuilder& b, const Families& f) {
  std::vector<BankBuilder::DrumZone> zones;
  // One-shots play to their end whatever the note length; looped metal decays in its
  // volume envelope.
  auto hit = [&zones](int key, const KeyZone& sample, int pan, int tune_cents = 0, int attenuation_cB = 0) -> Patch& {
    Patch p;
    p.release_s = 1.0;
    p.pan = pan;
    p.coarse = tune_cents / 100;
    p.fine = tune_cents % 100;
    p.attenuation_cB = attenuation_cB;
    p.reverb = 150;
    zones.push_back({key, sample, p});
    return zones.back().patch;
  };
  auto ring = [&](int key, const KeyZone& sample, int pan, double decay_s, int tune_cents = 0, int attenuation_cB = 0) -> Patch& {
    Patch& p = hit(key, sample, pan, tune_cents, attenuation_cB);
    p.decay_s = decay_s;
    p.sustain_dB = 100;
    p.release_s = std::max(0.1, decay_s * 0.5);
    return p;
  };
  // Toms tuned across the keys: the sample's own pitch is 110 Hz.
  auto tomCents = [](double hz) { return roundToInt(1200 * std::log2(hz / 110.0)); };

  // GM2 / GS keys below the kit (high Q, slap, scratches, sticks, clicks, metronome), made
  // from the kit's own samples.
  Patch& highQ = hit(27, f.claves, 0, 1200, 60);
  highQ.modDecay_s = 0.05;
  highQ.modSustain = 0;
  highQ.modToPitch_cents = 1200;  // a quick downward chirp
  ring(28, f.clap, -100, 0.12, 500, 0);
  hit(29, f.guiro, 200, 500, 40).exclusiveClass = 6;  // scratch push and pull cut each other
  hit(30, f.guiro, 200, -300, 40).exclusiveClass = 6;
  hit(31, f.sideStick, 0, 700, 40);
  hit(32, f.sideStick, 0, 1200, 0);
  hit(33, f.woodblock, 0, 700, 80);
  ring(34, f.triangle, 0, 0.8, 500, 60);
  hit(35, f.kick, 0, -200, 100).filter_hz = 3000;
  hit(36, f.kick, 0, 0, 100).reverb = 50;
  hit(37, f.sideStick, 0, 0, 0);
  hit(38, f.snare, 0);
  hit(39, f.clap, 0, 0, 30);
  hit(40, f.snare, 0, 300);
  hit(41, f.tom, 250, tomCents(82), 100);
  ring(42, f.hiHat, -250, 0.3, 0, 0).exclusiveClass = 1;
  hit(43, f.tom, 180, tomCents(98), 100);
  Patch& pedal = ring(44, f.hiHat, -250, 0.35, -200, 20);
  pedal.exclusiveClass = 1;
  pedal.filter_hz = 7000;
  ring(46, f.hiHat, -250, 2.5, 0, 60).exclusiveClass = 1;
  hit(45, f.tom, 100, tomCents(110), 100);
  hit(47, f.tom, 0, tomCents(131), 100);
  hit(48, f.tom, -100, tomCents(147), 100);
  ring(49, f.crash, -300, 5.0, 0, 40);
  hit(50, f.tom, -200, tomCents(175), 100);
  ring(51, f.ride, 300, 5.0, 0, 40);
  Patch& china = ring(52, f.crash, 350, 3.5, -300, 40);
  china.filter_hz = 5000;
  china.q_dB = 6;
  hit(53, f.rideBell, 300, 0, 60);
  hit(54, f.tambourine, -150, 0, 60);
  ring(55, f.crash, -300, 2.0, 500, 60);
  hit(56, f.cowbell, 150, 0, 80);
  ring(57, f.crash, 300, 5.0, 200, 40);
  hit(58, f.vibraslap, 200, 0, 0);
  ring(59, f.ride, 350, 5.0, -200, 40);
  hit(60, f.bongo, -200, 0, 80);
  hit(61, f.bongo, -150, -500, 80);
  ring(62, f.conga, 150, 0.25, 200, 40);
  hit(63, f.conga, 150, 200, 80);
  hit(64, f.conga, 200, -300, 80);
  hit(65, f.timbale, -100, 0, 60);
  hit(66, f.timbale, -50, -500, 60);
  hit(67, f.agogo, 250, 0, 80);
  hit(68, f.agogo, 250, -500, 80);
  hit(69, f.cabasa, -250, 0, 60);
  hit(70, f.maracas, -300, 0, 60);
  Patch& shortWhistle = ring(71, f.whistle, 300, 0.4, 0, 160);
  shortWhistle.hold_s = 0.1;
  shortWhistle.exclusiveClass = 3;
  Patch& longWhistle = ring(72, f.whistle, 300, 0.5, -200, 160);
  longWhistle.hold_s = 0.5;
  longWhistle.lfoRate_hz = 28;
  longWhistle.lfoToVolume_cB = 120;
  longWhistle.exclusiveClass = 3;
  Patch& shortGuiro = ring(73, f.guiro, -200, 0.35, 0, 0);
  shortGuiro.oneShot = true;
  shortGuiro.exclusiveClass = 4;
  hit(74, f.guiro, -200, 0, 60).exclusiveClass = 4;
  hit(75, f.claves, 200, 0, 60);
  hit(76, f.woodblock, 250, 0, 60);
  hit(77, f.woodblock, 250, -400, 60);
  Patch& muteCuica = ring(78, f.cuica, -150, 0.3, 300, 60);
  muteCuica.exclusiveClass = 5;
  hit(79, f.cuica, -150, -200, 140).exclusiveClass = 5;
  ring(80, f.triangle, -300, 0.35, 0, 0).exclusiveClass = 2;
  ring(81, f.triangle, -300, 5.0, 0, 40).exclusiveClass = 2;
  // GM2 / GS keys above it: shaker, jingle bell, bell tree, castanets, mute and open surdo.
  hit(82, f.maracas, -250, -300, 60);
  hit(83, f.tambourine, 150, 500, 80);
  ring(84, f.triangle, 250, 2.5, 700, 60);
  hit(85, f.woodblock, 200, 900, 80);
  ring(86, f.tom, -100, 0.25, tomCents(55), 100);
  ring(87, f.tom, -100, 1.2, tomCents(55), 100);
  b.addDrumKit(0, "Standard", zones);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Build awe's General MIDI SoundFont from synthesized waveforms"};
  std::string output = "soundfonts/awe-gm.sf2";
  bool verbose = false;
  app.add_option("-o,--output", output, "SF2 file to write");
  app.add_flag("-v,--verbose", verbose, "print level and size details");
  CLI11_PARSE(app, argc, argv);

  try {
    BankBuilder builder(verbose);
    const Families families = buildFamilies(builder);
    buildPrograms(builder, families);
    buildDrumKit(builder, families);
    const std::vector<uint8_t> bytes = awe::writeSf2(builder.description());
    awe::writeFileAtomically(output, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    const auto& d = builder.description();
    fmt::print("wrote {}: {} samples ({:.0f} KiB of sample data), {} instruments, {} presets\n", output,
               d.samples.size(), static_cast<double>(d.sampleData.size()) * 2 / 1024.0, d.instruments.size(),
               d.presets.size());
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-make-bank: {}\n", e.what());
    return 1;
  }
  return 0;
}
