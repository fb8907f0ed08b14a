// Writer -> loader round trips: what goes into an SF2 file comes out of Bank as regions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

#include "support/BankInvariants.h"
#include "support/Sf2TestBanks.h"
#include "emu8000/Bank.h"
#include "emu8000/Sf2Writer.h"

using namespace awe;
using namespace awe::test;

namespace {

std::shared_ptr<const Bank> load(const Sf2Description& d, std::vector<LoadWarning>* warnings = nullptr) {
  std::vector<uint8_t> bytes = writeSf2(d);
  return Bank::loadSf2FromMemory(bytes.data(), bytes.size(), "test.sf2", warnings);
}

int gen(const Region& r, Gen g) { return r.gen[genIndex(g)]; }

std::vector<ModulatorSpec> mods(const Bank& bank, uint32_t begin, uint16_t count) {
  return std::vector<ModulatorSpec>(bank.modulators().begin() + begin, bank.modulators().begin() + begin + count);
}

bool same(const std::vector<ModulatorSpec>& a, const std::vector<ModulatorSpec>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const ModulatorSpec& x, const ModulatorSpec& y) {
    return x.sameKind(y) && x.amount == y.amount;
  });
}

bool hasWarning(const std::vector<LoadWarning>& warnings, const std::string& chunk, const std::string& text) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const LoadWarning& w) {
    return w.chunk == chunk && w.message.find(text) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("SF2 round trip: info, presets sorted, sample data with guards", "[sf2]") {
  const Sf2Description d = richBank();
  std::vector<LoadWarning> warnings;
  auto bank = load(d, &warnings);
  REQUIRE(checkBankInvariants(*bank).empty());

  CHECK(bank->info().versionMajor == 2);
  CHECK(bank->info().versionMinor == 1);
  CHECK(bank->info().name == "Rich");
  CHECK(bank->info().soundEngine == "EMU8000");
  CHECK(bank->info().software == "awe tests");
  CHECK(bank->info().copyright == "none");
  CHECK(bank->info().comment == "round trip");
  CHECK(bank->path() == "test.sf2");

  REQUIRE(bank->presets().size() == 3);
  CHECK(bank->presets()[0].name == "Saw");
  CHECK(bank->presets()[1].name == "Lead");
  CHECK(bank->presets()[2].name == "Kit");
  REQUIRE(bank->findPreset(128, 0) != nullptr);
  CHECK(bank->findPreset(128, 0)->name == "Kit");
  CHECK(bank->findPreset(0, 5)->name == "Lead");
  CHECK(bank->findPreset(0, 2) == nullptr);
  REQUIRE(bank->instruments().size() == 2);
  CHECK(bank->instruments()[0].name == "Sine");
  CHECK(bank->instruments()[1].name == "Saw");

  REQUIRE(bank->samples().size() == 3);
  CHECK(bank->sampleDataFrames() == d.sampleData.size() + kSampleGuardFront + kSampleGuardBack);
  CHECK_FALSE(bank->has24BitSamples());
  for (size_t i = 0; i < d.samples.size(); ++i) {
    const SampleHeader& h = bank->samples()[i];
    const Sf2Description::Sample& s = d.samples[i];
    CHECK(h.name == s.name);
    CHECK(h.start == s.start + kSampleGuardFront);
    CHECK(h.end == s.end + kSampleGuardFront);
    CHECK(h.loopStart == s.loopStart + kSampleGuardFront);
    CHECK(h.loopEnd == s.loopEnd + kSampleGuardFront);
    CHECK(h.sampleRate == s.sampleRate);
    CHECK(h.originalKey == s.originalKey);
    CHECK(h.pitchCorrection_cents == s.pitchCorrection);
    for (uint32_t f = s.start; f < s.end; ++f) REQUIRE(bank->sampleData()[f + kSampleGuardFront] == d.sampleData[f]);
  }
  CHECK(bank->samples()[0].pitchCorrection_cents == -7);
  CHECK(bank->samples()[0].sampleRate == 22050);
}

TEST_CASE("SF2 round trip: stereo pairs keep their type and link", "[sf2]") {
  auto bank = load(richBank());
  const SampleHeader& left = bank->samples()[1];
  const SampleHeader& right = bank->samples()[2];
  CHECK(left.type == 4);
  CHECK(left.link == 2);
  CHECK(right.type == 2);
  CHECK(right.link == 1);
  CHECK(bank->samples()[0].type == 1);

  const Preset* kit = bank->findPreset(128, 0);
  REQUIRE(kit->regionCount == 2);
  const std::vector<Region> kitRegions = bank->regionsOf(*kit);
  REQUIRE(kitRegions.size() == 2);
  const Region& l = kitRegions[0];
  const Region& r = kitRegions[1];
  CHECK(l.sample == 1);
  CHECK(r.sample == 2);
  CHECK(gen(l, Gen::Pan) == -500);
  CHECK(gen(r, Gen::Pan) == 500);
  CHECK(l.instrument == 1);
}

TEST_CASE("SF2 round trip: key ranges intersect, generators add, global zones apply", "[sf2]") {
  std::vector<LoadWarning> warnings;
  auto bank = load(richBank(), &warnings);
  const Preset* lead = bank->findPreset(0, 5);
  REQUIRE(lead != nullptr);
  REQUIRE(lead->regionCount == 2);
  const std::vector<Region> leadRegions = bank->regionsOf(*lead);
  REQUIRE(leadRegions.size() == 2);
  const Region& low = leadRegions[0];
  const Region& high = leadRegions[1];

  // Preset zone 36-84 meets instrument zones 0-59 and 60-127.
  CHECK(low.keyLo == 36);
  CHECK(low.keyHi == 59);
  CHECK(high.keyLo == 60);
  CHECK(high.keyHi == 84);
  CHECK(low.velLo == 0);
  CHECK(low.velHi == 127);
  CHECK(low.matches(40, 100));
  CHECK_FALSE(low.matches(60, 100));
  CHECK(gen(low, Gen::KeyRange) == (36 | (59 << 8)));
  CHECK(gen(low, Gen::SampleId) == 0);
  CHECK(gen(low, Gen::Instrument) == 0);

  // Instrument global zone (attack -2000, pan 100, exclusive class 3); the second local
  // zone overrides the attack. Preset global coarse tune +2 and local fine tune +5 add.
  CHECK(gen(low, Gen::AttackVolEnv) == -2000);
  CHECK(gen(high, Gen::AttackVolEnv) == -1000);
  CHECK(gen(low, Gen::Pan) == 100);
  CHECK(gen(high, Gen::Pan) == 100);
  CHECK(gen(low, Gen::ExclusiveClass) == 3);
  CHECK(gen(low, Gen::CoarseTune) == 2);
  CHECK(gen(high, Gen::CoarseTune) == 2);
  CHECK(gen(low, Gen::FineTune) == 5);

  // Unset generators keep the SF2 defaults.
  CHECK(gen(low, Gen::InitialFilterFc) == 13500);
  CHECK(gen(low, Gen::ScaleTuning) == 100);
  CHECK(gen(low, Gen::OverridingRootKey) == -1);
  CHECK(gen(low, Gen::Keynum) == -1);
  CHECK(gen(low, Gen::DelayVolEnv) == -12000);
  CHECK(gen(low, Gen::SustainVolEnv) == 0);

  // The preset's sampleModes 3 is instrument-only: ignored, with a warning.
  CHECK(gen(low, Gen::SampleModes) == 1);
  CHECK(gen(high, Gen::SampleModes) == 0);
  CHECK(hasWarning(warnings, "pgen", "instrument-only generator sampleModes"));

  // A preset offset on a generator the instrument leaves at its default.
  const Preset* kit = bank->findPreset(128, 0);
  CHECK(gen(bank->regionsOf(*kit).at(0), Gen::AttackVolEnv) == -12000 + 500);

  // Velocity range from the preset zone.
  const Preset* sawPreset = bank->findPreset(0, 1);
  REQUIRE(sawPreset->regionCount == 2);
  CHECK(bank->regionsOf(*sawPreset).at(0).velHi == 63);
  CHECK_FALSE(bank->regionsOf(*sawPreset).at(0).matches(60, 64));
}

TEST_CASE("SF2 round trip: local modulators replace identical global ones (SF2 9.5)", "[sf2]") {
  auto bank = load(richBank());
  const std::vector<Region> leadRegions = bank->regionsOf(*bank->findPreset(0, 5));
  REQUIRE(leadRegions.size() == 2);
  const Region& low = leadRegions[0];
  const Region& high = leadRegions[1];

  // Zone without modulators: the global zone's list as is.
  CHECK(same(mods(*bank, low.instModBegin, low.instModCount), {modVelocityToFilter(100), modCc1ToVibrato(50)}));
  // Zone with an identical modulator (amount 500) and a new one.
  CHECK(same(mods(*bank, high.instModBegin, high.instModCount),
             {modVelocityToFilter(500), modCc1ToVibrato(50), modCc2ToAttenuation(200)}));
  // Preset-level modulators are kept apart: the preset global zone's list.
  CHECK(same(mods(*bank, low.presetModBegin, low.presetModCount), {modPressureToVibrato(30)}));
  CHECK(same(mods(*bank, high.presetModBegin, high.presetModCount), {modPressureToVibrato(30)}));
  // No modulators anywhere for the kit.
  const Region kit = bank->regionsOf(*bank->findPreset(128, 0)).at(0);
  CHECK(kit.instModCount == 0);
  CHECK(kit.presetModCount == 0);
}

TEST_CASE("SF2 round trip: identical modulators in one zone, the later wins", "[sf2]") {
  Sf2Description d = minimalBank();
  d.instruments[0].zones[0].mods = {modCc1ToVibrato(10), modCc2ToAttenuation(1), modCc1ToVibrato(20)};
  std::vector<LoadWarning> warnings;
  auto bank = load(d, &warnings);
  const Region r = bank->regionsOf(*bank->findPreset(0, 0)).at(0);
  CHECK(same(mods(*bank, r.instModBegin, r.instModCount), {modCc1ToVibrato(20), modCc2ToAttenuation(1)}));
  CHECK(hasWarning(warnings, "imod", "identical modulator"));
}

TEST_CASE("SF2 round trip: 24-bit samples from sm24 share the block's indexing", "[sf2]") {
  const Sf2Description d = bank24();
  std::vector<LoadWarning> warnings;
  auto bank = load(d, &warnings);
  CHECK(warnings.empty());
  REQUIRE(bank->has24BitSamples());
  REQUIRE(bank->sample24().size() == bank->sampleDataFrames());
  REQUIRE(checkBankInvariants(*bank).empty());
  for (size_t i = 0; i < static_cast<size_t>(kSampleGuardFront); ++i) CHECK(bank->sample24()[i] == 0);
  for (size_t f = 0; f < d.sampleData.size(); ++f) {
    REQUIRE(bank->sample24()[f + kSampleGuardFront] == d.sample24[f]);
    REQUIRE(bank->sampleData()[f + kSampleGuardFront] == d.sampleData[f]);
  }
  for (size_t i = kSampleGuardFront + d.sampleData.size(); i < bank->sample24().size(); ++i)
    REQUIRE(bank->sample24()[i] == 0);
  CHECK(bank->info().versionMinor == 4);
}

TEST_CASE("SF2 round trip: file and memory loads agree", "[sf2]") {
  const Sf2Description d = richBank();
  const std::string path = std::string(AWE_BINARY_DIR) + "/sf2-roundtrip-test.sf2";
  writeSf2File(path, d);
  std::vector<LoadWarning> fileWarnings, memoryWarnings;
  auto fromFile = Bank::loadSf2(path, &fileWarnings);
  auto fromMemory = load(d, &memoryWarnings);
  std::remove(path.c_str());
  CHECK(fromFile->path() == path);
  REQUIRE(fromFile->presets().size() == fromMemory->presets().size());
  for (size_t p = 0; p < fromFile->presets().size(); ++p) {
    const std::vector<Region> fileRegions = fromFile->regionsOf(fromFile->presets()[p]);
    const std::vector<Region> memoryRegions = fromMemory->regionsOf(fromMemory->presets()[p]);
    REQUIRE(fileRegions.size() == memoryRegions.size());
    for (size_t i = 0; i < fileRegions.size(); ++i) {
      const Region& a = fileRegions[i];
      const Region& b = memoryRegions[i];
      CHECK(std::equal(std::begin(a.gen), std::end(a.gen), std::begin(b.gen)));
      CHECK(a.sample == b.sample);
    }
  }
  REQUIRE(fromFile->sampleDataFrames() == fromMemory->sampleDataFrames());
  CHECK(std::equal(fromFile->sampleData(), fromFile->sampleData() + fromFile->sampleDataFrames(), fromMemory->sampleData()));
  CHECK(fileWarnings.size() == memoryWarnings.size());
}

TEST_CASE("SF2 loader: a missing file is an Sf2Error naming it", "[sf2]") {
  const std::string path = std::string(AWE_BINARY_DIR) + "/no-such-bank.sf2";
  try {
    Bank::loadSf2(path);
    FAIL("loaded a missing file");
  } catch (const Sf2Error& e) {
    CHECK(e.file() == path);
    CHECK(std::string(e.what()).find("cannot open") != std::string::npos);
  }
}

TEST_CASE("SF2 writer: terminal records, INFO strings and pad bytes", "[sf2]") {
  Sf2Description d = minimalBank();
  d.name = "Odd";  // "Odd" + NUL is even; the sm24 below is odd-sized
  d.versionMinor = 4;
  d.sample24.assign(d.sampleData.size() - 1, 0);
  RiffEditor e(writeSf2(d));
  CHECK(e.get32(4) + 8 == e.bytes().size());
  CHECK(e.size("phdr") == 38 * 3);  // two presets + EOP
  CHECK(e.size("pbag") == 4 * 3);
  CHECK(e.size("pmod") == 10);
  CHECK(e.size("pgen") == 4 * 3);
  CHECK(e.size("inst") == 22 * 2);
  CHECK(e.size("ibag") == 4 * 2);
  CHECK(e.size("imod") == 10);
  CHECK(e.size("igen") == 4 * 3);
  CHECK(e.size("shdr") == 46 * 2);
  CHECK(e.size("INAM") == 4);
  CHECK(e.size("sm24") % 2 == 1);
  CHECK(e.get16(e.record("phdr", 38, 2) + 24) == 2);   // EOP's bag index
  CHECK(e.get16(e.record("inst", 22, 1) + 20) == 1);   // EOI's bag index
  CHECK(e.get16(e.record("pbag", 4, 2)) == 2);         // terminal generator index
  const std::string eos(e.bytes().begin() + static_cast<long>(e.record("shdr", 46, 1)),
                        e.bytes().begin() + static_cast<long>(e.record("shdr", 46, 1)) + 3);
  CHECK(eos == "EOS");
  // The odd sm24 is padded, so the chunk after it (LIST pdta) is at an even offset.
  CHECK(e.header("pdta") % 2 == 0);
  // Wrong-sized sm24 (one byte short) is ignored with a warning, the rest loads.
  std::vector<LoadWarning> warnings;
  auto bank = Bank::loadSf2FromMemory(e.bytes().data(), e.bytes().size(), "odd.sf2", &warnings);
  CHECK_FALSE(bank->has24BitSamples());
  CHECK(hasWarning(warnings, "sm24", "does not match"));
}
