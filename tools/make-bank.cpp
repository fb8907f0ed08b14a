// awe-make-bank: builds the project's own General MIDI SoundFont from synthesized
// waveforms only (no recordings), deterministically: the same bytes on every run.
//
//   awe-make-bank -o soundfonts/awe-gm.sf2 [--verbose]
//
// Every sample is computed here: additive partials for tones (pianos, bells, organs,
// winds, strings, synths), Karplus-Strong strings for plucks and basses, filtered noise
// and metallic partials for drums. Sustained samples loop over a whole number of periods
// of every partial they contain, so a loop joins without a jump. Programs reuse sample
// families with their own envelopes, filters, LFOs and layers.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "emu8000/Sf2Writer.h"

namespace {

using awe::Gen;
using GenEntry = awe::Sf2Description::GenEntry;

constexpr double kPi = 3.14159265358979323846;
constexpr uint32_t kRate = 22050;      // tones and most drums
constexpr uint32_t kRateHigh = 32000;  // cymbals, hats and other bright metal

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
  const uint32_t fundamentalBin = std::max<uint32_t>(1, static_cast<uint32_t>(std::lround(spec.pitch_hz * L / spec.rate)));
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
  for (size_t t = 0; t < spec.transient.size() && t < total; ++t) w.data[t] += spec.transient[t];
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
  double buzz = 0;            // sitar-like bridge: rectified feedback
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
      double v = gain * (a * prev + (1 - 2 * a) * y[n - period] + a * y[n - period + 1]);
      if (spec.buzz > 0) v += spec.buzz * (std::fabs(y[n - period]) - 0.5 * std::fabs(prev + y[n - period + 1])) ;
      y[n] = v;
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

  // Scales a family of waves together: each to the same loudness (RMS over the first
  // `window_s` of the note as it plays, loop included), then the whole family so that
  // its loudest peak stays below full scale. Returns the zones for the given key ranges.
  SampleSet addFamily(const std::string& family, std::vector<Wave> waves, const std::vector<int>& keyHi,
                      double targetRms = 0.16, double window_s = 0.4) {
    std::vector<double> gains;
    double limit = 1.0;
    for (const Wave& w : waves) {
      const double rms = bodyRms(w, window_s);
      const double gain = rms > 0 ? targetRms / rms : 1.0;
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
  // RMS of the first window of the note as the synth plays it (wrapping into the loop).
  static double bodyRms(const Wave& w, double window_s) {
    const size_t frames = static_cast<size_t>(window_s * w.rate);
    double energy = 0;
    size_t pos = 0, count = 0;
    for (size_t i = 0; i < frames; ++i) {
      if (w.looped && pos >= w.loopEnd) pos = w.loopStart;
      if (pos >= w.data.size()) break;
      energy += w.data[pos] * w.data[pos];
      ++pos;
      ++count;
    }
    return count > 0 ? std::sqrt(energy / static_cast<double>(frames)) : 0.0;
  }

  uint16_t store(const Wave& w, double gain) {
    std::vector<int16_t> pcm(w.data.size());
    for (size_t i = 0; i < w.data.size(); ++i)
      pcm[i] = static_cast<int16_t>(std::clamp(std::lround(w.data[i] * gain * 32767.0), -32767L, 32767L));
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

// ---------------------------------------------------------------------------------------

struct Families {
  SampleSet piano;
};

Families buildFamilies(BankBuilder& b) {
  Families f;
  f.piano = b.addFamily("piano", {pianoNote(36), pianoNote(55), pianoNote(72), pianoNote(89)}, {45, 63, 80}, 0.16, 0.3);
  return f;
}

void buildPrograms(BankBuilder& b, const Families& f) {
  auto add = [&b](int program, std::vector<Layer> layers) { b.addProgram(0, program, kGmNames[static_cast<size_t>(program)], layers); };

  Patch piano;
  piano.decay_s = 18;
  piano.sustain_dB = 100;
  piano.keyToVolDecay = -40;
  piano.release_s = 0.35;
  piano.reverb = 200;
  add(0, {{f.piano, piano}});

  for (int program = 1; program < 128; ++program) add(program, {{f.piano, piano}});
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Build awe's General MIDI SoundFont from synthesized waveforms"};
  std::string output = "soundfonts/awe-gm.sf2";
  bool verbose = false;
  app.add_option("-o,--output", output, "SF2 file to write");
  app.add_flag("-v,--verbose", verbose, "print level and size details");
  CLI11_PARSE(app, argc, argv);

  BankBuilder builder(verbose);
  const Families families = buildFamilies(builder);
  buildPrograms(builder, families);
  try {
    awe::writeSf2File(output, builder.description());
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-make-bank: {}\n", e.what());
    return 1;
  }
  const auto& d = builder.description();
  fmt::print("wrote {}: {} samples ({:.0f} KiB of sample data), {} instruments, {} presets\n", output,
             d.samples.size(), static_cast<double>(d.sampleData.size()) * 2 / 1024.0, d.instruments.size(),
             d.presets.size());
  return 0;
}
