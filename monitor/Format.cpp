#include "monitor/Format.h"

#include <cmath>
#include <cstdio>

namespace awe {

std::string formatDuration(double duration_ns) {
  const double magnitude = std::fabs(duration_ns);
  char text[48];
  if (magnitude < 1e3) {
    std::snprintf(text, sizeof text, "%.0f ns", duration_ns);
  } else if (magnitude < 1e6) {
    std::snprintf(text, sizeof text, "%.1f us", duration_ns / 1e3);
  } else if (magnitude < 1e9) {
    std::snprintf(text, sizeof text, "%.2f ms", duration_ns / 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.3f s", duration_ns / 1e9);
  }
  return text;
}

std::string formatBytes(double bytes) {
  char text[48];
  if (bytes < 1024.0) {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  } else if (bytes < 1024.0 * 1024.0) {
    std::snprintf(text, sizeof text, "%.1f KiB", bytes / 1024.0);
  } else if (bytes < 1024.0 * 1024.0 * 1024.0) {
    std::snprintf(text, sizeof text, "%.2f MiB", bytes / (1024.0 * 1024.0));
  } else {
    std::snprintf(text, sizeof text, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  }
  return text;
}

std::string formatAudioTime(double seconds) {
  if (!(seconds >= 0.0)) seconds = 0.0;
  const double tenths = std::round(seconds * 10.0);
  const auto total = static_cast<long long>(tenths);
  const long long hours = total / 36000, minutes = (total / 600) % 60, secondsWhole = (total / 10) % 60;
  const long long tenth = total % 10;
  char text[48];
  if (hours > 0) std::snprintf(text, sizeof text, "%lld:%02lld:%02lld.%lld", hours, minutes, secondsWhole, tenth);
  else std::snprintf(text, sizeof text, "%lld:%02lld.%lld", minutes, secondsWhole, tenth);
  return text;
}

}  // namespace awe
