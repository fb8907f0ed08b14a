#include "dashboard/Widgets.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace awe {

const ImVec4 kTitleColour{0.55f, 0.80f, 1.00f, 1.0f};
const ImVec4 kGoodColour{0.35f, 0.85f, 0.40f, 1.0f};
const ImVec4 kBadColour{1.00f, 0.35f, 0.30f, 1.0f};
const ImVec4 kWarnColour{1.00f, 0.75f, 0.25f, 1.0f};
const ImVec4 kDimColour{0.60f, 0.60f, 0.65f, 1.0f};

void text(const std::string& s) { ImGui::TextUnformatted(s.c_str(), s.c_str() + s.size()); }
void textColoured(const ImVec4& colour, const std::string& s) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  text(s);
  ImGui::PopStyleColor();
}
void textDim(const std::string& s) { textColoured(kDimColour, s); }

std::string noteName(int key) {
  static const char* const kNames[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  return fmt::format("{}{}", kNames[key % 12], key / 12 - 1);
}

ImU32 channelColour(int channel, float alpha) {
  // Sixteen hues far enough apart to tell neighbours on a keyboard; channel 10 (drums) grey-white.
  static const unsigned char kRgb[16][3] = {
      {230, 80, 70},  {240, 150, 50}, {235, 215, 60}, {140, 210, 60}, {60, 190, 90},  {50, 200, 170},
      {60, 170, 235}, {90, 110, 240}, {160, 95, 235}, {215, 215, 225}, {235, 90, 190}, {175, 120, 80},
      {120, 160, 120}, {110, 140, 180}, {200, 160, 200}, {150, 150, 80}};
  const auto* c = kRgb[static_cast<size_t>(channel) & 15u];
  return IM_COL32(c[0], c[1], c[2], static_cast<int>(std::clamp(alpha, 0.0f, 1.0f) * 255.0f));
}

std::vector<double> axisTicks(double lo, double hi, int wanted) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  const double rough = (hi - lo) / std::max(1, wanted);
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= rough) break;
  }
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::string tickLabel(double value, double step, const char* unit) {
  const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  const std::string number = fmt::format("{:.{}f}", value, std::min(decimals, 4));
  return unit != nullptr && *unit != '\0' ? number + " " + unit : number;
}

float PlotArea::yOf(float value, float lo, float hi) const {
  const float t = hi > lo ? (std::clamp(value, lo, hi) - lo) / (hi - lo) : 0.0f;
  return max.y - t * (max.y - min.y);
}

PlotArea plotWithAxis(const AxisPlot& p, ImVec2 size) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = size.x > 0.0f ? size.x : ImGui::GetContentRegionAvail().x;
  const float height = std::max(size.y, 20.0f);
  const float lineH = ImGui::GetTextLineHeight();
  const std::vector<double> ticks = axisTicks(p.lo, p.hi, std::max(1, static_cast<int>(height / (lineH * 1.4f))));
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : static_cast<double>(p.hi - p.lo);
  std::vector<std::string> labels;
  float gutter = 0.0f;
  for (double t : ticks) {
    labels.push_back(tickLabel(t, step, p.unit));
    gutter = std::max(gutter, ImGui::CalcTextSize(labels.back().c_str()).x);
  }
  gutter += 5.0f;
  ImGui::InvisibleButton(p.id, ImVec2(width, height));
  const bool hovered = ImGui::IsItemHovered();

  PlotArea area{ImVec2(origin.x + gutter, origin.y), ImVec2(origin.x + width, origin.y + height)};
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(area.min, area.max, ImGui::GetColorU32(ImGuiCol_FrameBg), 2.0f);
  const ImU32 grid = IM_COL32(150, 150, 170, 45), label = ImGui::GetColorU32(kDimColour);
  for (size_t i = 0; i < ticks.size(); ++i) {
    const float y = area.yOf(static_cast<float>(ticks[i]), p.lo, p.hi);
    draw->AddLine(ImVec2(area.min.x, y), ImVec2(area.max.x, y), grid);
    draw->AddLine(ImVec2(area.min.x - 3.0f, y), ImVec2(area.min.x, y), label);
    const float w = ImGui::CalcTextSize(labels[i].c_str()).x;
    const float ty = std::clamp(y - lineH * 0.5f, origin.y - 2.0f, area.max.y - lineH + 2.0f);
    draw->AddText(ImVec2(area.min.x - 4.0f - w, ty), label, labels[i].c_str());
  }
  if (p.count > 0 && p.values != nullptr) {
    const float plotW = area.max.x - area.min.x - 2.0f;
    if (p.style == PlotStyle::Lines) {
      const ImU32 colour = p.colour != 0 ? p.colour : ImGui::GetColorU32(ImGuiCol_PlotLines);
      const float dx = p.count > 1 ? plotW / static_cast<float>(p.count - 1) : 0.0f;
      ImVec2 previous{area.min.x + 1.0f, area.yOf(p.values[0], p.lo, p.hi)};
      for (int i = 1; i < p.count; ++i) {
        const ImVec2 point{area.min.x + 1.0f + dx * static_cast<float>(i), area.yOf(p.values[i], p.lo, p.hi)};
        draw->AddLine(previous, point, colour, 1.0f);
        previous = point;
      }
    } else {
      const ImU32 colour = p.colour != 0 ? p.colour : ImGui::GetColorU32(ImGuiCol_PlotHistogram);
      const float dx = plotW / static_cast<float>(p.count);
      const float base = area.yOf(std::max(p.lo, 0.0f), p.lo, p.hi);
      for (int i = 0; i < p.count; ++i) {
        const float x = area.min.x + 1.0f + dx * static_cast<float>(i);
        draw->AddRectFilled(ImVec2(x, area.yOf(p.values[i], p.lo, p.hi)), ImVec2(x + std::max(1.0f, dx - 1.0f), base), colour);
      }
    }
    if (hovered) {
      const float t = (ImGui::GetIO().MousePos.x - area.min.x) / std::max(1.0f, plotW);
      const int i = std::clamp(p.style == PlotStyle::Lines ? static_cast<int>(std::lround(t * static_cast<float>(p.count - 1)))
                                                           : static_cast<int>(t * static_cast<float>(p.count)),
                               0, p.count - 1);
      ImGui::SetTooltip("%d: %s", i, tickLabel(static_cast<double>(p.values[i]), step / 100.0, p.unit).c_str());
    }
  }
  if (!p.overlay.empty()) {
    draw->AddText(ImVec2(area.min.x + 4.0f, area.min.y + 1.0f), ImGui::GetColorU32(ImGuiCol_Text), p.overlay.c_str());
  }
  return area;
}

void markPlotLevel(const PlotArea& area, float value, float lo, float hi, ImU32 colour, const char* label) {
  if (!(hi > lo) || value < lo || value > hi) return;
  const float y = area.yOf(value, lo, hi);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddLine(ImVec2(area.min.x, y), ImVec2(area.max.x, y), colour, 1.0f);
  if (label != nullptr) {
    const float w = ImGui::CalcTextSize(label).x;
    draw->AddText(ImVec2(area.max.x - w - 4.0f, y + 1.0f), colour, label);
  }
}

}  // namespace awe
