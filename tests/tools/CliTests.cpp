// One vocabulary across the tools (engine/cli/Cli.h): --version, --help, the exit codes,
// ranges in plain words, outputs checked before any work. Each tool runs as a program.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>

#include "engine/BuiltinFiles.h"
#include "engine/cli/Cli.h"
#include "support/ToolRun.h"

using namespace awe;

namespace {

const char* const kTools[] = {"awe-render", "awe-bench", "awe-latency", "awe-bankinfo", "awe-player"};

bool built(const char* name) { return std::filesystem::exists(test::toolPath(name)); }

std::string validate(const CLI::Validator& validator, std::string text) { return validator(text); }

}  // namespace

TEST_CASE("cli: ranges say what is wrong in plain words", "[tools][cli]") {
  const CLI::Validator rate = cli::range(8000.0, 192000.0, "Hz");
  CHECK(validate(rate, "44100").empty());
  CHECK(validate(rate, "8000").empty());
  CHECK(validate(rate, "0") == "0 is out of range: 8000 to 192000 Hz");
  CHECK(validate(rate, "fast") == "fast is not a number (8000 to 192000 Hz)");
  CHECK(validate(rate, "nan") == "nan is not a number (8000 to 192000 Hz)");
  const CLI::Validator voices = cli::wholeRange(1, 256, "voices");
  CHECK(validate(voices, "32").empty());
  CHECK(validate(voices, "abc") == "abc is not a whole number (1 to 256 voices)");
  CHECK(validate(voices, "2.5") == "2.5 is not a whole number (1 to 256 voices)");
  CHECK(validate(voices, "0") == "0 is out of range: 1 to 256 voices");
  CHECK(validate(cli::positive("ms"), "0") == "0 is not above 0 ms");
  CHECK(validate(cli::nonNegative("s"), "-1") == "-1 is below 0 s");
  CHECK(validate(cli::nonNegative("s"), "0").empty());
}

TEST_CASE("cli: output paths are checked before any work", "[tools][cli]") {
  const std::string folder = test::freshFolder("tool-cli-tests", "paths");
  CHECK(cli::outputPathProblem(folder + "/new.json").empty());
  CHECK(cli::outputPathProblem("-").empty());
  CHECK(cli::outputPathProblem(folder + "/no/such/folder/x.json") ==
        "the folder " + folder + "/no/such/folder does not exist");
  CHECK(cli::outputPathProblem(folder) == "is a folder, not a file");
  if (::geteuid() != 0) {  // root writes anywhere
    const std::string locked = folder + "/locked";
    std::filesystem::create_directories(locked);
    ::chmod(locked.c_str(), 0555);
    CHECK(cli::outputPathProblem(locked + "/x.json").rfind("cannot write in the folder " + locked, 0) == 0);
    ::chmod(locked.c_str(), 0755);
  }
  CHECK(cli::versionString().find(" (commit ") != std::string::npos);
}

TEST_CASE("every tool: --version, --help, usage errors exit 4 with the tool's name", "[tools][cli]") {
  const std::regex version(R"(awe-[a-z]+ \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n)");
  for (const char* name : kTools) {
    if (!built(name)) continue;  // awe-player needs the dashboard build
    INFO(name);
    const test::ToolRun v = test::runTool(test::toolPath(name) + " --version");
    CHECK(v.exitCode == 0);
    CHECK(std::regex_match(v.output, version));
    CHECK(v.output.rfind(std::string(name) + " ", 0) == 0);
    const test::ToolRun help = test::runTool(test::toolPath(name) + " --help");
    CHECK(help.exitCode == 0);
    CHECK(help.output.find("--version") != std::string::npos);
    const test::ToolRun bad = test::runTool(test::toolPath(name) + " --no-such-option");
    CHECK(bad.exitCode == cli::kExitUsage);  // not CLI11's 105-114
    CHECK(bad.output.rfind(std::string(name) + ": ", 0) == 0);
  }
}

