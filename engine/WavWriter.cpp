#include "engine/WavWriter.h"

#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "monitor/Format.h"
#include "monitor/report/OutputFile.h"

namespace awe {

namespace {

struct ContainerInfo {
  AudioContainer container;
  const char* name;
  int major;     // SF_FORMAT_* container
  int subtype;   // the codec for lossy containers; 0 = by the sample format
  std::vector<const char*> extensions;
};

const std::vector<ContainerInfo>& containers() {
  static const std::vector<ContainerInfo> all = {
      {AudioContainer::Wav, "wav", SF_FORMAT_WAV, 0, {"wav", "wave"}},
      {AudioContainer::Flac, "flac", SF_FORMAT_FLAC, 0, {"flac"}},
      {AudioContainer::Aiff, "aiff", SF_FORMAT_AIFF, 0, {"aiff", "aif"}},
      {AudioContainer::OggVorbis, "ogg", SF_FORMAT_OGG, SF_FORMAT_VORBIS, {"ogg", "oga"}},
      {AudioContainer::Opus, "opus", SF_FORMAT_OGG, SF_FORMAT_OPUS, {"opus"}},
      {AudioContainer::Mp3, "mp3", SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III, {"mp3"}},
  };
  return all;
}

const ContainerInfo& infoOf(AudioContainer container) {
  for (const ContainerInfo& c : containers()) {
    if (c.container == container) return c;
  }
  return containers().front();
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

int sndfileFormat(AudioContainer container, SampleFormat format) {
  const ContainerInfo& c = infoOf(container);
  if (c.subtype != 0) return c.major | c.subtype;
  int subtype = SF_FORMAT_PCM_16;
  if (format == SampleFormat::Pcm24) subtype = SF_FORMAT_PCM_24;
  if (format == SampleFormat::Float32) subtype = container == AudioContainer::Flac ? SF_FORMAT_PCM_24 : SF_FORMAT_FLOAT;
  return c.major | subtype;
}

int bytesPerSample(SampleFormat format) {
  return format == SampleFormat::Pcm16 ? 2 : format == SampleFormat::Pcm24 ? 3 : 4;
}

void putLittleEndian(std::string& out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFu));
}

// A WAV header for a stream of unknown length (RIFF and data sizes 0xFFFFFFFF, as sox and
// ffmpeg write to pipes): libsndfile cannot write WAV to a pipe, it seeks back to the header.
std::string streamingWavHeader(int sampleRate, SampleFormat format) {
  const uint32_t bytes = static_cast<uint32_t>(bytesPerSample(format));
  std::string h = "RIFF";
  putLittleEndian(h, 0xFFFFFFFFu, 4);
  h += "WAVEfmt ";
  putLittleEndian(h, 16, 4);
  putLittleEndian(h, format == SampleFormat::Float32 ? 3u : 1u, 2);  // IEEE float or PCM
  putLittleEndian(h, 2, 2);
  putLittleEndian(h, static_cast<uint32_t>(sampleRate), 4);
  putLittleEndian(h, static_cast<uint32_t>(sampleRate) * 2 * bytes, 4);
  putLittleEndian(h, 2 * bytes, 2);
  putLittleEndian(h, 8 * bytes, 2);
  h += "data";
  putLittleEndian(h, 0xFFFFFFFFu, 4);
  return h;
}

}  // namespace

const char* containerName(AudioContainer container) { return infoOf(container).name; }

std::optional<AudioContainer> containerFromName(const std::string& name) {
  const std::string n = lower(name);
  if (n == "vorbis") return AudioContainer::OggVorbis;
  for (const ContainerInfo& c : containers()) {
    if (n == c.name) return c.container;
    for (const char* ext : c.extensions) {
      if (n == ext) return c.container;
    }
  }
  return std::nullopt;
}

std::optional<AudioContainer> containerForPath(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return std::nullopt;
  const std::string ext = lower(path.substr(dot + 1));
  for (const ContainerInfo& c : containers()) {
    for (const char* e : c.extensions) {
      if (ext == e) return c.container;
    }
  }
  return std::nullopt;
}

