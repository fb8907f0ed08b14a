#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/BufferRecord.h"
#include "monitor/FlightRecorder.h"
#include "monitor/Outliers.h"
#include "monitor/SeqlockCell.h"

namespace {

// A record that proves it was not torn: every field derives from the sequence number.
struct CheckedRecord {
  uint64_t sequence;
  uint64_t doubled;
  uint64_t inverted;
  uint32_t low;
  uint32_t high;
  uint64_t mixed;
  uint64_t checksum;
};

uint64_t mix(uint64_t value) {
  value ^= value >> 33;
  value *= 0xff51afd7ed558ccdull;
  value ^= value >> 33;
  return value;
}

CheckedRecord makeRecord(uint64_t sequence) {
  CheckedRecord record{};
  record.sequence = sequence;
  record.doubled = sequence * 2;
  record.inverted = ~sequence;
  record.low = static_cast<uint32_t>(sequence);
  record.high = static_cast<uint32_t>(sequence >> 32);
  record.mixed = mix(sequence);
  record.checksum = record.sequence ^ record.doubled ^ record.inverted ^ record.mixed;
  return record;
}

bool isIntact(const CheckedRecord& record) {
  const CheckedRecord expected = makeRecord(record.sequence);
  return record.doubled == expected.doubled && record.inverted == expected.inverted && record.low == expected.low &&
         record.high == expected.high && record.mixed == expected.mixed && record.checksum == expected.checksum;
}

}  // namespace

TEST_CASE("FlightRecorder keeps the newest records in order", "[monitor]") {
  awe::FlightRecorder<awe::BufferRecord> recorder(8);
  CHECK(recorder.written() == 0);
  awe::BufferRecord record;
  CHECK_FALSE(recorder.read(0, record));
  for (uint64_t i = 0; i < 20; ++i) {
    record.index = i;
    record.busy_ns = static_cast<int64_t>(i * 1000);
    CHECK(recorder.push(record) == i);
  }
  CHECK(recorder.written() == 20);
  CHECK_FALSE(recorder.read(11, record));  // overwritten
  REQUIRE(recorder.read(12, record));
  CHECK(record.index == 12);
  CHECK(record.busy_ns == 12000);
  CHECK_FALSE(recorder.read(20, record));  // not written yet

  const std::vector<awe::BufferRecord> latest = recorder.latest(100);
  REQUIRE(latest.size() == 8);
  for (std::size_t i = 0; i < latest.size(); ++i) CHECK(latest[i].index == 12 + i);
  const std::vector<awe::BufferRecord> three = recorder.latest(3);
  REQUIRE(three.size() == 3);
  CHECK(three.front().index == 17);
  CHECK(three.back().index == 19);
}

TEST_CASE("FlightRecorder: readers never see a torn record while the writer runs", "[monitor]") {
  constexpr uint64_t kRecords = 300'000;
  awe::FlightRecorder<CheckedRecord> recorder(64);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> torn{0};
  std::atomic<uint64_t> disordered{0};
  std::atomic<uint64_t> recordsRead{0};
  std::atomic<uint64_t> pushed{0};

  std::thread writer([&] {
    // At least kRecords, and on until the readers have read a good number meanwhile.
    uint64_t sequence = 0;
    while (sequence < kRecords || recordsRead.load() < 100'000) recorder.push(makeRecord(sequence++));
    pushed.store(sequence);
    done.store(true);
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      CheckedRecord batch[64];
      while (!done.load()) {
        if (r == 0) {  // single reads of the newest few
          const uint64_t written = recorder.written();
          CheckedRecord record{};
          if (written > 0 && recorder.read(written - 1, record)) {
            if (!isIntact(record) || record.sequence != written - 1) torn.fetch_add(1);
            recordsRead.fetch_add(1);
          }
          continue;
        }
        const std::size_t count = recorder.readLatest(batch, 64);
        for (std::size_t i = 0; i < count; ++i) {
          if (!isIntact(batch[i])) torn.fetch_add(1);
          if (i > 0 && batch[i].sequence <= batch[i - 1].sequence) disordered.fetch_add(1);
        }
        recordsRead.fetch_add(count);
      }
    });
  }
  writer.join();
  for (std::thread& reader : readers) reader.join();

  CHECK(torn.load() == 0);
  CHECK(disordered.load() == 0);
  CHECK(recordsRead.load() > 0);
  CheckedRecord last{};
  REQUIRE(recorder.read(pushed.load() - 1, last));
  CHECK(isIntact(last));
}

TEST_CASE("SeqlockCell: readers get whole outlier tables while the writer updates", "[monitor]") {
  awe::SeqlockCell<awe::OutlierTable> cell;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> inconsistent{0};
  std::thread writer([&] {
    awe::OutlierTable table;
    for (uint64_t round = 1; round < 100'000; ++round) {
      table.count = awe::OutlierTable::kCapacity;
      for (auto& entry : table.entries) entry = awe::Outlier{round, static_cast<int64_t>(round)};
      cell.store(table);
    }
    done.store(true);
  });
  std::thread reader([&] {
    awe::OutlierTable table;
    while (!done.load()) {
      if (!cell.load(table)) continue;
      for (const auto& entry : table.entries) {
        if (entry.bufferIndex != table.entries[0].bufferIndex || entry.value_ns != table.entries[0].value_ns) {
          inconsistent.fetch_add(1);
        }
      }
    }
  });
  writer.join();
  reader.join();
  CHECK(inconsistent.load() == 0);
}

