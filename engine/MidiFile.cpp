#include "engine/MidiFile.h"

#include <algorithm>
#include <cmath>
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
  if (format != 0 && format != 1) throw std::invalid_argument("MidiFileWriter: format must be 0 or 1");
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
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("MidiFileWriter: cannot create " + path);
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file) throw std::runtime_error("MidiFileWriter: cannot write " + path);
}

}  // namespace awe
