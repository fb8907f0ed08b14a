#pragma once
// Trends over a folder of baselines (monitor/report/Baseline.h): awe-bench's --baseline-dir writes
// one result set per run, named by date and commit; --history reads them all back, puts
// them in commit order and follows every scenario's metrics from commit to commit.
//
// Order: by the commit's time (committer date, "commit_time"), else by when the results
// were taken ("created"); then by "created", then by file name. File times are never used.
//
// Each point of a trend is compared with the point before it by compareResults() — the
// same test as `awe-bench --baseline` — and a point where the verdict is a regression
// (worse than the previous point by more than the tolerance AND significant by the
// one-sided Mann-Whitney U test) is where a regression began. A step that stays is flagged
// once, at its first commit; a slow creep below the tolerance per step is not flagged.
#include <cstddef>
#include <string>
#include <vector>

#include "monitor/report/Baseline.h"

namespace awe {

// "<created as 20250131T120501Z>-<first 12 of the commit>[-dirty].json": sorts by date in
// a listing, says which commit, marks uncommitted changes.
std::string baselineFileName(const Baseline& baseline);

// Writes the baseline into `folder` (created if missing) under baselineFileName() (with
// "-2", "-3", ... before ".json" if that name is taken); sets `created` first when empty.
// Returns the path. Throws BaselineError.
std::string saveBaselineInFolder(Baseline baseline, const std::string& folder);

struct HistoryEntry {
  std::string path;
  Baseline baseline;
  // The commit's time, else the run's: what the entry is ordered and dated by.
  const std::string& date() const { return baseline.commitTime.empty() ? baseline.created : baseline.commitTime; }
};

struct BaselineHistory {
  std::vector<HistoryEntry> entries;  // in order
  std::vector<std::string> skipped;   // "<file>: <problem>" for each .json file that is not a usable baseline
};

// Every *.json file directly in `folder`. Throws BaselineError when the folder cannot be read.
BaselineHistory loadBaselineHistory(const std::string& folder);

struct TrendPoint {
  std::size_t entry = 0;  // index into BaselineHistory::entries
  std::size_t count = 0;  // samples (repetitions)
  double median = 0.0, min = 0.0, max = 0.0;
  bool hasPrevious = false;
  ComparisonRow vsPrevious;  // compareResults() of the previous point's samples and these
  bool regressionBegan = false;
};

struct Trend {
  std::string scenario;
  std::string metric;
  std::string unit;
  Better better = Better::Lower;
  std::vector<TrendPoint> points;  // the entries that have this scenario and metric, in order
};

// One trend per (scenario, metric), in the order they first appear.
std::vector<Trend> computeTrends(const BaselineHistory& history, const ComparisonSettings& settings = {});

// Notes about neighbouring entries that should not be compared blindly: another machine,
// or any of `settingKeys` different in "settings".
std::vector<std::string> historyNotes(const BaselineHistory& history, const std::vector<std::string>& settingKeys);

// The text tables: per trend, one row per point (commit, date, runs, median, min-max,
// change vs previous, p, verdict), "REGRESSION began here" where one began.
std::string formatTrends(const BaselineHistory& history, const std::vector<Trend>& trends,
                         const ComparisonSettings& settings);

struct TrendPlotOptions {
  std::string title = "awe-bench history";
  std::string subtitle;
  double panelWidth_px = 560.0;
  double panelHeight_px = 230.0;
  int columns = 2;  // panels per row (1 when there is only one trend)
};

// One panel per trend: the median per commit joined by a line, the min-max spread as a bar,
// the commits where a regression began in red with their short hash.
std::string trendPlotSvg(const BaselineHistory& history, const std::vector<Trend>& trends,
                         const TrendPlotOptions& options = {});

}  // namespace awe
