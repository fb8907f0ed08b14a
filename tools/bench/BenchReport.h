#pragma once
// awe-bench's reports: the text tables, the JSON document, the merged Perfetto trace and
// the CSV of buffer records (the last three through the monitor's writers), and the
// metrics a baseline stores.
#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "monitor/report/Baseline.h"
#include "tools/bench/BenchRun.h"

namespace awe::bench {

struct ScenarioRuns {
  std::string name;  // unique: scenario, plus "@bank" when several banks run
  std::string kind;
  std::string bank;
  std::vector<RunResult> runs;  // one per repetition
};

struct RampRuns {
  std::string name;  // "ramp@1024"
  uint32_t frames = 0;
  std::vector<RampResult> runs;
};

std::string formatScenarioTable(const std::vector<ScenarioRuns>& scenarios, Pace pace);
// Events, heap, adaptive decisions and injected buffers, per scenario.
std::string formatScenarioDetails(const std::vector<ScenarioRuns>& scenarios);
std::string formatRampTable(const std::vector<RampRuns>& ramps, const std::string& qualityDescription);
std::string formatComparison(const std::vector<ComparisonRow>& rows, double tolerance, double alpha);

nlohmann::json runToJson(const RunResult& run, bool withMonitor);
nlohmann::json rampToJson(const RampResult& ramp);

// Every run's trace (monitor/report/ReportTrace) in one file: each run is a process of its own,
// named "scenario #repetition", so the runs sit on separate tracks in Perfetto.
nlohmann::json mergedTrace(const std::vector<ScenarioRuns>& scenarios);
// The monitor's buffer CSV of every run, with the scenario, bank and repetition in front.
void writeMergedCsv(std::ostream& out, const std::vector<ScenarioRuns>& scenarios);

// The metrics a baseline keeps, one sample per repetition: ns per voice-sample, busy p50
// and p99 (us), times real time (freewheel only); per ramp: the voices held and the ns per
// voice-sample there.
std::vector<ScenarioResults> resultSets(const std::vector<ScenarioRuns>& scenarios, const std::vector<RampRuns>& ramps,
                                        Pace pace);

}  // namespace awe::bench
