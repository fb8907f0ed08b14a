#include "engine/ProfileSession.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/Engine.h"
#include "monitor/Clock.h"
#include "monitor/profiling/CpuProfileReport.h"
#include "monitor/profiling/FlameGraph.h"
#include "monitor/report/OutputFile.h"
#include "monitor/Format.h"
#include "monitor/report/ReportStages.h"
#include "monitor/profiling/SamplingProfiler.h"
#include "monitor/profiling/Symbolizer.h"

namespace awe {
namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// What one span and one lap cost on this machine: timed over many on a private recorder.
void measureSpanCosts(double& span_ns, double& lap_ns) {
#if AWE_PROFILE_SPANS
  SpanRecorder recorder(1024);
  constexpr int kRounds = 200;
  constexpr int kSpans = 1000;
  double bestSpan = 1e9, bestLap = 1e9;
  for (int round = 0; round < kRounds / 10; ++round) {
    int64_t begin = monotonicNanoseconds();
    for (int i = 0; i < kSpans; ++i) {
      AWE_SPAN(&recorder, SynthStage::Control);
    }
    bestSpan = std::min(bestSpan, static_cast<double>(monotonicNanoseconds() - begin) / kSpans);
    recorder.clear();
    SpanLaps laps;
    laps.begin(&recorder);
    begin = monotonicNanoseconds();
    for (int i = 0; i < kSpans; ++i) laps.lap(i % 2 == 0 ? SynthStage::Control : SynthStage::VoiceRender);
    bestLap = std::min(bestLap, static_cast<double>(monotonicNanoseconds() - begin) / kSpans);
    laps.end();
    recorder.clear();
  }
  span_ns = bestSpan;
  lap_ns = bestLap;
#else
  span_ns = lap_ns = 0.0;
#endif
}

std::string spansOverheadText(const StageProfileSnapshot& profile, double span_ns, double lap_ns) {
  uint64_t spans = 0, laps = 0;
  for (const StageStatistics& s : profile.stages) {
    if (s.calls != s.spans) {
      laps += s.calls;
    } else {
      spans += s.spans;
    }
  }
  const double cost_ns = static_cast<double>(spans) * span_ns + static_cast<double>(laps) * lap_ns;
  char line[512];
  std::snprintf(line, sizeof line,
                "own cost: %.1f ns per span, %.1f ns per lap (measured at start); %llu spans and %llu laps here = "
                "about %s, %.2f %% of the busy time\n",
                span_ns, lap_ns, static_cast<unsigned long long>(spans), static_cast<unsigned long long>(laps),
                formatDuration(cost_ns).c_str(),
                profile.busyTotal_ns > 0 ? 100.0 * cost_ns / static_cast<double>(profile.busyTotal_ns) : 0.0);
  return line;
}

}  // namespace

ProfileRequest parseProfileList(const std::string& list) {
  ProfileRequest request;
  std::stringstream words(list);
  std::string word;
  bool any = false;
  while (std::getline(words, word, ',')) {
    word = trim(word);
    if (word.empty()) continue;
    any = true;
    if (word == "cpu") {
      request.cpu = true;
    } else if (word == "memory" || word == "heap") {
      request.memory = true;
    } else if (word == "spans") {
      request.spans = true;
    } else if (word == "all") {
      request.cpu = request.memory = request.spans = true;
    } else {
      throw std::invalid_argument("unknown profile '" + word + "' (expected cpu, memory, spans, all or a comma list)");
    }
  }
  if (!any) throw std::invalid_argument("empty profile list (expected cpu, memory, spans, all or a comma list)");
  return request;
}

std::string profileBaseFor(const std::string& mainOutput, const std::string& fallback) {
  if (mainOutput.empty()) return fallback;
  const auto slash = mainOutput.find_last_of('/');
  const auto dot = mainOutput.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1) return mainOutput;
  return mainOutput.substr(0, dot);
}