TEST_CASE("tools with --rate and --polyphony: ranges in plain words, exit 4", "[tools][cli]") {
  for (const char* name : {"awe-render", "awe-bench", "awe-player"}) {
    if (!built(name)) continue;
    INFO(name);
    const std::string output = std::string(name) == "awe-render" ? " -o x.wav" : "";  // never written: refused first
    const test::ToolRun rate = test::runTool(test::toolPath(name) + " --rate 0" + output);
    CHECK(rate.exitCode == cli::kExitUsage);
    CHECK(rate.output.find("--rate: 0 is out of range: 8000 to 192000 Hz") != std::string::npos);
    CHECK(rate.output.find("000000") == std::string::npos);  // no "8000.000000"
    const test::ToolRun voices = test::runTool(test::toolPath(name) + " --polyphony abc" + output);
    CHECK(voices.exitCode == cli::kExitUsage);
    CHECK(voices.output.find("--polyphony: abc is not a whole number") != std::string::npos);
  }
}

TEST_CASE("an output that cannot be written stops the tool before any work", "[tools][cli]") {
  const std::string folder = test::freshFolder("tool-cli-tests", "outputs");
  const std::string missing = folder + "/missing/out";
  SECTION("awe-bench --json") {
    const test::ToolRun run = test::runTool(test::toolPath("awe-bench") +
                                            " -q --ignore-timing --scenario sustained --duration 1 --json " +
                                            missing + ".json");
    CHECK(run.exitCode == cli::kExitUsage);
    CHECK(run.output.find("--json " + missing + ".json: the folder " + folder + "/missing does not exist") !=
          std::string::npos);
    CHECK(run.output.find("verdict") == std::string::npos);  // nothing ran
  }
  SECTION("awe-render -o") {
    const test::ToolRun run = test::runTool(test::toolPath("awe-render") + " -q -o " + missing + ".wav");
    CHECK(run.exitCode == cli::kExitUsage);
    CHECK(run.output.find("-o " + missing + ".wav: the folder") != std::string::npos);
  }
  SECTION("awe-latency --json") {
    const test::ToolRun run = test::runTool(test::toolPath("awe-latency") + " --loopback --json " + missing + ".json");
    CHECK(run.exitCode == cli::kExitUsage);
    CHECK(run.output.find("--json " + missing + ".json: the folder") != std::string::npos);
  }
  SECTION("awe-player --json") {
    if (!built("awe-player")) return;
    const test::ToolRun run =
        test::runTool(test::toolPath("awe-player") + " --no-gui --driver paced --quit-at-end --json " + missing + ".json");
    CHECK(run.exitCode == cli::kExitUsage);
    CHECK(run.output.find("--json " + missing + ".json: the folder") != std::string::npos);
    CHECK(run.output.find("buffers") == std::string::npos);  // nothing played
  }
}

TEST_CASE("input errors exit 4: a bank that is not a bank", "[tools][cli]") {
  const std::string folder = test::freshFolder("tool-cli-tests", "inputs");
  const std::string notBank = folder + "/not-a-bank.sf2";
  { std::FILE* f = std::fopen(notBank.c_str(), "wb"); std::fputs("RIFF....nope", f); std::fclose(f); }
  const test::ToolRun info = test::runTool(test::toolPath("awe-bankinfo") + " " + notBank);
  CHECK(info.exitCode == cli::kExitUsage);
  const test::ToolRun render = test::runTool(test::toolPath("awe-render") + " -q --sf2 " + notBank + " -o " + folder + "/x.wav");
  CHECK(render.exitCode == cli::kExitUsage);
  const test::ToolRun missing = test::runTool(test::toolPath("awe-bankinfo") + " " + folder + "/none.sf2");
  CHECK(missing.exitCode == cli::kExitUsage);
}

TEST_CASE("tools/awe: help prints the usage alone and starts nothing", "[tools][cli]") {
  const std::string awe =
      (std::filesystem::path(AWE_TEST_DATA_DIR).parent_path().parent_path() / "tools" / "awe").string();
  for (const char* args : {"help", "--help", "play --help", "render --help", "test --help"}) {
    INFO(args);
    const test::ToolRun run = test::runTool(awe + " " + std::string(args));
    CHECK(run.exitCode == 0);
    CHECK(run.output.find("set -euo") == std::string::npos);  // no line of the script's code
    CHECK(run.output.find("setup:") == std::string::npos);    // no set-up ran
    CHECK((run.output.find("Usage") != std::string::npos || run.output.find("tools/awe play") != std::string::npos));
  }
}

