#include "emu8000/Sf2Writer.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace awe {
namespace {

// Little-endian byte sink with chunk bookkeeping (RIFF sizes are patched when a chunk ends).
class ByteWriter {
 public:
  std::vector<uint8_t> bytes;

  void u8(uint8_t v) { bytes.push_back(v); }
  void u16(uint16_t v) {
    bytes.push_back(static_cast<uint8_t>(v & 0xFF));
    bytes.push_back(static_cast<uint8_t>(v >> 8));
  }
  void u32(uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<uint8_t>((v >> shift) & 0xFF));
  }
  void id(const char* fourcc) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(fourcc[i]));
  }
  // A fixed 20-byte name field: truncated, zero-filled.
  void name20(const std::string& name) {
    for (size_t i = 0; i < 20; ++i) u8(i < name.size() ? static_cast<uint8_t>(name[i]) : 0);
  }

  // Returns the position of the size field to patch in end().
  size_t begin(const char* fourcc) {
    id(fourcc);
    size_t sizePos = bytes.size();
    u32(0);
    return sizePos;
  }
  size_t beginList(const char* listType) {
    size_t sizePos = begin("LIST");
    id(listType);
    return sizePos;
  }
  // Patches the size and pads an odd-sized chunk with one zero byte (not counted).
  void end(size_t sizePos) {
    size_t size = bytes.size() - sizePos - 4;
    if (size > UINT32_MAX) throw std::length_error("SF2 writer: chunk larger than 4 GiB");
    uint32_t size32 = static_cast<uint32_t>(size);
    for (int i = 0; i < 4; ++i) bytes[sizePos + static_cast<size_t>(i)] = static_cast<uint8_t>((size32 >> (8 * i)) & 0xFF);
    if (size32 & 1) u8(0);
  }

  // An INFO string: zero-terminated, padded to an even length (SF2 5.x).
  void infoString(const char* fourcc, const std::string& text) {
    size_t pos = begin(fourcc);
    bytes.insert(bytes.end(), text.begin(), text.end());
    u8(0);
    if (text.size() % 2 == 0) u8(0);
    end(pos);
  }
};

// Record indices (bag, generator, modulator, instrument) are 16 bits in the file.
uint16_t index16(size_t index, const char* what) {
  if (index > UINT16_MAX) throw std::length_error(std::string("SF2 writer: too many ") + what + " for 16-bit indices");
  return static_cast<uint16_t>(index);
}

void writeMod(ByteWriter& w, const ModulatorSpec& m) {
  w.u16(m.src);
  w.u16(m.dest);
  w.u16(static_cast<uint16_t>(m.amount));
  w.u16(m.amtSrc);
  w.u16(m.transform);
}

// The four hydra chunks of one level (phdr/pbag/pmod/pgen or inst/ibag/imod/igen). `Item`
// is a preset or an instrument; `writeHeader` writes one header record given its bag index.
template <typename Item, typename WriteHeader>
void writeLevel(ByteWriter& w, const std::vector<Item>& items, const char* headerId, const char* bagId,
                const char* modId, const char* genId, const char* terminalName, WriteHeader writeHeader) {
  size_t pos = w.begin(headerId);
  size_t bag = 0;
  for (const Item& item : items) {
    writeHeader(item, index16(bag, "zones"));
    bag += item.zones.size();
  }
  // Terminal record: named "EOP"/"EOI", zeros, and the bag index one past the last zone.
  Item terminal;
  terminal.name = terminalName;
  writeHeader(terminal, index16(bag, "zones"));
  w.end(pos);

  pos = w.begin(bagId);
  size_t gen = 0, mod = 0;
  for (const Item& item : items) {
    for (const auto& zone : item.zones) {
      w.u16(index16(gen, "generators"));
      w.u16(index16(mod, "modulators"));
      gen += zone.gens.size();
      mod += zone.mods.size();
    }
  }
  w.u16(index16(gen, "generators"));
  w.u16(index16(mod, "modulators"));
  w.end(pos);

  pos = w.begin(modId);
  for (const Item& item : items)
    for (const auto& zone : item.zones)
      for (const ModulatorSpec& m : zone.mods) writeMod(w, m);
  writeMod(w, ModulatorSpec{});
  w.end(pos);

  pos = w.begin(genId);
  for (const Item& item : items)
    for (const auto& zone : item.zones)
      for (const auto& g : zone.gens) {
        w.u16(g.oper);
        w.u16(g.amount);
      }
  w.u16(0);
  w.u16(0);
  w.end(pos);
}

}  // namespace

