#pragma once
// An immutable SoundFont bank: the SF2 hydra as preset and instrument zones (paired into
// regions when a note starts), and all sample data in one contiguous block. Built once by the loader (control thread), then
// shared read-only with the audio thread by pointer.
#include <algorithm>
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

// One SF3 sample decoded: 16-bit mono frames, at most the maximum asked for.
struct DecodedSample {
  std::vector<int16_t> frames;
  bool truncated = false;  // the stream had more frames than the maximum
};
// [control thread] Decodes one compressed sample's bytes (in SF3 an Ogg Vorbis stream) into
// at most `maxFrames` frames. Returns an empty string on success, else what is wrong with
// the stream. The emu8000 library has none (it uses std only): engine/Sf3Decoder.h has the
// libsndfile one, and loaders given none refuse compressed samples.
using SampleDecoder = std::string (*)(const uint8_t* bytes, size_t size, size_t maxFrames, DecodedSample& out);

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
  bool compressed = false;  // decoded from an SF3 (Ogg Vorbis) stream at load
};

// A zone of a preset or of an instrument, with its level's global zone merged in. The bank
// keeps zones, not their products: a preset zone times an instrument zone (a Region) is
// resolved when a note starts, as FluidSynth does, so a bank's memory stays in proportion
// to its file however its zones multiply out.
struct Zone {
  uint8_t keyLo = 0, keyHi = 127, velLo = 0, velHi = 127;
  uint32_t target = 0;  // preset zone: index into Bank::instruments(); instrument zone: into Bank::samples()
  // Into Bank::modulators(): the global zone's list with the local zone's identical
  // modulators replacing them (SF2 9.5).
  uint32_t modBegin = 0;
  uint16_t modCount = 0;
  // Instrument zone: the value (local, else global, else the default), clamped to the
  // generator's range. Preset zone: the offset (local, else global, else 0).
  int32_t gen[kSf2GeneratorCount] = {};

  bool matches(int key, int velocity) const noexcept {  // [audio thread]
    return key >= keyLo && key <= keyHi && velocity >= velLo && velocity <= velHi;
  }
  bool overlaps(const Zone& o) const noexcept {
    return std::max(keyLo, o.keyLo) <= std::min(keyHi, o.keyHi) && std::max(velLo, o.velLo) <= std::min(velHi, o.velHi);
  }
};

// One playable pairing of a preset zone with an instrument zone, resolved by Bank::resolve.
struct Region {
  uint8_t keyLo = 0, keyHi = 127, velLo = 0, velHi = 127;  // intersection of both zones
  uint32_t sample = 0;      // index into Bank::samples()
  uint32_t instrument = 0;  // index into Bank::instruments()
  // Instrument value plus the preset offset for generators allowed at preset level.
  // Not clamped here: the sum is clamped to the generator's range when a voice starts.
  int32_t gen[kSf2GeneratorCount] = {};
  // Modulators, into Bank::modulators(): the instrument zone's and the preset zone's lists;
  // preset modulators add to the voice's instrument-level and default modulators.
  uint32_t instModBegin = 0;
  uint16_t instModCount = 0;
  uint32_t presetModBegin = 0;
  uint16_t presetModCount = 0;

  bool matches(int key, int velocity) const noexcept {  // [audio thread]
    return key >= keyLo && key <= keyHi && velocity >= velLo && velocity <= velHi;
  }
};

struct Instrument {
  std::string name;
  uint32_t zoneBegin = 0;  // into Bank::instrumentZones(); only zones with a playable sample
  uint32_t zoneCount = 0;
};

struct Preset {
  std::string name;
  uint16_t bank = 0;
  uint16_t program = 0;
  uint32_t zoneBegin = 0;  // into Bank::presetZones(); only zones with an instrument
  uint32_t zoneCount = 0;
  uint32_t regionCount = 0;  // overlapping preset x instrument zone pairs (counted by the SF2 loader, else by Bank)
};

