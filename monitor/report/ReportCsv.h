#pragma once
// The Snapshot's BufferRecords as CSV (RFC 4180): a header row, then one row per record,
// oldest first. Columns (REPORTS.md): index, start_ns, busy_ns, budget_ns, dsp_load,
// interval_ns, jitter_ns, frames, active_voices, midi_events, steals, drops, allocations,
// queue_depth_max, worst_midi_latency_ns, quality_level, deadline_missed, xrun,
// heap_live_bytes. jitter_ns is empty in freewheel runs (Snapshot::paced false).
#include <ostream>
#include <string>
#include <string_view>

#include "monitor/Snapshot.h"

namespace awe {

// [any thread]
void writeBufferCsv(std::ostream& out, const Snapshot& snapshot);

// One CSV field: as is, or in double quotes (inner quotes doubled) when it holds a comma,
// a quote, a line break or leading/trailing space. [any thread]
std::string csvField(std::string_view text);

}  // namespace awe
