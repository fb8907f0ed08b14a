#include "tools/bench/BenchRun.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <utility>

#include <time.h>

#include "engine/Engine.h"
#include "engine/Sequencer.h"
#include "monitor/BufferRecord.h"
#include "monitor/Clock.h"
#include "monitor/report/SampleStatistics.h"
#include "tools/bench/BenchScenarios.h"

namespace awe::bench {
namespace {

constexpr size_t kLiveQueueCapacity = 16384;  // room for a whole ramp fill batch
constexpr uint64_t kMaxFillBuffers = 2000;    // the holder gives up filling after this many
constexpr uint64_t kSettleBuffers = 2;        // after the fill, before measuring
// Per-buffer values kept for the percentiles: 4 Mi buffers (27 h at 1024 frames, 1.7 h at
// 64) in 80 MiB. Longer runs take their percentiles from the first ones; counts, maximum,
// mean and misses always cover every buffer.
constexpr size_t kMaxKeptBuffers = size_t{1} << 22;

int64_t threadCpuNanoseconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// Kept integer values as doubles for the quantiles of monitor/report/SampleStatistics.h (exact:
// busy times, voice counts and heap sizes stay far below 2^53).
template <typename T>
std::vector<double> asDoubles(const std::vector<T>& values) {
  return std::vector<double>(values.begin(), values.end());
}

// The smallest polyphony whose cap at `level` still allows `voices`.
int polyphonyFor(QualityLevel level, int voices) {
  int polyphony = voices;
  while (polyphony < kMaxPolyphony && qualitySettings(level, polyphony).polyphonyCap < voices) ++polyphony;
  return polyphony;
}

// Note-ons the engine's sequencer sent in `buffers` buffers of `frames`: the same song
// replayed through a second Sequencer with the same transport.
uint64_t replaySongNotes(const std::shared_ptr<const MidiFile>& song, bool loop, double rate, uint64_t buffers,
                         uint32_t frames) {
  if (!song) return 0;
  Sequencer shadow(rate);
  shadow.load(song);
  shadow.setLoop(loop);
  shadow.play();
  uint64_t notes = 0;
  for (uint64_t b = 0; b < buffers; ++b) {
    shadow.process(frames, [&](const SequencerMessage& m) {
      if (m.midi.kind == MidiKind::NoteOn) ++notes;
    });
  }
  return notes;
}

// Reads the monitor's records as the run goes and keeps what the result needs. Storage
// is reserved before the run, so reading adds nothing to the heap while it runs.
class RecordReader {
 public:
  RecordReader(size_t expectedMeasured, uint64_t heapWindowBuffers, bool heapCheck)
      : heapWindow_(heapWindowBuffers), heapCheck_(heapCheck) {
    busy_.reserve(expectedMeasured);
    voices_.reserve(expectedMeasured);
    frames_.reserve(expectedMeasured);
    if (heapCheck_) {
      heapFirst_.reserve(heapWindow_);
      heapLast_.assign(heapWindow_, 0);
    }
    overBudgetBuffers_.reserve(kListedBuffers);
  }

  void measureFrom(uint64_t first, uint64_t end) {
    measureFrom_ = first;
    measureEnd_ = end;
  }
  void setSlowIndex(int64_t index) { slowIndex_ = index; }

  void read(const Monitor& monitor) {
    const auto& recorder = monitor.recorder();
    const uint64_t written = recorder.written();
    uint64_t from = next_;
    if (written > from + recorder.capacity()) {
      lost_ += written - recorder.capacity() - from;
      from = written - recorder.capacity();
    }
    for (uint64_t n = from; n < written; ++n) {
      BufferRecord record;
      if (recorder.read(n, record)) {
        take(record);
      } else {
        ++lost_;
      }
    }
    next_ = written;
  }

