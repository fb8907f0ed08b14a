#include "monitor/Statistics.h"

#include <algorithm>
#include <cmath>

namespace awe {

double percentile_ns(const HistogramSnapshot& histogram, double fraction) noexcept {
  uint64_t total = 0;
  for (uint64_t count : histogram.counts) total += count;
  if (total == 0) return 0.0;
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  const auto rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(clamped * static_cast<double>(total))));
  const auto minimum = static_cast<double>(histogram.min_ns);
  const auto maximum = static_cast<double>(histogram.max_ns);
  uint64_t below = 0;
  for (int index = 0; index < Histogram::kBucketCount; ++index) {
    const uint64_t inBucket = histogram.counts[static_cast<std::size_t>(index)];
    if (below + inBucket < rank) {
      below += inBucket;
      continue;
    }
    // Where the rank falls inside the bucket (0..1), taking each value as the middle of
    // an equal share of the bucket, so the estimate never reaches the next bucket.
    const double position = (static_cast<double>(rank - below) - 0.5) / static_cast<double>(inBucket);
    const double lower = Histogram::bucketLowerBound_ns(index);
    const double upper = Histogram::bucketUpperBound_ns(index);
    double estimate = 0.0;
    if (index == 0) {
      estimate = minimum;
    } else if (index == Histogram::kBucketCount - 1) {
      estimate = maximum;
    } else if (index == Histogram::kCentreBucket) {
      estimate = lower + (upper - lower) * position;
    } else {  // both bounds have the same sign: interpolate geometrically
      estimate = lower * std::pow(upper / lower, position);
    }
    if (histogram.count > 0) estimate = std::clamp(estimate, minimum, maximum);
    return estimate;
  }
  return maximum;
}

Statistics computeStatistics(const HistogramSnapshot& histogram) noexcept {
  Statistics statistics;
  if (histogram.count == 0) return statistics;
  statistics.count = histogram.count;
  statistics.min_ns = static_cast<double>(histogram.min_ns);
  statistics.max_ns = static_cast<double>(histogram.max_ns);
  statistics.mean_ns = static_cast<double>(histogram.sum_ns) / static_cast<double>(histogram.count);
  statistics.p50_ns = percentile_ns(histogram, 0.50);
  statistics.p90_ns = percentile_ns(histogram, 0.90);
  statistics.p99_ns = percentile_ns(histogram, 0.99);
  statistics.p999_ns = percentile_ns(histogram, 0.999);
  return statistics;
}

}  // namespace awe
