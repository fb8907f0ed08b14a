#include "monitor/report/ReportJson.h"

#include <cmath>

#include "monitor/report/ReportStages.h"
#include "monitor/Statistics.h"

namespace awe {
namespace {

using nlohmann::json;

json statisticsJson(const HistogramSnapshot& histogram) {
  const Statistics s = computeStatistics(histogram);
  json out = {{"count", s.count}};
  if (s.count == 0) return out;
  out["min"] = s.min_ns;
  out["mean"] = s.mean_ns;
  out["p50"] = s.p50_ns;
  out["p90"] = s.p90_ns;
  out["p99"] = s.p99_ns;
  out["p99_9"] = s.p999_ns;
  out["max"] = s.max_ns;
  return out;
}

// Non-empty buckets only, as [lower_ns, upper_ns, count]; the open ends of the overflow
// buckets are written as null.
json bucketsJson(const HistogramSnapshot& histogram) {
  json buckets = json::array();
  for (int index = 0; index < Histogram::kBucketCount; ++index) {
    const uint64_t count = histogram.counts[static_cast<std::size_t>(index)];
    if (count == 0) continue;
    const double lower = Histogram::bucketLowerBound_ns(index);
    const double upper = Histogram::bucketUpperBound_ns(index);
    buckets.push_back({std::isfinite(lower) ? json(lower) : json(nullptr),
                       std::isfinite(upper) ? json(upper) : json(nullptr), count});
  }
  return buckets;
}

json distributionJson(const HistogramSnapshot& histogram) {
  json out = statisticsJson(histogram);
  out["buckets"] = bucketsJson(histogram);
  return out;
}

json outliersJson(const OutlierTable& table) {
  json list = json::array();
  for (uint32_t i = 0; i < table.count; ++i) {
    list.push_back({{"buffer", table.entries[i].bufferIndex}, {"value_ns", table.entries[i].value_ns}});
  }
  return list;
}

}  // namespace

nlohmann::json reportToJson(const Snapshot& snapshot) {
  json report;
  report["schema_version"] = kReportSchemaVersion;
  report["kind"] = "awe-monitor-report";
  // The keys keep the names of the documented schema (REPORTS.md) that readers and stored
  // reports use, though the code says bufferFrames and sampleRate.
  report["settings"] = {
      {"frames_per_buffer", snapshot.bufferFrames}, {"sample_rate_hz", snapshot.sampleRate},
      {"budget_ns", snapshot.budget_ns},               {"load_attack_s", snapshot.loadAttack_s},
      {"load_release_s", snapshot.loadRelease_s},      {"load_window_s", snapshot.loadWindow_s},
      {"recorder_capacity", snapshot.recorderCapacity}, {"paced", snapshot.paced}};

  const HealthThresholds& t = snapshot.thresholds;
  report["health"] = {{"verdict", healthName(snapshot.health.health)},
                      {"reasons", snapshot.health.reasons},
                      {"thresholds",
                       {{"max_mean_busy_ms", t.maxMeanBusy_ms},
                        {"max_midi_latency_ms", t.maxMidiLatency_ms},
                        {"midi_latency_stage", midiStageName(t.midiLatencyStage)},
                        {"max_underruns", t.maxUnderruns},
                        {"max_audio_thread_allocations", t.maxAudioThreadAllocations}}}};

  report["counters"] = {{"buffers", snapshot.buffers},
                        {"deadline_misses", snapshot.deadlineMisses},
                        {"xruns", snapshot.xruns},
                        {"underruns", snapshot.deadlineMisses + snapshot.xruns},
                        {"midi_events", snapshot.midiEvents},
                        {"steals", snapshot.steals},
                        {"drops", snapshot.drops},
                        {"audio_thread_allocations", snapshot.audioThreadAllocations}};

  report["load"] = {{"latest", snapshot.load},
                    {"smoothed", snapshot.smoothedLoad},
                    {"window_worst", snapshot.windowWorstLoad},
                    {"peak", snapshot.peakLoad}};

  report["latest"] = {{"busy_ns", snapshot.busy_ns},
                      {"interval_error_ns", snapshot.intervalError_ns},
                      {"active_voices", snapshot.activeVoices},
                      {"queue_depth", snapshot.queueDepth},
                      {"quality_level", snapshot.qualityLevel}};
  // Freewheel callbacks start whenever the previous one ends: jitter and clock drift
  // would be meaningless numbers there, so they are left out.
  if (snapshot.paced) {
    report["latest"]["jitter_ns"] = snapshot.jitter_ns;
    report["latest"]["clock_drift_ppm"] = snapshot.clockDrift_ppm;
  }

  json midi;
  for (std::size_t stage = 0; stage < kMidiStageCount; ++stage) {
    midi[midiStageName(static_cast<MidiStage>(stage))] = distributionJson(snapshot.midiLatency[stage]);
  }
  report["distributions"] = {{"unit", "ns"},
                             {"buckets_per_octave", Histogram::kBucketsPerOctave},
                             {"busy", distributionJson(snapshot.busy)},
                             {"interval_error", distributionJson(snapshot.intervalError)},
                             {"midi_latency", midi},
                             {"voice_allocation", distributionJson(snapshot.voiceAllocation)}};

  if (snapshot.paced) report["distributions"]["jitter"] = distributionJson(snapshot.jitter);
  report["outliers"] = {{"interval_error", outliersJson(snapshot.intervalErrorOutliers)}};
  if (snapshot.paced) report["outliers"]["jitter"] = outliersJson(snapshot.jitterOutliers);

  json offender = nullptr;
  if (snapshot.offender.present) {
    offender = {{"size_bytes", snapshot.offender.size_bytes},
                {"buffer", snapshot.offender.bufferIndex},
                {"stack", snapshot.offenderStack}};
  }
  report["heap"] = {{"live_bytes", snapshot.heap.liveBytes},
                    {"peak_bytes", snapshot.heap.peakBytes},
                    {"allocations", snapshot.heap.allocations},
                    {"frees", snapshot.heap.frees},
                    {"audio_thread_allocations_process", snapshot.heap.audioThreadAllocations},
                    {"audio_thread_frees_process", snapshot.heap.audioThreadFrees},
                    {"trap_mode", trapModeName(snapshot.trapMode)},
                    {"trap_backend", trapBackendName(snapshot.trapBackend)},
                    {"first_offender", offender}};

  report["records"] = {{"count", snapshot.records.size()},
                       {"first_index", snapshot.records.empty() ? json(nullptr) : json(snapshot.records.front().index)},
                       {"last_index", snapshot.records.empty() ? json(nullptr) : json(snapshot.records.back().index)}};
  if (snapshot.stages) report["stages"] = stageProfileToJson(*snapshot.stages);
  return report;
}

}  // namespace awe
