// The oscilloscope and the spectrum of the output (dashboard/MeterPanels.h): both from one
// OutputScope snapshot per frame; the FFT runs here on the UI thread.
#include <fmt/core.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "dashboard/MeterPanels.h"
#include "dashboard/Panels.h"
#include "dashboard/Widgets.h"

namespace awe {
namespace {

constexpr ImU32 kLeftColour = IM_COL32(90, 200, 250, 230);
constexpr ImU32 kRightColour = IM_COL32(250, 160, 70, 200);
constexpr float kSpectrumLow_dBFS = -100.0f;
constexpr double kSpectrumFall_dB_per_s = 40.0;  // the shown peak falls this fast: calm to read

}  // namespace

void takeScopeSnapshot(PlayerSession& session, MetersState& m) {
  m.scopeValid = session.engine().outputScope().readLatest(m.left.data(), m.right.data(), MetersState::kScopeFrames);
}

void drawScopePanel(PlayerSession& session, const FrameData&, DashboardState& state) {
  MetersState& m = state.meters;
  const double rate = session.engine().sampleRate();
  // About 23 ms (one 1024-frame buffer at 44.1 kHz) from a rising zero crossing of the
  // left side, so a steady tone stands still.
  const size_t shown = std::min<size_t>(static_cast<size_t>(rate * 0.0232), m.scopeValid / 2);
  size_t start = m.scopeValid - shown;
  if (m.scopeValid >= 2 * shown && shown > 0) {
    for (size_t i = m.scopeValid - shown; i-- > m.scopeValid - 2 * shown + 1;) {
      if (m.left[i - 1] < 0.0f && m.left[i] >= 0.0f) {
        start = i;
        break;
      }
    }
  }
  const float height = ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing();
  AxisPlot plot;
  plot.id = "##scope";
  plot.lo = -1.0f;
  plot.hi = 1.0f;
  plot.unit = "FS";
  plot.overlay = m.scopeValid == 0 ? std::string("no output yet")
                                   : fmt::format("{:.1f} ms of output, 1 FS = full scale", 1000.0 * static_cast<double>(shown) / rate);
  const PlotArea area = plotWithAxis(plot, ImVec2(-1.0f, height));
  if (shown > 1) {
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->PushClipRect(area.min, area.max, true);
    const float dx = (area.max.x - area.min.x - 2.0f) / static_cast<float>(shown - 1);
    for (const auto& [side, colour] : {std::pair{&m.right, kRightColour}, std::pair{&m.left, kLeftColour}}) {
      ImVec2 previous{area.min.x + 1.0f, area.yOf((*side)[start], -1.0f, 1.0f)};
      for (size_t i = 1; i < shown; ++i) {
        const ImVec2 point{area.min.x + 1.0f + dx * static_cast<float>(i), area.yOf((*side)[start + i], -1.0f, 1.0f)};
        draw->AddLine(previous, point, colour, 1.2f);
        previous = point;
      }
    }
    draw->PopClipRect();
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(kLeftColour));
  text("left");
  ImGui::PopStyleColor();
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(kRightColour));
  text("right");
  ImGui::PopStyleColor();
  ImGui::SameLine();
  textDim("(trigger: left rising)");
}

