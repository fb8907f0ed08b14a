#pragma once
// OutlierTracker: the N buffers with the largest |value| seen so far (jitter, interval
// error), so a report can name the buffers behind a bad percentile. Fixed size; the owner
// thread offers every value, and publishes the table (e.g. through a SeqlockCell) when
// offer() says it changed, which after warm-up is rare.
#include <cstdint>

namespace awe {

struct Outlier {
  uint64_t bufferIndex = 0;
  int64_t value_ns = 0;
};

struct OutlierTable {
  static constexpr uint32_t kCapacity = 8;
  Outlier entries[kCapacity] = {};  // largest |value| first
  uint32_t count = 0;
};

class OutlierTracker {
 public:
  // [owner thread] Keeps the value if it is among the N largest magnitudes (zero never
  // is). Returns true if the table changed. O(1) when it is not kept.
  bool offer(uint64_t bufferIndex, int64_t value_ns) noexcept {  // [audio thread]
    const uint64_t magnitude = magnitudeOf(value_ns);
    if (magnitude == 0) return false;
    uint32_t position = table_.count;
    if (position == OutlierTable::kCapacity) {
      if (magnitude <= magnitudeOf(table_.entries[position - 1].value_ns)) return false;
      --position;  // replaces the smallest
    } else {
      ++table_.count;
    }
    while (position > 0 && magnitudeOf(table_.entries[position - 1].value_ns) < magnitude) {
      table_.entries[position] = table_.entries[position - 1];
      --position;
    }
    table_.entries[position] = Outlier{bufferIndex, value_ns};
    return true;
  }

  const OutlierTable& table() const noexcept { return table_; }  // [audio thread]

 private:
  static uint64_t magnitudeOf(int64_t value) noexcept {  // [audio thread]
    return value < 0 ? static_cast<uint64_t>(-(value + 1)) + 1 : static_cast<uint64_t>(value);
  }

  OutlierTable table_;
};

}  // namespace awe