  void finish(RunResult& r) const {
    std::vector<double> sorted = asDoubles(busy_);
    std::sort(sorted.begin(), sorted.end());
    r.measured = measured_;
    r.recordsLost = lost_;
    r.busyMean_ns = measured_ > 0 ? busySum_ / static_cast<double>(measured_) : 0.0;
    r.busyP50_ns = nearestRankOfSorted(sorted, 0.50);
    r.busyP90_ns = nearestRankOfSorted(sorted, 0.90);
    r.busyP99_ns = nearestRankOfSorted(sorted, 0.99);
    r.busyMax_ns = static_cast<double>(busyMax_);
    r.workerBusyMean_ns.clear();
    for (double sum : workerBusySum_) r.workerBusyMean_ns.push_back(measured_ > 0 ? sum / static_cast<double>(measured_) : 0.0);
    r.busyMaxBuffer = busyMaxBuffer_;
    r.voiceSamples = voiceSamples_;
    // The median buffer's busy time per voice-sample: a preempted buffer moves the mean a
    // lot on a shared machine, the median hardly.
    std::vector<double> perVoiceSample;
    perVoiceSample.reserve(busy_.size());
    for (size_t i = 0; i < busy_.size() && i < voices_.size(); ++i) {
      if (voices_[i] > 0) {
        perVoiceSample.push_back(static_cast<double>(busy_[i]) / (static_cast<double>(voices_[i]) * frames_[i]));
      }
    }
    r.nsPerVoiceSample = median(std::move(perVoiceSample));
    r.maxVoices = maxVoices_;
    r.meanVoices = measured_ > 0 ? voiceSum_ / static_cast<double>(measured_) : 0.0;
    r.medianVoices = median(asDoubles(voices_));
    r.overBudgetBuffers = overBudgetBuffers_;
    r.overBudget = overBudget_;
    r.audio_s = audioFrames_ / r.sampleRate;
    if (slowIndex_ >= 0) {
      r.slowSeen = slowSeen_;
      r.slowMissed = slowMissed_;
      r.slowBusy_ns = slowBusy_ns_;
    }
    if (heapCheck_ && !heapFirst_.empty()) {
      const size_t lastCount = std::min<uint64_t>(heapLastCount_, heapWindow_);
      r.heapChecked = true;
      r.heapFirst_bytes = static_cast<int64_t>(median(asDoubles(heapFirst_)));
      r.heapLast_bytes = static_cast<int64_t>(
          median(std::vector<double>(heapLast_.begin(), heapLast_.begin() + static_cast<std::ptrdiff_t>(lastCount))));
      r.heapFlat = r.heapLast_bytes - r.heapFirst_bytes <= kHeapGrowthTolerance_bytes;
    }
  }

  uint64_t measureStart() const { return measureFrom_; }
  uint64_t measureEnd() const { return measureEnd_; }

 private:
  void take(const BufferRecord& b) {
    audioFrames_ += b.frames;
    if (slowIndex_ >= 0 && b.index == static_cast<uint64_t>(slowIndex_)) {
      slowSeen_ = true;
      slowMissed_ = b.deadlineMissed;
      slowBusy_ns_ = b.busy_ns;
    }
    if (heapCheck_ && heapWindow_ > 0) {
      if (b.index < heapWindow_) heapFirst_.push_back(b.heapLiveBytes);
      heapLast_[static_cast<size_t>(heapLastCount_ % heapWindow_)] = b.heapLiveBytes;
      ++heapLastCount_;
    }
    if (b.index < measureFrom_ || b.index >= measureEnd_) return;
    ++measured_;
    if (busy_.size() < busy_.capacity()) busy_.push_back(b.busy_ns);
    if (voices_.size() < voices_.capacity()) voices_.push_back(b.activeVoices);
    if (frames_.size() < frames_.capacity()) frames_.push_back(static_cast<double>(b.frames));
    busySum_ += static_cast<double>(b.busy_ns);
    workerBusySum_.resize(std::max<size_t>(workerBusySum_.size(), b.voiceWorkers));
    for (size_t w = 0; w < b.voiceWorkers; ++w) workerBusySum_[w] += static_cast<double>(b.workerBusy_ns[w]);
    if (b.busy_ns > busyMax_) {
      busyMax_ = b.busy_ns;
      busyMaxBuffer_ = b.index;
    }
    const uint64_t voiceSamples = static_cast<uint64_t>(b.activeVoices) * b.frames;
    voiceSamples_ += voiceSamples;
    voiceSum_ += b.activeVoices;
    maxVoices_ = std::max(maxVoices_, b.activeVoices);
    if (b.deadlineMissed) {
      ++overBudget_;
      if (overBudgetBuffers_.size() < kListedBuffers) overBudgetBuffers_.push_back(b.index);
    }
  }

