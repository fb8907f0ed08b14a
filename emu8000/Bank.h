#pragma once
// An immutable SoundFont bank: the SF2 hydra flattened into playable regions, and all
// sample data in one contiguous block. Built once by the loader (control thread), then
// shared read-only with the audio thread by pointer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu8000/Config.h"
#include "emu8000/Generators.h"

namespace awe {

// A fatal problem in a bank file. The message names the file, the chunk and the byte
// offset (from the start of the file) where the problem was found.
class Sf2Error : public std::runtime_error {
 public:
  Sf2Error(std::string file, std::string chunk, uint64_t offset, const std::string& what);
  const std::string& file() const { return file_; }
  const std::string& chunk() const { return chunk_; }
  uint64_t offset() const { return offset_; }

 private:
  std::string file_;
  std::string chunk_;
  uint64_t offset_;
};

// Something the loader repaired (clamped, ignored) and carried on.
struct LoadWarning {
  std::string chunk;
  uint64_t offset = 0;
  std::string message;
};

struct SampleHeader {
  std::string name;
  // Indices into Bank::sampleData() (the front guard is already added). end is one past
  // the last sample; loopEnd is the first sample after the loop (as in the file).
  uint32_t start = 0;
  uint32_t end = 0;
  uint32_t loopStart = 0;
  uint32_t loopEnd = 0;
  uint32_t sampleRate = 44100;
  uint8_t originalKey = 60;
  int8_t pitchCorrection_cents = 0;
  uint16_t link = 0;
  uint16_t type = 1;  // sfSampleLink: 1 mono, 2 right, 4 left, 8 linked; 0x8000 ROM
};

// One playable pairing of a preset zone with an instrument zone.
struct Region {
  uint8_t keyLo = 0, keyHi = 127, velLo = 0, velHi = 127;  // intersection of both zones
  uint32_t sample = 0;      // index into Bank::samples()
  uint32_t instrument = 0;  // index into Bank::instrumentNames()
  // Instrument value (local zone, else global zone, else default) plus the preset offset
  // (local zone, else global zone, else 0) for generators allowed at preset level.
  // Not clamped here: the sum is clamped to the generator's range when a voice starts.
  int32_t gen[kSf2GeneratorCount] = {};
  // Modulators, into Bank::modulators(). Instrument level: global zone's list with the
  // local zone's identical modulators replacing them (SF2 9.5). Preset level likewise;
  // preset modulators add to the voice's instrument-level and default modulators.
  uint32_t instModBegin = 0;
  uint16_t instModCount = 0;
  uint32_t presetModBegin = 0;
  uint16_t presetModCount = 0;

  bool matches(int key, int velocity) const noexcept {
    return key >= keyLo && key <= keyHi && velocity >= velLo && velocity <= velHi;
  }
};

struct Preset {
  std::string name;
  uint16_t bank = 0;
  uint16_t program = 0;
  uint32_t regionBegin = 0;  // into Bank::regions()
  uint32_t regionCount = 0;
};

struct BankInfo {
  uint16_t versionMajor = 2, versionMinor = 1;  // ifil
  std::string soundEngine;                      // isng
  std::string name;                             // INAM
  std::string romName;                          // irom
  uint16_t romVersionMajor = 0, romVersionMinor = 0;
  std::string creationDate, engineers, product, copyright, comment, software;
};

class Bank {
 public:
  // [control thread] Reads and validates a whole SF2 2.01/2.04 file. Throws Sf2Error on
  // anything that makes the bank unusable; repairs the rest and lists it in `warnings`.
  static std::shared_ptr<const Bank> loadSf2(const std::string& path,
                                             std::vector<LoadWarning>* warnings = nullptr);
  // [control thread] The same from bytes in memory; `name` is used in error messages.
  static std::shared_ptr<const Bank> loadSf2FromMemory(const uint8_t* data, size_t size,
                                                       const std::string& name,
                                                       std::vector<LoadWarning>* warnings = nullptr);

  // [any thread] Read-only accessors; never allocate.
  const BankInfo& info() const noexcept { return info_; }
  const std::string& path() const noexcept { return path_; }
  const int16_t* sampleData() const noexcept { return sampleData_.get(); }
  size_t sampleDataFrames() const noexcept { return sampleDataFrames_; }  // incl. guards
  size_t sampleBytes() const noexcept;  // bytes of 16-bit sample data held (incl. guards)
  bool has24BitSamples() const noexcept { return !sample24_.empty(); }
  // Low bytes of 24-bit samples (sm24): same length and indexing as sampleData(), guards
  // included, so sample24()[i] extends sampleData()[i]. Empty when the bank has none.
  const std::vector<uint8_t>& sample24() const noexcept { return sample24_; }
  const std::vector<SampleHeader>& samples() const noexcept { return samples_; }
  const std::vector<Preset>& presets() const noexcept { return presets_; }  // sorted by bank, program
  const std::vector<Region>& regions() const noexcept { return regions_; }
  const std::vector<ModulatorSpec>& modulators() const noexcept { return modulators_; }
  const std::vector<std::string>& instrumentNames() const noexcept { return instrumentNames_; }

  // [any thread] Binary search; nullptr when the bank has no such preset.
  const Preset* findPreset(uint16_t bank, uint16_t program) const noexcept;

  // The pieces a loader or a generator fills in; public so tests can build banks by hand.
  struct Parts {
    BankInfo info;
    std::string path;
    std::unique_ptr<int16_t[]> sampleData;
    size_t sampleDataFrames = 0;
    std::vector<uint8_t> sample24;
    std::vector<SampleHeader> samples;
    std::vector<Preset> presets;
    std::vector<Region> regions;
    std::vector<ModulatorSpec> modulators;
    std::vector<std::string> instrumentNames;
  };
  explicit Bank(Parts&& parts);

 private:
  BankInfo info_;
  std::string path_;
  std::unique_ptr<int16_t[]> sampleData_;
  size_t sampleDataFrames_ = 0;
  std::vector<uint8_t> sample24_;
  std::vector<SampleHeader> samples_;
  std::vector<Preset> presets_;
  std::vector<Region> regions_;
  std::vector<ModulatorSpec> modulators_;
  std::vector<std::string> instrumentNames_;
};

}  // namespace awe
