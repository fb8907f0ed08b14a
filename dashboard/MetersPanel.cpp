// The output meters, the process's CPU use and temperature, the per-channel level bars and
// the song's lyric line (dashboard/MeterPanels.h).
#include <fmt/core.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "dashboard/MeterPanels.h"
#include "dashboard/Panels.h"
#include "dashboard/Widgets.h"

namespace awe {
namespace {

// The meters' scale: -60 dBFS (quieter reads as nothing) to 0 dBFS.
constexpr float kScaleLow_dBFS = -60.0f;

float scaleFraction(float level_dBFS) { return std::clamp((level_dBFS - kScaleLow_dBFS) / -kScaleLow_dBFS, 0.0f, 1.0f); }

ImU32 zoneColour(float level_dBFS, float alpha) {
  const int a = static_cast<int>(alpha * 255.0f);
  if (level_dBFS >= -3.0f) return IM_COL32(235, 70, 60, a);
  if (level_dBFS >= -12.0f) return IM_COL32(230, 200, 60, a);
  return IM_COL32(70, 200, 90, a);
}

// One side's horizontal meter: RMS as the filled bar, the peak as a bright line, the held
// peak as a small mark.
void meterBar(const char* side, float peak_dBFS, float rms_dBFS, float held_dBFS, float width, float height) {
  textDim(side);
  ImGui::SameLine();
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const ImVec2 b{a.x + width, a.y + height};
  ImGui::Dummy(ImVec2(width, height));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(a, b, IM_COL32(30, 32, 38, 255), 2.0f);
  // The zones' backgrounds, faint, so the scale reads without numbers.
  for (const auto& [from, to] : {std::pair{kScaleLow_dBFS, -12.0f}, std::pair{-12.0f, -3.0f}, std::pair{-3.0f, 0.0f}}) {
    draw->AddRectFilled(ImVec2(a.x + width * scaleFraction(from), a.y), ImVec2(a.x + width * scaleFraction(to), b.y),
                        zoneColour(from, 0.13f));
  }
  const float rmsX = a.x + width * scaleFraction(rms_dBFS);
  draw->AddRectFilled(ImVec2(a.x, a.y + 2.0f), ImVec2(rmsX, b.y - 2.0f), zoneColour(rms_dBFS, 0.9f), 1.0f);
  const float peakX = a.x + width * scaleFraction(peak_dBFS);
  draw->AddRectFilled(ImVec2(rmsX, a.y + height * 0.3f), ImVec2(peakX, b.y - height * 0.3f), zoneColour(peak_dBFS, 0.55f));
  if (peak_dBFS > kScaleLow_dBFS) draw->AddLine(ImVec2(peakX, a.y), ImVec2(peakX, b.y), IM_COL32(255, 255, 255, 230), 2.0f);
  if (held_dBFS > kScaleLow_dBFS) {
    const float heldX = a.x + width * scaleFraction(held_dBFS);
    draw->AddRectFilled(ImVec2(heldX - 1.0f, a.y), ImVec2(heldX + 1.0f, b.y), zoneColour(held_dBFS, 1.0f));
  }
  ImGui::SameLine();
  const auto number = [](float v) { return v <= kMeterFloor_dBFS ? std::string("  -inf") : fmt::format("{:6.1f}", v); };
  text(fmt::format("peak {}  RMS {} dBFS", number(peak_dBFS), number(rms_dBFS)));
}

// The dB scale under the meters.
void meterScale(float x0, float width) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImU32 colour = ImGui::GetColorU32(kDimColour);
  for (float mark : {-60.0f, -48.0f, -36.0f, -24.0f, -18.0f, -12.0f, -6.0f, -3.0f, 0.0f}) {
    const float x = x0 + width * scaleFraction(mark);
    draw->AddLine(ImVec2(x, p.y), ImVec2(x, p.y + 3.0f), colour);
    const std::string label = fmt::format("{:.0f}", mark);
    const float w = ImGui::CalcTextSize(label.c_str()).x;
    draw->AddText(ImVec2(std::clamp(x - w * 0.5f, x0, x0 + width - w), p.y + 2.0f), colour, label.c_str());
  }
  ImGui::Dummy(ImVec2(width, ImGui::GetTextLineHeight() + 2.0f));
  ImGui::SameLine(0.0f, 12.0f);
  textDim("dBFS");
}

}  // namespace

