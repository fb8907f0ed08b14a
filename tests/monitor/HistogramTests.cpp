#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/Histogram.h"
#include "monitor/Statistics.h"

using awe::Histogram;

namespace {

// The nearest-rank quantile of a sorted sample, as Statistics defines it.
int64_t exactQuantile(const std::vector<int64_t>& sorted, double fraction) {
  const auto rank = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

double bucketWidthAt(int64_t value_ns) {
  const int index = Histogram::bucketIndex(value_ns);
  return Histogram::bucketUpperBound_ns(index) - Histogram::bucketLowerBound_ns(index);
}

// Every reported percentile lies within one bucket of the exact one; min, max, mean exact.
void checkAgainstSample(std::vector<int64_t> values) {
  Histogram histogram;
  for (int64_t value : values) histogram.record(value);
  const awe::Statistics statistics = awe::computeStatistics(histogram.snapshot());
  std::sort(values.begin(), values.end());
  double sum = 0.0;
  for (int64_t value : values) sum += static_cast<double>(value);

  REQUIRE(statistics.count == values.size());
  CHECK(statistics.min_ns == static_cast<double>(values.front()));
  CHECK(statistics.max_ns == static_cast<double>(values.back()));
  CHECK(statistics.mean_ns == Approx(sum / static_cast<double>(values.size())).epsilon(1e-9));
  const std::pair<double, double> percentiles[] = {{0.50, statistics.p50_ns},
                                                   {0.90, statistics.p90_ns},
                                                   {0.99, statistics.p99_ns},
                                                   {0.999, statistics.p999_ns}};
  for (const auto& [fraction, estimate] : percentiles) {
    const int64_t exact = exactQuantile(values, fraction);
    INFO("fraction " << fraction << ": exact " << exact << " ns, estimate " << estimate << " ns");
    CHECK(std::fabs(estimate - static_cast<double>(exact)) <= bucketWidthAt(exact));
  }
}

}  // namespace

TEST_CASE("Histogram: the octave steps are 2^(j/8)", "[monitor]") {
  for (int k = 0; k < 60; ++k) {
    const double lower = Histogram::bucketLowerBound_ns(Histogram::kCentreBucket + 1 + k);
    CHECK(lower == Approx(100.0 * std::pow(2.0, k / 8.0)).epsilon(1e-12));
    // Values just inside each bucket land in it.
    const auto inside = static_cast<int64_t>(std::ceil(lower * 1.001));
    if (static_cast<double>(inside) < Histogram::bucketUpperBound_ns(Histogram::kCentreBucket + 1 + k)) {
      CHECK(Histogram::bucketIndex(inside) == Histogram::kCentreBucket + 1 + k);
      CHECK(Histogram::bucketIndex(-inside) == Histogram::kCentreBucket - 1 - k);
    }
  }
}

TEST_CASE("Histogram: bucket layout, underflow and overflow", "[monitor]") {
  CHECK(Histogram::kBucketCount == 429);
  CHECK(Histogram::bucketIndex(0) == Histogram::kCentreBucket);
  CHECK(Histogram::bucketIndex(99) == Histogram::kCentreBucket);
  CHECK(Histogram::bucketIndex(-99) == Histogram::kCentreBucket);
  CHECK(Histogram::bucketIndex(100) == Histogram::kCentreBucket + 1);
  CHECK(Histogram::bucketIndex(-100) == Histogram::kCentreBucket - 1);
  CHECK(Histogram::bucketIndex(200) == Histogram::kCentreBucket + 1 + 8);  // one octave up
  CHECK(Histogram::bucketIndex(199) == Histogram::kCentreBucket + 1 + 7);
  CHECK(Histogram::bucketIndex(10'000'000'000) == Histogram::kBucketCount - 2);  // 10 s still counted
  CHECK(Histogram::bucketIndex(11'000'000'000) == Histogram::kBucketCount - 1);
  CHECK(Histogram::bucketIndex(-11'000'000'000) == 0);
  CHECK(Histogram::bucketIndex(INT64_MAX) == Histogram::kBucketCount - 1);
  CHECK(Histogram::bucketIndex(INT64_MIN) == 0);
  // Indices ascend with the value.
  int previous = 0;
  for (int64_t value = -20'000'000'000; value <= 20'000'000'000; value += 7'777'777) {
    const int index = Histogram::bucketIndex(value);
    CHECK(index >= previous);
    CHECK(static_cast<double>(value) >= Histogram::bucketLowerBound_ns(index));
    CHECK(static_cast<double>(value) <= Histogram::bucketUpperBound_ns(index));
    previous = index;
  }
}

TEST_CASE("Histogram: percentiles of a uniform distribution", "[monitor]") {
  std::vector<int64_t> values;
  for (int64_t i = 0; i < 100'000; ++i) values.push_back(1'000 + i * 10);  // 1 us .. 1 ms
  checkAgainstSample(values);
}

TEST_CASE("Histogram: percentiles of exponential and log-normal distributions", "[monitor]") {
  std::mt19937_64 random(12345);
  std::exponential_distribution<double> exponential(1.0 / 50'000.0);  // mean 50 us
  std::lognormal_distribution<double> lognormal(std::log(2'000'000.0), 0.8);  // around 2 ms
  std::vector<int64_t> exponentialValues;
  std::vector<int64_t> lognormalValues;
  for (int i = 0; i < 200'000; ++i) {
    exponentialValues.push_back(static_cast<int64_t>(exponential(random)));
    lognormalValues.push_back(static_cast<int64_t>(lognormal(random)));
  }
  checkAgainstSample(exponentialValues);
  checkAgainstSample(lognormalValues);
}

TEST_CASE("Histogram: signed values (jitter around zero)", "[monitor]") {
  std::mt19937_64 random(99);
  std::normal_distribution<double> normal(0.0, 50'000.0);  // sigma 50 us
  std::vector<int64_t> values;
  for (int i = 0; i < 100'000; ++i) values.push_back(static_cast<int64_t>(normal(random)));
  checkAgainstSample(values);
  Histogram histogram;
  for (int64_t value : values) histogram.record(value);
  CHECK(awe::percentile_ns(histogram.snapshot(), 0.01) < 0.0);
  CHECK(awe::percentile_ns(histogram.snapshot(), 0.99) > 0.0);
}

TEST_CASE("Histogram: one repeated value is reported exactly", "[monitor]") {
  Histogram histogram;
  for (int i = 0; i < 1000; ++i) histogram.record(23'219'955);
  const awe::Statistics statistics = awe::computeStatistics(histogram.snapshot());
  CHECK(statistics.p50_ns == 23'219'955.0);
  CHECK(statistics.p999_ns == 23'219'955.0);
  CHECK(statistics.mean_ns == 23'219'955.0);
}

TEST_CASE("Histogram: an empty histogram has zero statistics", "[monitor]") {
  Histogram histogram;
  const awe::Statistics statistics = awe::computeStatistics(histogram.snapshot());
  CHECK(statistics.count == 0);
  CHECK(statistics.p99_ns == 0.0);
  CHECK(statistics.max_ns == 0.0);
}
