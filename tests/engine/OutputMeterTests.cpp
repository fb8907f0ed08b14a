// The output meters and the scope ring (engine/OutputMeter.h) and the per-channel levels
// and held keys the engine publishes: levels read from known tones, the ring read while it
// is written, and no allocation on the audio thread (the trap in abort mode).
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "emu8000/Conversions.h"
#include "engine/Engine.h"
#include "engine/OfflineRender.h"
#include "engine/OutputMeter.h"
#include "monitor/AllocationTrap.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
constexpr size_t kFrames = 1024;

// `frames` of a sine at `peak_dBFS` and `frequency_Hz`, continuing from `phase` (cycles).
void sine(std::vector<float>& out, size_t frames, double frequency_Hz, double peak_dBFS, double& phase) {
  const double amplitude = decibelsToAmplitude(peak_dBFS);
  const double pi = std::acos(-1.0);
  out.resize(frames);
  for (size_t i = 0; i < frames; ++i) {
    out[i] = static_cast<float>(amplitude * std::sin(2.0 * pi * phase));
    phase += frequency_Hz / kRate;
  }
}

struct AbortOnAllocation {
  AbortOnAllocation() {
    AllocationTrap::resetAudioThreadRecord();
    AllocationTrap::setMode(AllocationTrap::Mode::Abort);
  }
  ~AbortOnAllocation() { AllocationTrap::setMode(AllocationTrap::Mode::Count); }
};

}  // namespace

TEST_CASE("the output meter reads a -12 dBFS sine as -12.0 dBFS peak and -15.0 dBFS RMS", "[meters]") {
  OutputLevelMeter meter(kRate);
  std::vector<float> left(kFrames), right(kFrames);  // sized here: sine() only refills them
  double phaseLeft = 0.0, phaseRight = 0.25;
  AbortOnAllocation trap;
  {
    AllocationTrap::ScopedAudioThread audio;  // process() runs as on the audio thread
    for (uint64_t buffer = 0; buffer < 2 * static_cast<uint64_t>(kRate) / kFrames; ++buffer) {  // 2 s
      sine(left, kFrames, 997.0, -12.0, phaseLeft);
      sine(right, kFrames, 440.0, -30.0, phaseRight);
      meter.process(left.data(), right.data(), kFrames, buffer);
    }
  }
  const OutputLevels& levels = meter.levels();
  CHECK(levels.peak_dBFS[0] == Approx(-12.0).margin(0.5));
  CHECK(levels.rms_dBFS[0] == Approx(-12.0 - 3.0103).margin(0.5));
  CHECK(levels.peak_dBFS[1] == Approx(-30.0).margin(0.5));
  CHECK(levels.rms_dBFS[1] == Approx(-33.0103).margin(0.5));
  // Tighter than the task asks: the meter is exact up to the sampled peak of the sine.
  CHECK(levels.peak_dBFS[0] == Approx(-12.0).margin(0.05));
  CHECK(levels.rms_dBFS[0] == Approx(-15.0103).margin(0.05));
  CHECK(levels.clippedSamples == 0);
  CHECK(levels.lastClipBuffer == 0);
  CHECK(AllocationTrap::audioThreadAllocationCount() == 0);
}

TEST_CASE("the output meter counts clipped samples, holds the peak and lets it fall 20 dB in 1.7 s", "[meters]") {
  OutputLevelMeter meter(kRate);
  std::vector<float> left(kFrames, 0.0f), right(kFrames, 0.0f);
  left[10] = 1.25f;   // over full scale
  right[20] = -1.0f;  // at full scale: clipped too (nothing louder fits)
  right[30] = 0.999f;
  meter.process(left.data(), right.data(), kFrames, 7);
  CHECK(meter.levels().clippedSamples == 2);
  CHECK(meter.levels().lastClipBuffer == 8);
  CHECK(meter.levels().peak_dBFS[0] == Approx(amplitudeToDecibels(1.25)).margin(0.01));
  // Silence for 1.7 s: the peak falls 20 dB (to the buffer), the RMS to nothing much.
  std::vector<float> quiet(kFrames, 0.0f);
  const auto buffers = static_cast<uint64_t>(std::llround(1.7 * kRate / kFrames));
  for (uint64_t b = 0; b < buffers; ++b) meter.process(quiet.data(), quiet.data(), kFrames, 8 + b);
  const double fallen_s = static_cast<double>(buffers * kFrames) / kRate;
  CHECK(meter.levels().peak_dBFS[0] == Approx(amplitudeToDecibels(1.25) - 20.0 * fallen_s / 1.7).margin(0.01));
  CHECK(meter.levels().rms_dBFS[0] < -60.0f);
  CHECK(meter.levels().clippedSamples == 2);  // held until the reader resets its own view
  meter.reset();
  CHECK(meter.levels().peak_dBFS[0] == kMeterFloor_dBFS);
  CHECK(meter.levels().clippedSamples == 2);
}

