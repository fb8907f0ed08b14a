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

}  // namespace awe
