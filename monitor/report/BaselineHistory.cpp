#include "monitor/report/BaselineHistory.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "monitor/report/Svg.h"

namespace awe {
namespace fs = std::filesystem;

namespace {

std::string shortCommit(const std::string& commit, std::size_t length) {
  return commit.size() > length ? commit.substr(0, length) : commit;
}

// printf into a std::string.
template <typename... Args>
std::string format(const char* pattern, Args... args) {
  char text[512];
  std::snprintf(text, sizeof text, pattern, args...);
  return text;
}

std::string padRight(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string padLeft(const std::string& text, std::size_t width) {
  return text.size() < width ? std::string(width - text.size(), ' ') + text : text;
}

std::string value4(double v) { return format("%.4g", v); }

const char* betterWord(Better better) { return better == Better::Lower ? "lower" : "higher"; }

const MetricSamples* findMetric(const Baseline& baseline, const std::string& scenario, const std::string& metric,
                                const ScenarioResults** scenarioOut = nullptr) {
  for (const ScenarioResults& s : baseline.scenarios) {
    if (s.name != scenario) continue;
    for (const MetricSamples& m : s.metrics) {
      if (m.name == metric) {
        if (scenarioOut != nullptr) *scenarioOut = &s;
        return &m;
      }
    }
  }
  return nullptr;
}

}  // namespace

// ---- files ------------------------------------------------------------------------------------

std::string baselineFileName(const Baseline& baseline) {
  std::string date;
  for (char c : baseline.created) {
    if (c != '-' && c != ':') date += c;  // 2025-01-31T12:05:01Z -> 20250131T120501Z
  }
  if (date.empty()) date = "undated";
  std::string commit = shortCommit(baseline.commit.empty() ? "unknown" : baseline.commit, 12);
  for (char& c : commit) {
    if (c == '/' || c == '\\' || c == '.') c = '_';
  }
  return date + "-" + commit + (baseline.commitDirty ? "-dirty" : "") + ".json";
}

std::string saveBaselineInFolder(Baseline baseline, const std::string& folder) {
  if (baseline.created.empty()) baseline.created = isoUtcNow();
  std::error_code error;
  fs::create_directories(folder, error);
  if (error || !fs::is_directory(folder)) {
    throw BaselineError(folder + ": cannot make the baseline folder" + (error ? ": " + error.message() : ""));
  }
  const std::string name = baselineFileName(baseline);
  const std::string stem = name.substr(0, name.size() - 5);  // without ".json"
  fs::path path = fs::path(folder) / name;
  for (int n = 2; fs::exists(path); ++n) {
    if (n > 1000) throw BaselineError(folder + ": too many baselines named " + name);
    path = fs::path(folder) / (stem + "-" + std::to_string(n) + ".json");
  }
  saveBaseline(baseline, path.string());
  return path.string();
}

BaselineHistory loadBaselineHistory(const std::string& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) throw BaselineError(folder + ": not a folder of baselines");
  std::vector<std::string> files;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".json" && it->is_regular_file(error)) files.push_back(it->path().string());
  }
  if (error) throw BaselineError(folder + ": cannot list the folder: " + error.message());
  std::sort(files.begin(), files.end());

  BaselineHistory history;
  for (const std::string& file : files) {
    try {
      history.entries.push_back({file, loadBaseline(file)});
    } catch (const BaselineError& e) {
      history.skipped.push_back(e.what());  // the message starts with the file's name
    }
  }
  std::stable_sort(history.entries.begin(), history.entries.end(), [](const HistoryEntry& a, const HistoryEntry& b) {
    if (a.date() != b.date()) return a.date() < b.date();
    if (a.baseline.created != b.baseline.created) return a.baseline.created < b.baseline.created;
    return a.path < b.path;
  });
  return history;
}

// ---- trends -----------------------------------------------------------------------------------

