#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/AllocationTrap.h"
#include "monitor/Monitor.h"
#include "monitor/Statistics.h"

using awe::BufferEnd;
using awe::Monitor;
using awe::MonitorConfig;

namespace {

// Feeds a Monitor synthetic callbacks: buffer i starts at i * B exactly (plus optional
// offsets) and is busy for the given time. No real clock, no allocation inside buffers.
class SyntheticStream {
 public:
  explicit SyntheticStream(Monitor& monitor)
      : monitor_(monitor),
        budget_ns_(monitor.config().bufferFrames * 1e9 / monitor.config().sampleRate) {}

  void run(int buffers, double loadFraction, int64_t startOffset_ns = 0) {
    for (int i = 0; i < buffers; ++i) buffer(static_cast<int64_t>(loadFraction * budget_ns_), startOffset_ns);
  }

  void buffer(int64_t busy_ns, int64_t startOffset_ns = 0, uint32_t voices = 0) {
    const auto start = static_cast<int64_t>(std::llround(static_cast<double>(count_) * budget_ns_)) + kOrigin_ns +
                       startOffset_ns;
    monitor_.beginBuffer(start);
    monitor_.endBuffer(BufferEnd{start + busy_ns, 0, voices, 0});
    ++count_;
  }

  double budget_ns() const { return budget_ns_; }
  int64_t nextStart_ns() const { return static_cast<int64_t>(std::llround(static_cast<double>(count_) * budget_ns_)) + kOrigin_ns; }