TEST_CASE("one option name per setting; the old names are hidden aliases", "[tools][cli]") {
  struct Rename {
    const char* tool;
    const char* name;
    const char* oldName;
  };
  for (const Rename& r : {Rename{"awe-render", "--buffer", "--block"}, Rename{"awe-latency", "--midi-in", "--in"},
                          Rename{"awe-latency", "--midi-virtual", "--virtual"}, Rename{"awe-latency", "--buffer", "--frames"},
                          Rename{"awe-bench", "--no-effects", "--effects"},
                          Rename{"awe-player", "--screenshot-frames", "--frames"}}) {
    if (!built(r.tool)) continue;
    INFO(r.tool << " " << r.name);
    const std::string help = test::runTool(test::toolPath(r.tool) + " --help").output;
    CHECK(help.find(std::string("  ") + r.name) != std::string::npos);
    CHECK(help.find(std::string("  ") + r.oldName + " ") == std::string::npos);  // hidden
  }
  // The old names still parse (scripts keep working): a range error, not an unknown option.
  const test::ToolRun block = test::runTool(test::toolPath("awe-render") + " --block 0 -o x.wav");
  CHECK(block.exitCode == cli::kExitUsage);
  CHECK(block.output.find("0 is out of range: 1 to 65536 frames") != std::string::npos);
  const test::ToolRun buffer = test::runTool(test::toolPath("awe-render") + " --buffer 0 -o x.wav");
  CHECK(buffer.output.find("--buffer: 0 is out of range: 1 to 65536 frames") != std::string::npos);
}

TEST_CASE("the sound options and --sf2: one definition in every tool that plays the synth", "[tools][cli]") {
  const std::string folder = test::freshFolder("tool-cli-tests", "sound");
  for (const char* name : {"awe-render", "awe-player", "awe-latency"}) {
    if (!built(name)) continue;
    INFO(name);
    const std::string help = test::runTool(test::toolPath(name) + " --help").output;
    for (const char* option : {"--sf2", "--mode", "--gain", "--reverb", "--chorus", "--no-effects", "--attenuation"}) {
      CHECK(help.find(std::string("  ") + option + " ") != std::string::npos);
    }
    // Refused in plain words before any work, exit 4 (awe-render's -o is never written).
    const std::string tail = std::string(name) == "awe-render" ? " -o " + folder + "/x.wav" : "";
    struct Bad {
      const char* args;
      const char* says;
    };
    for (const Bad& bad : {Bad{" --mode loud", "--mode"}, Bad{" --gain 99", "--gain: 99 is out of range: -60 to 24 dB"},
                           Bad{" --gain x", "--gain: x is not a number"}, Bad{" --reverb cave", "unknown reverb type 'cave'"},
                           Bad{" --chorus wobble", "unknown chorus type 'wobble'"},
                           Bad{" --sf2 /no/such/bank.sf2", "/no/such/bank.sf2"}}) {
      INFO(bad.args);
      const test::ToolRun run = test::runTool(test::toolPath(name) + bad.args + tail);
      CHECK(run.exitCode == cli::kExitUsage);
      CHECK(run.output.rfind(std::string(name) + ": ", 0) == 0);
      CHECK(run.output.find(bad.says) != std::string::npos);
    }
    // $AWE_SOUNDFONT naming no file: exit 4, naming it (the machine's banks are not taken instead).
    const test::ToolRun env = test::runTool("AWE_SOUNDFONT=/no/such/gm.sf2 " + test::toolPath(name) +
                                            (std::string(name) == "awe-latency" ? " --list" : " --no-effects") + tail);
    CHECK(env.exitCode == cli::kExitUsage);
    CHECK(env.output.find("$AWE_SOUNDFONT names /no/such/gm.sf2, which is not a file") != std::string::npos);
  }
  // awe-bench keeps its own bank files (positional) and --no-effects; awe-bankinfo reads banks only.
  const test::ToolRun info = test::runTool(test::toolPath("awe-bankinfo") + " --sf2 /no/such/bank.sf2");
  CHECK(info.exitCode == cli::kExitUsage);
}
