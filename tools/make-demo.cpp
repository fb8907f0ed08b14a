// awe-make-demo: writes the project's own demo song, a General MIDI file of about a
// minute, deterministically (no randomness at all).
//
//   awe-make-demo -o soundfonts/demo.mid
//
// Structure at 112 bpm in C major, 4/4: intro (4 bars), A (8), B (8), A' (6), ending (3)
// with a ritardando and a held final chord. Seven channels: electric piano turning into
// acoustic piano (sustain pedal), fingered bass, a warm pad turning into strings
// (expression swells), a saw lead that switches to alto sax for B (pitch bends,
// modulation wheel), clean guitar off-beats, brass-section stabs in B, and drums on
// channel 10.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/MidiFile.h"

namespace {

constexpr int kTicksPerQuarter = 480;
constexpr double kTempo_bpm = 112;

// Channels (0-based; drums are channel 10, index 9).
constexpr int kPianoChannel = 0, kBassChannel = 1, kPadChannel = 2, kLeadChannel = 3, kGuitarChannel = 4,
              kBrassChannel = 5, kDrumChannel = 9;

// GM programs used.
constexpr int kElectricPiano = 4, kGrandPiano = 0, kFingerBass = 33, kWarmPad = 89, kStrings = 48,
              kSawLead = 81, kAltoSax = 65, kCleanGuitar = 27, kBrassSection = 61;

// GM drum keys.
constexpr int kKick = 36, kSideStick = 37, kSnare = 38, kClosedHat = 42, kPedalHat = 44, kOpenHat = 46,
              kLowTom = 45, kMidTom = 47, kHighTom = 50, kCrash = 49, kRide = 51, kTambourine = 54,
              kCabasa = 69, kFloorTom = 41;

uint64_t tickAt(int bar, double beat) {
  return static_cast<uint64_t>(std::lround((bar * 4.0 + beat) * kTicksPerQuarter));
}

// A chord: left-hand/bass root, a four-note keyboard voicing (root in the bass).
struct Chord {
  int root;                  // bass note (MIDI key)
  std::vector<int> voicing;  // keyboard voicing, lowest first
};

const Chord kC{36, {48, 64, 67, 72}};
const Chord kAm7{33, {45, 60, 64, 67}};
const Chord kFmaj7{29, {41, 57, 60, 64}};
const Chord kG{31, {43, 59, 62, 67}};
const Chord kDm7{38, {38, 57, 60, 65}};
const Chord kG7{31, {43, 59, 62, 65}};
const Chord kG7sus4{31, {43, 60, 62, 65}};
const Chord kEm7{40, {40, 55, 59, 62}};
const Chord kCmaj7{36, {48, 59, 64, 67}};
const Chord kE7sus4{40, {40, 57, 59, 62}};
const Chord kE7{40, {40, 56, 59, 62}};

enum class Section { Intro, A, B, APrime, Ending };

// One bar: the chord for beats 1-2 and for beats 3-4 (the same unless the harmony moves).
struct Bar {
  Section section;
  Chord first, second;
};

std::vector<Bar> songPlan() {
  std::vector<Bar> bars;
  auto add = [&bars](Section s, const Chord& c1, const Chord& c2) { bars.push_back({s, c1, c2}); };
  for (const Chord& c : {kAm7, kFmaj7, kAm7, kG}) add(Section::Intro, c, c);
  for (const Chord& c : {kC, kAm7, kFmaj7, kG, kC, kAm7, kDm7, kG7}) add(Section::A, c, c);
  for (const Chord& c : {kFmaj7, kEm7, kDm7, kCmaj7, kFmaj7, kEm7, kDm7}) add(Section::B, c, c);
  add(Section::B, kE7sus4, kE7);
  for (const Chord& c : {kAm7, kFmaj7, kC, kG, kAm7, kFmaj7}) add(Section::APrime, c, c);
  add(Section::Ending, kDm7, kDm7);
  add(Section::Ending, kG7sus4, kG7);
  add(Section::Ending, kC, kC);
  return bars;
}

// A melody note: start beat within the bar, length in beats, key (0 = rest).
struct Note {
  double beat, length;
  int key;
};

// The lead line, bar by bar (empty bars rest).
std::vector<std::vector<Note>> leadLine() {
  return {
      // Intro: the lead waits.
      {}, {}, {}, {},
      // A: C | Am7 | Fmaj7 | G | C | Am7 | Dm7 | G7
      {{0, 1, 67}, {1, 1, 72}, {2, 1.5, 76}, {3.5, 0.5, 74}},
      {{0, 1.5, 72}, {1.5, 0.5, 69}, {2, 1, 72}, {3, 1, 76}},
      {{0, 1.5, 77}, {1.5, 0.5, 76}, {2, 1, 72}, {3, 1, 69}},
      {{0, 1, 71}, {1, 1, 74}, {2, 2, 79}},
      {{0, 1, 79}, {1, 0.5, 76}, {1.5, 0.5, 79}, {2, 1.5, 84}, {3.5, 0.5, 83}},
      {{0, 1, 81}, {1, 1, 79}, {2, 1, 76}, {3, 1, 72}},
      {{0, 1, 74}, {1, 1, 77}, {2, 1, 81}, {3, 0.5, 84}, {3.5, 0.5, 81}},
      {{0, 1.5, 83}, {1.5, 0.5, 81}, {2, 2, 79}},
      // B (alto sax): Fmaj7 | Em7 | Dm7 | Cmaj7 | Fmaj7 | Em7 | Dm7 | E7sus4 E7
      {{0, 2, 69}, {2, 2, 72}},
      {{0, 3, 71}, {3, 1, 67}},
      {{0, 2, 69}, {2, 1, 65}, {3, 1, 69}},
      {{0, 4, 67}},
      {{0, 1, 69}, {1, 1, 72}, {2, 2, 77}},
      {{0, 1.5, 76}, {1.5, 0.5, 74}, {2, 2, 71}},
      {{0, 1, 72}, {1, 1, 69}, {2, 1, 65}, {3, 1, 62}},
      {{0, 2, 64}, {2, 2, 68}},
      // A': Am7 | Fmaj7 | C | G | Am7 | Fmaj7
      {{0, 1, 76}, {1, 1, 81}, {2, 1.5, 84}, {3.5, 0.5, 83}},
      {{0, 1.5, 81}, {1.5, 0.5, 79}, {2, 1, 77}, {3, 1, 76}},
      {{0, 1, 79}, {1, 0.5, 76}, {1.5, 0.5, 79}, {2, 2, 84}},
      {{0, 1, 83}, {1, 1, 81}, {2, 1, 79}, {3, 1, 74}},
      {{0, 1, 84}, {1, 0.5, 83}, {1.5, 0.5, 81}, {2, 2, 76}},
      {{0, 1, 77}, {1, 1, 81}, {2, 1, 84}, {3, 1, 81}},
      // Ending: Dm7 | G7sus4 G7 | C
      {{0, 2, 86}, {2, 1, 84}, {3, 1, 81}},
      {{0, 2, 84}, {2, 2, 83}},
      {{0, 4, 84}},
  };
}

class DemoWriter {
 public:
  DemoWriter() : bars_(songPlan()), lead_(leadLine()) {
    conductor_ = midi_.addTrack("awe demo");
    drums_ = midi_.addTrack("Drums");
    bass_ = midi_.addTrack("Bass");
    piano_ = midi_.addTrack("Piano");
    pad_ = midi_.addTrack("Pad / Strings");
    leadTrack_ = midi_.addTrack("Lead");
    guitar_ = midi_.addTrack("Guitar");
    brass_ = midi_.addTrack("Brass");
  }

