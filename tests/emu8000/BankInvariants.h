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
    if (p.regionBegin > bank.regions().size() || p.regionCount > bank.regions().size() - p.regionBegin)
      return "preset " + std::to_string(i) + " regions out of range";
  }

  const size_t modCount = bank.modulators().size();
  for (size_t i = 0; i < bank.regions().size(); ++i) {
    const Region& r = bank.regions()[i];
    const std::string where = "region " + std::to_string(i);
    if (r.sample >= samples.size()) return where + " sample out of range";
    if (samples[r.sample].start >= samples[r.sample].end) return where + " uses an empty sample";
    if (samples[r.sample].type & 0x8000) return where + " uses a ROM sample";
    if (r.instrument >= bank.instrumentNames().size()) return where + " instrument out of range";
    if (r.keyLo > r.keyHi || r.keyHi > 127 || r.velLo > r.velHi || r.velHi > 127) return where + " bad key/velocity range";
    if (r.instModBegin > modCount || r.instModCount > modCount - r.instModBegin) return where + " instrument modulators out of range";
    if (r.presetModBegin > modCount || r.presetModCount > modCount - r.presetModBegin) return where + " preset modulators out of range";
    for (int g = 0; g < kSf2GeneratorCount; ++g) {
      const GeneratorInfo& info = generatorInfo(g);
      if (info.allowed && info.instrumentOnly && g != static_cast<int>(Gen::SampleId) &&
          (r.gen[g] < info.min || r.gen[g] > info.max))
        return where + " instrument-only generator " + info.name + " outside its range";
    }
  }
  for (const ModulatorSpec& m : bank.modulators()) {
    if (m.dest >= kSf2GeneratorCount) return "modulator destination out of range";
  }
  return {};
}

}  // namespace awe
