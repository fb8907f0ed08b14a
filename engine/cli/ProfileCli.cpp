#include "engine/cli/ProfileCli.h"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "engine/cli/Cli.h"

namespace awe {
namespace {

// Whether the list names "spans" itself (rather than through "all").
bool namesSpans(const std::string& list) {
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    std::string word = list.substr(start, comma - start);
    word.erase(0, word.find_first_not_of(" \t"));
    word.erase(word.find_last_not_of(" \t") + 1);
    if (word == "spans") return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace

void addProfileOptions(CLI::App& app, ProfileCliOptions& options, const ProfileCliSpec& spec) {
  std::string help = kProfileOptionHelp;
  if (!spec.spansDoNotApply.empty()) help += " (spans do not apply here: " + spec.spansDoNotApply + ")";
  app.add_option("--profile", options.list, help);
  app.add_option("--profile-rate", options.rate_Hz, "CPU samples per second of CPU time")->check(awe::cli::range(1.0, 20000.0, "Hz"));
  if (!spec.threadWord.empty()) {
    app.add_option("--profile-thread", options.thread,
                   "CPU profile of every thread or the " + spec.threadWord + " thread alone")
        ->check(CLI::IsMember({std::string("all"), spec.threadWord}));
  }
  if (spec.outputOption) {
    app.add_option("--profile-output", options.output,
                   "Path prefix of the profile files (default: next to the tool's output, else ./" + spec.tool + ")");
  }
}

std::string profileBase(const ProfileCliOptions& options, const ProfileCliSpec& spec,
                        const std::vector<std::string>& mainOutputs) {
  if (!options.output.empty()) return options.output;
  for (const std::string& output : mainOutputs) {
    if (!output.empty() && output != "-") return profileBaseFor(output, spec.tool);
  }
  return spec.tool;
}

ProfileRequest profileRequest(const ProfileCliOptions& options, const ProfileCliSpec& spec, std::string* note) {
  ProfileRequest request = parseProfileList(options.list);
  if (request.spans && !spec.spansDoNotApply.empty()) {
    // "all" asks for whatever applies; naming spans asks for something that cannot be had.
    if (namesSpans(options.list)) {
      throw std::invalid_argument("--profile spans does not apply to " + spec.tool + ": " + spec.spansDoNotApply +
                                  " (use --profile cpu,memory)");
    }
    request.spans = false;
    if (note != nullptr) *note = "--profile all: cpu and memory (stage spans do not apply: " + spec.spansDoNotApply + ")";
  }
  request.cpuRate_Hz = options.rate_Hz;
  request.cpuAudioThreadOnly = !spec.threadWord.empty() && options.thread == spec.threadWord;
  return request;
}

std::unique_ptr<ProfileSession> startProfile(const ProfileCliOptions& options, const ProfileCliSpec& spec,
                                             const std::vector<std::string>& mainOutputs, std::string* note) {
  if (options.list.empty()) return nullptr;
  const ProfileRequest request = profileRequest(options, spec, note);
  auto session = std::make_unique<ProfileSession>(request, profileBase(options, spec, mainOutputs), spec.tool);
  // An offline tool renders on this thread; an engine marks its own audio thread.
  if (spec.threadWord == "render") ProfileSession::markRenderThread();
  session->start();
  return session;
}

void checkRunFiles(std::vector<RunFile> outputs, const ProfileSession* profile, const std::vector<RunFile>& inputs) {
  if (profile != nullptr) {
    for (const std::string& path : profile->outputPaths()) outputs.push_back({path, "a profile file"});
  }
  refuseOutputsOverInputs(outputs, inputs);
}

std::vector<std::string> finishProfile(ProfileSession& session, std::FILE* out, const std::string& linePrefix) {
  const std::vector<std::string> paths = session.finish();
  for (const std::string& path : paths) fmt::print(out, "{}{}\n", linePrefix, path);
  std::fflush(out);
  return paths;
}

}  // namespace awe
