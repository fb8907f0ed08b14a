#pragma once
// The allocation trap's hooks (AllocationTrap.h), which the reading side's libraries
// install: the real-time core names no library above it, they plug in here.
//   - the heap profile (monitor/profiling/HeapProfile.h) sees every allocation and free
//     through a HeapHook while it runs;
//   - the symbolizer (monitor/profiling/Symbolizer.h) turns offender stacks into text for
//     AllocationTrap::symbolize (and so the snapshot's offenderStack).
// [any thread]
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace awe {

class AllocationTrapHooks {
 public:
  AllocationTrapHooks() = delete;

  // Called for every allocation (with its usable size) and every free, on the allocating
  // thread, while installed; never for the trap's own allocations (stack capture,
  // logging), for the hook's own, nor for a thread that excluded itself. nullptr
  // uninstalls. The functions must be callable from inside malloc: no locks.
  struct HeapHook {
    void (*allocated)(void* pointer, std::size_t usable_bytes) noexcept;
    void (*freed)(void* pointer) noexcept;
  };
  static void setHeapHook(const HeapHook* hook) noexcept;
  static const HeapHook* heapHook() noexcept;

  // [the thread itself] While excluded, this thread's allocations are counted as heap
  // but are neither audio-thread offenders nor seen by the heap hook (the profilers' own
  // work). Returns the previous setting.
  static bool excludeThisThread(bool excluded) noexcept;

  // Turns captured frames (innermost first) into one text line each. Without one,
  // AllocationTrap::symbolize gives "0x<address>" per frame.
  using StackSymbolizer = std::vector<std::string> (*)(const void* const* frames, uint32_t count);
  static void setStackSymbolizer(StackSymbolizer symbolizer) noexcept;
};

}  // namespace awe