bool containerIsLossy(AudioContainer container) { return infoOf(container).subtype != 0; }

bool containerAvailable(AudioContainer container) {
  const ContainerInfo& c = infoOf(container);
  // The container must be in this libsndfile's list, and the codec accepted with it.
  int count = 0;
  sf_command(nullptr, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof count);
  bool listed = false;
  for (int i = 0; i < count && !listed; ++i) {
    SF_FORMAT_INFO format{};
    format.format = i;
    if (sf_command(nullptr, SFC_GET_FORMAT_MAJOR, &format, sizeof format) == 0) listed = format.format == c.major;
  }
  if (!listed) return false;
  if (c.subtype == 0) return true;
  sf_command(nullptr, SFC_GET_FORMAT_SUBTYPE_COUNT, &count, sizeof count);
  for (int i = 0; i < count; ++i) {
    SF_FORMAT_INFO format{};
    format.format = i;
    if (sf_command(nullptr, SFC_GET_FORMAT_SUBTYPE, &format, sizeof format) == 0 && format.format == c.subtype) {
      SF_INFO info{};
      info.samplerate = 48000;
      info.channels = 2;
      info.format = c.major | c.subtype;
      return sf_format_check(&info) == SF_TRUE;
    }
  }
  return false;
}

std::string availableContainers() {
  std::string list;
  for (const ContainerInfo& c : containers()) {
    if (containerAvailable(c.container)) list += (list.empty() ? "" : ", ") + std::string(c.name);
  }
  return list;
}

std::vector<int> containerSampleRates(AudioContainer container) {
  if (container == AudioContainer::Opus) return {8000, 12000, 16000, 24000, 48000};
  if (container == AudioContainer::Mp3) return {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000};
  return {};
}

double containerBytesPerSecond(AudioContainer container, SampleFormat format, double sampleRate) {
  switch (container) {
    case AudioContainer::OggVorbis:
    case AudioContainer::Mp3: return 320000.0 / 8.0;  // the top of their bit rates
    case AudioContainer::Opus: return 256000.0 / 8.0;
    case AudioContainer::Flac:  // never larger than PCM (plus frame headers)
      return sampleRate * 2.0 * (format == SampleFormat::Pcm16 ? 2.0 : 3.0) * 1.01;
    case AudioContainer::Wav:
    case AudioContainer::Aiff: break;
  }
  return sampleRate * 2.0 * bytesPerSample(format);
}

struct AudioFileWriter::Impl {
  std::unique_ptr<AtomicFile> file;  // none when writing to standard output
  SNDFILE* sound = nullptr;          // none when streaming WAV to a pipe ourselves
  bool toStdout = false;
  SampleFormat format = SampleFormat::Pcm16;
  double sampleRate = 0.0;
  std::vector<float> interleaved;
  std::string bytes;  // the pipe stream's encoded block
};

AudioFileWriter::AudioFileWriter(const std::string& path, double sampleRate, SampleFormat format)
    : AudioFileWriter(path, sampleRate, format, containerForPath(path).value_or(AudioContainer::Wav)) {}

