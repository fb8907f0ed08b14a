// --threads: voice workers render the synth's voice chunks beside the audio thread. The
// output must be the same to the bit as one thread's, the workers must keep the audio
// thread's rules (the allocation trap in abort mode), and the monitor must record each
// worker's busy time per buffer.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "engine/Engine.h"
#include "engine/MidiFile.h"
#include "engine/OfflineRender.h"
#include "emu8000/Synth.h"
#include "engine/VoiceWorkers.h"
#include "monitor/AllocationTrap.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr uint32_t kFrames = 1024;

// Fifteen melodic channels each start 24 notes per beat, with note lengths from 60 to 900
// ticks, so hundreds of voices sound at once (many chunks of kVoicesPerChunk) and voices
// end in the middle of blocks in every chunk, all song long.
std::shared_ptr<const MidiFile> denseSong(int beats) {
  MidiFileWriter w(480);
  const int t = w.addTrack("dense");
  w.tempo(t, 0, 120.0);
  for (int b = 0; b < beats; ++b) {
    const uint64_t tick = static_cast<uint64_t>(b) * 480;
    for (int ch = 0; ch < 16; ++ch) {
      if (ch == 9) continue;
      for (int k = 0; k < 24; ++k) {
        const int key = 36 + k * 2 + (b + ch) % 3;
        const uint64_t length = 60 + static_cast<uint64_t>((k * 37 + ch * 11 + b * 5) % 841);
        w.noteOn(t, tick + static_cast<uint64_t>(k), ch, key, 40 + (k * 3 + ch) % 80);
        w.noteOff(t, tick + static_cast<uint64_t>(k) + length, ch, key);
      }
      w.pitchBend(t, tick + 100, ch, 8192 + 300 * ((b + ch) % 5));
    }
    w.noteOn(t, tick, 9, 36, 100);
    w.noteOff(t, tick + 100, 9, 36);
  }
  const std::vector<uint8_t> bytes = w.toBytes(1);
  return std::make_shared<const MidiFile>(MidiFile::loadFromMemory(bytes.data(), bytes.size(), "dense.mid"));
}

struct Render {
  std::vector<float> samples;  // left and right interleaved
  uint32_t maxVoices = 0;
  uint8_t voiceWorkers = 0;
  uint64_t workerBusy_ns = 0;  // summed over workers and buffers
  uint64_t allocations = 0;
};

