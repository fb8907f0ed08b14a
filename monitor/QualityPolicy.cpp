#include "monitor/QualityPolicy.h"

#include <algorithm>
#include <cstdio>

namespace awe {
namespace {

std::string percent(double load) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f %%", load * 100.0);
  return text;
}

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", s);
  return text;
}

}  // namespace

QualityDecision evaluateQualityPolicy(const QualityPolicyConfig& config, const QualityState& state,
                                      const QualityInputs& in) {
  QualityDecision d;
  d.state = state;
  QualityState& s = d.state;
  const int lowest = std::max(config.levels - 1, 0);
  s.level = std::clamp(s.level, 0, lowest);
  d.from = d.to = s.level;
  if (!s.started) {
    // The first evaluation only learns the counters: misses before it are not news.
    s.started = true;
    s.missesSeen = in.deadlineMisses;
    s.xrunsSeen = in.xruns;
  }

  auto change = [&](int to, std::string reason) {
    d.changed = to != s.level;
    d.to = to;
    d.reason = std::move(reason);
    s.level = to;
    s.lastChange_s = in.time_s;
    s.highSince_s = QualityState::kNever;
    s.lowSince_s = QualityState::kNever;
  };

  // Track how long the load has been high and low.
  if (in.smoothedLoad >= config.stepDownLoad) {
    if (s.highSince_s == QualityState::kNever) s.highSince_s = in.time_s;
  } else {
    s.highSince_s = QualityState::kNever;
  }
  if (in.windowWorstLoad <= config.stepUpLoad) {
    if (s.lowSince_s == QualityState::kNever) s.lowSince_s = in.time_s;
  } else {
    s.lowSince_s = QualityState::kNever;
  }

  const uint64_t newMisses = in.deadlineMisses > s.missesSeen ? in.deadlineMisses - s.missesSeen : 0;
  const uint64_t newXruns = in.xruns > s.xrunsSeen ? in.xruns - s.xrunsSeen : 0;
  s.missesSeen = std::max(s.missesSeen, in.deadlineMisses);
  s.xrunsSeen = std::max(s.xrunsSeen, in.xruns);

  const auto plural = [](uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n > 1 ? many : one);
  };
  const bool xrunsAreDsp = in.windowWorstLoad >= config.xrunDspLoad;
  if (newMisses > 0 || (newXruns > 0 && xrunsAreDsp)) {
    if (s.level < lowest) {
      std::string why = newMisses > 0 ? plural(newMisses, "new deadline miss", "new deadline misses") : std::string();
      if (newXruns > 0) {
        why += (why.empty() ? "" : " and ") + plural(newXruns, "new driver xrun", "new driver xruns");
        if (newMisses == 0) why += " at worst load " + percent(in.windowWorstLoad);
      }
      change(s.level + 1, why);
    }
    return d;
  }
  if (newXruns > 0) {
    d.noted = true;
    d.reason = plural(newXruns, "driver xrun", "driver xruns") + " at worst load " + percent(in.windowWorstLoad) +
               " (below " + percent(config.xrunDspLoad) + "): not DSP: quality kept";
    return d;
  }
  if (s.highSince_s != QualityState::kNever && in.time_s - s.highSince_s >= config.stepDownHold_s) {
    if (s.level < lowest) {
      change(s.level + 1, "smoothed load " + percent(in.smoothedLoad) + " at or above " + percent(config.stepDownLoad) +
                              " for " + seconds(in.time_s - s.highSince_s));
    }
    return d;
  }
  const bool settled = s.lastChange_s == QualityState::kNever || in.time_s - s.lastChange_s >= config.stepUpHold_s;
  if (s.level > 0 && settled && s.lowSince_s != QualityState::kNever &&
      in.time_s - s.lowSince_s >= config.stepUpHold_s) {
    change(s.level - 1, "worst load " + percent(in.windowWorstLoad) + " at or below " + percent(config.stepUpLoad) +
                            " for " + seconds(in.time_s - s.lowSince_s));
  }
  return d;
}

}  // namespace awe