void drawSpectrumPanel(PlayerSession& session, const FrameData& frame, DashboardState& state) {
  MetersState& m = state.meters;
  const double rate = session.engine().sampleRate();
  const double nyquist = rate / 2.0;
  if (m.scopeValid == MetersState::kScopeFrames) {
    for (size_t i = 0; i < m.scopeValid; ++i) m.mono[i] = 0.5f * (m.left[i] + m.right[i]);
    m.spectrum.compute(m.mono.data(), m.scopeValid, rate);
    const std::vector<float>& bins = m.spectrum.bins_dBFS();
    // The shown curve rises at once and falls kSpectrumFall_dB_per_s (one UI frame ~33 ms).
    const float fall = static_cast<float>(kSpectrumFall_dB_per_s / 30.0);
    if (m.shownSpectrum_dBFS.size() != bins.size()) m.shownSpectrum_dBFS.assign(bins.size(), kMeterFloor_dBFS);
    for (size_t k = 0; k < bins.size(); ++k) m.shownSpectrum_dBFS[k] = std::max(bins[k], m.shownSpectrum_dBFS[k] - fall);
  }
  const float height = ImGui::GetContentRegionAvail().y - 2.0f * ImGui::GetTextLineHeightWithSpacing();
  AxisPlot plot;
  plot.id = "##spectrum";
  plot.lo = kSpectrumLow_dBFS;
  plot.hi = 0.0f;
  plot.unit = "dB";
  const Spectrum::Peak peak = m.spectrum.peak();
  plot.overlay = m.shownSpectrum_dBFS.empty()          ? std::string("no output yet")
                 : peak.level_dBFS <= kSpectrumLow_dBFS ? fmt::format("{}-point FFT: silence", MetersState::kScopeFrames)
                                                        : fmt::format("{}-point FFT, peak {:.0f} Hz at {:.1f} dBFS", MetersState::kScopeFrames,
                                                                      peak.frequency_Hz, static_cast<double>(peak.level_dBFS));
  const PlotArea area = plotWithAxis(plot, ImVec2(-1.0f, height));
  // Frequency on a log scale from 20 Hz to Nyquist.
  const double lowHz = 20.0;
  const float width = area.max.x - area.min.x;
  const auto xOf = [&](double hz) {
    return area.min.x + width * static_cast<float>(std::log(hz / lowHz) / std::log(nyquist / lowHz));
  };
  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (!m.shownSpectrum_dBFS.empty()) {
    draw->PushClipRect(area.min, area.max, true);
    const double binHz = m.spectrum.binWidth_Hz();
    // One point per pixel column: the loudest bin in it (low bins spread over several columns).
    ImVec2 previous{-1.0f, 0.0f};
    size_t k = 1;
    const std::vector<float>& shown = m.shownSpectrum_dBFS;
    for (float x = area.min.x; x < area.max.x && k < shown.size(); x += 1.0f) {
      const double hzEnd = lowHz * std::exp(static_cast<double>((x + 1.0f - area.min.x) / width) * std::log(nyquist / lowHz));
      float level = kMeterFloor_dBFS;
      bool any = false;
      while (k < shown.size() && static_cast<double>(k) * binHz < hzEnd) {
        level = std::max(level, shown[k]);
        any = true;
        ++k;
      }
      if (!any) {  // between two low bins: interpolate
        const double hz = lowHz * std::exp(static_cast<double>((x - area.min.x) / width) * std::log(nyquist / lowHz));
        const double at = hz / binHz;
        const auto below = std::min(static_cast<size_t>(at), shown.size() - 2);
        const float t = static_cast<float>(at - static_cast<double>(below));
        level = shown[below] + t * (shown[below + 1] - shown[below]);
      }
      const ImVec2 point{x, area.yOf(level, kSpectrumLow_dBFS, 0.0f)};
      if (previous.x >= 0.0f) {
        draw->AddQuadFilled(previous, point, ImVec2(point.x, area.max.y), ImVec2(previous.x, area.max.y), IM_COL32(70, 150, 230, 70));
        draw->AddLine(previous, point, IM_COL32(110, 190, 255, 255), 1.2f);
      }
      previous = point;
    }
    draw->PopClipRect();
  }
  // The frequency axis under the plot.
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImU32 dim = ImGui::GetColorU32(kDimColour);
  for (double hz : {50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0}) {
    if (hz >= nyquist) break;
    const float x = xOf(hz);
    draw->AddLine(ImVec2(x, area.min.y), ImVec2(x, area.max.y), IM_COL32(150, 150, 170, 35));
    draw->AddLine(ImVec2(x, p.y - 3.0f), ImVec2(x, p.y), dim);
    const std::string label = hz >= 1000.0 ? fmt::format("{:.0f}k", hz / 1000.0) : fmt::format("{:.0f}", hz);
    draw->AddText(ImVec2(x - ImGui::CalcTextSize(label.c_str()).x * 0.5f, p.y), dim, label.c_str());
  }
  ImGui::Dummy(ImVec2(area.max.x - p.x, ImGui::GetTextLineHeight()));
  ImGui::SameLine();
  textDim("Hz");
  textDim(frame.status.playing ? "the output's spectrum (left + right) / 2" : "the output's spectrum (paused)");
}

}  // namespace awe
