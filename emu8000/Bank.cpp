#include "emu8000/Bank.h"

#include <algorithm>

#include "emu8000/PresetFallback.h"

namespace awe {

Sf2Error::Sf2Error(std::string file, std::string chunk, uint64_t offset, const std::string& what)
    : std::runtime_error(file + ": chunk '" + chunk + "' at byte " + std::to_string(offset) + ": " + what),
      file_(std::move(file)),
      chunk_(std::move(chunk)),
      offset_(offset) {}

void Bank::Parts::addPresetOfZones(Preset preset, const std::vector<Zone>& zones) {
  Instrument instrument;
  instrument.name = preset.name;
  instrument.zoneBegin = static_cast<uint32_t>(instrumentZones.size());
  instrument.zoneCount = static_cast<uint32_t>(zones.size());
  instrumentZones.insert(instrumentZones.end(), zones.begin(), zones.end());
  Zone neutral;
  neutral.target = static_cast<uint32_t>(instruments.size());
  instruments.push_back(std::move(instrument));
  preset.zoneBegin = static_cast<uint32_t>(presetZones.size());
  preset.zoneCount = 1;
  presetZones.push_back(neutral);
  presets.push_back(std::move(preset));
}

Bank::Bank(Parts&& parts)
    : info_(std::move(parts.info)),
      path_(std::move(parts.path)),
      sampleData_(std::move(parts.sampleData)),
      sampleDataFrames_(parts.sampleDataFrames),
      sample24_(std::move(parts.sample24)),
      samples_(std::move(parts.samples)),
      presets_(std::move(parts.presets)),
      presetZones_(std::move(parts.presetZones)),
      instruments_(std::move(parts.instruments)),
      instrumentZones_(std::move(parts.instrumentZones)),
      modulators_(std::move(parts.modulators)),
      compressedSamples_(parts.compressedSamples),
      decodedFrames_(parts.decodedFrames),
      compressedBytes_(parts.compressedBytes) {
  std::stable_sort(presets_.begin(), presets_.end(), [](const Preset& a, const Preset& b) {
    return a.bank != b.bank ? a.bank < b.bank : a.program < b.program;
  });
  // Counting only: the pairs are what a note-on would look at (the loader has already
  // bounded their number by the file's size).
  for (Preset& preset : presets_) {
    if (!parts.regionsCounted) preset.regionCount = 0;
    uint64_t zones = preset.zoneCount;
    for (uint32_t p = preset.zoneBegin; p < preset.zoneBegin + preset.zoneCount; ++p) {
      const Zone& pz = presetZones_[p];
      const Instrument& instrument = instruments_[pz.target];
      zones += instrument.zoneCount;
      if (parts.regionsCounted) continue;
      for (uint32_t i = instrument.zoneBegin; i < instrument.zoneBegin + instrument.zoneCount; ++i)
        if (pz.overlaps(instrumentZones_[i])) ++preset.regionCount;
    }
    regionCount_ += preset.regionCount;
    maxZonesPerNote_ = std::max(maxZonesPerNote_, zones);
  }
}

size_t Bank::sampleBytes() const noexcept { return sampleDataFrames_ * sizeof(int16_t); }

size_t Bank::tableBytes() const noexcept {
  size_t bytes = (presetZones_.size() + instrumentZones_.size()) * sizeof(Zone) +
                 presets_.size() * sizeof(Preset) + instruments_.size() * sizeof(Instrument) +
                 samples_.size() * sizeof(SampleHeader) + modulators_.size() * sizeof(ModulatorSpec);
  for (const Preset& p : presets_) bytes += p.name.capacity();
  for (const Instrument& i : instruments_) bytes += i.name.capacity();
  for (const SampleHeader& s : samples_) bytes += s.name.capacity();
  return bytes;
}

const Preset* Bank::findPreset(uint16_t bank, uint16_t program) const noexcept {  // [audio thread]
  auto it = std::lower_bound(presets_.begin(), presets_.end(), std::make_pair(bank, program),
                             [](const Preset& p, const std::pair<uint16_t, uint16_t>& key) {
                               return p.bank != key.first ? p.bank < key.first : p.program < key.second;
                             });
  if (it == presets_.end() || it->bank != bank || it->program != program) return nullptr;
  return &*it;
}

const Preset* presetFor(const Bank& bank, uint16_t bankNumber, uint16_t program, bool drum) noexcept {  // [audio thread]
  if (drum) {
    const Preset* kit = bank.findPreset(kDrumBank, program);
    return kit != nullptr ? kit : bank.findPreset(kDrumBank, 0);
  }
  const Preset* preset = bank.findPreset(bankNumber, program);
  return preset != nullptr ? preset : bank.findPreset(0, program);
}

// [audio thread]
void Bank::resolve(const Zone& pz, const Zone& iz, Region& out) noexcept {
  out.keyLo = std::max(pz.keyLo, iz.keyLo);
  out.keyHi = std::min(pz.keyHi, iz.keyHi);
  out.velLo = std::max(pz.velLo, iz.velLo);
  out.velHi = std::min(pz.velHi, iz.velHi);
  out.sample = iz.target;
  out.instrument = pz.target;
  for (int g = 0; g < kSf2GeneratorCount; ++g) {
    const GeneratorInfo& info = generatorInfo(g);
    if (!info.allowed) out.gen[g] = 0;
    else if (info.instrumentOnly) out.gen[g] = iz.gen[g];
    else out.gen[g] = iz.gen[g] + pz.gen[g];
  }
  out.gen[genIndex(Gen::KeyRange)] = out.keyLo | (out.keyHi << 8);
  out.gen[genIndex(Gen::VelRange)] = out.velLo | (out.velHi << 8);
  out.gen[genIndex(Gen::Instrument)] = static_cast<int32_t>(pz.target);
  out.gen[genIndex(Gen::SampleId)] = static_cast<int32_t>(iz.target);
  out.instModBegin = iz.modBegin;
  out.instModCount = iz.modCount;
  out.presetModBegin = pz.modBegin;
  out.presetModCount = pz.modCount;
}

std::vector<Region> Bank::regionsOf(const Preset& preset) const {
  std::vector<Region> regions;
  regions.reserve(preset.regionCount);
  for (uint32_t p = preset.zoneBegin; p < preset.zoneBegin + preset.zoneCount; ++p) {
    const Zone& pz = presetZones_[p];
    const Instrument& instrument = instruments_[pz.target];
    for (uint32_t i = instrument.zoneBegin; i < instrument.zoneBegin + instrument.zoneCount; ++i) {
      const Zone& iz = instrumentZones_[i];
      if (!pz.overlaps(iz)) continue;
      regions.emplace_back();
      resolve(pz, iz, regions.back());
    }
  }
  return regions;
}

}  // namespace awe
