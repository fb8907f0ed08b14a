#include "tools/bench/BenchScenarios.h"

#include <algorithm>
#include <cmath>

#include "engine/Engine.h"

namespace awe::bench {

const std::array<uint8_t, 15> kSustainedPrograms{16, 19, 20, 21, 48, 49, 50, 52, 53, 61, 68, 71, 80, 81, 90};
const std::array<uint8_t, 15> kMelodicChannels{0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15};

namespace {

constexpr int kTicksPerQuarter = 1000;  // at 60 bpm: one tick per millisecond
constexpr int kDrumChannel = 9;

// SplitMix64: the same songs on every platform and standard library.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int range(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1));
  }

 private:
  uint64_t state_;
};

std::shared_ptr<const MidiFile> finish(const MidiFileWriter& writer, const std::string& name) {
  const std::vector<uint8_t> bytes = writer.toBytes(1);
  return std::make_shared<const MidiFile>(MidiFile::loadFromMemory(bytes.data(), bytes.size(), name));
}

// A triangle wave 0..1 with the given period in ticks and phase (0..1).
double triangle(uint64_t tick, double period, double phase) {
  const double x = std::fmod(static_cast<double>(tick) / period + phase, 1.0);
  return x < 0.5 ? 2.0 * x : 2.0 - 2.0 * x;
}

int to7(double unit) { return std::clamp(static_cast<int>(std::lround(unit * 127.0)), 0, 127); }

void setUpChannel(MidiFileWriter& w, int track, uint64_t tick, int channel, int program, int bendRange_semitones) {
  w.controlChange(track, tick, channel, 0, 0);
  if (channel != kDrumChannel) w.programChange(track, tick, channel, program);
  w.controlChange(track, tick, channel, 7, 100);
  w.controlChange(track, tick, channel, 10, 16 + (channel * 97) % 96);  // spread over the stereo field
  if (bendRange_semitones > 0) {
    w.controlChange(track, tick, channel, 101, 0);
    w.controlChange(track, tick, channel, 100, 0);
    w.controlChange(track, tick, channel, 6, bendRange_semitones);
    w.controlChange(track, tick, channel, 38, 0);
    w.controlChange(track, tick, channel, 101, 127);
    w.controlChange(track, tick, channel, 100, 127);
  }
}

void note(MidiFileWriter& w, int track, uint64_t on, uint64_t off, int channel, int key, int velocity) {
  w.noteOn(track, on, channel, key, velocity);
  w.noteOff(track, off, channel, key);
}

// Bursts of random notes in [from, to) ticks; lengths clipped to end before `end`.
void addStorm(MidiFileWriter& w, int track, Random& random, uint64_t from, uint64_t to, uint64_t end) {
  for (uint64_t t = from; t < to; t += 25) {
    for (int n = 0; n < 16; ++n) {
      const int channel = random.range(0, 15);
      const int key = channel == kDrumChannel ? random.range(35, 81) : random.range(28, 99);
      const int velocity = random.range(30, 127);
      const uint64_t on = t + static_cast<uint64_t>(random.range(0, 3));
      const uint64_t off = std::min<uint64_t>(on + static_cast<uint64_t>(random.range(20, 600)), end - 1);
      if (off > on) note(w, track, on, off, channel, key, velocity);
    }
  }
}

}  // namespace

std::shared_ptr<const MidiFile> makeStormSong(double length_s) {
  MidiFileWriter w(kTicksPerQuarter);
  const int track = w.addTrack("awe-bench note storm");
  w.tempo(track, 0, 60.0);
  const auto end = static_cast<uint64_t>(length_s * 1000.0);
  static constexpr int kPrograms[16] = {0, 4, 16, 24, 32, 40, 48, 56, 61, 0, 65, 73, 80, 88, 104, 118};
  for (int c = 0; c < 16; ++c) setUpChannel(w, track, 0, c, kPrograms[c], 0);
  Random random(0x5702u);
  addStorm(w, track, random, 5, end - 5, end);
  w.meta(track, end, 0x01, {'e', 'n', 'd'});  // the loop point: the song is exactly `length_s`
  return finish(w, "note-storm");
}

std::shared_ptr<const MidiFile> makeIdleSong(double length_s) {
  MidiFileWriter w(kTicksPerQuarter);
  const int track = w.addTrack("awe-bench idle");
  w.tempo(track, 0, 60.0);
  w.meta(track, static_cast<uint64_t>(length_s * 1000.0), 0x01, {'e', 'n', 'd'});  // the song's length
  return finish(w, "idle");
}

