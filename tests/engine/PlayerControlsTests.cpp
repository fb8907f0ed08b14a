// The player's controls through the engine's command queue, measured from the audio:
// master gain in dB, transpose in cents, tempo as the song's length in samples, the
// per-channel overrides; and the command path itself: a UI thread sending every control
// while the audio thread plays, with the allocation trap in abort mode (and under TSan in
// the TSan build, which runs these tests).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <thread>

#include "engine/Engine.h"
#include "engine/OfflineRender.h"
#include "engine/MidiFile.h"
#include "monitor/AllocationTrap.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
constexpr uint32_t kFrames = 1024;

// Program 0: a looped sine of exactly 100 samples per period at key 60 (441 Hz), held at
// full level. Program 1: the same at 50 samples (882 Hz). Drums: program 0 of bank 128.
std::shared_ptr<const Bank> controlsTestBank() {
  SampleSpec low;
  low.data = sineCycles(100.0, 40);
  low.loopStart = 0;
  low.loopEnd = 4000;
  SampleSpec high = low;
  high.name = "high";
  high.data = sineCycles(50.0, 80);
  RegionSpec r;
  r.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, -2400}};
  PresetSpec p0;
  p0.regions.push_back(r);
  PresetSpec p1 = p0;
  p1.program = 1;
  p1.regions[0].sample = 1;
  PresetSpec drums = p0;
  drums.bank = 128;
  return makeBank({low, high}, {p0, p1, drums});
}

EngineSettings offlineSettings() {
  SynthSettings synth;
  synth.sampleRate = kRate;
  synth.personality = Personality::Modern;
  synth.effectsEnabled = false;  // dry: levels and zero crossings of the voice alone
  return offlineEngineSettings(synth, static_cast<uint32_t>(kFrames));
}

struct Capture {
  StereoBuffer out;
  void run(Engine& engine, uint64_t buffers) {
    engine.runOffline(buffers, [&](const float* l, const float* r, size_t n) {
      out.left.insert(out.left.end(), l, l + n);
      out.right.insert(out.right.end(), r, r + n);
    });
  }
  size_t size() const { return out.size(); }
};

// A song: one note held for `seconds` on channel 0, then the end.
std::shared_ptr<const MidiFile> heldNoteSong(double seconds) {
  MidiFileWriter w(480);
  const int t = w.addTrack("held");
  w.tempo(t, 0, 120.0);
  const auto ticks = static_cast<uint64_t>(seconds * 960.0);
  w.noteOn(t, 0, 0, 60, 100);
  w.noteOff(t, ticks, 0, 60);
  const std::vector<uint8_t> bytes = w.toBytes(1);
  return std::make_shared<const MidiFile>(MidiFile::loadFromMemory(bytes.data(), bytes.size(), "held.mid"));
}

}  // namespace

TEST_CASE("master gain -6 dB measures -6.0 dB at the output, 0 dB is bit-exact", "[engine][controls]") {
  Engine engine(offlineSettings());
  engine.setBank(controlsTestBank());
  engine.start();
  Capture c;
  REQUIRE(engine.sendMidi(0x90, 60, 100));
  c.run(engine, 8);  // attack done, steady sine
  REQUIRE(engine.setMasterGain(-6.0));
  c.run(engine, 1);  // the ramp
  c.run(engine, 8);
  // Windows of whole periods (100 samples), so the sine's phase does not move the RMS.
  const double before = rms(c.out.left, 4 * kFrames, 4 * kFrames + 4000);
  const double after = rms(c.out.left, 10 * kFrames, 10 * kFrames + 4000);
  REQUIRE(before > 0.01);
  CHECK(toDecibels(after / before) == Approx(-6.0).margin(0.1));
  // The ramp is smooth: no sample of the ramp buffer jumps more than the sine itself does.
  double worstStep = 0.0;
  for (size_t i = 8 * kFrames; i < 9 * kFrames; ++i) worstStep = std::max(worstStep, std::fabs(double(c.out.left[i]) - c.out.left[i - 1]));
  CHECK(worstStep < peakAbs(c.out.left, 4 * kFrames, 8 * kFrames) * 2.0 * M_PI / 100.0 * 1.05);

  EngineStatus st;
  REQUIRE(engine.status(st));
  CHECK(st.sound.masterGain_dB == -6.0);
  REQUIRE(engine.setMasterGain(0.0));
  c.run(engine, 6);
  const double back = rms(c.out.left, 18 * kFrames, 18 * kFrames + 4000);
  CHECK(toDecibels(back / before) == Approx(0.0).margin(0.01));
}

