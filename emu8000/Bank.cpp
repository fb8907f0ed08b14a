#include "emu8000/Bank.h"

#include <algorithm>

namespace awe {

Sf2Error::Sf2Error(std::string file, std::string chunk, uint64_t offset, const std::string& what)
    : std::runtime_error(file + ": chunk '" + chunk + "' at byte " + std::to_string(offset) + ": " + what),
      file_(std::move(file)),
      chunk_(std::move(chunk)),
      offset_(offset) {}

Bank::Bank(Parts&& parts)
    : info_(std::move(parts.info)),
      path_(std::move(parts.path)),
      sampleData_(std::move(parts.sampleData)),
      sampleDataFrames_(parts.sampleDataFrames),
      sample24_(std::move(parts.sample24)),
      samples_(std::move(parts.samples)),
      presets_(std::move(parts.presets)),
      regions_(std::move(parts.regions)),
      modulators_(std::move(parts.modulators)),
      instrumentNames_(std::move(parts.instrumentNames)) {
  std::stable_sort(presets_.begin(), presets_.end(), [](const Preset& a, const Preset& b) {
    return a.bank != b.bank ? a.bank < b.bank : a.program < b.program;
  });
}

size_t Bank::sampleBytes() const noexcept { return sampleDataFrames_ * sizeof(int16_t); }

const Preset* Bank::findPreset(uint16_t bank, uint16_t program) const noexcept {
  auto it = std::lower_bound(presets_.begin(), presets_.end(), std::make_pair(bank, program),
                             [](const Preset& p, const std::pair<uint16_t, uint16_t>& key) {
                               return p.bank != key.first ? p.bank < key.first : p.program < key.second;
                             });
  if (it == presets_.end() || it->bank != bank || it->program != program) return nullptr;
  return &*it;
}

}  // namespace awe
