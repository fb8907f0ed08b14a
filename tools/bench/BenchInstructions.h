#pragma once
// awe-bench --instructions: a fixed, deterministic workload for callgrind (instructions per
// voice-sample), driving the synth directly, without an engine.
#include <memory>
#include <string>

#include "tools/bench/Bench.h"

namespace awe {
class Bank;
}

namespace awe::bench {

// Runs both phases with the first bank and prints their voice-samples and the callgrind
// command lines. Returns the exit code (always kExitHeld).
int runInstructions(const BenchOptions& o, const std::shared_ptr<const Bank>& bank, const std::string& bankPath);

}  // namespace awe::bench
