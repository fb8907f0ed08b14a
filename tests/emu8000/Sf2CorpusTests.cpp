// The committed SF2 corpora: broken files (each with the chunk the loader must name),
// fuzzing seeds and inputs the fuzzer once crashed on. broken/ and seeds/ are made by
// awe-make-sf2-corpus (tests/corpus/); regenerate them on purpose with tools/make-test-data.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "support/BankInvariants.h"
#include "support/Sf2TestBanks.h"
#include "emu8000/Bank.h"
#include "engine/Sf3Decoder.h"

using namespace awe;
using namespace awe::test;
namespace fs = std::filesystem;

namespace {

const fs::path kSf2Data = fs::path(AWE_TEST_DATA_DIR) / "sf2";

std::vector<uint8_t> readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<fs::path> filesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("SF2 corpus: every broken file loads with its warning or fails naming its chunk", "[sf2]") {
  const std::vector<BrokenCase> cases = brokenCases();
  std::set<std::string> expected;
  for (const BrokenCase& c : cases) expected.insert(c.file);
  // Every committed file is described, every described case is committed.
  for (const fs::path& file : filesIn(kSf2Data / "broken")) {
    INFO(file.string());
    CHECK(expected.count(file.filename().string()) == 1);
  }

  for (const BrokenCase& c : cases) {
    const fs::path path = kSf2Data / "broken" / c.file;
    INFO(c.file);
    REQUIRE(fs::exists(path));
    const std::vector<uint8_t> bytes = readAll(path);
    CHECK(bytes == c.bytes);  // the committed file is what the generator makes
    // Both entry points must agree: from the file and from memory.
    for (int fromFile = 0; fromFile < 2; ++fromFile) {
      std::vector<LoadWarning> warnings;
      try {
        auto bank = fromFile ? Bank::loadSf2(path.string(), &warnings)
                             : Bank::loadSf2FromMemory(bytes.data(), bytes.size(), c.file, &warnings);
        CHECK(checkBankInvariants(*bank).empty());
        if (c.fatal) FAIL("loaded, but an Sf2Error naming '" << c.chunk << "' was expected");
        const bool found = std::any_of(warnings.begin(), warnings.end(), [&](const LoadWarning& w) {
          return w.chunk == c.chunk && w.message.find(c.text) != std::string::npos && w.offset <= bytes.size();
        });
        if (!found) {
          for (const LoadWarning& w : warnings) UNSCOPED_INFO(w.chunk << " @" << w.offset << ": " << w.message);
        }
        CHECK(found);
      } catch (const Sf2Error& e) {
        INFO(e.what());
        CHECK(c.fatal);
        CHECK(e.chunk() == c.chunk);
        CHECK(std::string(e.what()).find(c.text) != std::string::npos);
        CHECK(e.offset() <= bytes.size());
        const std::string where = "chunk '" + c.chunk + "' at byte " + std::to_string(e.offset());
        CHECK(std::string(e.what()).find(where) != std::string::npos);
        CHECK(warnings.empty());  // a failed load hands back nothing
      }
    }
  }
}

TEST_CASE("SF2 corpus: the fuzzing seeds are valid banks", "[sf2]") {
  const std::vector<fs::path> seeds = filesIn(kSf2Data / "seeds");
  REQUIRE(seeds.size() >= 3);
  for (const fs::path& seed : seeds) {
    INFO(seed.string());
    std::vector<LoadWarning> warnings;
    auto bank = Bank::loadSf2(seed.string(), &warnings);
    CHECK(checkBankInvariants(*bank).empty());
    CHECK(fs::file_size(seed) < 65536);
    CHECK(bank->regionCount() > 0);
  }
}

TEST_CASE("SF2 corpus: inputs that once crashed the loader now load or fail cleanly", "[sf2]") {
  for (const fs::path& file : filesIn(kSf2Data / "crashes")) {
    INFO(file.string());
    const std::vector<uint8_t> bytes = readAll(file);
    try {
      auto bank = Bank::loadSf2FromMemory(bytes.data(), bytes.size(), file.filename().string(), nullptr,
                                         decodeOggVorbisSample);
      CHECK(checkBankInvariants(*bank).empty());
    } catch (const Sf2Error& e) {
      CHECK(e.offset() <= bytes.size());
    }
  }
}
