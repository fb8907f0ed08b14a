#pragma once
// The word stores of the seqlocks (FlightRecorder, SeqlockCell): a trivially copyable
// value is published as 8-byte atomic words, the last word's bytes past the value zero.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace awe {

template <typename T>
constexpr std::size_t recordWordCount() noexcept {
  return (sizeof(T) + 7) / 8;
}

// [the one writer thread] Release-stores `value` into words[0 .. recordWordCount<T>()).
// Each word is loaded straight from the value: no staging copy of the whole record (for
// the scope's 2 KB blocks that copy, and zeroing it first, cost more than the stores).
template <typename T>
inline void storeRecordWords(std::atomic<uint64_t>* words, const T& value) noexcept {  // [audio thread]
  static_assert(std::is_trivially_copyable<T>::value, "records are copied as raw words");
  constexpr std::size_t kFullWords = sizeof(T) / 8;
  constexpr std::size_t kTailBytes = sizeof(T) % 8;
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(&value);
  auto storeWord = [&](std::size_t i) {
    uint64_t word;
    std::memcpy(&word, bytes + 8 * i, 8);
    words[i].store(word, std::memory_order_release);
  };
  constexpr std::size_t kRounds = kFullWords / 4;  // four a round: one count and jump per 4 stores
  for (std::size_t round = 0; round < kRounds; ++round) {
    storeWord(4 * round);
    storeWord(4 * round + 1);
    storeWord(4 * round + 2);
    storeWord(4 * round + 3);
  }
  for (std::size_t i = 4 * kRounds; i < kFullWords; ++i) storeWord(i);
  if constexpr (kTailBytes != 0) {
    uint64_t word = 0;  // the bytes past the value stay zero, as readers always saw them
    std::memcpy(&word, bytes + 8 * kFullWords, kTailBytes);
    words[kFullWords].store(word, std::memory_order_release);
  }
}

}  // namespace awe
