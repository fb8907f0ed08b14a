#pragma once
// The dashboard's panels: one function per panel, each drawing into the current ImGui
// child window from one frame's data (a Monitor snapshot and the EngineStatus; nothing
// here reads the audio thread's state directly), and drawDashboard() laying them out in
// a fixed grid that fills the window.
#include <cstdint>
#include <string>
#include <vector>

#include "dashboard/ControlsState.h"
#include "dashboard/MeterPanels.h"
#include "dashboard/Session.h"
#include "engine/Engine.h"
#include "monitor/Snapshot.h"

namespace awe {

// What one frame shows. Taken once per frame on the main thread.
struct FrameData {
  Snapshot snapshot;       // with the newest kPlotRecords BufferRecords
  EngineStatus status;
  bool statusValid = false;
  int64_t now_ns = 0;
};

// How many buffers the plots show (about 12 s at 1024 frames and 44.1 kHz).
constexpr std::size_t kPlotRecords = 512;

// A per-second rate from a cumulative counter, re-estimated every half second.
class RateMeter {
 public:
  double update(uint64_t count, int64_t now_ns);
  double rate() const { return rate_; }

 private:
  uint64_t lastCount_ = 0;
  int64_t last_ns_ = 0;
  double rate_ = 0.0;
};

// What the panels remember between frames (text fields, selections, derived values).
struct DashboardState {
  // Transport
  std::string songPathInput;
  std::string bankPathInput;
  bool seeking = false;
  float seekPosition_s = 0.0f;
  std::vector<std::string> midiPorts;
  int midiPortIndex = -1;
  bool midiPortsListed = false;
  std::string midiMessage;
  std::string audioMessage;  // the last word about the audio device (lost, back, reconnected)
  // Load
  uint64_t missesSeen = 0, xrunsSeen = 0;
  int64_t lastMiss_ns = 0, lastXrun_ns = 0;
  uint64_t recordsScannedUpTo = 0;  // buffer index after the newest record scanned
  // Timing
  bool timingShowsJitter = false;  // which distribution the histogram shows
  // MIDI
  RateMeter liveEventRate, noteRate;
  // Export
  std::string jsonPath = "awe-session.json";
  std::string tracePath = "awe-session.trace.json";
  std::string exportMessage;
  // The player's own windows (dashboard/ControlsPanel.cpp)
  ControlsState controls;
  // What you can see and hear (dashboard/MeterPanels.h)
  MetersState meters;
  // The view under the transport: the player's (meters, keyboard, scope) or the monitor's.
  enum class View { Player, Monitor };
  View view = View::Player;
  bool viewChosen = false;  // the tab bar has been told the view once
  // Scratch for plot values, reused across frames.
  std::vector<float> scratch;
};

void drawTransportPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawLoadPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawTimingPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawVoicesPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawMidiPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawMemoryPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawChannelsPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawHealthPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawQualityPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawExportPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);

// Sets up the look (colours, spacing) once after the ImGui context is made.
void applyDashboardStyle();
// One full-window ImGui window holding every panel in a fixed, docking-free grid.
void drawDashboard(PlayerSession& session, const FrameData& frame, DashboardState& state);

}  // namespace awe
