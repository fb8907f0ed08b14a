#pragma once
// Drawing helpers the dashboard's panels share: colours, text, and plots with a labelled
// y axis. [main thread, inside an ImGui frame]
#include <imgui.h>

#include <string>
#include <vector>

namespace awe {

extern const ImVec4 kTitleColour;
extern const ImVec4 kGoodColour;
extern const ImVec4 kBadColour;
extern const ImVec4 kWarnColour;
extern const ImVec4 kDimColour;

void text(const std::string& s);
void textColoured(const ImVec4& colour, const std::string& s);
void textDim(const std::string& s);

// "C4" for key 60.
std::string noteName(int key);
// One colour per MIDI channel (0..15), the same in the channel table, keyboard and roll.
ImU32 channelColour(int channel, float alpha = 1.0f);

// Round tick values for an axis over [lo, hi] with about `wanted` intervals (steps of 1, 2
// or 5 times a power of ten).
std::vector<double> axisTicks(double lo, double hi, int wanted);
// A tick label: the value with as many decimals as the step needs, and the unit.
std::string tickLabel(double value, double step, const char* unit);

// How a plot draws its values.
enum class PlotStyle { Lines, Bars };

struct AxisPlot {
  const char* id = "##plot";
  const float* values = nullptr;
  int count = 0;
  float lo = 0.0f, hi = 1.0f;    // the y range shown
  const char* unit = "";         // appended to each y tick label ("%", "ms", "MiB", "dBFS")
  std::string overlay;           // drawn at the top left inside the plot
  PlotStyle style = PlotStyle::Lines;
  ImU32 colour = 0;              // 0: the style's PlotLines / PlotHistogram colour
};

// Draws `plot` in a box `size` wide and high (x = -1: the rest of the line) with a y axis
// on its left: ticks at round values with the unit, and a faint grid. Returns the plot
// area's screen rectangle (for markers drawn over it).
struct PlotArea {
  ImVec2 min, max;
  float yOf(float value, float lo, float hi) const;
};
PlotArea plotWithAxis(const AxisPlot& plot, ImVec2 size);
// A horizontal line across a plot area at `value` of [lo, hi], with an optional label.
void markPlotLevel(const PlotArea& area, float value, float lo, float hi, ImU32 colour, const char* label);

}  // namespace awe