  awe::MidiFileWriter& write() {
    conductor();
    setup();
    drums();
    bass();
    piano();
    pad();
    lead();
    guitar();
    brass();
    return midi_;
  }

 private:
  int barCount() const { return static_cast<int>(bars_.size()); }
  int firstBarOf(Section s) const {
    for (int i = 0; i < barCount(); ++i)
      if (bars_[static_cast<size_t>(i)].section == s) return i;
    return 0;
  }
  const Bar& bar(int i) const { return bars_[static_cast<size_t>(i)]; }
  const Chord& chordAt(int b, double beat) const { return beat < 2 ? bar(b).first : bar(b).second; }

  void note(int track, int channel, int b, double beat, double length, int key, int velocity) {
    const uint64_t on = tickAt(b, beat);
    // Ends a hair early so a repeated key's next note-on never meets its own note-off.
    const uint64_t off = std::max(on + 1, tickAt(b, beat + length) - 2);
    midi_.noteOn(track, on, channel, key, std::clamp(velocity, 1, 127));
    midi_.noteOff(track, off, channel, key);
  }

  void conductor() {
    midi_.meta(conductor_, 0, 0x01, text("Demo song of the awe project, generated by awe-make-demo"));
    midi_.timeSignature(conductor_, 0, 4, 4);
    midi_.tempo(conductor_, 0, kTempo_bpm);
    // Ritardando over the last two bars, the final chord held a little longer.
    const int ending = barCount() - 2;
    const double steps[] = {108, 104, 100, 96, 90, 84, 78, 72};
    for (int i = 0; i < 8; ++i) midi_.tempo(conductor_, tickAt(ending, i * 0.5), steps[i]);
    midi_.tempo(conductor_, tickAt(barCount() - 1, 0), 66);
    midi_.meta(conductor_, tickAt(firstBarOf(Section::A), 0), 0x06, text("A"));
    midi_.meta(conductor_, tickAt(firstBarOf(Section::B), 0), 0x06, text("B"));
    midi_.meta(conductor_, tickAt(firstBarOf(Section::APrime), 0), 0x06, text("A'"));
    midi_.meta(conductor_, tickAt(firstBarOf(Section::Ending), 0), 0x06, text("Ending"));
  }

