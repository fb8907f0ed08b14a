#include "monitor/ReportTrace.h"

#include <algorithm>

#include "monitor/ReportStages.h"

namespace awe {
namespace {

using nlohmann::json;

constexpr int kProcessId = 1;
constexpr int kAudioThreadId = 1;

double toMicroseconds(int64_t time_ns) { return static_cast<double>(time_ns) / 1000.0; }

json metadata(const char* name, int threadId, const char* value) {
  return {{"ph", "M"}, {"name", name}, {"pid", kProcessId}, {"tid", threadId}, {"args", {{"name", value}}}};
}

json instant(const char* name, double ts_us, json args) {
  return {{"ph", "i"},  {"name", name},           {"cat", "monitor"}, {"s", "t"},
          {"ts", ts_us}, {"pid", kProcessId}, {"tid", kAudioThreadId}, {"args", std::move(args)}};
}

json counter(const char* name, double ts_us, double value) {
  return {{"ph", "C"}, {"name", name}, {"ts", ts_us}, {"pid", kProcessId}, {"args", {{"value", value}}}};
}

}  // namespace

nlohmann::json traceToJson(const Snapshot& snapshot) {
  json events = json::array();
  events.push_back(metadata("process_name", 0, "awe"));
  events.push_back(metadata("thread_name", kAudioThreadId, "audio"));

  const double framePeriod_ns = 1e9 / snapshot.sampleRate_Hz;
  for (const BufferRecord& record : snapshot.records) {
    const double start_us = toMicroseconds(record.start_ns);
    const double budget_ns = record.frames * framePeriod_ns;
    const double load = budget_ns > 0.0 ? static_cast<double>(record.busy_ns) / budget_ns : 0.0;

    // The audio-thread track, in time order: the slice, what happened during it, the miss
    // at its end.
    events.push_back({{"ph", "X"},
                      {"name", "buffer"},
                      {"cat", "audio"},
                      {"ts", start_us},
                      {"dur", toMicroseconds(record.busy_ns)},
                      {"pid", kProcessId},
                      {"tid", kAudioThreadId},
                      {"args",
                       {{"index", record.index},
                        {"frames", record.frames},
                        {"load", load},
                        {"active_voices", record.activeVoices},
                        {"midi_events", record.midiEvents},
                        {"jitter_us", toMicroseconds(record.jitter_ns)},
                        {"interval_us", toMicroseconds(record.interval_ns)},
                        {"quality_level", record.qualityLevel}}}});
    if (record.xrun) events.push_back(instant("driver xrun", start_us, {{"buffer", record.index}}));
    if (record.allocations > 0) {
      events.push_back(instant("audio-thread allocation", start_us,
                               {{"buffer", record.index}, {"count", record.allocations}}));
    }
    if (record.steals > 0) {
      events.push_back(instant("voice steal", start_us, {{"buffer", record.index}, {"count", record.steals}}));
    }
    if (record.drops > 0) {
      events.push_back(instant("queue drop", start_us, {{"buffer", record.index}, {"count", record.drops}}));
    }
    if (record.deadlineMissed) {
      events.push_back(instant("deadline miss", toMicroseconds(record.start_ns + record.busy_ns),
                               {{"buffer", record.index},
                                {"busy_us", toMicroseconds(record.busy_ns)},
                                {"budget_us", budget_ns / 1000.0}}));
    }

    events.push_back(counter("DSP load", start_us, load));
    events.push_back(counter("active voices", start_us, record.activeVoices));
    events.push_back(counter("queue depth", start_us, record.queueDepthMax));
    events.push_back(counter("heap live bytes", start_us, static_cast<double>(record.heapLiveBytes)));
  }

  // Stage spans nest inside their buffer's slice on the same track.
  if (snapshot.stages) appendStageSlices(events, *snapshot.stages, true);

  // Callbacks of one thread never overlap, so this is already in time order per track;
  // sorting makes it so for any records (e.g. synthetic ones), metadata first.
  std::stable_sort(events.begin() + 2, events.end(), [](const json& a, const json& b) {
    return a.at("ts").get<double>() < b.at("ts").get<double>();
  });

  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ns"},
          {"otherData",
           {{"kind", "awe-monitor-trace"},
            {"schema_version", kTraceSchemaVersion},
            {"clock", "steady_clock (CLOCK_MONOTONIC), microseconds"},
            {"frames_per_buffer", snapshot.framesPerBuffer},
            {"sample_rate_hz", snapshot.sampleRate_Hz}}}};
}

}  // namespace awe
