#pragma once
// Parking the process callback of awe's own JACK clients (JackCapture, JackMidiPort) before
// jack_deactivate.
//
// jack_deactivate cancels the process thread asynchronously (JACK2's JackClient::Deactivate
// kills it), and a forced unwind through a noexcept frame is std::terminate. So each client's
// process trampoline (a static function, not noexcept) asks parkedHere() first and returns
// at once when parked; before deactivating, the control thread calls park(), which waits
// for one cycle that has seen the request. The cancel then lands in the trampoline, never
// inside the client's noexcept process().
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "monitor/Clock.h"

namespace awe {

class JackProcessPark {
 public:
  // [JACK process thread] First thing in the trampoline: true when asked to park (then
  // return 0 without processing).
  bool parkedHere() noexcept {
    if (!requested_.load(std::memory_order_acquire)) return false;
    parked_.store(true, std::memory_order_release);
    return true;
  }
  // [control thread] Asks, and waits for a cycle that saw it: half a second at most (a
  // server that stopped calling back has no callback left to cancel).
  void park(int64_t timeout_ns = 500'000'000) {
    parked_.store(false, std::memory_order_relaxed);
    requested_.store(true, std::memory_order_release);
    const int64_t giveUp_ns = monotonicNanoseconds() + timeout_ns;
    while (!parked_.load(std::memory_order_acquire) && monotonicNanoseconds() < giveUp_ns) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  // [control thread] After jack_deactivate: the next activation processes again.
  void unpark() noexcept { requested_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> requested_{false};
  std::atomic<bool> parked_{false};
};

}  // namespace awe