void drawMetersPanel(PlayerSession&, const FrameData& frame, DashboardState& state) {
  MetersState& m = state.meters;
  const OutputLevels& out = frame.status.output;
  // The held peak: the highest in the last two seconds.
  for (size_t side = 0; side < 2; ++side) {
    if (out.peak_dBFS[side] >= m.heldPeak_dBFS[side] || frame.now_ns - m.heldPeakSince_ns[side] > MetersState::kPeakHold_ns) {
      m.heldPeak_dBFS[side] = out.peak_dBFS[side];
      m.heldPeakSince_ns[side] = frame.now_ns;
    }
  }
  if (out.lastClipBuffer != m.lastClipBuffer) {
    m.lastClipBuffer = out.lastClipBuffer;
    m.clipLitSince_ns = frame.now_ns;
  }
  const float labelW = ImGui::CalcTextSize("L").x + ImGui::GetStyle().ItemSpacing.x;
  const float numbersW = ImGui::CalcTextSize("peak -120.0  RMS -120.0 dBFS").x + ImGui::GetStyle().ItemSpacing.x;
  const float barW = std::max(80.0f, ImGui::GetContentRegionAvail().x - labelW - numbersW);
  const float barH = ImGui::GetTextLineHeight() + 4.0f;
  const float barX = ImGui::GetCursorScreenPos().x + labelW;
  meterBar("L", out.peak_dBFS[0], out.rms_dBFS[0], m.heldPeak_dBFS[0], barW, barH);
  meterBar("R", out.peak_dBFS[1], out.rms_dBFS[1], m.heldPeak_dBFS[1], barW, barH);
  meterScale(barX, barW);

  // The clip lamp and the count held until reset.
  const bool lit = out.lastClipBuffer != 0 && frame.now_ns - m.clipLitSince_ns < MetersState::kPeakHold_ns;
  ImGui::PushStyleColor(ImGuiCol_Button, lit ? ImVec4(0.90f, 0.15f, 0.12f, 1.0f) : ImVec4(0.25f, 0.12f, 0.12f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.95f, 0.30f, 0.25f, 1.0f));
  const uint64_t clips = out.clippedSamples - std::min(out.clippedSamples, m.clipsAtReset);
  if (ImGui::SmallButton("CLIP")) m.clipsAtReset = out.clippedSamples;
  ImGui::PopStyleColor(2);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("lit for 2 s after a sample at or over full scale; click to reset the count");
  ImGui::SameLine();
  const std::string count = fmt::format("{} clipped sample{} since {}", clips, clips == 1 ? "" : "s",
                                        m.clipsAtReset == 0 ? "start" : "reset");
  if (clips == 0) {
    textColoured(kGoodColour, count);
  } else {
    textColoured(kBadColour, count);
  }
  ImGui::SameLine(0.0f, 16.0f);
  textDim("peak falls 20 dB in 1.7 s; RMS over 300 ms");
  drawCpuLine(frame, m);
}

