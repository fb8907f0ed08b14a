// Stage profiles of several engines added up (ProfileSession with awe-bench's fresh engine
// per run): counts, histograms, the call tree joined by path, spans renumbered.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "monitor/StageProfile.h"

using namespace awe;

namespace {

const std::vector<std::string> kNames = {"buffer", "render", "voice", "steal"};

// `buffers` buffers of buffer > render > voice (and, when `steal`, buffer > steal first, so
// the node numbers differ between the two profiles).
StageProfileSnapshot recording(int buffers, bool steal, int64_t voice_ns) {
  StageProfile profile(kNames, 1024);
  int64_t t = 1000;
  for (int b = 0; b < buffers; ++b) {
    profile.beginBuffer(static_cast<uint64_t>(b));
    profile.add(0, 0, t, 10000, 1, false);
    if (steal) profile.add(3, 1, t + 10, 100, 1, false);
    profile.add(1, 1, t + 200, 9000, 1, false);
    profile.add(2, 2, t + 300, voice_ns, 4, true);
    profile.endBuffer(10000, 0);
    t += 20000;
  }
  return profile.snapshot();
}

int nodeOf(const StageProfileSnapshot& p, const std::vector<int>& stagePath) {
  int parent = -1;
  for (int stage : stagePath) {
    int found = -1;
    for (std::size_t i = 0; i < p.nodes.size(); ++i) {
      if (p.nodes[i].parent == parent && p.nodes[i].stage == stage) found = static_cast<int>(i);
    }
    if (found < 0) return -1;
    parent = found;
  }
  return parent;
}

}  // namespace

TEST_CASE("stage profiles of several engines add up", "[profiling][spans]") {
  const StageProfileSnapshot first = recording(3, false, 5000);
  const StageProfileSnapshot second = recording(2, true, 7000);
  StageProfileSnapshot merged;
  mergeStageProfile(merged, first);
  mergeStageProfile(merged, second);

  CHECK(merged.buffers == 5);
  CHECK(merged.busyTotal_ns == 50000);
  CHECK(merged.stages[0].spans == 5);
  CHECK(merged.stages[2].calls == 5 * 4);
  CHECK(merged.stages[2].total_ns == 3 * 5000 + 2 * 7000);
  CHECK(merged.stages[2].durations.count == 5);
  CHECK(merged.stages[2].durations.min_ns == 5000);
  CHECK(merged.stages[2].durations.max_ns == 7000);
  CHECK(merged.stages[3].spans == 2);

  // One tree: buffer > render > voice from both, buffer > steal from the second.
  CHECK(merged.nodes.size() == 4);
  const int voice = nodeOf(merged, {0, 1, 2});
  REQUIRE(voice >= 0);
  CHECK(merged.nodes[static_cast<std::size_t>(voice)].spans == 5);
  CHECK(merged.nodes[static_cast<std::size_t>(voice)].max_ns == 7000);
  CHECK(merged.nodes[static_cast<std::size_t>(voice)].aggregate);
  REQUIRE(nodeOf(merged, {0, 3}) >= 0);

  // Every span points at the node of its own stage.
  REQUIRE(merged.spans.size() == first.spans.size() + second.spans.size());
  for (const StageSpanRecord& span : merged.spans) {
    REQUIRE(span.node < merged.nodes.size());
    CHECK(merged.nodes[span.node].stage == span.stage);
  }

  // The newest spans are kept when there are too many.
  StageProfileSnapshot capped;
  mergeStageProfile(capped, first, 4);
  mergeStageProfile(capped, second, 4);
  REQUIRE(capped.spans.size() == 4);
  CHECK(capped.spans.back().start_ns == second.spans.back().start_ns);

  StageProfile other({"something", "else"}, 16);
  CHECK_THROWS_AS(mergeStageProfile(merged, other.snapshot()), std::invalid_argument);
}
