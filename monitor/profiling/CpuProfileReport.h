#pragma once
// Reports of a CpuProfileData (monitor/profiling/SamplingProfiler.h). [any thread, allocates]
//   Chrome DevTools .cpuprofile: {"nodes", "startTime", "endTime", "samples", "timeDeltas"}
//     (the Profiler.Profile type of the DevTools protocol; loads in Chrome's Performance
//     panel and VS Code's profile viewer). One child of "(root)" per thread.
//   folded stacks: "thread;outer;...;leaf count" for flame-graph tools
//   summary text: samples per thread, the busiest functions (self and total), own cost
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "monitor/profiling/FlameGraph.h"
#include "monitor/profiling/SamplingProfiler.h"

namespace awe {

nlohmann::json cpuProfileToChrome(const CpuProfileData& profile);

// One stack per sample, merged; the thread's name is the outermost frame.
std::vector<FoldedStack> cpuFoldedStacks(const CpuProfileData& profile);

std::string formatCpuSummary(const CpuProfileData& profile, std::size_t topFunctions = 20);

// "awe-render [1234]" / "audio [1240]"
std::string cpuThreadLabel(const CpuProfileData::Thread& thread);

}  // namespace awe
