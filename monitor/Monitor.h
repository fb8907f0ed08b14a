#pragma once
// Monitor: the performance monitor's facade. The engine calls the recording functions from
// the audio thread; the dashboard, awe-bench and tests read it from any other thread.
//
// Recording side (all noexcept; no allocation, locks, waits or I/O; a few relaxed atomic
// stores each):
//   per buffer  beginBuffer(start_ns) at callback entry ... endBuffer({end_ns, frames,
//               activeVoices, steals, qualityLevel}) at callback exit
//   inside      recordMidiEvent(times) per event, recordVoiceAllocation(ns) per note-on,
//               recordQueueDepth(depth) after draining a queue
//   any thread  recordDrop() when a queue push fails, recordXrun() when the driver reports one
// Times come from monotonicNanoseconds() (monitor/Clock.h); the monitor never reads the
// clock on the recording side, so tests and offline runs can feed it synthetic times.
//
// Definitions (docs: shared/DESIGN.md, "What the monitor measures"):
//   budget B     frames / sample rate of that buffer
//   busy         endBuffer end_ns - beginBuffer start_ns
//   DSP load     busy / B: raw per buffer, smoothed (LoadMeter: attack/release time constants
//                in seconds), and the worst over a settable window
//   deadline miss  busy > B (counted apart from driver xruns)
//   jitter       start - ideal start, the ideal timeline following the long-run callback
//                rate (JitterTracker); interval error = (start - previous start) - previous B
//   MIDI latency per stage of MidiEventTimes; voice allocation time as reported
//
// Audio-thread allocations: beginBuffer()/endBuffer() mark the calling thread as an audio
// thread for the AllocationTrap during each buffer. Mark the audio thread yourself once
// when it starts (AllocationTrap::ScopedAudioThread / markAudioThread()) to keep the
// trap's one-time unwinder warm-up out of the first buffer and to cover code that runs
// outside beginBuffer/endBuffer. Allocations between buffers are attributed to the next.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>

#include "monitor/BufferRecord.h"
#include "monitor/Config.h"
#include "monitor/FlightRecorder.h"
#include "monitor/Health.h"
#include "monitor/Histogram.h"
#include "monitor/JitterTracker.h"
#include "monitor/LoadMeter.h"
#include "monitor/MidiEventTimes.h"
#include "monitor/Outliers.h"
#include "monitor/SeqlockCell.h"
#include "monitor/Snapshot.h"
#include "monitor/StageProfile.h"

namespace awe {

struct MonitorConfig {
  // Defaults and their meaning: monitor/Config.h.
  uint32_t bufferFrames = kMonitorDefaultBufferFrames;
  double sampleRate = kMonitorDefaultSampleRate;
  std::size_t recorderCapacity = kDefaultRecorderCapacity;
  double loadAttack_s = kDefaultLoadAttack_s;
  double loadRelease_s = kDefaultLoadRelease_s;
  double loadWindow_s = kDefaultLoadWindow_s;
  double jitterBandwidth_Hz = kDefaultJitterBandwidth_Hz;
  // false: callbacks come as fast as the work allows (freewheel, the offline driver), so
  // their start times say nothing about timing and reports leave jitter out.
  bool paced = true;
  HealthThresholds health;
};

// What endBuffer() needs from the engine.
struct BufferEnd {
  int64_t end_ns = 0;         // callback exit, monotonicNanoseconds()
  uint32_t frames = 0;        // frames rendered (0 = the configured bufferFrames)
  uint32_t activeVoices = 0;  // at the end of the buffer
  uint32_t steals = 0;        // voices stolen during the buffer
  uint8_t qualityLevel = 0;   // the engine's current quality level (0 = Maximum)
  uint8_t voiceWorkers = 0;   // voice workers rendering beside the audio thread (<= kMaxVoiceWorkers)
  uint32_t workerBusy_ns[kMaxVoiceWorkers] = {};  // each one's busy time during the buffer
};

class Monitor {
 public:
  // [control thread] Allocates the flight recorder; throws std::invalid_argument when
  // bufferFrames, sampleRate or recorderCapacity is zero. Also prepares the
  // AllocationTrap's stack capture.
  explicit Monitor(const MonitorConfig& config);
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // --- recording: [audio thread] unless said otherwise ---
  void beginBuffer(int64_t start_ns) noexcept;
  void endBuffer(const BufferEnd& end) noexcept;
  void recordMidiEvent(const MidiEventTimes& times) noexcept;
  void recordVoiceAllocation(int64_t duration_ns) noexcept;
  void recordQueueDepth(uint32_t depth) noexcept;
  void recordDrop() noexcept;  // [any thread]
  void recordXrun() noexcept;  // [any thread]

