#pragma once
// The Snapshot's BufferRecords as CSV: a header row, then one row per record, oldest
// first. Columns (REPORTS.md): index, start_ns, busy_ns, budget_ns, dsp_load, interval_ns,
// jitter_ns, frames, active_voices, midi_events, steals, drops, allocations,
// queue_depth_max, worst_midi_latency_ns, quality_level, deadline_missed, xrun,
// heap_live_bytes.
#include <ostream>

#include "monitor/Snapshot.h"

namespace awe {

// [any thread]
void writeBufferCsv(std::ostream& out, const Snapshot& snapshot);

}  // namespace awe
