// The output meters and the scope ring (engine/OutputMeter.h) and the per-channel levels
// and held keys the engine publishes: levels read from known tones, the ring read while it
// is written, and no allocation on the audio thread (the trap in abort mode).
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
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
