#pragma once
// The player's controls on the screen: the Controls panel (master volume, reverb and
// chorus, personality, interpolation, polyphony, transpose, tempo, and per channel
// volume, pan and program), the Playlist panel (both docked in the Player view's right column), the Open dialog (a small folder
// browser), the shortcut help popup, the keyboard shortcuts and dropped files. Everything
// goes to the engine through PlayerSession and the command queue; the values shown are
// the frame's EngineStatus.
#include "dashboard/Panels.h"

namespace awe {

// [main thread] Once per frame after drawDashboard(), at the top level of the ImGui frame.
void drawPlayerWindows(PlayerSession& session, const FrameData& frame, DashboardState& state);

// [main thread] Panels (drawDashboard's cells): the Controls panel, the Playlist panel.
void drawControlsPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawPlaylistPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);

// Transport-row buttons: Prev, Next, Open..., Playlist, Controls, ?.
void drawPlayerButtons(PlayerSession& session, const FrameData& frame, DashboardState& state);

}  // namespace awe
