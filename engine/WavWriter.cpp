#include "engine/WavWriter.h"

#include <sndfile.h>

#include <vector>

namespace awe {

struct WavWriter::Impl {
  SNDFILE* file = nullptr;
  std::vector<float> interleaved;
};

WavWriter::WavWriter(const std::string& path, double sampleRate, SampleFormat format)
    : impl_(std::make_unique<Impl>()), path_(path) {
  SF_INFO info{};
  info.samplerate = static_cast<int>(sampleRate);
  info.channels = 2;
  int container = SF_FORMAT_WAV;
  const auto dot = path.rfind('.');
  if (dot != std::string::npos) {
    const std::string ext = path.substr(dot + 1);
    if (ext == "flac") container = SF_FORMAT_FLAC;
    else if (ext == "aiff" || ext == "aif") container = SF_FORMAT_AIFF;
  }
  int subtype = SF_FORMAT_PCM_16;
  if (format == SampleFormat::Pcm24) subtype = SF_FORMAT_PCM_24;
  if (format == SampleFormat::Float32) subtype = container == SF_FORMAT_FLAC ? SF_FORMAT_PCM_24 : SF_FORMAT_FLOAT;
  info.format = container | subtype;
  impl_->file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (impl_->file == nullptr) {
    throw std::runtime_error(path + ": cannot write audio file: " + sf_strerror(nullptr));
  }
  // Integer formats clip instead of wrapping around when the mix exceeds full scale.
  sf_command(impl_->file, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  // No PEAK chunk: it carries a timestamp, and the same render must give the same bytes.
  sf_command(impl_->file, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
}

WavWriter::~WavWriter() {
  if (impl_ && impl_->file != nullptr) sf_close(impl_->file);
}

void WavWriter::write(const float* left, const float* right, size_t frames) {
  if (impl_->file == nullptr) throw std::runtime_error(path_ + ": write after close");
  impl_->interleaved.resize(frames * 2);
  for (size_t i = 0; i < frames; ++i) {
    impl_->interleaved[2 * i] = left[i];
    impl_->interleaved[2 * i + 1] = right[i];
  }
  const sf_count_t n = sf_writef_float(impl_->file, impl_->interleaved.data(), static_cast<sf_count_t>(frames));
  if (n != static_cast<sf_count_t>(frames)) {
    throw std::runtime_error(path_ + ": write failed after " + std::to_string(frames_) + " frames: " +
                             sf_strerror(impl_->file));
  }
  frames_ += frames;
}

void WavWriter::close() {
  if (impl_->file == nullptr) return;
  sf_write_sync(impl_->file);
  const int err = sf_close(impl_->file);
  impl_->file = nullptr;
  if (err != 0) throw std::runtime_error(path_ + ": closing failed: " + sf_error_number(err));
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

}  // namespace awe
