// Mann-Whitney U test against published values and brute force; baseline files and the
// comparison verdicts.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "monitor/report/Baseline.h"

using namespace awe;

namespace {

// The exact one-sided p-values by enumerating every split of the pooled values (the
// permutation distribution the exact test stands for).
struct BruteForce {
  double u1 = 0.0, pGreater = 0.0, pLess = 0.0;
};

double countU(const std::vector<double>& x, const std::vector<double>& y) {
  double u = 0.0;
  for (double a : x) {
    for (double b : y) u += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  }
  return u;
}

BruteForce bruteForce(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> all = x;
  all.insert(all.end(), y.begin(), y.end());
  const size_t n = all.size(), n1 = x.size();
  BruteForce r;
  r.u1 = countU(x, y);
  double total = 0.0, ge = 0.0, le = 0.0;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<size_t>(__builtin_popcount(mask)) != n1) continue;
    std::vector<double> a, b;
    for (size_t i = 0; i < n; ++i) ((mask >> i) & 1u ? a : b).push_back(all[i]);
    const double u = countU(a, b);
    total += 1.0;
    if (u >= r.u1 - 1e-9) ge += 1.0;
    if (u <= r.u1 + 1e-9) le += 1.0;
  }
  r.pGreater = ge / total;
  r.pLess = le / total;
  return r;
}

MetricSamples metric(const std::string& name, Better better, std::vector<double> samples) {
  MetricSamples m;
  m.name = name;
  m.unit = "ns";
  m.better = better;
  m.samples = std::move(samples);
  return m;
}

ScenarioResults scenario(const std::string& name, std::vector<MetricSamples> metrics) {
  ScenarioResults s;
  s.name = name;
  s.metrics = std::move(metrics);
  return s;
}

}  // namespace

TEST_CASE("Mann-Whitney U: exact p-values match published examples", "[baseline][mannwhitney]") {
  SECTION("SciPy's mannwhitneyu example (males vs females), exact") {
    // scipy.stats.mannwhitneyu(males, females, method="exact") -> statistic 17, p 0.1111111
    const MannWhitneyResult r = mannWhitneyU({19, 22, 16, 29, 24}, {20, 11, 17, 12});
    CHECK(r.exact);
    CHECK(r.u1 == 17.0);
    CHECK(r.u2 == 3.0);
    CHECK(r.pTwoSided == Approx(0.1111111111111111).epsilon(1e-12));
    CHECK(r.pGreater == Approx(7.0 / 126.0).epsilon(1e-12));  // P(U >= 17) = P(U <= 3) = 7 / C(9, 4)
  }
  SECTION("R's wilcox.test example (Hollander & Wolfe), one-sided greater") {
    // wilcox.test(x, y, alternative = "g") -> W = 35, p-value = 0.1272
    const std::vector<double> x{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    const std::vector<double> y{1.15, 0.88, 0.90, 0.74, 1.21};
    const MannWhitneyResult r = mannWhitneyU(x, y);
    CHECK(r.exact);
    CHECK(r.u1 == 35.0);
    CHECK(r.pGreater == Approx(0.1272061272061272).epsilon(1e-12));
  }
  SECTION("complete separation: 1 / C(n1 + n2, n1)") {
    const MannWhitneyResult r = mannWhitneyU({1, 2, 3}, {4, 5, 6});
    CHECK(r.u1 == 0.0);
    CHECK(r.pLess == Approx(0.05).epsilon(1e-12));
    CHECK(r.pGreater == Approx(1.0));
    CHECK(r.pTwoSided == Approx(0.1).epsilon(1e-12));
    CHECK(minimumPValue(3, 3) == Approx(0.05).epsilon(1e-12));
    CHECK(minimumPValue(5, 5) == Approx(1.0 / 252.0).epsilon(1e-12));
    CHECK(mannWhitneyU({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}).pTwoSided == Approx(2.0 / 252.0).epsilon(1e-12));
  }
}

TEST_CASE("Mann-Whitney U: exact p-values equal brute-force enumeration", "[baseline][mannwhitney]") {
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> value(0.0, 1.0);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t n1 = 1 + rng() % 7, n2 = 1 + rng() % 7;
    std::vector<double> x(n1), y(n2);
    const double shift = (trial % 3) * 0.3;
    for (double& v : x) v = value(rng) + shift;
    for (double& v : y) v = value(rng);
    const MannWhitneyResult r = mannWhitneyU(x, y);
    const BruteForce b = bruteForce(x, y);
    REQUIRE(r.exact);
    CHECK(r.u1 == b.u1);
    CHECK(r.pGreater == Approx(b.pGreater).epsilon(1e-12));
    CHECK(r.pLess == Approx(b.pLess).epsilon(1e-12));
    // Swapping the samples swaps the tails.
    const MannWhitneyResult swapped = mannWhitneyU(y, x);
    CHECK(swapped.pGreater == Approx(r.pLess).epsilon(1e-12));
  }
}

