#pragma once
// A Chrome / Perfetto trace of a Snapshot's BufferRecords ({"traceEvents": [...]}, opens in
// ui.perfetto.dev and chrome://tracing; schema in monitor/report/REPORTS.md): one complete slice
// per buffer on the audio-thread track, counters for DSP load, active voices, queue depth
// and heap live bytes, instants for deadline misses, xruns, steals, drops and audio-thread
// allocations. Timestamps are monotonicNanoseconds() / 1000 (microseconds), so traces of
// several tools of one machine line up.
#include <nlohmann/json.hpp>

#include "monitor/Snapshot.h"

namespace awe {

constexpr int kTraceSchemaVersion = 2;  // 2: kernel pid/tid, DSP load in percent, nested spans

// [any thread, allocates]
nlohmann::json traceToJson(const Snapshot& snapshot);

}  // namespace awe