void drawCpuLine(const FrameData& frame, MetersState& m) {
  const CpuUsage& cpu = m.cpu.update(frame.now_ns);
  if (m.temperatureRead_ns == 0 || frame.now_ns - m.temperatureRead_ns > 5'000'000'000) {
    m.temperature = readCpuTemperature();
    m.temperatureRead_ns = frame.now_ns;
  }
  std::string line = fmt::format("DSP load {:.1f} %", frame.snapshot.smoothedLoad * 100.0);
  if (cpu.valid) {
    line += fmt::format("   process CPU {:.1f} % of a core ({} cores)", cpu.process_percent, cpu.cores);
    const int audioTid = frame.snapshot.audioThreadId;
    for (const ThreadCpu& t : cpu.threads) {
      if (t.tid == audioTid) line += fmt::format(", audio thread {:.1f} %", t.percent);
    }
  } else {
    line += "   process CPU: measuring";
  }
  ImGui::PushTextWrapPos(0.0f);  // a narrow panel (the Monitor view's Load) wraps it
  text(line);
  ImGui::PopTextWrapPos();
  if (ImGui::IsItemHovered() && cpu.valid) {
    ImGui::BeginTooltip();
    text("CPU per thread, % of one core (/proc/self/task):");
    for (const ThreadCpu& t : cpu.threads) {
      text(fmt::format("{:6.1f} %  {} ({}){}", t.percent, t.name, t.tid, t.tid == frame.snapshot.audioThreadId ? "  audio" : ""));
    }
    ImGui::EndTooltip();
  }
  ImGui::SameLine(0.0f, 16.0f);
  if (m.temperature.available) {
    text(fmt::format("CPU {:.0f} \xC2\xB0" "C", m.temperature.celsius));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.temperature.sensor.c_str());
  } else {
    textDim("CPU temperature: not available");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("no CPU sensor in /sys/class/hwmon or /sys/class/thermal on this machine");
  }
}

void drawChannelLevel(int channel, const ChannelStrip& strip, float width) {
  const float height = ImGui::GetTextLineHeight();
  const ImVec2 a = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width, height));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(a, ImVec2(a.x + width, a.y + height), IM_COL32(30, 32, 38, 255), 2.0f);
  const float level = scaleFraction(strip.level_dBFS);
  if (level > 0.0f) {
    draw->AddRectFilled(ImVec2(a.x, a.y + 2.0f), ImVec2(a.x + width * level, a.y + height - 2.0f),
                        channelColour(channel, strip.muted ? 0.3f : 0.9f), 1.0f);
  }
  // The note-on flash: a thin line at the bottom, as long as the last velocity.
  const float flash = std::clamp(strip.activity, 0.0f, 1.0f);
  if (flash > 0.02f) {
    draw->AddRectFilled(ImVec2(a.x, a.y + height - 2.0f), ImVec2(a.x + width * flash, a.y + height), IM_COL32(255, 255, 255, 200));
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("channel %d: %s (sum of its voice gains; bar from -60 to 0 dB), last note-on velocity %.0f", channel + 1,
                      strip.level_dBFS <= kMeterFloor_dBFS ? "silent" : fmt::format("{:.1f} dB", strip.level_dBFS).c_str(),
                      static_cast<double>(flash * 127.0f));
  }
}

void drawSongPanel(PlayerSession& session, const FrameData& frame, DashboardState&) {
  const auto& song = session.song();
  if (!song) {
    textDim("no song");
    return;
  }
  const double now_s = frame.status.position_s;
  const MidiText* marker = song->markerAt(now_s);
  textDim("Marker");
  ImGui::SameLine();
  text(marker != nullptr ? marker->text : std::string(song->markers().empty() ? "(the song has no markers)" : "-"));
  textDim(song->lyrics().empty() ? "Lyrics: the song has none" : song->karaoke() ? "Karaoke" : "Lyrics");
  if (song->lyrics().empty()) return;
  size_t sung = 0;
  const std::string line = song->lyricLineAt(now_s, &sung);
  // The line large, the sung part bright and the rest dim, wrapped to the panel.
  ImGui::SetWindowFontScale(1.6f);
  ImGui::PushTextWrapPos(0.0f);
  if (line.empty()) {
    textDim("...");
  } else {
    text(line.substr(0, sung));
    ImGui::SameLine(0.0f, 0.0f);
    textDim(line.substr(sung));
  }
  ImGui::PopTextWrapPos();
  ImGui::SetWindowFontScale(1.0f);
}

}  // namespace awe
