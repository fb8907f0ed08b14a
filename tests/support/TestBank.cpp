#include "support/TestBank.h"

#include <cmath>
#include <cstring>
#include <random>

#include "emu8000/Config.h"

namespace awe::test {

std::shared_ptr<const Bank> makeBank(const std::vector<SampleSpec>& samples, const std::vector<PresetSpec>& presets) {
  Bank::Parts parts;
  parts.info.name = "test bank";
  size_t total = kSampleGuardFront;
  for (const SampleSpec& s : samples) total += s.data.size() + 46;
  total += kSampleGuardBack;
  parts.sampleData.reset(new int16_t[total]());
  parts.sampleDataFrames = total;
  size_t at = kSampleGuardFront;
  for (const SampleSpec& s : samples) {
    std::memcpy(parts.sampleData.get() + at, s.data.data(), s.data.size() * sizeof(int16_t));
    SampleHeader h;
    h.name = s.name;
    h.start = static_cast<uint32_t>(at);
    h.end = static_cast<uint32_t>(at + s.data.size());
    h.loopStart = static_cast<uint32_t>(at + s.loopStart);
    h.loopEnd = static_cast<uint32_t>(at + s.loopEnd);
    h.sampleRate = s.sampleRate;
    h.originalKey = s.originalKey;
    h.pitchCorrection_cents = s.pitchCorrection_cents;
    parts.samples.push_back(h);
    at += s.data.size() + 46;
  }
  for (const PresetSpec& p : presets) {
    Preset preset;
    preset.name = p.name;
    preset.bank = p.bank;
    preset.program = p.program;
    std::vector<Zone> zones;
    for (const RegionSpec& r : p.regions) {
      Zone zone;
      zone.keyLo = static_cast<uint8_t>(r.keyLo);
      zone.keyHi = static_cast<uint8_t>(r.keyHi);
      zone.velLo = static_cast<uint8_t>(r.velLo);
      zone.velHi = static_cast<uint8_t>(r.velHi);
      zone.target = static_cast<uint32_t>(r.sample);
      for (int g = 0; g < kSf2GeneratorCount; ++g) zone.gen[g] = generatorInfo(g).defaultValue;
      for (const auto& [gen, value] : r.gens) zone.gen[genIndex(gen)] = value;
      zone.modBegin = static_cast<uint32_t>(parts.modulators.size());
      zone.modCount = static_cast<uint16_t>(r.instrumentModulators.size());
      for (const ModulatorSpec& m : r.instrumentModulators) parts.modulators.push_back(m);
      zones.push_back(zone);
    }
    parts.addPresetOfZones(std::move(preset), zones);
  }
  return std::make_shared<const Bank>(std::move(parts));
}

SynthSettings sf2Settings() {
  SynthSettings s;
  s.personality = Personality::Modern;
  s.masterGain = 1.0f;
  s.effectsEnabled = false;  // dry: reverb and chorus have their own tests
  return s;
}

std::vector<int16_t> sineCycles(double period_samples, int cycles, double amplitude) {
  const size_t n = static_cast<size_t>(std::llround(period_samples * cycles));
  std::vector<int16_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(2.0 * M_PI * static_cast<double>(i) / period_samples)));
  }
  return out;
}

std::vector<int16_t> constant(size_t frames, int16_t value) { return std::vector<int16_t>(frames, value); }

SampleSpec sine440Sample() {
  SampleSpec s;
  s.data = sineCycles(100.0, 64);
  s.sampleRate = 44000;
  s.originalKey = 69;
  s.loopStart = 0;
  s.loopEnd = static_cast<uint32_t>(s.data.size());
  return s;
}

SampleSpec constantLoopSample() {
  SampleSpec s;
  s.data = constant(2000, 16384);
  s.loopStart = 100;
  s.loopEnd = 1900;
  return s;
}

SampleSpec noiseSample(uint32_t seed) {
  SampleSpec s;
  s.name = "noise";
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> amplitude(-12000, 12000);
  s.data.resize(44100);
  for (int16_t& x : s.data) x = static_cast<int16_t>(amplitude(random));
  s.loopStart = 0;
  s.loopEnd = static_cast<uint32_t>(s.data.size());
  return s;
}

std::shared_ptr<const Bank> oneRegionBank(SampleSpec sample, std::map<Gen, int> gens) {
  RegionSpec r;
  r.gens = std::move(gens);
  PresetSpec p;
  p.regions.push_back(r);
  return makeBank({std::move(sample)}, {p});
}

std::shared_ptr<const Bank> steadyTestBank() {
  RegionSpec r;
  r.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, -2400}};
  PresetSpec piano;
  piano.name = "Test Piano";
  piano.regions.push_back(r);
  PresetSpec drums = piano;
  drums.name = "Test Kit";
  drums.bank = 128;
  return makeBank({constantLoopSample()}, {piano, drums});
}

}  // namespace awe::test
