#include "engine/StageSpanTap.h"

#include <string>
#include <vector>

#include "monitor/Clock.h"

namespace awe {
namespace {

// Indexed by SpanStageId: the synth's stages, then the engine's (engine/EngineStages.h).
std::vector<std::string> stageNames() {
  std::vector<std::string> names(std::begin(kSynthStageNames), std::end(kSynthStageNames));
  names.insert(names.end(), std::begin(kEngineStageNames), std::end(kEngineStageNames));
  return names;
}

}  // namespace

StageSpanTap::StageSpanTap(std::size_t spansPerBuffer, std::size_t spanHistory)
    : recorder_(spansPerBuffer), profile_(stageNames(), spanHistory) {}

void StageSpanTap::drain(uint64_t buffer, int64_t busy_ns) noexcept {  // [audio thread]
  // One fresh reading of both clocks anchors this buffer's ticks on the steady clock, so
  // the spans line up with the monitor's buffer slices however long the run.
  const int64_t anchorTicks = SpanRecorder::now();
  const int64_t anchor_ns = monotonicNanoseconds();
  const double nsPerTick = recorder_.nanosecondsPerTick();
  profile_.beginBuffer(buffer);
  const SpanEntry* entries = recorder_.entries();
  for (std::size_t i = 0; i < recorder_.size(); ++i) {
    const SpanEntry& e = entries[i];
    const auto start_ns = anchor_ns - static_cast<int64_t>(static_cast<double>(anchorTicks - e.start_ticks) * nsPerTick);
    const auto duration_ns = static_cast<int64_t>(static_cast<double>(e.end_ticks - e.start_ticks) * nsPerTick);
    profile_.add(static_cast<int>(e.stage), e.depth, start_ns, duration_ns, e.calls, e.aggregate);
  }
  profile_.endBuffer(busy_ns, recorder_.dropped());
  recorder_.clear();
}

}  // namespace awe
