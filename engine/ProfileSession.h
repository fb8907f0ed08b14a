#pragma once
// ProfileSession: the deep profiling layer as every tool uses it (`--profile cpu,memory,spans`).
//
//   cpu     the sampling profiler (monitor/profiling/SamplingProfiler.h): <base>.cpuprofile (Chrome
//           DevTools / VS Code), <base>.cpu.folded (flame-graph tools), <base>.cpu.svg (a
//           flame graph), <base>.cpu.txt (busiest functions, the profiler's own cost)
//   memory  the heap profile (monitor/profiling/HeapProfile.h): <base>.heap.txt (top sites, the diffs
//           between marks, the leak report at the end), <base>.heap.json, <base>.heap.svg
//           (flame graph of the bytes allocated)
//   spans   stage spans (emu8000/StageSpans.h): <base>.spans.txt (per-stage statistics and
//           the call graph), <base>.spans.json, <base>.spans.trace.json (Perfetto)
//
// Use: parse the list, make the session, start() it before the work, attach() the engine
// (offline renders too: engine/OfflineRender.h), heapMark() between phases, release() the engine
// before it is destroyed, and finish() last: it stops everything, writes the files and
// returns their paths. Several engines one after another (awe-bench makes a fresh one per
// run) attach and release in turn; their spans add up into one profile. Everything here
// runs on the control thread. engine/cli/ProfileCli.h wires it to a tool's command line.
#include <memory>
#include <string>
#include <vector>

#include "engine/StageSpanTap.h"
#include "monitor/profiling/HeapProfile.h"
#include "monitor/StageProfile.h"

namespace awe {

class Engine;

struct ProfileRequest {
  bool cpu = false;
  bool memory = false;
  bool spans = false;
  double cpuRate_Hz = 1000.0;
  bool cpuAudioThreadOnly = false;  // sample the audio (render) thread alone
  bool any() const { return cpu || memory || spans; }
};

// "cpu", "memory", "spans", "all", or a comma list of them. Throws std::invalid_argument
// naming the word it does not know.
ProfileRequest parseProfileList(const std::string& list);

// For --help texts.
constexpr const char* kProfileOptionHelp =
    "Deep profiling, a comma list of: cpu (sampling profiler: .cpuprofile, folded stacks, SVG flame graph), "
    "memory (heap profile by allocation site, leak report), spans (time per stage of each buffer, call graph, "
    "Perfetto trace); or all";

// The path prefix for a tool's profile files: its main output without the extension
// ("out/song.wav" -> "out/song"), or `fallback` when it has none.
std::string profileBaseFor(const std::string& mainOutput, const std::string& fallback);

class ProfileSession {
 public:
  // Throws std::runtime_error when a requested profiler cannot work in this build (spans
  // compiled out, sampling under ThreadSanitizer, the heap trap inactive under Valgrind).
  ProfileSession(const ProfileRequest& request, std::string outputBase, std::string toolName);
  ~ProfileSession();
  ProfileSession(const ProfileSession&) = delete;
  ProfileSession& operator=(const ProfileSession&) = delete;

  const ProfileRequest& request() const { return request_; }

  // Starts the CPU sampler and the heap profile (as requested). Throws std::runtime_error.
  void start();

  // Stage spans of an engine (switched on now); release() before the engine goes (its
  // spans are added to the session's). One engine at a time.
  void attach(Engine& engine);
  void release(Engine& engine) noexcept;
  // Releases the engine when it goes out of scope, however it goes.
  class Attachment {
   public:
    Attachment(ProfileSession* session, Engine& engine) : session_(session), engine_(engine) {
      if (session_ != nullptr) session_->attach(engine_);
    }
    ~Attachment() {
      if (session_ != nullptr) session_->release(engine_);
    }
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;

   private:
    ProfileSession* session_;
    Engine& engine_;
  };

  // A heap snapshot named `label`; the report shows what changed between marks.
  void heapMark(const std::string& label);

  // Marks the calling thread as the audio thread for the CPU profiler (offline tools call
  // it on the thread that renders; the engine marks its own audio thread).
  static void markRenderThread();

  // Stops everything, writes the files, returns their paths. Call it last (after the
  // work's objects are gone, so the leak report shows what really stayed).
  std::vector<std::string> finish();

  // Every file finish() may write for this request (so a tool can refuse to write one
  // over its inputs before the work starts).
  std::vector<std::string> outputPaths() const;

 private:
  std::string writeFile(const std::string& suffix, const std::string& content);

  ProfileRequest request_;
  std::string base_;
  std::string tool_;
  bool started_ = false;
  bool finished_ = false;
  Engine* engine_ = nullptr;
  std::shared_ptr<StageProfileSnapshot> spans_;  // of the engines released so far
  std::vector<HeapProfileSnapshot> heapMarks_;
  double spanCost_ns_ = 0.0;
  double lapCost_ns_ = 0.0;
};

}  // namespace awe