TEST_CASE("Mann-Whitney U: normal approximation with tie and continuity correction", "[baseline][mannwhitney]") {
  SECTION("SciPy's example, asymptotic: p 0.11134688653314041") {
    // scipy.stats.mannwhitneyu(males, females, method="asymptotic"):
    // sigma = sqrt(5*4*10/12) = 4.0825; z = (17 - 10 - 0.5) / sigma = 1.5922
    const MannWhitneyResult r = mannWhitneyU({19, 22, 16, 29, 24}, {20, 11, 17, 12}, MannWhitneyMethod::Asymptotic);
    CHECK_FALSE(r.exact);
    CHECK(r.u1 == 17.0);
    CHECK(r.pTwoSided == Approx(0.11134688653314041).epsilon(1e-9));
    // Large untied samples take the asymptotic path by themselves.
    std::vector<double> xs, ys;
    for (int i = 0; i < 60; ++i) {
      xs.push_back(i * 2.0 + 1.0);
      ys.push_back(i * 2.0);
    }
    CHECK_FALSE(mannWhitneyU(xs, ys).exact);
  }
  SECTION("tied samples: sigma from the tie groups") {
    // Pooled 1 2 2 2 3 3 3 3 4 4 4 5 5: groups of 3, 4, 3 and 2 -> sum(t^3 - t) = 114,
    // sigma^2 = 42/12 * (14 - 114/156) = 46.4423; U1 = 8.5, mean 21.
    const MannWhitneyResult r = mannWhitneyU({1, 2, 2, 3, 3, 3, 4}, {2, 3, 4, 4, 5, 5});
    CHECK_FALSE(r.exact);
    CHECK(r.u1 == 8.5);
    CHECK(r.u2 == 33.5);
    CHECK(r.pLess == Approx(0.039131214738573124).epsilon(1e-9));
    CHECK(r.pGreater == Approx(0.9717782889227975).epsilon(1e-9));
    CHECK(r.pTwoSided == Approx(0.07826242947714625).epsilon(1e-9));
    // The exact permutation p (0.0501) is close: the approximation is sane here.
    CHECK(r.pLess == Approx(bruteForce({1, 2, 2, 3, 3, 3, 4}, {2, 3, 4, 4, 5, 5}).pLess).margin(0.015));
  }
  SECTION("all values equal: no evidence") {
    const MannWhitneyResult r = mannWhitneyU({3, 3, 3}, {3, 3});
    CHECK(r.pGreater == 1.0);
    CHECK(r.pLess == 1.0);
    CHECK(r.pTwoSided == 1.0);
  }
  SECTION("bad input") {
    CHECK_THROWS_AS(mannWhitneyU({}, {1.0}), std::invalid_argument);
    CHECK_THROWS_AS(mannWhitneyU({1.0, std::nan("")}, {1.0}), std::invalid_argument);
  }
}

TEST_CASE("median", "[baseline]") {
  CHECK(median({}) == 0.0);
  CHECK(median({3.0}) == 3.0);
  CHECK(median({5.0, 1.0, 3.0}) == 3.0);
  CHECK(median({4.0, 1.0, 3.0, 2.0}) == 2.5);
}

TEST_CASE("baseline comparison: regression needs both the tolerance and significance", "[baseline][compare]") {
  const std::vector<double> old{100, 102, 98, 101, 99};
  SECTION("30 % slower, clearly separated: regression") {
    const auto rows = compareResults({scenario("s", {metric("ns_per_voice_sample", Better::Lower, old)})},
                                     {scenario("s", {metric("ns_per_voice_sample", Better::Lower,
                                                            {130, 131, 129, 132, 128})})});
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].verdict == ComparisonVerdict::Regression);
    CHECK(rows[0].oldMedian == 100.0);
    CHECK(rows[0].newMedian == 130.0);
    CHECK(rows[0].change == Approx(0.30));
    CHECK(rows[0].pWorse == Approx(1.0 / 252.0));
    CHECK(anyRegression(rows));
  }
  SECTION("30 % slower median but overlapping samples: not significant") {
    const auto rows = compareResults({scenario("s", {metric("m", Better::Lower, old)})},
                                     {scenario("s", {metric("m", Better::Lower, {130, 60, 200, 95, 131})})});
    CHECK(rows[0].verdict == ComparisonVerdict::WorseNotSignificant);
    CHECK_FALSE(anyRegression(rows));
  }
  SECTION("10 % slower and significant: within tolerance") {
    const auto rows = compareResults({scenario("s", {metric("m", Better::Lower, old)})},
                                     {scenario("s", {metric("m", Better::Lower, {110, 111, 109, 112, 110})})});
    CHECK(rows[0].verdict == ComparisonVerdict::WithinTolerance);
    CHECK(rows[0].pWorse < 0.05);
  }
  SECTION("a single repetition on each side can never be significant") {
    const auto rows = compareResults({scenario("s", {metric("m", Better::Lower, {100})})},
                                     {scenario("s", {metric("m", Better::Lower, {300})})});
    CHECK(rows[0].verdict == ComparisonVerdict::WorseNotSignificant);
    CHECK(minimumPValue(1, 1) == 0.5);
  }
  SECTION("higher-is-better metrics: a drop is the slowdown") {
    const auto rows = compareResults(
        {scenario("ramp", {metric("max_voices", Better::Higher, {12000, 12100, 11900, 12050, 11950})})},
        {scenario("ramp", {metric("max_voices", Better::Higher, {9000, 9100, 8900, 9050, 8950})})});
    CHECK(rows[0].verdict == ComparisonVerdict::Regression);
    CHECK(rows[0].change == Approx(9000.0 / 12000.0 - 1.0));
    CHECK(rows[0].slowdown == Approx(12000.0 / 9000.0 - 1.0));
    const auto better = compareResults({scenario("x", {metric("times_real_time", Better::Higher, old)})},
                                       {scenario("x", {metric("times_real_time", Better::Higher, {150, 151, 149, 152, 148})})});
    CHECK(better[0].verdict == ComparisonVerdict::Improvement);
  }
  SECTION("scenarios and metrics on one side only") {
    const auto rows = compareResults(
        {scenario("a", {metric("m", Better::Lower, old), metric("gone", Better::Lower, old)}), scenario("b", {})},
        {scenario("a", {metric("m", Better::Lower, old), metric("added", Better::Lower, old)}),
         scenario("c", {metric("m", Better::Lower, old)})});
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].metric == "m");
    CHECK(rows[0].verdict == ComparisonVerdict::WithinTolerance);
    CHECK(rows[1].metric == "gone");
    CHECK(rows[1].verdict == ComparisonVerdict::OnlyOld);
    CHECK(rows[2].metric == "added");
    CHECK(rows[2].verdict == ComparisonVerdict::OnlyNew);
    CHECK(rows[3].scenario == "c");
    CHECK(rows[3].verdict == ComparisonVerdict::OnlyNew);
  }
  SECTION("a wider tolerance lets the regression through") {
    ComparisonSettings loose;
    loose.tolerance = 0.5;
    const auto rows = compareResults({scenario("s", {metric("m", Better::Lower, old)})},
                                     {scenario("s", {metric("m", Better::Lower, {130, 131, 129, 132, 128})})}, loose);
    CHECK(rows[0].verdict == ComparisonVerdict::WithinTolerance);
  }
}