ProfileSession::ProfileSession(const ProfileRequest& request, std::string outputBase, std::string toolName)
    : request_(request), base_(std::move(outputBase)), tool_(std::move(toolName)) {
  std::string reason;
  if (request_.cpu && !SamplingProfiler::available(&reason)) throw std::runtime_error(reason);
  if (request_.memory && !HeapProfiler::available(&reason)) throw std::runtime_error(reason);
  if (request_.spans && !StageSpanTap::compiledIn()) {
    throw std::runtime_error("stage spans are compiled out of this build (configure with -DAWE_PROFILE_SPANS=ON)");
  }
  if (request_.spans) measureSpanCosts(spanCost_ns_, lapCost_ns_);
}

ProfileSession::~ProfileSession() {
  if (!started_ || finished_) return;
  if (request_.cpu && SamplingProfiler::running()) {
    try {
      SamplingProfiler::stop();
    } catch (...) {
    }
  }
  if (request_.memory) HeapProfiler::stop();
}

void ProfileSession::start() {
  if (started_) return;
  started_ = true;
  if (request_.memory) {
    HeapProfiler::start();
    heapMarks_.push_back(HeapProfiler::snapshot("start"));
  }
  if (request_.cpu) {
    CpuProfileSettings settings;
    settings.rate_Hz = request_.cpuRate_Hz;
    settings.audioThreadOnly = request_.cpuAudioThreadOnly;
    SamplingProfiler::start(settings);
  }
}

void ProfileSession::attach(Engine& engine) {
  if (!request_.spans) return;
  if (engine_ != nullptr && engine_ != &engine) throw std::logic_error("ProfileSession: one engine at a time");
  const HeapProfiler::Exclusion notProfiled;  // the span recorder is the profiler's, not the tool's
  engine.setStageSpans(true);
  engine_ = &engine;
}

void ProfileSession::release(Engine& engine) noexcept {
  if (engine_ != &engine) return;
  engine_ = nullptr;
  const HeapProfiler::Exclusion notProfiled;
  try {
    if (const StageSpanTap* tap = engine.stageSpans()) {
      if (!spans_) spans_ = std::make_shared<StageProfileSnapshot>();
      mergeStageProfile(*spans_, tap->profile().snapshot());
    }
  } catch (const std::exception& e) {
    // Out of memory or a foreign engine: this engine's spans are lost, the rest stays.
    std::fprintf(stderr, "%s: the stage spans of one engine were lost: %s\n", tool_.c_str(), e.what());
  }
}

void ProfileSession::heapMark(const std::string& label) {
  const HeapProfiler::Exclusion notProfiled;
  if (request_.memory && HeapProfiler::running()) heapMarks_.push_back(HeapProfiler::snapshot(label));
}

void ProfileSession::markRenderThread() { SamplingProfiler::markAudioThread(); }

std::string ProfileSession::writeFile(const std::string& suffix, const std::string& content) {
  const std::string path = base_ + suffix;
  writeFileAtomically(path, content);
  return path;
}

std::vector<std::string> ProfileSession::outputPaths() const {
  std::vector<std::string> suffixes;
  if (request_.cpu) suffixes.insert(suffixes.end(), {".cpuprofile", ".cpu.folded", ".cpu.svg", ".cpu.txt"});
  if (request_.memory) suffixes.insert(suffixes.end(), {".heap.txt", ".heap.json", ".heap.svg"});
  if (request_.spans) suffixes.insert(suffixes.end(), {".spans.txt", ".spans.json", ".spans.trace.json"});
  std::vector<std::string> paths;
  for (const std::string& suffix : suffixes) paths.push_back(base_ + suffix);
  return paths;
}

