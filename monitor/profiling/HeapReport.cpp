// Reports of the heap profile (monitor/profiling/HeapProfile.h); the recording is in AllocationTrap.cpp.
#include <algorithm>
#include <cstdio>
#include <map>

#include "monitor/Format.h"
#include "monitor/profiling/HeapProfile.h"
#include "monitor/profiling/Symbolizer.h"

namespace awe {
namespace {

bool startsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// Frames of the allocator itself: the trap, the malloc family, operator new, the
// sanitizer runtimes. A site's stack starts after them.
bool isAllocatorFrame(const SymbolizedFrame& frame) {
  const std::string& f = frame.function;
  static const char* const kExact[] = {"malloc", "calloc", "realloc", "free", "aligned_alloc", "posix_memalign",
                                       "memalign", "valloc", "pvalloc"};
  for (const char* name : kExact) {
    if (f == name) return true;
  }
  if (startsWith(f, "operator new") || startsWith(f, "operator delete") || startsWith(f, "__sanitizer") ||
      startsWith(f, "__asan") || startsWith(f, "__tsan") || startsWith(f, "__lsan") || startsWith(f, "__interceptor_") ||
      startsWith(f, "___interceptor_") || startsWith(f, "awe::stackcapture::")) {
    return true;
  }
  if (startsWith(frame.module, "libasan") || startsWith(frame.module, "libtsan") || startsWith(frame.module, "libubsan")) {
    return true;
  }
  static const char* const kTrap[] = {"captureStack",   "recordHeapAllocation", "noteAllocation", "noteReallocation",
                                      "trackedMalloc",  "trackedMemalign",      "newOrThrow",     "newAlignedOrThrow",
                                      "newOrNull",      "newAlignedOrNull",     "sanitizerMallocHook"};
  if (startsWith(f, "awe::(anonymous namespace)::")) {
    for (const char* name : kTrap) {
      if (f.find(name) != std::string::npos) return true;
    }
  }
  return false;
}

std::string frameText(const SymbolizedFrame& frame) {
  if (frame.known) return compactFunctionName(frame.function) + " (" + frame.module + ")";
  char offset[32];
  std::snprintf(offset, sizeof offset, "+0x%zx", static_cast<std::size_t>(frame.moduleOffset));
  return frame.function + " (" + (frame.module.empty() ? "?" : frame.module) + offset + ")";
}

std::string siteLines(const HeapSite& site, Symbolizer& symbolizer, std::size_t maxFrames) {
  std::string text;
  const auto stack = heapSiteStack(site, symbolizer, maxFrames);
  for (std::size_t i = 0; i < stack.size(); ++i) text += (i == 0 ? "       at " : "          ") + stack[i] + "\n";
  if (stack.empty()) text += "       (no stack)\n";
  return text;
}

std::string siteHeading(std::size_t rank, const HeapSite& site) {
  char line[256];
  std::snprintf(line, sizeof line, "  #%-3zu %s in %llu allocations (%llu freed); %s live in %lld blocks\n", rank,
                formatBytes(static_cast<double>(site.allocatedBytes)).c_str(),
                static_cast<unsigned long long>(site.allocations), static_cast<unsigned long long>(site.frees),
                formatBytes(static_cast<double>(site.liveBytes)).c_str(), static_cast<long long>(site.liveBlocks));
  return line;
}

}  // namespace

HeapProfileSnapshot diffHeapSnapshots(const HeapProfileSnapshot& before, const HeapProfileSnapshot& after) {
  HeapProfileSnapshot out;
  out.taken_ns = after.taken_ns;
  out.label = (before.label.empty() ? "start" : before.label) + " -> " + (after.label.empty() ? "end" : after.label);
  out.untrackedFrees = after.untrackedFrees - std::min(after.untrackedFrees, before.untrackedFrees);
  out.lostBlocks = after.lostBlocks - std::min(after.lostBlocks, before.lostBlocks);
  out.lostSites = after.lostSites - std::min(after.lostSites, before.lostSites);
  std::map<uint32_t, const HeapSite*> old;
  for (const HeapSite& site : before.sites) old[site.id] = &site;
  for (const HeapSite& site : after.sites) {
    HeapSite d = site;
    const auto it = old.find(site.id);
    if (it != old.end()) {
      d.allocations -= std::min(d.allocations, it->second->allocations);
      d.frees -= std::min(d.frees, it->second->frees);
      d.allocatedBytes -= it->second->allocatedBytes;
      d.liveBytes -= it->second->liveBytes;
      d.liveBlocks -= it->second->liveBlocks;
    }
    if (d.allocations != 0 || d.frees != 0 || d.liveBytes != 0) out.sites.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> heapSiteStack(const HeapSite& site, Symbolizer& symbolizer, std::size_t maxFrames) {
  std::vector<std::string> lines;
  bool inAllocator = true;
  for (std::size_t i = 0; i < site.frames.size() && lines.size() < maxFrames; ++i) {
    const uintptr_t address = site.frames[i];
    const SymbolizedFrame& frame = symbolizer.resolve(i > 0 && address > 0 ? address - 1 : address);
    if (inAllocator && isAllocatorFrame(frame)) continue;
    inAllocator = false;
    lines.push_back(frameText(frame));
  }
  return lines;
}

std::string formatHeapReport(const HeapProfileSnapshot& snapshot, Symbolizer& symbolizer, std::size_t topSites) {
  uint64_t allocations = 0, liveBlocks = 0;
  int64_t allocated = 0, live = 0;
  for (const HeapSite& site : snapshot.sites) {
    allocations += site.allocations;
    allocated += site.allocatedBytes;
    live += site.liveBytes;
    liveBlocks += static_cast<uint64_t>(std::max<int64_t>(0, site.liveBlocks));
  }
  std::string text;
  char line[512];
  std::snprintf(line, sizeof line,
                "heap profile%s%s: %zu sites, %llu allocations of %s in total, %s live in %llu blocks; %llu frees of "
                "blocks from before the profile, %llu blocks and %llu stacks lost to full tables\n",
                snapshot.label.empty() ? "" : " ", snapshot.label.c_str(), snapshot.sites.size(),
                static_cast<unsigned long long>(allocations), formatBytes(static_cast<double>(allocated)).c_str(),
                formatBytes(static_cast<double>(live)).c_str(), static_cast<unsigned long long>(liveBlocks),
                static_cast<unsigned long long>(snapshot.untrackedFrees),
                static_cast<unsigned long long>(snapshot.lostBlocks), static_cast<unsigned long long>(snapshot.lostSites));
  text += line;
  std::vector<const HeapSite*> order;
  for (const HeapSite& site : snapshot.sites) order.push_back(&site);
  std::stable_sort(order.begin(), order.end(),
                   [](const HeapSite* a, const HeapSite* b) { return a->allocatedBytes > b->allocatedBytes; });
  text += "sites with the most bytes allocated:\n";
  for (std::size_t i = 0; i < order.size() && i < topSites && order[i]->allocatedBytes > 0; ++i) {
    text += siteHeading(i + 1, *order[i]) + siteLines(*order[i], symbolizer, 8);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const HeapSite* a, const HeapSite* b) { return a->liveBytes > b->liveBytes; });
  text += "sites with the most bytes live:\n";
  for (std::size_t i = 0; i < order.size() && i < topSites && order[i]->liveBytes > 0; ++i) {
    text += siteHeading(i + 1, *order[i]) + siteLines(*order[i], symbolizer, 8);
  }
  return text;
}

std::string formatLeakReport(const HeapProfileSnapshot& snapshot, Symbolizer& symbolizer, std::size_t maxSites) {
  std::vector<const HeapSite*> live;
  int64_t bytes = 0;
  for (const HeapSite& site : snapshot.sites) {
    if (site.liveBytes <= 0 && site.liveBlocks <= 0) continue;
    live.push_back(&site);
    bytes += site.liveBytes;
  }
  std::stable_sort(live.begin(), live.end(), [](const HeapSite* a, const HeapSite* b) { return a->liveBytes > b->liveBytes; });
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "still live%s%s: %s in %zu sites (allocated while the profile ran, never freed)\n",
                snapshot.label.empty() ? "" : " at ", snapshot.label.c_str(), formatBytes(static_cast<double>(bytes)).c_str(),
                live.size());
  text += line;
  for (std::size_t i = 0; i < live.size() && i < maxSites; ++i) {
    text += siteHeading(i + 1, *live[i]) + siteLines(*live[i], symbolizer, 12);
  }
  if (live.size() > maxSites) text += "  ... " + std::to_string(live.size() - maxSites) + " more sites\n";
  return text;
}

nlohmann::json heapProfileToJson(const HeapProfileSnapshot& snapshot, Symbolizer& symbolizer) {
  using nlohmann::json;
  json sites = json::array();
  for (const HeapSite& site : snapshot.sites) {
    sites.push_back({{"id", site.id},
                     {"allocations", site.allocations},
                     {"frees", site.frees},
                     {"allocated_bytes", site.allocatedBytes},
                     {"live_bytes", site.liveBytes},
                     {"live_blocks", site.liveBlocks},
                     {"stack", heapSiteStack(site, symbolizer, 32)}});
  }
  return {{"label", snapshot.label},
          {"taken_ns", snapshot.taken_ns},
          {"untracked_frees", snapshot.untrackedFrees},
          {"lost_blocks", snapshot.lostBlocks},
          {"lost_sites", snapshot.lostSites},
          {"sites", std::move(sites)}};
}

std::vector<FoldedStack> heapFoldedStacks(const HeapProfileSnapshot& snapshot, Symbolizer& symbolizer, bool liveOnly) {
  std::vector<FoldedStack> stacks;
  for (const HeapSite& site : snapshot.sites) {
    const int64_t value = liveOnly ? site.liveBytes : site.allocatedBytes;
    if (value <= 0) continue;
    FoldedStack stack;
    stack.value = static_cast<uint64_t>(value);
    auto frames = heapSiteStack(site, symbolizer, 64);
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      // The module in brackets reads badly in a flame graph box: keep the function.
      const auto open = it->rfind(" (");
      stack.frames.push_back(open == std::string::npos ? *it : it->substr(0, open));
    }
    stacks.push_back(std::move(stack));
  }
  return stacks;
}

}  // namespace awe
