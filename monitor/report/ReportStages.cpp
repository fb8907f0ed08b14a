#include "monitor/report/ReportStages.h"

#include <algorithm>
#include <cstdio>

#include "monitor/Format.h"
#include "monitor/Statistics.h"
#include "monitor/ThreadId.h"
#include "monitor/report/TraceFormat.h"

namespace awe {
namespace {

using nlohmann::json;

double share(int64_t part_ns, int64_t whole_ns) {
  return whole_ns > 0 ? static_cast<double>(part_ns) / static_cast<double>(whole_ns) : 0.0;
}

// Children of each node (and of the virtual root, index 0 = parent -1), largest first.
std::vector<std::vector<int>> childLists(const StageProfileSnapshot& profile) {
  std::vector<std::vector<int>> children(profile.nodes.size() + 1);
  for (std::size_t i = 0; i < profile.nodes.size(); ++i) {
    children[static_cast<std::size_t>(profile.nodes[i].parent + 1)].push_back(static_cast<int>(i));
  }
  for (auto& list : children) {
    std::stable_sort(list.begin(), list.end(), [&](int a, int b) {
      return profile.nodes[static_cast<std::size_t>(a)].total_ns > profile.nodes[static_cast<std::size_t>(b)].total_ns;
    });
  }
  return children;
}

std::string stageName(const StageProfileSnapshot& profile, int stage) {
  return stage >= 0 && static_cast<std::size_t>(stage) < profile.stageNames.size()
             ? profile.stageNames[static_cast<std::size_t>(stage)]
             : "stage " + std::to_string(stage);
}

void graphLines(const StageProfileSnapshot& profile, const std::vector<std::vector<int>>& children, int node,
                const std::string& prefix, bool last, bool root, std::string& out) {
  const StageNode& n = profile.nodes[static_cast<std::size_t>(node)];
  int64_t childTotal = 0;
  for (int c : children[static_cast<std::size_t>(node + 1)]) childTotal += profile.nodes[static_cast<std::size_t>(c)].total_ns;
  char text[256];
  std::snprintf(text, sizeof text, "%s (%s, %.1f %%, %llu %s", stageName(profile, n.stage).c_str(),
                formatDuration(static_cast<double>(n.total_ns)).c_str(), 100.0 * share(n.total_ns, profile.busyTotal_ns),
                static_cast<unsigned long long>(n.aggregate ? n.calls : n.spans),
                n.aggregate ? "laps" : (n.spans == 1 ? "span" : "spans"));
  std::string line = root ? "" : prefix + (last ? "└─ " : "├─ ");
  line += text;
  if (!children[static_cast<std::size_t>(node + 1)].empty()) {
    line += ", self " + formatDuration(static_cast<double>(std::max<int64_t>(0, n.total_ns - childTotal)));
  }
  line += ")\n";
  out += line;
  const std::string childPrefix = root ? "" : prefix + (last ? "   " : "│  ");
  const auto& list = children[static_cast<std::size_t>(node + 1)];
  for (std::size_t i = 0; i < list.size(); ++i) {
    graphLines(profile, children, list[i], childPrefix, i + 1 == list.size(), false, out);
  }
}

json graphJson(const StageProfileSnapshot& profile, const std::vector<std::vector<int>>& children, int node) {
  const StageNode& n = profile.nodes[static_cast<std::size_t>(node)];
  json kids = json::array();
  for (int c : children[static_cast<std::size_t>(node + 1)]) kids.push_back(graphJson(profile, children, c));
  return {{"stage", stageName(profile, n.stage)},
          {"spans", n.spans},
          {"calls", n.calls},
          {"total_ns", n.total_ns},
          {"max_ns", n.max_ns},
          {"share", share(n.total_ns, profile.busyTotal_ns)},
          {"aggregate", n.aggregate},
          {"children", std::move(kids)}};
}

}  // namespace

std::string formatStageTable(const StageProfileSnapshot& profile) {
  std::string text;
  char line[512];
  std::snprintf(line, sizeof line, "  %-20s %9s %11s %11s %10s %10s %10s %7s\n", "stage", "spans", "calls", "total",
                "mean", "p99", "max", "share");
  text += line;
  for (const StageStatistics& s : profile.stages) {
    if (s.spans == 0) continue;
    const Statistics st = computeStatistics(s.durations);
    std::snprintf(line, sizeof line, "  %-20s %9llu %11llu %11s %10s %10s %10s %6.1f%%\n", s.name.c_str(),
                  static_cast<unsigned long long>(s.spans), static_cast<unsigned long long>(s.calls),
                  formatDuration(static_cast<double>(s.total_ns)).c_str(), formatDuration(st.mean_ns).c_str(),
                  formatDuration(st.p99_ns).c_str(), formatDuration(st.max_ns).c_str(),
                  100.0 * share(s.total_ns, profile.busyTotal_ns));
    text += line;
  }
  return text;
}

std::string formatCallGraph(const StageProfileSnapshot& profile) {
  const auto children = childLists(profile);
  std::string text;
  const auto& roots = children[0];
  for (std::size_t i = 0; i < roots.size(); ++i) graphLines(profile, children, roots[i], "", true, true, text);
  return text;
}

std::string formatStageReport(const StageProfileSnapshot& profile) {
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "stage spans: %llu buffers, busy %s in total; share = of the busy time\n",
                static_cast<unsigned long long>(profile.buffers),
                formatDuration(static_cast<double>(profile.busyTotal_ns)).c_str());
  text += line;
  text += formatStageTable(profile);
  if (profile.droppedSpans > 0 || profile.droppedNodes > 0) {
    std::snprintf(line, sizeof line, "  (%llu spans dropped: recorder full; %llu outside the tree)\n",
                  static_cast<unsigned long long>(profile.droppedSpans),
                  static_cast<unsigned long long>(profile.droppedNodes));
    text += line;
  }
  text += "  (mean, p99 and max are per span; \"laps\" stages are summed per render call: the voice\n"
          "   kernel does interpolation, filter, gain and mixing in one loop, timed as \"voice render\")\n";
  text += "stage call graph (time, share of the busy time, spans; self = not in a child):\n";
  text += formatCallGraph(profile);
  return text;
}

