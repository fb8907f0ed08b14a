#include "engine/OfflineDriver.h"

#include "monitor/Clock.h"

namespace awe {

OfflineDriver::OfflineDriver(const DriverSettings& settings)
    : settings_(settings), left_(settings.bufferFrames), right_(settings.bufferFrames) {}

void OfflineDriver::start(AudioCallback& callback) { callback_ = &callback; }

void OfflineDriver::stop() { callback_ = nullptr; }

void OfflineDriver::run(uint64_t buffers, size_t frames, Sink sink, void* context) {
  if (callback_ == nullptr) throw DriverError("offline driver: run() before start()");
  if (frames == 0 || frames > settings_.bufferFrames) frames = settings_.bufferFrames;
  callback_->audioThreadStarted();
  for (uint64_t i = 0; i < buffers; ++i) {
    DriverCallbackInfo info;
    info.start_ns = monotonicNanoseconds();
    callback_->process(left_.data(), right_.data(), frames, info);
    if (sink != nullptr) {
      // The sink is the caller's (file writing, collecting): not audio-thread code.
      callback_->audioThreadFinished();
      sink(context, left_.data(), right_.data(), frames);
      callback_->audioThreadStarted();
    }
  }
  callback_->audioThreadFinished();
}

}  // namespace awe
