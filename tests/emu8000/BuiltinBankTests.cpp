// The project's own bank (soundfonts/awe-gm.sf2, made by awe-make-bank) and demo song
// (soundfonts/demo.mid, made by awe-make-demo): every tool falls back on them, so they
// must load cleanly with the project's own loaders and cover General MIDI.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/BankInvariants.h"
#include "emu8000/Bank.h"
#include "engine/MidiFile.h"

namespace {

const std::string kSoundfontDir = AWE_SOUNDFONT_DIR;
const std::string kBankPath = kSoundfontDir + "/awe-gm.sf2";
const std::string kDemoPath = kSoundfontDir + "/demo.mid";

constexpr uintmax_t kMaxBankBytes = 2u * 1024u * 1024u;

std::string describe(const std::vector<awe::LoadWarning>& warnings) {
  std::ostringstream out;
  for (const awe::LoadWarning& w : warnings) out << w.chunk << " @" << w.offset << ": " << w.message << "\n";
  return out.str();
}

// True when some region of the preset plays `key` at `velocity`.
bool plays(const awe::Bank& bank, const awe::Preset& preset, int key, int velocity = 100) {
  for (const awe::Region& r : bank.regionsOf(preset))
    if (r.matches(key, velocity)) return true;
  return false;
}

// The exclusive class of the first region playing `key`, or -1.
int exclusiveClassOf(const awe::Bank& bank, const awe::Preset& preset, int key) {
  for (const awe::Region& r : bank.regionsOf(preset))
    if (r.matches(key, 100)) return r.gen[awe::genIndex(awe::Gen::ExclusiveClass)];
  return -1;
}

}  // namespace

TEST_CASE("The built-in bank loads without warnings and is at most 2 MiB", "[builtin]") {
  REQUIRE(std::filesystem::exists(kBankPath));
  CHECK(std::filesystem::file_size(kBankPath) <= kMaxBankBytes);

  std::vector<awe::LoadWarning> warnings;
  const auto bank = awe::Bank::loadSf2(kBankPath, &warnings);
  REQUIRE(bank);
  INFO(describe(warnings));
  CHECK(warnings.empty());
  CHECK(awe::checkBankInvariants(*bank).empty());
  CHECK(bank->info().name == "awe GM");
}

TEST_CASE("The built-in bank has all 128 GM programs over the whole keyboard", "[builtin]") {
  const auto bank = awe::Bank::loadSf2(kBankPath);
  for (uint16_t program = 0; program < 128; ++program) {
    INFO("program " << program);
    const awe::Preset* preset = bank->findPreset(0, program);
    REQUIRE(preset != nullptr);
    CHECK_FALSE(preset->name.empty());
    CHECK(preset->regionCount > 0);
    for (int key = 0; key < 128; ++key) {
      INFO("key " << key);
      CHECK(plays(*bank, *preset, key));
    }
  }
  CHECK(bank->findPreset(0, 0)->name == "Acoustic Grand Piano");
  CHECK(bank->findPreset(0, 127)->name == "Gunshot");
}

TEST_CASE("The built-in drum kit covers GM / GM2 keys 27-87 with exclusive hi-hats and triangles", "[builtin]") {
  const auto bank = awe::Bank::loadSf2(kBankPath);
  const awe::Preset* kit = bank->findPreset(128, 0);
  REQUIRE(kit != nullptr);
  CHECK(kit->name == "Standard");
  for (int key = 27; key <= 87; ++key) {
    INFO("drum key " << key);
    CHECK(plays(*bank, *kit, key));
  }
  // Closed (42), pedal (44) and open (46) hi-hat share a class, so one cuts the other;
  // mute (80) and open (81) triangle share another.
  const int hats = exclusiveClassOf(*bank, *kit, 42);
  CHECK(hats != 0);
  CHECK(exclusiveClassOf(*bank, *kit, 44) == hats);
  CHECK(exclusiveClassOf(*bank, *kit, 46) == hats);
  const int triangles = exclusiveClassOf(*bank, *kit, 80);
  CHECK(triangles != 0);
  CHECK(triangles != hats);
  CHECK(exclusiveClassOf(*bank, *kit, 81) == triangles);
}

TEST_CASE("The built-in bank's looping regions loop seamlessly", "[builtin]") {
  const auto bank = awe::Bank::loadSf2(kBankPath);
  const int16_t* data = bank->sampleData();
  std::set<uint32_t> checked;
  std::vector<awe::Region> regions;
  for (const awe::Preset& p : bank->presets())
    for (const awe::Region& r : bank->regionsOf(p)) regions.push_back(r);
  for (const awe::Region& r : regions) {
    const int mode = r.gen[awe::genIndex(awe::Gen::SampleModes)];
    if ((mode != 1 && mode != 3) || !checked.insert(r.sample).second) continue;
    const awe::SampleHeader& s = bank->samples()[r.sample];
    INFO("sample " << s.name);
    CHECK((s.sampleRate == 22050 || s.sampleRate == 32000));
    REQUIRE(s.loopStart >= s.start);
    REQUIRE(s.loopEnd - s.loopStart >= 32);
    // The generator stores a few points after the loop that continue it, so the point
    // after the loop equals the loop's first point: the seam has no jump.
    REQUIRE(s.loopEnd < s.end);
    CHECK(data[s.loopEnd] == data[s.loopStart]);
    CHECK(data[s.loopEnd + 1] == data[s.loopStart + 1]);
  }
  CHECK(checked.size() > 50);
}

TEST_CASE("The demo song loads, lasts about a minute and uses drums and several channels", "[builtin]") {
  REQUIRE(std::filesystem::exists(kDemoPath));
  const awe::MidiFile song = awe::MidiFile::load(kDemoPath);
  CHECK(song.warnings().empty());
  CHECK(song.duration_s() >= 50.0);
  CHECK(song.duration_s() <= 75.0);

  std::set<int> noteChannels;
  bool programChange = false, sustainPedal = false, pitchBend = false, modWheel = false;
  for (const awe::MidiEvent& e : song.events()) {
    if (e.isSysex()) continue;
    if (e.type() == 0x90 && e.data2 > 0) noteChannels.insert(e.channel());
    programChange |= e.type() == 0xC0;
    sustainPedal |= e.type() == 0xB0 && e.data1 == 64;
    modWheel |= e.type() == 0xB0 && e.data1 == 1;
    pitchBend |= e.type() == 0xE0;
  }
  CHECK(noteChannels.count(9) == 1);  // channel 10: drums
  CHECK(noteChannels.size() >= 5);
  CHECK(programChange);
  CHECK(sustainPedal);
  CHECK(pitchBend);
  CHECK(modWheel);
}
