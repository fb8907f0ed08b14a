#pragma once
// `--profile cpu,memory,spans` on a tool's command line: the options, where the files go,
// and the list of files at the end, the same in every tool (engine/ProfileSession.h does
// the profiling itself).
//
//   --profile LIST          cpu, memory, spans, all, or a comma list
//   --profile-rate HZ       CPU samples per second of CPU time (1000)
//   --profile-thread all|T  every thread, or the tool's rendering thread T ("render" for
//                           offline tools, "audio" for engine tools) alone
//   --profile-output BASE   path prefix of the files (tools that offer it)
//
// Files go next to the tool's main output (its first of --json/--trace/-o that is given:
// out.json -> out.cpuprofile, ...), else ./<tool>.* in the current folder.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/ProfileSession.h"
#include "monitor/report/OutputFile.h"

namespace awe {

struct ProfileCliSpec {
  std::string tool;                  // "awe-bench": the session's name and the fallback base
  std::string threadWord;            // --profile-thread's word for the rendering thread; "" = no option
  bool outputOption = true;          // offer --profile-output BASE
  std::string spansDoNotApply;       // non-empty: why stage spans cannot apply to this tool
};

struct ProfileCliOptions {
  std::string list;
  double rate_Hz = 1000.0;
  std::string thread = "all";
  std::string output;
};

void addProfileOptions(CLI::App& app, ProfileCliOptions& options, const ProfileCliSpec& spec);

// The path prefix: --profile-output, else profileBaseFor() of the first main output that
// is a file (not "" or "-" for stdout), else the tool's name in the current folder.
std::string profileBase(const ProfileCliOptions& options, const ProfileCliSpec& spec,
                        const std::vector<std::string>& mainOutputs);

// The request the options ask for. Throws std::invalid_argument for an unknown word, or for
// `spans` named in a tool where they do not apply ("all" then means cpu and memory, and
// `note` says so).
ProfileRequest profileRequest(const ProfileCliOptions& options, const ProfileCliSpec& spec, std::string* note = nullptr);

// Null when --profile was not given; else a started session (started before the tool
// loads anything, so the heap profile sees it). Throws std::invalid_argument (bad list)
// and std::runtime_error (a profiler this build cannot run).
std::unique_ptr<ProfileSession> startProfile(const ProfileCliOptions& options, const ProfileCliSpec& spec,
                                             const std::vector<std::string>& mainOutputs,
                                             std::string* note = nullptr);

// Refuses (OutputFileError) a run whose outputs, the profile's files among them, include
// one of its inputs or one file twice (monitor/report/OutputFile.h). Call it before any work.
void checkRunFiles(std::vector<RunFile> outputs, const ProfileSession* profile, const std::vector<RunFile>& inputs);

// Stops the session, writes the files and names each on `out` as "<linePrefix><path>".
// Throws std::runtime_error when a file cannot be written.
std::vector<std::string> finishProfile(ProfileSession& session, std::FILE* out, const std::string& linePrefix = "profile: ");

}  // namespace awe
