#pragma once
// Running the project's tools as programs from the tests: exit code and output, the tools'
// paths in this build, a fresh scratch folder under the build folder, whole files.
#include <string>

namespace awe::test {

struct ToolRun {
  int exitCode = -1;   // -1: killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs `command` through the shell (2>&1 appended).
ToolRun runTool(const std::string& command);
// build/bin/<name>
std::string toolPath(const char* name);
// An empty folder build/<group>/<name> (removed and made again).
std::string freshFolder(const std::string& group, const std::string& name);
std::string readWholeFile(const std::string& path);
// `text` in single quotes for the shell.
std::string shellQuote(const std::string& text);

}  // namespace awe::test
