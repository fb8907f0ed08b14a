#include "engine/MidiFile.h"

#include "monitor/report/OutputFile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace awe {

MidiFileError::MidiFileError(std::string file, int track, uint64_t offset, const std::string& what)
    : std::runtime_error(file + ": " + (track < 0 ? std::string("header") : "track " + std::to_string(track)) +
                         " at byte " + std::to_string(offset) + ": " + what),
      file_(std::move(file)),
      track_(track),
      offset_(offset) {}

// ---------------------------------------------------------------------------------------
// Reader

namespace {

// Far above any ordinary MIDI file (the largest of the shared ones is 230 KB). Bounding
// the input keeps offsets in 32 bits and memory bounded: a 2-byte running-status event
// becomes a 40-byte MidiEvent, so the worst case is about 20 times the file size.
constexpr size_t kMaxFileBytes = size_t{16} << 20;
constexpr size_t kMaxWarnings = 200;
constexpr uint32_t kDefaultMicrosecondsPerQuarter = 500000;  // 120 bpm, the SMF default

uint32_t bigEndian(const uint8_t* bytes, int count) {
  uint32_t value = 0;
  for (int i = 0; i < count; ++i) value = (value << 8) | bytes[i];
  return value;
}

std::string hexByte(uint8_t value) {
  static const char digits[] = "0123456789ABCDEF";
  return std::string("0x") + digits[value >> 4] + digits[value & 0x0F];
}

std::string chunkIdText(const uint8_t* id) {
  std::string text;
  for (int i = 0; i < 4; ++i) {
    if (id[i] >= 0x20 && id[i] < 0x7F) {
      text += static_cast<char>(id[i]);
    } else {
      text += "\\x" + hexByte(id[i]).substr(2);
    }
  }
  return text;
}

bool looksLikeChunkId(const uint8_t* id) {
  for (int i = 0; i < 4; ++i) {
    if (id[i] < 0x20 || id[i] >= 0x7F) return false;
  }
  return true;
}

constexpr size_t kHeaderBytes = 14;
constexpr uint8_t kTrackId[4] = {'M', 'T', 'r', 'k'};

// Text as the file has it, made UTF-8: valid UTF-8 stays, anything else is read as Latin-1
// (what most old files use). Trailing NULs (padding) go; other control characters but the
// line breaks become spaces.
std::string textToUtf8(const uint8_t* bytes, size_t length) {
  while (length > 0 && bytes[length - 1] == 0) --length;
  bool validUtf8 = true;
  for (size_t i = 0; i < length && validUtf8;) {
    const uint8_t lead = bytes[i];
    size_t follow = 0;
    if (lead < 0x80) {
      follow = 0;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      follow = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      follow = 2;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      follow = 3;
    } else {
      validUtf8 = false;
      break;
    }
    if (length - i - 1 < follow) {
      validUtf8 = false;
      break;
    }
    for (size_t k = 1; k <= follow; ++k) validUtf8 = validUtf8 && (bytes[i + k] & 0xC0) == 0x80;
    i += 1 + follow;
  }
  std::string text;
  text.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    const uint8_t byte = bytes[i];
    if (byte < 0x20 || byte == 0x7F) {
      text += (byte == '\n' || byte == '\r') ? static_cast<char>(byte) : ' ';
    } else if (byte < 0x80 || validUtf8) {
      text += static_cast<char>(byte);
    } else {
      text += static_cast<char>(0xC0 | (byte >> 6));
      text += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return text;
}

// "1 h 02 min", "12 min 30 s", "45.0 s": the length of a gap, for people.
std::string spokenDuration(double seconds) {
  const auto whole = static_cast<uint64_t>(std::max(0.0, std::floor(seconds)));
  char buffer[64];
  if (whole >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%llu h %02llu min", static_cast<unsigned long long>(whole / 3600),
                  static_cast<unsigned long long>(whole / 60 % 60));
  } else if (whole >= 60) {
    std::snprintf(buffer, sizeof buffer, "%llu min %02llu s", static_cast<unsigned long long>(whole / 60),
                  static_cast<unsigned long long>(whole % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
  }
  return buffer;
}

std::string where(const std::string& file, int track, uint64_t offset) {
  const std::string scope = track >= 0 ? "track " + std::to_string(track) : offset < kHeaderBytes ? "header" : "file";
  return file + ": " + scope + " at byte " + std::to_string(offset) + ": ";
}

}  // namespace

class MidiFileParser {
 public:
  MidiFileParser(const uint8_t* data, size_t size, const std::string& name) : data_(data), size_(size) {
    file_.path_ = name;
  }

  MidiFile parse() {
    if (size_ > kMaxFileBytes) {
      fail(-1, 0, "file is " + std::to_string(size_) + " bytes, more than the " + std::to_string(kMaxFileBytes) +
                      " a MIDI file may have here");
    }
    const size_t firstChunk = parseHeader();
    parseChunks(firstChunk);
    buildTempoMap();
    placeEventsInTime();
    collectText();
    findLongestGap();
    return std::move(file_);
  }

 private:
  enum class VarLen { Ok, Truncated, TooLong };
  struct PendingTempo {
    uint64_t tick;
    uint32_t microsecondsPerQuarter;
  };

  [[noreturn]] void fail(int track, uint64_t offset, const std::string& what) const {
    throw MidiFileError(file_.path_, track, offset, what);
  }

  void warn(int track, uint64_t offset, const std::string& what) {
    ++file_.warningCount_;
    if (file_.warnings_.size() > kMaxWarnings) return;
    if (file_.warnings_.size() == kMaxWarnings) {
      file_.warnings_.push_back({track, offset, where(file_.path_, track, offset) + "further warnings suppressed"});
      return;
    }
    file_.warnings_.push_back({track, offset, where(file_.path_, track, offset) + what});
  }

  // Returns the offset of the first chunk after the header.
  size_t parseHeader() {
    if (size_ < 4 || std::memcmp(data_, "MThd", 4) != 0) {
      fail(-1, 0, "not a Standard MIDI File (no MThd chunk at the start)");
    }
    if (size_ < kHeaderBytes) fail(-1, 0, "header truncated: the file has only " + std::to_string(size_) + " bytes");
    const uint32_t headerLength = bigEndian(data_ + 4, 4);
    if (headerLength < 6) fail(-1, 4, "header chunk length " + std::to_string(headerLength) + " is below 6");
    if (headerLength > size_ - 8) {
      fail(-1, 4, "header chunk length " + std::to_string(headerLength) + " runs past the end of the file");
    }
    const uint32_t format = bigEndian(data_ + 8, 2);
    if (format > 2) fail(-1, 8, "unknown format " + std::to_string(format));
    file_.format_ = static_cast<int>(format);
    declaredTracks_ = bigEndian(data_ + 10, 2);
    if (declaredTracks_ == 0) fail(-1, 10, "header declares no tracks");

    const uint32_t division = bigEndian(data_ + 12, 2);
    if (division & 0x8000) {
      // SMPTE: the high byte is minus the frame rate, the low byte ticks per frame. Rate
      // -29 is "30 drop-frame"; as the SMF spec intends, it is timed as 30 frames/s here.
      const int framesPerSecond = -static_cast<int>(static_cast<int8_t>(division >> 8));
      const uint32_t ticksPerFrame = division & 0xFF;
      if (framesPerSecond != 24 && framesPerSecond != 25 && framesPerSecond != 29 && framesPerSecond != 30) {
        fail(-1, 12, "SMPTE frame rate " + std::to_string(framesPerSecond) + " is not 24, 25, 29 or 30");
      }
      if (ticksPerFrame == 0) fail(-1, 12, "SMPTE division with 0 ticks per frame");
      file_.ticksPerQuarter_ = 0;
      file_.smpteTicksPerSecond_ = (framesPerSecond == 29 ? 30.0 : framesPerSecond) * ticksPerFrame;
    } else {
      if (division == 0) fail(-1, 12, "time division of 0 ticks per quarter note");
      file_.ticksPerQuarter_ = static_cast<int>(division);
    }
    return 8 + static_cast<size_t>(headerLength);
  }

  void parseChunks(size_t pos) {
    int track = 0;
    while (pos < size_) {
      if (size_ - pos < 8) {
        warn(-1, pos, std::to_string(size_ - pos) + " stray bytes at the end of the file ignored");
        break;
      }
      if (!looksLikeChunkId(data_ + pos)) {
        // Usually a track chunk whose length was too short: its tail is here. Resume at
        // the next track chunk rather than reading its bytes as a chunk header.
        const uint8_t* next = std::search(data_ + pos, data_ + size_, kTrackId, kTrackId + 4);
        if (next == data_ + size_) {
          warn(-1, pos, "bytes that are no chunk, and no track chunk after them; rest of the file ignored");
          break;
        }
        const auto skipped = static_cast<size_t>(next - (data_ + pos));
        warn(-1, pos, std::to_string(skipped) + " bytes that are no chunk skipped up to the next track chunk");
        pos += skipped;
        continue;
      }
      const uint32_t length = bigEndian(data_ + pos + 4, 4);
      const size_t bodyStart = pos + 8;
      const size_t available = size_ - bodyStart;
      if (std::memcmp(data_ + pos, kTrackId, 4) != 0) {
        if (length > available) {
          warn(-1, pos, "chunk '" + chunkIdText(data_ + pos) + "' of " + std::to_string(length) +
                            " bytes runs past the end of the file; rest of the file ignored");
          break;
        }
        pos = bodyStart + length;  // unknown chunks are skipped, as the spec asks
        continue;
      }
      if (track > 0xFFFF) {
        warn(-1, pos, "more than 65536 tracks; the rest of the file ignored");
        break;
      }
      size_t bodyEnd = bodyStart + length;
      if (length > available) {
        warn(track, pos, "chunk length " + std::to_string(length) + " runs past the end of the file; reading the " +
                             std::to_string(available) + " bytes present");
        bodyEnd = size_;
      }
      uint64_t startTick = 0;
      if (file_.format_ == 2) {
        // Independent sequences, one after another: each starts where the longest before
        // it ended, at the default tempo until it sets its own.
        startTick = endTick_;
        if (track > 0) tempos_.push_back({startTick, kDefaultMicrosecondsPerQuarter});
        file_.sequenceStartTicks_.push_back(startTick);
      }
      parseTrack(track, bodyStart, bodyEnd, startTick);
      ++track;
      pos = bodyEnd;
    }
    if (track == 0) fail(-1, pos, "no track chunk (MTrk) in the file");
    if (file_.sequenceStartTicks_.empty()) file_.sequenceStartTicks_.push_back(0);
    file_.trackCount_ = track;
    if (static_cast<uint32_t>(track) != declaredTracks_) {
      warn(-1, 10, "header declares " + std::to_string(declaredTracks_) + " tracks, the file holds " +
                       std::to_string(track));
    } else if (file_.format_ == 0 && track > 1) {
      warn(-1, 10, "format 0 file with " + std::to_string(track) + " tracks; all of them are read");
    }
  }

  VarLen readVarLen(size_t& pos, size_t end, uint32_t& value) const {
    value = 0;
    for (int i = 0; i < 4; ++i) {
      if (pos >= end) return VarLen::Truncated;
      const uint8_t byte = data_[pos++];
      value = (value << 7) | (byte & 0x7Fu);
      if ((byte & 0x80) == 0) return VarLen::Ok;
    }
    return VarLen::TooLong;
  }

  // Reads a length or delta; on failure warns (naming what was being read) and returns false.
  bool readQuantity(int track, size_t eventStart, size_t& pos, size_t end, uint32_t& value, const char* what) {
    const size_t start = pos;
    switch (readVarLen(pos, end, value)) {
      case VarLen::Ok:
        return true;
      case VarLen::Truncated:
        warn(track, eventStart, std::string("truncated event (") + what + "); rest of the track ignored");
        return false;
      case VarLen::TooLong:
        break;
    }
    warn(track, start, std::string(what) + " longer than 4 bytes; rest of the track ignored");
    return false;
  }

  // Data bytes of the system common and real-time messages (F1-F6, F8-FE) that a file
  // may not hold but damaged or sloppy files do: MTC quarter frame and song select have
  // one, song position two, the rest none.
  static size_t systemMessageDataBytes(uint8_t status) {
    if (status == 0xF2) return 2;
    return status == 0xF1 || status == 0xF3 ? 1 : 0;
  }

  static const char* systemMessageName(uint8_t status) {
    switch (status) {
      case 0xF1: return "MIDI time code quarter frame";
      case 0xF2: return "song position";
      case 0xF3: return "song select";
      case 0xF6: return "tune request";
      case 0xF8: return "timing clock";
      case 0xFA: return "start";
      case 0xFB: return "continue";
      case 0xFC: return "stop";
      case 0xFE: return "active sensing";
      default: return "undefined";
    }
  }

  void parseTrack(int track, size_t pos, const size_t end, const uint64_t startTick) {
    const auto trackIndex = static_cast<uint16_t>(track);
    uint64_t tick = startTick;
    uint8_t runningStatus = 0;       // as the SMF spec has it: cancelled by meta and sysex
    uint8_t lastChannelStatus = 0;   // what players continue after a meta or sysex event
    const char* cancelledBy = "";    // the kind of event that last cancelled running status
    size_t continuedCount = 0;       // times running status was taken up again after one
    size_t firstContinuedOffset = 0;
    uint8_t firstContinuedStatus = 0;
    const char* firstCancelledBy = "";
    bool endOfTrack = false;
    bool stopped = false;
    bool named = false;
    std::string name;
    size_t lastEventStart = pos;

    while (pos < end && !endOfTrack && !stopped) {
      const size_t eventStart = pos;
      lastEventStart = eventStart;
      uint32_t delta = 0;
      if (!readQuantity(track, eventStart, pos, end, delta, "delta time")) {
        stopped = true;
        break;
      }
      if (pos >= end) {
        warn(track, eventStart, "truncated event (no status after the delta time); rest of the track ignored");
        stopped = true;
        break;
      }
      tick += delta;

      uint8_t status = data_[pos];
      if (status < 0x80) {
        if (runningStatus == 0 && lastChannelStatus != 0) {
          // Running status across a meta or sysex event: not allowed by the spec, written
          // by many sequencers, and every common player continues it. So do we.
          if (continuedCount++ == 0) {
            firstContinuedOffset = pos;
            firstContinuedStatus = lastChannelStatus;
            firstCancelledBy = cancelledBy;
          }
          runningStatus = lastChannelStatus;
        }
        if (runningStatus == 0) {
          warn(track, pos, "data byte " + hexByte(status) +
                               " with no status byte before it (no running status here); rest of the track ignored");
          stopped = true;
          break;
        }
        status = runningStatus;  // running status: the byte is the first data byte
      } else {
        ++pos;
      }

      if (status < 0xF0) {
        runningStatus = status;
        lastChannelStatus = status;
        const uint8_t type = status & 0xF0;
        const size_t dataBytes = (type == 0xC0 || type == 0xD0) ? 1 : 2;
        if (end - pos < dataBytes) {
          warn(track, eventStart, "truncated channel message; rest of the track ignored");
          stopped = true;
          break;
        }
        const uint8_t data1 = data_[pos];
        const uint8_t data2 = dataBytes == 2 ? data_[pos + 1] : uint8_t{0};
        if ((data1 | data2) & 0x80) {
          warn(track, eventStart, "status byte where a data byte of " + hexByte(status) +
                                      " belongs; rest of the track ignored");
          stopped = true;
          break;
        }
        pos += dataBytes;
        MidiEvent event;
        event.tick = tick;
        event.fileOffset = static_cast<uint32_t>(eventStart);
        event.track = trackIndex;
        event.status = status;
        event.data1 = data1;
        event.data2 = data2;
        file_.events_.push_back(event);
      } else if (status == 0xF0 || status == 0xF7) {
        runningStatus = 0;  // sysex cancels running status
        cancelledBy = "a sysex event";
        uint32_t length = 0;
        if (!readQuantity(track, eventStart, pos, end, length, "sysex length")) {
          stopped = true;
          break;
        }
        if (length > end - pos) {
          warn(track, eventStart, "truncated sysex (" + std::to_string(length) + " bytes announced, " +
                                      std::to_string(end - pos) + " present); rest of the track ignored");
          stopped = true;
          break;
        }
        // F7 packets (escapes and continuations) are skipped. An F0 packet without its
        // closing F7 starts a divided message, which the synth cannot take whole: skipped.
        if (status == 0xF0) {
          if (length > 0 && data_[pos + length - 1] == 0xF7) {
            addSysex(trackIndex, tick, eventStart, pos, length);
          } else {
            warn(track, eventStart, "divided sysex (no closing F7 in its packet) skipped");
          }
        }
        pos += length;
      } else if (status == 0xFF) {
        runningStatus = 0;  // meta events cancel running status
        cancelledBy = "a meta event";
        if (pos >= end) {
          warn(track, eventStart, "truncated meta event; rest of the track ignored");
          stopped = true;
          break;
        }
        const uint8_t metaType = data_[pos++];
        otherPoints_.push_back({tick, static_cast<uint32_t>(eventStart), trackIndex});
        uint32_t length = 0;
        if (!readQuantity(track, eventStart, pos, end, length, "meta length")) {
          stopped = true;
          break;
        }
        if (length > end - pos) {
          warn(track, eventStart, "truncated meta event (" + std::to_string(length) + " bytes announced, " +
                                      std::to_string(end - pos) + " present); rest of the track ignored");
          stopped = true;
          break;
        }
        if (metaType == 0x2F) {
          endOfTrack = true;
        } else if (metaType == 0x51) {
          if (length != 3) {
            warn(track, eventStart, "tempo event of length " + std::to_string(length) + " ignored");
          } else if (const uint32_t us = bigEndian(data_ + pos, 3); us == 0) {
            warn(track, eventStart, "tempo of 0 microseconds per quarter ignored");
          } else {
            tempos_.push_back({tick, us});
          }
        } else if (metaType >= 0x01 && metaType <= 0x09) {
          if (metaType == 0x03 && !named) {
            name = textToUtf8(data_ + pos, length);
            named = true;
          }
          MidiText text;
          text.tick = tick;
          text.fileOffset = static_cast<uint32_t>(eventStart);
          text.track = trackIndex;
          text.type = metaType;
          text.text = textToUtf8(data_ + pos, length);
          file_.texts_.push_back(std::move(text));
        }
        pos += length;
      } else {
        // F1-F6 and F8-FE belong on a MIDI cable, not in a file. Skip the byte and the
        // data bytes its message has (as far as they are data bytes) and read on; the
        // running status stays, as a real-time byte would leave it on the cable.
        const size_t expected = systemMessageDataBytes(status);
        size_t skipped = 0;
        while (skipped < expected && pos < end && data_[pos] < 0x80) {
          ++pos;
          ++skipped;
        }
        warn(track, eventStart, "status " + hexByte(status) + " (" + systemMessageName(status) +
                                    ") is not allowed in a MIDI file; skipped" +
                                    (skipped > 0 ? " with its " + std::to_string(skipped) + " data byte" +
                                                       (skipped > 1 ? "s" : "")
                                                 : std::string()));
      }
    }
    if (continuedCount > 0) {
      warn(track, firstContinuedOffset,
           "running status " + hexByte(firstContinuedStatus) + " continued after " + firstCancelledBy +
               " (the spec cancels it there), played as players do" +
               (continuedCount > 1 ? " (" + std::to_string(continuedCount) + " times in this track)" : std::string()));
    }
    if (!endOfTrack && !stopped) warn(track, end, "missing end-of-track");
    endTick_ = std::max(endTick_, tick);
    if (!endOfTrack) otherPoints_.push_back({tick, static_cast<uint32_t>(lastEventStart), trackIndex});
    file_.trackNames_.push_back(std::move(name));
  }

  void addSysex(uint16_t track, uint64_t tick, size_t eventStart, size_t payload, uint32_t length) {
    MidiEvent event;
    event.tick = tick;
    event.fileOffset = static_cast<uint32_t>(eventStart);
    event.track = track;
    event.status = 0xF0;
    event.sysexOffset = static_cast<uint32_t>(file_.sysexData_.size());
    event.sysexLength = length + 1;
    file_.sysexData_.push_back(0xF0);
    file_.sysexData_.insert(file_.sysexData_.end(), data_ + payload, data_ + payload + length);
    file_.events_.push_back(event);
  }

  // One tempo map for every track (format 1 puts it in track 0 by convention, but a tempo
  // change is honoured wherever it is). At equal ticks the last one in file order wins.
  void buildTempoMap() {
    std::stable_sort(tempos_.begin(), tempos_.end(),
                     [](const PendingTempo& a, const PendingTempo& b) { return a.tick < b.tick; });
    std::vector<TempoChange>& map = file_.tempoMap_;
    map.push_back({0, 0.0, kDefaultMicrosecondsPerQuarter});
    for (const PendingTempo& tempo : tempos_) {
      if (tempo.tick == map.back().tick) {
        map.back().microsecondsPerQuarter = tempo.microsecondsPerQuarter;
      } else {
        map.push_back({tempo.tick, 0.0, tempo.microsecondsPerQuarter});
      }
    }
    for (size_t i = 1; i < map.size(); ++i) {
      map[i].time_s = file_.smpteTicksPerSecond_ > 0.0 ? static_cast<double>(map[i].tick) / file_.smpteTicksPerSecond_
                                                     : secondsAfter(map[i - 1], map[i].tick);
    }
  }

  double secondsAfter(const TempoChange& from, uint64_t tick) const {
    return from.time_s + static_cast<double>(tick - from.tick) * from.microsecondsPerQuarter * 1e-6 /
                             file_.ticksPerQuarter_;
  }

  double tickToSeconds(uint64_t tick) const {
    if (file_.smpteTicksPerSecond_ > 0.0) return static_cast<double>(tick) / file_.smpteTicksPerSecond_;
    const std::vector<TempoChange>& map = file_.tempoMap_;
    const auto next = std::upper_bound(map.begin(), map.end(), tick,
                                       [](uint64_t t, const TempoChange& change) { return t < change.tick; });
    return secondsAfter(*(next - 1), tick);  // map[0] is at tick 0, so next > begin
  }

  void placeEventsInTime() {
    std::vector<MidiEvent>& events = file_.events_;
    // Events were gathered track by track in file order, so a stable sort keeps ties in
    // track order, then file order.
    std::stable_sort(events.begin(), events.end(),
                     [](const MidiEvent& a, const MidiEvent& b) { return a.tick < b.tick; });
    for (MidiEvent& event : events) event.time_s = tickToSeconds(event.tick);
    file_.duration_s_ = tickToSeconds(endTick_);
    std::stable_sort(file_.texts_.begin(), file_.texts_.end(),
                     [](const MidiText& a, const MidiText& b) { return a.tick < b.tick; });
    for (MidiText& text : file_.texts_) text.time_s = tickToSeconds(text.tick);
  }

  void collectText() {
    std::vector<size_t> wordsPerTrack(static_cast<size_t>(file_.trackCount_), 0);
    for (const MidiText& text : file_.texts_) {
      if (text.type == 0x06) file_.markers_.push_back(text);
      if (text.type != 0x01) continue;
      if (text.text.rfind("@K", 0) == 0) file_.karaoke_ = true;
      if (text.text.empty() || text.text[0] != '@') ++wordsPerTrack[text.track];
    }
    // Karaoke: the words are the plain text events of the track holding most of them.
    // Otherwise the lyric events are the words.
    const auto wordsTrack = static_cast<uint16_t>(
        std::max_element(wordsPerTrack.begin(), wordsPerTrack.end()) - wordsPerTrack.begin());
    bool lineBreakPending = true;
    bool paragraphPending = true;
    for (const MidiText& text : file_.texts_) {
      const bool word = file_.karaoke_ ? text.type == 0x01 && text.track == wordsTrack &&
                                             (text.text.empty() || text.text[0] != '@')
                                       : text.type == 0x05;
      if (!word) continue;
      std::string syllable = text.text;
      // Leading marks: '\\' new paragraph, '/' new line (.kar); CR/LF a new line.
      size_t begin = 0;
      for (; begin < syllable.size(); ++begin) {
        const char c = syllable[begin];
        if (c == '\\') {
          paragraphPending = lineBreakPending = true;
        } else if (c == '/' || c == '\r' || c == '\n') {
          lineBreakPending = true;
        } else {
          break;
        }
      }
      // Trailing CR/LF: the line ends after this syllable.
      size_t end = syllable.size();
      bool breakAfter = false;
      while (end > begin && (syllable[end - 1] == '\r' || syllable[end - 1] == '\n')) {
        breakAfter = true;
        --end;
      }
      syllable = syllable.substr(begin, end - begin);
      for (char& c : syllable) {
        if (c == '\r' || c == '\n') c = ' ';
      }
      if (!syllable.empty()) {
        MidiLyric lyric;
        lyric.time_s = text.time_s;
        lyric.tick = text.tick;
        lyric.track = text.track;
        lyric.newLine = lineBreakPending;
        lyric.newParagraph = paragraphPending;
        lyric.text = std::move(syllable);
        file_.lyrics_.push_back(std::move(lyric));
        lineBreakPending = paragraphPending = false;
      }
      if (breakAfter) lineBreakPending = true;
    }
  }

  // The longest stretch without any event (meta events and the ends of tracks included)
  // from the start of the song. One longer than kImplausibleGap_s and than the rest of the
  // song together is most likely a damaged delta time. (Real files do end on a minute of
  // silence after a ritardando; hours of it after a short song are a flipped bit.)
  void findLongestGap() {
    std::vector<TimePoint>& points = otherPoints_;
    std::stable_sort(points.begin(), points.end(),
                     [](const TimePoint& a, const TimePoint& b) { return a.tick < b.tick; });
    MidiGap& gap = file_.longestGap_;
    double previous_s = 0.0;
    const std::vector<MidiEvent>& events = file_.events_;
    size_t e = 0, t = 0;
    while (e < events.size() || t < points.size()) {
      const bool takeEvent = t == points.size() || (e < events.size() && events[e].tick <= points[t].tick);
      const double time_s = takeEvent ? events[e].time_s : tickToSeconds(points[t].tick);
      const int track = takeEvent ? events[e].track : points[t].track;
      const uint32_t offset = takeEvent ? events[e].fileOffset : points[t].fileOffset;
      if (takeEvent) {
        ++e;
      } else {
        ++t;
      }
      if (time_s - previous_s > gap.length_s) gap = {previous_s, time_s - previous_s, track, offset};
      previous_s = time_s;
    }
    if (gap.length_s <= MidiFile::kImplausibleGap_s || gap.length_s <= file_.duration_s_ - gap.length_s) return;
    size_t pos = gap.fileOffset;
    uint32_t delta = 0;
    const std::string deltaText = readVarLen(pos, size_, delta) == VarLen::Ok
                                      ? "delta time of " + std::to_string(delta) + " ticks: "
                                      : "";
    warn(gap.track, gap.fileOffset,
         deltaText + "an implausible gap of " + spokenDuration(gap.length_s) + " with no event, from " +
             spokenDuration(gap.start_s) + " into the song (most likely a damaged delta time); the song lasts " +
             spokenDuration(file_.duration_s_));
  }

  const uint8_t* data_;
  size_t size_;
  MidiFile file_;
  uint32_t declaredTracks_ = 0;
  std::vector<PendingTempo> tempos_;
  // Meta events and the ends of tracks without one: events, for finding gaps.
  struct TimePoint {
    uint64_t tick;
    uint32_t fileOffset;
    uint16_t track;
  };
  std::vector<TimePoint> otherPoints_;
  uint64_t endTick_ = 0;  // the latest tick any track reached (end-of-track included)
};

MidiFile MidiFile::loadFromMemory(const uint8_t* data, size_t size, const std::string& name) {
  if (data == nullptr && size != 0) throw std::invalid_argument("MidiFile::loadFromMemory: null data");
  return MidiFileParser(data, size, name).parse();
}

MidiFile MidiFile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw MidiFileError(path, -1, 0, "cannot open the file");
  const std::streamoff size = in.tellg();
  if (size < 0) throw MidiFileError(path, -1, 0, "cannot read the file size");
  if (static_cast<uint64_t>(size) > kMaxFileBytes) {
    throw MidiFileError(path, -1, 0, "file is " + std::to_string(size) + " bytes, more than the " +
                                         std::to_string(kMaxFileBytes) + " a MIDI file may have here");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) throw MidiFileError(path, -1, 0, "cannot read the file");
  return loadFromMemory(bytes.data(), bytes.size(), path);
}

const MidiText* MidiFile::markerAt(double time_s) const noexcept {
  const auto next = std::upper_bound(markers_.begin(), markers_.end(), time_s,
                                     [](double t, const MidiText& marker) { return t < marker.time_s; });
  return next == markers_.begin() ? nullptr : &*(next - 1);
}

std::string MidiFile::lyricLineAt(double time_s, size_t* sungChars) const {
  if (sungChars != nullptr) *sungChars = 0;
  const auto next = std::upper_bound(lyrics_.begin(), lyrics_.end(), time_s,
                                     [](double t, const MidiLyric& lyric) { return t < lyric.time_s; });
  if (next == lyrics_.begin()) return {};
  auto first = next - 1;
  while (first != lyrics_.begin() && !first->newLine) --first;
  std::string line;
  for (auto it = first; it != lyrics_.end() && (it == first || !it->newLine); ++it) {
    line += it->text;
    if (it < next && sungChars != nullptr) *sungChars = line.size();
  }
  return line;
}

double MidiFile::tempoBpmAt(double time_s) const noexcept {  // [audio thread]
  if (tempoMap_.empty()) return 60e6 / kDefaultMicrosecondsPerQuarter;
  const auto next = std::upper_bound(tempoMap_.begin(), tempoMap_.end(), time_s,
                                     [](double t, const TempoChange& change) { return t < change.time_s; });
  const TempoChange& current = next == tempoMap_.begin() ? tempoMap_.front() : *(next - 1);
  return 60e6 / current.microsecondsPerQuarter;
}

// ---------------------------------------------------------------------------------------
// Writer

namespace {

void putVarLen(std::vector<uint8_t>& out, uint64_t value) {
  if (value > 0x0FFFFFFF) throw std::invalid_argument("MidiFileWriter: value too large for a MIDI varint");
  uint8_t groups[4];
  int count = 0;
  do {
    groups[count++] = static_cast<uint8_t>(value & 0x7F);
    value >>= 7;
  } while (value != 0);
  while (count > 1) out.push_back(static_cast<uint8_t>(groups[--count] | 0x80));
  out.push_back(groups[0]);
}

void putBigEndian(std::vector<uint8_t>& out, uint32_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

uint8_t data7(int value, const char* what) {
  if (value < 0 || value > 127) throw std::invalid_argument(std::string("MidiFileWriter: ") + what + " out of 0..127");
  return static_cast<uint8_t>(value);
}

uint8_t channelStatus(int base, int channel) {
  if (channel < 0 || channel > 15) throw std::invalid_argument("MidiFileWriter: channel out of 0..15");
  return static_cast<uint8_t>(base | channel);
}

}  // namespace

int MidiFileWriter::addTrack(const std::string& name) {
  tracks_.push_back(Track{name, {}});
  return static_cast<int>(tracks_.size()) - 1;
}

void MidiFileWriter::tempo(int track, uint64_t tick, double bpm) {
  if (!(bpm > 0.0)) throw std::invalid_argument("MidiFileWriter: tempo must be positive");
  const double usPerQuarter = std::clamp(std::round(60e6 / bpm), 1.0, 16777215.0);
  const auto value = static_cast<uint32_t>(usPerQuarter);
  meta(track, tick, 0x51,
       {static_cast<uint8_t>(value >> 16), static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)});
}

void MidiFileWriter::timeSignature(int track, uint64_t tick, int numerator, int denominator) {
  if (numerator < 1 || numerator > 255) throw std::invalid_argument("MidiFileWriter: bad time-signature numerator");
  int log2Denominator = 0;
  while ((1 << log2Denominator) < denominator && log2Denominator < 8) ++log2Denominator;
  if ((1 << log2Denominator) != denominator) {
    throw std::invalid_argument("MidiFileWriter: time-signature denominator must be a power of two up to 128");
  }
  // 24 MIDI clocks per metronome click, 8 thirty-seconds per quarter: the usual values.
  meta(track, tick, 0x58, {static_cast<uint8_t>(numerator), static_cast<uint8_t>(log2Denominator), 24, 8});
}

void MidiFileWriter::channelMessage(int track, uint64_t tick, uint8_t status, uint8_t data1, uint8_t data2) {
  if (status < 0x80 || status > 0xEF) throw std::invalid_argument("MidiFileWriter: not a channel status byte");
  if (data1 > 127 || data2 > 127) throw std::invalid_argument("MidiFileWriter: data byte out of 0..127");
  const uint8_t type = status & 0xF0;
  if (type == 0xC0 || type == 0xD0) {
    add(track, tick, {status, data1});
  } else {
    add(track, tick, {status, data1, data2});
  }
}

void MidiFileWriter::noteOn(int track, uint64_t tick, int channel, int key, int velocity) {
  channelMessage(track, tick, channelStatus(0x90, channel), data7(key, "key"), data7(velocity, "velocity"));
}

void MidiFileWriter::noteOff(int track, uint64_t tick, int channel, int key) {
  channelMessage(track, tick, channelStatus(0x80, channel), data7(key, "key"), 64);
}

void MidiFileWriter::controlChange(int track, uint64_t tick, int channel, int cc, int value) {
  channelMessage(track, tick, channelStatus(0xB0, channel), data7(cc, "controller"), data7(value, "value"));
}

void MidiFileWriter::programChange(int track, uint64_t tick, int channel, int program) {
  channelMessage(track, tick, channelStatus(0xC0, channel), data7(program, "program"));
}

void MidiFileWriter::pitchBend(int track, uint64_t tick, int channel, int value14) {
  if (value14 < 0 || value14 > 16383) throw std::invalid_argument("MidiFileWriter: pitch bend out of 0..16383");
  channelMessage(track, tick, channelStatus(0xE0, channel), static_cast<uint8_t>(value14 & 0x7F),
                 static_cast<uint8_t>(value14 >> 7));
}

void MidiFileWriter::sysex(int track, uint64_t tick, const std::vector<uint8_t>& bytesWithF0) {
  if (bytesWithF0.size() < 2 || bytesWithF0.front() != 0xF0) {
    throw std::invalid_argument("MidiFileWriter: sysex must start with F0");
  }
  std::vector<uint8_t> bytes{0xF0};
  putVarLen(bytes, bytesWithF0.size() - 1);
  bytes.insert(bytes.end(), bytesWithF0.begin() + 1, bytesWithF0.end());
  add(track, tick, std::move(bytes));
}

void MidiFileWriter::meta(int track, uint64_t tick, uint8_t type, const std::vector<uint8_t>& payload) {
  if (type >= 0x80) throw std::invalid_argument("MidiFileWriter: meta type must be below 0x80");
  if (type == 0x2F) throw std::invalid_argument("MidiFileWriter: end-of-track is written for you");
  std::vector<uint8_t> bytes{0xFF, type};
  putVarLen(bytes, payload.size());
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  add(track, tick, std::move(bytes));
}

void MidiFileWriter::add(int track, uint64_t tick, std::vector<uint8_t> bytes) {
  if (track < 0 || static_cast<size_t>(track) >= tracks_.size()) {
    throw std::out_of_range("MidiFileWriter: no track " + std::to_string(track));
  }
  tracks_[static_cast<size_t>(track)].events.push_back(Raw{tick, order_++, std::move(bytes)});
}

std::vector<uint8_t> MidiFileWriter::toBytes(int format) const {
  if (format < 0 || format > 2) throw std::invalid_argument("MidiFileWriter: format must be 0, 1 or 2");
  if (format == 0 && tracks_.size() != 1) throw std::invalid_argument("MidiFileWriter: format 0 needs exactly one track");
  if (tracks_.empty() || tracks_.size() > 0xFFFF) throw std::invalid_argument("MidiFileWriter: need 1..65535 tracks");
  if (ticksPerQuarter_ < 1 || ticksPerQuarter_ > 0x7FFF) {
    throw std::invalid_argument("MidiFileWriter: ticks per quarter must be in 1..32767");
  }

  std::vector<uint8_t> out{'M', 'T', 'h', 'd'};
  putBigEndian(out, 6, 4);
  putBigEndian(out, static_cast<uint32_t>(format), 2);
  putBigEndian(out, static_cast<uint32_t>(tracks_.size()), 2);
  putBigEndian(out, static_cast<uint32_t>(ticksPerQuarter_), 2);

  for (const Track& track : tracks_) {
    std::vector<const Raw*> sorted;
    sorted.reserve(track.events.size());
    for (const Raw& raw : track.events) sorted.push_back(&raw);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Raw* a, const Raw* b) {
      return a->tick != b->tick ? a->tick < b->tick : a->order < b->order;
    });

    std::vector<uint8_t> body;
    if (!track.name.empty()) {
      body.push_back(0);  // delta time
      body.push_back(0xFF);
      body.push_back(0x03);
      putVarLen(body, track.name.size());
      body.insert(body.end(), track.name.begin(), track.name.end());
    }
    uint64_t previousTick = 0;
    for (const Raw* raw : sorted) {
      putVarLen(body, raw->tick - previousTick);
      previousTick = raw->tick;
      body.insert(body.end(), raw->bytes.begin(), raw->bytes.end());
    }
    body.insert(body.end(), {0x00, 0xFF, 0x2F, 0x00});

    if (body.size() > 0xFFFFFFFFu) throw std::length_error("MidiFileWriter: track too large");
    out.insert(out.end(), {'M', 'T', 'r', 'k'});
    putBigEndian(out, static_cast<uint32_t>(body.size()), 4);
    out.insert(out.end(), body.begin(), body.end());
  }
  return out;
}

void MidiFileWriter::writeFile(const std::string& path, int format) const {
  const std::vector<uint8_t> bytes = toBytes(format);
  writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace awe
