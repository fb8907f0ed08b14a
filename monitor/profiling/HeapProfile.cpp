// The heap profile's recording (monitor/profiling/HeapProfile.h): the tables and the hook
// the allocation trap calls for every allocation and free while the profile runs. The
// reports are in HeapReport.cpp.
#include "monitor/profiling/HeapProfile.h"

#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "monitor/AllocationHooks.h"
#include "monitor/AllocationTrap.h"
#include "monitor/StackCapture.h"

namespace awe {
namespace {

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

// The hook's two halves. The trap calls them only while the hook is installed, never for
// its own allocations (nor, while one is running, from inside the other on this thread).
void recordHeapAllocation(void* pointer, std::size_t size_bytes) noexcept {
  HeapTables* tables = g_heapTables.load(std::memory_order_acquire);
  if (tables == nullptr || pointer == nullptr) return;
  void* frames[kSiteFrames];
  const int count = stackcapture::capture(frames, kSiteFrames);
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
}

void recordHeapFree(void* pointer) noexcept {
  HeapTables* tables = g_heapTables.load(std::memory_order_acquire);
  if (tables == nullptr || pointer == nullptr) return;
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

constexpr AllocationTrapHooks::HeapHook kHeapHook{&recordHeapAllocation, &recordHeapFree};

}  // namespace

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
  if (running()) throw std::runtime_error("the heap profile is already running");
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
  AllocationTrap::prepareStackCapture();
  g_heapTables.store(tables, std::memory_order_release);
  AllocationTrapHooks::setHeapHook(&kHeapHook);
}

bool HeapProfiler::exclude(bool excluded) noexcept { return AllocationTrapHooks::excludeThisThread(excluded); }

void HeapProfiler::stop() noexcept { AllocationTrapHooks::setHeapHook(nullptr); }

bool HeapProfiler::running() noexcept { return AllocationTrapHooks::heapHook() == &kHeapHook; }

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
