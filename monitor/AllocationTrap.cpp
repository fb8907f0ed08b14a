#include "monitor/AllocationTrap.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <malloc.h>
#include <sys/mman.h>
#include <time.h>
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

#include "monitor/profiling/HeapProfile.h"
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

// ---- deep mode: the heap profile (monitor/profiling/HeapProfile.h) ---------------------------------
// Tables live in one mmap'd region: this header, the live blocks, the sites. All zero
// bytes are a valid empty state. Each start() maps fresh tables; old ones stay mapped (a
// thread may still be inside them) and are never reused.

constexpr int kSiteFrames = 40;
constexpr uint32_t kNoSite = UINT32_MAX;
constexpr uintptr_t kEmptyKey = 0;
constexpr uintptr_t kTombstoneKey = 1;
constexpr int kMaxProbes = 512;

struct LiveBlockSlot {
  std::atomic<uintptr_t> key;  // block address, kEmptyKey or kTombstoneKey
  std::atomic<uint64_t> size;
  std::atomic<uint32_t> site;
};

struct SiteSlot {
  std::atomic<uint64_t> hash;  // 0: free slot
  std::atomic<uint32_t> frameCount;
  std::atomic<int> ready;      // frames written
  std::atomic<uint64_t> allocations;
  std::atomic<uint64_t> frees;
  std::atomic<int64_t> allocatedBytes;
  std::atomic<int64_t> liveBytes;
  std::atomic<int64_t> liveBlocks;
  std::atomic<uintptr_t> frames[kSiteFrames];
};

struct HeapTables {
  std::atomic<uint64_t> untrackedFrees;
  std::atomic<uint64_t> lostBlocks;
  std::atomic<uint64_t> lostSites;
  LiveBlockSlot* blocks;
  std::size_t blockMask;
  SiteSlot* sites;
  std::size_t siteMask;
};

std::atomic<HeapTables*> g_heapTables{nullptr};
std::atomic<bool> g_heapRecording{false};

