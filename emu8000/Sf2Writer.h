#pragma once
// Writes SoundFont 2 files from a description close to the file's own hydra. Used by the
// built-in bank generator (tools/make-bank) and by tests, which also use it to build
// deliberately broken files. It writes what it is given: no validation, so a test can
// describe a bad file; terminal records (EOP, EOI, EOS) are appended automatically.
#include <cstdint>
#include <string>
#include <vector>

#include "emu8000/Generators.h"

namespace awe {

struct Sf2Description {
  struct GenEntry {
    uint16_t oper = 0;
    uint16_t amount = 0;  // raw 16-bit: signed value, or lo/hi bytes for ranges
    static GenEntry value(Gen g, int v) {
      return {static_cast<uint16_t>(g), static_cast<uint16_t>(static_cast<int16_t>(v))};
    }
    static GenEntry range(Gen g, int lo, int hi) {
      return {static_cast<uint16_t>(g), static_cast<uint16_t>((lo & 0xFF) | ((hi & 0xFF) << 8))};
    }
  };
  struct Zone {
    std::vector<GenEntry> gens;  // written in this order (put keyRange first, sampleID last)
    std::vector<ModulatorSpec> mods;
  };
  struct Instrument {
    std::string name;
    std::vector<Zone> zones;
  };
  struct Preset {
    std::string name;
    uint16_t program = 0;
    uint16_t bank = 0;
    uint32_t library = 0, genre = 0, morphology = 0;
    std::vector<Zone> zones;
  };
  struct Sample {
    std::string name;
    uint32_t start = 0, end = 0, loopStart = 0, loopEnd = 0;  // as in the file (smpl index)
    uint32_t sampleRate = 44100;
    uint8_t originalKey = 60;
    int8_t pitchCorrection = 0;
    uint16_t link = 0;
    uint16_t type = 1;
  };

  uint16_t versionMajor = 2, versionMinor = 1;
  std::string soundEngine = "EMU8000";
  std::string name = "Unnamed";
  std::string software;     // ISFT, omitted when empty
  std::string copyright;    // ICOP, omitted when empty
  std::string comment;      // ICMT, omitted when empty
  std::vector<int16_t> sampleData;  // the smpl chunk
  // SF3: when not empty, the smpl chunk's bytes instead of sampleData (compressed samples'
  // streams; their headers give byte offsets into it and carry type flag 0x10).
  std::vector<uint8_t> compressedData;
  std::vector<uint8_t> sample24;    // the sm24 chunk, omitted when empty
  std::vector<Sample> samples;
  std::vector<Instrument> instruments;
  std::vector<Preset> presets;

  // Appends `frames` samples plus the 46 zero samples the spec requires after each one,
  // and a header whose loop points are relative to the first appended sample. Returns
  // the new sample's index.
  uint16_t addSample(const std::string& sampleName, const int16_t* data, uint32_t frames,
                     uint32_t rate, uint8_t key, uint32_t loopStart, uint32_t loopEnd,
                     int8_t correction = 0);
};

// The whole file as bytes.
std::vector<uint8_t> writeSf2(const Sf2Description& description);
// Writes the file; throws std::runtime_error naming the path on I/O failure.
void writeSf2File(const std::string& path, const Sf2Description& description);

}  // namespace awe
