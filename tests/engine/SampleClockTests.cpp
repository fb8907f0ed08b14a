// SampleClock: buffer starts on the device's sample clock from jittery callback entries.
#include <catch2/catch.hpp>

#include <random>

#include "engine/SampleClock.h"

using awe::SampleClock;

namespace {
constexpr double kRate = 44100.0;
constexpr size_t kFrames = 256;
constexpr double kBuffer_ns = 1e9 * kFrames / kRate;
constexpr int64_t kOrigin_ns = 5'000'000'000;
}  // namespace

TEST_CASE("the sample clock sits on the least-delayed entries, not on each entry's delay", "[latency][clock]") {
  SampleClock clock(kRate);
  std::mt19937 random(3);
  std::uniform_int_distribution<int64_t> delay(2'000, 60'000);  // 2..60 us late
  for (int k = 0; k < 2000; ++k) {
    const auto ideal = kOrigin_ns + static_cast<int64_t>(k * kBuffer_ns);
    const int64_t entry = ideal + delay(random);
    const int64_t start = clock.bufferStart(entry, kFrames);
    REQUIRE(start <= entry);
    if (k >= 200) {  // after the first second's window
      INFO("buffer " << k);
      REQUIRE(start - ideal >= 2'000 - 1);
      REQUIRE(start - ideal < 10'000);  // close to the smallest delay, far below the largest
    }
  }
}

TEST_CASE("a driver faster than real time starts every buffer at its entry", "[latency][clock]") {
  SampleClock clock(kRate);
  int64_t entry = kOrigin_ns;
  for (int k = 0; k < 100; ++k) {
    entry += 10'000;  // offline: a buffer every 10 us
    REQUIRE(clock.bufferStart(entry, kFrames) == entry);
  }
}

TEST_CASE("a stall restarts the timeline at the late entry", "[latency][clock]") {
  SampleClock clock(kRate);
  for (int k = 0; k < 50; ++k) clock.bufferStart(kOrigin_ns + static_cast<int64_t>(k * kBuffer_ns) + 5'000, kFrames);
  // Buffer 50 comes five buffers late (frames were lost); the timeline continues from it.
  const auto late = kOrigin_ns + static_cast<int64_t>(55 * kBuffer_ns) + 5'000;
  CHECK(clock.bufferStart(late, kFrames) == late);
  const auto next = late + static_cast<int64_t>(kBuffer_ns) + 20'000;
  CHECK(std::llabs(clock.bufferStart(next, kFrames) - (late + static_cast<int64_t>(std::llround(kBuffer_ns)))) <= 1);
}

TEST_CASE("device clocks running fast or slow against the monotonic clock are followed", "[latency][clock]") {
  for (double drift_ppm : {-100.0, 100.0}) {
    INFO("drift " << drift_ppm << " ppm");
    SampleClock clock(kRate);
    std::mt19937 random(5);
    std::uniform_int_distribution<int64_t> delay(2'000, 40'000);
    const double period_ns = kBuffer_ns * (1.0 + drift_ppm * 1e-6);
    for (int k = 0; k < 20 * 172; ++k) {  // 20 s
      const auto ideal = kOrigin_ns + static_cast<int64_t>(k * period_ns);
      const int64_t entry = ideal + delay(random);
      const int64_t start = clock.bufferStart(entry, kFrames);
      REQUIRE(start <= entry);
      // Once the slope is learnt (two windows), within a sample (22.7 us) of the
      // least-delayed entries (a slow clock followed by window steps alone would be up
      // to two windows' drift, 200 us, behind).
      if (k >= 3 * 172) REQUIRE(std::llabs(start - ideal - 2'000) < 20'000);
    }
  }
}
