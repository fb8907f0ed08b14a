#pragma once
// Standard MIDI File reader (formats 0, 1 and 2) producing one flat, time-sorted event
// list plus the song's text (lyrics, markers, karaoke words), and a small writer used by
// the demo-song generator and the tests.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace awe {

// A fatal problem in a MIDI file. The message names the file, the track (or the header)
// and the byte offset from the start of the file.
class MidiFileError : public std::runtime_error {
 public:
  MidiFileError(std::string file, int track, uint64_t offset, const std::string& what);
  const std::string& file() const { return file_; }
  int track() const { return track_; }  // -1 for the header
  uint64_t offset() const { return offset_; }

 private:
  std::string file_;
  int track_;
  uint64_t offset_;
};

struct MidiFileWarning {
  int track = -1;
  uint64_t offset = 0;
  std::string message;
};

// One channel message or system-exclusive message, at an absolute time.
struct MidiEvent {
  double time_s = 0.0;     // seconds from the start of the song (tempo map applied)
  uint64_t tick = 0;       // absolute tick in the file's time division
  uint32_t sysexOffset = 0;  // F0 events: payload in MidiFile::sysexData(), F0 included, F7 included
  uint32_t sysexLength = 0;
  uint32_t fileOffset = 0;  // byte offset of the event's delta time from the start of the file
  uint16_t track = 0;
  uint8_t status = 0;      // 0x80..0xEF channel message, 0xF0 system exclusive
  uint8_t data1 = 0;
  uint8_t data2 = 0;
  bool isSysex() const noexcept { return status == 0xF0; }  // [audio thread]
  uint8_t channel() const noexcept { return status & 0x0F; }  // [audio thread]
  uint8_t type() const noexcept { return status & 0xF0; }  // [audio thread]
};

// A text meta event (types 0x01-0x09: text, copyright, track name, instrument, lyric,
// marker, cue point, program name, device name), at an absolute time. The text is UTF-8:
// bytes that are not valid UTF-8 are read as Latin-1 (what old files mostly use), and
// control characters other than line breaks become spaces.
struct MidiText {
  double time_s = 0.0;
  uint64_t tick = 0;
  uint32_t fileOffset = 0;
  uint16_t track = 0;
  uint8_t type = 0x01;
  std::string text;
};

// One sung syllable, from a lyric meta event (0x05) or, in a karaoke (.kar) file, from the
// words track's text events (0x01). Line breaks are taken out of the text and marked:
// a '/' or a line feed / carriage return starts a new line, a '\\' a new paragraph (.kar).
struct MidiLyric {
  double time_s = 0.0;
  uint64_t tick = 0;
  uint16_t track = 0;
  bool newLine = false;       // this syllable starts a line
  bool newParagraph = false;  // ... and a new paragraph (the karaoke screen clears)
  std::string text;
};

// The longest stretch of the song with no event at all (notes, controllers, sysex, the end
// of a track), and the event that ends it: a damaged delta time shows up here.
struct MidiGap {
  double start_s = 0.0;
  double length_s = 0.0;
  int track = -1;           // the track whose delta time makes the gap; -1 for no events
  uint64_t fileOffset = 0;  // that delta time's byte offset
};

struct TempoChange {
  uint64_t tick = 0;
  double time_s = 0.0;
  uint32_t microsecondsPerQuarter = 500000;
};

class MidiFileParser;

class MidiFile {
 public:
  // A gap with no event longer than this, and longer than the rest of the song together,
  // is taken for a damaged delta time and warned about (see longestGap()).
  static constexpr double kImplausibleGap_s = 60.0;

  // [control thread] Reads a whole file. Throws MidiFileError on anything unusable
  // (bad header, no track chunk, a file over 16 MiB). Recoverable problems become
  // warnings and lose nothing that was readable: a track chunk running past the end of the
  // file is read as far as it goes; a truncated event or one whose length cannot be known
  // ends its track (the events before it stay); a status byte a file may not hold
  // (F1-F6, F8-FE) is skipped with the data bytes its message has (F1, F3: one; F2: two)
  // and reading goes on; a missing end-of-track is tolerated; unknown chunks and bytes
  // between chunks are skipped; an implausible gap with no event (kImplausibleGap_s) is
  // reported at the delta time that makes it. Every warning's message reads "<name>: track N at byte X: ..."
  // ("header"/"file" outside tracks; N counts from 0).
  // Running status is per track. The SMF spec cancels it at sysex and meta events; a data
  // byte after them continues the last channel status, as players do (with a warning).
  // F0 sysex packets are kept when complete (ending in F7); F7 escapes/continuations are
  // skipped. Tempo changes apply to all tracks, wherever they are. Format 2: the tracks
  // are independent sequences, played one after another, each starting at 120 bpm until
  // it sets its own tempo. SMPTE division: ticks/s = frames/s × ticks/frame, with -29
  // (30 drop-frame, 29.97 real) timed as 30, as the SMF spec does.
  static MidiFile load(const std::string& path);
  static MidiFile loadFromMemory(const uint8_t* data, size_t size, const std::string& name);

