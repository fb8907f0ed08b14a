#pragma once
// One awe-bench run: a scenario played through a fresh Engine, flat out on the offline
// driver (freewheel) or at real-time pace (paced clock or a device), with the monitor's
// per-buffer records read as it goes; and the polyphony ramp built on such runs.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emu8000/Bank.h"
#include "emu8000/Personality.h"
#include "engine/AudioDriver.h"
#include "engine/MidiFile.h"
#include "engine/ProfileSession.h"
#include "engine/Quality.h"
#include "monitor/AllocationTrap.h"
#include "monitor/QualityPolicy.h"
#include "monitor/Snapshot.h"

namespace awe::bench {

enum class Pace { Freewheel, Realtime };

// What to play.
struct Scenario {
  std::string name;  // "sustained-32", "storm", "song:piano.mid", ...
  std::string kind;  // "sustained", "storm", "sweep", "soak", "song"
  std::shared_ptr<const MidiFile> song;
  bool loopSong = true;
  int holdVoices = 0;          // keep this many voices sounding (VoiceHolder)
  int fillNotesPerBuffer = 256;
  bool liveTraffic = false;    // a live note-on/off pair every ~100 ms from the control thread
  int polyphony = 32;
  double duration_s = 10.0;    // audio time
  bool heapCheck = false;      // compare heap live bytes of the first and the last window
  // Statistics only from the buffers after the voice holder filled up (+2 to settle), for
  // this many buffers; 0 = statistics over the whole run.
  uint64_t measureBuffersAfterFill = 0;
};

// How to play it (the same for every run of one awe-bench call).
struct RunOptions {
  Pace pace = Pace::Freewheel;
  DriverSettings driver;  // kind is chosen from pace (and api/device); rate, frames, api, device used
  QualityLevel quality = QualityLevel::Maximum;
  bool effects = true;
  Personality personality = Personality::Awe;
  bool personalityFromBank = false;  // --mode auto: by the bank's sound engine
  AttenuationReading attenuation = AttenuationReading::Hardware;  // --attenuation
  bool adaptive = false;
  int renderThreads = 1;  // the audio thread and renderThreads - 1 voice workers
  QualityPolicyConfig policy;
  int64_t slowBufferIndex = -1;  // --inject-slow-buffer
  int64_t slowBuffer_ns = 0;
  int64_t allocationBufferIndex = -1;  // --inject-allocation
  size_t allocationBytes = 4096;
  double heapWindow_s = 60.0;
  bool keepSnapshot = true;  // the monitor's snapshot with its records, for trace and CSV
  // Called about every 100 ms of audio with the fraction done (progress display).
  std::function<void(double)> progress;
  // --profile: every run's engine is attached to it (stage spans add up over the runs).
  ProfileSession* profile = nullptr;
};

struct Decision {
  double time_s = 0.0;  // audio time
  uint64_t buffer = 0;
  int from = 0, to = 0;
  std::string reason;
};

struct RunResult {
  std::string scenario, kind, bank;
  int repetition = 0;
  std::string driver;  // description
  bool realtimePriority = false;
  uint32_t frames = 0;
  double sampleRate = 0.0;
  int64_t budget_ns = 0;
  int polyphony = 0;
  Personality personality = Personality::Awe;

  uint64_t buffers = 0;  // rendered
  double audio_s = 0.0, wall_s = 0.0, timesRealTime = 0.0;
  // Freewheel only: the rendering thread's CPU time per measured buffer and per
  // voice-sample. Unlike busy (wall clock) it leaves out time the thread waited for a CPU,
  // so it stays steady on a shared, loaded machine.
  double cpuPerBuffer_ns = 0.0;
  double cpuNsPerVoiceSample = 0.0;

