// The CPU sampling profiler, through a small program that profiles itself
// (tests/profiling/hot-program.cpp), and its writers.
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "monitor/profiling/CpuProfileReport.h"
#include "monitor/profiling/FlameGraph.h"
#include "monitor/profiling/SamplingProfiler.h"
#include "monitor/report/Svg.h"
#include "monitor/profiling/Symbolizer.h"
#include "support/XmlCheck.h"

namespace {

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Checks the Chrome DevTools Profiler.Profile shape and returns the share of the samples
// whose stack holds `function`.
double shareOf(const nlohmann::json& profile, const std::string& function) {
  REQUIRE(profile.contains("nodes"));
  REQUIRE(profile.contains("samples"));
  REQUIRE(profile.contains("timeDeltas"));
  REQUIRE(profile["startTime"].is_number_integer());
  REQUIRE(profile["endTime"].get<int64_t>() >= profile["startTime"].get<int64_t>());
  const auto& nodes = profile["nodes"];
  REQUIRE(nodes.size() >= 2);
  CHECK(nodes[0]["callFrame"]["functionName"] == "(root)");  // DevTools takes the first node as the root
  std::map<int, const nlohmann::json*> byId;
  std::map<int, int> parent;
  for (const auto& node : nodes) {
    REQUIRE(node["id"].is_number_integer());
    const int id = node["id"];
    CHECK(byId.count(id) == 0);
    byId[id] = &node;
    const auto& frame = node["callFrame"];
    CHECK(frame["functionName"].is_string());
    CHECK(frame["scriptId"].is_string());
    CHECK(frame["url"].is_string());
    CHECK(frame["lineNumber"].is_number_integer());
    CHECK(frame["columnNumber"].is_number_integer());
    CHECK(node["hitCount"].is_number_integer());
    for (const auto& child : node["children"]) parent[child.get<int>()] = id;
  }
  for (const auto& [child, p] : parent) CHECK(byId.count(child) == 1);
  const auto& samples = profile["samples"];
  REQUIRE(samples.size() == profile["timeDeltas"].size());
  REQUIRE(samples.size() > 0);
  for (const auto& delta : profile["timeDeltas"]) CHECK(delta.get<int64_t>() >= 0);
  std::size_t hits = 0;
  for (const auto& sample : samples) {
    REQUIRE(byId.count(sample.get<int>()) == 1);
    for (int node = sample.get<int>(); node != 0; node = parent.count(node) ? parent[node] : 0) {
      if ((*byId[node])["callFrame"]["functionName"].get<std::string>().find(function) != std::string::npos) {
        ++hits;
        break;
      }
    }
  }
  return static_cast<double>(hits) / static_cast<double>(samples.size());
}

void profileHotProgram(const char* clock) {
  const std::string program = std::string(AWE_BINARY_DIR) + "/bin/awe-test-hot-program";
  const std::string base = std::string(AWE_BINARY_DIR) + "/hot-program-" + clock;
  const std::string command = program + " " + base + " " + clock + " > " + base + ".txt 2>&1";
  const int status = std::system(command.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
    WARN("sampling is not available in this build: " << readAll(base + ".txt"));
    return;
  }
  INFO(readAll(base + ".txt"));
  REQUIRE(status == 0);
  const nlohmann::json profile = nlohmann::json::parse(readAll(base + ".cpuprofile"));
  const double hot = shareOf(profile, "awe::test::deliberatelyHotFunction()");
  const double lukewarm = shareOf(profile, "awe::test::lukewarmFunction()");
  CHECK(hot > 0.6);
  CHECK(lukewarm < hot);
  const std::string folded = readAll(base + ".cpu.folded");
  CHECK(folded.find("main;awe::test::deliberatelyHotFunction();awe::test::spin(double)") != std::string::npos);
}

}  // namespace

TEST_CASE("the sampling profiler finds a deliberately hot function (perf_event clock)", "[profiling][cpu]") {
  profileHotProgram("perf");
}

TEST_CASE("the sampling profiler finds a deliberately hot function (POSIX CPU-time timers)", "[profiling][cpu]") {
  profileHotProgram("timer");
}

