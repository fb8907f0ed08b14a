// The paced-clock driver: a thread of its own that wakes at absolute deadlines
// (start + i x buffer period) and renders one buffer each time; real-time priority when
// the system allows it. For machines without any audio device; the audio goes nowhere.
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "engine/Config.h"
#include "engine/DriverFactory.h"
#include "monitor/Clock.h"

namespace awe {
namespace {

class PacedClockDriver final : public AudioDriver {
 public:
  explicit PacedClockDriver(const DriverSettings& settings)
      : settings_(settings),
        period_ns_(static_cast<int64_t>(1e9 * settings.bufferFrames / settings.sampleRate)),
        left_(settings.bufferFrames),
        right_(settings.bufferFrames) {
    if (settings.bufferFrames == 0 || !(settings.sampleRate > 0.0)) {
      throw DriverError("paced clock: buffer size and sample rate must be positive");
    }
  }
  ~PacedClockDriver() override { stop(); }

  void start(AudioCallback& callback) override {
    if (thread_.joinable()) return;
    callback_ = &callback;
    stopRequested_.store(false);
    thread_ = std::thread([this] { run(); });
  }

  void stop() override {
    stopRequested_.store(true);
    if (thread_.joinable()) thread_.join();
    callback_ = nullptr;
  }

  bool running() const override { return thread_.joinable() && !stopRequested_.load(); }
  std::string kind() const override { return "paced"; }
  std::string description() const override {
    return std::string("paced clock (no audio device; ") + (realtime_.load() ? "real-time priority" : "normal priority") +
           ")";
  }
  double sampleRate() const override { return settings_.sampleRate; }
  uint32_t bufferFrames() const override { return settings_.bufferFrames; }
  // The rendered buffer would be handed over at the next deadline.
  double outputLatency_s() const override { return static_cast<double>(settings_.bufferFrames) / settings_.sampleRate; }
  uint64_t xruns() const override { return xruns_.load(std::memory_order_relaxed); }
  bool realtime() const override { return realtime_.load(std::memory_order_relaxed); }

 private:
  void run() {
    if (settings_.realtimePriority) {
      sched_param param{};
      param.sched_priority = kAudioThreadPriority;
      realtime_.store(pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0);
    }
    pthread_setname_np(pthread_self(), "awe-audio");
    callback_->audioThreadStarted();
    int64_t deadline = monotonicNanoseconds();
    bool lateSinceLast = false;
    while (!stopRequested_.load(std::memory_order_relaxed)) {
      const timespec wake{static_cast<time_t>(deadline / 1000000000), static_cast<long>(deadline % 1000000000)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, nullptr) == EINTR) {
      }
      DriverCallbackInfo info;
      info.start_ns = monotonicNanoseconds();
      info.xrun = lateSinceLast;
      lateSinceLast = false;
      callback_->process(left_.data(), right_.data(), settings_.bufferFrames, info);
      deadline += period_ns_;
      // Woken (or finished) so late that a whole period was lost: a hardware device would
      // have played silence. Count it as the driver's xrun and pick up the timeline.
      const int64_t now = monotonicNanoseconds();
      if (now > deadline + period_ns_) {
        xruns_.fetch_add(1, std::memory_order_relaxed);
        lateSinceLast = true;
        deadline = now;
      }
    }
    callback_->audioThreadFinished();
  }

  DriverSettings settings_;
  int64_t period_ns_;
  std::vector<float> left_, right_;
  AudioCallback* callback_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stopRequested_{false};
  std::atomic<bool> realtime_{false};
  std::atomic<uint64_t> xruns_{0};
};

}  // namespace

std::unique_ptr<AudioDriver> makePacedClockDriver(const DriverSettings& settings) {
  return std::make_unique<PacedClockDriver>(settings);
}

}  // namespace awe
