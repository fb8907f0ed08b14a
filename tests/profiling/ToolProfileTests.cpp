// `--profile cpu,memory,spans` end to end in awe-bench, awe-bankinfo and awe-latency: the
// tools run as programs, the files land next to their other outputs (or in the current
// folder under the tool's name), are named at the end, and parse.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "emu8000/StageSpans.h"
#include "engine/StageSpanTap.h"
#include "monitor/profiling/HeapProfile.h"
#include "monitor/profiling/SamplingProfiler.h"
#include "support/JackServer.h"
#include "support/ToolRun.h"
#include "support/XmlCheck.h"

namespace fs = std::filesystem;
using namespace awe;

namespace {

using test::readWholeFile;
using test::ToolRun;

// Runs `command` in the build folder's scratch space (unless it changes folder itself), so
// nothing a tool writes by default (./awe-bench.*, a failure trace) lands in the current
// folder, which may be the source tree when awe-tests is run by hand.
ToolRun runTool(const std::string& command) {
  const fs::path scratch = fs::path(AWE_BINARY_DIR) / "tool-profile-tests";
  fs::create_directories(scratch);
  const std::string where = command.rfind("cd ", 0) == 0 ? "" : "cd '" + scratch.string() + "' && ";
  return test::runTool(where + command);
}

std::string tool(const char* name) { return test::toolPath(name); }
std::string freshFolder(const std::string& name) { return test::freshFolder("tool-profile-tests", name); }

// What this build can profile (the same build as the tools).
struct Available {
  bool cpu = SamplingProfiler::available();
  bool memory = HeapProfiler::available();
  bool spans = StageSpanTap::compiledIn();
  std::string list(bool withSpans) const {
    std::string l;
    if (cpu) l += "cpu,";
    if (memory) l += "memory,";
    if (spans && withSpans) l += "spans,";
    if (!l.empty()) l.pop_back();
    return l;
  }
};

// The files of `base` for the request, each named in the output as "<prefix><named base><suffix>"
// (the tool names them as it was told: relative to its folder when run without a path),
// each parsing as what it is.
void checkProfileFiles(const std::string& base, const std::string& namedBase, const std::string& output,
                       const std::string& prefix, bool cpu, bool memory, bool spans, const std::string& stageThatRan) {
  std::vector<std::string> suffixes;
  if (cpu) suffixes.insert(suffixes.end(), {".cpuprofile", ".cpu.folded", ".cpu.svg", ".cpu.txt"});
  if (memory) suffixes.insert(suffixes.end(), {".heap.txt", ".heap.json", ".heap.svg"});
  if (spans) suffixes.insert(suffixes.end(), {".spans.txt", ".spans.json", ".spans.trace.json"});
  std::size_t named = 0;
  for (auto at = output.find(prefix); at != std::string::npos; at = output.find(prefix, at + 1)) ++named;
  CHECK(named == suffixes.size());
  for (const char* other : {".spans.txt", ".heap.txt", ".cpuprofile"}) {
    if (std::find(suffixes.begin(), suffixes.end(), other) == suffixes.end()) CHECK_FALSE(fs::exists(base + other));
  }
  for (const std::string& suffix : suffixes) {
    const std::string path = base + suffix;
    INFO(path);
    CHECK(output.find(prefix + namedBase + suffix + "\n") != std::string::npos);
    REQUIRE(fs::exists(path));
    const std::string text = readWholeFile(path);
    CHECK(text.size() > 20);
    if (suffix == ".cpuprofile") {
      const nlohmann::json profile = nlohmann::json::parse(text);
      REQUIRE(profile["nodes"].is_array());
      CHECK(profile["nodes"].size() >= 2);
      CHECK(profile["nodes"][0]["callFrame"]["functionName"] == "(root)");
      REQUIRE(profile["samples"].is_array());
      REQUIRE(profile["timeDeltas"].is_array());
      CHECK(profile["samples"].size() == profile["timeDeltas"].size());
      CHECK(profile["samples"].size() > 0);
    } else if (suffix == ".heap.json") {
      const nlohmann::json heap = nlohmann::json::parse(text);
      CHECK(heap["kind"] == "awe-heap-profile");
      CHECK(heap["end"]["sites"].size() > 0);
    } else if (suffix == ".spans.json") {
      const nlohmann::json stages = nlohmann::json::parse(text);
      CHECK(stages["kind"] == "awe-stage-spans");
      CHECK(stages["buffers"].get<uint64_t>() > 0);
    } else if (suffix == ".spans.trace.json") {
      CHECK(nlohmann::json::parse(text)["traceEvents"].size() > 0);
    } else if (suffix == ".cpu.svg" || suffix == ".heap.svg") {
      CHECK(awe::test::xmlWellFormedError(text).empty());
    } else if (suffix == ".spans.txt") {
      CHECK(text.find("stage spans:") != std::string::npos);
      CHECK(text.find(stageThatRan) != std::string::npos);
      CHECK(text.find("own cost") != std::string::npos);
    } else if (suffix == ".heap.txt") {
      CHECK(text.find("heap profile") != std::string::npos);
      CHECK(text.find("still live") != std::string::npos);
    } else if (suffix == ".cpu.txt") {
      CHECK(text.find("busiest functions by self time") != std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("awe-bench --profile cpu,memory,spans writes its profiles next to --json", "[profiling][tool]") {
  const Available available;
  const std::string list = available.list(true);
  if (list.empty()) return;  // nothing this build can profile
  const std::string folder = freshFolder("bench");
  // Two runs (two engines) of the sustained scenario, 2 s of audio each, flat out.
  const ToolRun run = runTool(tool("awe-bench") + " -q --scenario sustained --duration 2 --repeat 2 --ignore-timing --json " +
                              folder + "/run.json --profile " + list);
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  CHECK(run.output.find("verdict: PASS") < run.output.find("profile: "));  // named at the end
  checkProfileFiles(folder + "/run", folder + "/run", run.output, "profile: ", available.cpu, available.memory, available.spans,
                    "voice render");
  if (available.spans) {
    // Both engines' buffers: 2 x ceil(2 s x 44100 / 1024) = 2 x 87.
    const nlohmann::json stages = nlohmann::json::parse(readWholeFile(folder + "/run.spans.json"));
    CHECK(stages["buffers"] == 2 * 87);
  }
  if (available.memory) {
    const std::string heap = readWholeFile(folder + "/run.heap.txt");
    CHECK(heap.find("loaded -> ran") != std::string::npos);
  }
}

TEST_CASE("awe-bench --profile without other outputs writes ./awe-bench.*", "[profiling][tool]") {
  const Available available;
  if (!available.spans) return;
  const std::string folder = freshFolder("bench-cwd");
  const ToolRun run =
      runTool("cd '" + folder + "' && " + tool("awe-bench") + " -q --scenario storm --duration 1 --ignore-timing --profile spans");
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  checkProfileFiles(folder + "/awe-bench", "awe-bench", run.output, "profile: ", false, false, true, "event dispatch");
}

TEST_CASE("awe-bench refuses --profile spans with --instructions and --profile with --history", "[profiling][tool]") {
  const ToolRun spans = runTool(tool("awe-bench") + " --instructions --profile spans");
  CHECK(spans.exitCode == 4);
  CHECK(spans.output.find("--profile spans does not apply to awe-bench: --instructions") != std::string::npos);
  const ToolRun history = runTool(tool("awe-bench") + " --history " + std::string(AWE_BINARY_DIR) + " --profile cpu");
  CHECK(history.exitCode == 4);
  CHECK(history.output.find("--history reads a folder and runs nothing") != std::string::npos);
}

TEST_CASE("awe-bankinfo --profile cpu,memory profiles the loading; spans do not apply", "[profiling][tool]") {
  const Available available;
  // A bank that takes long enough to load for CPU samples (the built-in one loads in ~3 ms).
  std::string bank = "/usr/share/sounds/sf2/TimGM6mb.sf2";
  if (!fs::exists(bank)) bank = std::string(AWE_SOUNDFONT_DIR) + "/awe-gm.sf2";
  if (!fs::exists(bank)) {
    WARN("no bank: " << bank);
    return;
  }
  const std::string folder = freshFolder("bankinfo");
  const std::string list = available.list(false);
  if (!list.empty()) {
    const ToolRun run = runTool("cd '" + folder + "' && " + tool("awe-bankinfo") + " '" + bank + "' --profile " + list +
                                " --profile-rate 10000");
    INFO(run.output);
    REQUIRE(run.exitCode == 0);
    CHECK(run.output.find("warnings ") < run.output.find("profile: "));
    checkProfileFiles(folder + "/awe-bankinfo", "awe-bankinfo", run.output, "profile: ", available.cpu, available.memory, false, "");
    if (available.memory) {
      // The bank's own parsing is in the profile, and the bank is gone by the end.
      const std::string heap = readWholeFile(folder + "/awe-bankinfo.heap.txt");
      CHECK(heap.find("Bank::loadSf2") != std::string::npos);
      CHECK(heap.find("start -> loaded") != std::string::npos);
    }
    // --profile-output puts them elsewhere.
    const ToolRun elsewhere =
        runTool(tool("awe-bankinfo") + " '" + bank + "' --profile " + list + " --profile-output " + folder + "/elsewhere");
    CHECK(elsewhere.exitCode == 0);
    CHECK(elsewhere.output.find("profile: " + folder + "/elsewhere.") != std::string::npos);
  }
  // Spans named: refused, saying why, and nothing written. "all": cpu and memory, with a note.
  const std::string refused = freshFolder("bankinfo-refused");
  const ToolRun spans = runTool("cd '" + refused + "' && " + tool("awe-bankinfo") + " '" + bank + "' --profile cpu,spans");
  CHECK(spans.exitCode == 4);  // usage, as in every tool
  CHECK(spans.output.find("--profile spans does not apply to awe-bankinfo: loading a bank renders no audio") !=
        std::string::npos);
  CHECK(fs::is_empty(refused));
  if (available.cpu && available.memory) {
    const ToolRun all = runTool("cd '" + folder + "' && " + tool("awe-bankinfo") + " '" + bank + "' --profile all");
    CHECK(all.exitCode == 0);
    CHECK(all.output.find("stage spans do not apply") != std::string::npos);
    CHECK(fs::exists(folder + "/awe-bankinfo.cpuprofile"));
  }
}

TEST_CASE("awe-latency --profile cpu,memory,spans profiles a live run next to --json", "[profiling][tool][jack]") {
  const Available available;
  const std::string list = available.list(true);
  if (list.empty()) return;
  const std::string bank = std::string(AWE_SOUNDFONT_DIR) + "/awe-gm.sf2";
  if (!fs::exists(bank)) {
    WARN("no built-in bank: " << bank);
    return;
  }
  awe::test::JackServer server(44100, 256);
  REQUIRE(server.running());
  const std::string folder = freshFolder("latency");
  const ToolRun run = runTool(tool("awe-latency") + " --virtual --duration 2 --client awe-lt-profile -q --sf2 '" + bank +
                              "' --json " + folder + "/latency.json --profile " + list);
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  CHECK(nlohmann::json::parse(readWholeFile(folder + "/latency.json"))["mode"] == "live");
  checkProfileFiles(folder + "/latency", folder + "/latency", run.output, "profile: ", available.cpu, available.memory, available.spans,
                    "synth render");
  if (available.memory) CHECK(readWholeFile(folder + "/latency.heap.txt").find("start -> started") != std::string::npos);
}
