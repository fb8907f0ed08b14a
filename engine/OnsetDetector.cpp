#include "engine/OnsetDetector.h"

#include <cmath>

namespace awe {

std::size_t OnsetDetector::process(const float* samples, std::size_t frames, uint64_t firstFrame, Onset* out,
                                   std::size_t capacity) noexcept {
  if (started_ && firstFrame != nextFrame_) quietFrames_ = 0;  // missing audio: start over
  started_ = true;
  nextFrame_ = firstFrame + frames;
  std::size_t found = 0;
  for (std::size_t i = 0; i < frames; ++i) {
    const float magnitude = std::fabs(samples[i]);
    if (!(magnitude > settings_.threshold)) {  // NaN counts as quiet
      if (quietFrames_ < settings_.holdFrames) ++quietFrames_;
      continue;
    }
    if (quietFrames_ >= settings_.holdFrames) {
      if (found < capacity) {
        out[found++] = Onset{firstFrame + i, magnitude};
      } else {
        ++dropped_;
      }
    }
    quietFrames_ = 0;
  }
  return found;
}

void OnsetDetector::reset() noexcept {
  quietFrames_ = 0;
  started_ = false;
  dropped_ = 0;
}

}  // namespace awe
