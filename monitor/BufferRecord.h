#pragma once
// BufferRecord: what the monitor keeps about one audio buffer (one callback). Fixed size and
// trivially copyable: the flight recorder stores it as raw words. Times are
// monotonicNanoseconds() (monitor/Clock.h). Load and interval error are computed once, by the
// Monitor on the audio side; reports and the dashboard read them from here, never again.
#include <cstdint>
#include <type_traits>

#include "monitor/Config.h"

namespace awe {

// A buffer's budget B: the time `frames` frames last at `sampleRate`, in ns (not
// rounded). The one definition the Monitor (load, misses), the reports and the dashboard use.
// [audio thread]
inline double bufferBudget_ns(uint32_t frames, double sampleRate) noexcept {
  return frames * (1e9 / sampleRate);
}

struct BufferRecord {
  uint64_t index = 0;               // buffer number, counted from 0 by the Monitor
  int64_t start_ns = 0;             // callback entry
  int64_t busy_ns = 0;              // callback entry to exit
  int64_t interval_ns = 0;          // start minus the previous buffer's start; 0 for the first
  int64_t intervalError_ns = 0;     // interval minus the previous buffer's budget (rounded); 0 for the first
  int64_t jitter_ns = 0;            // start minus its ideal time (drift removed); 0 for the first
  int64_t worstMidiLatency_ns = 0;  // largest arrival-to-DAC latency of this buffer's events; 0 if none
  int64_t heapLiveBytes = 0;        // process heap in use at the end of the buffer
  double load = 0.0;                // DSP load: busy / budget (bufferBudget_ns of frames)
  uint32_t frames = 0;              // frames rendered; budget = frames / sample rate
  uint32_t activeVoices = 0;        // at the end of the buffer
  uint32_t midiEvents = 0;          // events recorded with recordMidiEvent() during the buffer
  uint32_t steals = 0;              // voice steals during the buffer
  uint32_t drops = 0;               // failed queue pushes since the previous buffer ended
  uint32_t allocations = 0;         // audio-thread allocations since the previous buffer ended
  uint32_t queueDepthMax = 0;       // largest event-queue depth reported during the buffer
  // Time each voice worker spent rendering voices during the buffer (worker k at k-1), in
  // parallel with the audio thread's busy_ns; the first voiceWorkers entries count.
  uint32_t workerBusy_ns[kMaxVoiceWorkers] = {};
  uint8_t qualityLevel = 0;         // the engine's quality level (0 = Maximum)
  bool deadlineMissed = false;      // busy > budget (software underrun)
  bool xrun = false;                // the driver reported an xrun since the previous buffer ended
  uint8_t voiceWorkers = 0;         // the engine's voice workers (--threads minus one)
};

static_assert(std::is_trivially_copyable<BufferRecord>::value, "the flight recorder copies raw words");
static_assert(sizeof(BufferRecord) == 136, "keep the record compact; a new field also belongs in ReportCsv, ReportTrace and REPORTS.md");

}  // namespace awe