std::vector<Trend> computeTrends(const BaselineHistory& history, const ComparisonSettings& settings) {
  std::vector<Trend> trends;
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (const HistoryEntry& entry : history.entries) {
    for (const ScenarioResults& s : entry.baseline.scenarios) {
      for (const MetricSamples& m : s.metrics) {
        if (index.count({s.name, m.name}) > 0) continue;
        index[{s.name, m.name}] = trends.size();
        Trend t;
        t.scenario = s.name;
        t.metric = m.name;
        t.unit = m.unit;
        t.better = m.better;
        trends.push_back(std::move(t));
      }
    }
  }
  for (Trend& trend : trends) {
    const MetricSamples* previous = nullptr;
    for (std::size_t e = 0; e < history.entries.size(); ++e) {
      const MetricSamples* now = findMetric(history.entries[e].baseline, trend.scenario, trend.metric);
      if (now == nullptr || now->samples.empty()) continue;
      TrendPoint point;
      point.entry = e;
      point.count = now->samples.size();
      point.median = median(now->samples);
      point.min = *std::min_element(now->samples.begin(), now->samples.end());
      point.max = *std::max_element(now->samples.begin(), now->samples.end());
      if (previous != nullptr) {
        // The comparison of `awe-bench --baseline`, one scenario and metric at a time.
        const std::vector<ComparisonRow> rows =
            compareResults({ScenarioResults{trend.scenario, {*previous}, {}}}, {ScenarioResults{trend.scenario, {*now}, {}}},
                           settings);
        if (!rows.empty()) {
          point.hasPrevious = true;
          point.vsPrevious = rows.front();
          point.regressionBegan = rows.front().verdict == ComparisonVerdict::Regression;
        }
      }
      trend.points.push_back(point);
      previous = now;
    }
  }
  return trends;
}

std::vector<std::string> historyNotes(const BaselineHistory& history, const std::vector<std::string>& settingKeys) {
  std::vector<std::string> notes;
  for (std::size_t i = 1; i < history.entries.size(); ++i) {
    const Baseline& a = history.entries[i - 1].baseline;
    const Baseline& b = history.entries[i].baseline;
    const std::string who = fs::path(history.entries[i].path).filename().string();
    if (a.machine.cpu != b.machine.cpu || a.machine.cores != b.machine.cores) {
      notes.push_back(who + " ran on another machine than the entry before it (" + b.machine.cpu + ", " +
                      std::to_string(b.machine.cores) + " cores)");
    }
    std::string keys;
    for (const std::string& key : settingKeys) {
      const bool inA = a.settings.is_object() && a.settings.contains(key);
      const bool inB = b.settings.is_object() && b.settings.contains(key);
      if (inA != inB || (inA && a.settings[key] != b.settings[key])) keys += (keys.empty() ? "" : ", ") + key;
    }
    if (!keys.empty()) notes.push_back(who + " ran with other settings than the entry before it: " + keys);
  }
  return notes;
}