std::shared_ptr<const MidiFile> makeSweepSong(double length_s) {
  MidiFileWriter w(kTicksPerQuarter);
  const int track = w.addTrack("awe-bench controller sweeps");
  w.tempo(track, 0, 60.0);
  const auto end = static_cast<uint64_t>(length_s * 1000.0);
  for (size_t i = 0; i < kMelodicChannels.size(); ++i) {
    const int c = kMelodicChannels[i];
    setUpChannel(w, track, 0, c, kSustainedPrograms[i], 12);
    const int root = 48 + static_cast<int>(i % 12);
    note(w, track, 1, end - 10, c, root, 90);
    note(w, track, 1, end - 10, c, root + 7, 80);
  }
  setUpChannel(w, track, 0, kDrumChannel, 0, 12);
  for (uint64_t t = 1; t + 100 < end; t += 250) note(w, track, t, t + 100, kDrumChannel, 36 + static_cast<int>(t / 250 % 12), 100);

  // One message every 2 ms per channel; odd channels a millisecond later, so each
  // 1024-frame buffer is split at ~23 offsets.
  for (uint64_t t = 2; t + 12 < end; t += 2) {
    for (int c = 0; c < 16; ++c) {
      const uint64_t tick = t + static_cast<uint64_t>(c & 1);
      const double phase = c / 16.0;
      switch ((t / 2 + static_cast<uint64_t>(c)) % 9) {
        case 0: {
          const double bend = triangle(tick, 1500.0, phase);
          w.pitchBend(track, tick, c, std::clamp(static_cast<int>(std::lround(bend * 16383.0)), 0, 16383));
          break;
        }
        case 1: w.controlChange(track, tick, c, 1, to7(triangle(tick, 2100.0, phase))); break;
        case 2: w.controlChange(track, tick, c, 74, to7(triangle(tick, 900.0, phase))); break;
        case 3: w.controlChange(track, tick, c, 71, to7(triangle(tick, 1300.0, phase))); break;
        case 4: w.controlChange(track, tick, c, 11, 40 + to7(triangle(tick, 700.0, phase)) * 87 / 127); break;
        case 5: w.controlChange(track, tick, c, 10, to7(triangle(tick, 1100.0, phase))); break;
        case 6: w.controlChange(track, tick, c, 91, to7(triangle(tick, 1700.0, phase))); break;
        case 7: w.controlChange(track, tick, c, 93, to7(triangle(tick, 1900.0, phase))); break;
        default:
          w.channelMessage(track, tick, static_cast<uint8_t>(0xD0 | c),
                           static_cast<uint8_t>(to7(triangle(tick, 800.0, phase))));
          break;
      }
    }
  }
  // Back to neutral before the loop wraps (the wrap also resets the controllers).
  for (int c = 0; c < 16; ++c) w.pitchBend(track, end - 5, c, 8192);
  w.meta(track, end, 0x01, {'e', 'n', 'd'});
  return finish(w, "controller-sweeps");
}