TEST_CASE("the flame graph and folded stacks merge stacks by name", "[profiling][cpu]") {
  const std::vector<awe::FoldedStack> stacks = {
      {{"main", "render", "kernel<a;b>"}, 6}, {{"main", "render", "effects"}, 3}, {{"main", "io & <wait>"}, 1}};
  const std::string folded = awe::foldedText(stacks);
  CHECK(folded == "main;io & <wait> 1\nmain;render;effects 3\nmain;render;kernel<a:b> 6\n");
  awe::FlameGraphOptions options;
  options.title = "test";
  const std::string svg = awe::flameGraphSvg(stacks, options);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(svg.find("<title>render (9 samples, 90.00%)</title>") != std::string::npos);
  CHECK(svg.find("io &amp; &lt;wait&gt;") != std::string::npos);  // escaped
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(awe::test::xmlWellFormedError(svg).empty());
}

TEST_CASE("the flame graph keeps a very long function name whole and well formed", "[profiling][cpu]") {
  // Template-heavy C++ names run to hundreds of characters; a fixed buffer once cut the
  // tooltip mid-tag.
  std::string longName = "awe::renderGroup<";
  while (longName.size() < 600) longName += "std::integral_constant<int, 2>, ";
  longName += "true>(awe::LaneGroup&, short const*, int, float*, int)";
  const std::vector<awe::FoldedStack> stacks = {{{"main", longName}, 5}};
  const std::string svg = awe::flameGraphSvg(stacks, {});
  CHECK(awe::test::xmlWellFormedError(svg).empty());
  CHECK(svg.find("<title>" + awe::xmlEscape(longName) + " (5 samples, 100.00%)</title>") != std::string::npos);
}

TEST_CASE("the symbolizer names static functions and compacts long names", "[profiling][cpu]") {
  awe::Symbolizer symbolizer;
  const auto& frame = symbolizer.resolve(reinterpret_cast<uintptr_t>(&readAll));  // a function in an anonymous namespace
  CHECK(frame.known);
  CHECK(frame.function.find("readAll") != std::string::npos);
  CHECK(awe::compactFunctionName("std::vector<awe::MidiEvent, std::allocator<awe::MidiEvent> >::push_back(awe::MidiEvent const&)") ==
        "std::vector<...>::push_back(awe::MidiEvent const&)");
  CHECK(awe::compactFunctionName("bool operator<(a, b)") == "bool operator<(a, b)");
}

// A function at a known line of this file (compiled with -g: tests/CMakeLists.txt).
constexpr int kKnownFunctionLine = __LINE__ + 1;
__attribute__((noinline)) int knownFunctionForSymbolizerTest(int value) {
  asm volatile("" : "+r"(value));  // keeps a body the optimiser cannot fold away
  return value * 3 + 1;
}

TEST_CASE("the symbolizer gives a function's source file and line (libdw)", "[profiling][cpu]") {
  REQUIRE(knownFunctionForSymbolizerTest(2) == 7);
  awe::Symbolizer symbolizer;
  const auto& frame = symbolizer.resolve(reinterpret_cast<uintptr_t>(&knownFunctionForSymbolizerTest));
  INFO(frame.function << " at " << frame.file << ":" << frame.line << ", defined at " << frame.functionFile << ":"
                      << frame.functionLine);
  CHECK(frame.known);
  CHECK(frame.function.find("knownFunctionForSymbolizerTest") != std::string::npos);
  const std::string thisFile = "tests/profiling/SamplingTests.cpp";
  REQUIRE(frame.file.size() >= thisFile.size());
  CHECK(frame.file.compare(frame.file.size() - thisFile.size(), thisFile.size(), thisFile) == 0);
  // The entry's first instruction belongs to a line of the body (the optimiser drops the
  // prologue); the function itself is defined at the known line.
  CHECK(frame.line >= kKnownFunctionLine);
  CHECK(frame.line <= kKnownFunctionLine + 3);
  CHECK(frame.functionFile == frame.file);
  CHECK(frame.functionLine == kKnownFunctionLine);
  CHECK(frame.inlined.empty());
  // The offender stacks use the same symbolizer.
  const void* frames[] = {reinterpret_cast<const void*>(&knownFunctionForSymbolizerTest)};
  const std::vector<std::string> lines = awe::symbolizeStack(frames, 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("knownFunctionForSymbolizerTest") != std::string::npos);
  CHECK(lines[0].find("SamplingTests.cpp:" + std::to_string(frame.line)) != std::string::npos);
}