namespace {

bool sameBytes(const OutputLevels& a, const OutputLevels& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The buffer sizes the silent-path tests cycle through: the decay factors follow each.
constexpr size_t kSizes[] = {1024, 300, 64, 1024, 1024, 4096};

}  // namespace

TEST_CASE("the meter's silent path reads exactly what process() reads from a buffer of zeros", "[meters]") {
  OutputLevelMeter scanned(kRate), told(kRate);
  std::vector<float> left, right;
  const std::vector<float> zeros(4096, 0.0f);
  double phaseLeft = 0.0, phaseRight = 0.1;
  uint64_t buffer = 0;
  auto loud = [&](size_t frames) {
    sine(left, frames, 997.0, 0.5, phaseLeft);  // over full scale: clips
    sine(right, frames, 440.0, -20.0, phaseRight);
    scanned.process(left.data(), right.data(), frames, buffer);
    told.process(left.data(), right.data(), frames, buffer);
    ++buffer;
  };
  uint64_t silentBuffers = 0, mismatches = 0;
  auto quiet = [&](uint64_t count) {
    for (uint64_t i = 0; i < count; ++i, ++buffer, ++silentBuffers) {
      const size_t frames = kSizes[buffer % std::size(kSizes)];
      scanned.process(zeros.data(), zeros.data(), frames, buffer);
      told.processSilence(frames);
      if (!sameBytes(scanned.levels(), told.levels())) {
        if (mismatches++ == 0) {
          INFO("silent buffer " << silentBuffers << " (" << frames << " frames): peak " << scanned.levels().peak_dBFS[0]
                                << " vs " << told.levels().peak_dBFS[0] << ", rms " << scanned.levels().rms_dBFS[0]
                                << " vs " << told.levels().rms_dBFS[0]);
          CHECK(sameBytes(scanned.levels(), told.levels()));
        }
      }
    }
  };
  for (int i = 0; i < 20; ++i) loud(kSizes[static_cast<size_t>(i) % std::size(kSizes)]);
  REQUIRE(told.levels().clippedSamples > 0);
  // 60,000 buffers: past the readings' fall to the floor, and on until the peak and the
  // mean square have gone through the subnormal range to zero.
  quiet(60'000);
  CHECK(told.levels().peak_dBFS[0] == kMeterFloor_dBFS);
  CHECK(told.levels().rms_dBFS[1] == kMeterFloor_dBFS);
  // Sound again, then a short silence and a reset in the middle of one.
  for (int i = 0; i < 5; ++i) loud(1024);
  quiet(40);
  scanned.reset();
  told.reset();
  quiet(3);
  loud(512);
  quiet(100);
  CHECK(mismatches == 0);
  CHECK(sameBytes(scanned.levels(), told.levels()));
  CHECK(told.levels().lastClipBuffer > 0);
}

TEST_CASE("meter_dBFS reads the floor under kUnderMeterFloor without a logarithm, and the same as before elsewhere",
          "[meters]") {
  CHECK(amplitudeToDecibels(kUnderMeterFloor) < kMeterFloor_dBFS - 5.0);
  CHECK(meter_dBFS(kUnderMeterFloor) == kMeterFloor_dBFS);
  CHECK(meter_dBFS(0.0) == kMeterFloor_dBFS);
  CHECK(meter_dBFS(-1.0) == kMeterFloor_dBFS);
  CHECK(meter_dBFS(std::nan("")) == kMeterFloor_dBFS);
  // Every amplitude from -200 to +20 dBFS in 0.01 dB steps reads as the plain formula does.
  uint64_t differ = 0;
  for (int step = -20000; step <= 2000; ++step) {
    const double amplitude = decibelsToAmplitude(step / 100.0);
    const float plain = std::max(kMeterFloor_dBFS, static_cast<float>(amplitudeToDecibels(amplitude)));
    if (meter_dBFS(amplitude) != plain) ++differ;
  }
  CHECK(differ == 0);
}

TEST_CASE("the scope's silent path stores exactly what write() stores for zeros", "[meters]") {
  OutputScope scanned(4096), told(4096);
  std::vector<float> left(5000), right(5000);
  const std::vector<float> zeros(5000, 0.0f);
  // Runs of sound and silence in sizes that straddle the 256-frame blocks every way:
  // silence after a partial block of sound, sound after a partial block of silence,
  // whole blocks of each, more than the ring holds.
  const struct {
    bool sound;
    size_t frames;
  } steps[] = {{false, 1024}, {true, 100}, {false, 156}, {false, 1024}, {true, 300}, {false, 10}, {true, 2},
               {false, 500}, {false, 5000}, {true, 256}, {false, 256}, {true, 1000}, {false, 700}, {true, 33},
               {false, 4096}, {false, 13}, {true, 1024}, {false, 1024}};
  std::vector<float> readA(4096), readA2(4096), readB(4096), readB2(4096);
  float value = 1.0f;
  int step = 0;
  for (const auto& s : steps) {
    INFO("step " << step++);
    if (s.sound) {
      for (size_t i = 0; i < s.frames; ++i) {
        left[i] = value;
        right[i] = -value;
        value += 1.0f;
      }
      scanned.write(left.data(), right.data(), s.frames);
      told.write(left.data(), right.data(), s.frames);
    } else {
      scanned.write(zeros.data(), zeros.data(), s.frames);
      told.writeSilence(s.frames);
    }
    REQUIRE(told.framesWritten() == scanned.framesWritten());
    const size_t gotA = scanned.readLatest(readA.data(), readA2.data(), 4096);
    const size_t gotB = told.readLatest(readB.data(), readB2.data(), 4096);
    REQUIRE(gotA == gotB);
    CHECK(std::memcmp(readA.data(), readB.data(), gotA * sizeof(float)) == 0);
    CHECK(std::memcmp(readA2.data(), readB2.data(), gotA * sizeof(float)) == 0);
  }
}

TEST_CASE("the scope ring returns the newest output in one unbroken stretch while the audio thread writes", "[meters]") {
  OutputScope scope(16384);
  REQUIRE(scope.capacity_frames() == 16384);
  // The writer plays the audio thread: a ramp (value = frame number mod 2^20, exact in a
  // float) in buffers of 1000 frames, so blocks straddle buffers. The reader checks every
  // copy is a run of consecutive frames: nothing torn, nothing out of order.
  constexpr uint32_t kWrap = 1u << 20;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> written{0}, allocationsSeen{0};
  AbortOnAllocation trap;
  std::thread writer([&] {
    OutputLevelMeter meter(kRate);
    std::vector<float> buffer(1000);
    AllocationTrap::ScopedAudioThread audio;  // from here on, as the audio thread
    uint64_t frame = 0;
    for (uint64_t b = 0; !stop.load(); ++b) {
      for (float& x : buffer) x = static_cast<float>(frame++ % kWrap);
      scope.write(buffer.data(), buffer.data(), buffer.size());
      meter.process(buffer.data(), buffer.data(), buffer.size(), b);
    }
    allocationsSeen = AllocationTrap::audioThreadAllocationCount();
    written = frame;
  });
  // 300 full reads, each checked (the writer keeps going until then, however the two
  // threads are scheduled).
  std::vector<float> left(4096), right(4096);
  uint64_t reads = 0, fullReads = 0;
  bool unbroken = true;
  while (fullReads < 300 && unbroken) {
    const size_t got = scope.readLatest(left.data(), right.data(), left.size());
    ++reads;
    if (got == left.size()) ++fullReads;
    for (size_t i = 1; i < got && unbroken; ++i) {
      const auto step = (static_cast<uint32_t>(left[i]) + kWrap - static_cast<uint32_t>(left[i - 1])) % kWrap;
      if (step != 1 || left[i] != right[i]) {
        unbroken = false;
        INFO("read " << reads << ": frame " << i << " of " << got << " is " << left[i] << " after " << left[i - 1]);
        CHECK(unbroken);
      }
    }
  }
  stop = true;
  writer.join();
  CHECK(unbroken);
  CHECK(allocationsSeen == 0);
  // At rest the newest complete blocks come back; the partial block waits on the audio side.
  const uint64_t blocks = written / kScopeBlockFrames;
  REQUIRE(blocks >= 16);
  REQUIRE(scope.readLatest(left.data(), right.data(), left.size()) == 4096);
  CHECK(static_cast<uint64_t>(left.back()) == (blocks * kScopeBlockFrames - 1) % kWrap);
  CHECK(scope.framesWritten() == blocks * kScopeBlockFrames);
}

namespace {

// Program 0: a looped 441 Hz sine at half scale, no envelope to speak of.
std::shared_ptr<const Bank> sineBank() {
  SampleSpec s;
  s.data = sineCycles(100.0, 20);
  s.loopStart = 0;
  s.loopEnd = 2000;
  RegionSpec r;
  r.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, -2400}};
  PresetSpec p;
  p.regions.push_back(r);
  return makeBank({s}, {p});
}

EngineSettings offlineSettings() {
  SynthSettings synth;
  synth.sampleRate = kRate;
  synth.personality = Personality::Modern;
  synth.effectsEnabled = false;  // the level of the voices only: no reverb tail in the output
  return offlineEngineSettings(synth, static_cast<uint32_t>(kFrames));
}

struct Recorded {
  std::vector<float> left, right;
  void operator()(const float* l, const float* r, size_t n) {
    left.insert(left.end(), l, l + n);
    right.insert(right.end(), r, r + n);
  }
  // RMS in dBFS of the last `frames` frames of the left side.
  double tailRms_dBFS(size_t frames) const { return toDecibels(rms(left, left.size() - frames, left.size())); }
};

bool hasKey(const uint64_t (&keys)[2], int key) { return ((keys[key / 64] >> (key % 64)) & 1u) != 0; }

}  // namespace

