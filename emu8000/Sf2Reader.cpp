// SoundFont 2.01/2.04 and SoundFont 3 reader: Bank::loadSf2 and Bank::loadSf2FromMemory.
//
// SF3 (MuseScore's sftools, as FluidSynth reads it): a sample whose type has flag 0x10 is
// an Ogg Vorbis stream; its start and end are byte offsets into smpl (end exclusive) and its
// loop points count frames from the start of the decoded sample. Such samples are decoded
// at load by the SampleDecoder the caller gives (engine/Sf3Decoder.h: libsndfile) and placed
// after the 16-bit data in the sample block, each followed by 46 zero frames as SF2 asks
// of the file. A stream that cannot be decoded is fatal, named by sample and byte offset.
//
// The file is walked chunk by chunk through a small byte source (a file or a memory block),
// so only INFO strings and the hydra (pdta) are read into memory; the sample data is read
// last, straight into the bank's sample block, once everything else has been validated.
// Nothing is allocated from a count field before the count has been checked against the
// bytes present. Any fatal problem throws Sf2Error before a Bank exists.
//
// Sample block layout: kSampleGuardFront zero frames, the smpl data, kSampleGuardBack zero
// frames. sample24 (only from 2.04 files with a well-sized sm24 chunk) has exactly the same
// layout and length, one byte per frame, so sampleData()[i] and sample24()[i] belong
// together.
//
// Decisions where the spec leaves room (each reported as a LoadWarning):
// - keyRange is honoured only as the first generator of a zone and velRange only when
//   preceded by nothing but keyRange (SF2 8.1.2; FluidSynth does the same).
// - A generator repeated in a zone: the last one counts. Identical modulators (source,
//   destination, amount source, transform) in one zone: the later replaces the earlier.
// - Instrument-level values are clamped to the generator's range; preset-level values are
//   offsets and are clamped to +/- the width of that range.
// - Sample bounds outside smpl are fatal (the headers and data disagree: a damaged file).
//   Empty samples and ROM samples are kept as headers but their zones make no regions.
// - Loop points outside the sample are clamped; when nothing of the loop is left (the header
//   then spans the whole sample), looping
//   zones that use the sample play it unlooped.
// - Modulator lists are capped at kMaxModulatorsPerVoice per zone list.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "emu8000/Bank.h"

namespace awe {
namespace {

// The bank stores zones, never their products, so memory follows the file's size. Loading
// still counts the preset x instrument zone pairs once (regions, warnings); that time is
// bounded by a cap on pairs: 2^24, or one per file byte for big files. Real banks are far
// below it (FluidR3_GM: 16912 regions from 148 MB).
constexpr uint64_t kMinZonePairCap = uint64_t{1} << 24;
constexpr size_t kMaxWarnings = 1000;
// A compressed sample may decode to at most this many frames per stream byte (plus a
// minimum), so a hostile stream's memory stays in proportion to the file. Vorbis at its
// lowest quality on silence stays far below (real banks: about 10 frames per byte).
constexpr size_t kMaxDecodedFramesPerByte = 256;
constexpr size_t kMinDecodedFramesCap = size_t{1} << 16;
constexpr uint32_t kSampleGapFrames = 46;  // SF2 6.1: zero frames after each sample
constexpr size_t kMaxTextBytes = 256;       // SF2 5.x: every INFO text field but ICMT
constexpr size_t kMaxCommentBytes = 65536;  // ICMT

// ---- little helpers -------------------------------------------------------------------

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

bool hostIsLittleEndian() {
  const uint16_t probe = 1;
  uint8_t first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

bool isPrintable(uint8_t c) { return c >= 0x20 && c <= 0x7E; }
bool isFourcc(const uint8_t* p) { return isPrintable(p[0]) && isPrintable(p[1]) && isPrintable(p[2]) && isPrintable(p[3]); }
std::string fourccText(const uint8_t* p) {
  std::string s(4, '?');
  for (size_t i = 0; i < 4; ++i)
    if (isPrintable(p[i])) s[i] = static_cast<char>(p[i]);
  return s;
}
// A fixed-size name field: up to the first zero byte.
std::string fixedText(const uint8_t* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != 0) ++len;
  return std::string(reinterpret_cast<const char*>(p), len);
}

void appendPart(std::string& s, const std::string& v) { s += v; }
void appendPart(std::string& s, const char* v) { s += v; }
template <typename T, std::enable_if_t<std::is_integral<T>::value, int> = 0>
void appendPart(std::string& s, T v) {
  s += std::to_string(v);
}
template <typename... Args>
std::string cat(const Args&... args) {
  std::string s;
  (appendPart(s, args), ...);
  return s;
}

// ---- byte sources ---------------------------------------------------------------------

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly n bytes at offset; false on failure. The caller keeps to size().
  virtual bool read(uint64_t offset, void* dst, size_t n) = 0;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t size() const override { return size_; }
  bool read(uint64_t offset, void* dst, size_t n) override {
    if (offset > size_ || n > size_ - offset) return false;
    if (n > 0) std::memcpy(dst, data_ + offset, n);
    return true;
  }

 private:
  const uint8_t* data_;
  size_t size_;
};

class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::string& path) : in_(path, std::ios::binary) {
    if (!in_) return;
    in_.seekg(0, std::ios::end);
    std::streamoff end = in_.tellg();
    open_ = in_.good() && end >= 0;
    size_ = open_ ? static_cast<uint64_t>(end) : 0;
  }
  bool isOpen() const { return open_; }
  uint64_t size() const override { return size_; }
  bool read(uint64_t offset, void* dst, size_t n) override {
    if (offset > size_ || n > size_ - offset) return false;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    return in_.gcount() == static_cast<std::streamsize>(n);
  }

 private:
  std::ifstream in_;
  bool open_ = false;
  uint64_t size_ = 0;
};

// ---- file structure -------------------------------------------------------------------

struct Chunk {
  std::string id;        // for LIST chunks: the list type once known
  std::string listType;  // "INFO", "sdta", "pdta"... for LIST chunks with a type
  uint64_t offset = 0;  // of the 8-byte header
  uint64_t data = 0;    // of the first data byte
  uint32_t size = 0;
  bool present = false;
  const std::string& name() const { return listType.empty() ? id : listType; }
};

// One hydra sub-chunk held in memory as fixed-size records.
struct Table {
  const char* id;
  size_t recordSize;
  std::vector<uint8_t> bytes;
  uint64_t dataOffset = 0;
  size_t count = 0;
  const uint8_t* rec(size_t i) const { return bytes.data() + i * recordSize; }
  uint64_t at(size_t i, size_t field = 0) const { return dataOffset + i * recordSize + field; }
};
enum TableId : size_t { kPhdr, kPbag, kPmod, kPgen, kInst, kIbag, kImod, kIgen, kShdr, kTableCount };