AudioFileWriter::AudioFileWriter(const std::string& path, double sampleRate, SampleFormat format,
                                 AudioContainer container)
    : impl_(std::make_unique<Impl>()), path_(path) {
  impl_->format = format;
  impl_->sampleRate = sampleRate;
  if (!containerAvailable(container)) {
    throw std::runtime_error(path + ": this libsndfile cannot write " + containerName(container) +
                             " (it writes: " + availableContainers() + ")");
  }
  SF_INFO info{};
  info.samplerate = static_cast<int>(sampleRate);
  info.channels = 2;
  info.format = sndfileFormat(container, format);
  int fd = -1;
  if (path == "-") {
    if (container != AudioContainer::Wav) throw std::runtime_error("standard output (-o -) takes WAV only");
    impl_->toStdout = true;
    struct stat st {};
    const bool seekable = ::fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode);
    if (!seekable) {
      const std::string header = streamingWavHeader(info.samplerate, format);
      if (::write(STDOUT_FILENO, header.data(), header.size()) != static_cast<ssize_t>(header.size())) {
        throw std::runtime_error(std::string("standard output: cannot write: ") + std::strerror(errno));
      }
      return;
    }
    fd = STDOUT_FILENO;  // redirected to a file: libsndfile writes a complete header at the end
  } else {
    impl_->file = std::make_unique<AtomicFile>(path);
    fd = impl_->file->fd();
  }
  impl_->sound = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
  if (impl_->sound == nullptr) {
    const std::string why = sf_strerror(nullptr);
    throw std::runtime_error(impl_->file ? impl_->file->failure(std::string("cannot write ") + containerName(container) + ": " + why)
                                         : "standard output: " + why);
  }
  // Integer formats clip instead of wrapping around when the mix exceeds full scale.
  sf_command(impl_->sound, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  // No PEAK chunk: it carries a timestamp, and the same render must give the same bytes.
  sf_command(impl_->sound, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
}

AudioFileWriter::~AudioFileWriter() {
  if (impl_ && impl_->sound != nullptr) sf_close(impl_->sound);
  // impl_->file's destructor removes the unfinished temporary file.
}

void AudioFileWriter::write(const float* left, const float* right, size_t frames) {
  if (impl_->sound == nullptr && !impl_->toStdout) throw std::runtime_error(path_ + ": write after close");
  impl_->interleaved.resize(frames * 2);
  for (size_t i = 0; i < frames; ++i) {
    impl_->interleaved[2 * i] = left[i];
    impl_->interleaved[2 * i + 1] = right[i];
  }
  if (impl_->sound == nullptr) {  // WAV streamed to a pipe
    std::string& out = impl_->bytes;
    out.clear();
    // As libsndfile converts with clipping on (SFC_SET_CLIPPING), so a pipe carries the
    // same samples as a file: round to 32 bits, clip, keep the top 16 or 24.
    for (const float v : impl_->interleaved) {
      if (impl_->format == SampleFormat::Float32) {
        uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        putLittleEndian(out, bits, 4);
        continue;
      }
      const double scaled = std::clamp(static_cast<double>(v) * 2147483648.0, -2147483648.0, 2147483647.0);
      const auto full = static_cast<int32_t>(std::llrint(scaled));
      if (impl_->format == SampleFormat::Pcm24) putLittleEndian(out, static_cast<uint32_t>(full >> 8), 3);
      else putLittleEndian(out, static_cast<uint32_t>(full >> 16), 2);
    }
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::write(STDOUT_FILENO, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        throw std::runtime_error("standard output: write failed after " + formatAudioTime(static_cast<double>(frames_) / impl_->sampleRate) +
                                 " of audio: " + std::strerror(errno));
      }
      done += static_cast<size_t>(n);
    }
    frames_ += frames;
    return;
  }
  const sf_count_t n = sf_writef_float(impl_->sound, impl_->interleaved.data(), static_cast<sf_count_t>(frames));
  if (n != static_cast<sf_count_t>(frames)) {
    // libsndfile says "System error : File too large.": the system's words, without its frame.
    std::string error = sf_strerror(impl_->sound);
    if (error.rfind("System error : ", 0) == 0) error.erase(0, 15);
    while (!error.empty() && error.back() == '.') error.pop_back();
    const std::string why = "writing failed after " + formatAudioTime(static_cast<double>(frames_) / impl_->sampleRate) +
                            " of audio: " + error;
    sf_close(impl_->sound);
    impl_->sound = nullptr;
    throw std::runtime_error(impl_->file ? impl_->file->failure(why) : "standard output: " + why);
  }
  frames_ += frames;
}