std::string formatTrends(const BaselineHistory& history, const std::vector<Trend>& trends,
                         const ComparisonSettings& settings) {
  std::string text;
  std::size_t tooFew = 0, pairs = 0;
  std::size_t fewestA = 0, fewestB = 0;
  std::vector<std::string> began;
  for (const Trend& trend : trends) {
    text += format("\n%s: %s (%s, %s is better)\n", trend.scenario.c_str(), trend.metric.c_str(), trend.unit.c_str(),
                   betterWord(trend.better));
    text += "  " + padRight("commit", 14) + padRight("date", 22) + padLeft("runs", 5) + padLeft("median", 12) +
            padLeft("min-max", 22) + padLeft("change", 10) + padLeft("p", 9) + "  verdict\n";
    for (const TrendPoint& p : trend.points) {
      const Baseline& b = history.entries[p.entry].baseline;
      const std::string commit = shortCommit(b.commit, 12) + (b.commitDirty ? "*" : "");
      std::string change = "-", pValue = "-", verdict = "first";
      if (p.hasPrevious) {
        const ComparisonRow& r = p.vsPrevious;
        change = std::isfinite(r.change) ? format("%+.1f%%", 100.0 * r.change) : "inf";
        pValue = format("%.3g", std::min(r.pWorse, r.pBetter));
        verdict = p.regressionBegan ? "REGRESSION began here" : comparisonVerdictName(r.verdict);
        ++pairs;
        if (minimumPValue(r.oldCount, r.newCount) >= settings.alpha) {
          if (tooFew == 0 || r.oldCount * r.newCount < fewestA * fewestB) {
            fewestA = r.oldCount;
            fewestB = r.newCount;
          }
          ++tooFew;
        }
        if (p.regressionBegan) {
          began.push_back(format("%s (%s %s %s)", commit.c_str(), trend.scenario.c_str(), trend.metric.c_str(),
                                 change.c_str()));
        }
      }
      text += "  " + padRight(commit, 14) + padRight(history.entries[p.entry].date(), 22) +
              padLeft(std::to_string(p.count), 5) + padLeft(value4(p.median), 12) +
              padLeft(value4(p.min) + "-" + value4(p.max), 22) + padLeft(change, 10) + padLeft(pValue, 9) + "  " +
              verdict + "\n";
    }
  }
  text += "\n";
  if (tooFew > 0) {
    text += format(
        "note: %zu of %zu comparisons had too few repetitions to be significant (%zu against %zu: p >= %.3g at best); "
        "save baselines with --repeat 5\n",
        tooFew, pairs, fewestA, fewestB, minimumPValue(fewestA, fewestB));
  }
  if (began.empty()) {
    text += "no regression began in this history\n";
  } else {
    text += "regression began at:\n";
    for (const std::string& b : began) text += "  " + b + "\n";
  }
  text += "(* = results of a tree with uncommitted changes)\n";
  return text;
}

// ---- plot -------------------------------------------------------------------------------------

namespace {

// Ticks at 1, 2 or 5 times a power of ten, about `count` of them from 0 (or below) to `hi`.
double niceStep(double range, int count) {
  if (!(range > 0.0)) return 1.0;
  const double raw = range / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10.0 * power;
}

std::string tickLabel(double value, double step) {
  if (std::fabs(value) < step * 1e-6) return "0";
  // As many decimals as the step needs (2.5 needs one, 20 none).
  int decimals = 0;
  while (decimals < 6) {
    const double scaled = step * std::pow(10.0, decimals);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * scaled) break;
    ++decimals;
  }
  if (std::fabs(value) >= 1e6 || std::fabs(value) < 1e-4) return format("%.3g", value);
  return format("%.*f", decimals, value);
}

constexpr const char* kMedianColour = "#1f5fa8";
constexpr const char* kSpreadColour = "#8aa9cf";
constexpr const char* kRegressionColour = "#d62728";
constexpr const char* kGridColour = "#e3e3e3";

