#pragma once
// AllocationTrap: counts every heap allocation in the process and catches the ones made on
// the audio thread.
//
// Linking this file's object (any use of the API below pulls it in) replaces the global
// operator new/delete (all forms) and interposes malloc, calloc, realloc, free,
// aligned_alloc, posix_memalign, memalign, valloc and pvalloc; they forward to glibc's
// __libc_* functions. In ASan/TSan builds the sanitizer owns the allocator, so nothing is
// interposed there: the trap installs sanitizer malloc/free hooks instead and counts (and
// aborts) all the same. Heap byte counts use malloc_usable_size() in the interposed build
// and the requested size under a sanitizer; offenders are reported with the requested size.
// Known gap: ThreadSanitizer (GCC 12 / LLVM 14 runtimes) runs no malloc hook for
// aligned_alloc, posix_memalign, memalign, valloc and pvalloc, but does run the free hook
// when such a block is freed, so under TSan those allocations go uncounted and their
// frees make the live bytes read low (never below zero). ASan hooks every function.
//
// All counters are constant-initialised atomics, so the trap works from the first malloc
// of the process, before any constructor runs. Counting costs a few relaxed atomic
// read-modify-writes per allocation on any thread; nothing here allocates or locks on the
// allocation path, and the audio-thread checks only read a thread-local depth counter.
//
// The audio thread: a thread is "audio" while its mark depth is above zero
// (ScopedAudioThread, markAudioThread()/unmarkAudioThread(); Monitor::beginBuffer() and
// endBuffer() also mark the thread for the duration of each buffer). An allocation there
// is counted in total and for the current buffer, and the first one is kept: its size,
// buffer index and a stack captured with libunwind into a fixed array. In Log mode each
// such allocation also writes one line to stderr with write(2); in Abort mode the trap
// writes the offender (size, buffer, raw stack) to stderr with write(2) and calls abort().
// Stacks are symbolised on the reading side only (symbolize(), through the symbolizer
// monitor/profiling/ installs: AllocationHooks.h), because symbolizing allocates.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace awe {

class AllocationTrap {
 public:
  enum class Mode : int {
    Count = 0,  // count audio-thread allocations and keep the first offender
    Log = 1,    // ... and write one line per audio-thread allocation to stderr
    Abort = 2,  // ... and abort the process at the first one
  };
  // How the trap sees allocations in this build.
  enum class Backend : int {
    Interposed = 0,      // malloc family and operator new/delete replaced
    SanitizerHooks = 1,  // ASan/TSan build: sanitizer malloc/free hooks
    Inactive = 2,        // allocations do not reach the trap (run under Valgrind, which
                         // replaces every malloc, or the sanitizer refused the hooks)
  };

  static constexpr std::size_t kMaxStackFrames = 32;

  // Process-wide heap counters. Live bytes can lag a concurrent allocation by a moment.
  struct Counters {
    int64_t liveBytes = 0;
    int64_t peakBytes = 0;
    uint64_t allocations = 0;  // malloc/new calls that returned memory
    uint64_t frees = 0;        // free/delete of a non-null pointer
    // (a successful realloc of a non-null pointer to a non-zero size counts one of each)
    uint64_t audioThreadAllocations = 0;
    uint64_t audioThreadFrees = 0;
  };

  // The first allocation made on an audio thread (since start or the last reset).
  struct Offender {
    bool present = false;
    std::size_t size_bytes = 0;  // as requested
    uint64_t bufferIndex = 0;    // the index passed to the last beginBuffer()
    uint32_t frameCount = 0;
    const void* frames[kMaxStackFrames] = {};  // innermost first (starts inside the trap)
  };

  AllocationTrap() = delete;

  // --- configuration [any thread] ---
  static void setMode(Mode mode) noexcept;
  static Mode mode() noexcept;
  // Probes once (one malloc/free, so not on the audio thread) whether allocations reach
  // the trap; Inactive if they do not.
  static Backend backend() noexcept;

  // Makes libunwind do its one-time set-up now, so capturing the first offender's stack
  // later does nothing lazy. The Monitor constructor calls it; call it yourself before
  // the audio thread starts if you use the trap without a Monitor. [any thread]
  static void prepareStackCapture() noexcept;

  // --- marking the audio thread [the thread being marked] ---
  // Marks nest (a depth counter). The first mark on a thread also warms libunwind's
  // per-thread state, so mark the audio thread once when it starts (before its first
  // buffer) to keep that cost out of the buffers.
  static void markAudioThread() noexcept;
  static void unmarkAudioThread() noexcept;
  static bool isAudioThread() noexcept;

  class ScopedAudioThread {
   public:
    ScopedAudioThread() noexcept { markAudioThread(); }
    ~ScopedAudioThread() { unmarkAudioThread(); }
    ScopedAudioThread(const ScopedAudioThread&) = delete;
    ScopedAudioThread& operator=(const ScopedAudioThread&) = delete;
  };

  // --- per buffer [audio thread] ---
  // Starts buffer `index`: offenders are attributed to it and the per-buffer count restarts.
  static void beginBuffer(uint64_t index) noexcept;
  // Audio-thread allocations since the last beginBuffer().
  static uint64_t bufferAllocations() noexcept;

  // --- reading [any thread] ---
  static Counters counters() noexcept;
  // Single counters, one relaxed load each (for the per-buffer path).
  static uint64_t audioThreadAllocationCount() noexcept;
  static int64_t liveBytes() noexcept;
  static Offender firstOffender() noexcept;
  // One line per frame, from the installed stack symbolizer (AllocationHooks.h; the Engine
  // installs monitor/profiling/'s libdw one), else "0x<address>" per frame.
  // Allocates: never call it on the audio thread.
  static std::vector<std::string> symbolize(const Offender& offender);

  // Zeroes the audio-thread counts and forgets the offender. Only while no audio thread
  // is running (tests, or between runs of a tool). [any thread]
  static void resetAudioThreadRecord() noexcept;
  // Sets the peak to the current live bytes (to measure the peak of one phase). [any thread]
  static void resetPeak() noexcept;

 private:
  static Backend configuredBackend() noexcept;
};

// [any thread] The names the reports give a mode and a backend (JSON "trap_mode" and
// "trap_backend", the text report).
inline const char* trapModeName(AllocationTrap::Mode mode) noexcept {
  switch (mode) {
    case AllocationTrap::Mode::Count: return "count";
    case AllocationTrap::Mode::Log: return "log";
    case AllocationTrap::Mode::Abort: return "abort";
  }
  return "unknown";
}
inline const char* trapBackendName(AllocationTrap::Backend backend) noexcept {
  switch (backend) {
    case AllocationTrap::Backend::Interposed: return "interposed";
    case AllocationTrap::Backend::SanitizerHooks: return "sanitizer_hooks";
    case AllocationTrap::Backend::Inactive: return "inactive";
  }
  return "unknown";
}

}  // namespace awe
