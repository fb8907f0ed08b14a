#pragma once
// Banks built in memory for render tests: exact waveforms and exactly the generators a test
// wants, without going through a file.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emu8000/Bank.h"
#include "emu8000/Generators.h"
#include "emu8000/Synth.h"

namespace awe::test {

struct SampleSpec {
  std::string name = "sample";
  std::vector<int16_t> data;
  uint32_t sampleRate = 44100;
  uint8_t originalKey = 60;
  int8_t pitchCorrection_cents = 0;
  uint32_t loopStart = 0, loopEnd = 0;  // relative to the sample's first frame
};

struct RegionSpec {
  int keyLo = 0, keyHi = 127, velLo = 0, velHi = 127;
  int sample = 0;
  std::map<Gen, int> gens;  // anything not given takes the SF2 default
  std::vector<ModulatorSpec> instrumentModulators;
};

struct PresetSpec {
  std::string name = "preset";
  uint16_t bank = 0;
  uint16_t program = 0;
  std::vector<RegionSpec> regions;
};

std::shared_ptr<const Bank> makeBank(const std::vector<SampleSpec>& samples, const std::vector<PresetSpec>& presets);

// Settings for tests of SF2 behaviour as the spec writes it: the modern personality (the
// awe personality's register quantisation has its own tests) at unity master gain, dry.
SynthSettings sf2Settings();

// `cycles` whole periods of a sine, `period` samples each (loop it over [0, cycles*period)).
std::vector<int16_t> sineCycles(double period_samples, int cycles, double amplitude = 16384.0);
// A constant level, for envelope measurements.
std::vector<int16_t> constant(size_t frames, int16_t value);

// The test samples several files share:
// 64 whole cycles of a 100-sample sine recorded at 44 kHz, root key 69, looped over all of
// it: 440 Hz at key 69.
SampleSpec sine440Sample();
// A constant level (16384) of 2000 frames looped over [100, 1900): sharp, measurable onsets
// and a steady level, for envelope and level measurements.
SampleSpec constantLoopSample();
// 44100 frames of white noise, uniform in +-12000 from `seed`, looped over all of it.
SampleSpec noiseSample(uint32_t seed);
// A bank of one preset (bank 0, program 0) with one region over `sample` playing `gens`.
std::shared_ptr<const Bank> oneRegionBank(SampleSpec sample, std::map<Gen, int> gens);
// Program 0 ("Test Piano") and a drum kit (bank 128, "Test Kit"), both constantLoopSample
// looped with a 16 ms release: steady audio for the engine and the player's session.
std::shared_ptr<const Bank> steadyTestBank();

}  // namespace awe::test
