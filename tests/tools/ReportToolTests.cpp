// The reports awe-bench writes, end to end: CSV quoting of what users name (bank paths),
// the merged trace's ids, units and nesting, jitter left out of freewheel runs.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "engine/BuiltinFiles.h"
#include "support/ToolRun.h"

using namespace awe;
using nlohmann::json;

namespace {

std::vector<std::string> csvRow(const std::string& line) {  // RFC 4180
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace

TEST_CASE("awe-bench: a bank path with quotes and commas stays one CSV field; freewheel has no jitter",
          "[tools][reports]") {
  const std::string folder = test::freshFolder("tool-report-tests", "csv");
  const std::string bank = folder + "/my \"best\", bank.sf2";
  std::filesystem::copy_file(builtinBankPath(), bank);
  const test::ToolRun run =
      test::runTool("cd " + test::shellQuote(folder) + " && " + test::toolPath("awe-bench") + " -q --ignore-timing " +
                    "--duration 1 " + test::shellQuote(builtinSongPath()) + " " + test::shellQuote(bank) +
                    " --csv runs.csv --trace runs.trace.json");
  INFO(run.output);
  REQUIRE(run.exitCode == 0);

  std::istringstream csv(test::readWholeFile(folder + "/runs.csv"));
  std::string line;
  REQUIRE(std::getline(csv, line));
  const std::vector<std::string> header = csvRow(line);
  CHECK(header.size() == 22);
  const auto jitterColumn = static_cast<std::size_t>(std::find(header.begin(), header.end(), "jitter_ns") - header.begin());
  REQUIRE(jitterColumn < header.size());
  int rows = 0;
  while (std::getline(csv, line)) {
    const std::vector<std::string> fields = csvRow(line);
    REQUIRE(fields.size() == header.size());
    CHECK(fields[1] == bank);
    CHECK(fields[jitterColumn].empty());  // freewheel: no ideal timeline
    ++rows;
  }
  CHECK(rows > 10);

  const json trace = json::parse(test::readWholeFile(folder + "/runs.trace.json"));
  CHECK(trace.at("displayTimeUnit") == "ns");
  std::vector<int64_t> openEnds_ns;
  int runs = 0, crossings = 0;
  std::vector<int> pids;
  for (const json& e : trace.at("traceEvents")) {
    // The bench's own process id (not a made-up 1), the same on every event.
    if (pids.empty()) pids.push_back(e.at("pid").get<int>());
    CHECK(e.at("pid").get<int>() == pids.front());
    if (e.at("ph") != "X") continue;
    if (e.at("cat") == "run") {
      ++runs;
      CHECK(e.at("args").at("bank") == bank);
    }
    const int64_t start = std::llround(e.at("ts").get<double>() * 1000.0);
    const int64_t end = start + std::llround(e.at("dur").get<double>() * 1000.0);
    while (!openEnds_ns.empty() && start >= openEnds_ns.back()) openEnds_ns.pop_back();
    if (!openEnds_ns.empty() && end > openEnds_ns.back()) ++crossings;
    openEnds_ns.push_back(end);
    if (e.at("name") == "buffer") CHECK_FALSE(e.at("args").contains("jitter_us"));
  }
  CHECK(runs == 1);
  REQUIRE_FALSE(pids.empty());
  CHECK(pids.front() > 1);
  CHECK(pids.front() != static_cast<int>(::getpid()));
  CHECK(crossings == 0);
}

TEST_CASE("awe-bench --threads 3: each worker's busy time and the workers' conditions in the JSON and the text",
          "[tools][reports][threads]") {
  const std::string folder = test::freshFolder("tool-report-tests", "threads");
  const test::ToolRun run = test::runTool(test::toolPath("awe-bench") +
                                          " --ignore-timing --scenario sustained --voices 300 --duration 1 --threads 3 "
                                          "--json " + test::shellQuote(folder + "/bench.json"));
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  CHECK(run.output.find("voice workers busy per buffer") != std::string::npos);
  CHECK(run.output.find("normal priority") != std::string::npos);  // freewheel: never SCHED_FIFO
  const json report = json::parse(test::readWholeFile(folder + "/bench.json"));
  const json& repetition = report.at("scenarios").at(0).at("repetitions").at(0);
  const json& workers = repetition.at("voice_workers");
  CHECK(workers.at("count") == 2);
  CHECK(workers.at("realtime") == false);
  CHECK(workers.at("pinned").is_boolean());
  CHECK(workers.at("stalls").get<uint64_t>() < 1000);  // counted (a loaded machine stalls a few), not garbage
  const json& busy = repetition.at("busy").at("worker_mean_ns");
  REQUIRE(busy.size() == 2);
  for (const json& mean_ns : busy) CHECK(mean_ns.get<double>() > 0.0);  // both took voices
}
