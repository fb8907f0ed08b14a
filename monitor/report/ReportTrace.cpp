#include "monitor/report/ReportTrace.h"

#include <algorithm>

#include "monitor/report/ReportStages.h"
#include "monitor/ThreadId.h"
#include "monitor/report/TraceFormat.h"

namespace awe {
namespace {

using nlohmann::json;

}  // namespace

nlohmann::json traceToJson(const Snapshot& snapshot) {
  // The kernel's ids, so the trace lines up with perf, top and other traces of the machine.
  const int pid = snapshot.processId != 0 ? snapshot.processId : osProcessId();
  const int tid = snapshot.audioThreadId != 0 ? snapshot.audioThreadId : pid;
  auto instant = [&](const char* name, int64_t ts_ns, json args) {
    return json{{"ph", "i"},  {"name", name}, {"cat", "monitor"}, {"s", "t"},
                {"ts", traceMicroseconds(ts_ns)}, {"pid", pid}, {"tid", tid}, {"args", std::move(args)}};
  };
  auto counter = [&](const char* name, int64_t ts_ns, const char* series, double value) {
    return json{{"ph", "C"}, {"name", name}, {"ts", traceMicroseconds(ts_ns)}, {"pid", pid}, {"args", {{series, value}}}};
  };

  json events = json::array();
  events.push_back(traceMetadata("process_name", pid, 0, "awe"));
  events.push_back(traceMetadata("thread_name", pid, tid, "audio"));

  for (const BufferRecord& record : snapshot.records) {
    const double load_percent = 100.0 * record.load;

    // The audio-thread track, in time order: the slice, what happened during it, the miss
    // at its end.
    json args = {{"index", record.index},
                 {"frames", record.frames},
                 {"load_percent", load_percent},
                 {"active_voices", record.activeVoices},
                 {"midi_events", record.midiEvents},
                 {"interval_us", traceMicroseconds(record.interval_ns)},
                 {"quality_level", record.qualityLevel}};
    if (snapshot.paced) args["jitter_us"] = traceMicroseconds(record.jitter_ns);  // freewheel: no timeline
    events.push_back({{"ph", "X"},
                      {"name", "buffer"},
                      {"cat", "audio"},
                      {"ts", traceMicroseconds(record.start_ns)},
                      {"dur", traceMicroseconds(record.busy_ns)},
                      {"pid", pid},
                      {"tid", tid},
                      {"args", std::move(args)}});
    if (record.xrun) events.push_back(instant("driver xrun", record.start_ns, {{"buffer", record.index}}));
    if (record.allocations > 0) {
      events.push_back(instant("audio-thread allocation", record.start_ns,
                               {{"buffer", record.index}, {"count", record.allocations}}));
    }
    if (record.steals > 0) {
      events.push_back(instant("voice steal", record.start_ns, {{"buffer", record.index}, {"count", record.steals}}));
    }
    if (record.drops > 0) {
      events.push_back(instant("queue drop", record.start_ns, {{"buffer", record.index}, {"count", record.drops}}));
    }
    if (record.deadlineMissed) {
      events.push_back(instant("deadline miss", record.start_ns + record.busy_ns,
                               {{"buffer", record.index},
                                {"busy_us", traceMicroseconds(record.busy_ns)},
                                {"budget_us", bufferBudget_ns(record.frames, snapshot.sampleRate) / 1000.0}}));
    }

    // DSP load in percent, as the dashboard shows it.
    events.push_back(counter("DSP load", record.start_ns, "percent", load_percent));
    events.push_back(counter("active voices", record.start_ns, "value", record.activeVoices));
    events.push_back(counter("queue depth", record.start_ns, "value", record.queueDepthMax));
    events.push_back(counter("heap live bytes", record.start_ns, "value", static_cast<double>(record.heapLiveBytes)));
    if (record.voiceWorkers > 0) {  // --threads: one series per worker, busy time of the buffer
      json busy = json::object();
      for (int w = 0; w < record.voiceWorkers && w < kMaxVoiceWorkers; ++w) {
        busy["worker " + std::to_string(w + 1)] = traceMicroseconds(record.workerBusy_ns[w]);
      }
      events.push_back({{"ph", "C"}, {"name", "voice worker busy us"}, {"ts", traceMicroseconds(record.start_ns)},
                        {"pid", pid}, {"args", std::move(busy)}});
    }
  }

  // Stage spans nest inside their buffer's slice on the same track.
  if (snapshot.stages) appendStageSlices(events, *snapshot.stages, pid, &snapshot.records);

  // Callbacks of one thread never overlap, so this is already in time order per track;
  // sorting makes it so for any records (e.g. synthetic ones), metadata first. A parent
  // and its first child can share a start: the stable sort keeps the parent first.
  std::stable_sort(events.begin() + 2, events.end(), [](const json& a, const json& b) {
    return a.at("ts").get<double>() < b.at("ts").get<double>();
  });

  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", kTraceDisplayTimeUnit},
          {"otherData",
           {{"kind", "awe-monitor-trace"},
            {"schema_version", kTraceSchemaVersion},
            {"clock", kTraceClock},
            {"paced", snapshot.paced},
            {"frames_per_buffer", snapshot.bufferFrames},  // the report's key names (REPORTS.md)
            {"sample_rate_hz", snapshot.sampleRate}}}};
}

}  // namespace awe
