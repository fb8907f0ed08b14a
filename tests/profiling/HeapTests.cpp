// The heap profile (the allocation trap's deep mode): sites, live and total bytes on every
// thread, diffs, the leak report.
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "monitor/profiling/HeapProfile.h"
#include "monitor/profiling/Symbolizer.h"

namespace awe::test {

void* volatile g_heapSink = nullptr;

// Named, exported and never inlined: the leak report must name it as the site.
__attribute__((noinline)) void* leakForHeapProfileTest(std::size_t bytes) {
  void* p = std::malloc(bytes);
  g_heapSink = p;
  asm volatile("" ::: "memory");
  return p;
}

__attribute__((noinline)) void churnForHeapProfileTest(int count) {
  for (int i = 0; i < count; ++i) {
    auto* block = new std::vector<int>(64);
    g_heapSink = block;
    asm volatile("" ::: "memory");
    delete block;
  }
}

}  // namespace awe::test

namespace {

using awe::HeapProfiler;
using awe::HeapSite;

const HeapSite* siteNamed(const awe::HeapProfileSnapshot& snapshot, awe::Symbolizer& symbolizer, const std::string& function) {
  for (const HeapSite& site : snapshot.sites) {
    const auto stack = awe::heapSiteStack(site, symbolizer, 4);
    if (!stack.empty() && stack[0].find(function) != std::string::npos) return &site;
  }
  return nullptr;
}

// Sums the sites with `function` among their first frames (inlining decides how many
// stacks one function's allocations make).
// A site is one stack: calls from different places (an unrolled loop) are different sites.
HeapSite sumSites(const awe::HeapProfileSnapshot& snapshot, awe::Symbolizer& symbolizer, const std::string& function,
                  std::size_t frames = 4) {
  HeapSite sum;
  for (const HeapSite& site : snapshot.sites) {
    for (const std::string& frame : awe::heapSiteStack(site, symbolizer, frames)) {
      if (frame.find(function) == std::string::npos) continue;
      sum.allocations += site.allocations;
      sum.frees += site.frees;
      sum.allocatedBytes += site.allocatedBytes;
      sum.liveBytes += site.liveBytes;
      sum.liveBlocks += site.liveBlocks;
      break;
    }
  }
  return sum;
}

struct HeapProfileRun {
  HeapProfileRun() { HeapProfiler::start(); }
  ~HeapProfileRun() { HeapProfiler::stop(); }
};

}  // namespace

TEST_CASE("the heap profile names the site of a deliberate leak", "[profiling][memory]") {
  std::string reason;
  if (!HeapProfiler::available(&reason)) {
    WARN(reason);
    return;
  }
  void* kept[3] = {};
  awe::HeapProfileSnapshot before, after;
  {
    HeapProfileRun run;
    before = HeapProfiler::snapshot("before");
    for (int i = 0; i < 5; ++i) {
      void* p = awe::test::leakForHeapProfileTest(1000);
      if (i < 3) {
        kept[i] = p;
      } else {
        std::free(p);
      }
    }
    awe::test::churnForHeapProfileTest(100);
    after = HeapProfiler::snapshot("after");
  }
  awe::Symbolizer symbolizer;
  REQUIRE(siteNamed(after, symbolizer, "awe::test::leakForHeapProfileTest") != nullptr);
  const HeapSite leak = sumSites(after, symbolizer, "awe::test::leakForHeapProfileTest", 1);
  CHECK(leak.allocations == 5);
  CHECK(leak.frees == 2);
  CHECK(leak.liveBlocks == 3);
  CHECK(leak.liveBytes >= 3000);
  CHECK(leak.allocatedBytes >= 5000);

  const HeapSite churn = sumSites(after, symbolizer, "awe::test::churnForHeapProfileTest");
  CHECK(churn.allocations == 200);  // the vector object and its buffer, 100 times
  CHECK(churn.frees == 200);
  CHECK(churn.liveBytes == 0);

  const std::string leaks = awe::formatLeakReport(after, symbolizer);
  INFO(leaks);
  CHECK(leaks.find("awe::test::leakForHeapProfileTest(unsigned long)") != std::string::npos);
  CHECK(leaks.find("churnForHeapProfileTest") == std::string::npos);  // nothing of it is live

  const awe::HeapProfileSnapshot diff = awe::diffHeapSnapshots(before, after);
  CHECK(sumSites(diff, symbolizer, "awe::test::leakForHeapProfileTest", 1).liveBlocks == 3);

  const nlohmann::json json = nlohmann::json::parse(awe::heapProfileToJson(after, symbolizer).dump());
  CHECK(json["sites"].size() == after.sites.size());
  for (void* p : kept) std::free(p);
}

TEST_CASE("the heap profile follows blocks across threads and realloc", "[profiling][memory]") {
  if (!HeapProfiler::available()) return;
  awe::HeapProfileSnapshot end;
  {
    HeapProfileRun run;
    std::vector<void*> blocks(4 * 500);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&blocks, t] {
        for (int i = 0; i < 500; ++i) blocks[static_cast<std::size_t>(t * 500 + i)] = awe::test::leakForHeapProfileTest(48);
      });
    }
    for (auto& thread : threads) thread.join();
    // Freed on another thread than the one that allocated, some grown by realloc first.
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      if (i % 2 == 0) blocks[i] = std::realloc(blocks[i], 4096);
      std::free(blocks[i]);
    }
    end = HeapProfiler::snapshot();
  }
  awe::Symbolizer symbolizer;
  const HeapSite site = sumSites(end, symbolizer, "awe::test::leakForHeapProfileTest", 1);
  CHECK(site.allocations == 2000);
  CHECK(site.liveBlocks == 0);
  CHECK(site.liveBytes == 0);
  CHECK(end.lostBlocks == 0);
}