TEST_CASE("OutlierTracker keeps the largest magnitudes, largest first", "[monitor]") {
  awe::OutlierTracker tracker;
  const int64_t values[] = {5, -40, 3, 100, -7, 0, 60, 2, -90, 8, 1, 70};
  for (std::size_t i = 0; i < std::size(values); ++i) tracker.offer(i, values[i]);
  const awe::OutlierTable& table = tracker.table();
  REQUIRE(table.count == awe::OutlierTable::kCapacity);
  const int64_t expected[] = {100, -90, 70, 60, -40, 8, -7, 5};
  for (uint32_t i = 0; i < table.count; ++i) CHECK(table.entries[i].value_ns == expected[i]);
  CHECK(table.entries[0].bufferIndex == 3);
  CHECK_FALSE(tracker.offer(99, 4));  // smaller than all kept
}

namespace {

// 13 bytes: the last word is part record, part zero fill.
struct OddRecord {
  uint8_t bytes[13];
};

template <typename Record>
std::vector<uint8_t> bytesOf(const Record& record) {
  const auto* p = reinterpret_cast<const uint8_t*>(&record);
  return std::vector<uint8_t>(p, p + sizeof(Record));
}

template <typename Record>
Record patterned(uint64_t n) {
  Record record;
  auto* p = reinterpret_cast<uint8_t*>(&record);
  for (std::size_t i = 0; i < sizeof(Record); ++i) p[i] = static_cast<uint8_t>(mix(n * 131 + i) | 1);  // never 0
  return record;
}

// Pushes the same run of records into two recorders, zero records as push(Record{}) into
// one and as pushZeros() into the other, and checks after every push that every record a
// reader can get is byte for byte the same in both, and the expected bytes.
template <typename Record>
void checkPushZerosSameAsPush(std::size_t capacity) {
  awe::FlightRecorder<Record> pushed(capacity), zeroed(capacity);
  std::vector<std::vector<uint8_t>> expected;
  const Record zero{};
  // Runs of sound and silence, longer and shorter than the ring, so zero records land on
  // slots that held data, slots that held zeros and slots never written.
  const int pattern[] = {0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0};
  uint64_t n = 0;
  for (int sound : pattern) {
    if (sound != 0) {
      const Record r = patterned<Record>(n);
      CHECK(pushed.push(r) == n);
      CHECK(zeroed.push(r) == n);
      expected.push_back(bytesOf(r));
    } else {
      CHECK(pushed.push(zero) == n);
      CHECK(zeroed.pushZeros() == n);
      expected.push_back(bytesOf(zero));
    }
    ++n;
    REQUIRE(zeroed.written() == pushed.written());
    for (uint64_t k = 0; k < n; ++k) {
      Record a, b;
      const bool readA = pushed.read(k, a), readB = zeroed.read(k, b);
      REQUIRE(readA == readB);
      REQUIRE(readA == (k + capacity >= n));  // the newest `capacity` records
      if (!readA) continue;
      INFO("record " << k << " after " << n << " pushes");
      CHECK(bytesOf(a) == expected[k]);
      CHECK(bytesOf(b) == expected[k]);
    }
  }
}

}  // namespace

TEST_CASE("FlightRecorder::pushZeros stores exactly what push() of a zero record stores", "[monitor]") {
  checkPushZerosSameAsPush<awe::BufferRecord>(4);
  checkPushZerosSameAsPush<OddRecord>(3);
  checkPushZerosSameAsPush<CheckedRecord>(1);
}

TEST_CASE("SeqlockCell and FlightRecorder keep a record whose size is not whole words", "[monitor]") {
  awe::SeqlockCell<OddRecord> cell;
  awe::FlightRecorder<OddRecord> recorder(2);
  for (uint64_t n = 0; n < 5; ++n) {
    const OddRecord r = patterned<OddRecord>(n);
    cell.store(r);
    recorder.push(r);
    OddRecord fromCell{}, fromRing{};
    REQUIRE(cell.load(fromCell));
    REQUIRE(recorder.read(n, fromRing));
    CHECK(bytesOf(fromCell) == bytesOf(r));
    CHECK(bytesOf(fromRing) == bytesOf(r));
  }
}

TEST_CASE("FlightRecorder: readers see whole records and whole zero records while push and pushZeros alternate",
          "[monitor]") {
  constexpr uint64_t kRecords = 200'000;
  awe::FlightRecorder<CheckedRecord> recorder(16);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> wrong{0}, recordsRead{0};
  // Record n is makeRecord(n) when n % 3 == 0, else all zeros: a slot sees both kinds.
  auto isZero = [](const CheckedRecord& r) {
    const CheckedRecord zero{};
    return bytesOf(r) == bytesOf(zero);
  };
  std::thread writer([&] {
    uint64_t n = 0;
    while (n < kRecords || recordsRead.load() < 50'000) {
      if (n % 3 == 0) {
        recorder.push(makeRecord(n));
      } else {
        recorder.pushZeros();
      }
      ++n;
    }
    done.store(true);
  });
  std::thread reader([&] {
    while (!done.load()) {
      const uint64_t written = recorder.written();
      for (uint64_t k = written > 16 ? written - 16 : 0; k < written; ++k) {
        CheckedRecord r;
        if (!recorder.read(k, r)) continue;
        const bool right = k % 3 == 0 ? isIntact(r) && r.sequence == k : isZero(r);
        if (!right) wrong.fetch_add(1);
        recordsRead.fetch_add(1);
      }
    }
  });
  writer.join();
  reader.join();
  CHECK(wrong.load() == 0);
  CHECK(recordsRead.load() > 0);
}
