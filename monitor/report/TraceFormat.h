#pragma once
// What every awe trace (Chrome / Perfetto JSON) shares: one time unit, the kernel's process
// and thread ids, metadata events. [any thread, allocates]
#include <cstdint>

#include <nlohmann/json.hpp>

namespace awe {

// `ts` and `dur` are microseconds (the format's unit) of the steady clock with nanosecond
// decimals, so ts * 1000 gives back the exact nanosecond; viewers show nanoseconds.
inline double traceMicroseconds(int64_t time_ns) { return static_cast<double>(time_ns) / 1000.0; }
constexpr const char* kTraceDisplayTimeUnit = "ns";
constexpr const char* kTraceClock = "steady_clock (CLOCK_MONOTONIC); ts and dur in microseconds with nanosecond decimals";

inline nlohmann::json traceMetadata(const char* name, int processId, int threadId, const std::string& value) {
  return {{"ph", "M"}, {"name", name}, {"pid", processId}, {"tid", threadId}, {"args", {{"name", value}}}};
}

}  // namespace awe