 private:
  static constexpr int64_t kOrigin_ns = 1'000'000'000'000;
  Monitor& monitor_;
  double budget_ns_;
  uint64_t count_ = 0;
};

MonitorConfig config(uint32_t frames, double rate) {
  MonitorConfig c;
  c.bufferFrames = frames;
  c.sampleRate = rate;
  c.recorderCapacity = 1024;
  return c;
}

bool hasReason(const awe::Snapshot& snapshot, const std::string& words) {
  for (const std::string& reason : snapshot.health.reasons) {
    if (reason.find(words) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("Monitor rejects a zero budget", "[monitor]") {
  CHECK_THROWS_AS(Monitor(config(0, 44100)), std::invalid_argument);
  CHECK_THROWS_AS(Monitor(config(1024, 0)), std::invalid_argument);
}

TEST_CASE("Monitor: a healthy stream is GOOD", "[monitor]") {
  Monitor monitor(config(1024, 44100));
  SyntheticStream stream(monitor);
  stream.run(100, 0.25);
  const awe::Snapshot snapshot = monitor.snapshot();
  CHECK(snapshot.buffers == 100);
  CHECK(snapshot.deadlineMisses == 0);
  CHECK(snapshot.load == Approx(0.25).epsilon(1e-6));
  CHECK(snapshot.budget_ns == 23'219'955);
  CHECK(snapshot.records.size() == 100);
  CHECK(snapshot.busy.count == 100);
  CHECK(snapshot.health.health == awe::Health::Good);
  CHECK(snapshot.health.reasons.empty());
}

TEST_CASE("Monitor: DSP load smoothing follows its time constants at any buffer size", "[monitor]") {
  const double attack_s = 0.05;
  const double release_s = 1.0;
  // 192 ms is a whole number of buffers at both sizes (72 x 128 and 9 x 1024 frames at 48 kHz).
  auto smoothedAfter = [&](uint32_t frames, double seconds, double seconds2) {
    MonitorConfig c = config(frames, 48000);
    c.loadAttack_s = attack_s;
    c.loadRelease_s = release_s;
    Monitor monitor(c);
    SyntheticStream stream(monitor);
    const double buffer_s = frames / 48000.0;
    stream.run(static_cast<int>(std::lround(seconds / buffer_s)), 0.8);
    const double afterAttack = monitor.snapshot(0).smoothedLoad;
    stream.run(static_cast<int>(std::lround(seconds2 / buffer_s)), 0.0);
    return std::pair<double, double>(afterAttack, monitor.snapshot(0).smoothedLoad);
  };
  const auto [attack128, release128] = smoothedAfter(128, 0.192, 0.96);
  const auto [attack1024, release1024] = smoothedAfter(1024, 0.192, 0.96);
  const double expectedAttack = 0.8 * (1.0 - std::exp(-0.192 / attack_s));
  const double expectedRelease = expectedAttack * std::exp(-0.96 / release_s);
  // (busy is whole nanoseconds, so the load is 0.8 to within 1e-6)
  CHECK(attack128 == Approx(expectedAttack).epsilon(1e-6));
  CHECK(attack1024 == Approx(expectedAttack).epsilon(1e-6));
  CHECK(release128 == Approx(expectedRelease).epsilon(1e-6));
  CHECK(release1024 == Approx(expectedRelease).epsilon(1e-6));

  SECTION("one attack time constant reaches 63 % of a step") {
    MonitorConfig c = config(480, 48000);  // 10 ms buffers: 5 buffers = 50 ms
    Monitor monitor(c);
    SyntheticStream stream(monitor);
    stream.run(5, 1.0);
    CHECK(monitor.snapshot(0).smoothedLoad == Approx(1.0 - std::exp(-1.0)).epsilon(1e-9));
  }
}

TEST_CASE("Monitor: worst load in a settable window", "[monitor]") {
  MonitorConfig c = config(480, 48000);  // 10 ms buffers
  c.loadWindow_s = 1.0;
  Monitor monitor(c);
  SyntheticStream stream(monitor);
  stream.run(50, 0.2);
  stream.run(1, 0.9);  // spike
  stream.run(50, 0.2);
  CHECK(monitor.snapshot(0).windowWorstLoad == Approx(0.9));
  stream.run(100, 0.2);  // the spike is now more than a window ago
  CHECK(monitor.snapshot(0).windowWorstLoad == Approx(0.2));
  CHECK(monitor.snapshot(0).peakLoad == Approx(0.9));

  monitor.setLoadWindow(0.1);
  stream.run(1, 0.5);
  stream.run(20, 0.3);  // 200 ms later
  const awe::Snapshot snapshot = monitor.snapshot(0);
  CHECK(snapshot.loadWindow_s == 0.1);
  CHECK(snapshot.windowWorstLoad == Approx(0.3));
}

TEST_CASE("Monitor: a slow buffer is a deadline miss in the counters, records and verdict", "[monitor]") {
  Monitor monitor(config(1024, 44100));
  SyntheticStream stream(monitor);
  stream.run(7, 0.3);
  stream.buffer(static_cast<int64_t>(1.5 * stream.budget_ns()));  // buffer 7: 150 % of the budget
  stream.run(12, 0.3);
  const awe::Snapshot snapshot = monitor.snapshot();

  CHECK(snapshot.deadlineMisses == 1);
  CHECK(snapshot.xruns == 0);
  CHECK(snapshot.peakLoad == Approx(1.5).epsilon(1e-6));
  REQUIRE(snapshot.records.size() == 20);
  for (const awe::BufferRecord& record : snapshot.records) CHECK(record.deadlineMissed == (record.index == 7));
  // The record carries the load the monitor computed, so no reader works it out again.
  CHECK(snapshot.records[7].load == Approx(1.5).epsilon(1e-6));
  CHECK(snapshot.records[6].load == Approx(0.3).epsilon(1e-6));
  CHECK(snapshot.health.health == awe::Health::Degraded);
  CHECK(hasReason(snapshot, "1 deadline miss"));
  CHECK(hasReason(snapshot, "buffers 7"));

  SECTION("a buffer exactly at the budget is not a miss") {
    Monitor exact(config(441, 44100));  // 10 ms exactly
    SyntheticStream exactStream(exact);
    exactStream.buffer(10'000'000);
    CHECK(exact.snapshot(0).deadlineMisses == 0);
    exactStream.buffer(10'000'001);
    CHECK(exact.snapshot(0).deadlineMisses == 1);
  }
}

TEST_CASE("Monitor: driver xruns and drops are counted apart, from any thread", "[monitor]") {
  Monitor monitor(config(256, 48000));
  SyntheticStream stream(monitor);
  stream.run(3, 0.1);
  std::thread driver([&] {
    monitor.recordXrun();
    monitor.recordDrop();
    monitor.recordDrop();
  });
  driver.join();
  stream.run(2, 0.1);
  const awe::Snapshot snapshot = monitor.snapshot();
  CHECK(snapshot.xruns == 1);
  CHECK(snapshot.deadlineMisses == 0);
  CHECK(snapshot.drops == 2);
  REQUIRE(snapshot.records.size() == 5);
  CHECK(snapshot.records[3].xrun);  // reported between buffers 2 and 3
  CHECK(snapshot.records[3].drops == 2);
  CHECK_FALSE(snapshot.records[4].xrun);
  CHECK(snapshot.records[4].drops == 0);
  CHECK(snapshot.health.health == awe::Health::Degraded);
  CHECK(hasReason(snapshot, "1 driver xrun"));
}

TEST_CASE("Monitor: mean busy time above its threshold", "[monitor]") {
  Monitor monitor(config(1024, 44100));
  SyntheticStream stream(monitor);
  for (int i = 0; i < 10; ++i) stream.buffer(21'000'000);  // 21 ms of 23.2
  awe::Snapshot snapshot = monitor.snapshot();
  CHECK(snapshot.deadlineMisses == 0);
  CHECK(hasReason(snapshot, "mean busy time 21.00 ms above 20.00 ms"));

  awe::HealthThresholds relaxed;
  relaxed.maxMeanBusy_ms = 22.0;
  monitor.setHealthThresholds(relaxed);
  snapshot = monitor.snapshot();
  CHECK(snapshot.health.health == awe::Health::Good);
}

TEST_CASE("Monitor: MIDI latency stages, worst per buffer and threshold", "[monitor]") {
  Monitor monitor(config(1024, 44100));
  const int64_t start = 5'000'000'000;
  monitor.beginBuffer(start);
  awe::MidiEventTimes live;
  live.arrival_ns = start - 3'000'000;   // 3 ms before the buffer
  live.enqueued_ns = live.arrival_ns + 2'000'000;  // the MIDI thread took 2 ms
  live.dequeued_ns = start;
  live.rendered_ns = start + 5'000'000;  // offset / rate
  live.dac_ns = live.rendered_ns + 10'000'000;
  monitor.recordMidiEvent(live);
  awe::MidiEventTimes file;  // a file event: no arrival, so no total
  file.dequeued_ns = start;
  file.rendered_ns = start + 1'000'000;
  monitor.recordMidiEvent(file);
  monitor.recordQueueDepth(3);
  monitor.recordQueueDepth(1);
  monitor.recordVoiceAllocation(2'500);
  monitor.endBuffer(BufferEnd{start + 1'000'000, 1024, 12, 1, 2});

  const awe::Snapshot snapshot = monitor.snapshot();
  CHECK(snapshot.midiEvents == 2);
  CHECK(snapshot.midi(awe::MidiStage::ArrivalToEnqueue).count == 1);
  CHECK(snapshot.midi(awe::MidiStage::EnqueueToDequeue).count == 1);
  CHECK(snapshot.midi(awe::MidiStage::DequeueToRender).count == 2);
  CHECK(snapshot.midi(awe::MidiStage::RenderToDac).count == 1);
  CHECK(snapshot.midi(awe::MidiStage::Total).count == 1);
  CHECK(snapshot.midi(awe::MidiStage::Total).max_ns == 18'000'000);
  CHECK(snapshot.midi(awe::MidiStage::EnqueueToDequeue).max_ns == 1'000'000);
  CHECK(snapshot.voiceAllocation.count == 1);
  CHECK(snapshot.steals == 1);
  CHECK(snapshot.activeVoices == 12);
  CHECK(snapshot.queueDepth == 3);
  CHECK(snapshot.qualityLevel == 2);
  REQUIRE(snapshot.records.size() == 1);
  const awe::BufferRecord& record = snapshot.records[0];
  CHECK(record.worstMidiLatency_ns == 18'000'000);
  CHECK(record.midiEvents == 2);
  CHECK(record.steals == 1);
  CHECK(record.queueDepthMax == 3);
  CHECK(record.activeVoices == 12);
  CHECK(record.qualityLevel == 2);

  CHECK(snapshot.health.health == awe::Health::Degraded);
  CHECK(hasReason(snapshot, "MIDI latency p99 (arrival_to_enqueue)"));
  awe::HealthThresholds thresholds;
  thresholds.maxMidiLatency_ms = 5.0;
  monitor.setHealthThresholds(thresholds);
  CHECK(monitor.snapshot(0).health.health == awe::Health::Good);
}

TEST_CASE("Monitor: jitter with the clock drift removed, and its outliers", "[monitor]") {
  MonitorConfig c = config(1024, 44100);
  Monitor monitor(c);
  const double nominal_ns = 1024 * 1e9 / 44100;
  const double actual_ns = nominal_ns * (1.0 + 100e-6);  // the audio clock runs 100 ppm slow
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> noise(-20'000, 20'000);  // +-20 us of scheduling noise
  const int64_t origin = 2'000'000'000'000;
  constexpr int kBuffers = 4000;  // 93 s
  constexpr int kLate = 3000;
  std::vector<int64_t> jitters;
  for (int i = 0; i < kBuffers; ++i) {
    int64_t start = origin + static_cast<int64_t>(std::llround(i * actual_ns)) + noise(random);
    if (i == kLate) start += 3'000'000;  // one callback 3 ms late
    monitor.beginBuffer(start);
    monitor.endBuffer(BufferEnd{start + 1'000'000, 1024, 0, 0});
  }
  const awe::Snapshot snapshot = monitor.snapshot();
  CHECK(snapshot.clockDrift_ppm == Approx(100.0).margin(5.0));
  for (const awe::BufferRecord& record : snapshot.records) {
    if (record.index == kLate) {
      CHECK(record.jitter_ns == Approx(3'000'000).margin(60'000));
    } else if (record.index < kLate || record.index > kLate + 200) {
      CHECK(std::abs(record.jitter_ns) < 45'000);  // the noise, not the 2.3 us/buffer drift
    }
  }
  REQUIRE(snapshot.jitterOutliers.count == awe::OutlierTable::kCapacity);
  CHECK(snapshot.jitterOutliers.entries[0].bufferIndex == kLate);
  REQUIRE(snapshot.intervalErrorOutliers.count > 1);
  // The late start makes one long interval (kLate) and one short one (kLate + 1).
  const uint64_t worstIntervals[] = {snapshot.intervalErrorOutliers.entries[0].bufferIndex,
                                     snapshot.intervalErrorOutliers.entries[1].bufferIndex};
  CHECK(std::count(std::begin(worstIntervals), std::end(worstIntervals), kLate) == 1);
  CHECK(std::count(std::begin(worstIntervals), std::end(worstIntervals), kLate + 1) == 1);
  // Each record carries its exact interval error: interval minus the previous (rounded) budget.
  for (const awe::BufferRecord& record : snapshot.records) {
    CHECK(record.intervalError_ns == (record.index == 0 ? 0 : record.interval_ns - std::llround(nominal_ns)));
  }
  // Interval error is not drift-corrected: its median is the 2.3 us drift per buffer.
  CHECK(awe::percentile_ns(snapshot.intervalError, 0.5) == Approx(nominal_ns * 100e-6).margin(5'000));
}

TEST_CASE("Monitor: callbacks that move for good start a new ideal timeline", "[monitor]") {
  Monitor monitor(config(1024, 44100));
  SyntheticStream stream(monitor);
  stream.run(100, 0.1);
  stream.run(50, 0.1, 7'000'000);  // from now on 7 ms later (a self-paced clock after a slow buffer)
  const awe::Snapshot snapshot = monitor.snapshot();
  REQUIRE(snapshot.records.size() == 150);
  for (std::size_t i = 100; i < 104; ++i) CHECK(snapshot.records[i].jitter_ns == Approx(7'000'000).margin(1'000));
  for (std::size_t i = 104; i < snapshot.records.size(); ++i) CHECK(std::abs(snapshot.records[i].jitter_ns) < 1'000);
  CHECK(std::abs(snapshot.clockDrift_ppm) < 1.0);
}

TEST_CASE("Monitor: a stall starts a new ideal timeline", "[monitor]") {
  Monitor monitor(config(1024, 44100));
  SyntheticStream stream(monitor);
  stream.run(100, 0.1);
  stream.run(1, 0.1, 500'000'000);   // half a second late, then on time again
  stream.run(50, 0.1, 500'000'000);
  const awe::Snapshot snapshot = monitor.snapshot();
  REQUIRE(snapshot.records.size() == 151);
  CHECK(snapshot.records[100].jitter_ns > 400'000'000);
  for (std::size_t i = 101; i < snapshot.records.size(); ++i) CHECK(std::abs(snapshot.records[i].jitter_ns) < 1'000);
}

TEST_CASE("Monitor: an allocation inside a buffer is counted for that buffer and fails the verdict",
          "[monitor]") {
  awe::AllocationTrap::setMode(awe::AllocationTrap::Mode::Count);
  awe::AllocationTrap::resetAudioThreadRecord();
  Monitor monitor(config(256, 48000));
  SyntheticStream stream(monitor);
  stream.run(4, 0.1);
  const int64_t start = stream.nextStart_ns();
  monitor.beginBuffer(start);
  void* volatile leak = std::malloc(24);  // the offence
  monitor.endBuffer(BufferEnd{start + 1000, 0, 0, 0});
  std::free(leak);
  stream.run(2, 0.1);

  const awe::Snapshot snapshot = monitor.snapshot();
  CHECK(snapshot.audioThreadAllocations == 1);
  REQUIRE(snapshot.records.size() == 7);
  for (const awe::BufferRecord& record : snapshot.records) CHECK(record.allocations == (record.index == 4 ? 1u : 0u));
  REQUIRE(snapshot.offender.present);
  CHECK(snapshot.offender.size_bytes == 24);
  CHECK(snapshot.offender.bufferIndex == 4);
  CHECK_FALSE(snapshot.offenderStack.empty());
  CHECK(hasReason(snapshot, "1 audio-thread allocation (first: 24 bytes in buffer 4)"));
  awe::AllocationTrap::resetAudioThreadRecord();
}

TEST_CASE("Monitor: snapshots and reports while the audio thread records", "[monitor]") {
  MonitorConfig c = config(64, 48000);
  c.recorderCapacity = 128;
  Monitor monitor(c);
  constexpr int kBuffers = 30'000;
  std::atomic<bool> done{false};
  std::thread audio([&] {
    awe::AllocationTrap::ScopedAudioThread mark;
    int64_t start = 1'000'000'000'000;
    for (int i = 0; i < kBuffers; ++i) {
      monitor.beginBuffer(start);
      awe::MidiEventTimes times;
      times.arrival_ns = start - 30'000;
      times.enqueued_ns = start - 20'000;
      times.dequeued_ns = start;
      monitor.recordMidiEvent(times);
      monitor.recordQueueDepth(static_cast<uint32_t>(i % 5));
      monitor.endBuffer(BufferEnd{start + 200'000 + (i % 17) * 1'000, 64, static_cast<uint32_t>(i % 32),
                                  i % 100 == 0 ? 1u : 0u, 0});
      start += 1'333'333;
    }
    done.store(true);
  });
  std::thread dropper([&] {
    while (!done.load()) monitor.recordDrop();
  });

  uint64_t previousBuffers = 0;
  uint64_t snapshots = 0;
  uint64_t badOrder = 0;
  uint64_t countersWentBack = 0;
  while (!done.load() || snapshots < 10) {
    const awe::Snapshot snapshot = monitor.snapshot(64);
    if (snapshot.buffers < previousBuffers) ++countersWentBack;
    previousBuffers = snapshot.buffers;
    for (std::size_t i = 1; i < snapshot.records.size(); ++i) {
      if (snapshot.records[i].index <= snapshot.records[i - 1].index) ++badOrder;
    }
    ++snapshots;
  }
  audio.join();
  dropper.join();
  CHECK(badOrder == 0);
  CHECK(countersWentBack == 0);
  const awe::Snapshot last = monitor.snapshot();
  CHECK(last.buffers == kBuffers);
  CHECK(last.midiEvents == kBuffers);
  CHECK(last.steals == kBuffers / 100);
  CHECK(last.records.size() == 128);
  CHECK(last.records.back().index == kBuffers - 1);
  CHECK(last.audioThreadAllocations == 0);
}