Render renderDense(int threads) {
  SynthSettings synth;
  synth.polyphony = 512;
  EngineSettings settings = offlineEngineSettings(synth, kFrames);
  settings.renderThreads = threads;
  AllocationTrap::resetAudioThreadRecord();
  AllocationTrap::setMode(AllocationTrap::Mode::Abort);  // a worker that allocates ends the test run
  Render out;
  {
    Engine engine(settings);
    engine.setBank(steadyTestBank());
    engine.setSong(denseSong(12));
    out.samples.reserve(2 * 44100 * 12);
    renderSong(engine, OfflineRenderSettings{}, [&](const float* l, const float* r, size_t n) {
      for (size_t i = 0; i < n; ++i) {
        out.samples.push_back(l[i]);
        out.samples.push_back(r[i]);
      }
    });
    engine.stop();
    const Snapshot snap = engine.monitor().snapshot();
    for (const BufferRecord& record : snap.records) {
      out.maxVoices = std::max(out.maxVoices, record.activeVoices);
      out.voiceWorkers = std::max(out.voiceWorkers, record.voiceWorkers);
      for (int w = 0; w < record.voiceWorkers; ++w) out.workerBusy_ns += record.workerBusy_ns[w];
    }
    out.allocations = snap.audioThreadAllocations;
  }
  AllocationTrap::setMode(AllocationTrap::Mode::Count);
  return out;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("voice workers: 2 and 3 render threads give the same bytes as one, with the workers' busy time recorded",
          "[engine][threads]") {
  const Render one = renderDense(1);
  REQUIRE(one.samples.size() > 2 * 44100 * 6);
  // Enough voices for many chunks: the mix order across chunks is what is checked.
  CHECK(one.maxVoices >= 4 * kVoicesPerChunk);
  CHECK(one.voiceWorkers == 0);
  CHECK(one.workerBusy_ns == 0);
  for (int threads : {2, 3}) {
    INFO(threads << " render threads");
    const Render many = renderDense(threads);
    CHECK(many.maxVoices == one.maxVoices);
    CHECK(sameBits(one.samples, many.samples));
    CHECK(many.voiceWorkers == threads - 1);
    CHECK(many.workerBusy_ns > 0);  // the workers rendered (a busy-time record of 0 would hide them)
    CHECK(many.allocations == 0);
  }
}

TEST_CASE("voice workers: every task runs once, its writes are seen by the caller, and stopping joins cleanly",
          "[engine][threads]") {
  VoiceWorkers workers(3, 0);
  CHECK(workers.threads() == 3);
  struct Tally {
    std::vector<int> runs;
    std::vector<int> thread;
  } tally;
  tally.runs.assign(200, 0);
  tally.thread.assign(200, -1);
  auto task = [](void* context, int t, int thread) noexcept {
    Tally& s = *static_cast<Tally*>(context);
    ++s.runs[static_cast<size_t>(t)];  // a plain write: run() must publish it
    s.thread[static_cast<size_t>(t)] = thread;
  };
  for (int round = 0; round < 500; ++round) {
    const int tasks = 1 + round % 200;
    std::fill(tally.runs.begin(), tally.runs.end(), 0);
    workers.run(tasks, task, &tally);
    int once = 0;
    for (int t = 0; t < tasks; ++t) once += tally.runs[static_cast<size_t>(t)] == 1 ? 1 : 0;
    REQUIRE(once == tasks);
    for (int t = tasks; t < 200; ++t) REQUIRE(tally.runs[static_cast<size_t>(t)] == 0);
    for (int t = 0; t < tasks; ++t) REQUIRE(tally.thread[static_cast<size_t>(t)] >= 0);
    for (int t = 0; t < tasks; ++t) REQUIRE(tally.thread[static_cast<size_t>(t)] < 3);
  }
  // Idle longer than the spin: the workers sleep, and the next job wakes them (or the
  // caller does the whole job itself; either way each task runs once).
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::fill(tally.runs.begin(), tally.runs.end(), 0);
  workers.run(200, task, &tally);
  int once = 0;
  for (int t = 0; t < 200; ++t) once += tally.runs[static_cast<size_t>(t)] == 1 ? 1 : 0;
  CHECK(once == 200);
}

TEST_CASE("voice workers refuse a thread count outside 2..kMaxRenderThreads, and the engine 1..kMaxRenderThreads",
          "[engine][threads]") {
  CHECK_THROWS_AS(VoiceWorkers(1, 0), std::invalid_argument);
  CHECK_THROWS_AS(VoiceWorkers(kMaxRenderThreads + 1, 0), std::invalid_argument);
  EngineSettings settings = offlineEngineSettings(SynthSettings{}, kFrames);
  settings.renderThreads = 0;
  CHECK_THROWS_AS(Engine(settings), std::invalid_argument);
  settings.renderThreads = kMaxRenderThreads + 1;
  CHECK_THROWS_AS(Engine(settings), std::invalid_argument);
}

TEST_CASE("on the paced clock with --threads 2, the workers sleep between buffers and wake for each one, allocating nothing",
          "[engine][threads][realtime][paced]") {
  SynthSettings synth;
  synth.polyphony = 512;
  EngineSettings settings = offlineEngineSettings(synth, kFrames);
  settings.driver.kind = DriverKind::Paced;
  settings.renderThreads = 2;
  Engine engine(settings);
  engine.setBank(steadyTestBank());
  engine.setSong(denseSong(8));
  AllocationTrap::resetAudioThreadRecord();
  AllocationTrap::setMode(AllocationTrap::Mode::Abort);
  engine.start();
  engine.play();
  // 2 s of audio: every buffer's first block finds the worker asleep (23 ms between
  // buffers against a 0.2 ms spin), so this is the futex wake path, buffer after buffer.
  const uint64_t buffers = static_cast<uint64_t>(2.0 * 44100 / kFrames);
  const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (engine.monitor().buffers() < buffers && std::chrono::steady_clock::now() < giveUp) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    engine.pump();
  }
  engine.stop();
  AllocationTrap::setMode(AllocationTrap::Mode::Count);
  const Snapshot snap = engine.monitor().snapshot();
  REQUIRE(snap.buffers >= buffers);
  CHECK(snap.audioThreadAllocations == 0);
  uint64_t busyBuffers = 0;
  uint32_t maxVoices = 0;
  for (const BufferRecord& r : snap.records) {
    CHECK(r.voiceWorkers == 1);
    maxVoices = std::max(maxVoices, r.activeVoices);
    if (r.workerBusy_ns[0] > 0) ++busyBuffers;
  }
  CHECK(maxVoices >= 4 * kVoicesPerChunk);
  // The worker took part in most buffers with many voices (a sleeping worker may wake too
  // late for a light buffer, and the audio thread then renders it alone: that is allowed).
  CHECK(busyBuffers >= snap.records.size() / 4);
}

