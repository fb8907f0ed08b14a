// The recording cost of the Monitor, measured, not asserted (hidden: run it with
//   build/bin/awe-tests "[.monitor-cost]"
// on a Release build). Prints the median and the minimum over many short runs of ns per
// buffer (beginBuffer + endBuffer) and ns per MIDI event (recordMidiEvent with all five
// stamps); the minimum is the cost without preemption on a busy machine.
#include <algorithm>
#include <cstdio>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/Clock.h"
#include "monitor/Monitor.h"

namespace {

struct Cost {
  double median_ns;
  double minimum_ns;
};

template <typename Body>
Cost nanosecondsPerCall(int runs, int callsPerRun, Body body) {
  std::vector<double> perCall;
  for (int run = 0; run < runs; ++run) {
    const int64_t begin = awe::monotonicNanoseconds();
    for (int i = 0; i < callsPerRun; ++i) body(i);
    const int64_t end = awe::monotonicNanoseconds();
    perCall.push_back(static_cast<double>(end - begin) / callsPerRun);
  }
  std::sort(perCall.begin(), perCall.end());
  return Cost{perCall[perCall.size() / 2], perCall.front()};
}

}  // namespace

TEST_CASE("Monitor recording cost", "[.monitor-cost]") {
  awe::MonitorConfig config;
  awe::Monitor monitor(config);
  awe::AllocationTrap::ScopedAudioThread audio;
  constexpr int kRuns = 51;
  constexpr int kCalls = 20'000;
  int64_t now = 1'000'000'000'000;

  const Cost perBuffer = nanosecondsPerCall(kRuns, kCalls, [&](int i) {
    now += 23'219'955 + (i % 7) * 1000;
    monitor.beginBuffer(now);
    monitor.endBuffer(awe::BufferEnd{now + 3'000'000 + (i % 13) * 10'000, 1024, 24, 0});
  });

  const int64_t start = now;
  monitor.beginBuffer(start);
  const Cost perEvent = nanosecondsPerCall(kRuns, kCalls, [&](int i) {
    awe::MidiEventTimes times;
    times.arrival_ns = start - 500'000 - (i % 100) * 1000;
    times.enqueued_ns = times.arrival_ns + 20'000;
    times.dequeued_ns = start;
    times.rendered_ns = start + (i % 1024) * 22'675;
    times.dac_ns = times.rendered_ns + 10'000'000;
    monitor.recordMidiEvent(times);
  });
  const Cost perVoiceAllocation =
      nanosecondsPerCall(kRuns, kCalls, [&](int i) { monitor.recordVoiceAllocation(1000 + i % 5000); });
  monitor.endBuffer(awe::BufferEnd{start + 1000, 1024, 24, 0});

  std::printf("monitor cost over %d runs of %d calls, median (minimum) ns per call:\n"
              "  buffer (beginBuffer + endBuffer)  %6.1f (%6.1f)\n"
              "  MIDI event (5 stamps)             %6.1f (%6.1f)\n"
              "  voice allocation                  %6.1f (%6.1f)\n",
              kRuns, kCalls, perBuffer.median_ns, perBuffer.minimum_ns, perEvent.median_ns, perEvent.minimum_ns,
              perVoiceAllocation.median_ns, perVoiceAllocation.minimum_ns);
  CHECK(monitor.snapshot(0).buffers > 0);
}