void AudioFileWriter::finishEncoding() {
  if (impl_->sound == nullptr) return;
  const int err = sf_close(impl_->sound);  // writes the header's sizes and the codec's last pages
  impl_->sound = nullptr;
  if (err != 0) {
    const std::string why = std::string("finishing the file failed: ") + sf_error_number(err);
    throw std::runtime_error(impl_->file ? impl_->file->failure(why) : "standard output: " + why);
  }
}

void AudioFileWriter::close() {
  finishEncoding();
  impl_->toStdout = false;
  if (impl_->file) {
    impl_->file->commit();
    impl_->file.reset();
  }
}

std::string AudioFileWriter::closeAs(const std::string& path) {
  finishEncoding();
  if (!impl_->file) return path_;
  const std::string kept = impl_->file->keepAs(path);
  impl_->file.reset();
  return kept;
}

void AudioFileWriter::discard() noexcept {
  if (impl_->sound != nullptr) sf_close(impl_->sound);
  impl_->sound = nullptr;
  impl_->toStdout = false;
  if (impl_->file) impl_->file->discard();
  impl_->file.reset();
}

AudioFileData readAudioFile(const std::string& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) throw std::runtime_error(path + ": cannot read audio file: " + sf_strerror(nullptr));
  std::vector<float> interleaved(static_cast<size_t>(info.frames) * static_cast<size_t>(info.channels));
  const sf_count_t got = sf_readf_float(file, interleaved.data(), info.frames);
  sf_close(file);
  AudioFileData data;
  data.sampleRate = info.samplerate;
  const size_t frames = static_cast<size_t>(got);
  const size_t channels = static_cast<size_t>(info.channels);
  data.left.resize(frames);
  data.right.resize(frames);
  for (size_t i = 0; i < frames; ++i) {
    data.left[i] = interleaved[i * channels];
    data.right[i] = interleaved[i * channels + (channels > 1 ? 1 : 0)];
  }
  return data;
}

std::string audioFileProblem(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "it does not exist";
  if (!S_ISREG(st.st_mode)) return "it is not a regular file";
  const auto fileBytes = static_cast<uint64_t>(st.st_size);
  {
    // The outer chunk's size: little-endian in RIFF, big-endian in AIFF's FORM; RF64 keeps
    // its sizes elsewhere (libsndfile's decode below still checks it).
    unsigned char head[8] = {};
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return std::string("cannot open it: ") + std::strerror(errno);
    const size_t got = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
    if (got == sizeof head) {
      const auto byte = [&](int i) { return static_cast<uint32_t>(head[i]); };
      const uint32_t le = byte(4) | (byte(5) << 8) | (byte(6) << 16) | (byte(7) << 24);
      const uint32_t be = (byte(4) << 24) | (byte(5) << 16) | (byte(6) << 8) | byte(7);
      const bool riff = std::memcmp(head, "RIFF", 4) == 0, form = std::memcmp(head, "FORM", 4) == 0;
      if (riff || form) {
        const uint64_t announced = uint64_t{riff ? le : be} + 8;
        if (announced != fileBytes)
          return std::string("its ") + (riff ? "RIFF" : "FORM") + " header announces " + std::to_string(announced) +
                 " bytes but the file has " + std::to_string(fileBytes);
      }
    }
  }
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) return std::string("libsndfile cannot read it: ") + sf_strerror(nullptr);
  if (info.frames <= 0 || info.channels <= 0) {
    sf_close(file);
    return "it holds no audio";
  }
  std::vector<float> chunk(4096 * static_cast<size_t>(info.channels));
  sf_count_t decoded = 0;
  while (decoded < info.frames) {
    const sf_count_t got = sf_readf_float(file, chunk.data(), 4096);
    if (got <= 0) break;
    decoded += got;
  }
  const int error = sf_error(file);
  sf_close(file);
  if (decoded != info.frames || error != SF_ERR_NO_ERROR)
    return "its header announces " + std::to_string(info.frames) + " frames but " + std::to_string(decoded) +
           " decode";
  return "";
}

}  // namespace awe
