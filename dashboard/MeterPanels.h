#pragma once
// What you can see and hear: the output meters (peak, RMS, clips) with the process's CPU
// use and the CPU temperature, a piano roll over a keyboard showing the held notes in
// their channel's colour, an oscilloscope and a spectrum of the output, and the song's
// lyric line and marker. Each panel draws from the frame's EngineStatus and the engine's
// OutputScope snapshot only; the FFT runs here, on the UI thread.
#include <array>
#include <cstdint>
#include <vector>

#include "dashboard/ProcessStats.h"
#include "dashboard/Spectrum.h"
#include "engine/OutputMeter.h"

namespace awe {

class PlayerSession;
struct FrameData;
struct DashboardState;
struct ChannelStrip;

struct MetersState {
  // Output meters: the peak held for kPeakHold_ns, the clip lamp, the clip count's zero.
  static constexpr int64_t kPeakHold_ns = 2'000'000'000;
  std::array<float, 2> heldPeak_dBFS{{kMeterFloor_dBFS, kMeterFloor_dBFS}};
  std::array<int64_t, 2> heldPeakSince_ns{{0, 0}};
  uint64_t clipsAtReset = 0;     // clippedSamples when the user last reset the count
  uint64_t lastClipBuffer = 0;   // OutputLevels::lastClipBuffer last seen
  int64_t clipLitSince_ns = 0;   // the lamp stays lit kPeakHold_ns after a new clip
  // Process CPU and temperature (re-read every half second / 5 s).
  CpuUsageMeter cpu;
  CpuTemperature temperature;
  int64_t temperatureRead_ns = 0;
  // Piano roll: one row per audio buffer, newest last; per key the channels holding it
  // (bit c) in the low 16 bits and those releasing it in the high 16.
  static constexpr std::size_t kRollRows = 256;  // ~6 s at 1024 frames, 44.1 kHz
  std::vector<std::array<uint32_t, 128>> roll = std::vector<std::array<uint32_t, 128>>(kRollRows);
  std::size_t rollHead = 0;      // index of the oldest row
  uint64_t rollBuffer = 0;       // status.buffer of the newest row
  // Scope and spectrum.
  static constexpr std::size_t kScopeFrames = 4096;
  std::vector<float> left = std::vector<float>(kScopeFrames), right = std::vector<float>(kScopeFrames);
  std::vector<float> mono = std::vector<float>(kScopeFrames);
  std::size_t scopeValid = 0;    // frames of left/right holding the newest output
  Spectrum spectrum;
  std::vector<float> shownSpectrum_dBFS;  // with a falling peak, so it reads calmly
  std::vector<float> scratch;
};

void drawMetersPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawKeyboardPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawScopePanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawSpectrumPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
void drawSongPanel(PlayerSession& session, const FrameData& frame, DashboardState& state);
// One line for the Load panel: the process's CPU use next to the DSP load, and the CPU
// temperature or "not available".
void drawCpuLine(const FrameData& frame, MetersState& meters);
// A channel's level as a small bar (dB scale, its colour), with its note-on flash.
void drawChannelLevel(int channel, const ChannelStrip& strip, float width);
// Takes this frame's scope snapshot (once per frame, before the panels draw).
void takeScopeSnapshot(PlayerSession& session, MetersState& meters);

}  // namespace awe
