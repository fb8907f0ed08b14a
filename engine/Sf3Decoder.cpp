#include "engine/Sf3Decoder.h"

#include <sndfile.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace awe {
namespace {

// A byte block seen through libsndfile's virtual I/O, for reading or (growing) for writing.
struct MemoryFile {
  const uint8_t* data = nullptr;
  std::vector<uint8_t>* sink = nullptr;  // writing
  sf_count_t size = 0;
  sf_count_t position = 0;
};

sf_count_t memoryLength(void* user) { return static_cast<MemoryFile*>(user)->size; }

sf_count_t memorySeek(sf_count_t offset, int whence, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  sf_count_t target = offset;
  if (whence == SEEK_CUR) target += f->position;
  else if (whence == SEEK_END) target += f->size;
  if (target < 0 || target > f->size) return -1;
  f->position = target;
  return f->position;
}

sf_count_t memoryRead(void* ptr, sf_count_t count, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  const sf_count_t n = std::max<sf_count_t>(0, std::min(count, f->size - f->position));
  if (n > 0) std::memcpy(ptr, f->data + f->position, static_cast<size_t>(n));
  f->position += n;
  return n;
}

sf_count_t memoryWrite(const void* ptr, sf_count_t count, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  if (count <= 0) return 0;
  const auto end = static_cast<size_t>(f->position + count);
  if (end > f->sink->size()) f->sink->resize(end);
  std::memcpy(f->sink->data() + f->position, ptr, static_cast<size_t>(count));
  f->data = f->sink->data();
  f->position += count;
  f->size = static_cast<sf_count_t>(f->sink->size());
  return count;
}

sf_count_t memoryTell(void* user) { return static_cast<MemoryFile*>(user)->position; }

SF_VIRTUAL_IO memoryIo() { return SF_VIRTUAL_IO{memoryLength, memorySeek, memoryRead, memoryWrite, memoryTell}; }

}  // namespace

std::string decodeOggVorbisSample(const uint8_t* bytes, size_t size, size_t maxFrames, DecodedSample& out) {
  out.frames.clear();
  out.truncated = false;
  MemoryFile file;
  file.data = bytes;
  file.size = static_cast<sf_count_t>(size);
  SF_VIRTUAL_IO io = memoryIo();
  SF_INFO info{};
  SNDFILE* sf = sf_open_virtual(&io, SFM_READ, &info, &file);
  if (sf == nullptr) return std::string("not a stream libsndfile can read (") + sf_strerror(nullptr) + ")";
  struct Closer {
    SNDFILE* sf;
    ~Closer() { sf_close(sf); }
  } closer{sf};
  if ((info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_OGG) return "not an Ogg stream";
  if (info.channels != 1) return "it has " + std::to_string(info.channels) + " channels; SF3 samples are mono";
  const sf_count_t promised = info.frames;
  // Read in pieces up to one past the cap: the stream's own length claim is not trusted.
  constexpr size_t kPiece = 16384;
  while (out.frames.size() <= maxFrames) {
    const size_t at = out.frames.size();
    const size_t want = std::min(kPiece, maxFrames + 1 - at);
    out.frames.resize(at + want);
    const sf_count_t got = sf_readf_short(sf, out.frames.data() + at, static_cast<sf_count_t>(want));
    out.frames.resize(at + static_cast<size_t>(std::max<sf_count_t>(got, 0)));
    if (got < static_cast<sf_count_t>(want)) break;
  }
  if (sf_error(sf) != SF_ERR_NO_ERROR) return std::string("decoding failed: ") + sf_strerror(sf);
  if (out.frames.size() > maxFrames) {
    out.frames.resize(maxFrames);
    out.truncated = true;
  } else if (promised > 0 && static_cast<sf_count_t>(out.frames.size()) < promised) {
    return "the stream ends after " + std::to_string(out.frames.size()) + " of its " + std::to_string(promised) +
           " frames";
  }
  return {};
}

std::shared_ptr<const Bank> loadBank(const std::string& path, std::vector<LoadWarning>* warnings) {
  return Bank::loadSf2(path, warnings, decodeOggVorbisSample);
}

std::vector<uint8_t> encodeOggVorbisSample(const std::vector<int16_t>& frames, uint32_t sampleRate, double quality) {
  std::vector<uint8_t> bytes;
  MemoryFile file;
  file.sink = &bytes;
  SF_VIRTUAL_IO io = memoryIo();
  SF_INFO info{};
  info.samplerate = static_cast<int>(sampleRate);
  info.channels = 1;
  info.format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
  SNDFILE* sf = sf_open_virtual(&io, SFM_WRITE, &info, &file);
  if (sf == nullptr) throw std::runtime_error(std::string("Ogg Vorbis encoder: ") + sf_strerror(nullptr));
  double q = quality;
  sf_command(sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof(q));
  const sf_count_t written = sf_writef_short(sf, frames.data(), static_cast<sf_count_t>(frames.size()));
  const std::string error = sf_strerror(sf);
  sf_close(sf);
  if (written != static_cast<sf_count_t>(frames.size())) throw std::runtime_error("Ogg Vorbis encoder: " + error);
  return bytes;
}

}  // namespace awe
