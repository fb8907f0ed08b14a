#include "emu8000/StageSpans.h"

#include <algorithm>
#include <thread>

namespace awe {

SpanRecorder::SpanRecorder(std::size_t capacity)
    : entries_(std::clamp<std::size_t>(capacity, 1, UINT32_MAX - 1)),
      capacity_(static_cast<uint32_t>(entries_.size())) {
#if AWE_SPAN_TSC
  // Ticks per nanosecond from two readings of both clocks 10 ms apart: the steady clock's
  // reading error (tens of ns) is then a few parts per million of the rate.
  using Clock = std::chrono::steady_clock;
  const auto ns0 = Clock::now();
  const int64_t ticks0 = now();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto ns1 = Clock::now();
  const int64_t ticks1 = now();
  const double elapsed_ns = std::chrono::duration<double, std::nano>(ns1 - ns0).count();
  if (ticks1 > ticks0 && elapsed_ns > 0.0) nsPerTick_ = elapsed_ns / static_cast<double>(ticks1 - ticks0);
#endif
}

}  // namespace awe