  // --- reading: [any thread but the audio thread] ---
  // A copy of everything, with the newest `maxRecords` BufferRecords and the health
  // verdict. Allocates; takes tens of microseconds.
  Snapshot snapshot(std::size_t maxRecords = std::numeric_limits<std::size_t>::max()) const;
  // Direct access to the BufferRecords (e.g. to fetch only the new ones since a number).
  const FlightRecorder<BufferRecord>& recorder() const noexcept { return recorder_; }
  // The configuration it was made with. bufferFrames there is what was asked for; the
  // size the device really runs at is bufferFrames() (setBufferFrames).
  const MonitorConfig& config() const noexcept { return config_; }
  // [any thread] Buffers recorded so far (cheap: one atomic load).
  uint64_t buffers() const noexcept { return buffers_.load(std::memory_order_relaxed); }
  // [any thread] The buffer size reports name and the budget is counted from: the engine
  // sets it to the driver's when the device decides its own period (JACK). Ignores 0.
  void setBufferFrames(uint32_t frames) noexcept;
  uint32_t bufferFrames() const noexcept { return bufferFrames_.load(std::memory_order_relaxed); }

  void setHealthThresholds(const HealthThresholds& thresholds);
  // [control thread] The audio device failed (e.g. its server went away): health is FAILED
  // with `reason` until it is cleared (an empty reason) when a device plays again.
  void setDriverFailure(const std::string& reason);
  HealthThresholds healthThresholds() const;
  // [any thread] Takes effect at the next buffer.
  void setLoadWindow(double window_s) noexcept;

  // [control thread] Stage spans: snapshots include this profile (kept alive by the
  // caller until the Monitor goes or another is attached; null detaches). The monitor
  // only reads it; the engine feeds it.
  void attachStageProfile(const StageProfile* profile) noexcept;

 private:
  const MonitorConfig config_;

  // Audio-thread state (plain: only the audio thread touches it).
  bool inBuffer_ = false;
  uint64_t nextIndex_ = 0;
  int64_t currentStart_ns_ = 0;
  int64_t currentJitter_ns_ = 0;
  int64_t currentInterval_ns_ = 0;       // this buffer's; 0 for the first
  int64_t currentIntervalError_ns_ = 0;  // this buffer's; 0 for the first
  int64_t previousStart_ns_ = 0;
  uint32_t previousFrames_ = 0;
  int64_t previousBudget_ns_ = 0;  // of previousFrames_, rounded
  uint32_t bufferEvents_ = 0;
  uint32_t bufferQueueDepthMax_ = 0;
  int64_t bufferWorstMidi_ns_ = 0;
  uint64_t dropsAtLastEnd_ = 0;
  uint64_t xrunsAtLastEnd_ = 0;
  uint64_t trapAllocationsAtLastEnd_ = 0;
  LoadMeter loadMeter_;
  JitterTracker jitterTracker_;
  OutlierTracker jitterOutlierTracker_;
  OutlierTracker intervalOutlierTracker_;

  // Published for readers.
  FlightRecorder<BufferRecord> recorder_;
  Histogram busy_;
  Histogram intervalError_;
  Histogram jitter_;
  Histogram midiLatency_[kMidiStageCount];
  Histogram voiceAllocation_;
  SeqlockCell<OutlierTable> jitterOutliers_;
  SeqlockCell<OutlierTable> intervalOutliers_;

  std::atomic<uint64_t> buffers_{0};
  std::atomic<uint64_t> deadlineMisses_{0};
  std::atomic<uint64_t> midiEvents_{0};
  std::atomic<uint64_t> steals_{0};
  std::atomic<uint64_t> audioThreadAllocations_{0};
  std::atomic<uint64_t> drops_{0};  // any thread
  std::atomic<uint64_t> xruns_{0};  // any thread

  std::atomic<double> load_{0.0};
  std::atomic<double> smoothedLoad_{0.0};
  std::atomic<double> windowWorstLoad_{0.0};
  std::atomic<double> peakLoad_{0.0};
  std::atomic<double> clockDrift_ppm_{0.0};
  std::atomic<int64_t> latestBusy_ns_{0};
  std::atomic<int64_t> latestJitter_ns_{0};
  std::atomic<int64_t> latestIntervalError_ns_{0};
  std::atomic<uint32_t> activeVoices_{0};
  std::atomic<uint32_t> queueDepth_{0};
  std::atomic<uint32_t> qualityLevel_{0};
  std::atomic<int> audioThreadId_{0};  // the kernel's id of the thread in the last beginBuffer

  std::atomic<double> requestedLoadWindow_s_;
  std::atomic<uint32_t> bufferFrames_;
  std::atomic<const StageProfile*> stageProfile_{nullptr};

  mutable std::mutex thresholdsMutex_;  // reading side only
  HealthThresholds thresholds_;
  std::string driverFailure_;  // under thresholdsMutex_
};

}  // namespace awe
