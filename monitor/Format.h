#pragma once
// Small text helpers shared by the health verdict and the text report (reading side only).
#include <cstdint>
#include <string>

namespace awe {

// A duration in the unit that reads best: "850 ns", "12.3 us", "23.22 ms", "1.500 s".
std::string formatDuration(double duration_ns);

// A byte count: "512 B", "12.0 KiB", "3.40 MiB", "1.20 GiB".
std::string formatBytes(double bytes);

// A position or length in audio: "3:45.0", "1:02:03.4" (hours only when there are any).
std::string formatAudioTime(double seconds);

}  // namespace awe
