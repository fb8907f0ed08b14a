#pragma once
// The health verdict: GOOD, DEGRADED with the list of reasons (judged from a Snapshot
// against thresholds the caller may change), or FAILED when the audio device is gone.
#include <cstdint>
#include <string>
#include <vector>

#include "monitor/MidiEventTimes.h"

namespace awe {

struct Snapshot;

struct HealthThresholds {
  double maxMeanBusy_ms = 20.0;  // average callback busy time
  // 99th percentile of one MIDI latency stage. The default stage is the one the software
  // adds by itself; the later stages are mostly buffering (up to a buffer or two), which
  // would fail a 1 ms limit at any usual buffer size.
  double maxMidiLatency_ms = 1.0;
  MidiStage midiLatencyStage = MidiStage::ArrivalToEnqueue;
  uint64_t maxUnderruns = 0;               // deadline misses + driver xruns
  uint64_t maxAudioThreadAllocations = 0;  // counted by this monitor's buffers
};

// Failed: the audio device stopped (Snapshot::driverFailure says how); nothing is heard.
enum class Health : int { Good = 0, Degraded = 1, Failed = 2 };

// "GOOD" / "DEGRADED" / "FAILED"
const char* healthName(Health health) noexcept;

struct HealthVerdict {
  Health health = Health::Good;
  std::vector<std::string> reasons;  // one sentence per failed check; empty when GOOD
};

// [any thread, allocates] Checks every threshold and lists each one exceeded.
HealthVerdict evaluateHealth(const Snapshot& snapshot, const HealthThresholds& thresholds);

}  // namespace awe
