#pragma once
// What every awe command-line front shares (the tools and awe-player), so a user sees one
// vocabulary: the exit codes, --version, range errors in plain words, output paths checked
// before any work starts.
//
//   CLI::App app{"awe-render: ..."};
//   awe::cli::setUp(app, "awe-render");             // --version, "awe-render: " on errors
//   app.add_option("--rate", rate, "...")->check(awe::cli::range(8000.0, 192000.0, "Hz"));
//   if (auto code = awe::cli::parse(app, argc, argv)) return *code;   // help 0, usage 4
//   if (!awe::cli::checkOutputs("awe-render", {{"-o", outPath}})) return awe::cli::kExitUsage;
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace awe::cli {

// Exit codes, the same in every tool (README "Exit codes").
constexpr int kExitDone = 0;        // finished, everything held
constexpr int kExitDeadline = 1;    // a deadline miss, an xrun (or a latency over its limit)
constexpr int kExitAllocation = 2;  // an allocation on the audio thread
constexpr int kExitRegression = 3;  // slower than the baseline
constexpr int kExitUsage = 4;       // bad usage or input: options, files, devices

// "0.1.0 (commit 0123456789ab)": the project version and the commit it was built from
// ("-dirty": with uncommitted changes), read at build time.
std::string versionString();

// --version (prints "<tool> <versionString()>"), and usage errors printed as
// "<tool>: <what>" with a pointer to --help.
void setUp(CLI::App& app, const std::string& tool);

// Parses. std::nullopt: go on. Otherwise the exit code: 0 after --help or --version, 4
// after a usage error (printed). Never CLI11's own 105-114.
std::optional<int> parse(CLI::App& app, int argc, char** argv);

// Range checks whose errors read "--rate: 0 is out of range: 8000 to 192000 Hz" and
// "--polyphony: abc is not a whole number (1 to 256 voices)". The help shows "8000 to 192000 Hz".
CLI::Validator range(double min, double max, const std::string& unit = "");
CLI::Validator wholeRange(long long min, long long max, const std::string& unit = "");
// "--interval-ms: 0 is not above 0 ms", "-1 is below 0 ms".
CLI::Validator positive(const std::string& unit = "");
CLI::Validator nonNegative(const std::string& unit = "");

// --midi-api auto|alsa|jack (auto: JACK when a server runs, else the ALSA sequencer); its
// default is AWE_MIDI_API when set. Turn `key` into awe::MidiApi with parseMidiApi after
// parsing (it names a bad AWE_MIDI_API value).
CLI::Option* addMidiApiOption(CLI::App& app, std::string& key);

// Why `path` cannot be written as an output file, or "" when it can: the folder must exist
// and be writable, an existing file writable and not a folder. "-" (standard output) is fine.
std::string outputPathProblem(const std::string& path);

// Checks every (option, path) pair whose path is not empty; prints "<tool>: <option> <path>:
// <problem>" for each bad one. True when all can be written.
bool checkOutputs(const std::string& tool, const std::vector<std::pair<std::string, std::string>>& outputs);

}  // namespace awe::cli