  static std::vector<uint8_t> text(const std::string& s) { return {s.begin(), s.end()}; }

  // GM System On, then programs, volume, pan, reverb and chorus per channel.
  void setup() {
    midi_.sysex(conductor_, 0, {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7});
    struct ChannelSetup {
      int track, channel, program, volume, pan, reverb, chorus;
    };
    const ChannelSetup setups[] = {
        {piano_, kPianoChannel, kElectricPiano, 90, 54, 50, 30},
        {bass_, kBassChannel, kFingerBass, 108, 64, 20, 0},
        {pad_, kPadChannel, kWarmPad, 88, 64, 70, 30},
        {leadTrack_, kLeadChannel, kSawLead, 108, 70, 50, 10},
        {guitar_, kGuitarChannel, kCleanGuitar, 88, 36, 40, 20},
        {brass_, kBrassChannel, kBrassSection, 90, 88, 50, 0},
        {drums_, kDrumChannel, 0, 92, 64, 40, 0},
    };
    for (const ChannelSetup& s : setups) {
      const uint64_t t = 10;  // just after the GM reset
      midi_.programChange(s.track, t, s.channel, s.program);
      midi_.controlChange(s.track, t, s.channel, 7, s.volume);
      midi_.controlChange(s.track, t, s.channel, 10, s.pan);
      midi_.controlChange(s.track, t, s.channel, 11, 127);
      midi_.controlChange(s.track, t, s.channel, 91, s.reverb);
      midi_.controlChange(s.track, t, s.channel, 93, s.chorus);
    }
  }

  void drums() {
    const int t = drums_, ch = kDrumChannel;
    for (int b = 0; b < barCount(); ++b) {
      const Section s = bar(b).section;
      const bool lastOfSection = b + 1 < barCount() && bar(b + 1).section != s;
      if (b > 0 && bar(b - 1).section != s) note(t, ch, b, 0, 1, kCrash, 112);
      switch (s) {
        case Section::Intro:
          for (int e = 0; e < 8; ++e) note(t, ch, b, e * 0.5, 0.25, kClosedHat, e % 2 == 0 ? 72 : 50);
          if (b >= 2) {
            note(t, ch, b, 0, 0.5, kKick, 100);
            note(t, ch, b, 2, 0.5, kKick, 92);
            note(t, ch, b, 1, 0.5, kSideStick, 80);
            note(t, ch, b, 3, 0.5, kSideStick, 84);
          }
          if (lastOfSection) {  // fill into A
            note(t, ch, b, 3, 0.25, kSnare, 90);
            note(t, ch, b, 3.25, 0.25, kHighTom, 96);
            note(t, ch, b, 3.5, 0.25, kMidTom, 100);
            note(t, ch, b, 3.75, 0.25, kLowTom, 106);
          }
          break;
        case Section::A:
        case Section::APrime:
          groove(b, lastOfSection, false, s == Section::APrime);
          break;
        case Section::B:
          groove(b, lastOfSection, true, false);
          break;
        case Section::Ending:
          if (b + 1 < barCount()) {
            groove(b, false, false, false);
            if (b + 2 == barCount()) {  // a snare roll into the last chord
              for (int i = 0; i < 8; ++i) note(t, ch, b, 2 + i * 0.25, 0.25, kSnare, 70 + i * 6);
            }
          } else {
            note(t, ch, b, 0, 4, kCrash, 120);
            note(t, ch, b, 0, 1, kKick, 118);
            note(t, ch, b, 0, 1, kFloorTom, 100);
          }
          break;
      }
    }
  }

