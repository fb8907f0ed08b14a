// Issue 17: a bank's cost follows its file. The bank keeps preset and instrument zones and
// pairs them when a note starts, so zones that multiply out to hundreds of thousands of
// regions cost memory in proportion to the file, and a note-on examines a bounded number
// of zones.
#include <catch2/catch.hpp>

#include "support/BankInvariants.h"
#include "support/Sf2TestBanks.h"
#include "emu8000/Bank.h"
#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

// The shape of the file: one sample, one instrument of `instrumentZones` zones, a
// preset of `presetZones` zones over it and a second preset of one zone (minimalBank's),
// every pair overlapping.
Sf2Description multiplyingBank(size_t presetZones, size_t instrumentZones) {
  Sf2Description d = minimalBank();
  const Sf2Description::Zone instZone = d.instruments[0].zones.back();
  d.instruments[0].zones.assign(instrumentZones, instZone);
  d.presets[0].zones.assign(presetZones, Sf2Description::Zone{{GenEntry::value(Gen::Instrument, 0)}, {}});
  return d;
}

}  // namespace

TEST_CASE("SF2 zones that multiply out cost memory in proportion to the file", "[sf2][proportion]") {
  const std::vector<uint8_t> bytes = writeSf2(multiplyingBank(498, 499));
  std::vector<LoadWarning> warnings;
  auto bank = Bank::loadSf2FromMemory(bytes.data(), bytes.size(), "multiplying.sf2", &warnings);
  REQUIRE(checkBankInvariants(*bank).empty());
  INFO("file " << bytes.size() << " bytes, tables " << bank->tableBytes() << " bytes");
  CHECK(bank->regionCount() == 249001);  // 498 x 499 + 499, as in the issue
  CHECK(bank->presetZones().size() == 499);
  CHECK(bank->instrumentZones().size() == 499);
  // Every stored zone stands for at least a bag and a generator record (8 file bytes).
  CHECK(bank->tableBytes() <= bytes.size() / 8 * (sizeof(Zone) + 8) + 4096);
  // The preset could ask a note-on to look at 498 + 498 * 499 zones: the loader says so.
  CHECK(std::any_of(warnings.begin(), warnings.end(), [](const LoadWarning& w) {
    return w.chunk == "phdr" && w.message.find("a note-on examines the first 4096") != std::string::npos;
  }));
}

TEST_CASE("a note-on of a multiplying preset starts the voices it can and stays bounded", "[sf2][proportion]") {
  const std::vector<uint8_t> bytes = writeSf2(multiplyingBank(498, 499));
  auto bank = Bank::loadSf2FromMemory(bytes.data(), bytes.size(), "multiplying.sf2");
  SynthSettings settings = sf2Settings();
  settings.polyphony = 32;
  Synth synth(settings);
  synth.setBank(bank);
  synth.noteOn(0, 60, 100);
  // 248502 regions of preset 0:0 play key 60: the first 32 take every voice, as the flattened bank did.
  CHECK(synth.counters().voicesStarted == 32);
  CHECK(synth.activeVoices() == 32);
  const StereoBuffer out = render(synth, 4096);
  CHECK(toDecibels(rms(out.left, 1024, 4096)) > -40.0);
}

TEST_CASE("regions resolved at note-on equal the pairs of their zones", "[sf2][proportion]") {
  const std::vector<uint8_t> bytes = writeSf2(richBank());
  auto bank = Bank::loadSf2FromMemory(bytes.data(), bytes.size(), "rich.sf2");
  for (const Preset& preset : bank->presets()) {
    const std::vector<Region> all = bank->regionsOf(preset);
    CHECK(all.size() == preset.regionCount);
    for (int key = 0; key < 128; key += 7) {
      for (int velocity = 1; velocity < 128; velocity += 21) {
        std::vector<const Region*> expected;
        for (const Region& r : all)
          if (r.matches(key, velocity)) expected.push_back(&r);
        size_t seen = 0;
        bank->forEachRegion(preset, key, velocity, [&](const Region& r) {
          REQUIRE(seen < expected.size());
          CHECK(r.sample == expected[seen]->sample);
          CHECK(std::equal(std::begin(r.gen), std::end(r.gen), std::begin(expected[seen]->gen)));
          ++seen;
        });
        CHECK(seen == expected.size());
      }
    }
  }
}
