#pragma once
// JackCapture: a JACK client of our own with audio inputs, to hear what a synth really
// puts out (awe-latency's loopback). Each input runs an OnsetDetector inside the JACK
// process callback and hands every onset, with its JACK frame and its time on the
// monotonic clock, to the control thread through a lock-free queue. No audio is copied.
//
// Times: jack2 keeps time on CLOCK_MONOTONIC_RAW, the engine (monitor/Clock.h) on
// steady_clock (CLOCK_MONOTONIC); the two differ by a constant plus the NTP slew. Each
// process cycle reads both clocks back to back and converts the cycle's frame times with
// that fresh offset, so an onset's time is good to a microsecond or so on the engine's clock.
// Within a cycle, sample j of a cycle starting at frame F is at JACK's estimate of F's
// time plus j periods of the cycle's (DLL-smoothed) sample clock: no wake-up jitter.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/JackProcessPark.h"
#include "engine/OnsetDetector.h"

namespace awe {

struct CapturedOnset {
  uint32_t input = 0;     // which of our inputs heard it
  uint64_t frame = 0;     // JACK frame time of its first sample (unwrapped to 64 bits)
  int64_t time_ns = 0;    // the same instant on monotonicNanoseconds()' clock
  float level = 0.0f;     // magnitude of that sample
};

// JACK's latency range of a port, in frames.
struct PortLatency {
  uint32_t min_frames = 0;
  uint32_t max_frames = 0;
};

class JackCapture {
 public:
  // [control thread] Opens a client (never starts a server) with `inputs` audio inputs
  // named in_1 .. in_N. Throws std::runtime_error saying why JACK refused.
  JackCapture(const std::string& clientName, uint32_t inputs, const OnsetDetectorSettings& detector,
              std::size_t onsetCapacity = 4096);
  ~JackCapture();
  JackCapture(const JackCapture&) = delete;
  JackCapture& operator=(const JackCapture&) = delete;

  // [control thread] Starts and stops the process callback.
  void start();
  void stop();

  // [control thread] Connects input `input` to an audio output port: its full name, or a
  // part of one that matches exactly one port. Throws listing the candidates otherwise.
  void connect(uint32_t input, const std::string& source);
  // [control thread] Audio output ports whose full name matches the regular expression
  // (JACK's own matching; empty = all), physical ones (capture devices) marked by the flag.
  struct PortInfo {
    std::string name;
    bool physical = false;
  };
  std::vector<PortInfo> audioOutputPorts(const std::string& pattern = {}) const;
  // The source connected to `input` ("" when none) and its JACK latencies.
  std::string source(uint32_t input) const;
  PortLatency sourcePlaybackLatency(uint32_t input) const;  // from the port to the DAC
  PortLatency sourceCaptureLatency(uint32_t input) const;   // from the ADC to the port
  bool sourceIsPhysical(uint32_t input) const;              // a capture device (a cable loop)

  // [one reading thread] The next onset, oldest first.
  bool popOnset(CapturedOnset& out);

  std::string clientName() const;
  double sampleRate() const;
  uint32_t bufferFrames() const;
  uint64_t cycles() const { return cycles_.load(std::memory_order_relaxed); }
  uint64_t xruns() const { return xruns_.load(std::memory_order_relaxed); }
  uint64_t onsetDrops() const { return onsetDrops_.load(std::memory_order_relaxed); }
  // The latest JACK frame time seen by the process callback (0 before the first cycle).
  uint64_t lastFrame() const { return lastFrame_.load(std::memory_order_relaxed); }

 private:
  // Not noexcept: stop() parks the callback here before jack_deactivate cancels its
  // thread (engine/JackProcessPark.h).
  static int onProcess(uint32_t frames, void* self);
  static int onXrun(void* self) noexcept;
  int process(uint32_t frames) noexcept;

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<uint64_t> cycles_{0};
  std::atomic<uint64_t> xruns_{0};
  std::atomic<uint64_t> onsetDrops_{0};
  std::atomic<uint64_t> lastFrame_{0};
  JackProcessPark park_;
};

}  // namespace awe
