#include "dashboard/TerminalStatus.h"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "monitor/Clock.h"

namespace awe {
namespace {

std::string clock(double seconds) {
  if (!(seconds >= 0.0)) seconds = 0.0;
  const int minutes = static_cast<int>(seconds / 60.0);
  return fmt::format("{}:{:04.1f}", minutes, seconds - 60.0 * minutes);
}

}  // namespace

std::string statusLine(const Snapshot& s, const EngineStatus& st, bool statusValid) {
  const char* state = !statusValid || !st.songLoaded ? "no song" : st.finished ? "ended" : st.playing ? "playing" : "paused";
  return fmt::format("{} {} / {} | load {:.1f} % (worst {:.1f} %) | voices {}/{} | misses {}, xruns {} | {}", state,
                     clock(st.position_s), clock(st.length_s), s.smoothedLoad * 100.0, s.windowWorstLoad * 100.0,
                     st.activeVoices, st.polyphonyLimit, s.deadlineMisses, s.xruns,
                     qualityName(static_cast<QualityLevel>(st.quality)));
}

void runTerminalStatus(PlayerSession& session, const TerminalOptions& options, const std::atomic<bool>& stop) {
  const bool terminal = isatty(STDERR_FILENO) != 0;
  // On a terminal the line is redrawn in place 4 times a second; in a log, one line per 5 s.
  const int64_t printPeriod_ns = terminal ? 250'000'000 : 5'000'000'000;
  int64_t lastPrint_ns = 0;
  std::string line;
  while (!stop.load()) {
    const Snapshot snapshot = session.engine().monitor().snapshot(0);
    EngineStatus status;
    const bool valid = session.engine().status(status);
    session.update(snapshot, status, valid);
    line = statusLine(snapshot, status, valid);
    const bool over = session.songOver() && !options.keepRunning;
    // Nothing to say before the first buffer has been played.
    if (snapshot.buffers > 0 && (snapshot.taken_ns - lastPrint_ns >= printPeriod_ns || over)) {
      lastPrint_ns = snapshot.taken_ns;
      if (terminal) {
        fmt::print(stderr, "\r{}\033[K", line);
      } else {
        fmt::print(stderr, "{}\n", line);
      }
      std::fflush(stderr);
    }
    if (over) break;
    std::this_thread::sleep_for(std::chrono::nanoseconds(PlayerSession::kPolicyPeriod_ns));
  }
  if (terminal) fmt::print(stderr, "\n");
}

}  // namespace awe
