#pragma once
// One awe-bench call as library code: the tool's main (tools/awe-bench.cpp) parses the
// options into BenchOptions and calls runBench, which goes through named steps (read the
// inputs, choose the scenarios, run them, compare and save baselines, judge, report).
// Guide: tools/awe-bench.md.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu8000/Config.h"
#include "engine/Config.h"
#include "engine/Quality.h"
#include "engine/cli/Cli.h"
#include "engine/cli/ProfileCli.h"

namespace awe {
class ProfileSession;
}

namespace awe::bench {

// The exit codes every tool shares (engine/cli/Cli.h).
constexpr int kExitHeld = cli::kExitDone;
constexpr int kExitMiss = cli::kExitDeadline;
constexpr int kExitAllocation = cli::kExitAllocation;
constexpr int kExitRegression = cli::kExitRegression;
constexpr int kExitUsage = cli::kExitUsage;

// Bad input or usage: reported, exit 4.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Everything awe-bench's command line says (the option names are in tools/awe-bench.cpp).
struct BenchOptions {
  std::vector<std::string> files;
  std::vector<std::string> scenarios;
  std::string pace = "freewheel";
  std::string api, device;
  bool jack = false;
  uint32_t frames = kDefaultBufferFrames;
  double rate = kDefaultSampleRate;
  int voices = 32;
  bool voicesGiven = false;
  int polyphony = kDefaultPolyphony;
  int threads = 1;  // --threads: EngineSettings::renderThreads
  std::string quality = "maximum";
  std::string effects = "on";
  std::string mode = "awe";
  std::string attenuation = "hardware";
  double duration_s = 0.0;  // 0: each scenario's own
  int repeat = 1;
  bool adaptive = false;
  std::vector<uint32_t> rampBuffers;
  int rampStart = 256;
  int rampMax = kMaxPolyphony;
  std::string rampClock = "wall";
  std::string jsonPath, tracePath, csvPath, saveBaselinePath, baselinePath, baselineDir;
  std::string historyDir, historyPlot;
  double tolerance_pct = 20.0;
  bool instructions = false;
  int64_t slowBuffer = -1;
  double slowBuffer_ms = 0.0;
  int64_t allocationBuffer = -1;
  bool ignoreTiming = false;
  bool quiet = false;
  bool force = false;  // --save-baseline may replace an existing file
  ProfileCliOptions profile;
  ProfileSession* profileSession = nullptr;  // started in main() when --profile is given
};

extern const ProfileCliSpec kBenchProfileSpec;

// A path that names a folder (ends in '/' or is one): --save-baseline DIR/.
bool namesFolder(const std::string& path);

// [control thread] The runs, --history or --instructions, in named steps. Returns the exit
// code; throws UsageError, DriverError or std::exception.
int runBench(BenchOptions o);

// [control thread] What awe-bench does after parsing its command line: checks the options
// before any work (combinations, outputs that cannot be written, a baseline file that would
// be replaced without --force), starts --profile, runs runBench, and turns errors into
// "awe-bench: ..." on stderr and exit 4. Returns the exit code.
int runBenchCommand(BenchOptions o);

// Shared by the steps (Bench.cpp, BenchInstructions.cpp).
QualityLevel parseQuality(const std::string& name);
// "maximum quality: cubic, filter on, effects on".
std::string qualityDescription(QualityLevel level, bool effects);

}  // namespace awe::bench
