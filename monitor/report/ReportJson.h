#pragma once
// The machine-readable report of a Snapshot (schema in monitor/report/REPORTS.md). Tools add
// their own top-level fields (machine fingerprint, commit, settings) next to these; the
// fields listed in REPORTS.md keep their meaning while kReportSchemaVersion stays the same.
#include <nlohmann/json.hpp>

#include "monitor/Snapshot.h"

namespace awe {

constexpr int kReportSchemaVersion = 1;

// [any thread, allocates]
nlohmann::json reportToJson(const Snapshot& snapshot);

}  // namespace awe