void drawPanel(SvgWriter& svg, const BaselineHistory& history, const Trend& trend, double left, double top,
               const TrendPlotOptions& options) {
  const double width = options.panelWidth_px, height = options.panelHeight_px;
  const double plotLeft = left + 62.0, plotRight = left + width - 14.0;
  const double plotTop = top + 30.0, plotBottom = top + height - 56.0;
  svg.rect(left + 4.0, top + 4.0, width - 8.0, height - 8.0,
           svgAttribute("fill", "#ffffff") + svgAttribute("stroke", "#c8c8c8") + svgAttribute("rx", 4.0));
  svg.text(left + 14.0, top + 20.0, trend.scenario + ": " + trend.metric,
           svgAttribute("class", "panel-title"));
  svg.text(plotRight, top + 20.0, trend.unit + ", " + betterWord(trend.better) + " is better",
           svgAttribute("class", "small") + svgAttribute("text-anchor", "end"));

  double lo = 0.0, hi = 0.0;
  bool first = true;
  for (const TrendPoint& p : trend.points) {
    lo = first ? p.min : std::min(lo, p.min);
    hi = first ? p.max : std::max(hi, p.max);
    first = false;
  }
  lo = std::min(lo, 0.0);  // from zero: a 20 % step looks like 20 % of the height
  if (!(hi > lo)) hi = lo + 1.0;
  const double step = niceStep(hi - lo, 4);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi * 1.04 / step) * step;
  const auto y = [&](double v) { return plotBottom - (v - lo) / (hi - lo) * (plotBottom - plotTop); };
  const std::size_t n = std::max<std::size_t>(1, history.entries.size());
  const double slot = (plotRight - plotLeft) / static_cast<double>(n);
  const auto x = [&](std::size_t entry) { return plotLeft + (static_cast<double>(entry) + 0.5) * slot; };

  for (double v = lo; v <= hi + step * 0.5; v += step) {
    svg.line(plotLeft, y(v), plotRight, y(v), svgAttribute("stroke", kGridColour));
    svg.text(plotLeft - 6.0, y(v) + 4.0, tickLabel(v, step), svgAttribute("class", "small") + svgAttribute("text-anchor", "end"));
  }
  svg.line(plotLeft, plotBottom, plotRight, plotBottom, svgAttribute("stroke", "#888888"));
  svg.line(plotLeft, plotTop, plotLeft, plotBottom, svgAttribute("stroke", "#888888"));

  // Commit labels under the axis: all of them when they fit, else every k-th and the flagged.
  std::set<std::size_t> flagged;
  for (const TrendPoint& p : trend.points) {
    if (p.regressionBegan) flagged.insert(p.entry);
  }
  const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(13.0 / slot)));
  for (std::size_t e = 0; e < history.entries.size(); ++e) {
    const bool red = flagged.count(e) > 0;
    if (!red && e % every != 0) continue;
    const Baseline& b = history.entries[e].baseline;
    const std::string label = shortCommit(b.commit, 8) + (b.commitDirty ? "*" : "");
    const double lx = x(e) + 3.0, ly = plotBottom + 12.0;
    svg.text(lx, ly, label,
             svgAttribute("class", red ? "commit flagged" : "commit") + svgAttribute("text-anchor", "end") +
                 " transform=\"rotate(-40 " + format("%.1f %.1f", lx, ly) + ")\"");
  }

  // Where a regression began: a red band behind the points.
  for (std::size_t e : flagged) {
    svg.line(x(e), plotTop, x(e), plotBottom,
             svgAttribute("stroke", kRegressionColour) + svgAttribute("stroke-dasharray", "4 3") +
                 svgAttribute("stroke-width", 1.2));
  }
  // Spread, then the median line, then the points on top.
  for (const TrendPoint& p : trend.points) {
    const double px = x(p.entry);
    svg.line(px, y(p.min), px, y(p.max), svgAttribute("stroke", kSpreadColour) + svgAttribute("stroke-width", 3.0));
    svg.line(px - 4.0, y(p.min), px + 4.0, y(p.min), svgAttribute("stroke", kSpreadColour));
    svg.line(px - 4.0, y(p.max), px + 4.0, y(p.max), svgAttribute("stroke", kSpreadColour));
  }
  std::vector<std::pair<double, double>> line;
  for (const TrendPoint& p : trend.points) line.emplace_back(x(p.entry), y(p.median));
  svg.polyline(line, svgAttribute("stroke", kMedianColour) + svgAttribute("stroke-width", 1.5));
  for (const TrendPoint& p : trend.points) {
    const HistoryEntry& entry = history.entries[p.entry];
    const Baseline& b = entry.baseline;
    std::string tooltip = shortCommit(b.commit, 12) + (b.commitDirty ? " (uncommitted changes)" : "") + ", " +
                          entry.date() + "\nmedian " + value4(p.median) + " " + trend.unit + " (" +
                          std::to_string(p.count) + " runs, " + value4(p.min) + "-" + value4(p.max) + ")";
    if (p.hasPrevious) {
      tooltip += "\n" + format("%+.1f%%", 100.0 * p.vsPrevious.change) + " vs previous, p = " +
                 format("%.3g", std::min(p.vsPrevious.pWorse, p.vsPrevious.pBetter)) + ": " +
                 (p.regressionBegan ? "REGRESSION began here" : comparisonVerdictName(p.vsPrevious.verdict));
    }
    svg.beginGroup({}, tooltip);
    const char* colour = p.regressionBegan ? kRegressionColour : kMedianColour;
    svg.circle(x(p.entry), y(p.median), p.regressionBegan ? 5.0 : 3.2,
               svgAttribute("fill", b.commitDirty ? "#ffffff" : colour) + svgAttribute("stroke", colour) +
                   svgAttribute("stroke-width", 1.5));
    if (p.regressionBegan) {
      const double labelY = std::max(plotTop + 10.0, y(p.max) - 8.0);
      svg.text(x(p.entry), labelY,
               shortCommit(b.commit, 8) + " " + format("%+.0f%%", 100.0 * p.vsPrevious.change),
               svgAttribute("class", "flag") + svgAttribute("text-anchor", "middle"));
    }
    svg.endGroup();
  }
}

}  // namespace