TEST_CASE("transpose +2 measures +200 cents; held notes end on the key they started on; drums stay",
          "[engine][controls]") {
  Engine engine(offlineSettings());
  engine.setBank(controlsTestBank());
  engine.start();
  Capture c;
  EngineStatus st;
  // The test bank's release is 0.25 s: 16 buffers (0.37 s) end a released note.
  constexpr uint64_t kReleaseBuffers = 16;
  REQUIRE(engine.sendMidi(0x90, 60, 100));
  c.run(engine, 6);
  const double plain_Hz = frequencyHz(c.out.left, 2 * kFrames, 6 * kFrames, kRate);
  CHECK(plain_Hz == Approx(441.0).margin(0.5));

  REQUIRE(engine.setTranspose(2));
  REQUIRE(engine.sendMidi(0x80, 60, 0));  // ends the note started before the change
  c.run(engine, kReleaseBuffers);
  REQUIRE(engine.status(st));
  CHECK(st.activeVoices == 0);
  CHECK(st.sound.transpose_semitones == 2);

  REQUIRE(engine.sendMidi(0x90, 60, 100));
  size_t at = c.size();
  c.run(engine, 6);
  const double up_Hz = frequencyHz(c.out.left, at + 2 * kFrames, at + 6 * kFrames, kRate);
  CHECK(centsBetween(up_Hz, plain_Hz) == Approx(200.0).margin(1.0));
  REQUIRE(engine.setTranspose(-5));
  REQUIRE(engine.sendMidi(0x80, 60, 0));  // still ends the +2 note
  c.run(engine, kReleaseBuffers);
  REQUIRE(engine.status(st));
  CHECK(st.activeVoices == 0);

  // Drums keep their keys: a drum key is an instrument, not a pitch.
  REQUIRE(engine.sendMidi(0x99, 60, 100));
  at = c.size();
  c.run(engine, 6);
  const double drum_Hz = frequencyHz(c.out.left, at + 2 * kFrames, at + 6 * kFrames, kRate);
  CHECK(centsBetween(drum_Hz, plain_Hz) == Approx(0.0).margin(1.0));
}

TEST_CASE("tempo 2x halves the song's length, 0.5x doubles it", "[engine][controls]") {
  for (const double scale : {1.0, 2.0, 0.5}) {
    Engine engine(offlineSettings());
    engine.setBank(controlsTestBank());
    engine.setSong(heldNoteSong(4.0));
    engine.start();
    REQUIRE(engine.setTempoScale(scale));
    REQUIRE(engine.play());
    EngineStatus st;
    uint64_t buffers = 0;
    for (; buffers < 1000; ++buffers) {
      engine.runOffline(1);
      REQUIRE(engine.status(st));
      if (st.finished) break;
    }
    INFO("tempo x" << scale);
    CHECK(st.sound.tempoScale == scale);
    const double played_s = static_cast<double>((buffers + 1) * kFrames) / kRate;
    // The song lasts 4 s (its length in song samples); it ends within the buffer holding
    // its last sample at the scaled rate.
    CHECK(st.length_s == Approx(4.0).margin(0.01));
    CHECK(played_s >= 4.0 / scale);
    CHECK(played_s < 4.0 / scale + kFrames / kRate + 1e-9);
  }
}

