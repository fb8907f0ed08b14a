#pragma once
// Stereo audio files through libsndfile (WAV by default; the format follows the file
// name's extension when libsndfile knows it).
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace awe {

enum class SampleFormat { Pcm16, Pcm24, Float32 };

// [control thread] Throws std::runtime_error naming the file on any failure.
class WavWriter {
 public:
  WavWriter(const std::string& path, double sampleRate, SampleFormat format);
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  void write(const float* left, const float* right, size_t frames);
  void close();  // flushes; also done by the destructor (which cannot report errors)
  size_t framesWritten() const { return frames_; }
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  size_t frames_ = 0;
};

// Reads a whole stereo (or mono, duplicated) file as float; for tests and tools.
struct AudioFileData {
  double sampleRate = 0.0;
  std::vector<float> left, right;
};
AudioFileData readAudioFile(const std::string& path);

}  // namespace awe
