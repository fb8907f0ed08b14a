#include "dashboard/Shortcuts.h"

#include <algorithm>

namespace awe {

const std::vector<ShortcutInfo>& shortcutList() {
  static const std::vector<ShortcutInfo> list = {
      {"Space", "play / pause"},
      {"Left / Right", "seek back / forward 5 s"},
      {"Shift + Left / Right", "seek back / forward 30 s"},
      {"N / P", "next / previous song in the playlist"},
      {"M", "mute / unmute the output"},
      {"Ctrl + O", "open a song or a bank (the Open dialog)"},
      {"F1 or ?", "this list"},
  };
  return list;
}

bool applyShortcut(PlayerSession& session, const EngineStatus& status, PlayerKey key) {
  Engine& engine = session.engine();
  const auto seekBy = [&](double delta_s) {
    engine.seek(std::clamp(status.position_s + delta_s, 0.0, std::max(status.length_s, 0.0)));
  };
  switch (key) {
    case PlayerKey::Space:
      if (status.playing) {
        engine.pause();
      } else {
        if (status.finished) engine.seek(0.0);
        engine.play();
      }
      return false;
    case PlayerKey::Left: seekBy(-kSeekStep_s); return false;
    case PlayerKey::Right: seekBy(kSeekStep_s); return false;
    case PlayerKey::ShiftLeft: seekBy(-kLongSeekStep_s); return false;
    case PlayerKey::ShiftRight: seekBy(kLongSeekStep_s); return false;
    case PlayerKey::N: session.nextSong(); return false;
    case PlayerKey::P: session.previousSong(); return false;
    case PlayerKey::M: session.setOutputMuted(!session.outputMuted()); return false;
    case PlayerKey::Help: return true;
  }
  return false;
}

void collectDroppedFiles(ControlsState& controls, int count, const char** paths) {
  for (int i = 0; i < count; ++i) {
    if (paths[i] != nullptr) controls.dropped.emplace_back(paths[i]);
  }
}

std::string takeDroppedFiles(PlayerSession& session, ControlsState& controls) {
  if (controls.dropped.empty()) return {};
  controls.message = session.openFiles(controls.dropped);
  controls.dropped.clear();
  if (session.playlist().size() > 1) controls.playlistOpen = true;
  return controls.message;
}

}  // namespace awe