uint16_t Sf2Description::addSample(const std::string& sampleName, const int16_t* data, uint32_t frames,
                                   uint32_t rate, uint8_t key, uint32_t loopStart, uint32_t loopEnd,
                                   int8_t correction) {
  Sample s;
  s.name = sampleName;
  s.start = static_cast<uint32_t>(sampleData.size());
  if (frames > 0) sampleData.insert(sampleData.end(), data, data + frames);
  s.end = s.start + frames;
  s.loopStart = s.start + loopStart;
  s.loopEnd = s.start + loopEnd;
  s.sampleRate = rate;
  s.originalKey = key;
  s.pitchCorrection = correction;
  sampleData.insert(sampleData.end(), 46, int16_t{0});  // SF2 6.1: 46 zero points after each sample
  samples.push_back(s);
  return index16(samples.size() - 1, "samples");
}

std::vector<uint8_t> writeSf2(const Sf2Description& d) {
  ByteWriter w;
  w.bytes.reserve(d.sampleData.size() * 2 + d.sample24.size() + 4096);
  size_t riff = w.begin("RIFF");
  w.id("sfbk");

  size_t info = w.beginList("INFO");
  size_t ifil = w.begin("ifil");
  w.u16(d.versionMajor);
  w.u16(d.versionMinor);
  w.end(ifil);
  if (!d.soundEngine.empty()) w.infoString("isng", d.soundEngine);
  w.infoString("INAM", d.name);
  if (!d.copyright.empty()) w.infoString("ICOP", d.copyright);
  if (!d.comment.empty()) w.infoString("ICMT", d.comment);
  if (!d.software.empty()) w.infoString("ISFT", d.software);
  w.end(info);

  size_t sdta = w.beginList("sdta");
  size_t smpl = w.begin("smpl");
  if (d.compressedData.empty()) {
    for (int16_t s : d.sampleData) w.u16(static_cast<uint16_t>(s));
  } else {
    w.bytes.insert(w.bytes.end(), d.compressedData.begin(), d.compressedData.end());
  }
  w.end(smpl);
  if (!d.sample24.empty()) {
    size_t sm24 = w.begin("sm24");
    w.bytes.insert(w.bytes.end(), d.sample24.begin(), d.sample24.end());
    w.end(sm24);
  }
  w.end(sdta);

  size_t pdta = w.beginList("pdta");
  writeLevel(
      w, d.presets, "phdr", "pbag", "pmod", "pgen", "EOP",
      [&w](const Sf2Description::Preset& p, uint16_t bag) {
        w.name20(p.name);
        w.u16(p.program);
        w.u16(p.bank);
        w.u16(bag);
        w.u32(p.library);
        w.u32(p.genre);
        w.u32(p.morphology);
      });
  writeLevel(
      w, d.instruments, "inst", "ibag", "imod", "igen", "EOI",
      [&w](const Sf2Description::Instrument& inst, uint16_t bag) {
        w.name20(inst.name);
        w.u16(bag);
      });
  size_t shdr = w.begin("shdr");
  for (const Sf2Description::Sample& s : d.samples) {
    w.name20(s.name);
    w.u32(s.start);
    w.u32(s.end);
    w.u32(s.loopStart);
    w.u32(s.loopEnd);
    w.u32(s.sampleRate);
    w.u8(s.originalKey);
    w.u8(static_cast<uint8_t>(s.pitchCorrection));
    w.u16(s.link);
    w.u16(s.type);
  }
  w.name20("EOS");
  for (int i = 0; i < 26; ++i) w.u8(0);
  w.end(shdr);
  w.end(pdta);

  w.end(riff);
  return std::move(w.bytes);
}

void writeSf2File(const std::string& path, const Sf2Description& description) {
  std::vector<uint8_t> bytes = writeSf2(description);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": cannot open for writing: " + std::strerror(errno));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace awe
