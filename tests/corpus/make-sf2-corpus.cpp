// awe-make-sf2-corpus OUT: writes the SF2 test corpora made from tests/support/Sf2TestBanks:
// OUT/broken/ (the broken files, each described by a BrokenCase) and OUT/seeds/ (the SF2
// fuzzer's seeds). A person regenerates the committed copies on purpose with
//   tools/make-test-data
// and ctest regenerates them into the build folder to compare (corpus.sf2-*).
// Files in OUT/broken/ that no case describes are removed, so a dropped case leaves nothing.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/Sf2TestBanks.h"

namespace fs = std::filesystem;

namespace {

bool writeAll(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) std::fprintf(stderr, "awe-make-sf2-corpus: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]).rfind('-', 0) == 0) {
    std::fprintf(stderr, "usage: awe-make-sf2-corpus OUT\n  writes OUT/broken/*.sf2 and OUT/seeds/*.sf2\n");
    return 4;
  }
  const fs::path out = argv[1];
  std::error_code error;
  for (const char* sub : {"broken", "seeds"}) {
    fs::create_directories(out / sub, error);
    if (error) {
      std::fprintf(stderr, "awe-make-sf2-corpus: cannot create %s: %s\n", (out / sub).c_str(), error.message().c_str());
      return 1;
    }
  }
  for (const auto& entry : fs::directory_iterator(out / "broken"))
    if (entry.is_regular_file() && entry.path().extension() == ".sf2") fs::remove(entry.path());
  bool ok = true;
  int written = 0;
  for (const awe::test::BrokenCase& c : awe::test::brokenCases()) {
    ok = writeAll(out / "broken" / c.file, c.bytes) && ok;
    ++written;
  }
  for (const awe::test::SeedBank& s : awe::test::seedBanks()) {
    if (s.bytes.size() >= 65536) {
      std::fprintf(stderr, "awe-make-sf2-corpus: seed %s is %zu bytes (the fuzzer's seeds stay under 64 KiB)\n",
                   s.file.c_str(), s.bytes.size());
      ok = false;
    }
    ok = writeAll(out / "seeds" / s.file, s.bytes) && ok;
    ++written;
  }
  std::printf("awe-make-sf2-corpus: %d file(s) in %s\n", written, out.c_str());
  return ok ? 0 : 1;
}
