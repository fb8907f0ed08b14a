#pragma once
// The player's keyboard shortcuts and dropped files as actions on the session, without a
// GUI library: the window maps its keys to PlayerKey and calls applyShortcut(), and its
// GLFW drop callback calls collectDroppedFiles(); the tests call them directly.
// shortcutList() is the one list of what each key does (the help popup shows it).
#include <cstdint>
#include <vector>

#include "dashboard/ControlsState.h"
#include "dashboard/Session.h"

namespace awe {

enum class PlayerKey : uint8_t {
  Space,       // play / pause
  Left,        // seek back kSeekStep_s
  Right,       // seek forward kSeekStep_s
  ShiftLeft,   // seek back kLongSeekStep_s
  ShiftRight,  // seek forward kLongSeekStep_s
  N,           // next song in the playlist
  P,           // previous song
  M,           // mute / unmute the output
  Help,        // F1 or ?: the shortcut list
};

constexpr double kSeekStep_s = 5.0;
constexpr double kLongSeekStep_s = 30.0;

struct ShortcutInfo {
  const char* keys;  // as printed: "Space", "Left / Right"
  const char* action;
};
const std::vector<ShortcutInfo>& shortcutList();

// [main thread] Acts on `key` given the frame's status (what is playing, where). Returns
// true when the key asks for the help popup.
bool applyShortcut(PlayerSession& session, const EngineStatus& status, PlayerKey key);

// [main thread] GLFW's drop callback payload (count paths), kept for the next frame.
void collectDroppedFiles(ControlsState& controls, int count, const char** paths);
// [main thread] Once per frame: opens what was dropped (PlayerSession::openFiles), says
// what happened in controls.message (and returns it; empty when nothing was dropped).
std::string takeDroppedFiles(PlayerSession& session, ControlsState& controls);

}  // namespace awe
