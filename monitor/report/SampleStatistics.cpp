#include "monitor/report/SampleStatistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace awe {

double quantileOfSorted(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0.0;
  const double position = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * weight;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return quantileOfSorted(values, 0.50);
}

double nearestRankOfSorted(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

SampleStatistics summarize(const std::vector<double>& values) {
  SampleStatistics s;
  if (values.empty()) return s;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  s.count = sorted.size();
  s.min = sorted.front();
  s.max = sorted.back();
  s.median = quantileOfSorted(sorted, 0.50);
  s.p95 = quantileOfSorted(sorted, 0.95);
  s.p99 = quantileOfSorted(sorted, 0.99);
  const double n = static_cast<double>(sorted.size());
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  if (sorted.size() > 1) {
    double squares = 0.0;
    for (double v : sorted) squares += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(squares / (n - 1.0));
  }
  return s;
}

LinearHistogram linearHistogram(const std::vector<double>& values, std::size_t bins) {
  LinearHistogram h;
  if (values.empty() || bins == 0) return h;
  const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
  h.lowest = *lowest;
  if (*highest == *lowest) {
    h.counts.assign(1, values.size());
    return h;
  }
  h.binWidth = (*highest - *lowest) / static_cast<double>(bins);
  h.counts.assign(bins, 0);
  for (double v : values) {
    // The largest value belongs to the last bin, not one past it.
    const auto bin = static_cast<std::size_t>((v - h.lowest) / h.binWidth);
    ++h.counts[std::min(bin, bins - 1)];
  }
  return h;
}

OutlierFence upperOutliers(const std::vector<double>& values, double k, double minMargin) {
  OutlierFence result;
  if (values.empty()) return result;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double q1 = quantileOfSorted(sorted, 0.25);
  const double q3 = quantileOfSorted(sorted, 0.75);
  result.fence = q3 + std::max(k * (q3 - q1), minMargin);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] > result.fence) result.indices.push_back(i);
  }
  std::stable_sort(result.indices.begin(), result.indices.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
  return result;
}

}  // namespace awe