  // Busy time over the measured buffers (exact, from the records).
  uint64_t measured = 0;
  uint64_t recordsLost = 0;  // overwritten before the bench read them
  double busyMean_ns = 0, busyP50_ns = 0, busyP90_ns = 0, busyP99_ns = 0, busyMax_ns = 0;
  // Each voice worker's mean busy time per measured buffer (--threads N: N-1 entries).
  std::vector<double> workerBusyMean_ns;
  // The voice workers' conditions (engine/VoiceWorkers.h): each pinned to a CPU, each at
  // real-time priority, and the audio thread's waits that outlasted the spin (a worker
  // preempted mid-task).
  bool workersPinned = false, workersRealtime = false;
  uint64_t workerStalls = 0;
  uint64_t busyMaxBuffer = 0;
  uint64_t voiceSamples = 0;
  double nsPerVoiceSample = 0.0;  // median over the buffers with voices of busy / (voices x frames)
  uint32_t maxVoices = 0;
  double meanVoices = 0.0, medianVoices = 0.0;

  // Buffers over budget: real misses at real-time pace, "would have missed" in freewheel.
  uint64_t overBudget = 0;
  std::vector<uint64_t> overBudgetBuffers;  // the first kListedBuffers
  uint64_t xruns = 0;

  uint64_t allocations = 0;
  AllocationTrap::Offender offender;
  std::vector<std::string> offenderStack;

  // Events: sent (song via a replay of the sequencer, live from the bench) against what
  // the synth received.
  uint64_t songNotes = 0, liveNotes = 0, liveDropped = 0, otherLiveDropped = 0;
  uint64_t notesReceived = 0, notesDropped = 0, voicesStarted = 0, steals = 0, queueDrops = 0;
  bool eventsAccounted = true;

  bool heapChecked = false;
  double heapWindowUsed_s = 0.0;
  int64_t heapFirst_bytes = 0, heapLast_bytes = 0;
  bool heapFlat = true;

  std::vector<Decision> decisions;
  int finalQuality = 0;

  bool slowInjected = false, slowSeen = false, slowMissed = false;
  uint64_t slowIndex = 0;
  int64_t slowBusy_ns = 0;

  Snapshot snapshot;
};

constexpr size_t kListedBuffers = 32;
constexpr int64_t kHeapGrowthTolerance_bytes = 64 * 1024;

// [control thread] Plays one scenario. Throws DriverError when the driver cannot start.
RunResult runScenario(const Scenario& scenario, const std::shared_ptr<const Bank>& bank, const std::string& bankName,
                      const RunOptions& options);

// ---- polyphony ramp ----------------------------------------------------------------------

struct RampStep {
  int voices = 0;        // target N (and the polyphony)
  double activeVoices = 0.0;  // median over the measured buffers
  double busyP50_ns = 0.0;
  double load = 0.0;     // busy / budget
  double nsPerVoiceSample = 0.0;
  double cpuPerBuffer_ns = 0.0;  // freewheel
  double cpuNsPerVoiceSample = 0.0;
  uint64_t overBudget = 0;
  uint64_t allocations = 0;
  bool held = false;
  bool voicesHeld = true;  // the bank's notes kept sounding (active >= 98 % of N)
};

enum class RampClock;

struct RampResult {
  uint32_t frames = 0;
  bool cpuClock = false;  // held was judged by CPU time per buffer (RampClock::Cpu)
  int64_t budget_ns = 0;
  int maxHeld = 0;
  double nsPerVoiceSampleAtMax = 0.0;
  bool capped = false;  // held all the way to maxVoices
  std::string note;     // why the ramp stopped early, if it did
  std::vector<RampStep> steps;
  uint64_t allocations = 0;
};

// What decides whether a freewheel ramp step held.
enum class RampClock {
  Wall,  // the median busy time (wall clock, from the monitor) within the budget
  Cpu,   // the thread's CPU time per buffer within the budget (steadier on a loaded machine)
};

// [control thread] Doubles N from `startVoices` until a step fails, then bisects to within
// 1 % (at least 8 voices). Freewheel: a step holds when its measured buffers are within the
// budget by `clock`; real-time pace: when none of them missed.
RampResult runRamp(const std::shared_ptr<const Bank>& bank, const RunOptions& options, int startVoices, int maxVoices,
                   RampClock clock, const std::function<void(const RampStep&)>& onStep = {});

}  // namespace awe::bench
