// Trends over a folder of baselines (awe-bench --baseline-dir / --history): order, the
// commit where a regression began, noise that is not flagged, files that are skipped, the
// file names, and the SVG plot.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "monitor/report/BaselineHistory.h"
#include "support/ToolRun.h"
#include "support/XmlCheck.h"

using namespace awe;
using awe::test::freshFolder;
namespace fs = std::filesystem;

namespace {

std::string commitHash(int i) {
  std::string hash;
  for (int k = 0; k < 40; ++k) hash += "0123456789abcdef"[(i * 7 + k * 3 + (k == 0 ? i : 0)) % 16];
  return hash;
}

// One result set: "sustained-32" with a lower-is-better and a higher-is-better metric,
// `repetitions` samples each around `level` (1.0 = the usual speed; 1.4 = 40 % slower),
// spread uniformly by +-noise.
Baseline resultSet(int commit, double level, double noise, std::mt19937& random, int repetitions = 5) {
  std::uniform_real_distribution<double> jitter(1.0 - noise, 1.0 + noise);
  Baseline b;
  b.commit = commitHash(commit);
  b.commitTime = "2025-01-" + std::string(commit + 1 < 10 ? "0" : "") + std::to_string(commit + 1) + "T09:00:00Z";
  // Taken in the opposite order of the commits (a backfill): the order must follow the commits.
  b.created = "2025-03-" + std::string(28 - commit < 10 ? "0" : "") + std::to_string(28 - commit) + "T10:00:00Z";
  b.machine = {"test cpu", 2, "test kernel"};
  b.settings = {{"pace", "freewheel"}, {"buffer_frames", 1024}};
  ScenarioResults s;
  s.name = "sustained-32";
  MetricSamples ns{"ns_per_voice_sample", "ns", Better::Lower, {}};
  MetricSamples speed{"times_real_time", "x", Better::Higher, {}};
  for (int r = 0; r < repetitions; ++r) {
    ns.samples.push_back(3.3 * level * jitter(random));
    speed.samples.push_back(90.0 / level * jitter(random));
  }
  s.metrics = {ns, speed};
  b.scenarios = {s};
  return b;
}

// Saved under names that sort against the commit order, so only the recorded times can order them.
void save(const Baseline& b, const std::string& folder, int index) {
  saveBaseline(b, (fs::path(folder) / ("z" + std::to_string(100 - index) + ".json")).string());
}

std::vector<std::size_t> flaggedEntries(const Trend& trend) {
  std::vector<std::size_t> flagged;
  for (const TrendPoint& p : trend.points) {
    if (p.regressionBegan) flagged.push_back(p.entry);
  }
  return flagged;
}

}  // namespace

TEST_CASE("a step change is flagged at the commit where it began, and only there", "[baseline][history]") {
  const std::string folder = freshFolder("history-tests", "step");
  std::mt19937 random(7);
  constexpr int kCommits = 7, kStep = 4;
  for (int i = 0; i < kCommits; ++i) save(resultSet(i, i >= kStep ? 1.4 : 1.0, 0.03, random), folder, i);

  const BaselineHistory history = loadBaselineHistory(folder);
  CHECK(history.skipped.empty());
  REQUIRE(history.entries.size() == kCommits);
  for (int i = 0; i < kCommits; ++i) CHECK(history.entries[static_cast<std::size_t>(i)].baseline.commit == commitHash(i));

  const std::vector<Trend> trends = computeTrends(history);
  REQUIRE(trends.size() == 2);
  CHECK(trends[0].metric == "ns_per_voice_sample");
  CHECK(trends[1].metric == "times_real_time");
  for (const Trend& trend : trends) {
    INFO(trend.metric);
    REQUIRE(trend.points.size() == kCommits);
    CHECK_FALSE(trend.points[0].hasPrevious);
    CHECK(flaggedEntries(trend) == std::vector<std::size_t>{kStep});
    const ComparisonRow& step = trend.points[kStep].vsPrevious;
    CHECK(step.verdict == ComparisonVerdict::Regression);
    CHECK(step.slowdown == Approx(0.4).margin(0.1));
    CHECK(step.pWorse < 0.05);
    // After the step the level stays: compared with its neighbour, nothing more happened.
    for (int i = kStep + 1; i < kCommits; ++i) CHECK(trend.points[static_cast<std::size_t>(i)].vsPrevious.verdict == ComparisonVerdict::WithinTolerance);
  }

  const std::string text = formatTrends(history, trends, {});
  const std::string flaggedRow = commitHash(kStep).substr(0, 12);
  const auto row = text.find(flaggedRow);
  REQUIRE(row != std::string::npos);
  CHECK(text.substr(row, text.find('\n', row) - row).find("REGRESSION began here") != std::string::npos);
  CHECK(text.find("regression began at:\n  " + flaggedRow + " (sustained-32 ns_per_voice_sample +") != std::string::npos);
}

