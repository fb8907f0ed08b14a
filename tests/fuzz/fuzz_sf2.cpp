// libFuzzer target for the SF2/SF3 loader (SF3 streams decoded by libsndfile): any bytes either load into a bank that keeps every
// structural promise (tests/support/BankInvariants.h) or throw Sf2Error. Anything else
// (crash, other exception, leak, sanitizer report, broken invariant) is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "emu8000/Bank.h"
#include "engine/Sf3Decoder.h"
#include "tests/support/BankInvariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    std::vector<awe::LoadWarning> warnings;
    auto bank = awe::Bank::loadSf2FromMemory(data, size, "fuzz.sf2", &warnings, awe::decodeOggVorbisSample);
    const std::string broken = awe::checkBankInvariants(*bank);
    if (!broken.empty()) {
      std::fprintf(stderr, "bank invariant broken: %s\n", broken.c_str());
      std::abort();
    }
    for (const awe::LoadWarning& w : warnings) {
      if (w.offset > size) {
        std::fprintf(stderr, "warning offset %llu beyond the input: %s\n", static_cast<unsigned long long>(w.offset),
                     w.message.c_str());
        std::abort();
      }
    }
  } catch (const awe::Sf2Error& e) {
    if (e.offset() > size) {
      std::fprintf(stderr, "error offset beyond the input: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