  uint64_t next_ = 0;
  uint64_t lost_ = 0;
  uint64_t measureFrom_ = 0, measureEnd_ = UINT64_MAX;
  uint64_t measured_ = 0;
  double audioFrames_ = 0.0;
  std::vector<int64_t> busy_;
  std::vector<uint32_t> voices_;
  std::vector<double> frames_;
  double busySum_ = 0.0, voiceSum_ = 0.0;
  std::vector<double> workerBusySum_;  // by voice worker
  int64_t busyMax_ = 0;
  uint64_t busyMaxBuffer_ = 0;
  uint64_t voiceSamples_ = 0;
  uint32_t maxVoices_ = 0;
  uint64_t overBudget_ = 0;
  std::vector<uint64_t> overBudgetBuffers_;
  int64_t slowIndex_ = -1;
  bool slowSeen_ = false, slowMissed_ = false;
  int64_t slowBusy_ns_ = 0;
  uint64_t heapWindow_;
  bool heapCheck_;
  std::vector<int64_t> heapFirst_, heapLast_;
  uint64_t heapLastCount_ = 0;
};

}  // namespace

RunResult runScenario(const Scenario& scenario, const std::shared_ptr<const Bank>& bank, const std::string& bankName,
                      const RunOptions& options) {
  RunResult r;
  r.scenario = scenario.name;
  r.kind = scenario.kind;
  r.bank = bankName;

  EngineSettings settings;
  settings.driver = options.driver;
  if (options.pace == Pace::Freewheel) settings.driver.kind = DriverKind::Offline;
  const QualitySettings quality = qualitySettings(options.quality, scenario.polyphony);
  settings.polyphony = scenario.polyphony;
  settings.renderThreads = options.renderThreads;
  settings.synth.interpolation = quality.interpolation;
  settings.synth.filterEnabled = quality.filter;
  settings.synth.effectsEnabled = options.effects;  // off: off at every level
  settings.synth.personality = options.personalityFromBank ? personalityForBank(*bank) : options.personality;
  r.personality = settings.synth.personality;
  settings.synth.attenuation = options.attenuation;
  settings.midiQueueCapacity = kLiveQueueCapacity;
  settings.maxLiveEventsPerBuffer = kLiveQueueCapacity;
  r.polyphony = scenario.polyphony;

  // Audio-thread allocations are counted per run: forget the previous run's offender.
  AllocationTrap::resetAudioThreadRecord();
  Engine engine(settings);
  const ProfileSession::Attachment profiled(options.profile, engine);
  engine.setBank(bank);
  if (scenario.song) {
    engine.setSong(scenario.song);
    engine.setLoop(scenario.loopSong);
    engine.play();
  }
  engine.setQuality(options.quality);
  VoiceHolder holder(scenario.holdVoices);
  if (scenario.holdVoices > 0) holder.setUpChannels(engine);
  if (options.slowBufferIndex >= 0) {
    engine.injectSlowBuffer(static_cast<uint64_t>(options.slowBufferIndex), options.slowBuffer_ns);
    r.slowInjected = true;
    r.slowIndex = static_cast<uint64_t>(options.slowBufferIndex);
  }
  if (options.allocationBufferIndex >= 0) {
    engine.injectAllocation(static_cast<uint64_t>(options.allocationBufferIndex), options.allocationBytes);
  }

  engine.start();
  const AudioDriver& driver = *engine.driver();
  r.driver = driver.description();
  r.frames = driver.bufferFrames();
  r.sampleRate = driver.sampleRate();
  r.budget_ns = static_cast<int64_t>(std::llround(1e9 * r.frames / r.sampleRate));
  const double buffersPerSecond = r.sampleRate / r.frames;
  const uint64_t chunk = std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(0.1 * buffersPerSecond)));
  const bool fillMode = scenario.measureBuffersAfterFill > 0;
  const uint64_t planned =
      fillMode ? UINT64_MAX
               : std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(scenario.duration_s * buffersPerSecond)));

  double heapWindow_s = options.heapWindow_s;
  if (scenario.heapCheck) heapWindow_s = std::min(heapWindow_s, scenario.duration_s / 4.0);
  const auto heapWindowBuffers = static_cast<uint64_t>(std::max(1.0, std::floor(heapWindow_s * buffersPerSecond)));
  r.heapWindowUsed_s = scenario.heapCheck ? static_cast<double>(heapWindowBuffers) / buffersPerSecond : 0.0;
  RecordReader reader(fillMode ? scenario.measureBuffersAfterFill
                               : static_cast<size_t>(std::min<uint64_t>(planned + 64, kMaxKeptBuffers)),
                      heapWindowBuffers, scenario.heapCheck);
  reader.setSlowIndex(options.slowBufferIndex);
  if (fillMode) reader.measureFrom(UINT64_MAX, UINT64_MAX);

  r.decisions.reserve(64);
  QualityState policyState;
  policyState.level = static_cast<int>(options.quality);
  uint64_t end = planned;
  bool filled = scenario.holdVoices == 0;
  uint64_t nextTopUpAt = 0;  // buffers written before the status reflects the last top-up
  uint64_t nextControlAt = chunk;
  uint64_t lastLiveSendAt = 0;
  bool liveNoteOn = false;
  uint8_t liveKey = 60;
  double wall_s = 0.0;
  const int64_t runStart_ns = monotonicNanoseconds();
  const auto& recorder = engine.monitor().recorder();
  auto written = [&] { return recorder.written(); };

  // The control side, between buffers (freewheel) or every ~10 ms (real time).
  auto control = [&](uint64_t done, uint64_t upcoming) {
    EngineStatus status;
    if (scenario.holdVoices > 0 && engine.status(status)) {
      if (!filled && done > 0 && status.activeVoices >= holder.target()) {
        filled = true;
        if (fillMode) {
          const uint64_t first = done + kSettleBuffers;
          end = first + scenario.measureBuffersAfterFill;
          reader.measureFrom(first, end);
        }
      }
      if (done >= nextTopUpAt) {
        const int budget = static_cast<int>(std::min<uint64_t>(
            kLiveQueueCapacity / 2, static_cast<uint64_t>(scenario.fillNotesPerBuffer) * std::max<uint64_t>(1, upcoming)));
        if (holder.topUp(engine, status.activeVoices, status.polyphonyLimit, status.notesOn, status.voicesStarted,
                         budget) > 0) {
          nextTopUpAt = done + 2;
        }
      }
    }
    if (done < nextControlAt) return;
    nextControlAt = done + chunk;
    if (scenario.liveTraffic) {
      const auto message = static_cast<uint8_t>(liveNoteOn ? 0x8F : 0x9F);
      if (engine.sendMidi(message, liveKey, liveNoteOn ? 0 : 90)) {
        if (!liveNoteOn) ++r.liveNotes;
        liveNoteOn = !liveNoteOn;
        if (!liveNoteOn) liveKey = static_cast<uint8_t>(60 + (liveKey - 59) % 12);
      } else if (!liveNoteOn) {
        ++r.liveDropped;
      } else {
        ++r.otherLiveDropped;
      }
      lastLiveSendAt = done;
    }
    if (options.adaptive) {
      const Snapshot snap = engine.monitor().snapshot(0);
      QualityInputs inputs;
      inputs.time_s = static_cast<double>(done) / buffersPerSecond;
      inputs.smoothedLoad = snap.smoothedLoad;
      inputs.windowWorstLoad = snap.windowWorstLoad;
      inputs.deadlineMisses = snap.deadlineMisses;
      inputs.xruns = snap.xruns;
      const QualityDecision decision = evaluateQualityPolicy(options.policy, policyState, inputs);
      policyState = decision.state;
      if (decision.changed) engine.setQuality(static_cast<QualityLevel>(decision.to));
      if (decision.changed || decision.noted) {
        r.decisions.push_back({inputs.time_s, done, decision.from, decision.to, decision.reason});
      }
    }
    if (options.progress) {
      options.progress(end == UINT64_MAX ? 0.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(end)));
    }
  };

  double cpu_ns = 0.0;
  uint64_t cpuBuffers = 0;
  if (options.pace == Pace::Freewheel) {
    uint64_t done = 0;
    while (done < end) {
      if (fillMode && !filled && done >= kMaxFillBuffers) break;
      uint64_t n = !filled ? 1 : std::min(end - done, nextControlAt > done ? nextControlAt - done : chunk);
      // Chunks start at the measured window, so their CPU time belongs to it or not at all.
      if (done < reader.measureStart()) n = std::min(n, reader.measureStart() - done);
      control(done, n);
      if (done >= end) break;
      const int64_t t0 = monotonicNanoseconds();
      const int64_t cpu0 = threadCpuNanoseconds();
      engine.runOffline(n);
      const int64_t cpu1 = threadCpuNanoseconds();
      wall_s += static_cast<double>(monotonicNanoseconds() - t0) * 1e-9;
      if (done >= reader.measureStart() && done + n <= reader.measureEnd()) {
        cpu_ns += static_cast<double>(cpu1 - cpu0);
        cpuBuffers += n;
      }
      done += n;
      reader.read(engine.monitor());
    }
  } else {
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      const uint64_t done = written();
      reader.read(engine.monitor());
      if (done >= end) break;
      if (fillMode && !filled && done >= kMaxFillBuffers) break;
      control(done, 1);
      if (std::string lost; engine.audioDriverLost(&lost)) {
        engine.stop();
        throw DriverError(lost);
      }
    }
    // Let the last live messages reach the synth before stopping.
    const uint64_t drainUntil = std::max(lastLiveSendAt, nextTopUpAt) + 2;
    const int64_t giveUp = monotonicNanoseconds() + 1'000'000'000;
    while (written() < drainUntil && monotonicNanoseconds() < giveUp) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    engine.stop();
    wall_s = static_cast<double>(monotonicNanoseconds() - runStart_ns) * 1e-9;
    reader.read(engine.monitor());
  }
  if (options.pace == Pace::Freewheel) engine.stop();

  if (const VoiceWorkers* workers = engine.voiceWorkers()) {
    r.workersPinned = workers->pinned();
    r.workersRealtime = workers->realtime();
    r.workerStalls = workers->stalls();
  }
  r.snapshot = engine.monitor().snapshot(options.keepSnapshot ? SIZE_MAX : 0);
  r.buffers = r.snapshot.buffers;
  reader.finish(r);
  r.wall_s = wall_s;
  r.timesRealTime = wall_s > 0.0 ? r.audio_s / wall_s : 0.0;
  if (cpuBuffers > 0) {
    r.cpuPerBuffer_ns = cpu_ns / static_cast<double>(cpuBuffers);
    if (r.voiceSamples > 0) r.cpuNsPerVoiceSample = cpu_ns / static_cast<double>(r.voiceSamples);
  }
  r.realtimePriority = driver.realtime();
  r.xruns = r.snapshot.xruns;
  r.queueDrops = r.snapshot.drops;
  r.allocations = r.snapshot.audioThreadAllocations;
  if (r.allocations > 0 && r.snapshot.offender.present) {
    r.offender = r.snapshot.offender;
    r.offenderStack = r.snapshot.offenderStack;
  }
  if (!fillMode) r.overBudget = std::max(r.overBudget, r.snapshot.deadlineMisses);

  EngineStatus status;
  engine.status(status);
  r.notesReceived = status.notesOn;
  r.notesDropped = status.notesDropped;
  r.voicesStarted = status.voicesStarted;
  r.steals = status.steals;
  r.finalQuality = status.quality;
  r.songNotes = replaySongNotes(scenario.song, scenario.loopSong, r.sampleRate, r.buffers, r.frames);
  r.liveNotes += holder.notesSent();
  r.liveDropped += holder.notesDropped();
  r.otherLiveDropped += holder.otherDropped();
  r.eventsAccounted = r.songNotes + r.liveNotes == r.notesReceived;
  return r;
}