TEST_CASE("the engine meters what it outputs, and each channel's level follows that channel's volume", "[meters][engine]") {
  Engine engine(offlineSettings());
  engine.setBank(sineBank());
  engine.start();
  Recorded out;
  auto sink = [&](const float* l, const float* r, size_t n) { out(l, r, n); };
  AbortOnAllocation trap;

  engine.sendMidi(0x90, 60, 100);  // channel 1, middle C
  engine.runOffline(60, sink);     // 1.4 s: the RMS window has settled
  EngineStatus before;
  REQUIRE(engine.status(before));
  // The output meter against the recorded output: RMS over the last 0.7 s (the tone is
  // steady, so any window reads the same), peak over the last buffer.
  const double outBefore_dB = out.tailRms_dBFS(30 * kFrames);
  CHECK(before.output.rms_dBFS[0] == Approx(outBefore_dB).margin(0.5));
  CHECK(before.output.peak_dBFS[0] ==
        Approx(toDecibels(peakAbs(out.left, out.left.size() - kFrames, out.left.size()))).margin(0.5));
  CHECK(before.output.clippedSamples == 0);
  CHECK(before.channels[0].level_dBFS > -40.0f);
  CHECK(before.channels[1].level_dBFS == kMeterFloor_dBFS);  // nothing plays there
  CHECK(hasKey(before.channels[0].heldKeys, 60));
  CHECK_FALSE(hasKey(before.channels[0].releasingKeys, 60));

  // Halve CC7 (64): the SF2 volume curve takes ~11.9 dB off. The channel's level must
  // move as much as the output does.
  engine.sendMidi(0xB0, 7, 64);
  engine.runOffline(60, sink);
  EngineStatus after;
  REQUIRE(engine.status(after));
  const double outAfter_dB = out.tailRms_dBFS(30 * kFrames);
  INFO("output " << outBefore_dB << " -> " << outAfter_dB << " dBFS; channel 1 level " << before.channels[0].level_dBFS
                 << " -> " << after.channels[0].level_dBFS << " dBFS");
  CHECK(outAfter_dB - outBefore_dB < -6.0);  // a real change
  CHECK(after.channels[0].level_dBFS - before.channels[0].level_dBFS == Approx(outAfter_dB - outBefore_dB).margin(0.5));
  CHECK(after.output.rms_dBFS[0] == Approx(outAfter_dB).margin(0.5));

  // The player's master gain comes before the meters: -6 dB reads 6.0 dB lower on the
  // output meter and on the channel's level alike.
  REQUIRE(engine.setMasterGain(-6.0));
  engine.runOffline(60, sink);
  EngineStatus quieter;
  REQUIRE(engine.status(quieter));
  const double outQuieter_dB = out.tailRms_dBFS(30 * kFrames);
  CHECK(outQuieter_dB - outAfter_dB == Approx(-6.0).margin(0.05));
  CHECK(quieter.output.rms_dBFS[0] - after.output.rms_dBFS[0] == Approx(-6.0).margin(0.1));
  CHECK(quieter.channels[0].level_dBFS - after.channels[0].level_dBFS == Approx(-6.0).margin(0.1));
  REQUIRE(engine.setMasterGain(0.0));
  engine.runOffline(60, sink);

  // Let go: the key moves from held to releasing, then the channel falls silent.
  engine.sendMidi(0x80, 60, 0);
  engine.runOffline(1, sink);
  EngineStatus released;
  REQUIRE(engine.status(released));
  CHECK_FALSE(hasKey(released.channels[0].heldKeys, 60));
  CHECK(hasKey(released.channels[0].releasingKeys, 60));
  engine.runOffline(40, sink);
  EngineStatus silent;
  REQUIRE(engine.status(silent));
  CHECK(silent.channels[0].level_dBFS == kMeterFloor_dBFS);
  CHECK_FALSE(hasKey(silent.channels[0].releasingKeys, 60));

  // The scope ring holds the newest output exactly.
  std::vector<float> left(8192), right(8192);
  REQUIRE(engine.outputScope().readLatest(left.data(), right.data(), left.size()) == left.size());
  CHECK(std::equal(left.begin(), left.end(), out.left.end() - 8192));
  CHECK(std::equal(right.begin(), right.end(), out.right.end() - 8192));
  engine.stop();
  CHECK(AllocationTrap::audioThreadAllocationCount() == 0);
}

