#pragma once
// FlightRecorder<Record>: the last N records of one producer, readable by any number of
// threads without ever stopping or slowing the producer.
//
// Each slot is a small seqlock whose sequence word also names the record it holds: it is
// 2*(n+1) once record n is complete and odd while a record is being written. A reader
// asking for record n checks the word before and after copying, and skips the record if
// it was torn or already overwritten. Record words are atomics (no data race even on a
// torn read) ordered without fences, so the scheme is clean under ThreadSanitizer.
//
// push() is one release store per 8 bytes of record (a plain move on x86) plus three more
// stores; pushZeros() into a slot that holds zeros already is the three stores alone. Neither
// allocates, locks or waits. Capacity is fixed at construction (which allocates).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "monitor/RecordWords.h"

namespace awe {

template <typename Record>
class FlightRecorder {
  static_assert(std::is_trivially_copyable<Record>::value, "records are copied as raw words");

 public:
  // [any thread but the producer's, before it starts] capacity >= 1
  explicit FlightRecorder(std::size_t capacity)
      : capacity_(std::max<std::size_t>(1, capacity)), slots_(new Slot[capacity_]) {}

  FlightRecorder(const FlightRecorder&) = delete;
  FlightRecorder& operator=(const FlightRecorder&) = delete;

  std::size_t capacity() const noexcept { return capacity_; }

  // [the one producer thread] Stores the record as number written() and returns that number.
  uint64_t push(const Record& record) noexcept {  // [audio thread]
    const uint64_t number = written_.load(std::memory_order_relaxed);
    Slot& slot = slots_[number % capacity_];
    slot.sequence.store(2 * number + 1, std::memory_order_relaxed);  // odd: being written
    // Release word stores (plain moves on x86) instead of a fence, which ThreadSanitizer
    // cannot model: a reader that sees any new word also sees the odd sequence after it.
    storeRecordWords(slot.words, record);
    slot.zeros = false;
    slot.sequence.store(2 * number + 2, std::memory_order_release);
    written_.store(number + 1, std::memory_order_release);
    return number;
  }

  // [the one producer thread] The same for a record of all zero bytes (what push() of a
  // zero-initialised Record stores), and cheaper: a slot that holds zeros already keeps its
  // words, only its sequence moves on. A reader sees exactly what push() would have left.
  uint64_t pushZeros() noexcept {  // [audio thread]
    const uint64_t number = written_.load(std::memory_order_relaxed);
    Slot& slot = slots_[number % capacity_];
    slot.sequence.store(2 * number + 1, std::memory_order_relaxed);  // odd: being written
    if (!slot.zeros) {
      for (std::size_t i = 0; i < kWords; ++i) slot.words[i].store(0, std::memory_order_release);
      slot.zeros = true;
    }
    slot.sequence.store(2 * number + 2, std::memory_order_release);
    written_.store(number + 1, std::memory_order_release);
    return number;
  }

  // [any thread] How many records were ever pushed; the newest is number written() - 1.
  uint64_t written() const noexcept { return written_.load(std::memory_order_acquire); }

  // [any thread] Copies record `number` into `out`. False if it is not written yet, was
  // overwritten, or was being overwritten during the copy (torn).
  bool read(uint64_t number, Record& out) const noexcept {
    const Slot& slot = slots_[number % capacity_];
    const uint64_t expected = 2 * number + 2;
    if (slot.sequence.load(std::memory_order_acquire) != expected) return false;
    uint64_t words[kWords];
    for (std::size_t i = 0; i < kWords; ++i) words[i] = slot.words[i].load(std::memory_order_acquire);
    if (slot.sequence.load(std::memory_order_relaxed) != expected) return false;
    std::memcpy(&out, words, sizeof(Record));
    return true;
  }

  // [any thread] Copies up to `maxCount` of the newest records, oldest first, skipping
  // any the producer overwrote meanwhile. Returns how many were copied.
  std::size_t readLatest(Record* out, std::size_t maxCount) const noexcept {
    const uint64_t end = written();
    const uint64_t available = std::min<uint64_t>({end, capacity_, maxCount});
    std::size_t copied = 0;
    for (uint64_t number = end - available; number < end; ++number) {
      if (read(number, out[copied])) ++copied;
    }
    return copied;
  }

  // [any thread, allocates] The same into a vector.
  std::vector<Record> latest(std::size_t maxCount) const {
    std::vector<Record> records(std::min<std::size_t>(maxCount, capacity_));
    records.resize(readLatest(records.data(), records.size()));
    return records;
  }

 private:
  static constexpr std::size_t kWords = recordWordCount<Record>();

  struct Slot {
    std::atomic<uint64_t> sequence{0};
    std::atomic<uint64_t> words[kWords] = {};
    bool zeros = true;  // the producer's own note (readers never touch it): every word is 0
  };

  std::size_t capacity_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<uint64_t> written_{0};
};

}  // namespace awe
