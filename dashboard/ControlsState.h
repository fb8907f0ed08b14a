#pragma once
// What the player's own windows (Controls, Playlist, the Open dialog, the help popup)
// remember between frames. Kept apart from their drawing so DashboardState can hold it
// without seeing ImGui.
#include <string>
#include <vector>

#include "dashboard/Playlist.h"

namespace awe {

struct ControlsState {
  bool controlsOpen = false;  // the Controls panel (the Player view's right column)
  bool playlistOpen = false;  // the Playlist panel (ditto)
  bool helpRequested = false; // open the shortcut list on the next frame
  // The Open dialog
  bool openRequested = false;
  std::string folder;                 // the folder shown
  std::vector<FolderEntry> entries;   // its listing, read when the folder changes
  bool listed = false;
  int selected = -1;
  std::string folderError;
  std::string pathInput;              // typed path (a file or a folder)
  // Dropped on the window, not yet handed to the session
  std::vector<std::string> dropped;
  std::string message;                // the last word about opened/dropped files
};

}  // namespace awe