nlohmann::json stageProfileToJson(const StageProfileSnapshot& profile) {
  json stages = json::array();
  for (const StageStatistics& s : profile.stages) {
    const Statistics st = computeStatistics(s.durations);
    json entry = {{"stage", s.name},
                  {"spans", s.spans},
                  {"calls", s.calls},
                  {"total_ns", s.total_ns},
                  {"share", share(s.total_ns, profile.busyTotal_ns)}};
    if (s.spans > 0) {
      entry["mean_ns"] = st.mean_ns;
      entry["p99_ns"] = st.p99_ns;
      entry["max_ns"] = st.max_ns;
    } else {
      entry["mean_ns"] = nullptr;
      entry["p99_ns"] = nullptr;
      entry["max_ns"] = nullptr;
    }
    stages.push_back(std::move(entry));
  }
  const auto children = childLists(profile);
  json graph = json::array();
  for (int root : children[0]) graph.push_back(graphJson(profile, children, root));
  return {{"buffers", profile.buffers},
          {"busy_total_ns", profile.busyTotal_ns},
          {"dropped_spans", profile.droppedSpans},
          {"stages", std::move(stages)},
          {"call_graph", std::move(graph)}};
}

void appendStageSlices(nlohmann::json& traceEvents, const StageProfileSnapshot& profile, int processId,
                       const std::vector<BufferRecord>* bufferSlices) {
  struct Interval {
    int64_t start_ns = 0;
    int64_t end_ns = 0;
    int64_t lastChildEnd_ns = 0;  // children are laid after their previous sibling
  };
  constexpr int64_t kOpen = INT64_MAX;
  // open[d]: the span at depth d - 1 the next span of depth d nests in; open[0] is the
  // whole buffer (no bounds) or the monitor's slice of it.
  std::vector<Interval> open(static_cast<std::size_t>(StageProfile::kMaxDepth) + 2);
  bool haveBuffer = false;
  uint64_t buffer = 0;
  for (const StageSpanRecord& span : profile.spans) {
    if (!haveBuffer || span.buffer != buffer) {
      haveBuffer = true;
      buffer = span.buffer;
      open[0] = {INT64_MIN, kOpen, INT64_MIN};
    }
    const std::size_t depth = span.depth;
    if (depth + 1 >= open.size()) continue;
    const std::string name = stageName(profile, span.stage);
    if (bufferSlices != nullptr && depth == 0 && name == "buffer") {
      // The monitor's slice stands for this span: its children nest in that slice.
      const BufferRecord* record = nullptr;
      if (!bufferSlices->empty() && span.buffer >= bufferSlices->front().index) {
        const uint64_t at = span.buffer - bufferSlices->front().index;
        if (at < bufferSlices->size() && (*bufferSlices)[at].index == span.buffer) record = &(*bufferSlices)[at];
      }
      const int64_t start_ns = record != nullptr ? record->start_ns : span.start_ns;
      const int64_t end_ns = record != nullptr ? record->start_ns + record->busy_ns : span.start_ns + span.duration_ns;
      open[1] = {start_ns, end_ns, start_ns};
      open[0].lastChildEnd_ns = end_ns;
      continue;
    }
    Interval& parent = open[depth];
    const int64_t start_ns = std::min(std::max({span.start_ns, parent.start_ns, parent.lastChildEnd_ns}), parent.end_ns);
    const int64_t end_ns = std::max(start_ns, std::min(span.start_ns + span.duration_ns, parent.end_ns));
    parent.lastChildEnd_ns = end_ns;
    open[depth + 1] = {start_ns, end_ns, start_ns};

    json args = {{"buffer", span.buffer}, {"depth", span.depth}};
    if (span.aggregate != 0) {
      args["calls"] = span.calls;
      args["aggregate"] = true;
    }
    traceEvents.push_back({{"ph", "X"},
                           {"name", name},
                           {"cat", "stage"},
                           {"ts", traceMicroseconds(start_ns)},
                           {"dur", traceMicroseconds(end_ns - start_ns)},
                           {"pid", processId},
                           {"tid", span.threadId != 0 ? span.threadId : processId},
                           {"args", std::move(args)}});
  }
}

nlohmann::json stageTraceToJson(const StageProfileSnapshot& profile, const std::string& threadName) {
  const int processId = osProcessId();
  json events = json::array();
  events.push_back(traceMetadata("process_name", processId, 0, "awe"));
  std::vector<int> threads;
  for (const StageSpanRecord& span : profile.spans) {
    const int tid = span.threadId != 0 ? span.threadId : processId;
    if (std::find(threads.begin(), threads.end(), tid) == threads.end()) threads.push_back(tid);
  }
  for (int tid : threads) events.push_back(traceMetadata("thread_name", processId, tid, threadName));
  appendStageSlices(events, profile, processId, nullptr);
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", kTraceDisplayTimeUnit},
          {"otherData", {{"kind", "awe-stage-trace"}, {"schema_version", 1}, {"clock", kTraceClock}}}};
}

}  // namespace awe