  // The main beat: kick on 1, 2& and 3, snare on 2 and 4, hats (or ride in B) in eighths.
  void groove(int b, bool fill, bool ride, bool shaker) {
    const int t = drums_, ch = kDrumChannel;
    note(t, ch, b, 0, 0.5, kKick, 112);
    note(t, ch, b, 1.5, 0.5, kKick, 90);
    note(t, ch, b, 2, 0.5, kKick, 104);
    note(t, ch, b, 1, 0.5, kSnare, 106);
    if (!fill) note(t, ch, b, 3, 0.5, kSnare, 110);
    for (int e = 0; e < 8; ++e) {
      const int accent = e % 2 == 0 ? 84 : 60;
      if (ride) {
        note(t, ch, b, e * 0.5, 0.5, kRide, accent);
      } else if (e == 7 && !fill) {
        note(t, ch, b, e * 0.5, 0.5, kOpenHat, 74);
      } else {
        note(t, ch, b, e * 0.5, 0.25, kClosedHat, accent);
      }
    }
    if (ride) {
      note(t, ch, b, 1, 0.5, kTambourine, 70);
      note(t, ch, b, 3, 0.5, kTambourine, 74);
      note(t, ch, b, 0, 0.25, kPedalHat, 60);
      note(t, ch, b, 2, 0.25, kPedalHat, 60);
    }
    if (shaker)
      for (int i = 0; i < 16; ++i) note(t, ch, b, i * 0.25, 0.25, kCabasa, i % 4 == 0 ? 70 : 48);
    if (fill) {  // sixteenth-note tom run down the kit on beat 4
      const int toms[] = {kSnare, kHighTom, kHighTom, kMidTom, kMidTom, kLowTom, kLowTom, kFloorTom};
      for (int i = 0; i < 8; ++i) note(t, ch, b, 3 + i * 0.125, 0.125, toms[i], 84 + i * 4);
    }
  }

  void bass() {
    const int t = bass_, ch = kBassChannel;
    for (int b = 2; b < barCount(); ++b) {
      const Section s = bar(b).section;
      if (b + 1 == barCount()) {  // final note
        note(t, ch, b, 0, 4, bar(b).first.root, 110);
        break;
      }
      const int root1 = bar(b).first.root, root2 = bar(b).second.root;
      const int next = bar(b + 1).first.root;
      if (s == Section::Intro) {
        note(t, ch, b, 0, 1.5, root1, 100);
        note(t, ch, b, 1.5, 2, root1, 90);
        note(t, ch, b, 3.5, 0.5, root1 + 7, 84);
        continue;
      }
      note(t, ch, b, 0, 0.9, root1, 110);
      note(t, ch, b, 1.5, 0.45, root1, 92);
      note(t, ch, b, 2, 0.9, root2 + 7, 100);
      note(t, ch, b, 3, 0.45, root2 + 12, 96);
      // Approach the next root from a step below or above.
      const int approach = next > root2 ? next - 1 : next + 2;
      note(t, ch, b, 3.5, 0.45, approach, 88);
    }
  }

