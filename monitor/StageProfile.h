#pragma once
// StageProfile: the monitor's side of the stage spans (emu8000/StageSpans.h): per-stage
// statistics, the call tree of stages, and the newest spans for the trace.
//
// It knows stages only by number and name (the engine hands the names over), so monitor/
// stays free of the synth. The engine drains its span recorder into it after each buffer:
// beginBuffer(), add() for each span in pre-order (a span's children follow it with depth
// + 1), endBuffer(). Recording is [the one recording thread]: fixed tables, relaxed atomic
// stores, no allocation, locks or I/O; any other thread may take snapshot()s.
//
// Statistics per stage: spans (how often the stage was recorded), calls (laps summed into
// aggregates; = spans for plain stages), total, mean and p99 and max per span, and the share
// of the total busy time. An aggregate span (envelopes and LFOs, voice render, ...) stands
// for many short laps of one render call; its duration is their sum.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "monitor/FlightRecorder.h"
#include "monitor/Histogram.h"

namespace awe {

// One span as kept for the trace. Trivially copyable (the flight recorder copies words).
struct StageSpanRecord {
  uint64_t buffer = 0;
  int64_t start_ns = 0;      // monotonicNanoseconds() time line
  int64_t duration_ns = 0;
  uint32_t calls = 1;
  int32_t threadId = 0;      // the kernel's id of the thread that recorded it
  uint16_t node = 0;         // in the call tree
  uint8_t stage = 0;
  uint8_t depth = 0;
  uint8_t aggregate = 0;     // 1: `calls` laps summed, laid end to end from start_ns
};

struct StageStatistics {
  std::string name;
  uint64_t spans = 0;
  uint64_t calls = 0;
  int64_t total_ns = 0;
  HistogramSnapshot durations;  // per span
};

struct StageNode {
  int parent = -1;  // -1: a root of the buffer
  int stage = 0;
  int depth = 0;
  uint64_t spans = 0;
  uint64_t calls = 0;
  int64_t total_ns = 0;
  int64_t max_ns = 0;
  bool aggregate = false;  // its spans are sums of laps
};

struct StageProfileSnapshot {
  std::vector<std::string> stageNames;
  uint64_t buffers = 0;
  int64_t busyTotal_ns = 0;        // sum of the buffers' busy times
  uint64_t droppedSpans = 0;       // recorder overflow (spans past its capacity)
  uint64_t droppedNodes = 0;       // spans whose tree path did not fit the node table
  std::vector<StageStatistics> stages;  // indexed by stage
  std::vector<StageNode> nodes;          // parents before children
  std::vector<StageSpanRecord> spans;    // the newest spans, oldest first
};

// [any thread] Adds `more` (a later recording with the same stage names: another engine
// of the same run, e.g. awe-bench's fresh engine per scenario) to `into`: counts, totals and
// histograms summed, call trees joined by path, spans appended (the newest `maxSpans`
// kept). An empty `into` becomes a copy. Throws std::invalid_argument when the stage names
// differ.
void mergeStageProfile(StageProfileSnapshot& into, const StageProfileSnapshot& more, std::size_t maxSpans = 65536);

class StageProfile {
 public:
  static constexpr int kMaxStages = 32;
  static constexpr int kMaxNodes = 256;
  static constexpr int kMaxDepth = 32;

  // [control thread] Throws std::invalid_argument for no names or more than kMaxStages.
  explicit StageProfile(std::vector<std::string> stageNames, std::size_t spanHistory = 65536);
  StageProfile(const StageProfile&) = delete;
  StageProfile& operator=(const StageProfile&) = delete;

  const std::vector<std::string>& stageNames() const noexcept { return names_; }

  // --- [the one recording thread] ---
  void beginBuffer(uint64_t buffer) noexcept;
  // Spans of the current buffer in pre-order. Out-of-range stages and depths are dropped.
  void add(int stage, int depth, int64_t start_ns, int64_t duration_ns, uint32_t calls, bool aggregate) noexcept;
  // busy_ns: the buffer's busy time; 0 takes the sum of its root spans.
  void endBuffer(int64_t busy_ns, uint64_t droppedSpansTotal) noexcept;

  // --- [any thread] ---
  // Statistics, the tree, and the newest spans of buffers >= firstBuffer (at most maxSpans).
  StageProfileSnapshot snapshot(uint64_t firstBuffer = 0, std::size_t maxSpans = SIZE_MAX) const;

 private:
  struct NodeSlot {
    std::atomic<int> parent{-1};
    std::atomic<int> stage{0};
    std::atomic<int> depth{0};
    std::atomic<uint64_t> spans{0};
    std::atomic<uint64_t> calls{0};
    std::atomic<int64_t> total_ns{0};
    std::atomic<int64_t> max_ns{0};
    std::atomic<bool> aggregate{false};
  };
  struct StageSlot {
    std::atomic<uint64_t> spans{0};
    std::atomic<uint64_t> calls{0};
    std::atomic<int64_t> total_ns{0};
    Histogram durations;
  };

  int childNode(int parent, int stage, int depth) noexcept;

  std::vector<std::string> names_;
  std::unique_ptr<StageSlot[]> stages_;
  std::unique_ptr<NodeSlot[]> nodes_;
  std::atomic<int> nodeCount_{0};
  // Writer-only: child lookup (row parent + 1, column stage; -1 = none yet) and the open path.
  std::vector<int16_t> children_;
  int path_[kMaxDepth] = {};  // node of each open depth (-2: lost)
  int pathDepth_ = 0;
  int64_t rootSum_ns_ = 0;
  uint64_t buffer_ = 0;
  int threadId_ = 0;
  FlightRecorder<StageSpanRecord> history_;

  std::atomic<uint64_t> buffers_{0};
  std::atomic<int64_t> busyTotal_ns_{0};
  std::atomic<uint64_t> droppedSpans_{0};
  std::atomic<uint64_t> droppedNodes_{0};
};

}  // namespace awe
