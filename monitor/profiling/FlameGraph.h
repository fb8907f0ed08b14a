#pragma once
// Flame graphs written by awe itself: an SVG where each box is a function, its width the
// share of the samples (or bytes) that went through it, callers below callees, merged
// by name (as Brendan Gregg's flamegraph.pl draws them), with a tooltip per box.
// [any thread, allocates]
#include <cstdint>
#include <string>
#include <vector>

namespace awe {

struct FoldedStack {
  std::vector<std::string> frames;  // outermost first
  uint64_t value = 0;               // samples, bytes, ...
};

struct FlameGraphOptions {
  std::string title = "Flame graph";
  std::string subtitle;              // e.g. what was profiled, the rate
  std::string unit = "samples";      // what `value` counts
  int width_px = 1200;
  int frameHeight_px = 16;
};

std::string flameGraphSvg(const std::vector<FoldedStack>& stacks, const FlameGraphOptions& options);

// "frame;frame;frame value" lines (';' in names becomes ':'), sorted: the folded format
// that flamegraph.pl, inferno and speedscope read.
std::string foldedText(const std::vector<FoldedStack>& stacks);

}  // namespace awe
