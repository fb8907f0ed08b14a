#pragma once
// Snapshot: a plain copy of everything the Monitor knows, taken on a reading thread by
// Monitor::snapshot(). Each field is read atomically on its own; the set is not one
// instant (a buffer may finish between two reads), which is fine for display and reports.
// Every report writer (ReportText, ReportJson, ReportTrace, ReportCsv) takes one.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "monitor/AllocationTrap.h"
#include "monitor/BufferRecord.h"
#include "monitor/Health.h"
#include "monitor/Histogram.h"
#include "monitor/MidiEventTimes.h"
#include "monitor/Outliers.h"
#include "monitor/StageProfile.h"

namespace awe {

struct Snapshot {
  // Settings.
  uint32_t bufferFrames = 0;
  double sampleRate = 0.0;
  int64_t budget_ns = 0;  // bufferFrames / sampleRate
  double loadAttack_s = 0.0;
  double loadRelease_s = 0.0;
  double loadWindow_s = 0.0;
  std::size_t recorderCapacity = 0;
  int64_t taken_ns = 0;  // monotonicNanoseconds() when the snapshot was taken
  bool paced = true;      // false: freewheel; callback times carry no timing (no jitter)
  int processId = 0;      // the kernel's ids (monitor/ThreadId.h), for traces
  int audioThreadId = 0;  // of the thread that ran the last buffer; 0 before any

  // Counters since the Monitor was made.
  uint64_t buffers = 0;
  uint64_t deadlineMisses = 0;  // busy > budget
  uint64_t xruns = 0;           // reported by the driver
  uint64_t midiEvents = 0;
  uint64_t steals = 0;
  uint64_t drops = 0;
  uint64_t audioThreadAllocations = 0;  // made during this monitor's buffers

  // Latest values (of the last finished buffer).
  double load = 0.0;             // raw DSP load: busy / budget
  double smoothedLoad = 0.0;     // fast-attack, slow-release average
  double windowWorstLoad = 0.0;  // worst raw load over the last loadWindow_s
  double peakLoad = 0.0;         // worst raw load ever
  int64_t busy_ns = 0;
  int64_t jitter_ns = 0;
  int64_t intervalError_ns = 0;
  uint32_t activeVoices = 0;
  uint32_t queueDepth = 0;  // max of the last buffer
  uint8_t qualityLevel = 0;
  double clockDrift_ppm = 0.0;  // tracked callback period vs nominal

  // Distributions (ns).
  HistogramSnapshot busy;
  HistogramSnapshot intervalError;  // interval - budget of the previous buffer
  HistogramSnapshot jitter;
  std::array<HistogramSnapshot, kMidiStageCount> midiLatency;  // indexed by MidiStage
  HistogramSnapshot voiceAllocation;
  OutlierTable jitterOutliers;  // buffers with the largest |jitter|
  OutlierTable intervalErrorOutliers;

  // Heap (process-wide, from the AllocationTrap).
  AllocationTrap::Counters heap;
  AllocationTrap::Mode trapMode = AllocationTrap::Mode::Count;
  AllocationTrap::Backend trapBackend = AllocationTrap::Backend::Interposed;
  AllocationTrap::Offender offender;     // the process's first audio-thread allocation
  std::vector<std::string> offenderStack;  // offender.frames symbolised

  // The newest BufferRecords, oldest first.
  std::vector<BufferRecord> records;

  // Stage spans (null unless the engine switched them on): statistics, the call tree and
  // the spans of the buffers in `records`.
  std::shared_ptr<const StageProfileSnapshot> stages;

  // The verdict against the monitor's thresholds at snapshot time.
  HealthThresholds thresholds;
  // Empty, or why the audio device failed ("audio device lost: ..."): health is FAILED.
  std::string driverFailure;
  HealthVerdict health;

  const HistogramSnapshot& midi(MidiStage stage) const { return midiLatency[static_cast<std::size_t>(stage)]; }
};

}  // namespace awe
