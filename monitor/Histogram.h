#pragma once
// Histogram: a fixed log-scale histogram of signed nanosecond values in atomic counters.
//
// Buckets grow by 2^(1/8) (about 9 %) from 100 ns to about 10.3 s on each side of zero:
//   index 0                      value <= -10.35 s          (negative overflow)
//   index 1 .. 213               negative magnitudes, largest first
//   index 214 (kCentreBucket)    -100 ns < value < 100 ns   (underflow, both signs)
//   index 215 .. 427             positive magnitudes: bucket k covers
//                                [100 ns * 2^(k/8), 100 ns * 2^((k+1)/8))
//   index 428                    value >= 10.35 s           (positive overflow)
// Indices therefore ascend with the value, which is what percentiles walk. Unsigned
// quantities (busy time, latencies) simply leave the negative half empty.
//
// record() is a handful of relaxed loads and stores (no read-modify-write), so each
// histogram has ONE writer thread at a time; any number of threads may take snapshot()s.
// Exact count, sum, min and max are kept next to the buckets.
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>

namespace awe {

struct HistogramSnapshot;

class Histogram {
 public:
  static constexpr int kBucketsPerOctave = 8;
  static constexpr int64_t kSmallestMagnitude_ns = 100;
  static constexpr int kMagnitudeBuckets = 213;  // 100 ns * 2^(213/8) = 10.35 s
  static constexpr int kCentreBucket = kMagnitudeBuckets + 1;
  static constexpr int kBucketCount = 2 * kMagnitudeBuckets + 3;

  Histogram() noexcept = default;
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // [the one writer thread] Never allocates, locks or waits.
  void record(int64_t value_ns) noexcept;

  // [any thread] Relaxed copy: buckets recorded during the copy may or may not be in it.
  HistogramSnapshot snapshot() const noexcept;

  // The bucket a value falls in, and a bucket's bounds in ns (lower inclusive for positive
  // buckets; the overflow buckets reach +-infinity).
  static int bucketIndex(int64_t value_ns) noexcept;
  static double bucketLowerBound_ns(int index) noexcept;
  static double bucketUpperBound_ns(int index) noexcept;

 private:
  std::array<std::atomic<uint64_t>, kBucketCount> counts_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> sum_ns_{0};
  std::atomic<int64_t> min_ns_{std::numeric_limits<int64_t>::max()};
  std::atomic<int64_t> max_ns_{std::numeric_limits<int64_t>::min()};
};

// A plain copy of a Histogram, for the reading side (statistics, reports).
struct HistogramSnapshot {
  std::array<uint64_t, Histogram::kBucketCount> counts{};
  uint64_t count = 0;
  int64_t sum_ns = 0;
  int64_t min_ns = 0;  // exact; 0 when empty
  int64_t max_ns = 0;  // exact; 0 when empty
};

}  // namespace awe
