#include "monitor/AllocationTrap.h"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "monitor/AllocationHooks.h"
#include "monitor/StackCapture.h"

// A sanitizer owns malloc and operator new: interposing them would bypass its checks (or
// crash). There the trap counts through the sanitizer's malloc/free hooks instead.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AWE_TRAP_SANITIZER_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define AWE_TRAP_SANITIZER_HOOKS 1
#endif
#endif
#ifndef AWE_TRAP_SANITIZER_HOOKS
#define AWE_TRAP_SANITIZER_HOOKS 0
#endif

namespace awe {
namespace {

// Everything below is constant-initialised (no constructor runs), so it is valid for the
// very first malloc of the process, whatever the static-initialisation order.
struct alignas(64) HeapCounters {
  std::atomic<int64_t> liveBytes{0};
  std::atomic<int64_t> peakBytes{0};
  std::atomic<uint64_t> allocations{0};
  std::atomic<uint64_t> frees{0};
};

struct alignas(64) AudioCounters {
  std::atomic<uint64_t> allocations{0};
  std::atomic<uint64_t> frees{0};
  std::atomic<uint64_t> bufferAllocations{0};
  std::atomic<uint64_t> bufferIndex{0};
  std::atomic<int> mode{static_cast<int>(AllocationTrap::Mode::Count)};
};

// The first offender. `state` 0 = empty, 1 = being written, 2 = complete; the thread that
// moves it 0 → 1 owns the plain fields until it publishes 2 (release).
struct OffenderSlot {
  std::atomic<int> state{0};
  std::size_t size_bytes = 0;
  uint64_t bufferIndex = 0;
  uint32_t frameCount = 0;
  void* frames[AllocationTrap::kMaxStackFrames] = {};
};

HeapCounters g_heap;
AudioCounters g_audio;
OffenderSlot g_offender;

// initial-exec TLS: reading it never calls __tls_get_addr (which may itself allocate).
__attribute__((tls_model("initial-exec"))) thread_local int t_audioDepth = 0;
// Set while the trap's own code runs on this thread (stack capture, logging): allocations
// made by libunwind or the C library in there are counted as heap, never as offenders.
__attribute__((tls_model("initial-exec"))) thread_local bool t_insideTrap = false;
__attribute__((tls_model("initial-exec"))) thread_local bool t_unwinderWarm = false;

// Fills `frames` with the return addresses of the calling thread, innermost first.
// [audio thread]
int captureStack(void** frames, int maxFrames) noexcept { return stackcapture::capture(frames, maxFrames); }

constexpr int kOffenderEmpty = 0;
constexpr int kOffenderWriting = 1;
constexpr int kOffenderComplete = 2;

// --- allocation-free message building for write(2) ---

class MessageBuffer {
 public:
  void append(const char* text) noexcept {
    while (*text != '\0' && length_ < sizeof(text_)) text_[length_++] = *text++;
  }
  void appendUnsigned(uint64_t value) noexcept {
    char digits[24];
    std::size_t count = 0;
    do {
      digits[count++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (count > 0 && length_ < sizeof(text_)) text_[length_++] = digits[--count];
  }
  void appendHex(uint64_t value) noexcept {
    static const char kHex[] = "0123456789abcdef";
    char digits[20];
    std::size_t count = 0;
    do {
      digits[count++] = kHex[value & 0xF];
      value >>= 4;
    } while (value != 0);
    append("0x");
    while (count > 0 && length_ < sizeof(text_)) text_[length_++] = digits[--count];
  }
  void writeToStderr() const noexcept {
    std::size_t written = 0;
    while (written < length_) {
      const ssize_t result = ::write(STDERR_FILENO, text_ + written, length_ - written);
      if (result < 0 && errno == EINTR) continue;
      if (result <= 0) return;
      written += static_cast<std::size_t>(result);
    }
  }

 private:
  char text_[4096];
  std::size_t length_ = 0;
};

void appendFrame(MessageBuffer& message, uint32_t number, void* frame) noexcept {
  message.append("  #");
  message.appendUnsigned(number);
  message.append(" ");
  message.appendHex(reinterpret_cast<uintptr_t>(frame));
  // dladdr takes the loader's (recursive) lock but does not allocate; the names stay
  // mangled because the demangler allocates.
  Dl_info info{};
  if (dladdr(frame, &info) != 0) {
    if (info.dli_sname != nullptr) {
      message.append(" ");
      message.append(info.dli_sname);
    }
    if (info.dli_fname != nullptr) {
      message.append(" (");
      message.append(info.dli_fname);
      message.append(")");
    }
  }
  message.append("\n");
}

[[noreturn]] void abortForAudioThreadAllocation(std::size_t size_bytes, uint64_t bufferIndex) noexcept {
  void* frames[AllocationTrap::kMaxStackFrames];
  const int frameCount = captureStack(frames, static_cast<int>(AllocationTrap::kMaxStackFrames));
  MessageBuffer message;
  message.append("awe: AllocationTrap (Abort mode): allocation of ");
  message.appendUnsigned(size_bytes);
  message.append(" bytes on the audio thread in buffer ");
  message.appendUnsigned(bufferIndex);
  message.append("\nawe: stack (innermost first):\n");
  for (int i = 0; i < frameCount; ++i) appendFrame(message, static_cast<uint32_t>(i), frames[i]);
  message.writeToStderr();
  std::abort();
}

void logAudioThreadAllocation(std::size_t size_bytes, uint64_t bufferIndex, uint64_t ordinal) noexcept {
  MessageBuffer message;
  message.append("awe: audio-thread allocation #");
  message.appendUnsigned(ordinal);
  message.append(": ");
  message.appendUnsigned(size_bytes);
  message.append(" bytes in buffer ");
  message.appendUnsigned(bufferIndex);
  message.append("\n");
  message.writeToStderr();
}

// Rare path, kept out of line so the common allocation path stays small.
__attribute__((noinline, cold)) void onAudioThreadAllocation(std::size_t size_bytes) noexcept {
  if (t_insideTrap) return;
  t_insideTrap = true;
  const uint64_t ordinal = g_audio.allocations.fetch_add(1, std::memory_order_relaxed) + 1;
  g_audio.bufferAllocations.fetch_add(1, std::memory_order_relaxed);
  const uint64_t bufferIndex = g_audio.bufferIndex.load(std::memory_order_relaxed);
  int expected = kOffenderEmpty;
  if (g_offender.state.compare_exchange_strong(expected, kOffenderWriting, std::memory_order_acquire,
                                               std::memory_order_relaxed)) {
    g_offender.size_bytes = size_bytes;
    g_offender.bufferIndex = bufferIndex;
    const int frameCount = captureStack(g_offender.frames, static_cast<int>(AllocationTrap::kMaxStackFrames));
    g_offender.frameCount = frameCount > 0 ? static_cast<uint32_t>(frameCount) : 0;
    g_offender.state.store(kOffenderComplete, std::memory_order_release);
  }
  const auto mode = static_cast<AllocationTrap::Mode>(g_audio.mode.load(std::memory_order_relaxed));
  if (mode == AllocationTrap::Mode::Log) logAudioThreadAllocation(size_bytes, bufferIndex, ordinal);
  if (mode == AllocationTrap::Mode::Abort) abortForAudioThreadAllocation(size_bytes, bufferIndex);
  t_insideTrap = false;
}

void raisePeak(int64_t live) noexcept {
  int64_t peak = g_heap.peakBytes.load(std::memory_order_relaxed);
  while (live > peak &&
         !g_heap.peakBytes.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
}

// ---- the heap profile's hook (monitor/profiling/HeapProfile.h installs it) ---------------
// Null unless a heap profile runs. The hook records with t_insideTrap set, so the stack
// capture's own allocations are neither profiled nor counted as offenders.

std::atomic<const AllocationTrapHooks::HeapHook*> g_heapHook{nullptr};
// The reading side's symbolizer for offender stacks (monitor/profiling/Symbolizer.h installs it).
std::atomic<AllocationTrapHooks::StackSymbolizer> g_stackSymbolizer{nullptr};

__attribute__((noinline)) void recordHeapAllocation(void* pointer, std::size_t size_bytes) noexcept {
  const AllocationTrapHooks::HeapHook* hook = g_heapHook.load(std::memory_order_acquire);
  if (hook == nullptr || pointer == nullptr || t_insideTrap) return;
  t_insideTrap = true;
  hook->allocated(pointer, size_bytes);
  t_insideTrap = false;
}

__attribute__((noinline)) void recordHeapFree(void* pointer) noexcept {
  const AllocationTrapHooks::HeapHook* hook = g_heapHook.load(std::memory_order_acquire);
  if (hook == nullptr || pointer == nullptr || t_insideTrap) return;
  hook->freed(pointer);
}

inline bool heapRecording() noexcept {
  return __builtin_expect(g_heapHook.load(std::memory_order_relaxed) != nullptr, 0);
}

// usable_bytes moves the heap counters; requested_bytes is what an offender is reported with.
inline void noteAllocation(void* pointer, std::size_t usable_bytes, std::size_t requested_bytes) noexcept {
  const auto size = static_cast<int64_t>(usable_bytes);
  raisePeak(g_heap.liveBytes.fetch_add(size, std::memory_order_relaxed) + size);
  g_heap.allocations.fetch_add(1, std::memory_order_relaxed);
  if (__builtin_expect(t_audioDepth > 0, 0)) onAudioThreadAllocation(requested_bytes);
  if (heapRecording()) recordHeapAllocation(pointer, usable_bytes);
}

// Called before the block goes back to the allocator, so its address cannot have been
// handed out again yet (the live-block table stays exact).
inline void noteFree(void* pointer, std::size_t size_bytes) noexcept {
  if (heapRecording()) recordHeapFree(pointer);
  g_heap.liveBytes.fetch_sub(static_cast<int64_t>(size_bytes), std::memory_order_relaxed);
  g_heap.frees.fetch_add(1, std::memory_order_relaxed);
  if (__builtin_expect(t_audioDepth > 0, 0) && !t_insideTrap) {
    g_audio.frees.fetch_add(1, std::memory_order_relaxed);
  }
}

#if !AWE_TRAP_SANITIZER_HOOKS  // (only the interposed realloc below calls it)
// One free and one allocation, applied to the live bytes as a single change so the peak
// never counts the old and the new block at once.
inline void noteReallocation(void* pointer, std::size_t oldSize_bytes, std::size_t newSize_bytes,
                             std::size_t requested_bytes) noexcept {
  const int64_t change = static_cast<int64_t>(newSize_bytes) - static_cast<int64_t>(oldSize_bytes);
  raisePeak(g_heap.liveBytes.fetch_add(change, std::memory_order_relaxed) + change);
  g_heap.allocations.fetch_add(1, std::memory_order_relaxed);
  g_heap.frees.fetch_add(1, std::memory_order_relaxed);
  if (__builtin_expect(t_audioDepth > 0, 0)) {
    if (!t_insideTrap) g_audio.frees.fetch_add(1, std::memory_order_relaxed);
    onAudioThreadAllocation(requested_bytes);
  }
  if (heapRecording()) recordHeapAllocation(pointer, newSize_bytes);
}
#endif

void warmUnwinder() noexcept {  // [audio thread]
  const bool wasInside = t_insideTrap;
  t_insideTrap = true;
  void* frames[4];
  captureStack(frames, 4);
  t_insideTrap = wasInside;
}

}  // namespace

// --- the API ---

void AllocationTrap::setMode(Mode mode) noexcept {
  g_audio.mode.store(static_cast<int>(mode), std::memory_order_relaxed);
}

AllocationTrap::Mode AllocationTrap::mode() noexcept {
  return static_cast<Mode>(g_audio.mode.load(std::memory_order_relaxed));
}

void AllocationTrap::prepareStackCapture() noexcept { warmUnwinder(); }

void AllocationTrap::markAudioThread() noexcept {  // [audio thread]
  if (!t_unwinderWarm) {
    t_unwinderWarm = true;
    warmUnwinder();
  }
  ++t_audioDepth;
}

void AllocationTrap::unmarkAudioThread() noexcept {  // [audio thread]
  if (t_audioDepth > 0) --t_audioDepth;
}

bool AllocationTrap::isAudioThread() noexcept { return t_audioDepth > 0; }

void AllocationTrap::beginBuffer(uint64_t index) noexcept {  // [audio thread]
  g_audio.bufferIndex.store(index, std::memory_order_relaxed);
  g_audio.bufferAllocations.store(0, std::memory_order_relaxed);
}

uint64_t AllocationTrap::bufferAllocations() noexcept {
  return g_audio.bufferAllocations.load(std::memory_order_relaxed);
}

AllocationTrap::Backend AllocationTrap::backend() noexcept {
  // Checked once: whether a malloc through the public symbol reaches the counters. It
  // does not under Valgrind (which redirects every malloc, ours included) or when the
  // sanitizer refused the hooks.
  enum : int { kUnknown, kSeen, kUnseen };
  static std::atomic<int> probe{kUnknown};
  if (probe.load(std::memory_order_relaxed) == kUnknown) {
    void* (*volatile allocate)(std::size_t) = &std::malloc;
    void (*volatile release)(void*) = &std::free;
    const uint64_t before = g_heap.allocations.load(std::memory_order_relaxed);
    release(allocate(16));
    const bool seen = g_heap.allocations.load(std::memory_order_relaxed) != before;
    probe.store(seen ? kSeen : kUnseen, std::memory_order_relaxed);
  }
  return probe.load(std::memory_order_relaxed) == kSeen ? configuredBackend() : Backend::Inactive;
}

AllocationTrap::Counters AllocationTrap::counters() noexcept {
  Counters counters;
  // Never below zero, even if a block the trap did not see being allocated was freed
  // (only possible under a sanitizer, for the few blocks made before its hooks went in).
  counters.liveBytes = std::max<int64_t>(0, g_heap.liveBytes.load(std::memory_order_relaxed));
  counters.peakBytes = g_heap.peakBytes.load(std::memory_order_relaxed);
  counters.allocations = g_heap.allocations.load(std::memory_order_relaxed);
  counters.frees = g_heap.frees.load(std::memory_order_relaxed);
  counters.audioThreadAllocations = g_audio.allocations.load(std::memory_order_relaxed);
  counters.audioThreadFrees = g_audio.frees.load(std::memory_order_relaxed);
  return counters;
}

uint64_t AllocationTrap::audioThreadAllocationCount() noexcept {  // [audio thread]
  return g_audio.allocations.load(std::memory_order_relaxed);
}

int64_t AllocationTrap::liveBytes() noexcept {  // [audio thread]
  return std::max<int64_t>(0, g_heap.liveBytes.load(std::memory_order_relaxed));
}

AllocationTrap::Offender AllocationTrap::firstOffender() noexcept {
  Offender offender;
  if (g_offender.state.load(std::memory_order_acquire) != kOffenderComplete) return offender;
  offender.present = true;
  offender.size_bytes = g_offender.size_bytes;
  offender.bufferIndex = g_offender.bufferIndex;
  offender.frameCount = g_offender.frameCount;
  for (uint32_t i = 0; i < offender.frameCount; ++i) offender.frames[i] = g_offender.frames[i];
  return offender;
}

void AllocationTrapHooks::setStackSymbolizer(StackSymbolizer symbolizer) noexcept {
  g_stackSymbolizer.store(symbolizer, std::memory_order_release);
}

std::vector<std::string> AllocationTrap::symbolize(const Offender& offender) {
  std::vector<std::string> lines;
  if (!offender.present) return lines;
  const uint32_t count = std::min<uint32_t>(offender.frameCount, kMaxStackFrames);
  if (AllocationTrapHooks::StackSymbolizer symbolizer = g_stackSymbolizer.load(std::memory_order_acquire)) {
    return symbolizer(offender.frames, count);
  }
  for (uint32_t i = 0; i < count; ++i) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%zx", static_cast<std::size_t>(reinterpret_cast<uintptr_t>(offender.frames[i])));
    lines.emplace_back(hex);
  }
  return lines;
}

void AllocationTrapHooks::setHeapHook(const HeapHook* hook) noexcept { g_heapHook.store(hook, std::memory_order_release); }

const AllocationTrapHooks::HeapHook* AllocationTrapHooks::heapHook() noexcept { return g_heapHook.load(std::memory_order_acquire); }

bool AllocationTrapHooks::excludeThisThread(bool excluded) noexcept {
  const bool previous = t_insideTrap;
  t_insideTrap = excluded;
  return previous;
}

void AllocationTrap::resetAudioThreadRecord() noexcept {
  g_audio.allocations.store(0, std::memory_order_relaxed);
  g_audio.frees.store(0, std::memory_order_relaxed);
  g_audio.bufferAllocations.store(0, std::memory_order_relaxed);
  g_offender.state.store(kOffenderEmpty, std::memory_order_release);
}

void AllocationTrap::resetPeak() noexcept {
  g_heap.peakBytes.store(g_heap.liveBytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

}  // namespace awe

#if AWE_TRAP_SANITIZER_HOOKS
// ---------------------------------------------------------------------------------------
// Sanitizer build: count through the sanitizer's hooks (sizes are the requested sizes).

extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                                         void (*free_hook)(const volatile void*));
extern "C" std::size_t __sanitizer_get_allocated_size(const volatile void* pointer);

namespace awe {
namespace {

std::atomic<int> g_backend{static_cast<int>(AllocationTrap::Backend::Inactive)};

void sanitizerMallocHook(const volatile void* pointer, std::size_t size_bytes) {
  noteAllocation(const_cast<void*>(pointer), size_bytes, size_bytes);
}

void sanitizerFreeHook(const volatile void* pointer) {
  if (pointer != nullptr) noteFree(const_cast<void*>(pointer), __sanitizer_get_allocated_size(pointer));
}

// Runs from .preinit_array: before every constructor of the executable and of its shared
// libraries, so (almost) every block the program frees was counted when it was allocated.
void installSanitizerHooks(int, char**, char**) {
  if (__sanitizer_install_malloc_and_free_hooks(&sanitizerMallocHook, &sanitizerFreeHook) != 0) {
    g_backend.store(static_cast<int>(AllocationTrap::Backend::SanitizerHooks), std::memory_order_relaxed);
  }
}

__attribute__((section(".preinit_array"), used)) void (*const g_installSanitizerHooks)(int, char**, char**) =
    &installSanitizerHooks;

}  // namespace

AllocationTrap::Backend AllocationTrap::configuredBackend() noexcept {
  return static_cast<Backend>(g_backend.load(std::memory_order_relaxed));
}

}  // namespace awe

#else
// ---------------------------------------------------------------------------------------
// Normal build: interpose the malloc family and replace operator new/delete. They live in
// this object file with the API above, so using the API links them in.

extern "C" {
void* __libc_malloc(std::size_t size) noexcept;
void* __libc_calloc(std::size_t count, std::size_t size) noexcept;
void* __libc_realloc(void* pointer, std::size_t size) noexcept;
void __libc_free(void* pointer) noexcept;
void* __libc_memalign(std::size_t alignment, std::size_t size) noexcept;
}

namespace awe {
namespace {

inline void* trackedMalloc(std::size_t size) noexcept {
  void* pointer = __libc_malloc(size);
  if (pointer != nullptr) noteAllocation(pointer, malloc_usable_size(pointer), size);
  return pointer;
}

inline void* trackedMemalign(std::size_t alignment, std::size_t size) noexcept {
  void* pointer = __libc_memalign(alignment, size);
  if (pointer != nullptr) noteAllocation(pointer, malloc_usable_size(pointer), size);
  return pointer;
}

inline void trackedFree(void* pointer) noexcept {
  if (pointer == nullptr) return;
  noteFree(pointer, malloc_usable_size(pointer));
  __libc_free(pointer);
}

inline bool isPowerOfTwo(std::size_t value) noexcept { return value != 0 && (value & (value - 1)) == 0; }

std::size_t pageSize() noexcept {
  const long size = sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<std::size_t>(size) : 4096;
}

void* newOrThrow(std::size_t size) {
  if (size == 0) size = 1;
  for (;;) {
    if (void* pointer = trackedMalloc(size)) return pointer;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* newAlignedOrThrow(std::size_t size, std::align_val_t alignment) {
  if (size == 0) size = 1;
  for (;;) {
    if (void* pointer = trackedMemalign(static_cast<std::size_t>(alignment), size)) return pointer;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* newOrNull(std::size_t size) noexcept {
  try {
    return newOrThrow(size);
  } catch (...) {
    return nullptr;
  }
}

void* newAlignedOrNull(std::size_t size, std::align_val_t alignment) noexcept {
  try {
    return newAlignedOrThrow(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

AllocationTrap::Backend AllocationTrap::configuredBackend() noexcept { return Backend::Interposed; }

}  // namespace awe

extern "C" {

void* malloc(std::size_t size) noexcept { return awe::trackedMalloc(size); }

void free(void* pointer) noexcept { awe::trackedFree(pointer); }

void* calloc(std::size_t count, std::size_t size) noexcept {
  void* pointer = __libc_calloc(count, size);
  if (pointer != nullptr) awe::noteAllocation(pointer, malloc_usable_size(pointer), count * size);
  return pointer;
}

void* realloc(void* old, std::size_t size) noexcept {
  if (old == nullptr) return awe::trackedMalloc(size);
  if (size == 0) {  // glibc frees the block and returns null
    awe::trackedFree(old);
    return nullptr;
  }
  const std::size_t oldSize = malloc_usable_size(old);
  // Deep mode: the old block leaves the table before the allocator may reuse its address.
  const bool profiled = awe::heapRecording();
  if (profiled) awe::recordHeapFree(old);
  void* pointer = __libc_realloc(old, size);
  if (pointer == nullptr) {  // the old block is untouched: back into the table
    if (profiled) awe::recordHeapAllocation(old, oldSize);
    return nullptr;
  }
  awe::noteReallocation(pointer, oldSize, malloc_usable_size(pointer), size);
  return pointer;
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  if (!awe::isPowerOfTwo(alignment)) {
    errno = EINVAL;
    return nullptr;
  }
  return awe::trackedMemalign(alignment, size);
}

int posix_memalign(void** result, std::size_t alignment, std::size_t size) noexcept {
  if (!awe::isPowerOfTwo(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
  void* pointer = awe::trackedMemalign(alignment, size);
  if (pointer == nullptr) return ENOMEM;
  *result = pointer;
  return 0;
}

void* memalign(std::size_t alignment, std::size_t size) noexcept {
  return awe::trackedMemalign(alignment, size);
}

void* valloc(std::size_t size) noexcept { return awe::trackedMemalign(awe::pageSize(), size); }

void* pvalloc(std::size_t size) noexcept {
  const std::size_t page = awe::pageSize();
  const std::size_t rounded = size == 0 ? page : (size + page - 1) / page * page;
  if (rounded < size) {
    errno = ENOMEM;
    return nullptr;
  }
  return awe::trackedMemalign(page, rounded);
}

}  // extern "C"

void* operator new(std::size_t size) { return awe::newOrThrow(size); }
void* operator new[](std::size_t size) { return awe::newOrThrow(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return awe::newOrNull(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return awe::newOrNull(size); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  return awe::newAlignedOrThrow(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return awe::newAlignedOrThrow(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return awe::newAlignedOrNull(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return awe::newAlignedOrNull(size, alignment);
}

void operator delete(void* pointer) noexcept { awe::trackedFree(pointer); }
void operator delete[](void* pointer) noexcept { awe::trackedFree(pointer); }
void operator delete(void* pointer, const std::nothrow_t&) noexcept { awe::trackedFree(pointer); }
void operator delete[](void* pointer, const std::nothrow_t&) noexcept { awe::trackedFree(pointer); }
void operator delete(void* pointer, std::size_t) noexcept { awe::trackedFree(pointer); }
void operator delete[](void* pointer, std::size_t) noexcept { awe::trackedFree(pointer); }
void operator delete(void* pointer, std::align_val_t) noexcept { awe::trackedFree(pointer); }
void operator delete[](void* pointer, std::align_val_t) noexcept { awe::trackedFree(pointer); }
void operator delete(void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
  awe::trackedFree(pointer);
}
void operator delete[](void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
  awe::trackedFree(pointer);
}
void operator delete(void* pointer, std::size_t, std::align_val_t) noexcept { awe::trackedFree(pointer); }
void operator delete[](void* pointer, std::size_t, std::align_val_t) noexcept { awe::trackedFree(pointer); }

#endif
