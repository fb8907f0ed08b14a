// Stage spans: nesting, adding up to the busy time, statistics and reports.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "emu8000/StageSpans.h"
#include "engine/BuiltinFiles.h"
#include "engine/Engine.h"
#include "engine/OfflineRender.h"
#include "monitor/report/ReportJson.h"
#include "monitor/report/ReportStages.h"
#include "monitor/report/ReportText.h"
#include "monitor/report/ReportTrace.h"

using namespace awe;

namespace {

EngineSettings offlineSettings() {
  SynthSettings synth;
  synth.polyphony = 32;
  return offlineEngineSettings(synth);
}

std::string stageName(const StageProfileSnapshot& p, const StageSpanRecord& r) { return p.stageNames[r.stage]; }

}  // namespace

TEST_CASE("stage spans of the engine nest and add up to the busy time", "[profiling][spans]") {
  if (!StageSpanTap::compiledIn()) {
    WARN("stage spans are compiled out of this build");
    return;
  }
  Engine engine(offlineSettings());
  engine.setBank(Bank::loadSf2(builtinBankPath()));
  engine.setSong(std::make_shared<const MidiFile>(MidiFile::load(builtinSongPath())));
  engine.setStageSpans(true);
  engine.start();
  engine.play();
  constexpr uint64_t kBuffers = 400;  // 9.3 s of the demo: notes, steals, effects
  engine.runOffline(kBuffers);
  engine.stop();

  const Snapshot snapshot = engine.monitor().snapshot();
  REQUIRE(snapshot.stages);
  const StageProfileSnapshot& profile = *snapshot.stages;
  CHECK(profile.buffers == kBuffers);
  CHECK(profile.droppedSpans == 0);
  CHECK(profile.droppedNodes == 0);
  CHECK(snapshot.audioThreadAllocations == 0);  // recording spans allocates nothing

  // Every stage the demo exercises was seen.
  std::map<std::string, uint64_t> spans;
  for (const StageStatistics& s : profile.stages) spans[s.name] = s.spans;
  for (const char* stage : {"buffer", "commands", "MIDI gathering", "sequencer", "event dispatch", "voice start",
                            "synth render", "envelopes and LFOs", "voice render", "mix and output", "effects",
                            "status", "monitor"}) {
    INFO(stage);
    CHECK(spans[stage] > 0);
  }

  // Nesting: in pre-order, each span lies inside the innermost open span one level up
  // (1 us of slack for the tick-to-nanosecond conversion), and a buffer's spans belong to it.
  std::map<uint64_t, int64_t> busyOf;
  for (const BufferRecord& r : snapshot.records) busyOf[r.index] = r.busy_ns;
  std::vector<const StageSpanRecord*> open;
  std::map<uint64_t, int64_t> rootBufferSpan, childrenOfRoot;
  const std::vector<std::string>& names = profile.stageNames;
  REQUIRE_FALSE(profile.spans.empty());
  for (const StageSpanRecord& span : profile.spans) {
    open.resize(std::min<std::size_t>(open.size(), span.depth));
    REQUIRE(open.size() == span.depth);
    if (span.depth > 0) {
      const StageSpanRecord& parent = *open.back();
      INFO(stageName(profile, span) << " in " << stageName(profile, parent) << ", buffer " << span.buffer);
      CHECK(parent.buffer == span.buffer);
      CHECK(span.start_ns >= parent.start_ns - 1000);
      CHECK(span.start_ns + span.duration_ns <= parent.start_ns + parent.duration_ns + 1000);
      if (span.depth == 1 && names[parent.stage] == "buffer") childrenOfRoot[span.buffer] += span.duration_ns;
    } else if (names[span.stage] == "buffer") {
      rootBufferSpan[span.buffer] = span.duration_ns;
    }
    open.push_back(&span);
  }
  REQUIRE(rootBufferSpan.size() > 100);

  // Adding up: over the buffers in the trace, the root span covers the busy time and its
  // children cover the root, but for the engine's code between them and the guards' own
  // cost (measured per span here; bounded generously for loaded test machines).
  int64_t busy = 0, root = 0, children = 0;
  uint64_t recorded = 0;
  for (const auto& [buffer, duration] : rootBufferSpan) {
    if (!busyOf.count(buffer)) continue;
    busy += busyOf[buffer];
    root += duration;
    children += childrenOfRoot[buffer];
  }
  for (const StageSpanRecord& span : profile.spans) {
    if (rootBufferSpan.count(span.buffer)) recorded += span.calls;
  }
  // (the tick-to-nanosecond conversion may move each span by a few ns)
  CHECK(root <= busy + static_cast<int64_t>(rootBufferSpan.size()) * 100);
  CHECK(children <= root + static_cast<int64_t>(rootBufferSpan.size()) * 100);
  const double spanCost_ns = 40.0;  // a span or lap costs 15-40 ns on x86 (see the report)
  const double allowance = 0.05 * static_cast<double>(busy) + 4.0 * spanCost_ns * static_cast<double>(recorded);
  INFO("busy " << busy << " ns, root " << root << " ns, children " << children << " ns, " << recorded << " spans and laps");
  CHECK(static_cast<double>(busy - children) <= allowance);

  // Reports: text, JSON, trace.
  const std::string text = formatTextReport(snapshot);
  CHECK(text.find("stage call graph") != std::string::npos);
  CHECK(text.find("└─ ") != std::string::npos);
  const nlohmann::json report = nlohmann::json::parse(reportToJson(snapshot).dump());
  REQUIRE(report.contains("stages"));
  CHECK(report["stages"]["stages"].size() == static_cast<std::size_t>(kSpanStageCount));
  CHECK(report.at("stages").at("call_graph").at(0).at("stage").get<std::string>() == "buffer");
  const nlohmann::json trace = nlohmann::json::parse(traceToJson(snapshot).dump());
  std::size_t stageSlices = 0;
  double previous = -1e300;
  // Slices nest exactly (in the integer nanoseconds a viewer reads back): each lies inside
  // the innermost open one or after it, never across its end.
  std::vector<int64_t> openEnds_ns;
  std::size_t crossings = 0;
  for (const auto& event : trace.at("traceEvents")) {
    if (event.at("ph").get<std::string>() == "M") continue;
    CHECK(event.at("ts").get<double>() >= previous);  // sorted
    previous = event.at("ts").get<double>();
    if (event.at("ph").get<std::string>() == "X") {
      CHECK(event.at("pid").get<int>() == static_cast<int>(::getpid()));
      CHECK(event.at("tid").get<int>() == snapshot.audioThreadId);
      const int64_t start_ns = std::llround(event.at("ts").get<double>() * 1000.0);
      const int64_t end_ns = start_ns + std::llround(event.at("dur").get<double>() * 1000.0);
      while (!openEnds_ns.empty() && start_ns >= openEnds_ns.back()) openEnds_ns.pop_back();
      if (!openEnds_ns.empty() && end_ns > openEnds_ns.back()) ++crossings;
      openEnds_ns.push_back(end_ns);
    }
    if (event.contains("cat") && event.at("cat").get<std::string>() == "stage") {
      ++stageSlices;
      CHECK(event.at("name").get<std::string>() != "buffer");  // the monitor's buffer slice stands for it
      CHECK(event.at("dur").get<double>() >= 0.0);
    }
  }
  CHECK(stageSlices > 1000);
  CHECK(crossings == 0);
}

