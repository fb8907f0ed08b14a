#pragma once
// Reports of a StageProfileSnapshot (monitor/StageProfile.h): the per-stage statistics
// table, the call graph of stages, their JSON form, and trace slices. Schemas in
// monitor/report/REPORTS.md. [any thread, allocates]
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "monitor/BufferRecord.h"
#include "monitor/StageProfile.h"

namespace awe {

// Per stage: spans, calls, total, mean, p99, max, share of the busy time.
std::string formatStageTable(const StageProfileSnapshot& profile);

// The stage tree with time and share of the busy time, children largest first:
//   buffer (1.234 s, 100.0 %, 5300 spans)
//   ├─ sequencer (1.100 s, 89.1 %, self 10.2 ms)
//   │  ├─ synth render ...
std::string formatCallGraph(const StageProfileSnapshot& profile);

// formatStageTable, then formatCallGraph, with a heading.
std::string formatStageReport(const StageProfileSnapshot& profile);

// {"buffers", "busy_total_ns", "dropped_spans", "stages": [...], "call_graph": [...]}
nlohmann::json stageProfileToJson(const StageProfileSnapshot& profile);

// Appends one complete ("X") slice per span to a trace's event array, on the track of the
// thread that recorded it (the kernel's processId and thread id), cat "stage". Aggregates
// carry args {calls, aggregate: true}. Spans are clamped into their parent and after their
// previous sibling, so slices nest in every viewer: the span clock (ticks converted at the
// end of each buffer) and the monitor's clock can differ by a few hundred ns. With
// bufferSlices (the monitor's records of the same buffers) the root spans of the stage
// "buffer" are left out and each record's slice [start, start + busy] is their parent.
void appendStageSlices(nlohmann::json& traceEvents, const StageProfileSnapshot& profile, int processId,
                       const std::vector<BufferRecord>* bufferSlices);

// A trace of the spans alone, for tools without a Monitor (awe-render).
nlohmann::json stageTraceToJson(const StageProfileSnapshot& profile, const std::string& threadName);

}  // namespace awe
