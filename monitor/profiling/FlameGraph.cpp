#include "monitor/profiling/FlameGraph.h"
#include "monitor/report/Svg.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

namespace awe {
namespace {

struct Node {
  std::string name;
  uint64_t value = 0;
  std::map<std::string, std::unique_ptr<Node>> children;  // by name: alphabetical, as flamegraph.pl
};

// A warm colour from the name (stable across runs).
std::string colourFor(const std::string& name) {
  uint32_t hash = 2166136261u;
  for (char c : name) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  const double v1 = static_cast<double>(hash & 0xFF) / 255.0;
  const double v2 = static_cast<double>((hash >> 8) & 0xFF) / 255.0;
  const double v3 = static_cast<double>((hash >> 16) & 0xFF) / 255.0;
  char colour[32];
  std::snprintf(colour, sizeof colour, "rgb(%d,%d,%d)", 205 + static_cast<int>(50 * v3), static_cast<int>(230 * v1),
                static_cast<int>(55 * v2));
  return colour;
}

int depthOf(const Node& node) {
  int deepest = 0;
  for (const auto& [name, child] : node.children) deepest = std::max(deepest, 1 + depthOf(*child));
  return deepest;
}

struct Layout {
  double pixelsPerUnit = 0.0;
  int frameHeight = 16;
  int bottom = 0;  // y of the root row
  uint64_t total = 0;
  std::string unit;
};

void drawNode(const Node& node, double x, int depth, const Layout& layout, std::string& svg) {
  const double width = static_cast<double>(node.value) * layout.pixelsPerUnit;
  if (width < 0.3) return;  // invisible; its children are narrower still
  const int y = layout.bottom - depth * layout.frameHeight;
  const double share = layout.total > 0 ? 100.0 * static_cast<double>(node.value) / static_cast<double>(layout.total) : 0.0;
  // The name goes in whole (C++ names run to hundreds of characters); only the numbers
  // go through a fixed buffer.
  char percent[32];
  std::snprintf(percent, sizeof percent, ", %.2f%%)", share);
  svg += "<g><title>" + xmlEscape(node.name) + " (" + std::to_string(node.value) + " " + xmlEscape(layout.unit) +
         percent + "</title>";
  char rect[256];
  std::snprintf(rect, sizeof rect, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" rx=\"2\" ry=\"2\"/>",
                x, y, width, layout.frameHeight - 1, colourFor(node.name).c_str());
  svg += rect;
  // Verdana 11 px averages about 6.5 px per character.
  const auto fits = static_cast<std::size_t>(std::max(0.0, (width - 6.0) / 6.5));
  if (fits >= 3) {
    std::string label = node.name.size() <= fits ? node.name : node.name.substr(0, fits - 2) + "..";
    char text[128];
    std::snprintf(text, sizeof text, "<text x=\"%.1f\" y=\"%d\">", x + 3.0, y + layout.frameHeight - 5);
    svg += text;
    svg += xmlEscape(label);
    svg += "</text>";
  }
  svg += "</g>\n";
  double childX = x;
  for (const auto& [name, child] : node.children) {
    drawNode(*child, childX, depth + 1, layout, svg);
    childX += static_cast<double>(child->value) * layout.pixelsPerUnit;
  }
}

}  // namespace

std::string flameGraphSvg(const std::vector<FoldedStack>& stacks, const FlameGraphOptions& options) {
  Node root;
  root.name = "all";
  for (const FoldedStack& stack : stacks) {
    if (stack.value == 0) continue;
    root.value += stack.value;
    Node* node = &root;
    for (const std::string& frame : stack.frames) {
      auto& child = node->children[frame];
      if (!child) {
        child = std::make_unique<Node>();
        child->name = frame;
      }
      child->value += stack.value;
      node = child.get();
    }
  }
  const int depth = depthOf(root) + 1;
  const int margin = 10;
  const int header = options.subtitle.empty() ? 36 : 52;
  const int height = header + depth * options.frameHeight_px + 2 * margin;
  Layout layout;
  layout.frameHeight = options.frameHeight_px;
  layout.total = root.value;
  layout.unit = options.unit;
  layout.bottom = height - margin - options.frameHeight_px;
  layout.pixelsPerUnit =
      root.value > 0 ? static_cast<double>(options.width_px - 2 * margin) / static_cast<double>(root.value) : 0.0;

  std::string svg;
  char head[1024];
  std::snprintf(head, sizeof head,
                "<?xml version=\"1.0\" standalone=\"no\"?>\n"
                "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "xmlns=\"http://www.w3.org/2000/svg\">\n"
                "<style>text { font-family: Verdana, sans-serif; font-size: 11px; fill: rgb(0,0,0); } "
                "rect:hover { stroke: black; stroke-width: 0.5; }</style>\n"
                "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"rgb(248,248,240)\"/>\n",
                options.width_px, height, options.width_px, height, options.width_px, height);
  svg += head;
  svg += "<text x=\"" + std::to_string(options.width_px / 2) +
         "\" y=\"24\" text-anchor=\"middle\" style=\"font-size: 17px\">" + xmlEscape(options.title) + "</text>\n";
  if (!options.subtitle.empty()) {
    svg += "<text x=\"" + std::to_string(options.width_px / 2) + "\" y=\"42\" text-anchor=\"middle\" style=\"fill: rgb(90,90,90)\">" +
           xmlEscape(options.subtitle) + "</text>\n";
  }
  if (root.value > 0) drawNode(root, margin, 0, layout, svg);
  svg += "</svg>\n";
  return svg;
}

std::string foldedText(const std::vector<FoldedStack>& stacks) {
  std::map<std::string, uint64_t> lines;
  for (const FoldedStack& stack : stacks) {
    std::string line;
    for (std::size_t i = 0; i < stack.frames.size(); ++i) {
      if (i > 0) line += ';';
      std::string frame = stack.frames[i];
      std::replace(frame.begin(), frame.end(), ';', ':');
      std::replace(frame.begin(), frame.end(), '\n', ' ');
      line += frame;
    }
    lines[line] += stack.value;
  }
  std::string text;
  for (const auto& [line, value] : lines) text += line + " " + std::to_string(value) + "\n";
  return text;
}

}  // namespace awe
