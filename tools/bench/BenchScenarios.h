#pragma once
// awe-bench's built-in scenarios: stress songs made in memory (no files needed) and the
// voice holder that keeps N voices sounding for the sustained scenario and the ramp.
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/MidiFile.h"

namespace awe {
class Engine;
}

namespace awe::bench {

// General MIDI programs whose notes sound for as long as they are held (organs, strings,
// choirs, brass, reeds, leads, pads): checked on awe-gm, TimGM6mb and FluidR3_GM. The holder puts
// one on each melodic channel.
extern const std::array<uint8_t, 15> kSustainedPrograms;
// The fifteen channels that are not the General MIDI drum channel.
extern const std::array<uint8_t, 15> kMelodicChannels;

// All songs use 1 ms ticks (1000 ticks per quarter at 60 bpm) and loop cleanly: every note
// ends before the song does.
//
// Silence, `length_s` long: no note, no message, so every buffer is an idle one (no voice,
// effects gated): what the engine costs when nothing plays.
std::shared_ptr<const MidiFile> makeIdleSong(double length_s = 10.0);
// Note storm, `length_s` long: a burst of 16 notes every 25 ms on random channels (drums
// included), keys, velocities and lengths (20-600 ms) from a fixed seed: 640 note-ons a
// second, far beyond 32 voices, so it steals all the time.
std::shared_ptr<const MidiFile> makeStormSong(double length_s = 10.0);
// Controller and pitch-bend sweeps on every channel: two held notes per channel (drum hits
// every 250 ms on channel 10) under a message every 2 ms per channel, cycling through
// pitch bend (range 12 semitones), modulation, brightness, resonance, expression, pan,
// reverb and chorus sends, channel pressure: 8,000 messages a second.
std::shared_ptr<const MidiFile> makeSweepSong(double length_s = 4.0);
// The soak cycle, 32 s: chords with drums, arpeggios under sweeps, a storm with program
// changes walking the whole General MIDI set, then sparse notes and two seconds of silence.
std::shared_ptr<const MidiFile> makeSoakSong();

// Note-on counts of a song (velocity > 0), for quick sanity output.
uint64_t countNoteOns(const MidiFile& song);

// Keeps `target` voices sounding through the engine's live MIDI input: sets up the
// channels (programs from kSustainedPrograms), then tops up with note-ons (channels in
// turn, keys spread over 36..95, never released) whenever fewer voices sound. The cap on
// note-ons per call keeps the fill gentle when that matters (real-time pace).
class VoiceHolder {
 public:
  explicit VoiceHolder(int target) : target_(target) {}
  int target() const { return target_; }
  // [control thread] Channel set-up messages (bank, program, volume, expression, pan).
  void setUpChannels(Engine& engine);
  // [control thread] Sends note-ons for what is missing below `target()`, or below the
  // synth's polyphony limit when that is lower (the adaptive policy lowers it). The other
  // numbers come from the engine's status. Returns the note-ons sent.
  int topUp(Engine& engine, int activeVoices, int polyphonyLimit, uint64_t notesReceived, uint64_t voicesStarted,
            int maxNotes);
  uint64_t notesSent() const { return notesSent_; }
  uint64_t notesDropped() const { return notesDropped_; }  // the live queue was full
  uint64_t otherDropped() const { return otherDropped_; }

 private:
  int target_;
  uint64_t next_ = 0;
  uint64_t notesSent_ = 0;
  uint64_t notesDropped_ = 0;
  uint64_t otherDropped_ = 0;
};

}  // namespace awe::bench
