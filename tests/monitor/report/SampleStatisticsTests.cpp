// Exact per-event statistics (awe-latency): quantiles, spread, histogram, outlier fence.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "monitor/report/SampleStatistics.h"

using awe::summarize;

TEST_CASE("summary of 1..100: min, median, mean, p95, p99, max, sample stddev", "[latency][statistics]") {
  std::vector<double> values(100);
  std::iota(values.begin(), values.end(), 1.0);
  std::shuffle(values.begin(), values.end(), std::mt19937(7));  // order must not matter
  const awe::SampleStatistics s = summarize(values);
  CHECK(s.count == 100);
  CHECK(s.min == 1.0);
  CHECK(s.max == 100.0);
  CHECK(s.mean == Approx(50.5));
  CHECK(s.median == Approx(50.5));       // mean of the middle two
  CHECK(s.p95 == Approx(95.05));         // 1 + 0.95 x 99
  CHECK(s.p99 == Approx(99.01));
  CHECK(s.stddev == Approx(std::sqrt(100.0 * 101.0 / 12.0)));  // n(n+1)/12 for 1..n, sample form
}

TEST_CASE("summary edge cases: empty, one value, equal values", "[latency][statistics]") {
  const awe::SampleStatistics none = summarize({});
  CHECK(none.count == 0);
  CHECK(none.max == 0.0);
  const awe::SampleStatistics one = summarize({3.5});
  CHECK(one.count == 1);
  CHECK(one.min == 3.5);
  CHECK(one.median == 3.5);
  CHECK(one.p99 == 3.5);
  CHECK(one.stddev == 0.0);
  const awe::SampleStatistics same = summarize({2.0, 2.0, 2.0});
  CHECK(same.stddev == 0.0);
  CHECK(same.p95 == 2.0);
}

TEST_CASE("quantiles interpolate between order statistics", "[latency][statistics]") {
  const std::vector<double> sorted = {10.0, 20.0, 30.0, 40.0};
  CHECK(awe::quantileOfSorted(sorted, 0.0) == 10.0);
  CHECK(awe::quantileOfSorted(sorted, 1.0) == 40.0);
  CHECK(awe::quantileOfSorted(sorted, 0.5) == Approx(25.0));
  CHECK(awe::quantileOfSorted(sorted, 1.0 / 3.0) == Approx(20.0));
  CHECK(awe::quantileOfSorted(sorted, 2.0) == 40.0);  // clamped
  CHECK(awe::quantileOfSorted({}, 0.5) == 0.0);
}

TEST_CASE("nearest-rank quantiles are always a measured value", "[latency][statistics]") {
  const std::vector<double> sorted = {10.0, 20.0, 30.0, 40.0};
  CHECK(awe::nearestRankOfSorted(sorted, 0.0) == 10.0);
  CHECK(awe::nearestRankOfSorted(sorted, 0.25) == 10.0);
  CHECK(awe::nearestRankOfSorted(sorted, 0.5) == 20.0);
  CHECK(awe::nearestRankOfSorted(sorted, 0.51) == 30.0);
  CHECK(awe::nearestRankOfSorted(sorted, 0.99) == 40.0);
  CHECK(awe::nearestRankOfSorted({}, 0.5) == 0.0);
  // The median of unsorted values is the 0.5 quantile.
  CHECK(awe::median({40.0, 10.0, 30.0, 20.0}) == awe::quantileOfSorted(sorted, 0.5));
}

TEST_CASE("linear histogram: every value in exactly one bin, the largest in the last", "[latency][statistics]") {
  const std::vector<double> values = {0.0, 0.5, 1.0, 2.5, 9.99, 10.0};
  const awe::LinearHistogram h = awe::linearHistogram(values, 10);
  REQUIRE(h.counts.size() == 10);
  CHECK(h.lowest == 0.0);
  CHECK(h.binWidth == Approx(1.0));
  CHECK(h.counts[0] == 2);  // 0.0, 0.5
  CHECK(h.counts[1] == 1);  // 1.0
  CHECK(h.counts[2] == 1);  // 2.5
  CHECK(h.counts[9] == 2);  // 9.99 and the maximum
  CHECK(std::accumulate(h.counts.begin(), h.counts.end(), uint64_t{0}) == values.size());
  const awe::LinearHistogram flat = awe::linearHistogram({4.0, 4.0}, 10);
  REQUIRE(flat.counts.size() == 1);
  CHECK(flat.counts[0] == 2);
  CHECK(flat.binWidth == 0.0);
  CHECK(awe::linearHistogram({}, 10).counts.empty());
}

TEST_CASE("outliers: Tukey's upper fence, largest first, with a floor on the margin", "[latency][statistics]") {
  std::vector<double> values;
  for (int i = 0; i < 40; ++i) values.push_back(10.0 + 0.1 * (i % 5));  // 10.0 .. 10.4
  values[7] = 30.0;
  values[21] = 50.0;
  values[33] = 10.9;  // above Q3 + 1.5 IQR (10.4 + 1.5 x 0.3) but within a 1.0 margin
  const awe::OutlierFence tight = awe::upperOutliers(values, 1.5, 0.0);
  REQUIRE(tight.indices.size() == 3);
  CHECK(tight.indices[0] == 21);
  CHECK(tight.indices[1] == 7);
  CHECK(tight.indices[2] == 33);
  CHECK(tight.fence == Approx(10.4 + 1.5 * 0.3));  // Q1 10.1, Q3 10.4
  const awe::OutlierFence floored = awe::upperOutliers(values, 1.5, 1.0);
  CHECK(floored.fence == Approx(11.4));
  REQUIRE(floored.indices.size() == 2);
  CHECK(floored.indices[0] == 21);
  CHECK(awe::upperOutliers({}, 1.5, 0.0).indices.empty());
}