std::vector<std::string> ProfileSession::finish() {
  std::vector<std::string> paths;
  if (finished_) return paths;
  finished_ = true;
  const HeapProfiler::Exclusion notProfiled;  // what follows is not the tool's work

  // The heap's last state first, then the sampler: symbolising and writing are not the
  // tool's work either.
  if (request_.memory && started_) {
    heapMarks_.push_back(HeapProfiler::snapshot("end"));
    HeapProfiler::stop();
  }
  CpuProfileData cpu;
  if (request_.cpu && started_) cpu = SamplingProfiler::stop();
  if (engine_ != nullptr) release(*engine_);
  if (request_.spans && !spans_) spans_ = std::make_shared<StageProfileSnapshot>();  // no engine ran

  if (request_.cpu && started_) {
    const std::string scope = cpu.audioThreadOnly ? "the audio thread" : "every thread";
    char subtitle[256];
    std::snprintf(subtitle, sizeof subtitle, "%s: %zu samples at %.0f Hz of CPU time, %s", tool_.c_str(),
                  cpu.samples.size(), cpu.rate_Hz, scope.c_str());
    const auto stacks = cpuFoldedStacks(cpu);
    paths.push_back(writeFile(".cpuprofile", cpuProfileToChrome(cpu).dump()));
    paths.push_back(writeFile(".cpu.folded", foldedText(stacks)));
    FlameGraphOptions options;
    options.title = "CPU flame graph: " + tool_;
    options.subtitle = subtitle;
    options.unit = "samples";
    paths.push_back(writeFile(".cpu.svg", flameGraphSvg(stacks, options)));
    paths.push_back(writeFile(".cpu.txt", formatCpuSummary(cpu)));
  }
  if (request_.memory && started_) {
    Symbolizer symbolizer;
    const HeapProfileSnapshot& end = heapMarks_.back();
    std::string text = formatHeapReport(end, symbolizer);
    for (std::size_t i = 1; i + 1 < heapMarks_.size(); ++i) {
      // Each phase between marks: what it allocated and what it left live.
      text += "\n" + formatHeapReport(diffHeapSnapshots(heapMarks_[i - 1], heapMarks_[i]), symbolizer, 8);
    }
    if (heapMarks_.size() > 2) {
      text += "\n" + formatHeapReport(diffHeapSnapshots(heapMarks_[heapMarks_.size() - 2], end), symbolizer, 8);
    }
    text += "\n" + formatLeakReport(end, symbolizer);
    paths.push_back(writeFile(".heap.txt", text));
    nlohmann::json marks = nlohmann::json::array();
    for (const auto& mark : heapMarks_) marks.push_back({{"label", mark.label}, {"taken_ns", mark.taken_ns}});
    nlohmann::json heap = {{"kind", "awe-heap-profile"},
                           {"schema_version", 1},
                           {"tool", tool_},
                           {"marks", std::move(marks)},
                           {"end", heapProfileToJson(end, symbolizer)}};
    paths.push_back(writeFile(".heap.json", heap.dump(1)));
    FlameGraphOptions options;
    options.title = "Heap flame graph: " + tool_;
    options.subtitle = "bytes allocated while the profile ran, by allocation site";
    options.unit = "bytes";
    paths.push_back(writeFile(".heap.svg", flameGraphSvg(heapFoldedStacks(end, symbolizer, false), options)));
  }
  if (request_.spans && spans_) {
    paths.push_back(writeFile(".spans.txt", formatStageReport(*spans_) + spansOverheadText(*spans_, spanCost_ns_, lapCost_ns_)));
    nlohmann::json json = stageProfileToJson(*spans_);
    json["kind"] = "awe-stage-spans";
    json["schema_version"] = 1;
    json["tool"] = tool_;
    json["span_cost_ns"] = spanCost_ns_;
    json["lap_cost_ns"] = lapCost_ns_;
    paths.push_back(writeFile(".spans.json", json.dump(1)));
    paths.push_back(writeFile(".spans.trace.json", stageTraceToJson(*spans_, tool_).dump()));
  }
  return paths;
}

}  // namespace awe