TEST_CASE("channel sounding: every sounding voice's key, held or releasing, and the same levels on 1 and 3 render threads",
          "[engine][threads]") {
  SynthSettings settings;
  settings.polyphony = 512;
  Synth one(settings), three(settings);
  VoiceWorkers workers(3, 0);
  three.setRenderFanOut(&workers);
  one.setBank(steadyTestBank());
  three.setBank(steadyTestBank());
  one.gatherChannelSounding(true);
  three.gatherChannelSounding(true);
  std::vector<float> left(256), right(256);
  // What the voices say, slot by slot: the reference the gathered sounding must match.
  auto fromVoices = [&](const Synth& synth) {
    ChannelSounding s;
    for (int slot = 0; slot < synth.voiceCount(); ++slot) {
      const VoiceInfo v = synth.voiceInfo(slot);
      if (v.stage == VoiceStage::Free || v.stage == VoiceStage::Finished) continue;
      uint64_t(&keys)[2] = v.stage == VoiceStage::Release ? s.releasingKeys[v.channel] : s.heldKeys[v.channel];
      keys[v.key >> 6] |= uint64_t{1} << (v.key & 63);
    }
    return s;
  };
  for (int step = 0; step < 6; ++step) {
    for (Synth* synth : {&one, &three}) {
      for (int ch = 0; ch < 16; ++ch) {
        for (int k = 0; k < 20; ++k) {
          const int key = 30 + k * 3 + step;
          if (step % 2 == 0) synth->noteOn(ch, key, 30 + (ch * 7 + k * 5) % 97);
          if (step % 2 == 1 && (k + ch) % 3 == 0) synth->noteOff(ch, key - 1);
        }
      }
      for (int b = 0; b < 1 + step; ++b) synth->render(left.data(), right.data(), left.size());
    }
    INFO("step " << step << ", voices " << one.activeVoices());
    REQUIRE(one.activeVoices() > 2 * kVoicesPerChunk);  // several chunks, on every thread
    REQUIRE(three.activeVoices() == one.activeVoices());
    ChannelSounding a, b;
    one.channelSounding(a);
    three.channelSounding(b);
    const ChannelSounding expected = fromVoices(one);
    for (int ch = 0; ch < 16; ++ch) {
      INFO("channel " << ch);
      for (int w = 0; w < 2; ++w) {
        CHECK(a.heldKeys[ch][w] == expected.heldKeys[ch][w]);
        CHECK(a.releasingKeys[ch][w] == expected.releasingKeys[ch][w]);
        CHECK(b.heldKeys[ch][w] == a.heldKeys[ch][w]);
        CHECK(b.releasingKeys[ch][w] == a.releasingKeys[ch][w]);
      }
      CHECK(a.amplitude[ch] > 0.0f);
      // Each chunk sums its own voices, then the chunks add in order, whichever thread
      // rendered them: the same sum to the bit.
      CHECK(b.amplitude[ch] == a.amplitude[ch]);
    }
  }
}
