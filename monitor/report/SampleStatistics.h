#pragma once
// Exact statistics of a list of measured values (per-event latencies, onset spacings),
// for tools that keep every value; the Histogram/Statistics pair is the bounded,
// lock-free kind the audio thread records into. The values may be in any unit: every
// result is in the same unit.
//
// Quantiles interpolate linearly between order statistics (Hyndman & Fan type 7, as
// numpy and R do by default), so the median of an even count is the mean of the middle
// two. The standard deviation is the sample one (n - 1). This is the one place exact
// quantiles of kept values are computed (reports, baselines, awe-bench).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace awe {

struct SampleStatistics {
  std::size_t count = 0;
  double min = 0.0;
  double median = 0.0;
  double mean = 0.0;
  double p95 = 0.0;
  double p99 = 0.0;
  double max = 0.0;
  double stddev = 0.0;  // 0 for fewer than two values
};

// All zero for no values.
SampleStatistics summarize(const std::vector<double>& values);

// The `fraction` (0..1) quantile of values sorted ascending; 0 when empty.
double quantileOfSorted(const std::vector<double>& sorted, double fraction);

// The 0.5 quantile of unsorted values (the mean of the middle two of an even count); 0 when empty.
double median(std::vector<double> values);

// The nearest-rank `fraction` quantile of values sorted ascending: the smallest value with at
// least that fraction of the values at or below it, so always one that was measured; 0 when
// empty. awe-bench's busy-time percentiles use it (a real buffer's busy time, the definition
// its stored baselines were made with).
double nearestRankOfSorted(const std::vector<double>& sorted, double fraction);

// Equal-width bins from the smallest to the largest value (one bin when they are equal).
struct LinearHistogram {
  double lowest = 0.0;     // lower edge of the first bin
  double binWidth = 0.0;   // 0 when all values are equal (one bin holds them)
  std::vector<uint64_t> counts;
};
LinearHistogram linearHistogram(const std::vector<double>& values, std::size_t bins);

// The values above Tukey's upper fence, Q3 + max(k x IQR, minMargin): indices into
// `values`, largest value first. `minMargin` keeps a tight distribution (a fixed-latency
// schedule) from calling every bit of noise an outlier.
struct OutlierFence {
  double fence = 0.0;
  std::vector<std::size_t> indices;
};
OutlierFence upperOutliers(const std::vector<double>& values, double k = 1.5, double minMargin = 0.0);

}  // namespace awe
