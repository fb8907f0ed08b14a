// Onset detection (awe-latency's loopback): exact frames, independent of how the signal
// is cut into blocks, hold time, disarmed start, gaps and overflow.
#include <catch2/catch.hpp>

#include <vector>

#include "engine/OnsetDetector.h"

using awe::Onset;
using awe::OnsetDetector;
using awe::OnsetDetectorSettings;

namespace {

// Silence with bursts: each {start, length, level} (a square wave of that level).
struct Burst {
  size_t start, length;
  float level;
};
std::vector<float> signalWith(size_t frames, const std::vector<Burst>& bursts) {
  std::vector<float> x(frames, 0.0f);
  for (const Burst& b : bursts) {
    for (size_t i = 0; i < b.length && b.start + i < frames; ++i) x[b.start + i] = (i / 3) % 2 == 0 ? b.level : -b.level;
  }
  return x;
}

std::vector<Onset> detect(const std::vector<float>& x, size_t block, uint64_t firstFrame = 1000,
                          const OnsetDetectorSettings& settings = {}) {
  OnsetDetector detector(settings);
  std::vector<Onset> all;
  Onset out[8];
  for (size_t at = 0; at < x.size(); at += block) {
    const size_t n = std::min(block, x.size() - at);
    const size_t found = detector.process(x.data() + at, n, firstFrame + at, out, 8);
    all.insert(all.end(), out, out + found);
  }
  return all;
}

}  // namespace

TEST_CASE("onsets are found at their exact frame whatever the block size", "[latency][onset]") {
  const std::vector<float> x = signalWith(20000, {{1000, 300, 0.5f}, {5003, 50, 0.01f}, {12345, 2000, 0.9f}});
  for (size_t block : {size_t{1}, size_t{7}, size_t{64}, size_t{1024}, size_t{20000}}) {
    INFO("block " << block);
    const std::vector<Onset> onsets = detect(x, block);
    REQUIRE(onsets.size() == 3);
    CHECK(onsets[0].frame == 1000 + 1000);
    CHECK(onsets[1].frame == 1000 + 5003);
    CHECK(onsets[2].frame == 1000 + 12345);
    CHECK(onsets[0].level == 0.5f);
    CHECK(onsets[1].level == 0.01f);
  }
}

TEST_CASE("the threshold is strict and magnitudes count on both sides of zero", "[latency][onset]") {
  OnsetDetectorSettings settings;
  settings.threshold = 0.25f;
  settings.holdFrames = 10;
  std::vector<float> x(100, 0.0f);
  x[30] = 0.25f;   // at the threshold: quiet
  x[60] = -0.3f;   // negative, above it in magnitude
  const std::vector<Onset> onsets = detect(x, 16, 0, settings);
  REQUIRE(onsets.size() == 1);
  CHECK(onsets[0].frame == 60);
}

TEST_CASE("a new onset needs the hold time of quiet first", "[latency][onset]") {
  OnsetDetectorSettings settings;
  settings.holdFrames = 100;
  // Gaps of 99 samples (too short: one sound) and then 100 (long enough: a new onset).
  std::vector<float> x = signalWith(2000, {{200, 50, 0.5f}, {349, 50, 0.5f}, {499, 50, 0.5f}});
  std::vector<Onset> onsets = detect(x, 64, 0, settings);
  REQUIRE(onsets.size() == 2);
  CHECK(onsets[0].frame == 200);
  CHECK(onsets[1].frame == 499);
}

TEST_CASE("the detector starts disarmed and a gap in the frames disarms it", "[latency][onset]") {
  OnsetDetectorSettings settings;
  settings.holdFrames = 50;
  OnsetDetector detector(settings);
  Onset out[4];
  std::vector<float> loud(20, 0.5f), quiet(60, 0.0f);
  CHECK_FALSE(detector.armed());
  CHECK(detector.process(loud.data(), loud.size(), 0, out, 4) == 0);  // sound already going at the start
  CHECK(detector.process(quiet.data(), quiet.size(), 20, out, 4) == 0);
  CHECK(detector.armed());
  // Frames 80..99 never came (an xrun): what happened there is unknown.
  CHECK(detector.process(loud.data(), loud.size(), 100, out, 4) == 0);
  CHECK_FALSE(detector.armed());
  CHECK(detector.process(quiet.data(), quiet.size(), 120, out, 4) == 0);
  REQUIRE(detector.process(loud.data(), loud.size(), 180, out, 4) == 1);
  CHECK(out[0].frame == 180);
}

TEST_CASE("onsets beyond the output capacity are counted, not written", "[latency][onset]") {
  OnsetDetectorSettings settings;
  settings.holdFrames = 2;
  std::vector<float> x(40, 0.0f);
  for (size_t i = 4; i < 40; i += 4) x[i] = 1.0f;  // 9 onsets
  OnsetDetector detector(settings);
  Onset out[5];
  CHECK(detector.process(x.data(), x.size(), 0, out, 5) == 5);
  CHECK(detector.dropped() == 4);
  CHECK(out[4].frame == 20);
}
