#pragma once
// How every tool tells what a loader skipped or repaired: how many problems, and the first
// few, each naming where it was (a MIDI track or an SF2 chunk, and the byte offset). One
// wording for awe-render, awe-bench, awe-bankinfo and awe-player.
#include <cstddef>
#include <string>
#include <vector>

#include "emu8000/Bank.h"
#include "engine/MidiFile.h"

namespace awe {

struct LoadWarningList {
  std::string file;
  size_t total = 0;                // every problem met, also those past the loader's list cap
  std::vector<std::string> lines;  // "track 2 at byte 341: ...", "chunk 'pgen' at byte 12: ..."
};

constexpr size_t kLoadWarningsShown = 5;  // what a tool prints unless asked for all

LoadWarningList loadWarningList(const MidiFile& song);
LoadWarningList loadWarningList(const std::string& bankPath, const std::vector<LoadWarning>& warnings);

// Empty when there is nothing to say; otherwise, a line per item, each ending in '\n':
//   song.mid: 3 loader warnings (parts skipped or repaired); the first 2:
//     track 0 at byte 33: status 0xF1 (MIDI time code quarter frame) is not allowed ...
//     track 1 at byte 210: truncated channel message; rest of the track ignored
//     ... and 1 more
std::string formatLoadWarnings(const LoadWarningList& list, size_t shown = kLoadWarningsShown);
// The same in one line, for a status panel: "song.mid: 3 loader warnings; first: track 0 at
// byte 33: ...". Empty when there is nothing to say.
std::string loadWarningsLine(const LoadWarningList& list);

}  // namespace awe