// Preset and instrument levels are read by the same code.
struct Level {
  bool preset;
  TableId header, bag, mod, gen;
  size_t bagField;     // offset of the bag index inside a header record
  Gen terminal;        // Instrument or SampleId
  const char* what;    // "preset" / "instrument"
};
constexpr Level kPresetLevel{true, kPhdr, kPbag, kPmod, kPgen, 24, Gen::Instrument, "preset"};
constexpr Level kInstrumentLevel{false, kInst, kIbag, kImod, kIgen, 20, Gen::SampleId, "instrument"};

// A zone as read from the file, before its level's global zone is merged in.
struct RawZone {
  int32_t gen[kSf2GeneratorCount] = {};
  uint64_t setMask = 0;  // bit g: generator g given in this zone
  bool hasKeyRange = false, hasVelRange = false;
  uint8_t keyLo = 0, keyHi = 127, velLo = 0, velHi = 127;
  bool terminal = false;  // has its Instrument / SampleId generator
  uint32_t target = 0;
  uint64_t targetOffset = 0;
  uint32_t modBegin = 0;
  uint16_t modCount = 0;
  bool isSet(int g) const { return (setMask >> g) & 1u; }
};

struct ZoneRange {
  uint32_t begin = 0, count = 0;
};

struct SampleState {
  bool usable = true;     // not ROM, not empty
  bool loopClamped = false;
  bool loopUnusable = false;
  bool loopWarned = false;
  uint32_t rawLoopStart = 0, rawLoopEnd = 0;
  uint32_t fileStart = 0, fileEnd = 0;  // the sample's frames as the file counts them (for messages)
  // SF3: the stream's bytes in smpl, and its frames once decoded (until they are copied
  // into the sample block).
  bool compressed = false;
  uint32_t byteStart = 0, byteEnd = 0;
  std::vector<int16_t> decoded;
};

class Sf2Parser {
 public:
  Sf2Parser(ByteSource& src, std::string file, SampleDecoder decoder)
      : src_(src), file_(std::move(file)), decoder_(decoder) {}

  Bank::Parts parse() {
    readRiff();
    checkHydra();
    readSampleHeaders();
    decodeCompressedSamples();
    buildLevel(kInstrumentLevel, instZones_, instRanges_);
    buildLevel(kPresetLevel, presetZones_, presetRanges_);
    buildPresets();
    readSampleData();
    if (suppressedWarnings_ > 0)
      warnings_.push_back({"RIFF", 0, cat(suppressedWarnings_, " more warnings not listed")});
    parts_.path = file_;
    return std::move(parts_);
  }

  std::vector<LoadWarning>& warnings() { return warnings_; }

 private:
  [[noreturn]] void fail(const std::string& chunk, uint64_t offset, const std::string& message) const {
    throw Sf2Error(file_, chunk, offset, message);
  }
  void warn(const std::string& chunk, uint64_t offset, std::string message) {
    if (warnings_.size() >= kMaxWarnings) {
      ++suppressedWarnings_;
      return;
    }
    warnings_.push_back({chunk, offset, std::move(message)});
  }
  void readOrFail(const std::string& chunk, uint64_t offset, void* dst, size_t n) {
    if (!src_.read(offset, dst, n)) fail(chunk, offset, cat("cannot read ", n, " bytes"));
  }
  std::vector<uint8_t> readChunkData(const Chunk& c, size_t limit = SIZE_MAX) {
    std::vector<uint8_t> bytes(std::min<size_t>(c.size, limit));
    readOrFail(c.id, c.data, bytes.data(), bytes.size());
    return bytes;
  }

  // Calls visit(chunk) for each chunk in [begin, end). A chunk running past `end` is fatal.
  // Odd-sized chunks are followed by a pad byte; a missing one is tolerated when the next
  // header is clearly where the unpadded size puts it.
  template <typename Visit>
  void forEachChunk(const std::string& parent, uint64_t begin, uint64_t end, Visit visit) {
    uint64_t pos = begin;
    while (pos < end) {
      if (end - pos < 8) {
        warn(parent, pos, cat(end - pos, " stray bytes at the end of ", parent, " ignored"));
        return;
      }
      uint8_t header[8];
      readOrFail(parent, pos, header, 8);
      Chunk c;
      c.id = fourccText(header);
      c.offset = pos;
      c.data = pos + 8;
      c.size = le32(header + 4);
      c.present = true;
      uint8_t type[4];
      if (c.id == "LIST" && c.size >= 4 && end - c.data >= 4 && src_.read(c.data, type, 4)) c.listType = fourccText(type);
      if (c.size > end - c.data) {
        std::string message = cat("size ", c.size, " runs past the end of ", parent, " (", end - c.data, " bytes left)");
        if (fileTruncated_ && end == src_.size()) message += "; the file is truncated";
        fail(c.name(), c.offset, message);
      }
      uint64_t next = c.data + c.size;
      if ((c.size & 1) && next < end) {
        // A header is plausible where its id is printable and its size fits what is left.
        auto headerAt = [&](uint64_t at) {
          uint8_t ahead[8];
          return at + 8 <= end && src_.read(at, ahead, 8) && isFourcc(ahead) && le32(ahead + 4) <= end - at - 8;
        };
        bool paddedOk = next + 1 == end || headerAt(next + 1);
        bool unpaddedOk = headerAt(next);
        if (!paddedOk && unpaddedOk)
          warn(c.name(), c.offset, cat("odd size ", c.size, " without the RIFF pad byte"));
        else
          next += 1;
      }
      visit(c);
      pos = next;
    }
  }

  // ---- RIFF, INFO, sdta, pdta ---------------------------------------------------------

