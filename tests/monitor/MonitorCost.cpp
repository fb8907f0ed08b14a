// The recording cost of the Monitor, measured, not asserted (hidden: run it with
//   build/bin/awe-tests "[.monitor-cost]"
// on a Release build). Prints the median over several runs of ns per buffer
// (beginBuffer + endBuffer) and ns per MIDI event (recordMidiEvent with all five stamps).
#include <algorithm>
#include <cstdio>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/Clock.h"
#include "monitor/Monitor.h"

namespace {

template <typename Body>
double medianNanosecondsPerCall(int runs, int callsPerRun, Body body) {
  std::vector<double> perCall;
  for (int run = 0; run < runs; ++run) {
    const int64_t begin = awe::monotonicNanoseconds();
    for (int i = 0; i < callsPerRun; ++i) body(i);
    const int64_t end = awe::monotonicNanoseconds();
    perCall.push_back(static_cast<double>(end - begin) / callsPerRun);
  }
  std::sort(perCall.begin(), perCall.end());
  return perCall[perCall.size() / 2];
}

}  // namespace

TEST_CASE("Monitor recording cost", "[.monitor-cost]") {
  awe::MonitorConfig config;
  awe::Monitor monitor(config);
  awe::AllocationTrap::ScopedAudioThread audio;
  constexpr int kRuns = 15;
  constexpr int kCalls = 200'000;
  int64_t now = 1'000'000'000'000;

  const double perBuffer = medianNanosecondsPerCall(kRuns, kCalls, [&](int i) {
    now += 23'219'955 + (i % 7) * 1000;
    monitor.beginBuffer(now);
    monitor.endBuffer(awe::BufferEnd{now + 3'000'000 + (i % 13) * 10'000, 1024, 24, 0});
  });

  const int64_t start = now;
  monitor.beginBuffer(start);
  const double perEvent = medianNanosecondsPerCall(kRuns, kCalls, [&](int i) {
    awe::MidiEventTimes times;
    times.arrival_ns = start - 500'000 - (i % 100) * 1000;
    times.enqueued_ns = times.arrival_ns + 20'000;
    times.dequeued_ns = start;
    times.rendered_ns = start + (i % 1024) * 22'675;
    times.dac_ns = times.rendered_ns + 10'000'000;
    monitor.recordMidiEvent(times);
  });
  const double perVoiceAllocation =
      medianNanosecondsPerCall(kRuns, kCalls, [&](int i) { monitor.recordVoiceAllocation(1000 + i % 5000); });
  monitor.endBuffer(awe::BufferEnd{start + 1000, 1024, 24, 0});

  std::printf("monitor cost (median of %d runs of %d calls): %.1f ns per buffer (begin+end), "
              "%.1f ns per MIDI event, %.1f ns per voice allocation\n",
              kRuns, kCalls, perBuffer, perEvent, perVoiceAllocation);
  CHECK(monitor.snapshot(0).buffers > 0);
}