TEST_CASE("an idle engine's meter, scope and output are exactly those of one that renders its zeros", "[meters][engine]") {
  // Two engines play the same: a note with reverb and chorus sends, its tail, a long
  // silence with a master-gain change in it, the note again. Engine `held` also holds a
  // voice on a sample of zeros the whole time, so its synth is never silent and every
  // buffer goes through the full render, meter scan and scope copy; the `idle` engine
  // takes the silent paths once its effects have gone idle. Everything must match bit
  // for bit, buffer by buffer.
  SampleSpec tone;
  tone.data = sineCycles(100.0, 20);
  tone.loopStart = 0;
  tone.loopEnd = 2000;
  SampleSpec nothing;
  nothing.name = "zeros";
  nothing.data = constant(2000, 0);
  nothing.loopStart = 0;
  nothing.loopEnd = 2000;
  RegionSpec toneRegion;
  toneRegion.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, -2400}};
  RegionSpec zeroRegion;
  zeroRegion.sample = 1;
  zeroRegion.gens = {{Gen::SampleModes, 1}};
  PresetSpec toneProgram, zeroProgram;
  toneProgram.regions.push_back(toneRegion);
  zeroProgram.program = 1;
  zeroProgram.regions.push_back(zeroRegion);
  const auto bank = makeBank({tone, nothing}, {toneProgram, zeroProgram});

  SynthSettings synth;
  synth.sampleRate = kRate;
  synth.personality = Personality::Modern;
  synth.effectsEnabled = true;
  Engine idle(offlineEngineSettings(synth, static_cast<uint32_t>(kFrames)));
  Engine held(offlineEngineSettings(synth, static_cast<uint32_t>(kFrames)));
  for (Engine* e : {&idle, &held}) {
    e->setBank(bank);
    e->start();
    e->sendMidi(0xB0, 91, 127);  // channel 1: full reverb and chorus sends
    e->sendMidi(0xB0, 93, 127);
  }
  held.sendMidi(0xC1, 1, 0);
  held.sendMidi(0x91, 60, 100);  // channel 2: the voice of zeros, never let go

  uint64_t buffers = 0, idleBuffers = 0, outputDiffers = 0, metersDiffer = 0, slotsNotFree = 0, buffersWithVoice = 0;
  auto run = [&](uint64_t count) {
    for (uint64_t b = 0; b < count; ++b, ++buffers) {
      Recorded a, h;
      idle.runOffline(1, [&](const float* l, const float* r, size_t n) { a(l, r, n); });
      held.runOffline(1, [&](const float* l, const float* r, size_t n) { h(l, r, n); });
      EngineStatus sa, sh;
      REQUIRE(idle.status(sa));
      REQUIRE(held.status(sh));
      REQUIRE(sh.activeVoices >= 1);
      if (sa.activeVoices == 0 && sa.effectsIdle) ++idleBuffers;
      if (sa.activeVoices == 0) {  // no voice: every slot of the voice map reads free
        for (const VoiceSlot& v : sa.voices) {
          if (v.stage != 0 || v.channel != 0 || v.key != 0 || v.velocity != 0 || v.level != 0.0f || v.stolen) {
            ++slotsNotFree;
          }
        }
      } else {
        ++buffersWithVoice;
      }
      const bool sameOut = a.left.size() == h.left.size() &&
                           std::memcmp(a.left.data(), h.left.data(), a.left.size() * sizeof(float)) == 0 &&
                           std::memcmp(a.right.data(), h.right.data(), a.right.size() * sizeof(float)) == 0;
      if (!sameOut && outputDiffers++ == 0) {
        size_t at = 0;
        while (at + 1 < a.left.size() && a.left[at] == h.left[at] && a.right[at] == h.right[at]) ++at;
        INFO("buffer " << buffers << ": the outputs differ at frame " << at);
        CHECK(sameOut);
      }
      if (!sameBytes(sa.output, sh.output) && metersDiffer++ == 0) {
        INFO("buffer " << buffers << ": peak " << sa.output.peak_dBFS[0] << " vs " << sh.output.peak_dBFS[0] << ", rms "
                       << sa.output.rms_dBFS[0] << " vs " << sh.output.rms_dBFS[0]);
        CHECK(sameBytes(sa.output, sh.output));
      }
    }
  };
  for (Engine* e : {&idle, &held}) e->sendMidi(0x90, 60, 127);
  run(40);
  for (Engine* e : {&idle, &held}) e->sendMidi(0x80, 60, 0);
  run(700);  // ~16 s: the tails ring out, the units go idle
  const uint64_t idleBeforeGain = idleBuffers;
  CHECK(idleBeforeGain > 100);
  for (Engine* e : {&idle, &held}) REQUIRE(e->setMasterGain(-7.0));  // a ramp over one silent buffer
  run(100);
  // The same key again: at key 67 the two engines' second notes differed in the last bit,
  // with or without the silent paths (the voice of zeros changes where the synth puts the
  // note); that is not what this test is about.
  for (Engine* e : {&idle, &held}) e->sendMidi(0x90, 60, 90);
  run(20);
  for (Engine* e : {&idle, &held}) e->sendMidi(0x80, 60, 0);
  run(20);
  CHECK(outputDiffers == 0);
  CHECK(metersDiffer == 0);
  CHECK(idleBuffers > idleBeforeGain + 90);
  CHECK(slotsNotFree == 0);
  CHECK(buffersWithVoice >= 60);  // the notes and their releases

  // The scope rings hold the same bytes: the newest 16384 frames, which reach back into
  // the silence before the last note.
  std::vector<float> la(16384), ra(16384), lh(16384), rh(16384);
  REQUIRE(idle.outputScope().readLatest(la.data(), ra.data(), la.size()) == la.size());
  REQUIRE(held.outputScope().readLatest(lh.data(), rh.data(), lh.size()) == lh.size());
  CHECK(std::memcmp(la.data(), lh.data(), la.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(ra.data(), rh.data(), ra.size() * sizeof(float)) == 0);
  idle.stop();
  held.stop();
}
