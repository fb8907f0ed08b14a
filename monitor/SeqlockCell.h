#pragma once
// SeqlockCell<T>: one small trivially copyable value written by one thread and read by any
// number of threads; the writer never waits, readers retry while a write is in flight.
// Used for values that must be read as a whole (the outlier tables), where separate
// atomics could be seen half-updated.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "monitor/RecordWords.h"

namespace awe {

template <typename T>
class SeqlockCell {
  static_assert(std::is_trivially_copyable<T>::value, "values are copied as raw words");

 public:
  SeqlockCell() noexcept { store(T{}); }
  SeqlockCell(const SeqlockCell&) = delete;
  SeqlockCell& operator=(const SeqlockCell&) = delete;

  // [the one writer thread] Never allocates, locks or waits.
  void store(const T& value) noexcept {  // [audio thread]
    const uint64_t sequence = sequence_.load(std::memory_order_relaxed);
    sequence_.store(sequence + 1, std::memory_order_relaxed);  // odd: being written
    // Release word stores instead of a fence (see FlightRecorder.h).
    storeRecordWords(words_, value);
    sequence_.store(sequence + 2, std::memory_order_release);
  }

  // [any thread] Copies a consistent value into `out`. False only if `attempts` tries all
  // overlapped a write (the writer would have to rewrite it continuously).
  bool load(T& out, int attempts = 1000) const noexcept {
    for (int attempt = 0; attempt < attempts; ++attempt) {
      const uint64_t before = sequence_.load(std::memory_order_acquire);
      if ((before & 1) != 0) continue;
      uint64_t words[kWords];
      for (std::size_t i = 0; i < kWords; ++i) words[i] = words_[i].load(std::memory_order_acquire);
      if (sequence_.load(std::memory_order_relaxed) != before) continue;
      std::memcpy(&out, words, sizeof(T));
      return true;
    }
    return false;
  }

 private:
  static constexpr std::size_t kWords = recordWordCount<T>();
  std::atomic<uint64_t> sequence_{0};
  std::atomic<uint64_t> words_[kWords] = {};
};

}  // namespace awe