  void readRiff() {
    const uint64_t fileSize = src_.size();
    uint8_t header[12] = {};
    if (fileSize >= 4) readOrFail("RIFF", 0, header, 4);
    if (fileSize >= 4 && std::memcmp(header, "RIFF", 4) != 0) {
      if (std::memcmp(header, "RIFX", 4) == 0) fail("RIFF", 0, "big-endian RIFX files are not SoundFont 2");
      fail("RIFF", 0, cat("not a RIFF file (starts with '", fourccText(header), "')"));
    }
    if (fileSize < 12) fail("RIFF", 0, cat("file is ", fileSize, " bytes, too short for a RIFF header"));
    readOrFail("RIFF", 0, header, 12);
    if (std::memcmp(header + 8, "sfbk", 4) != 0)
      fail("RIFF", 8, cat("RIFF form type is '", fourccText(header + 8), "', not 'sfbk' (not a SoundFont)"));
    const uint64_t riffEnd = 8 + uint64_t{le32(header + 4)};
    uint64_t end = riffEnd;
    if (riffEnd > fileSize) {
      fileTruncated_ = true;
      end = fileSize;
    } else if (riffEnd + 1 < fileSize) {  // one byte may be the RIFF chunk's own pad
      warn("RIFF", riffEnd, cat(fileSize - riffEnd, " bytes after the RIFF form ignored"));
    }

    Chunk info, sdta, pdta;
    forEachChunk("RIFF", 12, end, [&](const Chunk& c) {
      if (c.id != "LIST") {
        warn(c.id, c.offset, cat("unknown top-level chunk '", c.id, "' skipped"));
        return;
      }
      if (c.listType.empty()) fail("LIST", c.offset, cat("LIST chunk of size ", c.size, " has no list type"));
      Chunk list = c;
      list.id = c.listType;
      Chunk* slot = list.id == "INFO" ? &info : list.id == "sdta" ? &sdta : list.id == "pdta" ? &pdta : nullptr;
      if (slot == nullptr) {
        warn(list.id, c.offset, cat("unknown LIST '", list.id, "' skipped"));
      } else if (slot->present) {
        warn(list.id, c.offset, cat("second LIST ", list.id, " ignored"));
      } else {
        *slot = list;
      }
    });
    if (fileTruncated_)
      warn("RIFF", 4, cat("RIFF size says ", riffEnd, " bytes but the file has ", fileSize, "; all chunks are present"));
    if (!info.present) fail("INFO", 12, "no LIST INFO chunk (ifil is required)");
    if (!sdta.present) fail("sdta", end, "no LIST sdta chunk (sample data)");
    if (!pdta.present) fail("pdta", end, "no LIST pdta chunk (presets, instruments, samples)");
    readInfo(info);
    readSdta(sdta);
    readPdta(pdta);
  }

  std::string readText(const Chunk& c, size_t limit) {
    std::vector<uint8_t> bytes = readChunkData(c, limit);
    std::string text = fixedText(bytes.data(), bytes.size());
    if (text.size() == limit && c.size > limit) warn(c.id, c.offset, cat("text longer than ", limit, " bytes, truncated"));
    return text;
  }

  void readInfo(const Chunk& list) {
    BankInfo& info = parts_.info;
    bool haveIfil = false, haveIsng = false, haveInam = false;
    std::vector<std::string> seen;
    forEachChunk("INFO", list.data + 4, list.data + list.size, [&](const Chunk& c) {
      if (std::find(seen.begin(), seen.end(), c.id) != seen.end()) {
        warn(c.id, c.offset, cat("second '", c.id, "' in INFO ignored"));
        return;
      }
      if (seen.size() < 64) seen.push_back(c.id);
      if (c.id == "ifil") {
        if (c.size != 4) fail("ifil", c.offset, cat("size ", c.size, ", expected 4"));
        std::vector<uint8_t> v = readChunkData(c);
        info.versionMajor = le16(v.data());
        info.versionMinor = le16(v.data() + 2);
        if (info.versionMajor != 2 && info.versionMajor != 3)
          fail("ifil", c.data, cat("version ", info.versionMajor, ".", info.versionMinor, " is not SoundFont 2 or 3"));
        ifilData_ = c.data;
        haveIfil = true;
      } else if (c.id == "iver") {
        if (c.size != 4) {
          warn("iver", c.offset, cat("size ", c.size, ", expected 4; ignored"));
          return;
        }
        std::vector<uint8_t> v = readChunkData(c);
        info.romVersionMajor = le16(v.data());
        info.romVersionMinor = le16(v.data() + 2);
      } else if (c.id == "isng") {
        info.soundEngine = readText(c, kMaxTextBytes);
        haveIsng = true;
      } else if (c.id == "INAM") {
        info.name = readText(c, kMaxTextBytes);
        haveInam = true;
      } else if (c.id == "irom") {
        info.romName = readText(c, kMaxTextBytes);
      } else if (c.id == "ICRD") {
        info.creationDate = readText(c, kMaxTextBytes);
      } else if (c.id == "IENG") {
        info.engineers = readText(c, kMaxTextBytes);
      } else if (c.id == "IPRD") {
        info.product = readText(c, kMaxTextBytes);
      } else if (c.id == "ICOP") {
        info.copyright = readText(c, kMaxTextBytes);
      } else if (c.id == "ICMT") {
        info.comment = readText(c, kMaxCommentBytes);
      } else if (c.id == "ISFT") {
        info.software = readText(c, kMaxTextBytes);
      } else {
        warn(c.id, c.offset, cat("unknown INFO sub-chunk '", c.id, "' skipped"));
      }
    });
    if (!haveIfil) fail("ifil", list.offset, "LIST INFO has no ifil (version) sub-chunk");
    if (!haveIsng) info.soundEngine = "EMU8000";  // SF2 5.2: assume EMU8000 when absent
    if (!haveInam) warn("INAM", list.offset, "LIST INFO has no INAM (bank name)");
  }

  void readSdta(const Chunk& list) {
    forEachChunk("sdta", list.data + 4, list.data + list.size, [&](const Chunk& c) {
      Chunk* slot = c.id == "smpl" ? &smpl_ : c.id == "sm24" ? &sm24_ : nullptr;
      if (slot == nullptr) {
        warn(c.id, c.offset, cat("unknown sdta sub-chunk '", c.id, "' skipped"));
      } else if (slot->present) {
        warn(c.id, c.offset, cat("second '", c.id, "' ignored"));
      } else {
        *slot = c;
      }
    });
    if (!smpl_.present) fail("smpl", list.offset, "LIST sdta has no smpl chunk (16-bit sample data)");
    smplFrames_ = smpl_.size / 2;
    if (sm24_.present) {
      const BankInfo& info = parts_.info;
      const uint64_t expected = smplFrames_ + (smplFrames_ & 1);
      if (info.versionMajor == 2 && info.versionMinor < 4) {
        warn("sm24", sm24_.offset, cat("sm24 in a version 2.0", info.versionMinor, " file ignored (needs 2.04)"));
        sm24_.present = false;
      } else if (sm24_.size != expected && sm24_.size != smplFrames_) {
        warn("sm24", sm24_.offset, cat("size ", sm24_.size, " does not match smpl's ", smplFrames_, " frames; ignored"));
        sm24_.present = false;
      }
    }
  }

