#include "monitor/Monitor.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

#include "monitor/AllocationTrap.h"
#include "monitor/Clock.h"
#include "monitor/ThreadId.h"

namespace awe {
namespace {

static_assert(std::atomic<double>::is_always_lock_free, "latest values are published as atomics");

// Counters with one writer thread: a plain load and store instead of a locked add.
template <typename T>
void bump(std::atomic<T>& counter, T amount = 1) noexcept {  // [audio thread]
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

// Round to nearest without a libm call.
int64_t roundToInt64(double value) noexcept {  // [audio thread]
  return value >= 0.0 ? static_cast<int64_t>(value + 0.5) : -static_cast<int64_t>(0.5 - value);
}

uint32_t saturate32(uint64_t value) noexcept {  // [audio thread]
  return static_cast<uint32_t>(std::min<uint64_t>(value, UINT32_MAX));
}

const MonitorConfig& validated(const MonitorConfig& config) {
  if (config.bufferFrames == 0) throw std::invalid_argument("Monitor: bufferFrames must be > 0");
  if (!(config.sampleRate > 0.0)) throw std::invalid_argument("Monitor: sampleRate must be > 0");
  if (config.recorderCapacity == 0) throw std::invalid_argument("Monitor: recorderCapacity must be > 0");
  return config;
}

}  // namespace

Monitor::Monitor(const MonitorConfig& config)
    : config_(validated(config)),
      loadMeter_(config.loadAttack_s, config.loadRelease_s, config.loadWindow_s),
      jitterTracker_(config.sampleRate, config.jitterBandwidth_Hz),
      recorder_(config.recorderCapacity),
      requestedLoadWindow_s_(loadMeter_.window_s()),
      bufferFrames_(config.bufferFrames),
      thresholds_(config.health) {
  AllocationTrap::prepareStackCapture();
  trapAllocationsAtLastEnd_ = AllocationTrap::audioThreadAllocationCount();
}

void Monitor::beginBuffer(int64_t start_ns) noexcept {  // [audio thread]
  AllocationTrap::markAudioThread();
  audioThreadId_.store(osThreadId(), std::memory_order_relaxed);
  if (inBuffer_) AllocationTrap::unmarkAudioThread();  // endBuffer was skipped: keep marks balanced
  const uint64_t index = nextIndex_;
  AllocationTrap::beginBuffer(index);
  currentJitter_ns_ = 0;
  currentInterval_ns_ = 0;
  currentIntervalError_ns_ = 0;
  if (index > 0) {
    currentInterval_ns_ = start_ns - previousStart_ns_;
    const int64_t intervalError_ns = currentInterval_ns_ - previousBudget_ns_;
    currentIntervalError_ns_ = intervalError_ns;
    intervalError_.record(intervalError_ns);
    latestIntervalError_ns_.store(intervalError_ns, std::memory_order_relaxed);
    if (intervalOutlierTracker_.offer(index, intervalError_ns)) {
      intervalOutliers_.store(intervalOutlierTracker_.table());
    }
    currentJitter_ns_ = jitterTracker_.update(start_ns, previousFrames_);
    jitter_.record(currentJitter_ns_);
    latestJitter_ns_.store(currentJitter_ns_, std::memory_order_relaxed);
    if (jitterOutlierTracker_.offer(index, currentJitter_ns_)) jitterOutliers_.store(jitterOutlierTracker_.table());
  } else {
    jitterTracker_.update(start_ns, 0);
  }
  currentStart_ns_ = start_ns;
  bufferEvents_ = 0;
  bufferQueueDepthMax_ = 0;
  bufferWorstMidi_ns_ = 0;
  inBuffer_ = true;
}

void Monitor::endBuffer(const BufferEnd& end) noexcept {  // [audio thread]
  if (!inBuffer_) return;
  inBuffer_ = false;

  const uint32_t frames = end.frames > 0 ? end.frames : bufferFrames_.load(std::memory_order_relaxed);
  const double budget_ns = bufferBudget_ns(frames, config_.sampleRate);
  const int64_t busy_ns = std::max<int64_t>(0, end.end_ns - currentStart_ns_);
  const double load = static_cast<double>(busy_ns) / budget_ns;
  const bool missed = static_cast<double>(busy_ns) > budget_ns;

  const double window_s = requestedLoadWindow_s_.load(std::memory_order_relaxed);
  if (window_s != loadMeter_.window_s()) loadMeter_.setWindow(window_s);
  loadMeter_.update(load, budget_ns * 1e-9, currentStart_ns_);

  // Drops, xruns and allocations that happened since the previous buffer ended belong to
  // this one (whatever thread reported them).
  const uint64_t drops = drops_.load(std::memory_order_relaxed);
  const uint64_t xruns = xruns_.load(std::memory_order_relaxed);
  const uint64_t trapAllocations = AllocationTrap::audioThreadAllocationCount();
  const uint64_t allocations =
      trapAllocations >= trapAllocationsAtLastEnd_ ? trapAllocations - trapAllocationsAtLastEnd_ : trapAllocations;

  BufferRecord record;
  record.index = nextIndex_;
  record.start_ns = currentStart_ns_;
  record.busy_ns = busy_ns;
  record.interval_ns = currentInterval_ns_;
  record.intervalError_ns = currentIntervalError_ns_;
  record.jitter_ns = currentJitter_ns_;
  record.worstMidiLatency_ns = bufferWorstMidi_ns_;
  record.heapLiveBytes = AllocationTrap::liveBytes();
  record.load = load;
  record.frames = frames;
  record.activeVoices = end.activeVoices;
  record.midiEvents = bufferEvents_;
  record.steals = end.steals;
  record.drops = saturate32(drops - dropsAtLastEnd_);
  record.allocations = saturate32(allocations);
  record.queueDepthMax = bufferQueueDepthMax_;
  record.qualityLevel = end.qualityLevel;
  record.deadlineMissed = missed;
  record.xrun = xruns != xrunsAtLastEnd_;
  record.voiceWorkers = static_cast<uint8_t>(std::min<int>(end.voiceWorkers, kMaxVoiceWorkers));
  for (int w = 0; w < record.voiceWorkers; ++w) record.workerBusy_ns[w] = end.workerBusy_ns[w];
  recorder_.push(record);

  busy_.record(busy_ns);
  if (missed) bump(deadlineMisses_);
  if (allocations > 0) bump(audioThreadAllocations_, allocations);
  load_.store(load, std::memory_order_relaxed);
  smoothedLoad_.store(loadMeter_.smoothed(), std::memory_order_relaxed);
  windowWorstLoad_.store(loadMeter_.windowWorst(), std::memory_order_relaxed);
  if (load > peakLoad_.load(std::memory_order_relaxed)) peakLoad_.store(load, std::memory_order_relaxed);
  clockDrift_ppm_.store(jitterTracker_.drift_ppm(), std::memory_order_relaxed);
  latestBusy_ns_.store(busy_ns, std::memory_order_relaxed);
  activeVoices_.store(end.activeVoices, std::memory_order_relaxed);
  steals_.fetch_add(end.steals, std::memory_order_relaxed);
  queueDepth_.store(bufferQueueDepthMax_, std::memory_order_relaxed);
  qualityLevel_.store(end.qualityLevel, std::memory_order_relaxed);
  bump(buffers_);

  dropsAtLastEnd_ = drops;
  xrunsAtLastEnd_ = xruns;
  trapAllocationsAtLastEnd_ = trapAllocations;
  previousStart_ns_ = currentStart_ns_;
  if (frames != previousFrames_) {
    previousFrames_ = frames;
    previousBudget_ns_ = roundToInt64(budget_ns);
  }
  ++nextIndex_;
  AllocationTrap::unmarkAudioThread();
}

void Monitor::recordMidiEvent(const MidiEventTimes& times) noexcept {  // [audio thread]
  constexpr int64_t kNoTime = MidiEventTimes::kNoTime;
  const int64_t stamps[] = {times.arrival_ns, times.enqueued_ns, times.dequeued_ns, times.rendered_ns,
                            times.dac_ns};
  for (std::size_t stage = 0; stage + 1 < std::size(stamps); ++stage) {
    if (stamps[stage] != kNoTime && stamps[stage + 1] != kNoTime) {
      midiLatency_[stage].record(stamps[stage + 1] - stamps[stage]);
    }
  }
  if (times.arrival_ns != kNoTime && times.dac_ns != kNoTime) {
    const int64_t total_ns = times.dac_ns - times.arrival_ns;
    midiLatency_[static_cast<std::size_t>(MidiStage::Total)].record(total_ns);
    bufferWorstMidi_ns_ = std::max(bufferWorstMidi_ns_, total_ns);
  }
  ++bufferEvents_;
  bump(midiEvents_);
}

// [audio thread]
void Monitor::recordVoiceAllocation(int64_t duration_ns) noexcept { voiceAllocation_.record(duration_ns); }

void Monitor::recordQueueDepth(uint32_t depth) noexcept {  // [audio thread]
  bufferQueueDepthMax_ = std::max(bufferQueueDepthMax_, depth);
}

void Monitor::recordDrop() noexcept { drops_.fetch_add(1, std::memory_order_relaxed); }

void Monitor::recordXrun() noexcept { xruns_.fetch_add(1, std::memory_order_relaxed); }  // [audio thread]

void Monitor::setLoadWindow(double window_s) noexcept {
  if (window_s > 0.0) requestedLoadWindow_s_.store(window_s, std::memory_order_relaxed);
}

void Monitor::attachStageProfile(const StageProfile* profile) noexcept {
  stageProfile_.store(profile, std::memory_order_release);
}

void Monitor::setHealthThresholds(const HealthThresholds& thresholds) {
  std::lock_guard<std::mutex> lock(thresholdsMutex_);
  thresholds_ = thresholds;
}

void Monitor::setDriverFailure(const std::string& reason) {
  std::lock_guard<std::mutex> lock(thresholdsMutex_);
  driverFailure_ = reason;
}

HealthThresholds Monitor::healthThresholds() const {
  std::lock_guard<std::mutex> lock(thresholdsMutex_);
  return thresholds_;
}

void Monitor::setBufferFrames(uint32_t frames) noexcept {
  if (frames > 0) bufferFrames_.store(frames, std::memory_order_relaxed);
}

Snapshot Monitor::snapshot(std::size_t maxRecords) const {
  Snapshot snapshot;
  snapshot.bufferFrames = bufferFrames();
  snapshot.sampleRate = config_.sampleRate;
  snapshot.budget_ns = static_cast<int64_t>(std::llround(bufferBudget_ns(snapshot.bufferFrames, config_.sampleRate)));
  snapshot.loadAttack_s = config_.loadAttack_s;
  snapshot.loadRelease_s = config_.loadRelease_s;
  snapshot.loadWindow_s = requestedLoadWindow_s_.load(std::memory_order_relaxed);
  snapshot.recorderCapacity = recorder_.capacity();
  snapshot.taken_ns = monotonicNanoseconds();
  snapshot.paced = config_.paced;
  snapshot.processId = osProcessId();
  snapshot.audioThreadId = audioThreadId_.load(std::memory_order_relaxed);

  snapshot.buffers = buffers_.load(std::memory_order_relaxed);
  snapshot.deadlineMisses = deadlineMisses_.load(std::memory_order_relaxed);
  snapshot.xruns = xruns_.load(std::memory_order_relaxed);
  snapshot.midiEvents = midiEvents_.load(std::memory_order_relaxed);
  snapshot.steals = steals_.load(std::memory_order_relaxed);
  snapshot.drops = drops_.load(std::memory_order_relaxed);
  snapshot.audioThreadAllocations = audioThreadAllocations_.load(std::memory_order_relaxed);

  snapshot.load = load_.load(std::memory_order_relaxed);
  snapshot.smoothedLoad = smoothedLoad_.load(std::memory_order_relaxed);
  snapshot.windowWorstLoad = windowWorstLoad_.load(std::memory_order_relaxed);
  snapshot.peakLoad = peakLoad_.load(std::memory_order_relaxed);
  snapshot.busy_ns = latestBusy_ns_.load(std::memory_order_relaxed);
  snapshot.jitter_ns = latestJitter_ns_.load(std::memory_order_relaxed);
  snapshot.intervalError_ns = latestIntervalError_ns_.load(std::memory_order_relaxed);
  snapshot.activeVoices = activeVoices_.load(std::memory_order_relaxed);
  snapshot.queueDepth = queueDepth_.load(std::memory_order_relaxed);
  snapshot.qualityLevel = static_cast<uint8_t>(qualityLevel_.load(std::memory_order_relaxed));
  snapshot.clockDrift_ppm = clockDrift_ppm_.load(std::memory_order_relaxed);

  snapshot.busy = busy_.snapshot();
  snapshot.intervalError = intervalError_.snapshot();
  snapshot.jitter = jitter_.snapshot();
  for (std::size_t stage = 0; stage < kMidiStageCount; ++stage) {
    snapshot.midiLatency[stage] = midiLatency_[stage].snapshot();
  }
  snapshot.voiceAllocation = voiceAllocation_.snapshot();
  jitterOutliers_.load(snapshot.jitterOutliers);
  intervalOutliers_.load(snapshot.intervalErrorOutliers);

  snapshot.heap = AllocationTrap::counters();
  snapshot.trapMode = AllocationTrap::mode();
  snapshot.trapBackend = AllocationTrap::backend();
  snapshot.offender = AllocationTrap::firstOffender();
  snapshot.offenderStack = AllocationTrap::symbolize(snapshot.offender);

  snapshot.records = recorder_.latest(maxRecords);
  if (const StageProfile* stages = stageProfile_.load(std::memory_order_acquire)) {
    const uint64_t firstBuffer = snapshot.records.empty() ? UINT64_MAX : snapshot.records.front().index;
    snapshot.stages = std::make_shared<const StageProfileSnapshot>(stages->snapshot(firstBuffer));
  }

  snapshot.thresholds = healthThresholds();
  {
    std::lock_guard<std::mutex> lock(thresholdsMutex_);
    snapshot.driverFailure = driverFailure_;
  }
  snapshot.health = evaluateHealth(snapshot, snapshot.thresholds);
  return snapshot;
}

}  // namespace awe
