#pragma once
// The player without a window: one status line (position, load, voices, misses, quality)
// updated in place on a terminal, or printed every few seconds when stderr is not one.
#include <atomic>
#include <string>

#include "dashboard/Session.h"

namespace awe {

struct TerminalOptions {
  bool keepRunning = false;  // do not stop at the end of the song (live MIDI input is open)
};

// "playing 0:12.3 / 2:05.0 | load 12.3 % (worst 20.1 %) | voices 14/32 | misses 0, xruns 0 | Maximum"
std::string statusLine(const Snapshot& snapshot, const EngineStatus& status, bool statusValid);

// [main thread] Runs the session (quality policy included) until the song is over (unless
// keepRunning) or `stop` is set (Ctrl-C).
void runTerminalStatus(PlayerSession& session, const TerminalOptions& options, const std::atomic<bool>& stop);

}  // namespace awe