  void readPdta(const Chunk& list) {
    pdtaOffset_ = list.offset;
    forEachChunk("pdta", list.data + 4, list.data + list.size, [&](const Chunk& c) {
      Table* table = nullptr;
      for (Table& t : tables_)
        if (c.id == t.id) table = &t;
      if (table == nullptr) {
        warn(c.id, c.offset, cat("unknown pdta sub-chunk '", c.id, "' skipped"));
        return;
      }
      if (present_[static_cast<size_t>(table - tables_.data())]) {
        warn(c.id, c.offset, cat("second '", c.id, "' ignored"));
        return;
      }
      if (c.size == 0) fail(c.id, c.offset, "empty: even an empty list needs its terminal record");
      if (c.size % table->recordSize != 0)
        fail(c.id, c.offset, cat("size ", c.size, " is not a multiple of the ", table->recordSize, "-byte record"));
      present_[static_cast<size_t>(table - tables_.data())] = true;
      table->bytes = readChunkData(c);
      table->dataOffset = c.data;
      table->count = c.size / table->recordSize;
    });
    for (size_t i = 0; i < kTableCount; ++i)
      if (!present_[i]) fail(tables_[i].id, list.offset, cat("LIST pdta has no '", tables_[i].id, "' sub-chunk"));
  }

  // ---- hydra ------------------------------------------------------------------------

  // The 16-bit indices at `field` in `owner`'s records must not decrease, and the terminal
  // record's must point at `target`'s terminal record.
  void checkIndexChain(const Table& owner, size_t field, const Table& target, const char* what) {
    uint16_t prev = 0;
    for (size_t i = 0; i < owner.count; ++i) {
      uint16_t v = le16(owner.rec(i) + field);
      if (i > 0 && v < prev)
        fail(owner.id, owner.at(i, field), cat(what, " index ", v, " of record ", i, " is less than the previous record's ", prev));
      prev = v;
    }
    if (prev != target.count - 1)
      fail(owner.id, owner.at(owner.count - 1, field),
           cat("terminal record's ", what, " index is ", prev, " but '", target.id, "' has ", target.count - 1,
               " records before its terminal record (missing terminal record or wrong sizes)"));
  }

  void checkHydra() {
    if (tables_[kPhdr].count < 2) fail("phdr", tables_[kPhdr].dataOffset - 8, "no presets (only the terminal record)");
    checkIndexChain(tables_[kPhdr], 24, tables_[kPbag], "bag");
    checkIndexChain(tables_[kPbag], 0, tables_[kPgen], "generator");
    checkIndexChain(tables_[kPbag], 2, tables_[kPmod], "modulator");
    checkIndexChain(tables_[kInst], 20, tables_[kIbag], "bag");
    checkIndexChain(tables_[kIbag], 0, tables_[kIgen], "generator");
    checkIndexChain(tables_[kIbag], 2, tables_[kImod], "modulator");
  }

