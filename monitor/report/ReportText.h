#pragma once
// The human summary of a Snapshot: verdict with reasons, counters, DSP load, a table of
// the distributions, outliers, heap and the first audio-thread allocation. [any thread]
#include <string>

#include "monitor/Snapshot.h"

namespace awe {

std::string formatTextReport(const Snapshot& snapshot);

}  // namespace awe
