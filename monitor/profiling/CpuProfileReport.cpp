#include "monitor/profiling/CpuProfileReport.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "monitor/profiling/Symbolizer.h"

namespace awe {

std::string cpuThreadLabel(const CpuProfileData::Thread& thread) {
  return thread.name + " [" + std::to_string(thread.tid) + (thread.audio ? ", audio" : "") + "]";
}

nlohmann::json cpuProfileToChrome(const CpuProfileData& profile) {
  using nlohmann::json;
  // Nodes in a tree keyed by (parent, function); node 1 is "(root)", then one node per
  // thread, then the frames. Thread nodes use function ids past the real ones.
  struct Node {
    int id = 0;
    int parent = 0;
    std::string name;
    std::string url;
    int line = -1;  // 0-based, as the format counts; -1 unknown
    uint64_t hits = 0;
    std::vector<int> children;
  };
  std::vector<Node> nodes;
  nodes.push_back({1, 0, "(root)", "", -1, 0, {}});
  std::map<std::pair<int, int64_t>, int> index;  // (parent id, function key) -> node id
  auto child = [&](int parent, int64_t key, const std::string& name, const std::string& url, int line) {
    auto it = index.find({parent, key});
    if (it != index.end()) return it->second;
    const int id = static_cast<int>(nodes.size()) + 1;
    nodes.push_back({id, parent, name, url, line, 0, {}});
    nodes[static_cast<std::size_t>(parent - 1)].children.push_back(id);
    index.emplace(std::make_pair(parent, key), id);
    return id;
  };
  json samples = json::array();
  json deltas = json::array();
  const auto toMicroseconds = [](int64_t ns) { return ns / 1000; };
  int64_t previous_us = toMicroseconds(profile.start_ns);
  for (const auto& sample : profile.samples) {
    const auto& thread = profile.threads[sample.thread];
    int node = child(1, -1 - static_cast<int64_t>(sample.thread), "(thread) " + cpuThreadLabel(thread), "", -1);
    for (uint32_t function : sample.stack) {
      const auto& f = profile.functions[function];
      // The source file and line where debug information has them (DevTools and VS Code
      // open it there), else the module's name.
      node = child(node, function, f.name, f.file.empty() ? f.module : f.file, f.line > 0 ? f.line - 1 : -1);
    }
    nodes[static_cast<std::size_t>(node - 1)].hits += sample.weight;
    samples.push_back(node);
    const int64_t time_us = std::max(toMicroseconds(sample.time_ns), previous_us);
    deltas.push_back(time_us - previous_us);
    previous_us = time_us;
  }
  json jsonNodes = json::array();
  for (const Node& n : nodes) {
    jsonNodes.push_back({{"id", n.id},
                         {"callFrame",
                          {{"functionName", n.name},
                           {"scriptId", "0"},
                           {"url", n.url},
                           {"lineNumber", n.line},
                           {"columnNumber", -1}}},
                         {"hitCount", n.hits},
                         {"children", n.children}});
  }
  return {{"nodes", std::move(jsonNodes)},
          {"startTime", toMicroseconds(profile.start_ns)},
          {"endTime", std::max(toMicroseconds(profile.end_ns), previous_us)},
          {"samples", std::move(samples)},
          {"timeDeltas", std::move(deltas)}};
}

std::vector<FoldedStack> cpuFoldedStacks(const CpuProfileData& profile) {
  std::map<std::vector<uint32_t>, uint64_t> counts;  // key: thread + 1e9, then functions
  for (const auto& sample : profile.samples) {
    std::vector<uint32_t> key;
    key.reserve(sample.stack.size() + 1);
    key.push_back(sample.thread);
    key.insert(key.end(), sample.stack.begin(), sample.stack.end());
    counts[key] += sample.weight;
  }
  std::vector<FoldedStack> stacks;
  stacks.reserve(counts.size());
  for (const auto& [key, value] : counts) {
    FoldedStack stack;
    stack.value = value;
    stack.frames.push_back(cpuThreadLabel(profile.threads[key[0]]));
    for (std::size_t i = 1; i < key.size(); ++i) stack.frames.push_back(compactFunctionName(profile.functions[key[i]].name));
    stacks.push_back(std::move(stack));
  }
  return stacks;
}

std::string formatCpuSummary(const CpuProfileData& profile, std::size_t topFunctions) {
  std::string text;
  char line[1024];
  const double seconds = static_cast<double>(profile.end_ns - profile.start_ns) / 1e9;
  std::snprintf(line, sizeof line,
                "CPU profile: %zu samples (%llu periods) in %.2f s at %.0f Hz of each thread's CPU time (%s; %s), %llu "
                "dropped, %llu with the leaf frame only\n",
                profile.samples.size(), static_cast<unsigned long long>(profile.periods()), seconds, profile.rate_Hz,
                profile.clock.c_str(),
                profile.audioThreadOnly ? "audio threads only" : "every thread",
                static_cast<unsigned long long>(profile.dropped), static_cast<unsigned long long>(profile.truncated));
  text += line;
  const double perSample_us =
      profile.samples.empty() ? 0.0 : static_cast<double>(profile.handlerTime_ns) / 1e3 / static_cast<double>(profile.samples.size());
  std::snprintf(line, sizeof line,
                "own cost: %.2f us per sample in the signal handler = %.3f %% of the sampled CPU time (plus the "
                "kernel's signal delivery)\n",
                perSample_us, 100.0 * profile.overhead());
  text += line;
  for (const auto& thread : profile.threads) {
    std::snprintf(line, sizeof line, "  thread %-40s %8llu periods (%.2f s CPU)\n", cpuThreadLabel(thread).c_str(),
                  static_cast<unsigned long long>(thread.samples),
                  static_cast<double>(thread.samples) / std::max(profile.rate_Hz, 1.0));
    text += line;
  }
  std::vector<uint64_t> self(profile.functions.size(), 0), total(profile.functions.size(), 0);
  for (const auto& sample : profile.samples) {
    if (sample.stack.empty()) continue;
    self[sample.stack.back()] += sample.weight;
    std::set<uint32_t> seen(sample.stack.begin(), sample.stack.end());  // recursion counts once
    for (uint32_t f : seen) total[f] += sample.weight;
  }
  const double all = static_cast<double>(std::max<uint64_t>(1, profile.periods()));
  auto table = [&](const char* heading, const std::vector<uint64_t>& primary, const std::vector<uint64_t>& secondary) {
    std::vector<uint32_t> order(profile.functions.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return primary[a] > primary[b]; });
    text += heading;
    for (std::size_t i = 0; i < order.size() && i < topFunctions && primary[order[i]] > 0; ++i) {
      const uint32_t f = order[i];
      std::snprintf(line, sizeof line, "  %6.2f%% %6.2f%%  %s (%s)\n", 100.0 * static_cast<double>(primary[f]) / all,
                    100.0 * static_cast<double>(secondary[f]) / all, compactFunctionName(profile.functions[f].name).substr(0, 200).c_str(),
                    profile.functions[f].module.c_str());
      text += line;
    }
  };
  table("busiest functions by self time (self %, total %):\n", self, total);
  table("busiest functions by total time, callees included (total %, self %):\n", total, self);
  return text;
}

}  // namespace awe