std::shared_ptr<const MidiFile> makeSoakSong() {
  MidiFileWriter w(kTicksPerQuarter);
  const int track = w.addTrack("awe-bench soak cycle");
  w.tempo(track, 0, 60.0);
  constexpr uint64_t kEnd = 32000;
  w.sysex(track, 0, {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7});  // GM system on
  static constexpr int kPrograms[16] = {0, 24, 33, 48, 56, 65, 73, 81, 89, 0, 11, 19, 52, 61, 71, 94};
  for (int c = 0; c < 16; ++c) setUpChannel(w, track, 1, c, kPrograms[c], 2);
  Random random(0x50A6u);

  // 0-8 s: a chord per channel each second, drums in eighths.
  for (uint64_t bar = 0; bar < 8; ++bar) {
    const uint64_t t = 10 + bar * 1000;
    for (int c : kMelodicChannels) {
      const int root = 40 + (c * 5 + static_cast<int>(bar) * 7) % 24;
      for (int k : {0, 4, 7}) note(w, track, t, t + 950, c, root + k, 70 + c);
    }
    for (uint64_t e = 0; e < 8; ++e) {
      const uint64_t d = t + e * 125;
      note(w, track, d, d + 60, kDrumChannel, 42, 80);  // closed hi-hat
      if (e % 4 == 0) note(w, track, d, d + 100, kDrumChannel, 36, 110);
      if (e % 4 == 2) note(w, track, d, d + 100, kDrumChannel, 38, 100);
    }
  }
  // 8-16 s: sixteenth-note arpeggios on eight channels under modulation and bends.
  for (uint64_t t = 8000; t < 16000; t += 125) {
    for (int i = 0; i < 8; ++i) {
      const int c = kMelodicChannels[static_cast<size_t>(i)];
      const int key = 48 + i * 3 + static_cast<int>((t / 125 + static_cast<uint64_t>(i)) % 8) * 2;
      note(w, track, t + static_cast<uint64_t>(i), t + static_cast<uint64_t>(i) + 110, c, key, 60 + i * 8);
    }
  }
  for (uint64_t t = 8000; t < 16000; t += 10) {
    const int c = kMelodicChannels[t / 10 % 8];
    w.controlChange(track, t, c, 1, to7(triangle(t, 3000.0, 0.0)));
    w.controlChange(track, t + 5, c, 11, 64 + to7(triangle(t, 2000.0, 0.3)) / 2);
    w.pitchBend(track, t + 3, c, 8192 + static_cast<int>(std::lround((triangle(t, 1000.0, 0.5) - 0.5) * 4000.0)));
  }
  for (int c : kMelodicChannels) w.pitchBend(track, 16000, c, 8192);
  // 16-24 s: a storm; every 250 ms one channel moves on to the next program of the set.
  addStorm(w, track, random, 16000, 24000, 24000);
  for (uint64_t t = 16000, program = 0; t < 24000; t += 250, program = (program + 4) % 128) {
    w.programChange(track, t, kMelodicChannels[t / 250 % kMelodicChannels.size()], static_cast<int>(program));
  }
  for (size_t i = 0; i < 16; ++i) {
    if (static_cast<int>(i) != kDrumChannel) w.programChange(track, 24000, static_cast<int>(i), kPrograms[i]);
  }
  // 24-30 s: a few long notes with the sustain pedal; 30-32 s: silence.
  for (uint64_t t = 24000; t < 29000; t += 1000) {
    const int c = kMelodicChannels[t / 1000 % kMelodicChannels.size()];
    w.controlChange(track, t, c, 64, 127);
    note(w, track, t + 10, t + 400, c, 60 + static_cast<int>(t / 1000 % 12), 90);
    w.controlChange(track, t + 900, c, 64, 0);
  }
  w.meta(track, kEnd, 0x01, {'e', 'n', 'd'});
  return finish(w, "soak-cycle");
}

uint64_t countNoteOns(const MidiFile& song) {
  return static_cast<uint64_t>(std::count_if(song.events().begin(), song.events().end(), [](const MidiEvent& e) {
    return e.type() == 0x90 && e.data2 > 0;
  }));
}

void VoiceHolder::setUpChannels(Engine& engine) {
  for (size_t i = 0; i < kMelodicChannels.size(); ++i) {
    const auto c = static_cast<uint8_t>(kMelodicChannels[i]);
    const uint8_t messages[][3] = {
        {static_cast<uint8_t>(0xB0 | c), 0, 0},
        {static_cast<uint8_t>(0xC0 | c), kSustainedPrograms[i], 0},
        {static_cast<uint8_t>(0xB0 | c), 7, 100},
        {static_cast<uint8_t>(0xB0 | c), 11, 127},
        {static_cast<uint8_t>(0xB0 | c), 10, static_cast<uint8_t>(16 + (c * 97) % 96)},
    };
    for (const auto& m : messages) {
      if (!engine.sendMidi(m[0], m[1], m[2])) ++otherDropped_;
    }
  }
}

int VoiceHolder::topUp(Engine& engine, int activeVoices, int polyphonyLimit, uint64_t notesReceived,
                       uint64_t voicesStarted, int maxNotes) {
  const int target = polyphonyLimit > 0 ? std::min(target_, polyphonyLimit) : target_;
  if (activeVoices >= target || maxNotes <= 0) return 0;
  const int missing = target - activeVoices;
  int notes = 0;
  if (notesReceived == 0) {
    // A first batch to learn how many voices a note starts (layered and stereo presets
    // start several); rounding down afterwards fills from below, so nothing is stolen.
    notes = std::max(1, missing / 8);
  } else {
    const double voicesPerNote =
        std::max(1.0, static_cast<double>(voicesStarted) / static_cast<double>(notesReceived));
    notes = std::max(1, static_cast<int>(std::floor(static_cast<double>(missing) / voicesPerNote)));
  }
  notes = std::min(notes, maxNotes);
  int sent = 0;
  for (int n = 0; n < notes; ++n, ++next_) {
    const size_t lane = static_cast<size_t>(next_ % kMelodicChannels.size());
    const auto channel = kMelodicChannels[lane];
    const auto key = static_cast<uint8_t>(36 + (next_ / kMelodicChannels.size() * 5) % 60);
    if (engine.sendMidi(static_cast<uint8_t>(0x90 | channel), key, 100)) {
      ++notesSent_;
      ++sent;
    } else {
      ++notesDropped_;
      break;  // the queue is full: the next top-up continues
    }
  }
  return sent;
}

}  // namespace awe::bench
