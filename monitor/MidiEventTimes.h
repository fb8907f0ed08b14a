#pragma once
// MidiEventTimes: the timestamps of one MIDI event on its way from the wire to the DAC, and
// the latency stages the monitor derives from them. All times are monotonicNanoseconds();
// a stage is recorded only when both of its ends are known (kNoTime marks a missing one,
// e.g. file events have no arrival).
#include <cstddef>
#include <cstdint>
#include <limits>

namespace awe {

struct MidiEventTimes {
  static constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
  int64_t arrival_ns = kNoTime;   // wire/driver timestamp, taken on the MIDI input thread
  int64_t enqueued_ns = kNoTime;  // pushed onto the event queue
  int64_t dequeued_ns = kNoTime;  // taken off the queue at the start of a buffer
  int64_t rendered_ns = kNoTime;  // its first rendered sample: buffer start + offset / rate
  int64_t dac_ns = kNoTime;       // estimated DAC time: + the driver's reported output latency
};

enum class MidiStage : int {
  ArrivalToEnqueue = 0,
  EnqueueToDequeue = 1,
  DequeueToRender = 2,
  RenderToDac = 3,
  Total = 4,  // arrival to DAC
};
constexpr std::size_t kMidiStageCount = 5;

// "arrival_to_enqueue", "enqueue_to_dequeue", "dequeue_to_render", "render_to_dac", "total"
// (the names used in the JSON report).
const char* midiStageName(MidiStage stage) noexcept;

}  // namespace awe
