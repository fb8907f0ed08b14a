// The General MIDI banks Debian ships, when installed (skipped otherwise).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/BankInvariants.h"
#include "emu8000/Bank.h"

using namespace awe;

namespace {

void checkGmBank(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is not installed");
    return;
  }
  std::vector<LoadWarning> warnings;
  auto bank = Bank::loadSf2(path, &warnings);
  REQUIRE(checkBankInvariants(*bank).empty());
  CHECK(bank->presets().size() >= 128);
  CHECK(bank->info().versionMajor == 2);
  // All 128 melodic programs and a standard drum kit in bank 128.
  for (uint16_t program = 0; program < 128; ++program) {
    INFO("program " << program);
    const Preset* p = bank->findPreset(0, program);
    REQUIRE(p != nullptr);
    CHECK(p->regionCount > 0);
  }
  const Preset* drums = bank->findPreset(kDrumBank, 0);
  REQUIRE(drums != nullptr);
  CHECK(drums->regionCount > 0);
  // A GM kit covers at least the GM percussion keys 35-81.
  for (int key = 35; key <= 81; ++key) {
    bool covered = false;
    for (const Region& r : bank->regionsOf(*drums)) covered = covered || r.matches(key, 100);
    CHECK(covered);
  }
  CHECK(bank->sampleBytes() > 1000000);
  for (const LoadWarning& w : warnings) CHECK(w.offset < std::filesystem::file_size(path));
}

}  // namespace

TEST_CASE("SF2 real banks: FluidR3_GM loads completely", "[sf2][real]") {
  checkGmBank("/usr/share/sounds/sf2/FluidR3_GM.sf2");
}

TEST_CASE("SF2 real banks: TimGM6mb loads completely", "[sf2][real]") {
  checkGmBank("/usr/share/sounds/sf2/TimGM6mb.sf2");
}