uint64_t mixBits(uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

uint32_t internSite(HeapTables& tables, void* const* frames, int count) noexcept {
  uint64_t hash = 1469598103934665603ull;
  for (int i = 0; i < count; ++i) hash = mixBits(hash ^ reinterpret_cast<uintptr_t>(frames[i]));
  hash |= 1;  // never 0, the free-slot mark
  for (int probe = 0; probe < kMaxProbes; ++probe) {
    const std::size_t index = (hash + static_cast<uint64_t>(probe)) & tables.siteMask;
    SiteSlot& slot = tables.sites[index];
    uint64_t existing = slot.hash.load(std::memory_order_acquire);
    if (existing == 0 && slot.hash.compare_exchange_strong(existing, hash, std::memory_order_acq_rel)) {
      for (int i = 0; i < count; ++i) slot.frames[i].store(reinterpret_cast<uintptr_t>(frames[i]), std::memory_order_relaxed);
      slot.frameCount.store(static_cast<uint32_t>(count), std::memory_order_relaxed);
      slot.ready.store(1, std::memory_order_release);
      return static_cast<uint32_t>(index);
    }
    // Counts do not need the frames: a site being written by another thread is usable.
    if (existing == hash) return static_cast<uint32_t>(index);
  }
  return kNoSite;
}

void insertBlock(HeapTables& tables, uintptr_t address, uint64_t size, uint32_t site) noexcept {
  const uint64_t start = mixBits(address);
  for (int probe = 0; probe < kMaxProbes; ++probe) {
    LiveBlockSlot& slot = tables.blocks[(start + static_cast<uint64_t>(probe)) & tables.blockMask];
    uintptr_t key = slot.key.load(std::memory_order_acquire);
    if ((key == kEmptyKey || key == kTombstoneKey) &&
        slot.key.compare_exchange_strong(key, address, std::memory_order_acq_rel)) {
      slot.size.store(size, std::memory_order_relaxed);
      slot.site.store(site, std::memory_order_release);
      return;
    }
  }
  tables.lostBlocks.fetch_add(1, std::memory_order_relaxed);
}

// Removes the block; false if it is not in the table.
bool removeBlock(HeapTables& tables, uintptr_t address, uint64_t& size, uint32_t& site) noexcept {
  const uint64_t start = mixBits(address);
  for (int probe = 0; probe < kMaxProbes; ++probe) {
    LiveBlockSlot& slot = tables.blocks[(start + static_cast<uint64_t>(probe)) & tables.blockMask];
    const uintptr_t key = slot.key.load(std::memory_order_acquire);
    if (key == kEmptyKey) return false;
    if (key != address) continue;
    site = slot.site.load(std::memory_order_acquire);
    size = slot.size.load(std::memory_order_relaxed);
    slot.key.store(kTombstoneKey, std::memory_order_release);
    return true;
  }
  return false;
}

__attribute__((noinline)) void recordHeapAllocation(void* pointer, std::size_t size_bytes) noexcept {
  HeapTables* tables = g_heapTables.load(std::memory_order_acquire);
  if (tables == nullptr || pointer == nullptr || t_insideTrap) return;
  t_insideTrap = true;  // the unwinder's own allocations are not profiled
  void* frames[kSiteFrames];
  const int count = captureStack(frames, kSiteFrames);
  const uint32_t site = internSite(*tables, frames, count);
  if (site == kNoSite) {
    tables->lostSites.fetch_add(1, std::memory_order_relaxed);
  } else {
    SiteSlot& s = tables->sites[site];
    const auto size = static_cast<int64_t>(size_bytes);
    s.allocations.fetch_add(1, std::memory_order_relaxed);
    s.allocatedBytes.fetch_add(size, std::memory_order_relaxed);
    s.liveBytes.fetch_add(size, std::memory_order_relaxed);
    s.liveBlocks.fetch_add(1, std::memory_order_relaxed);
  }
  insertBlock(*tables, reinterpret_cast<uintptr_t>(pointer), size_bytes, site);
  t_insideTrap = false;
}

__attribute__((noinline)) void recordHeapFree(void* pointer) noexcept {
  HeapTables* tables = g_heapTables.load(std::memory_order_acquire);
  if (tables == nullptr || pointer == nullptr || t_insideTrap) return;
  uint64_t size = 0;
  uint32_t site = kNoSite;
  if (!removeBlock(*tables, reinterpret_cast<uintptr_t>(pointer), size, site)) {
    tables->untrackedFrees.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (site == kNoSite) return;
  SiteSlot& s = tables->sites[site];
  s.frees.fetch_add(1, std::memory_order_relaxed);
  s.liveBytes.fetch_sub(static_cast<int64_t>(size), std::memory_order_relaxed);
  s.liveBlocks.fetch_sub(1, std::memory_order_relaxed);
}

inline bool heapRecording() noexcept { return __builtin_expect(g_heapRecording.load(std::memory_order_relaxed), 0); }

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

std::vector<std::string> AllocationTrap::symbolize(const Offender& offender) {
  std::vector<std::string> lines;
  if (!offender.present) return lines;
  for (uint32_t i = 0; i < offender.frameCount && i < kMaxStackFrames; ++i) {
    const auto address = reinterpret_cast<uintptr_t>(offender.frames[i]);
    // Outer frames hold return addresses, which may already belong to the next function
    // when a call is the last instruction: look up the call instruction instead.
    const uintptr_t lookup = (i > 0 && address > 0) ? address - 1 : address;
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%zx", static_cast<std::size_t>(address));
    std::string line;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(lookup), &info) != 0) {
      if (info.dli_sname != nullptr) {
        int status = -1;
        char* demangled = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
        line = (status == 0 && demangled != nullptr) ? demangled : info.dli_sname;
        std::free(demangled);
      } else {
        line = hex;
      }
      if (info.dli_fname != nullptr) {
        const char* slash = std::strrchr(info.dli_fname, '/');
        const auto base = reinterpret_cast<uintptr_t>(info.dli_fbase);
        char offset[32];
        std::snprintf(offset, sizeof offset, "+0x%zx", static_cast<std::size_t>(address - base));
        line += " (";
        line += slash != nullptr ? slash + 1 : info.dli_fname;
        line += offset;
        line += ")";
      }
    } else {
      line = hex;
    }
    lines.push_back(std::move(line));
  }
  return lines;
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

// --- deep mode ---

bool HeapProfiler::available(std::string* reason) {
  if (AllocationTrap::backend() != AllocationTrap::Backend::Inactive) return true;
  if (reason != nullptr) {
    *reason = "the heap profile needs the allocation trap, which sees no allocations here (run under Valgrind, "
              "or the sanitizer refused its hooks)";
  }
  return false;
}

void HeapProfiler::start(const HeapProfileSettings& settings) {
  std::string reason;
  if (!available(&reason)) throw std::runtime_error(reason);
  if (g_heapRecording.load()) throw std::runtime_error("the heap profile is already running");
  auto powerOfTwo = [](std::size_t n) {
    std::size_t p = 1024;
    while (p < n && p < (std::size_t{1} << 30)) p <<= 1;
    return p;
  };
  const std::size_t blocks = powerOfTwo(settings.maxLiveBlocks);
  const std::size_t sites = powerOfTwo(settings.maxSites);
  const std::size_t header = (sizeof(HeapTables) + 63) / 64 * 64;
  const std::size_t blockBytes = (blocks * sizeof(LiveBlockSlot) + 63) / 64 * 64;
  const std::size_t bytes = header + blockBytes + sites * sizeof(SiteSlot);
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) {
    throw std::runtime_error(std::string("heap profile: cannot reserve its tables: ") + std::strerror(errno));
  }
  // Zero pages are the empty state of every table (atomics of all-zero bytes).
  auto* base = static_cast<unsigned char*>(memory);
  auto* tables = reinterpret_cast<HeapTables*>(base);
  tables->blocks = reinterpret_cast<LiveBlockSlot*>(base + header);
  tables->blockMask = blocks - 1;
  tables->sites = reinterpret_cast<SiteSlot*>(base + header + blockBytes);
  tables->siteMask = sites - 1;
  warmUnwinder();
  g_heapTables.store(tables, std::memory_order_release);
  g_heapRecording.store(true, std::memory_order_release);
}