TEST_CASE("noise and changes within the tolerance flag nothing", "[baseline][history]") {
  // Samples within +-4 % and a real but small step (+8 %) at commit 3: no two medians can
  // differ by 20 % (at most 1.08 x 1.04 / 0.96 = +17 %), whatever the random draws.
  const std::string folder = freshFolder("history-tests", "noise");
  std::mt19937 random(11);
  for (int i = 0; i < 8; ++i) save(resultSet(i, i >= 3 ? 1.08 : 1.0, 0.04, random), folder, i);
  const BaselineHistory history = loadBaselineHistory(folder);
  REQUIRE(history.entries.size() == 8);
  const std::vector<Trend> trends = computeTrends(history);
  for (const Trend& trend : trends) {
    INFO(trend.metric);
    CHECK(flaggedEntries(trend).empty());
  }
  CHECK(formatTrends(history, trends, {}).find("no regression began in this history") != std::string::npos);
}

TEST_CASE("the tolerance decides which significant steps count", "[baseline][history]") {
  // +-1 % noise (neighbours differ by 2 % at most) and an 8 % step at commit 3 (at least
  // 1.08 x 0.99 / 1.01 = +5.9 %, every sample beyond the old ones: p = 1/252).
  const std::string folder = freshFolder("history-tests", "tolerance");
  std::mt19937 random(17);
  for (int i = 0; i < 6; ++i) save(resultSet(i, i >= 3 ? 1.08 : 1.0, 0.01, random), folder, i);
  const BaselineHistory history = loadBaselineHistory(folder);
  for (const Trend& trend : computeTrends(history)) CHECK(flaggedEntries(trend).empty());
  ComparisonSettings strict;
  strict.tolerance = 0.05;
  for (const Trend& trend : computeTrends(history, strict)) {
    INFO(trend.metric);
    CHECK(flaggedEntries(trend) == std::vector<std::size_t>{3});
  }
}

TEST_CASE("too few repetitions cannot flag a step, and the table says why", "[baseline][history]") {
  const std::string folder = freshFolder("history-tests", "few");
  std::mt19937 random(5);
  for (int i = 0; i < 4; ++i) save(resultSet(i, i >= 2 ? 1.6 : 1.0, 0.02, random, 3), folder, i);
  const BaselineHistory history = loadBaselineHistory(folder);
  const std::vector<Trend> trends = computeTrends(history);
  REQUIRE_FALSE(trends.empty());
  CHECK(flaggedEntries(trends[0]).empty());
  CHECK(trends[0].points[2].vsPrevious.verdict == ComparisonVerdict::WorseNotSignificant);
  CHECK(formatTrends(history, trends, {}).find("too few repetitions") != std::string::npos);
}