std::string trendPlotSvg(const BaselineHistory& history, const std::vector<Trend>& trends,
                         const TrendPlotOptions& options) {
  const int columns = trends.size() <= 1 ? 1 : std::max(1, options.columns);
  const auto rows = static_cast<int>((trends.size() + static_cast<std::size_t>(columns) - 1) / static_cast<std::size_t>(columns));
  const double header = 66.0;
  const double width = 16.0 + columns * options.panelWidth_px;
  const double height = header + std::max(1, rows) * options.panelHeight_px + 10.0;
  const std::string style =
      "text { font-family: Verdana, Arial, sans-serif; font-size: 11px; fill: #222222; }\n"
      ".title { font-size: 16px; font-weight: bold; }\n"
      ".panel-title { font-size: 12px; font-weight: bold; }\n"
      ".small { font-size: 10px; fill: #555555; }\n"
      ".commit { font-family: monospace; font-size: 10px; fill: #444444; }\n"
      ".flagged { fill: #d62728; font-weight: bold; }\n"
      ".flag { font-family: monospace; font-size: 10px; font-weight: bold; fill: #d62728;\n"
      "        paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }";
  SvgWriter svg(width, height, style);
  svg.rect(0.0, 0.0, width, height, svgAttribute("fill", "#f6f6f6"));
  svg.text(12.0, 22.0, options.title, svgAttribute("class", "title"));
  if (!options.subtitle.empty()) svg.text(12.0, 40.0, options.subtitle, svgAttribute("class", "small"));

  // Legend.
  const double ly = 56.0;
  double lx = 12.0;
  svg.line(lx, ly - 4.0, lx + 18.0, ly - 4.0, svgAttribute("stroke", kMedianColour) + svgAttribute("stroke-width", 1.5));
  svg.circle(lx + 9.0, ly - 4.0, 3.2, svgAttribute("fill", kMedianColour));
  svg.text(lx + 24.0, ly, "median per commit", svgAttribute("class", "small"));
  lx += 140.0;
  svg.line(lx + 9.0, ly - 10.0, lx + 9.0, ly + 2.0, svgAttribute("stroke", kSpreadColour) + svgAttribute("stroke-width", 3.0));
  svg.text(lx + 18.0, ly, "min-max of the runs", svgAttribute("class", "small"));
  lx += 140.0;
  svg.circle(lx + 9.0, ly - 4.0, 5.0, svgAttribute("fill", kRegressionColour));
  svg.text(lx + 18.0, ly, "regression began here", svgAttribute("class", "small"));
  lx += 150.0;
  svg.circle(lx + 9.0, ly - 4.0, 3.2, svgAttribute("fill", "#ffffff") + svgAttribute("stroke", kMedianColour));
  svg.text(lx + 18.0, ly, "* uncommitted changes", svgAttribute("class", "small"));

  if (trends.empty()) svg.text(12.0, header + 24.0, "no result sets with metrics", svgAttribute("class", "panel-title"));
  for (std::size_t i = 0; i < trends.size(); ++i) {
    const double left = 8.0 + static_cast<double>(i % static_cast<std::size_t>(columns)) * options.panelWidth_px;
    const double top = header + static_cast<double>(i / static_cast<std::size_t>(columns)) * options.panelHeight_px;
    drawPanel(svg, history, trends[i], left, top, options);
  }
  return svg.finish();
}

}  // namespace awe