TEST_CASE("channel volume, pan and program overrides win over the song and give the channel back",
          "[engine][controls]") {
  Engine engine(offlineSettings());
  engine.setBank(controlsTestBank());
  engine.start();
  Capture c;
  REQUIRE(engine.sendMidi(0x90, 60, 100));
  c.run(engine, 4);
  const double full = rms(c.out.left, 2 * kFrames, 4 * kFrames);

  // Volume 0 from the player: the song's CC7 127 afterwards changes nothing audible.
  REQUIRE(engine.setChannelVolume(0, 0));
  REQUIRE(engine.sendMidi(0xB0, 7, 127));
  c.run(engine, 4);
  CHECK(rms(c.out.left, 6 * kFrames, 8 * kFrames) < full * 1e-3);
  EngineStatus st;
  REQUIRE(engine.status(st));
  CHECK(st.channels[0].volumeOverride == 0);
  CHECK(st.channels[0].volume == 0);
  // Back to the song: its last CC7 (127, louder than the default 100).
  REQUIRE(engine.setChannelVolume(0, -1));
  c.run(engine, 4);
  CHECK(rms(c.out.left, 10 * kFrames, 12 * kFrames) > full);

  // Pan hard left: the right channel falls silent.
  REQUIRE(engine.setChannelPan(0, 0));
  REQUIRE(engine.sendMidi(0xB0, 10, 64));
  REQUIRE(engine.sendMidi(0x80, 60, 0));
  REQUIRE(engine.sendMidi(0x90, 60, 100));
  c.run(engine, 4);
  CHECK(rms(c.out.right, 14 * kFrames, 16 * kFrames) < 0.01 * rms(c.out.left, 14 * kFrames, 16 * kFrames));

  // Program 1 (the octave-up sample) whatever the song selects.
  REQUIRE(engine.setChannelProgram(0, 1));
  REQUIRE(engine.sendMidi(0xC0, 0, 0));
  REQUIRE(engine.sendMidi(0x80, 60, 0));
  REQUIRE(engine.sendMidi(0x90, 60, 100));
  c.run(engine, 4);
  CHECK(frequencyHz(c.out.left, 18 * kFrames, 20 * kFrames, kRate) == Approx(882.0).margin(1.0));
  REQUIRE(engine.status(st));
  CHECK(st.channels[0].program == 1);
  CHECK(st.channels[0].programOverride == 1);
}

TEST_CASE("channel overrides outlive a GM, GS or XG reset in the song", "[engine][controls][sysex]") {
  const std::vector<std::pair<const char*, std::vector<uint8_t>>> resets = {
      {"GM", {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7}},
      {"GS", {0xF0, 0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7}},
      {"XG", {0xF0, 0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7}},
  };
  for (const auto& [name, reset] : resets) {
    // 120 bpm at 480 ticks per quarter: 960 ticks per second. The song's own CC7 127 and
    // program 0; a note, the reset at 1.3 s (it sets CC7 100, CC10 64, program 0), a note.
    MidiFileWriter w(480);
    const int t = w.addTrack("reset");
    w.tempo(t, 0, 120.0);
    w.controlChange(t, 0, 0, 7, 127);
    w.programChange(t, 0, 0, 0);
    w.noteOn(t, 1, 0, 60, 100);
    w.noteOff(t, 960, 0, 60);
    w.sysex(t, 1248, reset);
    w.noteOn(t, 1344, 0, 60, 100);
    w.noteOff(t, 2304, 0, 60);
    const std::vector<uint8_t> bytes = w.toBytes(1);
    auto song = std::make_shared<const MidiFile>(MidiFile::loadFromMemory(bytes.data(), bytes.size(), "reset.mid"));

    Engine engine(offlineSettings());
    engine.setBank(controlsTestBank());
    engine.setSong(song);
    engine.start();
    REQUIRE(engine.setChannelVolume(0, 64));
    REQUIRE(engine.setChannelPan(0, 0));
    REQUIRE(engine.setChannelProgram(0, 1));
    REQUIRE(engine.play());
    Capture c;
    c.run(engine, 100);  // 2.3 s
    INFO(name << " reset");
    // Windows of whole periods (50 and 100 samples), in each note's steady part.
    const size_t firstFrom = 13200, secondFrom = 75000, length = 20000;
    const double before = rms(c.out.left, firstFrom, firstFrom + length);
    const double after = rms(c.out.left, secondFrom, secondFrom + length);
    REQUIRE(before > 0.01);
    CHECK(toDecibels(after / before) == Approx(0.0).margin(0.1));               // volume 64 kept
    CHECK(rms(c.out.right, secondFrom, secondFrom + length) < 0.01 * after);    // hard left kept
    CHECK(frequencyHz(c.out.left, secondFrom, secondFrom + length, kRate) == Approx(882.0).margin(1.0));  // program 1 kept
    EngineStatus st;
    REQUIRE(engine.status(st));
    CHECK(st.channels[0].volume == 64);
    CHECK(st.channels[0].pan == 0);
    CHECK(st.channels[0].program == 1);
  }
}

