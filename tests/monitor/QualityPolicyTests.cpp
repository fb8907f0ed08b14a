// The adaptive quality policy driven by synthetic statistics streams.
#include <catch2/catch.hpp>

#include "monitor/QualityPolicy.h"

using namespace awe;

namespace {

// Runs the policy every 100 ms over a load profile; returns the level after each step.
struct Run {
  QualityPolicyConfig config;
  QualityState state;
  std::vector<int> levels;
  std::vector<double> changeTimes;
  uint64_t misses = 0;

  void step(double t, double smoothed, double worst, uint64_t newMisses = 0) {
    misses += newMisses;
    QualityInputs in;
    in.time_s = t;
    in.smoothedLoad = smoothed;
    in.windowWorstLoad = worst;
    in.deadlineMisses = misses;
    const QualityDecision d = evaluateQualityPolicy(config, state, in);
    if (d.changed) {
      changeTimes.push_back(t);
      CHECK(!d.reason.empty());
      CHECK(std::abs(d.to - d.from) == 1);
    }
    state = d.state;
    levels.push_back(state.level);
  }
};

}  // namespace

TEST_CASE("policy steps down within one evaluation of a deadline miss", "[monitor][quality]") {
  Run run;
  run.step(0.0, 0.3, 0.3);
  run.step(0.1, 0.3, 0.3, 1);
  CHECK(run.levels.back() == 1);
  run.step(0.2, 0.3, 0.4, 2);
  CHECK(run.levels.back() == 2);
  run.step(0.3, 0.3, 0.4, 5);
  run.step(0.4, 0.3, 0.4, 5);
  CHECK(run.levels.back() == 3);  // never below Low
}

TEST_CASE("policy steps down on sustained overload, after its hold", "[monitor][quality]") {
  Run run;
  double t = 0.0;
  for (; t < 0.45; t += 0.1) run.step(t, 0.95, 0.99);
  CHECK(run.levels.back() == 0);  // not yet: 0.4 s < 0.5 s hold
  run.step(t, 0.95, 0.99);        // 0.5 s of overload
  CHECK(run.levels.back() == 1);
  // A short spike does nothing.
  Run spike;
  spike.step(0.0, 0.3, 0.3);
  spike.step(0.1, 0.9, 0.9);
  spike.step(0.2, 0.9, 0.9);
  spike.step(0.3, 0.3, 0.9);
  CHECK(spike.levels.back() == 0);
}

TEST_CASE("policy returns to Maximum after the load falls, never flipping faster than its hold", "[monitor][quality]") {
  Run run;
  double t = 0.0;
  // Overload for 3 s: steps down (every 0.5 s at most) to Low.
  for (; t < 3.0; t += 0.1) run.step(t, 0.97, 1.0);
  CHECK(run.levels.back() == 3);
  // Then light load: back up one level per hold time.
  for (; t < 40.0; t += 0.1) run.step(t, 0.2, 0.25);
  CHECK(run.levels.back() == 0);
  // Consecutive changes are at least a hold apart: the step-down hold going down, the
  // step-up hold before any step up.
  REQUIRE(run.changeTimes.size() == 6);
  for (size_t i = 1; i < run.changeTimes.size(); ++i) {
    const double gap = run.changeTimes[i] - run.changeTimes[i - 1];
    const double hold = i < 3 ? run.config.stepDownHold_s : run.config.stepUpHold_s;
    CHECK(gap >= hold - 1e-9);
  }
}

TEST_CASE("policy does not oscillate on a load between its thresholds or around one", "[monitor][quality]") {
  Run run;
  double t = 0.0;
  for (; t < 1.0; t += 0.1) run.step(t, 0.95, 0.99);  // one step down
  const size_t changesAfterOverload = run.changeTimes.size();
  // Load hovering in the hysteresis band: no change at all for a minute.
  for (; t < 60.0; t += 0.1) run.step(t, 0.7, 0.8);
  CHECK(run.changeTimes.size() == changesAfterOverload);
  // A load that alternates around the down threshold every 0.3 s never holds long enough.
  Run alternating;
  for (double u = 0.0; u < 30.0; u += 0.1) {
    const bool high = static_cast<int>(u / 0.3) % 2 == 0;
    alternating.step(u, high ? 0.9 : 0.6, 0.9);
  }
  CHECK(alternating.changeTimes.empty());
}

TEST_CASE("policy ignores misses that happened before it started", "[monitor][quality]") {
  Run run;
  run.misses = 17;
  run.step(0.0, 0.2, 0.2);
  CHECK(run.levels.back() == 0);
}

TEST_CASE("policy keeps quality on a driver xrun at low load, and steps down on one at high load",
          "[monitor][quality]") {
  QualityPolicyConfig config;
  QualityState state;
  QualityInputs in;
  in.time_s = 0.0;
  in.smoothedLoad = 0.05;
  in.windowWorstLoad = 0.06;
  state = evaluateQualityPolicy(config, state, in).state;

  // One xrun while the worst buffer in the window used 6 % of its budget: the driver's or
  // the machine's doing. Noted with its reason, level kept.
  in.time_s = 0.1;
  in.xruns = 1;
  QualityDecision d = evaluateQualityPolicy(config, state, in);
  CHECK_FALSE(d.changed);
  CHECK(d.noted);
  CHECK(d.state.level == 0);
  CHECK(d.reason.find("not DSP: quality kept") != std::string::npos);
  CHECK(d.reason.find("6 %") != std::string::npos);
  state = d.state;

  // Nothing new: nothing noted again.
  in.time_s = 0.2;
  d = evaluateQualityPolicy(config, state, in);
  CHECK_FALSE(d.noted);
  CHECK_FALSE(d.changed);
  state = d.state;

  // An xrun while the synth was using 90 % of the budget: one level down.
  in.time_s = 0.3;
  in.smoothedLoad = 0.6;
  in.windowWorstLoad = 0.9;
  in.xruns = 2;
  d = evaluateQualityPolicy(config, state, in);
  CHECK(d.changed);
  CHECK(d.to == 1);
  CHECK(d.reason.find("xrun") != std::string::npos);
  state = d.state;

  // A deadline miss is always the synth's, whatever the window says.
  in.time_s = 0.4;
  in.windowWorstLoad = 0.1;
  in.deadlineMisses = 1;
  d = evaluateQualityPolicy(config, state, in);
  CHECK(d.changed);
  CHECK(d.to == 2);
}