RampResult runRamp(const std::shared_ptr<const Bank>& bank, const RunOptions& options, int startVoices, int maxVoices,
                   RampClock clock, const std::function<void(const RampStep&)>& onStep) {
  RampResult ramp;
  ramp.frames = options.driver.bufferFrames;
  ramp.cpuClock = clock == RampClock::Cpu && options.pace == Pace::Freewheel;
  ramp.budget_ns = static_cast<int64_t>(std::llround(1e9 * ramp.frames / options.driver.sampleRate));
  const double buffersPerSecond = options.driver.sampleRate / ramp.frames;
  const auto measure = std::max<uint64_t>(24, static_cast<uint64_t>(std::ceil(0.25 * buffersPerSecond)));

  RunOptions stepOptions = options;
  stepOptions.keepSnapshot = false;
  stepOptions.adaptive = false;
  stepOptions.slowBufferIndex = -1;
  stepOptions.allocationBufferIndex = -1;
  stepOptions.progress = {};

  auto step = [&](int voices) {
    Scenario s;
    s.name = "ramp";
    s.kind = "ramp";
    s.polyphony = polyphonyFor(options.quality, voices);
    s.holdVoices = voices;
    s.fillNotesPerBuffer = options.pace == Pace::Freewheel ? static_cast<int>(kLiveQueueCapacity) : 256;
    s.measureBuffersAfterFill = measure;
    const RunResult run = runScenario(s, bank, "", stepOptions);
    RampStep st;
    st.voices = voices;
    st.activeVoices = run.medianVoices;
    st.busyP50_ns = run.busyP50_ns;
    st.load = static_cast<double>(run.busyP50_ns) / static_cast<double>(ramp.budget_ns);
    // The median buffer's cost per voice-sample: steadier than the mean under preemption.
    st.nsPerVoiceSample =
        run.medianVoices > 0.0 ? run.busyP50_ns / (run.medianVoices * static_cast<double>(ramp.frames)) : 0.0;
    st.cpuPerBuffer_ns = run.cpuPerBuffer_ns;
    st.cpuNsPerVoiceSample = run.cpuNsPerVoiceSample;
    st.overBudget = run.overBudget;
    st.allocations = run.allocations;
    st.voicesHeld = run.measured > 0 && run.medianVoices >= 0.98 * voices;
    const auto budget = static_cast<double>(ramp.budget_ns);
    const bool withinBudget = options.pace == Pace::Realtime ? run.overBudget == 0 && run.xruns == 0
                              : clock == RampClock::Cpu  ? run.cpuPerBuffer_ns <= budget
                                                         : run.busyP50_ns <= budget;
    st.held = st.voicesHeld && withinBudget;
    ramp.allocations += run.allocations;
    ramp.steps.push_back(st);
    if (onStep) onStep(st);
    if (st.held && voices > ramp.maxHeld) {
      ramp.maxHeld = voices;
      ramp.nsPerVoiceSampleAtMax = clock == RampClock::Cpu ? st.cpuNsPerVoiceSample : st.nsPerVoiceSample;
    }
    return st;
  };

  int lo = 0, hi = 0;  // lo held, hi failed (0: none yet)
  for (int n = std::max(8, startVoices);; n = std::min(n * 2, maxVoices)) {
    const RampStep s = step(n);
    if (!s.voicesHeld) {
      ramp.note = "at " + std::to_string(n) + " voices only " + std::to_string(static_cast<int>(s.activeVoices)) +
                  " kept sounding (the bank's notes end, or the fill gave up): the ramp stops there";
      return ramp;
    }
    if (!s.held) {
      hi = n;
      break;
    }
    lo = n;
    if (n >= maxVoices) {
      ramp.capped = true;
      return ramp;
    }
  }
  while (hi - lo > std::max(8, lo / 100)) {
    int mid = lo + (hi - lo) / 2;
    mid = std::max(lo + 1, mid / 8 * 8);  // whole SIMD groups where possible
    const RampStep s = step(mid);
    if (!s.voicesHeld) {
      ramp.note = "at " + std::to_string(mid) + " voices the bank's notes did not all keep sounding";
      break;
    }
    (s.held ? lo : hi) = mid;
  }
  return ramp;
}

}  // namespace awe::bench