bool HeapProfiler::exclude(bool excluded) noexcept {
  const bool previous = t_insideTrap;
  t_insideTrap = excluded;
  return previous;
}

void HeapProfiler::stop() noexcept { g_heapRecording.store(false, std::memory_order_release); }

bool HeapProfiler::running() noexcept { return g_heapRecording.load(std::memory_order_relaxed); }

HeapProfileSnapshot HeapProfiler::snapshot(const std::string& label) {
  HeapProfileSnapshot out;
  out.label = label;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  out.taken_ns = static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
  HeapTables* tables = g_heapTables.load(std::memory_order_acquire);
  if (tables == nullptr) return out;
  // This copy's own allocations stay out of the profile (they are still counted as heap).
  const HeapProfiler::Exclusion exclusion;
  out.untrackedFrees = tables->untrackedFrees.load(std::memory_order_relaxed);
  out.lostBlocks = tables->lostBlocks.load(std::memory_order_relaxed);
  out.lostSites = tables->lostSites.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i <= tables->siteMask; ++i) {
    const SiteSlot& slot = tables->sites[i];
    if (slot.hash.load(std::memory_order_relaxed) == 0 || slot.ready.load(std::memory_order_acquire) == 0) continue;
    HeapSite site;
    site.id = static_cast<uint32_t>(i);
    site.allocations = slot.allocations.load(std::memory_order_relaxed);
    site.frees = slot.frees.load(std::memory_order_relaxed);
    site.allocatedBytes = slot.allocatedBytes.load(std::memory_order_relaxed);
    site.liveBytes = slot.liveBytes.load(std::memory_order_relaxed);
    site.liveBlocks = slot.liveBlocks.load(std::memory_order_relaxed);
    const uint32_t count = std::min<uint32_t>(slot.frameCount.load(std::memory_order_relaxed), kSiteFrames);
    for (uint32_t f = 0; f < count; ++f) site.frames.push_back(slot.frames[f].load(std::memory_order_relaxed));
    out.sites.push_back(std::move(site));
  }
  return out;
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
