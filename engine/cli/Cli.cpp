#include "engine/cli/Cli.h"

#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "awe/BuildCommit.h"

namespace awe::cli {
namespace {

// Shortest text of a number: 8000, 0.01, 1e+40.
std::string number(double value) { return fmt::format("{}", value); }

std::string withUnit(const std::string& text, const std::string& unit) { return unit.empty() ? text : text + " " + unit; }

bool parseWhole(const std::string& text, long long& value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtoll(text.c_str(), &end, 10);
  return errno == 0 && end != nullptr && *end == '\0';
}

bool parseNumber(const std::string& text, double& value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return errno == 0 && end != nullptr && *end == '\0' && std::isfinite(value);
}

}  // namespace

std::string versionString() { return fmt::format("{} (commit {})", AWE_VERSION, AWE_BUILD_COMMIT); }

void setUp(CLI::App& app, const std::string& tool) {
  app.name(tool);
  app.set_version_flag("--version", tool + " " + versionString(), "Print the version and the commit, then exit");
  app.failure_message([tool](const CLI::App*, const CLI::Error& e) {
    return fmt::format("{}: {}\nRun with --help for the options.\n", tool, e.what());
  });
}

std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, the version or the error
    return code == 0 ? kExitDone : kExitUsage;
  }
  return std::nullopt;
}

CLI::Validator range(double min, double max, const std::string& unit) {
  const std::string span = withUnit(number(min) + " to " + number(max), unit);
  return CLI::Validator(
      [min, max, span](std::string& text) -> std::string {
        double value = 0.0;
        if (!parseNumber(text, value)) return text + " is not a number (" + span + ")";
        if (value < min || value > max) return text + " is out of range: " + span;
        return {};
      },
      span, "range");
}

CLI::Validator wholeRange(long long min, long long max, const std::string& unit) {
  const std::string span = withUnit(std::to_string(min) + " to " + std::to_string(max), unit);
  return CLI::Validator(
      [min, max, span](std::string& text) -> std::string {
        long long value = 0;
        if (!parseWhole(text, value)) return text + " is not a whole number (" + span + ")";
        if (value < min || value > max) return text + " is out of range: " + span;
        return {};
      },
      span, "range");
}

CLI::Validator positive(const std::string& unit) {
  const std::string what = withUnit("above 0", unit);
  return CLI::Validator(
      [what](std::string& text) -> std::string {
        double value = 0.0;
        if (!parseNumber(text, value)) return text + " is not a number (" + what + ")";
        if (value <= 0.0) return text + " is not " + what;
        return {};
      },
      what, "positive");
}

CLI::Validator nonNegative(const std::string& unit) {
  const std::string what = withUnit("0 or more", unit);
  return CLI::Validator(
      [what, unit](std::string& text) -> std::string {
        double value = 0.0;
        if (!parseNumber(text, value)) return text + " is not a number (" + what + ")";
        if (value < 0.0) return text + " is below " + withUnit("0", unit);
        return {};
      },
      what, "non-negative");
}

CLI::Option* addMidiApiOption(CLI::App& app, std::string& key) {
  const char* env = std::getenv("AWE_MIDI_API");
  key = env != nullptr && *env != '\0' ? env : "auto";
  return app
      .add_option("--midi-api", key,
                  "MIDI system for live input: auto (JACK when a server runs, else the ALSA sequencer), alsa or jack "
                  "(default: $AWE_MIDI_API, else auto)")
      ->check(CLI::IsMember({"auto", "alsa", "jack"}));
}

std::string outputPathProblem(const std::string& path) {
  namespace fs = std::filesystem;
  if (path == "-") return {};
  std::error_code error;
  const fs::path file(path);
  const fs::file_status status = fs::status(file, error);
  if (fs::exists(status)) {
    if (fs::is_directory(status)) return "is a folder, not a file";
    if (::access(path.c_str(), W_OK) != 0) return fmt::format("cannot write it ({})", std::strerror(errno));
    if (!fs::is_regular_file(status)) return {};  // a device or FIFO is written in place
  }
  // A file is written beside its target and renamed over it (monitor/report/OutputFile.h): the
  // folder must take new files even when the file exists.
  fs::path folder = file.parent_path();
  if (folder.empty()) folder = ".";
  const fs::file_status folderStatus = fs::status(folder, error);
  if (!fs::exists(folderStatus)) return fmt::format("the folder {} does not exist", folder.string());
  if (!fs::is_directory(folderStatus)) return fmt::format("{} is not a folder", folder.string());
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return fmt::format("cannot write in the folder {} ({})", folder.string(), std::strerror(errno));
  }
  return {};
}

bool checkOutputs(const std::string& tool, const std::vector<std::pair<std::string, std::string>>& outputs) {
  bool ok = true;
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    const std::string problem = outputPathProblem(path);
    if (problem.empty()) continue;
    fmt::print(stderr, "{}: {} {}: {}\n", tool, option, path, problem);
    ok = false;
  }
  return ok;
}

}  // namespace awe::cli