TEST_CASE("sound controls reach the synth: effect types and levels, personality, interpolation, voice cap",
          "[engine][controls]") {
  Engine engine(offlineSettings());
  engine.setBank(controlsTestBank());
  engine.start();
  REQUIRE(engine.setReverbType(ReverbType::Plate));
  REQUIRE(engine.setChorusType(ChorusType::Flanger));
  REQUIRE(engine.setEffectLevels(0.25, 0.5));
  REQUIRE(engine.setPersonality(Personality::Awe));
  REQUIRE(engine.setInterpolationOverride(static_cast<int>(Interpolation::Linear)));
  REQUIRE(engine.setPolyphonyCap(4));
  for (int k = 0; k < 8; ++k) REQUIRE(engine.sendMidi(0x90, static_cast<uint8_t>(60 + k), 100));
  engine.runOffline(2);
  EngineStatus st;
  REQUIRE(engine.status(st));
  CHECK(st.sound.reverbType == static_cast<uint8_t>(ReverbType::Plate));
  CHECK(st.sound.chorusType == static_cast<uint8_t>(ChorusType::Flanger));
  CHECK(st.sound.reverbLevel == Approx(0.25f));
  CHECK(st.sound.chorusLevel == Approx(0.5f));
  CHECK(st.sound.personality == static_cast<uint8_t>(Personality::Awe));
  CHECK(st.sound.interpolationOverride == static_cast<int8_t>(Interpolation::Linear));
  CHECK(st.polyphonyLimit == 4);
  CHECK(st.activeVoices == 4);
  // A quality change keeps the player's cap (it only ever lowers the level's).
  REQUIRE(engine.setQuality(QualityLevel::Low));
  REQUIRE(engine.setPolyphonyCap(0));
  engine.runOffline(1);
  REQUIRE(engine.status(st));
  CHECK(st.polyphonyLimit == qualitySettings(QualityLevel::Low, engine.settings().polyphony).polyphonyCap);
}

TEST_CASE("the UI thread's commands never allocate on the audio thread (trap in abort mode)",
          "[engine][controls][realtime]") {
  EngineSettings s = offlineSettings();
  s.driver.kind = DriverKind::Paced;  // a real audio thread, paced like a device
  s.synth.effectsEnabled = true;
  Engine engine(s);
  engine.setBank(controlsTestBank());
  engine.setSong(heldNoteSong(30.0));
  AllocationTrap::resetAudioThreadRecord();
  AllocationTrap::setMode(AllocationTrap::Mode::Abort);
  engine.start();
  engine.play();
  // This thread is the UI: every control, over and over, while the audio thread plays.
  const uint64_t target = static_cast<uint64_t>(2.0 * kRate / kFrames);
  const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int round = 0;
  EngineStatus st;
  while (engine.monitor().snapshot(0).buffers < target && std::chrono::steady_clock::now() < giveUp) {
    const int i = round++;
    engine.setMasterGain(-0.5 * (i % 12));
    engine.setReverbType(static_cast<ReverbType>(i % 8));
    engine.setChorusType(static_cast<ChorusType>((i + 3) % 8));
    engine.setEffectLevels((i % 5) / 4.0, (i % 3) / 2.0);
    engine.setPersonality(i % 2 == 0 ? Personality::Awe : Personality::Modern);
    engine.setInterpolationOverride(i % 4 - 1);
    engine.setPolyphonyCap(i % 3 == 0 ? 0 : 8 + i % 16);
    engine.setChannelVolume(i % 16, i % 2 == 0 ? -1 : 90);
    engine.setChannelPan(i % 16, i % 3 == 0 ? -1 : (i * 7) % 128);
    engine.setChannelProgram(i % 16, i % 4 == 0 ? -1 : i % 2);
    engine.setTranspose(i % 7 - 3);
    engine.setTempoScale(i % 2 == 0 ? 1.0 : 1.5);
    engine.sendMidi(0x90, static_cast<uint8_t>(48 + i % 24), 90);
    engine.sendMidi(0x80, static_cast<uint8_t>(48 + (i + 12) % 24), 0);
    if (i % 50 == 49) engine.seek(0.0);
    engine.status(st);  // the UI reads the snapshot the audio thread publishes
    engine.pump();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  engine.stop();
  AllocationTrap::setMode(AllocationTrap::Mode::Count);
  const Snapshot snap = engine.monitor().snapshot(0);
  CHECK(snap.buffers >= target);
  CHECK(round > 50);
  CHECK(snap.audioThreadAllocations == 0);
  CHECK(AllocationTrap::audioThreadAllocationCount() == 0);
}
