#pragma once
// Defaults and fixed capacities of the monitor, in one place (as emu8000/Config.h and
// engine/Config.h hold theirs): what a MonitorConfig starts from. Capacities that belong to
// one structure's layout (Histogram buckets, OutlierTable, StageProfile) stay with it.
#include <cstddef>
#include <cstdint>

namespace awe {

// Buffer size and rate of a Monitor made on its own (tests, tools feeding it synthetic
// times). The engine always passes its driver's; the monitor knows nothing of the engine
// or the synth, so it names the design's numbers (1024 frames at 44.1 kHz) itself.
constexpr uint32_t kMonitorDefaultBufferFrames = 1024;
constexpr double kMonitorDefaultSampleRate = 44100.0;

constexpr std::size_t kDefaultRecorderCapacity = 4096;  // BufferRecords kept (95 s at 1024 frames, 44.1 kHz)
constexpr double kDefaultLoadAttack_s = 0.05;           // smoothed DSP load rises with this time constant
constexpr double kDefaultLoadRelease_s = 1.0;           // ... and falls with this one
constexpr double kDefaultLoadWindow_s = 5.0;            // "worst load" looks back this far
constexpr double kDefaultJitterBandwidth_Hz = 0.1;      // how fast the ideal timeline follows rate drift
// Voice workers (the engine's --threads) whose busy time a BufferRecord holds: --threads 8.
constexpr int kMaxVoiceWorkers = 7;

}  // namespace awe
