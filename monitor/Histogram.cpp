#include "monitor/Histogram.h"

#include <cmath>
#include <cstring>

namespace awe {
namespace {

// 2^(j/8) for j = 1..7: the sub-bucket boundaries inside one octave.
constexpr double kOctaveSteps[7] = {1.0905077326652577, 1.189207115002721,  1.2968395546510096,
                                    1.4142135623730951, 1.5422108254079407, 1.681792830507429,
                                    1.8340080864093424};

// floor(8 * log2(magnitude / 100)) for magnitude >= 100, from the double's exponent bits
// and seven comparisons (no log call).
int magnitudeBucket(uint64_t magnitude_ns) noexcept {  // [audio thread]
  // A multiplication, not a division (which costs several times more); the rounding can
  // only matter within an ulp of a bucket boundary.
  constexpr double kPerSmallest = 1.0 / static_cast<double>(Histogram::kSmallestMagnitude_ns);
  const double ratio = static_cast<double>(magnitude_ns) * kPerSmallest;
  uint64_t bits = 0;
  std::memcpy(&bits, &ratio, sizeof bits);
  const int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  const uint64_t unitBits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;  // in [1, 2)
  double unit = 0.0;
  std::memcpy(&unit, &unitBits, sizeof unit);
  int step = 0;
  for (double boundary : kOctaveSteps) step += unit >= boundary ? 1 : 0;
  return exponent * Histogram::kBucketsPerOctave + step;
}

double magnitudeBound_ns(int bucket) noexcept {
  return static_cast<double>(Histogram::kSmallestMagnitude_ns) *
         std::exp2(static_cast<double>(bucket) / Histogram::kBucketsPerOctave);
}

template <typename T>
void incrementSingleWriter(std::atomic<T>& counter, T amount) noexcept {  // [audio thread]
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

}  // namespace

int Histogram::bucketIndex(int64_t value_ns) noexcept {  // [audio thread]
  const bool negative = value_ns < 0;
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(value_ns + 1)) + 1 : static_cast<uint64_t>(value_ns);
  if (magnitude < static_cast<uint64_t>(kSmallestMagnitude_ns)) return kCentreBucket;
  const int bucket = magnitudeBucket(magnitude);
  if (bucket >= kMagnitudeBuckets) return negative ? 0 : kBucketCount - 1;
  return negative ? kCentreBucket - 1 - bucket : kCentreBucket + 1 + bucket;
}

double Histogram::bucketLowerBound_ns(int index) noexcept {
  if (index <= 0) return -std::numeric_limits<double>::infinity();
  if (index < kCentreBucket) return -magnitudeBound_ns(kCentreBucket - index);
  if (index == kCentreBucket) return -static_cast<double>(kSmallestMagnitude_ns);
  return magnitudeBound_ns(index - kCentreBucket - 1);
}

double Histogram::bucketUpperBound_ns(int index) noexcept {
  if (index >= kBucketCount - 1) return std::numeric_limits<double>::infinity();
  if (index < kCentreBucket) return -magnitudeBound_ns(kCentreBucket - 1 - index);
  if (index == kCentreBucket) return static_cast<double>(kSmallestMagnitude_ns);
  return magnitudeBound_ns(index - kCentreBucket);
}

void Histogram::record(int64_t value_ns) noexcept {  // [audio thread]
  if (value_ns < min_ns_.load(std::memory_order_relaxed)) min_ns_.store(value_ns, std::memory_order_relaxed);
  if (value_ns > max_ns_.load(std::memory_order_relaxed)) max_ns_.store(value_ns, std::memory_order_relaxed);
  incrementSingleWriter<uint64_t>(counts_[static_cast<std::size_t>(bucketIndex(value_ns))], 1);
  incrementSingleWriter<int64_t>(sum_ns_, value_ns);
  // Released last: a reader that sees count > 0 also sees a real min and max.
  count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

HistogramSnapshot Histogram::snapshot() const noexcept {
  HistogramSnapshot copy;
  copy.count = count_.load(std::memory_order_acquire);
  copy.sum_ns = sum_ns_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < counts_.size(); ++i) copy.counts[i] = counts_[i].load(std::memory_order_relaxed);
  if (copy.count > 0) {
    copy.min_ns = min_ns_.load(std::memory_order_relaxed);
    copy.max_ns = max_ns_.load(std::memory_order_relaxed);
  }
  return copy;
}

}  // namespace awe
