#pragma once
// Playing a song as fast as possible (awe-render, tests) through the Engine's offline
// driver: the same Engine::process that awe-bench --pace freewheel measures and the player
// runs, so the reference render and the benchmark time one code path.
#include <cstddef>
#include <csignal>
#include <cstdint>
#include <functional>

#include "emu8000/Synth.h"
#include "engine/Engine.h"

namespace awe {

// When a render ends: after the song, once no voice sounds and the output (reverb and
// chorus tails included) has stayed below kRenderSilence_dBFS for kRenderQuietWindow_s
// (longer than the gap between the Delay reverb's echoes), or at once when the effects hold
// nothing; then a kRenderFade_s fade to zero. If the tail reaches maxTail_s first it fades
// out there instead.
constexpr double kRenderSilence_dBFS = -90.0;
constexpr double kRenderQuietWindow_s = 0.5;
constexpr double kRenderFade_s = 0.01;

struct OfflineRenderSettings {
  double maxTail_s = 10.0;  // after the song ends, render until silence or this long at most
  // Stop after this many frames (awe-render --max-length); 0 = no limit.
  size_t maxFrames = 0;
  // Checked after every block; a signal handler sets it (awe-render on Ctrl-C).
  const volatile std::sig_atomic_t* stopRequested = nullptr;
};

// Why a render ended.
enum class RenderEnd { Finished, MaxLength, Stopped };

struct OfflineRenderResult {
  size_t frames = 0;
  double audio_s = 0.0;
  double wall_s = 0.0;
  uint64_t voiceSamples = 0;  // sum over blocks of active voices x frames
  int maxVoices = 0;
  float peak = 0.0f;          // largest absolute output sample
  SynthCounters counters;
  RenderEnd end = RenderEnd::Finished;
  double timesRealTime() const { return wall_s > 0.0 ? audio_s / wall_s : 0.0; }
};

using AudioSink = std::function<void(const float* left, const float* right, size_t frames)>;
using ProgressCallback = std::function<void(double done_s, double total_s)>;

// The settings of an engine for renderSong: the offline driver at the synth's sample rate
// and polyphony, `bufferFrames` frames per block.
EngineSettings offlineEngineSettings(const SynthSettings& synth, uint32_t bufferFrames = 1024);

// [control thread] Plays the engine's song from the start, then the release and effect
// tails until silence (above); every block (one engine buffer) goes to `sink` (may be
// empty), progress after each block. The engine runs the offline driver
// (offlineEngineSettings) with its bank and song set; renderSong starts it when it is not
// running. Stage spans, when switched on (Engine::setStageSpans), record every block.
OfflineRenderResult renderSong(Engine& engine, const OfflineRenderSettings& settings, const AudioSink& sink,
                               const ProgressCallback& progress = {});

}  // namespace awe
