#pragma once
// awe-render over many songs (`awe-render a.mid b.mid ... -o DIR/ -j N`): each song is one
// run of awe-render itself in its own process (its own synth, its own memory; a song that
// crashes or fails stops nothing else), N at a time. Outputs are DIR/<song name>.<ext>.
// A batch resumes: an output that exists and is a whole audio file (engine/WavWriter.h
// audioFileProblem) is skipped; outputs only ever appear complete (written under a
// temporary name, then renamed), so an interrupted batch leaves nothing half-done in
// place. One progress bar for the whole batch; the renders' own lines go above it.
// [control thread] everywhere.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace awe {

struct RenderBatch {
  std::vector<std::string> songs;
  std::string outFolder;   // where the outputs go
  std::string extension;   // of every output ("wav", "flac", ...)
  int jobs = 1;            // renders at once
  bool quiet = false;      // no progress bar
  // The options every song's render gets: the command line without the songs and the
  // batch's own options (singleRenderArgs).
  std::vector<std::string> renderArgs;
};

// The command line's tokens (argv[1..]) without the positional arguments and without the
// options named in `drop` (with their values); options are told from their values by
// asking `app` which ones take a value.
std::vector<std::string> singleRenderArgs(const CLI::App& app, int argc, char** argv,
                                          const std::vector<std::string>& drop);

// DIR/<song's name without its extension>.<extension>, one per song in order. Throws
// std::runtime_error naming both songs when two would write the same file.
std::vector<std::string> batchOutputs(const RenderBatch& batch);

// Runs the batch; returns the exit code: 0 when every song was rendered or skipped, else
// the first failed song's code (4: bad input). Stopped by SIGINT/SIGTERM/SIGHUP, it stops
// the running renders (their outputs stay as they were) and ends by that signal.
int runRenderBatch(const RenderBatch& batch);

}  // namespace awe
