#pragma once
// LoadMeter: turns the raw DSP load of each buffer (busy / budget) into
//  - a smoothed load: an exponential moving average with a fast attack and a slow release,
//    whose time constants are in seconds, so the curve is the same at any buffer size
//    (each buffer of duration d moves the average by 1 - exp(-d / tau) of the gap);
//  - the worst raw load of the last `window` seconds, kept as the maxima of 8 time blocks
//    of window/8 each (so the window really spans between 7/8 and 8/8 of its length).
// Plain state owned by one thread (the audio thread); nothing allocates.
#include <cstdint>

namespace awe {

class LoadMeter {
 public:
  LoadMeter(double attack_s, double release_s, double window_s) noexcept;

  // [owner thread] One buffer: its raw load, its duration (frames / rate) and its start.
  void update(double load, double duration_s, int64_t start_ns) noexcept;
  // [owner thread] Changes the window length; forgets the worst values seen so far.
  void setWindow(double window_s) noexcept;

  double smoothed() const noexcept { return smoothed_; }  // [audio thread]
  double windowWorst() const noexcept { return windowWorst_; }  // [audio thread]
  double window_s() const noexcept { return window_s_; }  // [audio thread]

 private:
  static constexpr int kBlocks = 8;
  struct Block {
    int64_t id = INT64_MIN;
    double worst = 0.0;
  };

  double attack_s_;
  double release_s_;
  double cachedDuration_s_ = -1.0;
  double attackWeight_ = 1.0;
  double releaseWeight_ = 1.0;
  double smoothed_ = 0.0;

  void enterBlock(int64_t start_ns) noexcept;

  double window_s_ = 0.0;
  int64_t blockLength_ns_ = 1;
  Block blocks_[kBlocks];
  int64_t currentBlock_ = INT64_MIN;
  int currentSlot_ = 0;
  int64_t currentBlockStart_ns_ = 0;  // buffers starting in [start, end) stay in the block
  int64_t currentBlockEnd_ns_ = INT64_MIN;
  double windowWorst_ = 0.0;
};

}  // namespace awe
