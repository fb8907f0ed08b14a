// A small program for the sampling profiler's test: it profiles itself while spending
// most of its CPU time in deliberatelyHotFunction(), a little in lukewarmFunction(), and
// writes the profile as <base>.cpuprofile and <base>.cpu.folded.
//
//   awe-test-hot-program BASE [timer]     (timer: POSIX CPU-time timers, no perf_event)
//
// Built with frame pointers and -rdynamic (tests/profiling/CMakeLists.txt). Exit status 0
// on success, 77 when sampling is not available in this build (the test then skips).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "monitor/Clock.h"
#include "monitor/profiling/CpuProfileReport.h"
#include "monitor/profiling/SamplingProfiler.h"

namespace awe::test {

volatile double g_sink = 0.0;

// CPU-bound for about `milliseconds` of wall time (the test machine may be busy; the
// profile counts CPU time, so the shares hold either way).
__attribute__((noinline)) void spin(double milliseconds) {
  const int64_t until = monotonicNanoseconds() + static_cast<int64_t>(milliseconds * 1e6);
  double x = 1.0;
  while (monotonicNanoseconds() < until) {
    for (int i = 0; i < 1000; ++i) x = x * 1.0000001 + 1e-9;
  }
  g_sink = x;
}

// (built with -fno-optimize-sibling-calls, so each stays on the stack below spin())
__attribute__((noinline)) void deliberatelyHotFunction() { spin(400.0); }
__attribute__((noinline)) void lukewarmFunction() { spin(50.0); }

}  // namespace awe::test

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: awe-test-hot-program BASE [timer]\n");
    return 2;
  }
  const std::string base = argv[1];
  std::string reason;
  if (!awe::SamplingProfiler::available(&reason)) {
    std::fprintf(stderr, "%s\n", reason.c_str());
    return 77;
  }
  awe::CpuProfileSettings settings;
  settings.rate_Hz = 1000.0;
  settings.usePerfEvent = !(argc > 2 && std::strcmp(argv[2], "timer") == 0);
  awe::SamplingProfiler::start(settings);
  awe::test::deliberatelyHotFunction();
  awe::test::lukewarmFunction();
  const awe::CpuProfileData profile = awe::SamplingProfiler::stop();
  std::ofstream(base + ".cpuprofile") << awe::cpuProfileToChrome(profile).dump();
  std::ofstream(base + ".cpu.folded") << awe::foldedText(awe::cpuFoldedStacks(profile));
  std::printf("%s", awe::formatCpuSummary(profile, 10).c_str());
  return 0;
}