  void piano() {
    const int t = piano_, ch = kPianoChannel;
    midi_.programChange(t, tickAt(firstBarOf(Section::A), 0) - 10, ch, kGrandPiano);
    for (int b = 0; b < barCount(); ++b) {
      const Section s = bar(b).section;
      // Sustain pedal: down just after each chord, up just before the next (legato pedalling).
      midi_.controlChange(t, tickAt(b, 0) + 20, ch, 64, 127);
      midi_.controlChange(t, tickAt(b, 2) - 8, ch, 64, 0);
      midi_.controlChange(t, tickAt(b, 2) + 20, ch, 64, 127);
      midi_.controlChange(t, b + 1 < barCount() ? tickAt(b + 1, 0) - 8 : tickAt(b, 6), ch, 64, 0);
      if (b + 1 == barCount()) {
        for (int key : bar(b).first.voicing) note(t, ch, b, 0, 4, key, 90);
        note(t, ch, b, 0, 4, bar(b).first.voicing.front() - 12, 84);
        break;
      }
      if (s == Section::Intro) {  // electric piano: whole-bar chords with a pickup
        for (int key : bar(b).first.voicing) note(t, ch, b, 0, 3.5, key, 76);
        note(t, ch, b, 3.5, 0.5, bar(b).first.voicing.back() + 2, 60);
        continue;
      }
      // Piano comping: chord on 1, the upper notes on 2& and 3&, chord again on 3.
      for (int half = 0; half < 2; ++half) {
        const Chord& c = half == 0 ? bar(b).first : bar(b).second;
        const double at = half * 2.0;
        const int accent = s == Section::B ? 78 : 86;
        note(t, ch, b, at, 1.5, c.voicing[0], accent - 6);
        for (size_t i = 1; i < c.voicing.size(); ++i) note(t, ch, b, at, 1, c.voicing[i], accent);
        for (size_t i = 1; i < c.voicing.size(); ++i) note(t, ch, b, at + 1.5, 0.5, c.voicing[i] + 12, accent - 18);
      }
    }
  }

  void pad() {
    const int t = pad_, ch = kPadChannel;
    const int bStart = firstBarOf(Section::B);
    // The pad fades in over the intro.
    for (int i = 0; i <= 16; ++i) midi_.controlChange(t, tickAt(0, i * 0.5), ch, 11, 40 + i * 5);
    midi_.programChange(t, tickAt(bStart, 0) - 10, ch, kStrings);
    for (int b = 0; b < barCount(); ++b) {
      const Section s = bar(b).section;
      const bool strings = b >= bStart;
      // Strings sit an octave above the pad; both drop the bass note of the voicing.
      for (int half = 0; half < 2; ++half) {
        const Chord& c = half == 0 ? bar(b).first : bar(b).second;
        if (half == 1 && bar(b).second.voicing == bar(b).first.voicing) break;
        const double length = half == 0 && bar(b).second.voicing != bar(b).first.voicing ? 2 : 4;
        for (size_t i = 1; i < c.voicing.size(); ++i)
          note(t, ch, b, half * 2.0, b + 1 == barCount() ? 6 : length, c.voicing[i] + (strings ? 12 : 0),
               s == Section::B ? 84 : 72);
      }
      // Expression: a swell in the second half of B, a steady level elsewhere.
      if (s == Section::B && b >= bStart + 4) {
        for (int i = 0; i < 8; ++i)
          midi_.controlChange(t, tickAt(b, i * 0.5), ch, 11, 80 + (b - bStart - 4) * 10 + i * 1);
      } else if (strings) {
        midi_.controlChange(t, tickAt(b, 0), ch, 11, s == Section::B ? 80 : 96);
      }
    }
  }

  // Pitch-bend scoop into a note: from `semitones` below (bend range ±2) back to centre.
  void scoop(int b, double beat, double semitones) {
    const int t = leadTrack_, ch = kLeadChannel;
    const int steps = 8;
    for (int i = 0; i <= steps; ++i) {
      const double amount = semitones * (1.0 - static_cast<double>(i) / steps);
      const int value = std::clamp(8192 - static_cast<int>(std::lround(amount / 2.0 * 8192)), 0, 16383);
      const uint64_t at = tickAt(b, beat) + static_cast<uint64_t>(i * kTicksPerQuarter / 4 / steps);
      midi_.pitchBend(t, i == 0 ? at - 1 : at, ch, value);
    }
  }