TEST_CASE("files that are not usable result sets are reported by name and skipped", "[baseline][history]") {
  const std::string folder = freshFolder("history-tests", "malformed");
  std::mt19937 random(3);
  for (int i = 0; i < 3; ++i) save(resultSet(i, 1.0, 0.02, random), folder, i);
  std::ofstream(fs::path(folder) / "truncated.json") << R"({"kind": "awe-bench-baseline", "schema_version": 1, "scen)";
  std::ofstream(fs::path(folder) / "report.json") << R"({"kind": "awe-bench-report", "schema_version": 1})";
  std::ofstream(fs::path(folder) / "bad-sample.json")
      << R"({"kind": "awe-bench-baseline", "schema_version": 1, "scenarios": [{"name": "s", "metrics": [)"
      << R"({"name": "m", "better": "lower", "samples": [1.0, "fast"]}]}]})";
  std::ofstream(fs::path(folder) / "notes.txt") << "not JSON, not looked at";

  const BaselineHistory history = loadBaselineHistory(folder);
  CHECK(history.entries.size() == 3);
  REQUIRE(history.skipped.size() == 3);
  const auto skipped = [&](const std::string& file, const std::string& problem) {
    return std::any_of(history.skipped.begin(), history.skipped.end(), [&](const std::string& s) {
      return s.find(file) != std::string::npos && s.find(problem) != std::string::npos;
    });
  };
  CHECK(skipped("truncated.json", "not valid JSON at byte"));
  CHECK(skipped("report.json", "not an awe-bench baseline"));
  CHECK(skipped("bad-sample.json", "scenarios[0].metrics[0].samples[1]"));
  CHECK(computeTrends(history).size() == 2);

  CHECK_THROWS_AS(loadBaselineHistory(folder + "/no-such-folder"), BaselineError);
}

TEST_CASE("without commit times the history is ordered by when the results were taken", "[baseline][history]") {
  const std::string folder = freshFolder("history-tests", "created");
  std::mt19937 random(9);
  for (int i = 0; i < 3; ++i) {
    Baseline b = resultSet(i, 1.0, 0.02, random);
    b.commitTime.clear();
    b.created = "2025-04-0" + std::to_string(i + 1) + "T08:00:00Z";
    save(b, folder, i);
  }
  const BaselineHistory history = loadBaselineHistory(folder);
  REQUIRE(history.entries.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(history.entries[static_cast<std::size_t>(i)].baseline.commit == commitHash(i));
    CHECK(history.entries[static_cast<std::size_t>(i)].date() == history.entries[static_cast<std::size_t>(i)].baseline.created);
  }
}

TEST_CASE("baselines saved in a folder are named by date and commit and never overwritten", "[baseline][history]") {
  const std::string folder = freshFolder("history-tests", "names") + "/made/on/demand";
  std::mt19937 random(1);
  Baseline b = resultSet(0, 1.0, 0.02, random);
  b.created = "2025-01-31T12:05:01Z";
  CHECK(baselineFileName(b) == "20250131T120501Z-" + commitHash(0).substr(0, 12) + ".json");
  const std::string first = saveBaselineInFolder(b, folder);
  const std::string second = saveBaselineInFolder(b, folder);
  CHECK(fs::path(first).filename() == baselineFileName(b));
  CHECK(fs::path(second).filename() == "20250131T120501Z-" + commitHash(0).substr(0, 12) + "-2.json");
  b.commitDirty = true;
  CHECK(fs::path(saveBaselineInFolder(b, folder)).filename() ==
        "20250131T120501Z-" + commitHash(0).substr(0, 12) + "-dirty.json");
  b.commit = "unknown";
  b.commitDirty = false;
  b.created.clear();  // filled in when saved
  const std::string unknown = fs::path(saveBaselineInFolder(b, folder)).filename().string();
  CHECK(unknown.size() == std::string("20250131T120501Z-unknown.json").size());
  CHECK(unknown.find("Z-unknown.json") != std::string::npos);

  const Baseline loaded = loadBaseline(first);
  CHECK(loaded.commitTime == "2025-01-01T09:00:00Z");
  CHECK(loaded.created == "2025-01-31T12:05:01Z");
  CHECK(isoUtc(0) == "1970-01-01T00:00:00Z");
  CHECK(isoUtc(1738325101) == "2025-01-31T12:05:01Z");
}

