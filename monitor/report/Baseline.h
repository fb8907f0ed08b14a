#pragma once
// Baselines: benchmark results stored with the commit, the machine and the settings, and
// the comparison of a new set of results with a stored one.
//
// A result set is a list of scenarios, each with metrics, each metric with one sample per
// repetition. Comparing two sets pairs scenarios and metrics by name and judges each pair:
//   change      new median / old median - 1 (signed, in the metric's own unit)
//   slowdown    the same change turned so that positive means worse: for a "lower is
//               better" metric (ns per voice-sample) new/old - 1, for a "higher is better"
//               one (times real time, voices) old/new - 1
//   regression  slowdown > tolerance AND the new samples are worse than the old ones by
//               a one-sided Mann-Whitney U test at significance alpha
// With few repetitions the U test cannot reach a small p (3 against 3: 0.05 at best), so
// a regression needs enough repetitions on both sides (minimumPValue() says how small p
// can get); a large change on too few samples is reported as "worse (not significant)".
//
// File format (JSON; documented with awe-bench in tools/awe-bench.md):
//   {"kind": "awe-bench-baseline", "schema_version": 1, "created": "...", "commit": "...",
//    "commit_dirty": false, "commit_time": "..." (optional), "machine": {"cpu", "cores", "kernel"}, "settings": {...},
//    "scenarios": [{"name", "metrics": [{"name", "unit", "better": "lower"|"higher",
//                   "samples": [...]}], "repetitions": [{...}, ...]}]}
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "monitor/report/SampleStatistics.h"  // median

namespace awe {

// ---- Mann-Whitney U test ---------------------------------------------------------------

struct MannWhitneyResult {
  double u1 = 0.0;  // pairs (x_i, y_j) with x_i > y_j, ties counting one half
  double u2 = 0.0;  // n1 * n2 - u1
  // P-values. "greater": x tends to be larger than y; "less": smaller; two-sided: either.
  double pGreater = 1.0;
  double pLess = 1.0;
  double pTwoSided = 1.0;
  // Exact null distribution (no ties, both samples at most kExactLimit long); otherwise
  // the normal approximation with tie correction and continuity correction.
  bool exact = false;
};

constexpr std::size_t kMannWhitneyExactLimit = 50;

enum class MannWhitneyMethod {
  Auto,        // exact when it can be (see MannWhitneyResult::exact), else asymptotic
  Asymptotic,  // always the normal approximation
};

// [any thread] Throws std::invalid_argument when either sample is empty or holds a NaN.
MannWhitneyResult mannWhitneyU(const std::vector<double>& x, const std::vector<double>& y,
                               MannWhitneyMethod method = MannWhitneyMethod::Auto);

// The smallest one-sided p-value n1 against n2 samples can give (1 / C(n1+n2, n1)).
double minimumPValue(std::size_t n1, std::size_t n2);

// ---- result sets --------------------------------------------------------------------------

enum class Better { Lower, Higher };

struct MetricSamples {
  std::string name;  // "ns_per_voice_sample", "busy_p99_us", "times_real_time", ...
  std::string unit;  // "ns", "us", "x", "voices"
  Better better = Better::Lower;
  std::vector<double> samples;  // one per repetition
};

struct ScenarioResults {
  std::string name;
  std::vector<MetricSamples> metrics;
  nlohmann::json repetitions = nlohmann::json::array();  // each repetition's full results (kept as given)
};

struct MachineInfo {
  std::string cpu;     // model name from /proc/cpuinfo
  int cores = 0;       // logical CPUs online
  std::string kernel;  // uname: system, release, machine
};

// [any thread] This machine, as far as it can tell ("unknown" for what it cannot read).
MachineInfo describeMachine();

struct Baseline {
  std::string created;  // ISO 8601 UTC ("2025-01-31T12:05:01Z"): when the results were taken
  std::string commit = "unknown";
  bool commitDirty = false;
  std::string commitTime;  // ISO 8601 UTC of the commit (its committer date); "" when unknown
  MachineInfo machine;
  nlohmann::json settings = nlohmann::json::object();
  std::vector<ScenarioResults> scenarios;
};

constexpr int kBaselineSchemaVersion = 1;

// A baseline file that cannot be used: the message names the file and the field.
class BaselineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Now, or a Unix time, as ISO 8601 UTC ("2025-01-31T12:05:01Z").
std::string isoUtcNow();
std::string isoUtc(std::int64_t unixSeconds);

nlohmann::json baselineToJson(const Baseline& baseline);
// `source` names the file in error messages. Throws BaselineError.
Baseline baselineFromJson(const nlohmann::json& json, const std::string& source);
// Whole files. Throw BaselineError (unreadable, not JSON, wrong kind or schema, bad field).
Baseline loadBaseline(const std::string& path);
void saveBaseline(const Baseline& baseline, const std::string& path);

// ---- comparison ---------------------------------------------------------------------------

struct ComparisonSettings {
  double tolerance = 0.20;  // slowdown allowed before a change counts (0.20 = 20 %)
  double alpha = 0.05;      // significance level of the one-sided U test
};

enum class ComparisonVerdict {
  WithinTolerance,  // |slowdown| within the tolerance
  Regression,       // worse beyond the tolerance and significant
  WorseNotSignificant,
  Improvement,      // better beyond the tolerance and significant
  BetterNotSignificant,
  OnlyOld,          // the scenario or metric is missing from the new results
  OnlyNew,          // ... or from the baseline
};

const char* comparisonVerdictName(ComparisonVerdict verdict) noexcept;

struct ComparisonRow {
  std::string scenario;
  std::string metric;
  std::string unit;
  Better better = Better::Lower;
  std::size_t oldCount = 0, newCount = 0;
  double oldMedian = 0.0, newMedian = 0.0;
  double change = 0.0;    // new / old - 1
  double slowdown = 0.0;  // positive = worse
  double pWorse = 1.0;    // one-sided U test: the new samples are worse
  double pBetter = 1.0;   // one-sided U test: the new samples are better
  ComparisonVerdict verdict = ComparisonVerdict::WithinTolerance;
};

// [any thread] One row per (scenario, metric) in either set: the baseline's order, then
// what only the new set has.
std::vector<ComparisonRow> compareResults(const std::vector<ScenarioResults>& baseline,
                                          const std::vector<ScenarioResults>& current,
                                          const ComparisonSettings& settings = {});

bool anyRegression(const std::vector<ComparisonRow>& rows) noexcept;

}  // namespace awe
