#pragma once
// Structural promises every loaded Bank keeps, whatever file it came from. Used by the
// Catch2 tests and by the SF2 fuzzer (which aborts on a violation). Header-only so the
// fuzz target can use it without the test support library.
#include <string>

#include "emu8000/Bank.h"

namespace awe {

// Returns a description of the first broken promise, or an empty string.
inline std::string checkBankInvariants(const Bank& bank) {
  const size_t frames = bank.sampleDataFrames();
  if (bank.sampleData() == nullptr) return "no sample block";
  if (frames < static_cast<size_t>(kSampleGuardFront + kSampleGuardBack)) return "sample block smaller than its guards";
  for (size_t i = 0; i < static_cast<size_t>(kSampleGuardFront); ++i)
    if (bank.sampleData()[i] != 0) return "front guard not zero";
  for (size_t i = frames - static_cast<size_t>(kSampleGuardBack); i < frames; ++i)
    if (bank.sampleData()[i] != 0) return "back guard not zero";
  if (bank.sampleBytes() != frames * sizeof(int16_t)) return "sampleBytes disagrees with sampleDataFrames";
  if (!bank.sample24().empty() && bank.sample24().size() != frames) return "sample24 not the size of the sample block";
  const size_t dataEnd = frames - static_cast<size_t>(kSampleGuardBack);

  const auto& samples = bank.samples();
  for (size_t i = 0; i < samples.size(); ++i) {
    const SampleHeader& s = samples[i];
    if (s.start < static_cast<uint32_t>(kSampleGuardFront) || s.start > s.end || s.end > dataEnd)
      return "sample " + std::to_string(i) + " outside the sample data";
    if (s.loopStart < s.start || s.loopEnd > s.end || s.loopStart > s.loopEnd)
      return "sample " + std::to_string(i) + " loop outside the sample";
    if ((s.type == 2 || s.type == 4 || s.type == 8) && s.link >= samples.size())
      return "sample " + std::to_string(i) + " links outside the sample list";
    if (s.originalKey > 127) return "sample " + std::to_string(i) + " original key above 127";
    if (s.sampleRate == 0) return "sample " + std::to_string(i) + " has rate 0";
  }

  const auto& presets = bank.presets();
  for (size_t i = 0; i < presets.size(); ++i) {
    const Preset& p = presets[i];
    if (i > 0 && (presets[i - 1].bank > p.bank || (presets[i - 1].bank == p.bank && presets[i - 1].program > p.program)))
      return "presets not sorted";
    if (p.zoneBegin > bank.presetZones().size() || p.zoneCount > bank.presetZones().size() - p.zoneBegin)
      return "preset " + std::to_string(i) + " zones out of range";
  }

  const size_t modCount = bank.modulators().size();
  auto zoneProblem = [&](const Zone& z) -> std::string {
    if (z.keyLo > z.keyHi || z.keyHi > 127 || z.velLo > z.velHi || z.velHi > 127) return "bad key/velocity range";
    if (z.modBegin > modCount || z.modCount > modCount - z.modBegin) return "modulators out of range";
    return {};
  };
  for (size_t i = 0; i < bank.presetZones().size(); ++i) {
    const Zone& z = bank.presetZones()[i];
    const std::string where = "preset zone " + std::to_string(i);
    if (z.target >= bank.instruments().size()) return where + " instrument out of range";
    const std::string problem = zoneProblem(z);
    if (!problem.empty()) return where + " " + problem;
  }
  const size_t instZoneCount = bank.instrumentZones().size();
  for (size_t i = 0; i < bank.instruments().size(); ++i) {
    const Instrument& ins = bank.instruments()[i];
    if (ins.zoneBegin > instZoneCount || ins.zoneCount > instZoneCount - ins.zoneBegin)
      return "instrument " + std::to_string(i) + " zones out of range";
  }
  for (size_t i = 0; i < instZoneCount; ++i) {
    const Zone& z = bank.instrumentZones()[i];
    const std::string where = "instrument zone " + std::to_string(i);
    if (z.target >= samples.size()) return where + " sample out of range";
    if (samples[z.target].start >= samples[z.target].end) return where + " uses an empty sample";
    if (samples[z.target].type & 0x8000) return where + " uses a ROM sample";
    const std::string problem = zoneProblem(z);
    if (!problem.empty()) return where + " " + problem;
    for (int g = 0; g < kSf2GeneratorCount; ++g) {
      const GeneratorInfo& info = generatorInfo(g);
      if (info.allowed && info.instrumentOnly && g != static_cast<int>(Gen::SampleId) &&
          (z.gen[g] < info.min || z.gen[g] > info.max))
        return where + " instrument-only generator " + info.name + " outside its range";
    }
  }
  for (const ModulatorSpec& m : bank.modulators()) {
    if (m.dest >= kSf2GeneratorCount) return "modulator destination out of range";
  }
  return {};
}

}  // namespace awe
