#include "monitor/report/Baseline.h"

#include "monitor/report/OutputFile.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>

namespace awe {
namespace {

using json = nlohmann::json;

// Upper tail of the standard normal distribution.
double normalSurvival(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

// Counts of the null distribution of U (pairs x > y) for samples of n1 and n2 distinct
// values: f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u), by where the largest value comes
// from. Returned for (n1, n2) as counts[u], u = 0 .. n1*n2. Doubles: C(100, 50) ~ 1e29
// still has 15 significant digits.
std::vector<double> exactUCounts(std::size_t n1, std::size_t n2) {
  const std::size_t uMax = n1 * n2;
  const std::size_t width = uMax + 1;
  // layer[i * width + u] = f(i, j, u) for the current j.
  std::vector<double> previous((n1 + 1) * width, 0.0), current((n1 + 1) * width, 0.0);
  for (std::size_t i = 0; i <= n1; ++i) previous[i * width] = 1.0;  // j = 0: U = 0
  for (std::size_t j = 1; j <= n2; ++j) {
    std::fill(current.begin(), current.end(), 0.0);
    current[0] = 1.0;  // i = 0
    for (std::size_t i = 1; i <= n1; ++i) {
      for (std::size_t u = 0; u <= i * j; ++u) {
        double count = previous[i * width + u];
        if (u >= j) count += current[(i - 1) * width + (u - j)];
        current[i * width + u] = count;
      }
    }
    std::swap(previous, current);
  }
  return std::vector<double>(previous.begin() + static_cast<std::ptrdiff_t>(n1 * width),
                             previous.begin() + static_cast<std::ptrdiff_t>(n1 * width + width));
}

const char* betterName(Better better) { return better == Better::Lower ? "lower" : "higher"; }

// ---- reading with errors that name the field ----

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
  throw BaselineError(source + ": " + (field.empty() ? std::string() : "field '" + field + "': ") + what);
}

const json& member(const json& object, const char* key, const std::string& source, const std::string& path) {
  const std::string field = path.empty() ? key : path + "." + key;
  if (!object.is_object()) fail(source, path, "expected an object");
  auto it = object.find(key);
  if (it == object.end()) fail(source, field, "missing");
  return *it;
}

std::string stringMember(const json& object, const char* key, const std::string& source, const std::string& path) {
  const json& value = member(object, key, source, path);
  if (!value.is_string()) fail(source, path.empty() ? key : path + "." + key, "expected a string");
  return value.get_ref<const std::string&>();
}

std::string optionalString(const json& object, const char* key, const char* fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get_ref<const std::string&>() : std::string(fallback);
}

bool optionalBool(const json& object, const char* key, bool fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() ? it->get_ref<const json::boolean_t&>() : fallback;
}

int optionalInt(const json& object, const char* key, int fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? static_cast<int>(it->get<json::number_integer_t>())
                                                       : fallback;
}

}  // namespace

// ---- Mann-Whitney U ------------------------------------------------------------------------

MannWhitneyResult mannWhitneyU(const std::vector<double>& x, const std::vector<double>& y, MannWhitneyMethod method) {
  if (x.empty() || y.empty()) throw std::invalid_argument("Mann-Whitney U test: both samples need values");
  const std::size_t n1 = x.size(), n2 = y.size(), n = n1 + n2;
  struct Item {
    double value;
    bool first;
  };
  std::vector<Item> all;
  all.reserve(n);
  for (double v : x) all.push_back({v, true});
  for (double v : y) all.push_back({v, false});
  for (const Item& item : all) {
    if (std::isnan(item.value)) throw std::invalid_argument("Mann-Whitney U test: a sample holds NaN");
  }
  std::sort(all.begin(), all.end(), [](const Item& a, const Item& b) { return a.value < b.value; });

  // Ranks 1..n, ties sharing their average rank; tie groups for the variance correction.
  double rankSumFirst = 0.0;
  double tieTerm = 0.0;  // sum of t^3 - t over groups of t tied values
  bool ties = false;
  for (std::size_t start = 0; start < n;) {
    std::size_t end = start + 1;
    while (end < n && all[end].value == all[start].value) ++end;
    const double t = static_cast<double>(end - start);
    const double averageRank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (std::size_t k = start; k < end; ++k) {
      if (all[k].first) rankSumFirst += averageRank;
    }
    if (t > 1.0) {
      ties = true;
      tieTerm += t * t * t - t;
    }
    start = end;
  }

  MannWhitneyResult r;
  const double d1 = static_cast<double>(n1), d2 = static_cast<double>(n2), dn = static_cast<double>(n);
  r.u1 = rankSumFirst - d1 * (d1 + 1.0) / 2.0;
  r.u2 = d1 * d2 - r.u1;

  if (method == MannWhitneyMethod::Auto && !ties && n1 <= kMannWhitneyExactLimit && n2 <= kMannWhitneyExactLimit) {
    r.exact = true;
    const std::vector<double> counts = exactUCounts(n1, n2);
    double total = 0.0;
    for (double c : counts) total += c;
    const auto u1 = static_cast<std::size_t>(std::llround(r.u1));
    double atMost = 0.0, atLeast = 0.0;
    for (std::size_t u = 0; u < counts.size(); ++u) {
      if (u <= u1) atMost += counts[u];
      if (u >= u1) atLeast += counts[u];
    }
    r.pGreater = std::min(1.0, atLeast / total);
    r.pLess = std::min(1.0, atMost / total);
    r.pTwoSided = std::min(1.0, 2.0 * std::min(r.pGreater, r.pLess));
    return r;
  }

  const double mean = d1 * d2 / 2.0;
  const double variance = d1 * d2 / 12.0 * ((dn + 1.0) - tieTerm / (dn * (dn - 1.0)));
  if (!(variance > 0.0)) {  // every value equal: no evidence either way
    r.pGreater = r.pLess = r.pTwoSided = 1.0;
    return r;
  }
  const double sigma = std::sqrt(variance);
  r.pGreater = std::min(1.0, normalSurvival((r.u1 - mean - 0.5) / sigma));
  r.pLess = std::min(1.0, normalSurvival((r.u2 - mean - 0.5) / sigma));
  r.pTwoSided = std::min(1.0, 2.0 * normalSurvival((std::max(r.u1, r.u2) - mean - 0.5) / sigma));
  return r;
}

double minimumPValue(std::size_t n1, std::size_t n2) {
  // 1 / C(n1 + n2, n1), as a running product to stay in range.
  double p = 1.0;
  const std::size_t k = std::min(n1, n2);
  for (std::size_t i = 1; i <= k; ++i) p *= static_cast<double>(i) / static_cast<double>(n1 + n2 - k + i);
  return p;
}

std::string isoUtc(std::int64_t unixSeconds) {
  const auto time = static_cast<std::time_t>(unixSeconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string isoUtcNow() { return isoUtc(static_cast<std::int64_t>(std::time(nullptr))); }

// ---- machine ---------------------------------------------------------------------------------

MachineInfo describeMachine() {
  MachineInfo machine;
  machine.cpu = "unknown";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    // x86: "model name"; some ARM kernels: "Model" or "Hardware".
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    key.erase(key.find_last_not_of(" \t") + 1);
    if (key == "model name" || key == "Model" || key == "Hardware") {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      if (!value.empty()) {
        machine.cpu = value;
        break;
      }
    }
  }
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  machine.cores = online > 0 ? static_cast<int>(online) : 0;
  utsname name{};
  machine.kernel = uname(&name) == 0 ? std::string(name.sysname) + " " + name.release + " " + name.machine : "unknown";
  return machine;
}

// ---- files -----------------------------------------------------------------------------------

json baselineToJson(const Baseline& baseline) {
  json out;
  out["kind"] = "awe-bench-baseline";
  out["schema_version"] = kBaselineSchemaVersion;
  out["created"] = baseline.created.empty() ? isoUtcNow() : baseline.created;
  out["commit"] = baseline.commit;
  out["commit_dirty"] = baseline.commitDirty;
  if (!baseline.commitTime.empty()) out["commit_time"] = baseline.commitTime;
  out["machine"] = {{"cpu", baseline.machine.cpu}, {"cores", baseline.machine.cores}, {"kernel", baseline.machine.kernel}};
  out["settings"] = baseline.settings;
  json scenarios = json::array();
  for (const ScenarioResults& s : baseline.scenarios) {
    json metrics = json::array();
    for (const MetricSamples& m : s.metrics) {
      metrics.push_back({{"name", m.name}, {"unit", m.unit}, {"better", betterName(m.better)}, {"samples", m.samples}});
    }
    scenarios.push_back({{"name", s.name}, {"metrics", std::move(metrics)}, {"repetitions", s.repetitions}});
  }
  out["scenarios"] = std::move(scenarios);
  return out;
}

Baseline baselineFromJson(const json& in, const std::string& source) {
  if (!in.is_object()) fail(source, "", "not a baseline (the top level is not a JSON object)");
  if (stringMember(in, "kind", source, "") != "awe-bench-baseline") {
    fail(source, "kind", "not an awe-bench baseline");
  }
  const json& version = member(in, "schema_version", source, "");
  if (!version.is_number_integer() || version.get<int>() != kBaselineSchemaVersion) {
    fail(source, "schema_version", "this awe-bench reads version " + std::to_string(kBaselineSchemaVersion) +
                                       ", the file has " + version.dump());
  }
  Baseline b;
  b.created = optionalString(in, "created", "");
  b.commit = optionalString(in, "commit", "unknown");
  b.commitDirty = optionalBool(in, "commit_dirty", false);
  b.commitTime = optionalString(in, "commit_time", "");
  if (auto it = in.find("machine"); it != in.end() && it->is_object()) {
    b.machine.cpu = optionalString(*it, "cpu", "unknown");
    b.machine.cores = optionalInt(*it, "cores", 0);
    b.machine.kernel = optionalString(*it, "kernel", "unknown");
  }
  if (auto it = in.find("settings"); it != in.end()) b.settings = *it;
  const json& scenarios = member(in, "scenarios", source, "");
  if (!scenarios.is_array()) fail(source, "scenarios", "expected an array");
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const std::string path = "scenarios[" + std::to_string(i) + "]";
    ScenarioResults s;
    s.name = stringMember(scenarios[i], "name", source, path);
    const json& metrics = member(scenarios[i], "metrics", source, path);
    if (!metrics.is_array()) fail(source, path + ".metrics", "expected an array");
    for (std::size_t k = 0; k < metrics.size(); ++k) {
      const std::string mpath = path + ".metrics[" + std::to_string(k) + "]";
      MetricSamples m;
      m.name = stringMember(metrics[k], "name", source, mpath);
      m.unit = optionalString(metrics[k], "unit", "");
      const std::string better = stringMember(metrics[k], "better", source, mpath);
      if (better != "lower" && better != "higher") fail(source, mpath + ".better", "expected \"lower\" or \"higher\"");
      m.better = better == "lower" ? Better::Lower : Better::Higher;
      const json& samples = member(metrics[k], "samples", source, mpath);
      if (!samples.is_array()) fail(source, mpath + ".samples", "expected an array of numbers");
      for (std::size_t j = 0; j < samples.size(); ++j) {
        if (!samples[j].is_number()) {
          fail(source, mpath + ".samples[" + std::to_string(j) + "]", "expected a number, found " + samples[j].dump());
        }
        m.samples.push_back(samples[j].get<double>());
      }
      s.metrics.push_back(std::move(m));
    }
    if (auto it = scenarios[i].find("repetitions"); it != scenarios[i].end()) s.repetitions = *it;
    b.scenarios.push_back(std::move(s));
  }
  return b;
}

Baseline loadBaseline(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw BaselineError(path + ": cannot open the baseline file");
  std::stringstream text;
  text << in.rdbuf();
  json parsed;
  try {
    parsed = json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw BaselineError(path + ": not valid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  return baselineFromJson(parsed, path);
}

void saveBaseline(const Baseline& baseline, const std::string& path) {
  try {
    writeFileAtomically(path, baselineToJson(baseline).dump(2) + "\n");
  } catch (const OutputFileError& e) {
    throw BaselineError(e.what());
  }
}

// ---- comparison -------------------------------------------------------------------------------

const char* comparisonVerdictName(ComparisonVerdict verdict) noexcept {
  switch (verdict) {
    case ComparisonVerdict::WithinTolerance: return "within tolerance";
    case ComparisonVerdict::Regression: return "REGRESSION";
    case ComparisonVerdict::WorseNotSignificant: return "worse (not significant)";
    case ComparisonVerdict::Improvement: return "improvement";
    case ComparisonVerdict::BetterNotSignificant: return "better (not significant)";
    case ComparisonVerdict::OnlyOld: return "only in baseline";
    case ComparisonVerdict::OnlyNew: return "new";
  }
  return "?";
}

namespace {

ComparisonRow compareMetric(const std::string& scenario, const MetricSamples* old, const MetricSamples* now,
                            const ComparisonSettings& settings) {
  ComparisonRow row;
  row.scenario = scenario;
  const MetricSamples& any = old != nullptr ? *old : *now;
  row.metric = any.name;
  row.unit = any.unit;
  row.better = any.better;
  row.oldCount = old != nullptr ? old->samples.size() : 0;
  row.newCount = now != nullptr ? now->samples.size() : 0;
  if (row.oldCount > 0) row.oldMedian = median(old->samples);
  if (row.newCount > 0) row.newMedian = median(now->samples);
  if (row.newCount == 0) {
    row.verdict = ComparisonVerdict::OnlyOld;
    return row;
  }
  if (row.oldCount == 0) {
    row.verdict = ComparisonVerdict::OnlyNew;
    return row;
  }
  const double inf = std::numeric_limits<double>::infinity();
  auto ratio = [&](double a, double b) {  // a / b - 1 with the zero cases made explicit
    if (b == 0.0) return a == 0.0 ? 0.0 : inf;
    return a / b - 1.0;
  };
  row.change = ratio(row.newMedian, row.oldMedian);
  row.slowdown = row.better == Better::Lower ? row.change : ratio(row.oldMedian, row.newMedian);
  const MannWhitneyResult u = mannWhitneyU(now->samples, old->samples);
  row.pWorse = row.better == Better::Lower ? u.pGreater : u.pLess;
  row.pBetter = row.better == Better::Lower ? u.pLess : u.pGreater;
  if (row.slowdown > settings.tolerance) {
    row.verdict = row.pWorse < settings.alpha ? ComparisonVerdict::Regression : ComparisonVerdict::WorseNotSignificant;
  } else if (row.slowdown < -settings.tolerance) {
    row.verdict =
        row.pBetter < settings.alpha ? ComparisonVerdict::Improvement : ComparisonVerdict::BetterNotSignificant;
  }
  return row;
}

const ScenarioResults* findScenario(const std::vector<ScenarioResults>& list, const std::string& name) {
  for (const ScenarioResults& s : list) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const MetricSamples* findMetric(const ScenarioResults* scenario, const std::string& name) {
  if (scenario == nullptr) return nullptr;
  for (const MetricSamples& m : scenario->metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

}  // namespace

std::vector<ComparisonRow> compareResults(const std::vector<ScenarioResults>& baseline,
                                          const std::vector<ScenarioResults>& current,
                                          const ComparisonSettings& settings) {
  std::vector<ComparisonRow> rows;
  for (const ScenarioResults& old : baseline) {
    const ScenarioResults* now = findScenario(current, old.name);
    for (const MetricSamples& m : old.metrics) rows.push_back(compareMetric(old.name, &m, findMetric(now, m.name), settings));
    if (now == nullptr) continue;
    for (const MetricSamples& m : now->metrics) {
      if (findMetric(&old, m.name) == nullptr) rows.push_back(compareMetric(old.name, nullptr, &m, settings));
    }
  }
  for (const ScenarioResults& now : current) {
    if (findScenario(baseline, now.name) != nullptr) continue;
    for (const MetricSamples& m : now.metrics) rows.push_back(compareMetric(now.name, nullptr, &m, settings));
  }
  return rows;
}

bool anyRegression(const std::vector<ComparisonRow>& rows) noexcept {
  return std::any_of(rows.begin(), rows.end(),
                     [](const ComparisonRow& r) { return r.verdict == ComparisonVerdict::Regression; });
}

}  // namespace awe
