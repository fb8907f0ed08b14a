#include "monitor/Health.h"

#include "monitor/Format.h"
#include "monitor/Snapshot.h"
#include "monitor/Statistics.h"

namespace awe {
namespace {

// "buffers 17, 42, 99" for the first few recent records matching `pick`.
template <typename Pick>
std::string recentBufferList(const Snapshot& snapshot, Pick pick) {
  constexpr int kShown = 5;
  std::string list;
  int shown = 0;
  for (const BufferRecord& record : snapshot.records) {
    if (!pick(record)) continue;
    if (shown == kShown) {
      list += ", ...";
      break;
    }
    list += shown == 0 ? "buffers " : ", ";
    list += std::to_string(record.index);
    ++shown;
  }
  return list;
}

std::string plural(uint64_t count, const char* singular, const char* pluralForm) {
  return std::to_string(count) + " " + (count == 1 ? singular : pluralForm);
}

}  // namespace

const char* healthName(Health health) noexcept {
  switch (health) {
    case Health::Good: return "GOOD";
    case Health::Degraded: return "DEGRADED";
    case Health::Failed: return "FAILED";
  }
  return "?";
}

HealthVerdict evaluateHealth(const Snapshot& snapshot, const HealthThresholds& thresholds) {
  HealthVerdict verdict;
  if (!snapshot.driverFailure.empty()) verdict.reasons.push_back(snapshot.driverFailure);

  const uint64_t underruns = snapshot.deadlineMisses + snapshot.xruns;
  if (underruns > thresholds.maxUnderruns) {
    std::string reason = plural(underruns, "underrun", "underruns") + ": " +
                         plural(snapshot.deadlineMisses, "deadline miss", "deadline misses") + " (busy > budget " +
                         formatDuration(static_cast<double>(snapshot.budget_ns)) + ")";
    const std::string missed = recentBufferList(snapshot, [](const BufferRecord& r) { return r.deadlineMissed; });
    if (!missed.empty()) reason += " in " + missed;
    reason += " and " + plural(snapshot.xruns, "driver xrun", "driver xruns");
    const std::string xruns = recentBufferList(snapshot, [](const BufferRecord& r) { return r.xrun; });
    if (!xruns.empty()) reason += " in " + xruns;
    if (thresholds.maxUnderruns > 0) reason += " (allowed " + std::to_string(thresholds.maxUnderruns) + ")";
    verdict.reasons.push_back(reason);
  }

  if (snapshot.busy.count > 0) {
    const double mean_ns = static_cast<double>(snapshot.busy.sum_ns) / static_cast<double>(snapshot.busy.count);
    if (mean_ns > thresholds.maxMeanBusy_ms * 1e6) {
      verdict.reasons.push_back("mean busy time " + formatDuration(mean_ns) + " above " +
                                formatDuration(thresholds.maxMeanBusy_ms * 1e6));
    }
  }

  const HistogramSnapshot& midi = snapshot.midi(thresholds.midiLatencyStage);
  if (midi.count > 0) {
    const double p99_ns = percentile_ns(midi, 0.99);
    if (p99_ns > thresholds.maxMidiLatency_ms * 1e6) {
      verdict.reasons.push_back(std::string("MIDI latency p99 (") + midiStageName(thresholds.midiLatencyStage) +
                                ") " + formatDuration(p99_ns) + " above " +
                                formatDuration(thresholds.maxMidiLatency_ms * 1e6));
    }
  }

  if (snapshot.audioThreadAllocations > thresholds.maxAudioThreadAllocations) {
    std::string reason = plural(snapshot.audioThreadAllocations, "audio-thread allocation", "audio-thread allocations");
    if (snapshot.offender.present) {
      reason += " (first: " + std::to_string(snapshot.offender.size_bytes) + " bytes in buffer " +
                std::to_string(snapshot.offender.bufferIndex) + ")";
    }
    if (thresholds.maxAudioThreadAllocations > 0) {
      reason += " (allowed " + std::to_string(thresholds.maxAudioThreadAllocations) + ")";
    }
    verdict.reasons.push_back(reason);
  }

  verdict.health = !snapshot.driverFailure.empty() ? Health::Failed
                   : verdict.reasons.empty()         ? Health::Good
                                                     : Health::Degraded;
  return verdict;
}

}  // namespace awe
