#pragma once
// The dashboard window: GLFW + OpenGL 3 + Dear ImGui on the main thread, in the three
// plain phases of Dear ImGui's GLFW/OpenGL3 example (setup, loop, cleanup).
#include <atomic>
#include <string>

#include "dashboard/Session.h"

namespace awe {

struct WindowOptions {
  int width = 1280;
  int height = 800;
  bool monitorView = false;    // start on the Monitor tab (else the Player tab)
  std::string screenshotPath;  // when set: write the back buffer after screenshotFrames frames, then close
  int screenshotFrames = 120;
  bool quitAtEnd = false;      // close once the song is over
  bool showControls = false;   // open the Controls panel at start
  bool showPlaylist = false;   // open the Playlist panel at start (also when it holds several songs)
};

struct WindowOutcome {
  bool opened = false;     // false: no display (see noDisplay); nothing was shown
  std::string noDisplay;   // why no window could be opened
  std::string error;       // a failure after opening (e.g. the screenshot could not be written)
  std::string screenshot;  // what was written
};

// [main thread] Shows the dashboard until the window is closed, `stop` is set (Ctrl-C), the
// song is over (quitAtEnd) or the screenshot is taken. The loop never waits for the audio
// thread: it reads Monitor snapshots and the EngineStatus, and sends commands. While the
// window is minimised it sleeps in glfwWaitEventsTimeout, waking every 100 ms for the
// quality policy.
WindowOutcome runDashboardWindow(PlayerSession& session, const WindowOptions& options, const std::atomic<bool>& stop);

}  // namespace awe
