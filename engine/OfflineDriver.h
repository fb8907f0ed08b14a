#pragma once
// The offline driver: renders when told to, as fast as possible, on the calling thread
// (awe-render, awe-bench --pace freewheel, tests). The Engine reaches it through
// Engine::runOffline().
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/AudioDriver.h"

namespace awe {

class OfflineDriver final : public AudioDriver {
 public:
  // Where each rendered buffer goes: the caller's code (file writing, collecting), run off
  // the audio thread's books (the allocation trap and the CPU profiler's scope).
  using Sink = void (*)(void* context, const float* left, const float* right, size_t frames);

  explicit OfflineDriver(const DriverSettings& settings);
  void start(AudioCallback& callback) override;
  void stop() override;
  bool running() const override { return callback_ != nullptr; }
  std::string kind() const override { return "offline"; }
  std::string description() const override { return "offline (as fast as possible)"; }
  double sampleRate() const override { return settings_.sampleRate; }
  uint32_t bufferFrames() const override { return settings_.bufferFrames; }
  double outputLatency_s() const override { return 0.0; }
  uint64_t xruns() const override { return 0; }
  bool realtime() const override { return false; }
  // [the calling thread is the audio thread for the duration] Renders `buffers` buffers
  // back to back, each of `frames` frames (0 or more than bufferFrames(): bufferFrames();
  // fewer ends a render exactly where it must); each is handed to `sink` afterwards when
  // given. Throws DriverError before start().
  void run(uint64_t buffers, size_t frames = 0, Sink sink = nullptr, void* context = nullptr);

 private:
  DriverSettings settings_;
  AudioCallback* callback_ = nullptr;
  std::vector<float> left_, right_;
};

}  // namespace awe