  void readSampleHeaders() {
    const Table& shdr = tables_[kShdr];
    const size_t count = shdr.count - 1;  // without EOS
    const uint8_t* eos = shdr.rec(count);
    if (le32(eos + 20) != 0 || le32(eos + 24) != 0)
      warn("shdr", shdr.at(count), cat("the terminal record '", fixedText(eos, 20),
                                       "' looks like a real sample; is the EOS record missing?"));
    parts_.samples.resize(count);
    sampleState_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      const uint8_t* r = shdr.rec(i);
      SampleHeader& h = parts_.samples[i];
      SampleState& st = sampleState_[i];
      h.name = fixedText(r, 20);
      uint32_t start = le32(r + 20), end = le32(r + 24), loopStart = le32(r + 28), loopEnd = le32(r + 32);
      h.sampleRate = le32(r + 36);
      h.originalKey = r[40];
      h.pitchCorrection_cents = static_cast<int8_t>(r[41]);
      h.link = le16(r + 42);
      h.type = le16(r + 44);
      const std::string label = cat("sample ", i, " '", h.name, "'");

      if (h.sampleRate == 0) {
        warn("shdr", shdr.at(i, 36), cat(label, " has sample rate 0; using 44100"));
        h.sampleRate = 44100;
      }
      if (h.originalKey > 127) {
        // 255 means "unpitched" (SF2 7.10): 60 is the spec's fallback for any invalid key.
        if (h.originalKey != 255)
          warn("shdr", shdr.at(i, 40), cat(label, " has original key ", h.originalKey, "; using 60"));
        h.originalKey = 60;
      }
      if (h.type & 0x8000) {
        warn("shdr", shdr.at(i, 44), cat(label, " is a ROM sample; there is no ROM here, its zones are ignored"));
        st.usable = false;
        h.start = h.end = h.loopStart = h.loopEnd = kSampleGuardFront;
        continue;
      }
      st.compressed = (h.type & kCompressedFlag) != 0;
      h.type = static_cast<uint16_t>(h.type & ~kCompressedFlag);
      if (h.type != 1 && h.type != 2 && h.type != 4 && h.type != 8) {
        warn("shdr", shdr.at(i, 44), cat(label, " has unknown type ", h.type, "; played as mono"));
        h.type = 1;
        h.link = 0;
      }
      const char* unit = st.compressed ? "byte " : "";
      const uint64_t limit = st.compressed ? uint64_t{smpl_.size} : smplFrames_;
      if (start > end) fail("shdr", shdr.at(i, 20), cat(label, ": start ", unit, start, " is after end ", unit, end));
      if (end > limit)
        fail("shdr", shdr.at(i, 24),
             cat(label, ": end ", unit, end, " is beyond the ", limit, st.compressed ? " bytes" : " frames", " of smpl"));
      if (start == end) {
        warn("shdr", shdr.at(i, 20), cat(label, " is empty; its zones are ignored"));
        st.usable = false;
      }
      st.rawLoopStart = loopStart;
      st.rawLoopEnd = loopEnd;
      if (h.type != 1 && h.link >= count) {
        warn("shdr", shdr.at(i, 42), cat(label, " links to sample ", h.link, " of ", count, "; played as mono"));
        h.type = 1;
        h.link = 0;
      }
      if (st.compressed) {
        // Positions and loop are known once the stream is decoded (until then, and for
        // ever if it is unusable: an empty sample at the block's start).
        st.byteStart = start;
        st.byteEnd = end;
        h.compressed = true;
        h.start = h.end = h.loopStart = h.loopEnd = kSampleGuardFront;
        continue;
      }
      anyPcm_ = anyPcm_ || st.usable;
      st.fileStart = start;
      st.fileEnd = end;
      if (loopStart < start || loopEnd > end || loopStart >= loopEnd) {
        // Only a problem for zones that loop; reported when such a zone uses the sample.
        st.loopClamped = true;
        loopStart = std::min(std::max(loopStart, start), end);
        loopEnd = std::min(std::max(loopEnd, start), end);
        st.loopUnusable = loopEnd <= loopStart;
        if (st.loopUnusable) {
          // Looping zones play such a sample unlooped; the header still gets sane points.
          loopStart = start;
          loopEnd = end;
        }
      }
      h.start = start + kSampleGuardFront;
      h.end = end + kSampleGuardFront;
      h.loopStart = loopStart + kSampleGuardFront;
      h.loopEnd = loopEnd + kSampleGuardFront;
    }
  }

  // A stereo partner must be a usable sample too.
  void checkStereoLinks() {
    const Table& shdr = tables_[kShdr];
    for (size_t i = 0; i < parts_.samples.size(); ++i) {
      SampleHeader& h = parts_.samples[i];
      if (h.type == 2 || h.type == 4 || h.type == 8) {
        if (!sampleState_[h.link].usable) {
          warn("shdr", shdr.at(i, 42), cat("sample ", i, " '", h.name, "' links to an unusable sample; played as mono"));
          h.type = 1;
          h.link = 0;
        }
      }
    }
  }

  // SF3: decodes every usable compressed sample and places it after the 16-bit data.
  void decodeCompressedSamples() {
    size_t compressed = 0;
    for (const SampleState& st : sampleState_) compressed += st.compressed && st.usable ? 1 : 0;
    if (compressed == 0 || anyPcm_) {
      if (smpl_.size & 1) warn("smpl", smpl_.offset, cat("odd size ", smpl_.size, "; the last byte is ignored"));
    }
    if (compressed == 0) {
      if (parts_.info.versionMajor == 3)
        warn("ifil", ifilData_, "version 3 file without compressed samples; read as SoundFont 2");
      pcmFrames_ = smplFrames_;
      checkStereoLinks();
      return;
    }
    if (decoder_ == nullptr)
      fail("smpl", smpl_.offset, cat(compressed, " samples are compressed (SoundFont 3) and this loader has no decoder for them"));
    if (sm24_.present) {
      warn("sm24", sm24_.offset, "sm24 ignored: the bank has compressed samples");
      sm24_.present = false;
    }
    // Without usable 16-bit samples the block holds none of smpl's bytes as frames.
    pcmFrames_ = anyPcm_ ? smplFrames_ : 0;
    uint64_t next = kSampleGuardFront + pcmFrames_;
    for (size_t i = 0; i < parts_.samples.size(); ++i) {
      SampleHeader& h = parts_.samples[i];
      SampleState& st = sampleState_[i];
      if (!st.compressed || !st.usable) {
        if (!anyPcm_ || st.compressed) h.start = h.end = h.loopStart = h.loopEnd = kSampleGuardFront;
        continue;
      }
      const std::string label = cat("sample ", i, " '", h.name, "'");
      const uint64_t offset = smpl_.data + st.byteStart;
      const size_t bytes = st.byteEnd - st.byteStart;
      std::vector<uint8_t> stream(bytes);
      readOrFail("smpl", offset, stream.data(), bytes);
      const size_t maxFrames = std::max(kMinDecodedFramesCap, bytes * kMaxDecodedFramesPerByte);
      DecodedSample out;
      const std::string problem = decoder_(stream.data(), bytes, maxFrames, out);
      if (!problem.empty())
        fail("smpl", offset, cat(label, ": its compressed stream (", bytes, " bytes) cannot be decoded: ", problem));
      if (out.truncated)
        warn("smpl", offset, cat(label, " decodes to more than ", maxFrames, " frames (", kMaxDecodedFramesPerByte,
                                 " per compressed byte); the rest is dropped"));
      if (out.frames.empty()) {
        warn("smpl", offset, cat(label, " decodes to no audio; its zones are ignored"));
        st.usable = false;
        h.start = h.end = h.loopStart = h.loopEnd = kSampleGuardFront;
        continue;
      }
      const auto frames = static_cast<uint32_t>(out.frames.size());
      st.fileStart = 0;
      st.fileEnd = frames;
      uint32_t loopStart = st.rawLoopStart, loopEnd = st.rawLoopEnd;  // relative to the decoded sample
      if (loopEnd > frames || loopStart >= loopEnd) {
        st.loopClamped = true;
        loopStart = std::min(loopStart, frames);
        loopEnd = std::min(loopEnd, frames);
        st.loopUnusable = loopEnd <= loopStart;
        if (st.loopUnusable) {
          loopStart = 0;
          loopEnd = frames;
        }
      }
      const auto base = static_cast<uint32_t>(next);
      h.start = base;
      h.end = base + frames;
      h.loopStart = base + loopStart;
      h.loopEnd = base + loopEnd;
      next += uint64_t{frames} + kSampleGapFrames;
      if (next > UINT32_MAX - kSampleGuardBack)
        fail("smpl", offset, cat(label, ": the decoded samples pass 2^32 frames"));
      parts_.compressedSamples += 1;
      parts_.decodedFrames += frames;
      parts_.compressedBytes += bytes;
      st.decoded = std::move(out.frames);
    }
    decodedEnd_ = next;
    checkStereoLinks();
  }

  // SF2 8.2.1: which controllers may be modulator sources.
  static bool validSource(uint16_t raw, bool amountSource, const char** why) {
    const unsigned index = raw & 0x7Fu;
    const unsigned type = raw >> 10;
    if (type > 3) {
      *why = "unknown source curve type";
      return false;
    }
    if (raw & 0x80) {
      if (index == 0 || index == 6 || (index >= 32 && index <= 63) || (index >= 98 && index <= 101) || index >= 120) {
        *why = "source is a MIDI controller SF2 does not allow";
        return false;
      }
      return true;
    }
    switch (index) {
      case 0: case 2: case 3: case 10: case 13: case 14: case 16:
        return true;
      case 127:
        *why = amountSource ? "link as amount source" : "linked modulator (source is another modulator)";
        return false;
      default:
        *why = "unknown general controller source";
        return false;
    }
  }

  // Reads a zone's generators and modulators. Problems that can be repaired are warned
  // about and skipped; bad instrument/sample references are left for the caller to judge.
  RawZone readZone(const Level& level, size_t bagIndex) {
    const Table& bags = tables_[level.bag];
    const Table& gens = tables_[level.gen];
    const Table& mods = tables_[level.mod];
    const size_t genBegin = le16(bags.rec(bagIndex)), genEnd = le16(bags.rec(bagIndex + 1));
    const size_t modBegin = le16(bags.rec(bagIndex) + 2), modEnd = le16(bags.rec(bagIndex + 1) + 2);
    RawZone z;

    for (size_t g = genBegin; g < genEnd; ++g) {
      const uint16_t oper = le16(gens.rec(g));
      const uint16_t amount = le16(gens.rec(g) + 2);
      const uint64_t offset = gens.at(g);
      const size_t position = g - genBegin;
      if (z.terminal) {
        warn(gens.id, offset, cat(genEnd - g, " generators after the zone's ", generatorInfo(genIndex(level.terminal)).name,
                                  " generator ignored"));
        break;
      }
      if (oper >= kSf2GeneratorCount || !generatorInfo(oper).allowed) {
        warn(gens.id, offset, cat("unknown or unused generator ", oper, " ignored"));
        continue;
      }
      const GeneratorInfo& info = generatorInfo(oper);
      const Gen id = static_cast<Gen>(oper);
      if (id == Gen::KeyRange || id == Gen::VelRange) {
        const bool keyRange = id == Gen::KeyRange;
        const bool inOrder = keyRange ? position == 0 : (position == 0 || (position == 1 && z.hasKeyRange));
        if (!inOrder) {
          warn(gens.id, offset, cat(info.name, " is not at the start of its zone; ignored (SF2 8.1.2)"));
          continue;
        }
        unsigned lo = amount & 0xFFu, hi = amount >> 8;
        if (lo > 127 || hi > 127) {
          warn(gens.id, offset, cat(info.name, " ", lo, "-", hi, " clamped to 0-127"));
          lo = std::min(lo, 127u);
          hi = std::min(hi, 127u);
        }
        if (lo > hi)  // kept as given: the resolved zone is then left out (below)
          warn(gens.id, offset, cat(info.name, " ", lo, "-", hi, " is empty (low above high): the zone never plays"));
        if (keyRange) {
          z.hasKeyRange = true;
          z.keyLo = static_cast<uint8_t>(lo);
          z.keyHi = static_cast<uint8_t>(hi);
        } else {
          z.hasVelRange = true;
          z.velLo = static_cast<uint8_t>(lo);
          z.velHi = static_cast<uint8_t>(hi);
        }
        continue;
      }
      if (id == level.terminal) {
        z.terminal = true;
        z.target = amount;
        z.targetOffset = offset + 2;
        continue;
      }
      if (level.preset && info.instrumentOnly) {
        warn(gens.id, offset, cat("instrument-only generator ", info.name, " at preset level ignored"));
        continue;
      }
      if (!level.preset && id == Gen::Instrument) {
        warn(gens.id, offset, "instrument generator in an instrument zone ignored");
        continue;
      }
      int32_t value = static_cast<int16_t>(amount);
      // Preset values are offsets: they may span the whole range in either direction.
      const int32_t lo = level.preset ? info.min - info.max : info.min;
      const int32_t hi = level.preset ? info.max - info.min : info.max;
      if (value < lo || value > hi) {
        const int32_t clamped = std::min(std::max(value, lo), hi);
        warn(gens.id, offset, cat(info.name, " value ", value, " outside ", lo, "..", hi, "; clamped to ", clamped));
        value = clamped;
      }
      if (z.isSet(oper)) warn(gens.id, offset, cat(info.name, " given twice in one zone; the last counts"));
      z.gen[oper] = value;
      z.setMask |= uint64_t{1} << oper;
    }

    std::vector<ModulatorSpec> list;
    bool capWarned = false;
    for (size_t m = modBegin; m < modEnd; ++m) {
      const uint8_t* r = mods.rec(m);
      ModulatorSpec spec;
      spec.src = le16(r);
      spec.dest = le16(r + 2);
      spec.amount = static_cast<int16_t>(le16(r + 4));
      spec.amtSrc = le16(r + 6);
      spec.transform = le16(r + 8);
      const uint64_t offset = mods.at(m);
      const char* why = nullptr;
      if (spec.dest & 0x8000) {
        warn(mods.id, offset, "linked modulator (destination is another modulator) ignored");
        continue;
      }
      if (!validSource(spec.src, false, &why) || !validSource(spec.amtSrc, true, &why)) {
        warn(mods.id, offset, cat("modulator ignored: ", why));
        continue;
      }
      const Gen dest = static_cast<Gen>(spec.dest);
      if (spec.dest >= kSf2GeneratorCount || !generatorInfo(spec.dest).allowed || dest == Gen::Instrument ||
          dest == Gen::SampleId || dest == Gen::KeyRange || dest == Gen::VelRange) {
        warn(mods.id, offset, cat("modulator with destination ", spec.dest, " ignored"));
        continue;
      }
      if (spec.transform != 0 && spec.transform != 2) {
        warn(mods.id, offset, cat("modulator with unknown transform ", spec.transform, " ignored"));
        continue;
      }
      auto same = std::find_if(list.begin(), list.end(), [&](const ModulatorSpec& o) { return o.sameKind(spec); });
      if (same != list.end()) {
        warn(mods.id, offset, "identical modulator in the same zone replaces the earlier one");
        *same = spec;
      } else if (list.size() < kMaxModulatorsPerVoice) {
        list.push_back(spec);
      } else if (!capWarned) {
        warn(mods.id, offset, cat("more than ", kMaxModulatorsPerVoice, " modulators in a zone; the rest ignored"));
        capWarned = true;
      }
    }
    storeModulators(list, &z.modBegin, &z.modCount);
    return z;
  }

  void storeModulators(const std::vector<ModulatorSpec>& list, uint32_t* begin, uint16_t* count) {
    *begin = static_cast<uint32_t>(parts_.modulators.size());
    *count = static_cast<uint16_t>(list.size());
    parts_.modulators.insert(parts_.modulators.end(), list.begin(), list.end());
  }

  // SF2 9.5: the global zone's modulators, each replaced by an identical local one, plus
  // the local zone's others. Shares the stored list when one side is empty.
  void mergeModulators(const RawZone* global, const RawZone& local, uint32_t* begin, uint16_t* count,
                       uint64_t bagOffset, const char* bagId) {
    if (global == nullptr || global->modCount == 0 || local.modCount == 0) {
      const RawZone& only = (global != nullptr && local.modCount == 0) ? *global : local;
      *begin = only.modBegin;
      *count = only.modCount;
      return;
    }
    const auto& all = parts_.modulators;
    std::vector<ModulatorSpec> list(all.begin() + global->modBegin, all.begin() + global->modBegin + global->modCount);
    bool capWarned = false;
    for (size_t i = local.modBegin; i < size_t{local.modBegin} + local.modCount; ++i) {
      const ModulatorSpec& spec = all[i];
      auto same = std::find_if(list.begin(), list.end(), [&](const ModulatorSpec& o) { return o.sameKind(spec); });
      if (same != list.end()) {
        *same = spec;
      } else if (list.size() < kMaxModulatorsPerVoice) {
        list.push_back(spec);
      } else if (!capWarned) {
        warn(bagId, bagOffset, cat("more than ", kMaxModulatorsPerVoice, " modulators with the global zone's; the rest ignored"));
        capWarned = true;
      }
    }
    storeModulators(list, begin, count);
  }

  void buildLevel(const Level& level, std::vector<Zone>& zones, std::vector<ZoneRange>& ranges) {
    const Table& headers = tables_[level.header];
    const Table& bags = tables_[level.bag];
    const size_t targetCount = level.preset ? tables_[kInst].count - 1 : tables_[kShdr].count - 1;
    ranges.resize(headers.count - 1);
    for (size_t h = 0; h + 1 < headers.count; ++h) {
      const size_t bagBegin = le16(headers.rec(h) + level.bagField);
      const size_t bagEnd = le16(headers.rec(h + 1) + level.bagField);
      RawZone global;
      bool haveGlobal = false;
      ranges[h].begin = static_cast<uint32_t>(zones.size());
      for (size_t b = bagBegin; b < bagEnd; ++b) {
        RawZone z = readZone(level, b);
        if (!z.terminal) {
          if (b == bagBegin) {
            global = z;
            haveGlobal = true;
          } else {
            warn(bags.id, bags.at(b), cat(level.what, " '", fixedText(headers.rec(h), 20), "' zone ", b - bagBegin,
                                          " has no ", generatorInfo(genIndex(level.terminal)).name,
                                          " generator and is not the first; ignored"));
          }
          continue;
        }
        if (z.target >= targetCount)
          fail(tables_[level.gen].id, z.targetOffset,
               cat(level.what, " '", fixedText(headers.rec(h), 20), "' refers to ", level.preset ? "instrument " : "sample ",
                   z.target, " but there are only ", targetCount));
        // Zones of empty and ROM samples can never sound: not kept.
        if (!level.preset && !sampleState_[z.target].usable) continue;
        const RawZone* g = haveGlobal ? &global : nullptr;
        Zone r;
        for (int i = 0; i < kSf2GeneratorCount; ++i) {
          if (z.isSet(i)) r.gen[i] = z.gen[i];
          else if (g != nullptr && g->isSet(i)) r.gen[i] = g->gen[i];
          else r.gen[i] = level.preset ? 0 : generatorInfo(i).defaultValue;
        }
        const RawZone& keySource = z.hasKeyRange || g == nullptr || !g->hasKeyRange ? z : *g;
        const RawZone& velSource = z.hasVelRange || g == nullptr || !g->hasVelRange ? z : *g;
        r.keyLo = keySource.keyLo;
        r.keyHi = keySource.keyHi;
        r.velLo = velSource.velLo;
        r.velHi = velSource.velHi;
        // An empty range (warned about where it was read) matches no note: not kept.
        if (r.keyLo > r.keyHi || r.velLo > r.velHi) continue;
        r.target = z.target;
        mergeModulators(g, z, &r.modBegin, &r.modCount, bags.at(b), bags.id);
        if (!level.preset) checkLoop(r);
        zones.push_back(r);
      }
      ranges[h].count = static_cast<uint32_t>(zones.size() - ranges[h].begin);
    }
  }

  // A looping zone over a sample whose loop points had to be clamped: warned about once
  // per sample; when nothing of the loop is left the zone plays the sample unlooped.
  void checkLoop(Zone& iz) {
    SampleState& st = sampleState_[iz.target];
    int32_t& mode = iz.gen[genIndex(Gen::SampleModes)];
    if (!(mode & 1) || !st.loopClamped) return;
    if (!st.loopWarned) {
      const SampleHeader& h = parts_.samples[iz.target];
      warn("shdr", tables_[kShdr].at(iz.target, 28),
           cat("sample ", iz.target, " '", h.name, "': loop ", st.rawLoopStart, "-", st.rawLoopEnd,
               " is not inside the sample ", st.fileStart, "-", st.fileEnd,
               st.loopUnusable ? "; looping zones play it unlooped" : "; clamped"));
      st.loopWarned = true;
    }
    if (st.loopUnusable) mode = 0;
  }

  // Counts the zone pairs before looking at any, so a hydra that multiplies out to an
  // absurd number fails quickly.
  void checkPairCount() {
    uint64_t pairs = 0;
    for (const ZoneRange& pr : presetRanges_)
      for (uint32_t pzi = pr.begin; pzi < pr.begin + pr.count; ++pzi) pairs += instRanges_[presetZones_[pzi].target].count;
    const uint64_t pairCap = std::max(kMinZonePairCap, src_.size());
    if (pairs > pairCap)
      fail("pdta", pdtaOffset_,
           cat("preset zones times instrument zones is ", pairs, ", more than the ", pairCap,
               " allowed for a file of this size"));
  }

  void warnDuplicatePresets() {
    const Table& phdr = tables_[kPhdr];
    std::vector<std::pair<uint32_t, size_t>> keys;  // (bank << 16 | program, preset index)
    keys.reserve(phdr.count - 1);
    for (size_t p = 0; p + 1 < phdr.count; ++p)
      keys.emplace_back((uint32_t{le16(phdr.rec(p) + 22)} << 16) | le16(phdr.rec(p) + 20), p);
    std::sort(keys.begin(), keys.end());
    for (size_t i = 1; i < keys.size(); ++i) {
      if (keys[i].first != keys[i - 1].first) continue;
      const size_t p = keys[i].second;
      warn("phdr", phdr.at(p, 20),
           cat("preset '", fixedText(phdr.rec(p), 20), "' (", keys[i].first >> 16, ":", keys[i].first & 0xFFFF,
               ") has the same bank and program as an earlier preset; the first is used"));
    }
  }

  void buildPresets() {
    const Table& phdr = tables_[kPhdr];
    const Table& inst = tables_[kInst];
    for (size_t i = 0; i + 1 < inst.count; ++i)
      parts_.instruments.push_back({fixedText(inst.rec(i), 20), instRanges_[i].begin, instRanges_[i].count});
    warnDuplicatePresets();
    checkPairCount();

    uint64_t regions = 0;
    for (size_t p = 0; p + 1 < phdr.count; ++p) {
      Preset preset;
      preset.name = fixedText(phdr.rec(p), 20);
      preset.program = le16(phdr.rec(p) + 20);
      preset.bank = le16(phdr.rec(p) + 22);
      preset.zoneBegin = presetRanges_[p].begin;
      preset.zoneCount = presetRanges_[p].count;
      uint64_t outside = 0, playable = 0, zonesPerNote = preset.zoneCount;
      for (uint32_t pzi = preset.zoneBegin; pzi < preset.zoneBegin + preset.zoneCount; ++pzi) {
        const Zone& pz = presetZones_[pzi];
        const ZoneRange& ir = instRanges_[pz.target];
        zonesPerNote += ir.count;
        for (uint32_t izi = ir.begin; izi < ir.begin + ir.count; ++izi) ++(pz.overlaps(instZones_[izi]) ? playable : outside);
      }
      regions += playable;
      preset.regionCount = static_cast<uint32_t>(playable);
      const std::string label = cat("preset '", preset.name, "' (", preset.bank, ":", preset.program, ")");
      if (outside > 0)
        warn("pbag", tables_[kPbag].at(le16(phdr.rec(p) + 24)),
             cat(label, ": ", outside, " instrument zones lie outside their preset zone's key/velocity range; no regions for them"));
      if (playable == 0) warn("phdr", phdr.at(p), cat(label, " has no playable regions"));
      if (zonesPerNote > kMaxZonesPerNote)
        warn("phdr", phdr.at(p),
             cat(label, " reaches ", zonesPerNote, " preset and instrument zones; a note-on examines the first ",
                 kMaxZonesPerNote, ", so later regions may stay silent"));
      parts_.presets.push_back(std::move(preset));
    }
    if (regions == 0) fail("pdta", pdtaOffset_, "no preset has a playable region");
    parts_.regionsCounted = true;
    parts_.presetZones = std::move(presetZones_);
    parts_.instrumentZones = std::move(instZones_);
  }

  // ---- sample data --------------------------------------------------------------------

  void readSampleData() {
    const size_t pcm = static_cast<size_t>(pcmFrames_);
    const size_t decodedEnd = decodedEnd_ > 0 ? static_cast<size_t>(decodedEnd_) : kSampleGuardFront + pcm;
    const size_t total = decodedEnd + kSampleGuardBack;
    std::unique_ptr<int16_t[]> block(new int16_t[total]);  // not zeroed: the data overwrites it
    std::fill(block.get(), block.get() + kSampleGuardFront, int16_t{0});
    std::fill(block.get() + kSampleGuardFront + pcm, block.get() + total, int16_t{0});
    int16_t* data = block.get() + kSampleGuardFront;
    if (pcm > 0) readOrFail("smpl", smpl_.data, data, pcm * sizeof(int16_t));
    if (!hostIsLittleEndian()) {
      for (size_t i = 0; i < pcm; ++i) {
        const auto u = static_cast<uint16_t>(data[i]);
        data[i] = static_cast<int16_t>(static_cast<uint16_t>((u >> 8) | (u << 8)));
      }
    }
    for (size_t i = 0; i < sampleState_.size(); ++i) {
      SampleState& st = sampleState_[i];
      if (st.decoded.empty()) continue;
      std::copy(st.decoded.begin(), st.decoded.end(), block.get() + parts_.samples[i].start);
      std::vector<int16_t>().swap(st.decoded);  // the block holds it now
    }
    if (sm24_.present) {
      parts_.sample24.assign(total, 0);
      readOrFail("sm24", sm24_.data, parts_.sample24.data() + kSampleGuardFront, pcm);
    }
    parts_.sampleData = std::move(block);
    parts_.sampleDataFrames = total;
  }

  ByteSource& src_;
  std::string file_;
  SampleDecoder decoder_;
  uint64_t ifilData_ = 0;
  bool anyPcm_ = false;        // a usable uncompressed sample: smpl's frames go into the block
  uint64_t pcmFrames_ = 0;     // frames of smpl in the block (all of them, or none for pure SF3)
  uint64_t decodedEnd_ = 0;    // block index after the last decoded sample's gap (0: none)
  bool fileTruncated_ = false;
  Bank::Parts parts_;
  std::vector<LoadWarning> warnings_;
  size_t suppressedWarnings_ = 0;
  Chunk smpl_, sm24_;
  uint64_t smplFrames_ = 0;
  static constexpr uint16_t kCompressedFlag = 0x10;  // SF3 sample type flag: Ogg Vorbis
  uint64_t pdtaOffset_ = 0;
  std::array<Table, kTableCount> tables_{{{"phdr", 38, {}},
                                          {"pbag", 4, {}},
                                          {"pmod", 10, {}},
                                          {"pgen", 4, {}},
                                          {"inst", 22, {}},
                                          {"ibag", 4, {}},
                                          {"imod", 10, {}},
                                          {"igen", 4, {}},
                                          {"shdr", 46, {}}}};
  std::array<bool, kTableCount> present_{};
  std::vector<SampleState> sampleState_;
  std::vector<Zone> instZones_, presetZones_;
  std::vector<ZoneRange> instRanges_, presetRanges_;
};

std::shared_ptr<const Bank> parseBank(ByteSource& src, const std::string& name, std::vector<LoadWarning>* warnings,
                                      SampleDecoder decoder) {
  Sf2Parser parser(src, name, decoder);
  Bank::Parts parts = parser.parse();
  auto bank = std::make_shared<const Bank>(std::move(parts));
  if (warnings != nullptr) {
    auto& found = parser.warnings();
    warnings->insert(warnings->end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  return bank;
}

}  // namespace

std::shared_ptr<const Bank> Bank::loadSf2(const std::string& path, std::vector<LoadWarning>* warnings,
                                          SampleDecoder decoder) {
  FileSource file(path);
  if (!file.isOpen()) throw Sf2Error(path, "file", 0, std::string("cannot open: ") + std::strerror(errno));
  return parseBank(file, path, warnings, decoder);
}

std::shared_ptr<const Bank> Bank::loadSf2FromMemory(const uint8_t* data, size_t size, const std::string& name,
                                                    std::vector<LoadWarning>* warnings, SampleDecoder decoder) {
  MemorySource memory(data, data == nullptr ? 0 : size);
  return parseBank(memory, name, warnings, decoder);
}

}  // namespace awe