TEST_CASE("neighbours from another machine or with other settings are noted", "[baseline][history]") {
  const std::string folder = freshFolder("history-tests", "notes");
  std::mt19937 random(2);
  for (int i = 0; i < 3; ++i) {
    Baseline b = resultSet(i, 1.0, 0.02, random);
    if (i == 1) b.settings["buffer_frames"] = 256;
    if (i == 2) b.machine.cpu = "another cpu";
    save(b, folder, i);
  }
  const BaselineHistory history = loadBaselineHistory(folder);
  const std::vector<std::string> notes = historyNotes(history, {"pace", "buffer_frames"});
  REQUIRE(notes.size() == 3);  // 1: settings; 2: machine and settings (back to 1024)
  CHECK(notes[0].find("other settings than the entry before it: buffer_frames") != std::string::npos);
  CHECK(notes[1].find("another machine") != std::string::npos);
}

TEST_CASE("the history plot is well-formed SVG with the commit where a regression began in red", "[baseline][history]") {
  const std::string folder = freshFolder("history-tests", "plot");
  std::mt19937 random(13);
  for (int i = 0; i < 6; ++i) {
    Baseline b = resultSet(i, i >= 3 ? 1.5 : 1.0, 0.03, random);
    if (i == 5) b.commitDirty = true;
    b.scenarios.front().name = "storm <&> \"quoted\"";  // names are escaped
    save(b, folder, i);
  }
  const BaselineHistory history = loadBaselineHistory(folder);
  const std::vector<Trend> trends = computeTrends(history);
  TrendPlotOptions options;
  options.title = "history of a folder & <its> files";
  const std::string svg = trendPlotSvg(history, trends, options);
  CHECK(awe::test::xmlWellFormedError(svg).empty());
  INFO(awe::test::xmlWellFormedError(svg));
  const std::string path = folder + "/history.svg";
  std::ofstream(path) << svg;
  CHECK(awe::test::xmllintError(path).empty());

  std::size_t panels = 0;
  for (auto at = svg.find("class=\"panel-title\""); at != std::string::npos; at = svg.find("class=\"panel-title\"", at + 1)) {
    ++panels;
  }
  CHECK(panels == trends.size());
  const std::string flagged = commitHash(3).substr(0, 8);
  CHECK(svg.find("class=\"commit flagged\"") != std::string::npos);
  CHECK(svg.find(">" + flagged + "</text>") != std::string::npos);           // the axis label, red
  CHECK(svg.find(">" + flagged + " +") != std::string::npos);                // the flag above the point
  CHECK(svg.find(">" + commitHash(5).substr(0, 8) + "*</text>") != std::string::npos);  // dirty
  CHECK(svg.find("storm &lt;&amp;&gt; &quot;quoted&quot;") != std::string::npos);
  // Nothing in red where no regression began.
  CHECK(svg.find(">" + commitHash(4).substr(0, 8) + " +") == std::string::npos);

  // An empty history still makes a document.
  CHECK(awe::test::xmlWellFormedError(trendPlotSvg(BaselineHistory{}, {}, {})).empty());
}

TEST_CASE("the well-formedness check finds what is wrong", "[baseline][history]") {
  using awe::test::xmlWellFormedError;
  CHECK(xmlWellFormedError("<?xml version=\"1.0\"?>\n<svg a=\"1\"><g><title>x &amp; y</title></g><![CDATA[<>]]></svg>\n").empty());
  CHECK_FALSE(xmlWellFormedError("<svg><g></svg>").empty());
  CHECK_FALSE(xmlWellFormedError("<svg a=\"1\" a=\"2\"/>").empty());
  CHECK_FALSE(xmlWellFormedError("<svg>a & b</svg>").empty());
  CHECK_FALSE(xmlWellFormedError("<svg a=\"<\"/>").empty());
  CHECK_FALSE(xmlWellFormedError("<svg/><svg/>").empty());
  CHECK_FALSE(xmlWellFormedError("<svg><text>unclosed</svg>").empty());
  CHECK_FALSE(xmlWellFormedError("<svg a=1/>").empty());
}
