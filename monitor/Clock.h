#pragma once
// The monitor's one clock: steady, in nanoseconds. [any thread]
#include <chrono>
#include <cstdint>

namespace awe {

inline int64_t monotonicNanoseconds() noexcept {  // [audio thread]
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace awe
