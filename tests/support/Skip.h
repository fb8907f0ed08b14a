#pragma once
// Skipping a test that cannot decide on this machine, with the reason (Catch2 v2 has no
// skip). skipTest() records the reason and warns with it; the test then returns (or moves
// on to its next part). When every test that ran passed and one skipped, the test program
// exits with kSkipExitCode, which ctest reports as "Skipped" (SKIP_RETURN_CODE) and prints
// the reason. A failure anywhere still fails: a skip never hides one.
//
// With AWE_QUIET_MACHINE=1 in the environment (tests/main.cpp) such runs fail instead: the
// strict version for a quiet machine (ctest label quiet-machine; tools/awe test leaves it
// out unless AWE_QUIET_MACHINE=1).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace awe::test {

inline constexpr int kSkipExitCode = 77;

struct SkipState {
  bool strictTiming = false;
  std::vector<std::string> reasons;
};

inline SkipState& skipState() {
  static SkipState state;
  return state;
}

// True when a run spoiled by the machine's scheduling (JACK xruns) must fail the test
// (AWE_QUIET_MACHINE=1).
inline bool strictTiming() { return skipState().strictTiming; }

inline void skipTest(const std::string& reason) {
  skipState().reasons.push_back(reason);
  WARN("SKIPPED: " << reason);
}

// Runs of something the machine's timing can spoil (a JACK xrun, a wake-up milliseconds
// late): at most this many, and the test judges the last.
inline constexpr int kMachineTries = 3;

// Calls `run(attempt)` (attempt 1, 2, ...) until a run is clean, kMachineTries runs at most.
// `run` returns "" for a clean run, else how the machine spoiled it, which is warned with
// the attempt number. Under strictTiming() (a quiet machine) the first run is the one
// judged: nothing is retried away. Returns the last run's spoiler ("" when it was clean).
// A check that fails inside `run` still fails the test, whatever the later runs do.
template <class Run>
std::string runUntilClean(Run&& run) {
  std::string spoiled;
  for (int attempt = 1; attempt <= kMachineTries; ++attempt) {
    spoiled = run(attempt);
    if (spoiled.empty()) break;
    WARN("attempt " << attempt << " of " << kMachineTries << ": " << spoiled);
    if (strictTiming()) break;
  }
  return spoiled;
}

}  // namespace awe::test
