#include "dashboard/TerminalStatus.h"

#include <fmt/core.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "monitor/Clock.h"

namespace awe {
namespace {

std::string clock(double seconds) {
  if (!(seconds >= 0.0)) seconds = 0.0;
  const auto tenths = static_cast<int64_t>(seconds * 10.0 + 0.5);  // rounded first: no "1:60.0"
  return fmt::format("{}:{:02}.{}", tenths / 600, tenths % 600 / 10, tenths % 10);
}

}  // namespace

std::string statusLine(const Snapshot& s, const EngineStatus& st, bool statusValid) {
  const char* state = !statusValid || !st.songLoaded ? "no song" : st.finished ? "ended" : st.playing ? "playing" : "paused";
  std::string line = fmt::format("{} {} / {} | load {:.1f} % (worst {:.1f} %) | voices {}/{} | misses {}, xruns {} | {}",
                                 state, clock(st.position_s), clock(st.length_s), s.smoothedLoad * 100.0,
                                 s.windowWorstLoad * 100.0, st.activeVoices, st.polyphonyLimit, s.deadlineMisses,
                                 s.xruns, qualityName(static_cast<QualityLevel>(st.quality)));
  if (s.health.health == Health::Failed) line += " | FAILED: no audio device";
  return line;
}

namespace {

// A line typed on standard input, without waiting ("" when none). Stops looking at EOF.
std::string typedLine(bool& inputOpen) {
  if (!inputOpen) return "";
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  if (poll(&fd, 1, 0) <= 0 || (fd.revents & (POLLIN | POLLHUP)) == 0) return "";
  char buffer[256];
  const ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);
  if (got <= 0) {
    inputOpen = false;
    return "";
  }
  return std::string(buffer, static_cast<size_t>(got));
}

}  // namespace

void runTerminalStatus(PlayerSession& session, const TerminalOptions& options, const std::atomic<bool>& stop) {
  const bool terminal = isatty(STDERR_FILENO) != 0;
  // On a terminal the line is redrawn in place 4 times a second; in a log, one line per 5 s.
  const int64_t printPeriod_ns = terminal ? 250'000'000 : 5'000'000'000;
  int64_t lastPrint_ns = 0;
  std::string line;
  bool inputOpen = true;
  std::string songShown = session.songPath();
  std::string loadMessageShown = session.loadMessage();
  while (!stop.load()) {
    const Snapshot snapshot = session.engine().monitor().snapshot(0);
    EngineStatus status;
    const bool valid = session.engine().status(status);
    session.update(snapshot, status, valid);
    line = statusLine(snapshot, status, valid);
    // What happened to the audio device, on lines of its own.
    std::vector<std::string> messages = session.takeAudioMessages();
    if (session.reconnectOffered() && !messages.empty()) messages.back() += ": type r and Enter to reconnect";
    const std::string typed = typedLine(inputOpen);
    if (session.reconnectOffered() && !typed.empty() && typed[0] == 'r') messages.push_back(session.reconnectAudio());
    // The playlist moved on (or a load failed): say which song plays now, or why not.
    if (session.songPath() != songShown) {
      songShown = session.songPath();
      const Playlist& list = session.playlist();
      messages.push_back(list.current() >= 0 ? fmt::format("playing {} ({} of {})", songShown, list.current() + 1, list.size())
                                             : "playing " + songShown);
    }
    if (!session.loading() && session.loadMessage() != loadMessageShown) {  // a failed load names the file
      loadMessageShown = session.loadMessage();
      if (loadMessageShown.rfind("song loaded", 0) != 0) messages.push_back(loadMessageShown);
    }
    for (const std::string& message : messages) fmt::print(stderr, "{}awe-player: {}\n", terminal ? "\r\033[K" : "", message);
    if (!messages.empty()) {
      lastPrint_ns = 0;  // the status line again at once, from a snapshot taken after the change
      continue;
    }
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
