#pragma once
// The heap profile: the allocation trap's deep mode (monitor/AllocationTrap.h).
//
// While it runs, every allocation on every thread records its site, the stack that made
// it (libunwind), and every free finds its block again, so each site has counts and bytes
// allocated in total and still live. All of it lives in tables reserved with mmap when the
// profile starts: a hash of live blocks (address -> site, size) and a table of sites
// interned by stack hash. Nothing allocates inside malloc; lookups are lock-free (atomic
// compare-and-swap). Costs a stack capture per allocation (a few microseconds): deep mode
// is for finding where memory goes, not for production runs.
//
// Snapshots can be taken at any time and diffed (what a phase allocated, what it left
// live); the leak report lists what is still live at the end, by site. Blocks allocated
// before the profile started are not known to it: their frees are counted as "untracked".
// A full table loses blocks or sites (counted), never memory.
//
// Implemented in AllocationTrap.cpp (recording) and HeapReport.cpp (reports).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "monitor/profiling/FlameGraph.h"

namespace awe {

struct HeapProfileSettings {
  std::size_t maxLiveBlocks = std::size_t{1} << 20;  // live blocks tracked at once (24 B each)
  std::size_t maxSites = std::size_t{1} << 14;         // distinct stacks (~360 B each)
};

struct HeapSite {
  uint32_t id = 0;
  uint64_t allocations = 0;
  uint64_t frees = 0;
  int64_t allocatedBytes = 0;  // all allocations of the site (usable sizes under interposition)
  int64_t liveBytes = 0;
  int64_t liveBlocks = 0;
  std::vector<uintptr_t> frames;  // raw, innermost first (the trap's own frames included)
};

struct HeapProfileSnapshot {
  int64_t taken_ns = 0;
  std::string label;
  std::vector<HeapSite> sites;  // by id
  uint64_t untrackedFrees = 0;  // frees of blocks allocated before the profile started
  uint64_t lostBlocks = 0;      // allocations the live-block table had no room for
  uint64_t lostSites = 0;       // allocations whose stack found no room in the site table
};

class HeapProfiler {
 public:
  HeapProfiler() = delete;
  // False (with the reason) where the trap cannot see allocations (under Valgrind).
  static bool available(std::string* reason = nullptr);
  // [any thread] Reserves the tables and starts recording. Throws std::runtime_error
  // (already running, not available, no memory for the tables).
  static void start(const HeapProfileSettings& settings = {});
  // [any thread] Stops recording; the tables are kept for snapshots until the next start.
  static void stop() noexcept;
  static bool running() noexcept;
  // [any thread] A copy of the site table (allocates; its own allocations are not profiled).
  static HeapProfileSnapshot snapshot(const std::string& label = {});

  // [the thread itself] While one lives, this thread's allocations are counted as heap
  // but left out of the profile (the profilers' own work: sampling threads, reports).
  class Exclusion {
   public:
    Exclusion() noexcept : previous_(exclude(true)) {}
    ~Exclusion() { exclude(previous_); }
    Exclusion(const Exclusion&) = delete;
    Exclusion& operator=(const Exclusion&) = delete;

   private:
    bool previous_;
  };
  // Sets this thread's exclusion; returns the previous setting.
  static bool exclude(bool excluded) noexcept;
};

// after - before, per site (sites only in `after` count whole). Keeps sites whose counts
// changed.
HeapProfileSnapshot diffHeapSnapshots(const HeapProfileSnapshot& before, const HeapProfileSnapshot& after);

// A site's stack as text, outermost last, without the allocator's own frames (the trap,
// malloc, operator new, sanitizer hooks). [allocates, reads symbol tables]
class Symbolizer;
std::vector<std::string> heapSiteStack(const HeapSite& site, Symbolizer& symbolizer, std::size_t maxFrames = 16);

// Text: the sites with the most bytes allocated, and the sites with the most bytes live.
std::string formatHeapReport(const HeapProfileSnapshot& snapshot, Symbolizer& symbolizer, std::size_t topSites = 15);
// Text: every site still live in `snapshot` (live bytes > 0), largest first.
std::string formatLeakReport(const HeapProfileSnapshot& snapshot, Symbolizer& symbolizer, std::size_t maxSites = 50);
nlohmann::json heapProfileToJson(const HeapProfileSnapshot& snapshot, Symbolizer& symbolizer);
// Folded stacks of the allocated bytes (or the live bytes), for a flame graph.
std::vector<FoldedStack> heapFoldedStacks(const HeapProfileSnapshot& snapshot, Symbolizer& symbolizer, bool liveOnly);

}  // namespace awe
