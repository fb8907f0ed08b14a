// System exclusive and channel-mode messages in a MIDI file reach the synth through the
// reader, the sequencer and the offline render: a song written here with MTS tuning, a GS
// drum part change, mono mode and portamento, measured in the rendered audio.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <vector>

#include "emu8000/Synth.h"
#include "engine/MidiFile.h"
#include "engine/OfflineRender.h"
#include "engine/Sequencer.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;

// Bank 0: a looped 440 Hz-at-key-69 sine; bank 128: looped noise.
std::shared_ptr<const Bank> sineAndNoiseBank() {
  const SampleSpec sine = sine440Sample();
  const SampleSpec noise = noiseSample(3);
  RegionSpec sineRegion;
  sineRegion.gens[Gen::SampleModes] = 1;
  sineRegion.gens[Gen::ReleaseVolEnv] = -6000;
  RegionSpec noiseRegion = sineRegion;
  noiseRegion.sample = 1;
  return makeBank({sine, noise}, {PresetSpec{"sine", 0, 0, {sineRegion}}, PresetSpec{"noise", kDrumBank, 0, {noiseRegion}}});
}

size_t at(double seconds) { return static_cast<size_t>(seconds * kRate); }

}  // namespace

TEST_CASE("sysex, mono mode and portamento in a MIDI file are played", "[engine][sysex][file]") {
  // 120 bpm, 480 ticks a quarter: 960 ticks a second.
  MidiFileWriter w(480);
  const int t = w.addTrack("sysex");
  w.tempo(t, 0, 120.0);
  w.sysex(t, 0, {0xF0, 0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7});  // GS reset
  // 0-1 s: MTS scale/octave tuning (1-byte, channel 1): A +30 cents, then A4.
  std::vector<uint8_t> octave{0xF0, 0x7E, 0x7F, 0x08, 0x08, 0x00, 0x00, 0x01};
  for (int pc = 0; pc < 12; ++pc) octave.push_back(pc == 9 ? 64 + 30 : 64);
  octave.push_back(0xF7);
  w.sysex(t, 10, octave);
  w.noteOn(t, 20, 0, 69, 100);
  w.noteOff(t, 900, 0, 69);
  // 1-2 s: channel 3 becomes a drum part (GS 40 13 15 01) and plays noise.
  w.sysex(t, 960, {0xF0, 0x41, 0x10, 0x42, 0x12, 0x40, 0x13, 0x15, 0x01, 0x17, 0xF7});
  w.programChange(t, 970, 2, 0);
  w.noteOn(t, 980, 2, 60, 100);
  w.noteOff(t, 1860, 2, 60);
  // 2-3.1 s: channel 2 in mono mode with portamento (CC5 = 0, CC37 = 100: 100 ms glides):
  // a legato run 57 -> 69 ends on one voice at A4, glided there.
  w.controlChange(t, 1920, 1, 126, 1);
  w.controlChange(t, 1920, 1, 5, 0);
  w.controlChange(t, 1920, 1, 37, 100);
  w.controlChange(t, 1920, 1, 65, 127);
  w.noteOn(t, 1930, 1, 57, 100);
  w.noteOn(t, 2400, 1, 69, 100);  // legato: 57 still down
  w.noteOff(t, 3000, 1, 69);
  w.noteOff(t, 3000, 1, 57);
  const std::vector<uint8_t> bytes = w.toBytes(1);
  auto file = std::make_shared<const MidiFile>(MidiFile::loadFromMemory(bytes.data(), bytes.size(), "sysex.mid"));
  REQUIRE(file->warnings().empty());

  Engine engine(offlineEngineSettings(sf2Settings()));
  engine.setBank(sineAndNoiseBank());
  engine.setSong(file);
  StereoBuffer out;
  renderSong(engine, OfflineRenderSettings{}, [&](const float* l, const float* r, size_t n) {
    out.left.insert(out.left.end(), l, l + n);
    out.right.insert(out.right.end(), r, r + n);
  });
  REQUIRE(out.size() > at(3.05));

  const double tuned = centsBetween(frequencyHz(out.left, at(0.2), at(0.8), kRate), 440.0);
  CHECK(tuned == Approx(30.0).margin(1.0));
  CHECK(periodicity(out.left, at(1.2), at(1.3)) < 0.3);  // the drum part's noise
  // The legato note at 2.5 s: its glide is over by 2.6 s.
  CHECK(centsBetween(frequencyHz(out.left, at(2.7), at(3.0), kRate), 440.0) == Approx(0.0).margin(1.0));
  // Half-way through the glide (50 ms after 2.5 s) the pitch is 6 semitones under A4.
  CHECK(centsBetween(frequencyHz(out.left, at(2.5 + 0.045), at(2.5 + 0.055), kRate), 440.0) == Approx(-600.0).margin(30.0));
}
