#pragma once
// Stereo audio files through libsndfile: WAV, FLAC, AIFF, Ogg Vorbis, Opus and MP3 (the
// last where the installed libsndfile has it), chosen by the file name's extension or
// named outright; and WAV to standard output ("-") for pipes.
//
// Files are written under a temporary name and renamed at close() (monitor/report/OutputFile.h):
// a failed or interrupted render leaves the old file as it was.
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace awe {

enum class SampleFormat { Pcm16, Pcm24, Float32 };

enum class AudioContainer { Wav, Flac, Aiff, OggVorbis, Opus, Mp3 };

const char* containerName(AudioContainer container);  // "wav", "flac", "aiff", "ogg", "opus", "mp3"
// By name as --format takes it ("wav", "flac", "aiff"/"aif", "ogg"/"oga"/"vorbis", "opus", "mp3").
std::optional<AudioContainer> containerFromName(const std::string& name);
// By the path's extension (case-insensitive); nullopt for none or an unknown one.
std::optional<AudioContainer> containerForPath(const std::string& path);
// Lossy codecs ignore the sample format and decode to a level within a tolerance.
bool containerIsLossy(AudioContainer container);
// Whether the libsndfile in use can write it (asked at run time: MP3 needs libsndfile
// built with LAME and mpg123).
bool containerAvailable(AudioContainer container);
// The ones that are: "wav, flac, aiff, ogg, opus, mp3".
std::string availableContainers();
// Sample rates the codec takes (Opus: 8, 12, 16, 24, 48 kHz); empty = any.
std::vector<int> containerSampleRates(AudioContainer container);
// About how many bytes one second of stereo audio takes (an upper bound for lossless
// formats; for the free-disk-space check before a render).
double containerBytesPerSecond(AudioContainer container, SampleFormat format, double sampleRate);

// [control thread] Throws std::runtime_error naming the file on any failure.
class AudioFileWriter {
 public:
  // path "-" writes WAV to standard output.
  AudioFileWriter(const std::string& path, double sampleRate, SampleFormat format, AudioContainer container);
  // The container by the path's extension (WAV when it has none it knows).
  AudioFileWriter(const std::string& path, double sampleRate, SampleFormat format);
  ~AudioFileWriter();  // without close(): the temporary file is removed, the target untouched
  AudioFileWriter(const AudioFileWriter&) = delete;
  AudioFileWriter& operator=(const AudioFileWriter&) = delete;

  void write(const float* left, const float* right, size_t frames);
  // Finishes the file and puts it in place. Throws on failure (and the old file stays).
  void close();
  // Finishes what was written under `path` instead (a partial render); the target stays
  // as it was. Returns `path`.
  std::string closeAs(const std::string& path);
  // Drops what was written: the temporary file goes, the target stays as it was.
  void discard() noexcept;
  size_t framesWritten() const { return frames_; }
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  void finishEncoding();
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

// Why `path` is not a whole audio file, or "" when it is: libsndfile opens it and decodes
// every frame its header announces (at least one), and a WAV's RIFF or an AIFF's FORM size
// adds up to the file's length (libsndfile reads a cut WAV without complaint, only shorter).
// For resuming a batch: a cut or damaged output is rendered again. [control thread]
std::string audioFileProblem(const std::string& path);

}  // namespace awe