TEST_CASE("stage spans switch off and on at run time", "[profiling][spans]") {
  if (!StageSpanTap::compiledIn()) return;
  Engine engine(offlineSettings());
  engine.setBank(Bank::loadSf2(builtinBankPath()));
  engine.setSong(std::make_shared<const MidiFile>(MidiFile::load(builtinSongPath())));
  engine.start();
  engine.play();
  engine.runOffline(10);
  CHECK(engine.stageSpans() == nullptr);
  engine.setStageSpans(true);  // while running: after the next buffer
  engine.runOffline(10);
  const uint64_t buffersOn = engine.stageSpans()->profile().snapshot().buffers;
  CHECK(buffersOn >= 9);
  CHECK(buffersOn <= 10);
  engine.setStageSpans(false);
  engine.runOffline(10);
  CHECK(engine.stageSpans()->profile().snapshot().buffers <= buffersOn + 1);
  engine.stop();
}

TEST_CASE("the offline render records a buffer span per block", "[profiling][spans]") {
  if (!StageSpanTap::compiledIn()) return;
  Engine engine(offlineEngineSettings(SynthSettings{}));
  engine.setBank(Bank::loadSf2(builtinBankPath()));
  engine.setSong(std::make_shared<const MidiFile>(MidiFile::load(builtinSongPath())));
  engine.setStageSpans(true);
  OfflineRenderSettings render;
  render.maxTail_s = 0.0;
  const OfflineRenderResult result = renderSong(engine, render, {});
  const StageProfileSnapshot profile = engine.stageSpans()->profile().snapshot();
  // One buffer per block: the full ones and the last, shorter one.
  CHECK(profile.buffers == (result.frames + engine.bufferFrames() - 1) / engine.bufferFrames());
  REQUIRE_FALSE(profile.nodes.empty());
  CHECK(profile.stageNames[static_cast<std::size_t>(profile.nodes[0].stage)] == "buffer");
  const std::string graph = formatCallGraph(profile);
  CHECK(graph.rfind("buffer (", 0) == 0);
  CHECK(graph.find("sequencer") != std::string::npos);
  CHECK(graph.find("voice render") != std::string::npos);
  const nlohmann::json trace = nlohmann::json::parse(stageTraceToJson(profile, "render").dump());
  CHECK(trace["traceEvents"].size() == profile.spans.size() + 2);
}

