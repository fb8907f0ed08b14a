#include "monitor/LoadMeter.h"

#include <algorithm>
#include <cmath>

namespace awe {
namespace {

// The share of the gap one step of duration_s closes for a time constant tau_s.
double stepWeight(double duration_s, double tau_s) noexcept {  // [audio thread]
  if (!(tau_s > 0.0)) return 1.0;
  return 1.0 - std::exp(-duration_s / tau_s);
}

int64_t floorDivide(int64_t value, int64_t divisor) noexcept {  // [audio thread]
  const int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

}  // namespace

LoadMeter::LoadMeter(double attack_s, double release_s, double window_s) noexcept
    : attack_s_(attack_s), release_s_(release_s) {
  setWindow(window_s);
}

void LoadMeter::setWindow(double window_s) noexcept {  // [audio thread]
  window_s_ = window_s > 0.0 ? window_s : 1.0;
  blockLength_ns_ = std::max<int64_t>(1, static_cast<int64_t>(window_s_ * 1e9 / kBlocks));
  for (Block& block : blocks_) block = Block{};
  currentBlock_ = INT64_MIN;
  currentBlockEnd_ns_ = INT64_MIN;
  windowWorst_ = 0.0;
}

// The divisions happen here, once per block (window / 8), not once per buffer.
void LoadMeter::enterBlock(int64_t start_ns) noexcept {  // [audio thread]
  currentBlock_ = floorDivide(start_ns, blockLength_ns_);
  currentBlockStart_ns_ = currentBlock_ * blockLength_ns_;
  currentBlockEnd_ns_ = currentBlockStart_ns_ + blockLength_ns_;
  currentSlot_ = static_cast<int>(((currentBlock_ % kBlocks) + kBlocks) % kBlocks);
  Block& block = blocks_[currentSlot_];
  block.id = currentBlock_;
  block.worst = 0.0;
  windowWorst_ = 0.0;
  for (const Block& candidate : blocks_) {
    if (candidate.id != INT64_MIN && candidate.id > currentBlock_ - kBlocks && candidate.id <= currentBlock_) {
      windowWorst_ = std::max(windowWorst_, candidate.worst);
    }
  }
}

void LoadMeter::update(double load, double duration_s, int64_t start_ns) noexcept {  // [audio thread]
  if (duration_s != cachedDuration_s_) {  // only when the buffer size changes
    cachedDuration_s_ = duration_s;
    attackWeight_ = stepWeight(duration_s, attack_s_);
    releaseWeight_ = stepWeight(duration_s, release_s_);
  }
  smoothed_ += (load > smoothed_ ? attackWeight_ : releaseWeight_) * (load - smoothed_);

  if (start_ns >= currentBlockEnd_ns_ || start_ns < currentBlockStart_ns_) enterBlock(start_ns);
  Block& block = blocks_[currentSlot_];
  block.worst = std::max(block.worst, load);
  windowWorst_ = std::max(windowWorst_, load);
}

}  // namespace awe
