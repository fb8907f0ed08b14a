#pragma once
// Loopback latency measurement, the way a hardware tester does it: note-ons go out on a
// MIDI output of our own wired to a synth's input, the synth's audio comes back into a
// JACK client of our own (JackCapture), each note's onset is found, and its latency is the
// onset's time minus the moment the note was sent.
//
// Identifying the notes: they alternate between two channels (and two keys) and are spaced
// so that each sounds and falls silent before the next. With two captured inputs the
// channels are panned hard left and hard right, so the side an onset appears on says
// which channel played it; matching walks each side in send order, so a lost or doubled
// note shows up as a missed event or a stray onset rather than shifting the rest.
//
// Clock: every time here is monotonicNanoseconds() (steady_clock), the clock the engine
// stamps its MIDI stages with, so a loopback event and the engine's record of the same
// note line up stage by stage. JackCapture.h says how captured frames are put on it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emu8000/Bank.h"
#include "engine/Engine.h"
#include "engine/JackCapture.h"
#include "engine/OnsetDetector.h"

namespace awe {

struct LoopbackSettings {
  std::string midiTarget;                 // MIDI input port to send to: part of its name, or its index
  std::vector<std::string> audioSources;  // the synth's audio outputs to capture: 1, or 2 (left, right)
  std::string clientName = "awe-latency";  // our JACK clients are <name>-send and <name>-capture
  int events = 100;
  double interval_s = 0.25;    // between note-ons, plus a random fraction of one JACK period
  double noteLength_s = 0.05;  // note-on to note-off
  uint8_t channels[2] = {0, 1};
  uint8_t keys[2] = {60, 67};
  uint8_t velocity = 127;
  int program = -1;  // when 0..127, a program change on both channels before the first note
  OnsetDetectorSettings detector;
  double settle_s = 0.5;  // quiet before the first note and after the last
  uint32_t seed = 1;      // of the send-time dither
};

struct LoopbackEvent {
  int index = 0;
  uint8_t channel = 0;
  uint8_t key = 0;
  uint32_t input = 0;       // the capture input its onset is expected on
  int64_t sent_ns = 0;      // taken just before MidiOutput::send()
  int64_t sendBegan_ns = 0;  // just before MidiOutput::send(), even when the send stalled:
                             // nothing that arrived earlier can be this note
  bool detected = false;
  uint64_t onsetFrame = 0;  // JACK frame time of the onset's first sample
  int64_t onset_ns = 0;     // when that sample passed through the JACK graph
  int64_t converter_ns = 0; // the same at the converter: onset_ns + LoopbackResult::converterShift_ns
  // Set by attachEngineRecords() when the synth is our own engine.
  bool hasEngineRecord = false;
  MidiEventRecord engine;

  int64_t latency_ns() const { return converter_ns - sent_ns; }     // the true MIDI-to-sound latency
  int64_t graphLatency_ns() const { return onset_ns - sent_ns; }   // the same, up to the JACK graph
};

struct LoopbackResult {
  std::vector<LoopbackEvent> events;  // in send order
  std::size_t detected = 0;
  std::size_t strayOnsets = 0;  // onsets that no note accounts for
  double sampleRate = 0.0;
  uint32_t bufferFrames = 0;
  std::vector<std::string> sources;  // the captured output ports
  // From the JACK graph to the converter: + the playback latency JACK reports for a
  // software output port (its audio reaches the DAC that much later), - the capture
  // latency of a physical capture port (the sound was at the ADC that much earlier).
  int64_t converterShift_frames = 0;
  int64_t converterShift_ns = 0;
  std::string converterShiftSource;  // which JACK latency that was, for the report
  uint64_t captureXruns = 0;
  uint64_t onsetDrops = 0;
};

struct LoopbackProgress {
  int sent = 0;
  int total = 0;
  std::size_t onsets = 0;  // heard so far
};

// [control thread] Runs one measurement: opens the MIDI output and the capture client,
// sends, waits for the last note to fall silent, matches onsets to notes. `tick`, when
// given, is called on this thread about every 10 ms while it runs (a live view, draining
// an engine's event log); when it returns false no more notes are sent and the result
// holds the ones that were. Throws std::runtime_error for ports that cannot be opened or
// connected, std::invalid_argument for settings that cannot work.
LoopbackResult runLoopback(const LoopbackSettings& settings,
                           const std::function<bool(const LoopbackProgress&)>& tick = {});

// Matches onsets to events (send times, expected inputs set): each input's onsets are
// taken in order; an event gets the first unused onset on its input at or after its send
// and before the next send on that input (one second at most for the last). Fills
// detected, onsetFrame, onset_ns and converter_ns; returns the number of stray onsets.
std::size_t matchOnsets(std::vector<LoopbackEvent>& events, std::vector<CapturedOnset> onsets,
                        int64_t converterShift_ns);

// Pairs each event with the engine's record of the same note-on: the first unused note-on
// record with the event's channel and key that arrived after the event was sent and before
// the next event was (records and events are both in time order). A note lost on the way
// leaves its event unpaired and the rest paired. Returns the number paired.
std::size_t attachEngineRecords(std::vector<LoopbackEvent>& events, const std::vector<MidiEventRecord>& records);

// A bank whose one preset (bank 0, program 0) starts as sharply as SF2 allows: a looped
// 1 kHz square wave with the minimum volume-envelope delay and attack (-12000 timecents,
// 43 samples each at 44.1 kHz) and a 30 ms release. Its first non-zero sample comes
// exactly the delay after the note's sample, which makes it the reference for measuring
// the engine itself rather than a bank's attack.
std::shared_ptr<const Bank> makeClickBank();

}  // namespace awe