TEST_CASE("StageProfile builds the tree and statistics from pre-order spans", "[profiling][spans]") {
  StageProfile profile({"root", "a", "b", "c"}, 64);
  for (uint64_t buffer = 0; buffer < 3; ++buffer) {
    profile.beginBuffer(buffer);
    const int64_t t = static_cast<int64_t>(buffer) * 1'000'000;
    profile.add(0, 0, t, 1000, 1, false);           // root
    profile.add(1, 1, t + 10, 400, 1, false);       //   a
    profile.add(3, 2, t + 20, 100, 50, true);       //     c (aggregate of 50 laps)
    profile.add(2, 1, t + 500, 300, 1, false);      //   b
    profile.add(3, 2, t + 510, 200, 1, false);      //     c
    profile.endBuffer(1200, 0);
  }
  const StageProfileSnapshot s = profile.snapshot();
  CHECK(s.buffers == 3);
  CHECK(s.busyTotal_ns == 3600);
  REQUIRE(s.nodes.size() == 5);  // root, a, a/c, b, b/c
  CHECK(s.stages[3].spans == 6);
  CHECK(s.stages[3].calls == 3 * 51);
  CHECK(s.stages[3].total_ns == 900);
  CHECK(s.spans.size() == 15);
  CHECK(profile.snapshot(2).spans.size() == 5);  // from buffer 2 on
  const std::string graph = formatCallGraph(s);
  CHECK(graph ==
        "root (3.0 us, 83.3 %, 3 spans, self 900 ns)\n"
        "├─ a (1.2 us, 33.3 %, 3 spans, self 900 ns)\n"
        "│  └─ c (300 ns, 8.3 %, 150 laps)\n"
        "└─ b (900 ns, 25.0 %, 3 spans, self 300 ns)\n"
        "   └─ c (600 ns, 16.7 %, 3 spans)\n");
  // A span deeper than its parent's level is dropped, not misplaced.
  profile.beginBuffer(3);
  profile.add(1, 2, 0, 10, 1, false);
  profile.endBuffer(10, 0);
  CHECK(profile.snapshot().droppedNodes == 1);
}
