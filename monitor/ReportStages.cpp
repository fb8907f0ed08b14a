#include "monitor/ReportStages.h"

#include <algorithm>
#include <cstdio>

#include "monitor/Format.h"
#include "monitor/Statistics.h"

namespace awe {
namespace {

using nlohmann::json;

constexpr int kProcessId = 1;
constexpr int kAudioThreadId = 1;

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

void appendStageSlices(nlohmann::json& traceEvents, const StageProfileSnapshot& profile, bool skipBufferRoots) {
  for (const StageSpanRecord& span : profile.spans) {
    const std::string name = stageName(profile, span.stage);
    if (skipBufferRoots && span.depth == 0 && name == "buffer") continue;
    json args = {{"buffer", span.buffer}, {"depth", span.depth}};
    if (span.aggregate != 0) {
      args["calls"] = span.calls;
      args["aggregate"] = true;
    }
    traceEvents.push_back({{"ph", "X"},
                           {"name", name},
                           {"cat", "stage"},
                           {"ts", static_cast<double>(span.start_ns) / 1000.0},
                           {"dur", static_cast<double>(span.duration_ns) / 1000.0},
                           {"pid", kProcessId},
                           {"tid", kAudioThreadId},
                           {"args", std::move(args)}});
  }
}

nlohmann::json stageTraceToJson(const StageProfileSnapshot& profile, const std::string& threadName) {
  json events = json::array();
  events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", kProcessId}, {"tid", 0}, {"args", {{"name", "awe"}}}});
  events.push_back(
      {{"ph", "M"}, {"name", "thread_name"}, {"pid", kProcessId}, {"tid", kAudioThreadId}, {"args", {{"name", threadName}}}});
  appendStageSlices(events, profile, false);
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ns"},
          {"otherData",
           {{"kind", "awe-stage-trace"},
            {"schema_version", 1},
            {"clock", "steady_clock (CLOCK_MONOTONIC), microseconds"}}}};
}

}  // namespace awe