  int format() const noexcept { return format_; }
  int trackCount() const noexcept { return trackCount_; }
  // Ticks per quarter note, or 0 when the file uses SMPTE time division.
  int ticksPerQuarter() const noexcept { return ticksPerQuarter_; }
  double smpteTicksPerSecond() const noexcept { return smpteTicksPerSecond_; }
  const std::string& path() const noexcept { return path_; }
  const std::vector<std::string>& trackNames() const noexcept { return trackNames_; }

  // Sorted by time; ties keep file order (track, then position in the track).
  const std::vector<MidiEvent>& events() const noexcept { return events_; }  // [audio thread]
  const std::vector<uint8_t>& sysexData() const noexcept { return sysexData_; }  // [audio thread]
  const std::vector<TempoChange>& tempoMap() const noexcept { return tempoMap_; }
  const std::vector<MidiFileWarning>& warnings() const noexcept { return warnings_; }
  // How many problems the loader met in all: warnings().size() stops at a cap (its last
  // entry then says further warnings were suppressed).
  size_t warningCount() const noexcept { return warningCount_; }
  // First track's start tick of each sequence: {0} unless format 2.
  const std::vector<uint64_t>& sequenceStartTicks() const noexcept { return sequenceStartTicks_; }

  // Text meta events of every track (track names included), sorted by time.
  const std::vector<MidiText>& texts() const noexcept { return texts_; }
  // Marker meta events (0x06), sorted by time.
  const std::vector<MidiText>& markers() const noexcept { return markers_; }
  // The sung words, sorted by time: the karaoke words when karaoke(), else lyric events.
  const std::vector<MidiLyric>& lyrics() const noexcept { return lyrics_; }
  // A .kar file: a text event starting "@K" (the karaoke header) is present. Its other
  // @-prefixed text events (@T title, @I information, @L language, @V version) are in
  // texts(); the words are the text events of the track that holds most of them.
  bool karaoke() const noexcept { return karaoke_; }
  // The latest marker at or before time_s, or null.
  const MidiText* markerAt(double time_s) const noexcept;
  // The lyric line being sung at time_s (empty when none has started) and, in sungChars,
  // how many of its bytes have been sung.
  std::string lyricLineAt(double time_s, size_t* sungChars = nullptr) const;
  const MidiGap& longestGap() const noexcept { return longestGap_; }
  // Time of the latest end-of-track (or of the last event, when later) in seconds.
  double duration_s() const noexcept { return duration_s_; }
  // Tempo in beats per minute at a given time (120 before the first tempo event). With
  // SMPTE division tempo events are kept here but do not change event times.
  double tempoBpmAt(double time_s) const noexcept;

 private:
  friend class MidiFileParser;
  int format_ = 0;
  int trackCount_ = 0;
  int ticksPerQuarter_ = 480;
  double smpteTicksPerSecond_ = 0.0;
  std::string path_;
  std::vector<std::string> trackNames_;
  std::vector<MidiEvent> events_;
  std::vector<uint8_t> sysexData_;
  std::vector<TempoChange> tempoMap_;
  std::vector<MidiFileWarning> warnings_;
  size_t warningCount_ = 0;
  std::vector<uint64_t> sequenceStartTicks_;
  std::vector<MidiText> texts_;
  std::vector<MidiText> markers_;
  std::vector<MidiLyric> lyrics_;
  bool karaoke_ = false;
  MidiGap longestGap_;
  double duration_s_ = 0.0;
};

// Builds format 0, 1 or 2 files. Events are given per track at absolute ticks, in any order
// (stable-sorted when written); meta events and end-of-track are written for you.
class MidiFileWriter {
 public:
  explicit MidiFileWriter(int ticksPerQuarter = 480) : ticksPerQuarter_(ticksPerQuarter) {}
  int addTrack(const std::string& name = {});  // returns the track index
  void tempo(int track, uint64_t tick, double bpm);
  void timeSignature(int track, uint64_t tick, int numerator, int denominator);
  void channelMessage(int track, uint64_t tick, uint8_t status, uint8_t data1, uint8_t data2 = 0);
  void noteOn(int track, uint64_t tick, int channel, int key, int velocity);
  void noteOff(int track, uint64_t tick, int channel, int key);
  void controlChange(int track, uint64_t tick, int channel, int cc, int value);
  void programChange(int track, uint64_t tick, int channel, int program);
  void pitchBend(int track, uint64_t tick, int channel, int value14);  // 0..16383, 8192 centre
  void sysex(int track, uint64_t tick, const std::vector<uint8_t>& bytesWithF0);
  void meta(int track, uint64_t tick, uint8_t type, const std::vector<uint8_t>& payload);

  std::vector<uint8_t> toBytes(int format = 1) const;  // format 0 needs exactly one track
  void writeFile(const std::string& path, int format = 1) const;

 private:
  struct Raw {
    uint64_t tick;
    uint32_t order;
    std::vector<uint8_t> bytes;  // complete event without delta time (status included)
  };
  struct Track {
    std::string name;
    std::vector<Raw> events;
  };
  void add(int track, uint64_t tick, std::vector<uint8_t> bytes);  // checks the track index

  int ticksPerQuarter_;
  uint32_t order_ = 0;
  std::vector<Track> tracks_;
};

}  // namespace awe
