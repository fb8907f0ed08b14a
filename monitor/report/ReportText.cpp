#include "monitor/report/ReportText.h"

#include <cstdarg>
#include <cstdio>

#include "monitor/Format.h"
#include "monitor/report/ReportStages.h"
#include "monitor/Statistics.h"

namespace awe {
namespace {

std::string line(const char* format, ...) __attribute__((format(printf, 1, 2)));

std::string line(const char* format, ...) {
  char text[512];
  va_list arguments;
  va_start(arguments, format);
  std::vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  return std::string(text) + "\n";
}

std::string distributionRow(const char* name, const HistogramSnapshot& histogram) {
  const Statistics s = computeStatistics(histogram);
  if (s.count == 0) return line("  %-26s %9s", name, "-");
  return line("  %-26s %9llu %10s %10s %10s %10s %10s %10s %10s", name, static_cast<unsigned long long>(s.count),
              formatDuration(s.min_ns).c_str(), formatDuration(s.mean_ns).c_str(), formatDuration(s.p50_ns).c_str(),
              formatDuration(s.p90_ns).c_str(), formatDuration(s.p99_ns).c_str(), formatDuration(s.p999_ns).c_str(),
              formatDuration(s.max_ns).c_str());
}

std::string outlierList(const OutlierTable& table) {
  if (table.count == 0) return "none";
  std::string list;
  for (uint32_t i = 0; i < table.count; ++i) {
    if (i > 0) list += ", ";
    list += "#" + std::to_string(table.entries[i].bufferIndex) + " " +
            (table.entries[i].value_ns > 0 ? "+" : "") + formatDuration(static_cast<double>(table.entries[i].value_ns));
  }
  return list;
}

}  // namespace

std::string formatTextReport(const Snapshot& snapshot) {
  std::string text;
  text += line("awe monitor: %u frames at %.0f Hz, budget %s per buffer", snapshot.bufferFrames,
               snapshot.sampleRate, formatDuration(static_cast<double>(snapshot.budget_ns)).c_str());
  text += line("health: %s", healthName(snapshot.health.health));
  for (const std::string& reason : snapshot.health.reasons) text += "  - " + reason + "\n";

  text += line("buffers %llu, deadline misses %llu, driver xruns %llu, drops %llu, steals %llu, MIDI events %llu",
               static_cast<unsigned long long>(snapshot.buffers),
               static_cast<unsigned long long>(snapshot.deadlineMisses),
               static_cast<unsigned long long>(snapshot.xruns), static_cast<unsigned long long>(snapshot.drops),
               static_cast<unsigned long long>(snapshot.steals), static_cast<unsigned long long>(snapshot.midiEvents));
  text += line("DSP load: latest %.1f %%, smoothed %.1f %%, worst of last %.1f s %.1f %%, peak %.1f %%",
               snapshot.load * 100.0, snapshot.smoothedLoad * 100.0, snapshot.loadWindow_s,
               snapshot.windowWorstLoad * 100.0, snapshot.peakLoad * 100.0);
  if (snapshot.paced) {
    text += line("latest: %u voices, queue depth %u, quality level %u, callback clock drift %+.1f ppm",
                 snapshot.activeVoices, snapshot.queueDepth, static_cast<unsigned>(snapshot.qualityLevel),
                 snapshot.clockDrift_ppm);
  } else {
    text += line("latest: %u voices, queue depth %u, quality level %u (freewheel: no timing of callbacks)",
                 snapshot.activeVoices, snapshot.queueDepth, static_cast<unsigned>(snapshot.qualityLevel));
  }

  text += line("  %-26s %9s %10s %10s %10s %10s %10s %10s %10s", "distribution", "count", "min", "mean", "p50",
               "p90", "p99", "p99.9", "max");
  text += distributionRow("busy time", snapshot.busy);
  text += distributionRow("callback interval error", snapshot.intervalError);
  if (snapshot.paced) text += distributionRow("callback jitter", snapshot.jitter);
  text += distributionRow("MIDI arrival->enqueue", snapshot.midi(MidiStage::ArrivalToEnqueue));
  text += distributionRow("MIDI enqueue->dequeue", snapshot.midi(MidiStage::EnqueueToDequeue));
  text += distributionRow("MIDI dequeue->render", snapshot.midi(MidiStage::DequeueToRender));
  text += distributionRow("MIDI render->DAC", snapshot.midi(MidiStage::RenderToDac));
  text += distributionRow("MIDI total (arrival->DAC)", snapshot.midi(MidiStage::Total));
  text += distributionRow("voice allocation", snapshot.voiceAllocation);
  if (snapshot.paced) text += "worst jitter: " + outlierList(snapshot.jitterOutliers) + "\n";
  text += "worst interval error: " + outlierList(snapshot.intervalErrorOutliers) + "\n";

  text += line("heap: live %s, peak %s, %llu allocations, %llu frees (trap mode %s)",
               formatBytes(static_cast<double>(snapshot.heap.liveBytes)).c_str(),
               formatBytes(static_cast<double>(snapshot.heap.peakBytes)).c_str(),
               static_cast<unsigned long long>(snapshot.heap.allocations),
               static_cast<unsigned long long>(snapshot.heap.frees), trapModeName(snapshot.trapMode));
  if (snapshot.trapBackend == AllocationTrap::Backend::Inactive) {
    text += "heap: the allocation trap sees no allocations here (Valgrind, or the sanitizer refused its hooks)\n";
  }
  text += line("audio-thread allocations: %llu", static_cast<unsigned long long>(snapshot.audioThreadAllocations));
  if (snapshot.offender.present) {
    text += line("first audio-thread allocation: %zu bytes in buffer %llu, stack:", snapshot.offender.size_bytes,
                 static_cast<unsigned long long>(snapshot.offender.bufferIndex));
    for (std::size_t i = 0; i < snapshot.offenderStack.size(); ++i) {
      text += "  #" + std::to_string(i) + " " + snapshot.offenderStack[i] + "\n";
    }
  }
  if (snapshot.stages) text += formatStageReport(*snapshot.stages);
  return text;
}

}  // namespace awe
