#pragma once
// Small SoundFont banks for the SF2 tests, a byte-level RIFF editor to break them, and the
// table of broken files (tests/data/sf2/broken/) with what the loader must say about each.
#include <cstdint>
#include <string>
#include <vector>

#include "emu8000/Sf2Writer.h"

namespace awe::test {

using GenEntry = Sf2Description::GenEntry;

// Modulators used by the banks below (raw SF2 encodings, SF2 8.2).
ModulatorSpec modVelocityToFilter(int16_t amount);  // note-on velocity -> initialFilterFc
ModulatorSpec modCc1ToVibrato(int16_t amount);      // CC1 -> vibLfoToPitch
ModulatorSpec modCc2ToAttenuation(int16_t amount);  // CC2 -> initialAttenuation
ModulatorSpec modPressureToVibrato(int16_t amount); // channel pressure -> vibLfoToPitch

// One looped mono sine sample, one instrument, one preset (0:0). About 1 KB.
Sf2Description minimalBank();
// Global zones at both levels, modulator overrides, an instrument-only generator at preset
// level, a stereo pair, three presets written out of order (0:5, 128:0, 0:1).
Sf2Description richBank();
// A 2.04 bank with an sm24 chunk whose byte i is (i * 7) & 0xFF.
Sf2Description bank24();

// Finds and edits chunks of a written SF2 file, keeping the LIST and RIFF sizes right.
// Chunks are named by their id, LIST chunks by their list type ("INFO", "sdta", "pdta").
class RiffEditor {
 public:
  explicit RiffEditor(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::vector<uint8_t>& bytes() { return bytes_; }

  size_t header(const std::string& id) const;  // offset of the chunk header
  size_t data(const std::string& id) const { return header(id) + (isList(id) ? 12 : 8); }
  uint32_t size(const std::string& id) const { return get32(header(id) + 4); }
  size_t record(const std::string& id, size_t recordSize, size_t index) const { return data(id) + recordSize * index; }

  void setSizeField(const std::string& id, uint32_t size) { put32(header(id) + 4, size); }
  // Changes the chunk's data length (dropping from or zero-filling at its end).
  void resizeData(const std::string& id, size_t newSize);
  void remove(const std::string& id);
  // Inserts a whole chunk (header + data + pad) before the chunk `before`.
  void insertBefore(const std::string& before, const std::string& id, const std::vector<uint8_t>& data);

  uint16_t get16(size_t at) const { return static_cast<uint16_t>(bytes_[at] | (bytes_[at + 1] << 8)); }
  uint32_t get32(size_t at) const;
  void put16(size_t at, uint16_t v);
  void put32(size_t at, uint32_t v);

 private:
  static bool isList(const std::string& id) { return id == "INFO" || id == "sdta" || id == "pdta"; }
  size_t parentOf(size_t header) const;  // header offset of the enclosing LIST, or 0 for top level
  void adjustSizes(size_t header, long delta);
  std::vector<uint8_t> bytes_;
};

struct BrokenCase {
  std::string file;   // name in tests/data/sf2/broken/
  bool fatal;         // true: Sf2Error expected; false: loads with a warning
  std::string chunk;  // chunk named by the error or the warning
  std::string text;   // part of the message
  std::vector<uint8_t> bytes;
};
std::vector<BrokenCase> brokenCases();

// Small valid banks for tests/data/sf2/seeds/ (fuzzing seeds, each < 64 KB).
struct SeedBank {
  std::string file;
  std::vector<uint8_t> bytes;
};
std::vector<SeedBank> seedBanks();

}  // namespace awe::test
