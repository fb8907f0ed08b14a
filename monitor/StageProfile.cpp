#include "monitor/StageProfile.h"

#include <algorithm>
#include <stdexcept>

#include "monitor/ThreadId.h"

namespace awe {
namespace {

// [audio thread]
template <typename T>
void bump(std::atomic<T>& counter, T amount) noexcept {  // one writer: no locked add needed
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

}  // namespace

StageProfile::StageProfile(std::vector<std::string> stageNames, std::size_t spanHistory)
    : names_(std::move(stageNames)),
      stages_(new StageSlot[kMaxStages]),
      nodes_(new NodeSlot[kMaxNodes]),
      children_(static_cast<std::size_t>((kMaxNodes + 1) * kMaxStages), int16_t{-1}),
      history_(std::max<std::size_t>(1, spanHistory)) {
  if (names_.empty() || names_.size() > static_cast<std::size_t>(kMaxStages)) {
    throw std::invalid_argument("StageProfile: between 1 and 32 stage names");
  }
}

void StageProfile::beginBuffer(uint64_t buffer) noexcept {  // [audio thread]
  buffer_ = buffer;
  threadId_ = osThreadId();
  rootSum_ns_ = 0;
  pathDepth_ = 0;
}

int StageProfile::childNode(int parent, int stage, int depth) noexcept {  // [audio thread]
  int16_t& slot = children_[static_cast<std::size_t>((parent + 1) * kMaxStages + stage)];
  if (slot >= 0) return slot;
  const int count = nodeCount_.load(std::memory_order_relaxed);
  if (count >= kMaxNodes) return -1;
  NodeSlot& node = nodes_[static_cast<std::size_t>(count)];
  node.parent.store(parent, std::memory_order_relaxed);
  node.stage.store(stage, std::memory_order_relaxed);
  node.depth.store(depth, std::memory_order_relaxed);
  nodeCount_.store(count + 1, std::memory_order_release);  // readers see the fields above
  slot = static_cast<int16_t>(count);
  return count;
}

void StageProfile::add(int stage, int depth, int64_t start_ns, int64_t duration_ns, uint32_t calls,  // [audio thread]
                       bool aggregate) noexcept {
  if (stage < 0 || stage >= static_cast<int>(names_.size()) || depth < 0 || depth >= kMaxDepth ||
      depth > pathDepth_) {
    bump(droppedNodes_, uint64_t{1});
    return;
  }
  duration_ns = std::max<int64_t>(0, duration_ns);
  const int parent = depth == 0 ? -1 : path_[depth - 1];
  const int node = parent < -1 ? -1 : childNode(parent, stage, depth);
  path_[depth] = node < 0 ? -2 : node;  // -2: the path is lost below here
  pathDepth_ = depth + 1;
  if (depth == 0) rootSum_ns_ += duration_ns;

  StageSlot& s = stages_[static_cast<std::size_t>(stage)];
  bump(s.spans, uint64_t{1});
  bump(s.calls, uint64_t{calls});
  bump(s.total_ns, duration_ns);
  s.durations.record(duration_ns);

  if (node < 0) {
    bump(droppedNodes_, uint64_t{1});
  } else {
    NodeSlot& n = nodes_[static_cast<std::size_t>(node)];
    bump(n.spans, uint64_t{1});
    bump(n.calls, uint64_t{calls});
    bump(n.total_ns, duration_ns);
    if (aggregate) n.aggregate.store(true, std::memory_order_relaxed);
    if (duration_ns > n.max_ns.load(std::memory_order_relaxed)) n.max_ns.store(duration_ns, std::memory_order_relaxed);
  }

  StageSpanRecord record;
  record.buffer = buffer_;
  record.start_ns = start_ns;
  record.duration_ns = duration_ns;
  record.calls = calls;
  record.threadId = threadId_;
  record.node = static_cast<uint16_t>(node < 0 ? 0xFFFF : node);
  record.stage = static_cast<uint8_t>(stage);
  record.depth = static_cast<uint8_t>(depth);
  record.aggregate = aggregate ? 1 : 0;
  history_.push(record);
}

void StageProfile::endBuffer(int64_t busy_ns, uint64_t droppedSpansTotal) noexcept {  // [audio thread]
  bump(buffers_, uint64_t{1});
  bump(busyTotal_ns_, busy_ns > 0 ? busy_ns : rootSum_ns_);
  droppedSpans_.store(droppedSpansTotal, std::memory_order_relaxed);
}

StageProfileSnapshot StageProfile::snapshot(uint64_t firstBuffer, std::size_t maxSpans) const {
  StageProfileSnapshot out;
  out.stageNames = names_;
  out.buffers = buffers_.load(std::memory_order_relaxed);
  out.busyTotal_ns = busyTotal_ns_.load(std::memory_order_relaxed);
  out.droppedSpans = droppedSpans_.load(std::memory_order_relaxed);
  out.droppedNodes = droppedNodes_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < names_.size(); ++i) {
    const StageSlot& s = stages_[i];
    StageStatistics st;
    st.name = names_[i];
    st.spans = s.spans.load(std::memory_order_relaxed);
    st.calls = s.calls.load(std::memory_order_relaxed);
    st.total_ns = s.total_ns.load(std::memory_order_relaxed);
    st.durations = s.durations.snapshot();
    out.stages.push_back(std::move(st));
  }
  const int count = nodeCount_.load(std::memory_order_acquire);
  for (int i = 0; i < count; ++i) {
    const NodeSlot& n = nodes_[static_cast<std::size_t>(i)];
    StageNode node;
    node.parent = n.parent.load(std::memory_order_relaxed);
    node.stage = n.stage.load(std::memory_order_relaxed);
    node.depth = n.depth.load(std::memory_order_relaxed);
    node.spans = n.spans.load(std::memory_order_relaxed);
    node.calls = n.calls.load(std::memory_order_relaxed);
    node.total_ns = n.total_ns.load(std::memory_order_relaxed);
    node.max_ns = n.max_ns.load(std::memory_order_relaxed);
    node.aggregate = n.aggregate.load(std::memory_order_relaxed);
    out.nodes.push_back(node);
  }
  // Newest first until the buffer is too old, then reversed: the cost follows what is
  // asked for, not the size of the history.
  const uint64_t written = history_.written();
  const uint64_t available = std::min<uint64_t>(written, history_.capacity());
  StageSpanRecord record;
  for (uint64_t k = 0; k < available && out.spans.size() < maxSpans; ++k) {
    if (!history_.read(written - 1 - k, record)) continue;
    if (record.buffer < firstBuffer) break;
    out.spans.push_back(record);
  }
  std::reverse(out.spans.begin(), out.spans.end());
  return out;
}

void mergeStageProfile(StageProfileSnapshot& into, const StageProfileSnapshot& more, std::size_t maxSpans) {
  if (into.stageNames.empty() && into.nodes.empty() && into.spans.empty()) {
    into = more;
  } else {
    if (into.stageNames != more.stageNames) {
      throw std::invalid_argument("stage profiles with different stage names cannot be merged");
    }
    into.buffers += more.buffers;
    into.busyTotal_ns += more.busyTotal_ns;
    into.droppedSpans += more.droppedSpans;
    into.droppedNodes += more.droppedNodes;
    for (std::size_t i = 0; i < into.stages.size() && i < more.stages.size(); ++i) {
      StageStatistics& a = into.stages[i];
      const StageStatistics& b = more.stages[i];
      a.spans += b.spans;
      a.calls += b.calls;
      a.total_ns += b.total_ns;
      if (b.durations.count > 0) {
        HistogramSnapshot& h = a.durations;
        h.min_ns = h.count > 0 ? std::min(h.min_ns, b.durations.min_ns) : b.durations.min_ns;
        h.max_ns = h.count > 0 ? std::max(h.max_ns, b.durations.max_ns) : b.durations.max_ns;
        h.count += b.durations.count;
        h.sum_ns += b.durations.sum_ns;
        for (std::size_t k = 0; k < h.counts.size(); ++k) h.counts[k] += b.durations.counts[k];
      }
    }
    // Nodes come parents first in both, so a parent is mapped before its children.
    std::vector<int> mapped(more.nodes.size(), -1);
    for (std::size_t i = 0; i < more.nodes.size(); ++i) {
      const StageNode& b = more.nodes[i];
      const int parent = b.parent >= 0 && static_cast<std::size_t>(b.parent) < i ? mapped[static_cast<std::size_t>(b.parent)] : -1;
      int found = -1;
      for (std::size_t k = 0; k < into.nodes.size() && found < 0; ++k) {
        const StageNode& a = into.nodes[k];
        if (a.parent == parent && a.stage == b.stage && a.depth == b.depth) found = static_cast<int>(k);
      }
      if (found < 0) {
        StageNode fresh = b;
        fresh.parent = parent;
        fresh.spans = fresh.calls = 0;
        fresh.total_ns = fresh.max_ns = 0;
        fresh.aggregate = false;
        into.nodes.push_back(fresh);
        found = static_cast<int>(into.nodes.size() - 1);
      }
      StageNode& a = into.nodes[static_cast<std::size_t>(found)];
      a.spans += b.spans;
      a.calls += b.calls;
      a.total_ns += b.total_ns;
      a.max_ns = std::max(a.max_ns, b.max_ns);
      a.aggregate = a.aggregate || b.aggregate;
      mapped[i] = found;
    }
    for (StageSpanRecord span : more.spans) {
      if (span.node < mapped.size() && mapped[span.node] >= 0) span.node = static_cast<uint16_t>(mapped[span.node]);
      into.spans.push_back(span);
    }
  }
  if (into.spans.size() > maxSpans) {
    into.spans.erase(into.spans.begin(), into.spans.end() - static_cast<std::ptrdiff_t>(maxSpans));
  }
}

}  // namespace awe
