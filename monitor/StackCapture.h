#pragma once
// Stack capture shared by the allocation trap and the sampling profiler (monitor-internal).
// libunwind's local unwinder; async-signal-safe once warmed up on the thread, as long as
// it is not re-entered on the same thread: a signal handler that interrupts a capture must
// not start another, which captureInProgress() tells it.
#include <cstddef>

namespace awe::stackcapture {

// Fills `frames` with the return addresses of the calling thread, innermost first (the
// first ones are inside the caller). Returns how many. [any thread, async-signal-safe
// once warm, no allocation]
int capture(void** frames, int maxFrames) noexcept;

// True while this thread is inside capture() (read it from a signal handler).
bool captureInProgress() noexcept;

// Does libunwind's one-time and per-thread set-up now. [any thread]
void warm() noexcept;

}  // namespace awe::stackcapture