  // Modulation wheel: vibrato growing over a held note and gone before the next.
  void vibrato(int b, double beat, double length) {
    const int t = leadTrack_, ch = kLeadChannel;
    for (int i = 0; i <= 6; ++i) midi_.controlChange(t, tickAt(b, beat + length * (0.3 + 0.1 * i)), ch, 1, i * 14);
    midi_.controlChange(t, tickAt(b, beat + length) - 4, ch, 1, 0);
  }

  void lead() {
    const int t = leadTrack_, ch = kLeadChannel;
    const int bStart = firstBarOf(Section::B), aPrime = firstBarOf(Section::APrime);
    midi_.programChange(t, tickAt(bStart, 0) - 20, ch, kAltoSax);
    midi_.programChange(t, tickAt(aPrime, 0) - 20, ch, kSawLead);
    // Bend range: RPN 0 = 2 semitones (the GM default, stated so every synth agrees).
    const int rpn[][2] = {{101, 0}, {100, 0}, {6, 2}, {38, 0}, {101, 127}, {100, 127}};
    for (const auto& cc : rpn) midi_.controlChange(t, 20, ch, cc[0], cc[1]);
    for (int b = 0; b < barCount() && static_cast<size_t>(b) < lead_.size(); ++b) {
      for (const Note& n : lead_[static_cast<size_t>(b)]) {
        const int velocity = 92 + (n.beat == 0 ? 8 : 0) - (n.length < 1 ? 6 : 0);
        note(t, ch, b, n.beat, n.length, n.key, velocity);
        if (n.length >= 2) vibrato(b, n.beat, n.length);
      }
    }
    scoop(firstBarOf(Section::A) + 3, 2, 2);  // into the G of bar A4
    scoop(bStart + 3, 0, 2);                  // the sax slides up to its long G in B4
    scoop(barCount() - 1, 0, 1);              // a last little lift into the final C
  }

  void guitar() {
    const int t = guitar_, ch = kGuitarChannel;
    for (int b = 0; b < barCount(); ++b) {
      const Section s = bar(b).section;
      if (s != Section::A && s != Section::APrime) continue;
      for (double beat : {0.5, 1.5, 2.5, 3.5}) {
        const Chord& c = chordAt(b, beat);
        for (size_t i = 1; i < c.voicing.size(); ++i) note(t, ch, b, beat, 0.3, c.voicing[i] + 12, 70);
      }
    }
  }

  void brass() {
    const int t = brass_, ch = kBrassChannel;
    const int bStart = firstBarOf(Section::B);
    for (int b = bStart; b < bStart + 8; ++b) {
      if ((b - bStart) % 2 == 1 && b != bStart + 7) continue;
      for (double beat : {0.0, 2.5}) {
        const Chord& c = chordAt(b, beat);
        for (size_t i = 1; i < c.voicing.size(); ++i) note(t, ch, b, beat, beat == 0 ? 1 : 0.5, c.voicing[i], 96);
      }
    }
    // And one fat chord on the last bar.
    const int last = barCount() - 1;
    for (int key : bar(last).first.voicing) note(t, ch, last, 0, 4, key + 12, 88);
  }

  std::vector<Bar> bars_;
  std::vector<std::vector<Note>> lead_;
  awe::MidiFileWriter midi_{kTicksPerQuarter};
  int conductor_ = 0, drums_ = 0, bass_ = 0, piano_ = 0, pad_ = 0, leadTrack_ = 0, guitar_ = 0, brass_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write awe's demo song (a General MIDI file)"};
  std::string output = "soundfonts/demo.mid";
  app.add_option("-o,--output", output, "MIDI file to write");
  CLI11_PARSE(app, argc, argv);
  try {
    DemoWriter demo;
    demo.write().writeFile(output, 1);
    const awe::MidiFile check = awe::MidiFile::load(output);
    fmt::print("wrote {}: {} tracks, {} events, {:.1f} s\n", output, check.trackCount(), check.events().size(),
               check.duration_s());
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-make-demo: {}\n", e.what());
    return 1;
  }
  return 0;
}