TEST_CASE("baseline files round-trip and bad ones name the field", "[baseline][file]") {
  Baseline b;
  b.commit = "0123456789abcdef0123456789abcdef01234567";
  b.machine = describeMachine();
  b.settings = {{"frames", 1024}, {"pace", "freewheel"}};
  ScenarioResults s = scenario("sustained-32", {metric("ns_per_voice_sample", Better::Lower, {3.5, 3.6, 3.4}),
                                                metric("times_real_time", Better::Higher, {80, 82, 79})});
  s.repetitions = nlohmann::json::array({{{"buffers", 431}}, {{"buffers", 431}}, {{"buffers", 431}}});
  b.scenarios.push_back(s);

  CHECK_FALSE(b.machine.kernel.empty());
  CHECK(b.machine.cores >= 1);

  const std::string path = std::string(AWE_BINARY_DIR) + "/baseline-test.json";
  saveBaseline(b, path);
  const Baseline back = loadBaseline(path);
  CHECK(back.commit == b.commit);
  CHECK(back.machine.cpu == b.machine.cpu);
  CHECK(back.machine.cores == b.machine.cores);
  CHECK(back.settings == b.settings);
  REQUIRE(back.scenarios.size() == 1);
  CHECK(back.scenarios[0].name == "sustained-32");
  REQUIRE(back.scenarios[0].metrics.size() == 2);
  CHECK(back.scenarios[0].metrics[1].better == Better::Higher);
  CHECK(back.scenarios[0].metrics[0].samples == std::vector<double>{3.5, 3.6, 3.4});
  CHECK(back.scenarios[0].repetitions.size() == 3);
  std::remove(path.c_str());

  nlohmann::json bad = baselineToJson(b);
  bad["scenarios"][0]["metrics"][1]["samples"][2] = "fast";
  CHECK_THROWS_WITH(baselineFromJson(bad, "old.json"),
                    Catch::Contains("old.json") && Catch::Contains("scenarios[0].metrics[1].samples[2]"));
  bad = baselineToJson(b);
  bad["scenarios"][0]["metrics"][0]["better"] = "sideways";
  CHECK_THROWS_WITH(baselineFromJson(bad, "old.json"), Catch::Contains("scenarios[0].metrics[0].better"));
  bad = baselineToJson(b);
  bad["schema_version"] = 99;
  CHECK_THROWS_WITH(baselineFromJson(bad, "old.json"), Catch::Contains("schema_version"));
  CHECK_THROWS_WITH(baselineFromJson(nlohmann::json::array(), "old.json"), Catch::Contains("not a baseline"));
  CHECK_THROWS_AS(loadBaseline(std::string(AWE_BINARY_DIR) + "/no-such-baseline.json"), BaselineError);

  const std::string garbage = std::string(AWE_BINARY_DIR) + "/baseline-garbage.json";
  std::ofstream(garbage) << "{\"kind\": ";
  CHECK_THROWS_WITH(loadBaseline(garbage), Catch::Contains("not valid JSON"));
  std::remove(garbage.c_str());
}