// A note-on examines at most this many zones (preset zones plus the instrument zones under
// the ones that match), so its cost is bounded whatever the bank. Real banks stay far
// below (FluidR3_GM's largest preset: see Bank::maxZonesPerNote()); the loader warns about
// a preset that could reach it.
constexpr uint32_t kMaxZonesPerNote = 4096;

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
  // [control thread] Reads and validates a whole SF2 2.01/2.04 or SF3 file (SF3's
  // compressed samples are decoded by `decoder`). Throws Sf2Error on anything that makes
  // the bank unusable; repairs the rest and lists it in `warnings`.
  static std::shared_ptr<const Bank> loadSf2(const std::string& path, std::vector<LoadWarning>* warnings = nullptr,
                                             SampleDecoder decoder = nullptr);
  // [control thread] The same from bytes in memory; `name` is used in error messages.
  static std::shared_ptr<const Bank> loadSf2FromMemory(const uint8_t* data, size_t size, const std::string& name,
                                                       std::vector<LoadWarning>* warnings = nullptr,
                                                       SampleDecoder decoder = nullptr);

  // [any thread] Read-only accessors; never allocate.
  const BankInfo& info() const noexcept { return info_; }
  const std::string& path() const noexcept { return path_; }
  const int16_t* sampleData() const noexcept { return sampleData_.get(); }
  size_t sampleDataFrames() const noexcept { return sampleDataFrames_; }  // incl. guards
  size_t sampleBytes() const noexcept;  // bytes of 16-bit sample data held (incl. guards)
  // SF3: how many samples were decoded from compressed streams, the frames they decoded
  // to (part of sampleDataFrames()) and the stream bytes they came from.
  size_t compressedSampleCount() const noexcept { return compressedSamples_; }
  size_t decodedFrames() const noexcept { return decodedFrames_; }
  uint64_t compressedBytes() const noexcept { return compressedBytes_; }
  bool has24BitSamples() const noexcept { return !sample24_.empty(); }
  // Low bytes of 24-bit samples (sm24): same length and indexing as sampleData(), guards
  // included, so sample24()[i] extends sampleData()[i]. Empty when the bank has none.
  const std::vector<uint8_t>& sample24() const noexcept { return sample24_; }
  const std::vector<SampleHeader>& samples() const noexcept { return samples_; }
  const std::vector<Preset>& presets() const noexcept { return presets_; }  // sorted by bank, program
  const std::vector<Zone>& presetZones() const noexcept { return presetZones_; }
  const std::vector<Instrument>& instruments() const noexcept { return instruments_; }
  const std::vector<Zone>& instrumentZones() const noexcept { return instrumentZones_; }
  const std::vector<ModulatorSpec>& modulators() const noexcept { return modulators_; }
  // Playable regions over all presets (overlapping zone pairs); none is stored.
  uint64_t regionCount() const noexcept { return regionCount_; }
  // The most zones a note-on of any preset may examine (before kMaxZonesPerNote).
  uint64_t maxZonesPerNote() const noexcept { return maxZonesPerNote_; }
  // Bytes of the bank's own tables (zones, headers, modulators, names), without sample data.
  size_t tableBytes() const noexcept;

  // [any thread] Binary search; nullptr when the bank has no such preset.
  const Preset* findPreset(uint16_t bank, uint16_t program) const noexcept;

  // [any thread] The region of preset zone `pz` and instrument zone `iz` (whose ranges
  // overlap): generators summed, ranges intersected.
  static void resolve(const Zone& pz, const Zone& iz, Region& out) noexcept;

  // [audio thread] Calls visit(const Region&) for each region of `preset` that plays
  // `key` at `velocity`, in file order, examining at most kMaxZonesPerNote zones.
  template <typename Visit>
  void forEachRegion(const Preset& preset, int key, int velocity, Visit&& visit) const noexcept {
    uint32_t budget = kMaxZonesPerNote;
    Region region;
    for (uint32_t p = preset.zoneBegin; p < preset.zoneBegin + preset.zoneCount; ++p) {
      if (budget == 0) return;
      --budget;
      const Zone& pz = presetZones_[p];
      if (!pz.matches(key, velocity)) continue;
      const Instrument& instrument = instruments_[pz.target];
      for (uint32_t i = instrument.zoneBegin; i < instrument.zoneBegin + instrument.zoneCount; ++i) {
        if (budget == 0) return;
        --budget;
        const Zone& iz = instrumentZones_[i];
        if (!iz.matches(key, velocity)) continue;
        resolve(pz, iz, region);
        visit(static_cast<const Region&>(region));
      }
    }
  }

  // [control thread] Every region of `preset` (allocates; for tools and tests).
  std::vector<Region> regionsOf(const Preset& preset) const;

  // The pieces a loader or a generator fills in; public so tests can build banks by hand.
  struct Parts {
    BankInfo info;
    std::string path;
    std::unique_ptr<int16_t[]> sampleData;
    size_t sampleDataFrames = 0;
    std::vector<uint8_t> sample24;
    std::vector<SampleHeader> samples;
    std::vector<Preset> presets;
    std::vector<Zone> presetZones;
    std::vector<Instrument> instruments;
    std::vector<Zone> instrumentZones;
    std::vector<ModulatorSpec> modulators;
    size_t compressedSamples = 0;
    size_t decodedFrames = 0;
    uint64_t compressedBytes = 0;
    // Every Preset::regionCount is already set: the SF2 loader counts the overlapping zone
    // pairs for its warnings, so the Bank does not walk them a second time.
    bool regionsCounted = false;

    // For banks built by hand: a preset of one instrument (named like the preset) whose
    // zones are `zones` (absolute generator values), under one full-range preset zone that
    // changes nothing.
    void addPresetOfZones(Preset preset, const std::vector<Zone>& zones);
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
  std::vector<Zone> presetZones_;
  std::vector<Instrument> instruments_;
  std::vector<Zone> instrumentZones_;
  std::vector<ModulatorSpec> modulators_;
  size_t compressedSamples_ = 0;
  size_t decodedFrames_ = 0;
  uint64_t compressedBytes_ = 0;
  uint64_t regionCount_ = 0;
  uint64_t maxZonesPerNote_ = 0;
};

}  // namespace awe
