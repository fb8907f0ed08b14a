#pragma once
// The adaptive quality policy: a pure function from monitor statistics (and the policy's
// own small state) to a quality level, 0 = Maximum ... levels-1 = Low. The engine knows
// what each level means; the policy only says when to step.
//
// Rules, evaluated in this order each time it runs (the dashboard: every ~100 ms):
//   1. any new deadline miss, or a new driver xrun while the window-worst load is at or
//      above xrunDspLoad                               -> one level down at once
//      (an xrun at low load is the driver's or the machine's, not the synth's: lowering
//      quality cannot help it, so it is only noted: "not DSP: quality kept")
//   2. smoothed load >= stepDownLoad for stepDownHold_s -> one level down
//   3. window-worst load <= stepUpLoad for stepUpHold_s, and stepUpHold_s since the last
//      change                                           -> one level up
// It cannot oscillate: the up threshold sits well below the down threshold, and a step up
// needs the load to have stayed low for a whole hold time after the last change.
#include <cstdint>
#include <limits>
#include <string>

namespace awe {

struct QualityPolicyConfig {
  int levels = 4;
  double stepDownLoad = 0.85;  // fraction of the buffer budget
  double stepDownHold_s = 0.5;
  double stepUpLoad = 0.50;
  double stepUpHold_s = 5.0;
  double xrunDspLoad = 0.50;   // an xrun counts against the synth only at this window-worst load
};

// What the policy reads from the monitor (a Snapshot has all of it).
struct QualityInputs {
  double time_s = 0.0;            // when the statistics were taken (any monotonic clock)
  double smoothedLoad = 0.0;
  double windowWorstLoad = 0.0;
  uint64_t deadlineMisses = 0;    // cumulative
  uint64_t xruns = 0;             // cumulative
};

struct QualityState {
  int level = 0;
  static constexpr double kNever = -std::numeric_limits<double>::infinity();
  double highSince_s = kNever;    // start of the current run of high load, kNever if none
  double lowSince_s = kNever;     // start of the current run of low load, kNever if none
  double lastChange_s = kNever;
  uint64_t missesSeen = 0;
  uint64_t xrunsSeen = 0;
  bool started = false;
};

struct QualityDecision {
  QualityState state;     // pass it to the next evaluation
  bool changed = false;
  bool noted = false;     // no change, but worth logging (an xrun that was not the synth's)
  int from = 0, to = 0;
  std::string reason;     // why it changed or was noted (empty otherwise)
};

// [any thread] Pure: the same inputs give the same decision.
QualityDecision evaluateQualityPolicy(const QualityPolicyConfig& config, const QualityState& state,
                                      const QualityInputs& inputs);

}  // namespace awe
