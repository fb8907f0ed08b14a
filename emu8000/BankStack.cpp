// stackBanks: several banks as one, first one first (`--sf2 a.sf2 --sf2 b.sf2`).
#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include "emu8000/BankStack.h"

namespace awe {
namespace {

template <typename T>
void append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

uint32_t offset32(size_t n) { return static_cast<uint32_t>(n); }

}  // namespace

BankStack stackBanks(const std::vector<std::shared_ptr<const Bank>>& banks) {
  BankStack stack;
  for (const auto& bank : banks) stack.layers.push_back(BankLayer{bank->path(), bank->info(), bank->presets().size(), 0});
  if (banks.size() <= 1) {
    stack.bank = banks.empty() ? nullptr : banks.front();
    return stack;
  }

  Bank::Parts parts;
  parts.info = banks.front()->info();
  parts.path = banks.front()->path();
  bool any24 = false;
  for (const auto& bank : banks) {
    parts.sampleDataFrames += bank->sampleDataFrames();
    any24 = any24 || bank->has24BitSamples();
  }
  parts.sampleData = std::make_unique<int16_t[]>(parts.sampleDataFrames);
  // A bank without sm24 extends with zero low bytes: the same 16-bit values.
  if (any24) parts.sample24.assign(parts.sampleDataFrames, 0);

  std::set<std::pair<uint16_t, uint16_t>> taken;  // (bank, program) already given by an earlier layer
  size_t frames = 0;
  for (size_t l = 0; l < banks.size(); ++l) {
    const Bank& bank = *banks[l];
    // Each bank's data keeps its own guards, so loops and interpolation read what they did.
    std::memcpy(parts.sampleData.get() + frames, bank.sampleData(), bank.sampleDataFrames() * sizeof(int16_t));
    if (bank.has24BitSamples()) std::copy(bank.sample24().begin(), bank.sample24().end(), parts.sample24.begin() + static_cast<std::ptrdiff_t>(frames));

    const uint32_t sampleBase = offset32(parts.samples.size());
    const uint32_t frameBase = offset32(frames);
    for (SampleHeader s : bank.samples()) {
      s.start += frameBase;
      s.end += frameBase;
      s.loopStart += frameBase;
      s.loopEnd += frameBase;
      s.link = static_cast<uint16_t>(s.link + sampleBase);
      parts.samples.push_back(std::move(s));
    }
    const uint32_t modulatorBase = offset32(parts.modulators.size());
    append(parts.modulators, bank.modulators());

    const uint32_t instrumentZoneBase = offset32(parts.instrumentZones.size());
    for (Zone z : bank.instrumentZones()) {
      z.target += sampleBase;
      z.modBegin += modulatorBase;
      parts.instrumentZones.push_back(z);
    }
    const uint32_t instrumentBase = offset32(parts.instruments.size());
    for (Instrument i : bank.instruments()) {
      i.zoneBegin += instrumentZoneBase;
      parts.instruments.push_back(std::move(i));
    }
    const uint32_t presetZoneBase = offset32(parts.presetZones.size());
    for (Zone z : bank.presetZones()) {
      z.target += instrumentBase;
      z.modBegin += modulatorBase;
      parts.presetZones.push_back(z);
    }
    for (Preset p : bank.presets()) {
      if (!taken.insert({p.bank, p.program}).second) {
        ++stack.layers[l].shadowed;  // an earlier bank plays this one
        continue;
      }
      p.zoneBegin += presetZoneBase;
      parts.presets.push_back(std::move(p));
    }

    frames += bank.sampleDataFrames();
    parts.compressedSamples += bank.compressedSampleCount();
    parts.decodedFrames += bank.decodedFrames();
    parts.compressedBytes += bank.compressedBytes();
  }
  stack.bank = std::make_shared<const Bank>(std::move(parts));
  return stack;
}

}  // namespace awe
