#pragma once
// Statistics of one distribution, computed on the reading side from a HistogramSnapshot.
// count, min, max and mean are exact; the percentiles are estimated within their bucket
// (about 9 % wide), interpolated geometrically inside it and clamped to [min, max].
#include <cstdint>

#include "monitor/Histogram.h"

namespace awe {

struct Statistics {
  uint64_t count = 0;
  double min_ns = 0.0;
  double mean_ns = 0.0;
  double p50_ns = 0.0;
  double p90_ns = 0.0;
  double p99_ns = 0.0;
  double p999_ns = 0.0;  // 99.9th percentile
  double max_ns = 0.0;
};

// [any thread] All zero for an empty histogram.
Statistics computeStatistics(const HistogramSnapshot& histogram) noexcept;

// [any thread] The value below which `fraction` (0..1) of the recorded values lie
// (nearest rank). 0 for an empty histogram.
double percentile_ns(const HistogramSnapshot& histogram, double fraction) noexcept;

}  // namespace awe
