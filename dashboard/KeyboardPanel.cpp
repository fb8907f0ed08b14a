// The piano roll over one combined keyboard: the keys each channel holds, in the channel's
// colour (dashboard/MeterPanels.h). Drawn from the held and releasing key sets the engine
// publishes with every buffer.
#include <fmt/core.h>
#include <imgui.h>

#include <algorithm>

#include "dashboard/MeterPanels.h"
#include "dashboard/Panels.h"
#include "dashboard/Widgets.h"

namespace awe {
namespace {

bool isBlack(int key) {
  const int n = key % 12;
  return n == 1 || n == 3 || n == 6 || n == 8 || n == 10;
}

bool bit(const uint64_t (&keys)[2], int key) { return ((keys[key >> 6] >> (key & 63)) & 1u) != 0; }

// Per key, the channels holding it (low 16 bits) and releasing it (high 16) now.
std::array<uint32_t, 128> keyChannels(const EngineStatus& st) {
  std::array<uint32_t, 128> keys{};
  for (int c = 0; c < kMidiChannels; ++c) {
    for (int k = 0; k < 128; ++k) {
      if (bit(st.channels[c].heldKeys, k)) keys[static_cast<size_t>(k)] |= 1u << c;
      if (bit(st.channels[c].releasingKeys, k)) keys[static_cast<size_t>(k)] |= 1u << (16 + c);
    }
  }
  return keys;
}

int lowestChannel(uint32_t mask16) {
  for (int c = 0; c < 16; ++c) {
    if ((mask16 >> c) & 1u) return c;
  }
  return -1;
}

// Where key `k` sits: x range on a keyboard whose white keys are `whiteW` wide from `x0`,
// counting white keys from `firstKey` (a white key).
struct KeyPlace {
  float left, right;
};
KeyPlace place(int key, int firstKey, float x0, float whiteW) {
  int whites = 0;
  for (int k = firstKey; k < key; ++k) whites += isBlack(k) ? 0 : 1;
  const float x = x0 + static_cast<float>(whites) * whiteW;
  if (!isBlack(key)) return {x, x + whiteW};
  const float blackW = whiteW * 0.62f;
  return {x - blackW * 0.5f, x + blackW * 0.5f};
}

}  // namespace

void drawKeyboardPanel(PlayerSession&, const FrameData& frame, DashboardState& state) {
  MetersState& m = state.meters;
  const EngineStatus& st = frame.status;
  const std::array<uint32_t, 128> now = keyChannels(st);

  // One roll row per audio buffer since the last frame (the current keys repeated when the
  // UI drew fewer frames than the audio thread made buffers).
  if (st.buffer != m.rollBuffer) {
    const uint64_t fresh = std::min<uint64_t>(st.buffer > m.rollBuffer ? st.buffer - m.rollBuffer : 1, MetersState::kRollRows);
    for (uint64_t i = 0; i < fresh; ++i) {
      m.roll[m.rollHead] = now;
      m.rollHead = (m.rollHead + 1) % MetersState::kRollRows;
    }
    m.rollBuffer = st.buffer;
  }

  // The piano's 88 keys, or all 128 when something plays outside them.
  int firstKey = 21, lastKey = 108;
  for (size_t k = 0; k < 128; ++k) {
    if (now[k] != 0 && (k < 21 || k > 108)) {
      firstKey = 0;
      lastKey = 127;
    }
  }
  int whiteCount = 0;
  for (int k = firstKey; k <= lastKey; ++k) whiteCount += isBlack(k) ? 0 : 1;

  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float legendH = ImGui::GetTextLineHeightWithSpacing();
  const float keyboardH = std::clamp(avail.y * 0.3f, 34.0f, 70.0f);
  const float rollH = std::max(20.0f, avail.y - keyboardH - legendH - 4.0f);
  const float whiteW = avail.x / static_cast<float>(whiteCount);
  ImDrawList* draw = ImGui::GetWindowDrawList();

  // ---- the roll: time runs up, the newest row sits on the keyboard ----
  const ImVec2 rollMin = origin, rollMax{origin.x + avail.x, origin.y + rollH};
  draw->AddRectFilled(rollMin, rollMax, IM_COL32(22, 23, 28, 255));
  for (int k = firstKey; k <= lastKey; ++k) {  // faint lanes for the C keys and the black keys
    if (k % 12 == 0 || isBlack(k)) {
      const KeyPlace p = place(k, firstKey, origin.x, whiteW);
      draw->AddRectFilled(ImVec2(p.left, rollMin.y), ImVec2(p.right, rollMax.y),
                          k % 12 == 0 ? IM_COL32(60, 60, 75, 90) : IM_COL32(0, 0, 0, 70));
    }
  }
  const float rowH = rollH / static_cast<float>(MetersState::kRollRows);
  for (int k = firstKey; k <= lastKey; ++k) {
    const KeyPlace p = place(k, firstKey, origin.x, whiteW);
    // Runs of rows with the same colour, drawn as one rectangle each.
    int runStart = -1;
    ImU32 runColour = 0;
    const auto flush = [&](int end) {
      if (runStart < 0) return;
      draw->AddRectFilled(ImVec2(p.left + 0.5f, rollMin.y + static_cast<float>(runStart) * rowH),
                          ImVec2(p.right - 0.5f, rollMin.y + static_cast<float>(end) * rowH), runColour);
      runStart = -1;
    };
    for (size_t row = 0; row < MetersState::kRollRows; ++row) {
      const uint32_t mask = m.roll[(m.rollHead + row) % MetersState::kRollRows][static_cast<size_t>(k)];
      ImU32 colour = 0;
      if ((mask & 0xFFFFu) != 0) {
        colour = channelColour(lowestChannel(mask & 0xFFFFu), 0.95f);
      } else if (mask != 0) {
        colour = channelColour(lowestChannel(mask >> 16), 0.35f);
      }
      if (colour != runColour || colour == 0) flush(static_cast<int>(row));
      if (colour != 0 && runStart < 0) {
        runStart = static_cast<int>(row);
        runColour = colour;
      }
    }
    flush(static_cast<int>(MetersState::kRollRows));
  }
  const double buffer_s = static_cast<double>(frame.snapshot.budget_ns) * 1e-9;
  draw->AddText(ImVec2(rollMin.x + 4.0f, rollMin.y + 2.0f), ImGui::GetColorU32(kDimColour),
                fmt::format("piano roll, last {:.1f} s (time runs up)", buffer_s * static_cast<double>(MetersState::kRollRows)).c_str());

  // ---- the keyboard: white keys, then black keys over them; held keys in the colours of
  // the channels holding them (side by side), released-but-sounding ones paler ----
  const float top = rollMax.y + 2.0f, bottom = top + keyboardH;
  const auto fillKey = [&](const KeyPlace& p, float y0, float y1, uint32_t mask, ImU32 idle) {
    const uint32_t held = mask & 0xFFFFu, releasing = mask >> 16;
    const uint32_t shown = held != 0 ? held : releasing;
    int count = 0;
    for (int c = 0; c < 16; ++c) count += (shown >> c) & 1u;
    if (count == 0) {
      draw->AddRectFilled(ImVec2(p.left + 0.5f, y0), ImVec2(p.right - 0.5f, y1), idle, 1.5f);
      return;
    }
    const float w = (p.right - p.left - 1.0f) / static_cast<float>(count);
    float x = p.left + 0.5f;
    for (int c = 0; c < 16; ++c) {
      if (((shown >> c) & 1u) == 0) continue;
      draw->AddRectFilled(ImVec2(x, y0), ImVec2(x + w, y1), channelColour(c, held != 0 ? 1.0f : 0.45f));
      x += w;
    }
  };
  for (int k = firstKey; k <= lastKey; ++k) {
    if (isBlack(k)) continue;
    const KeyPlace p = place(k, firstKey, origin.x, whiteW);
    fillKey(p, top, bottom, now[static_cast<size_t>(k)], IM_COL32(225, 225, 230, 255));
    draw->AddRect(ImVec2(p.left, top), ImVec2(p.right, bottom), IM_COL32(40, 40, 50, 255), 1.5f);
    if (k % 12 == 0 && whiteW >= 9.0f) {
      const std::string label = noteName(k);
      const float w = ImGui::CalcTextSize(label.c_str()).x;
      if (w < whiteW * 2.5f) draw->AddText(ImVec2(p.left + 1.0f, bottom - ImGui::GetTextLineHeight()), IM_COL32(70, 70, 90, 255), label.c_str());
    }
  }
  for (int k = firstKey; k <= lastKey; ++k) {
    if (!isBlack(k)) continue;
    const KeyPlace p = place(k, firstKey, origin.x, whiteW);
    fillKey(p, top, top + keyboardH * 0.62f, now[static_cast<size_t>(k)], IM_COL32(25, 25, 30, 255));
  }
  ImGui::Dummy(ImVec2(avail.x, rollH + 2.0f + keyboardH + 2.0f));
  if (ImGui::IsItemHovered()) {
    const float mx = ImGui::GetIO().MousePos.x;
    int hoveredKey = -1;
    for (int k = firstKey; k <= lastKey && hoveredKey < 0; ++k) {  // black keys first: they lie on top
      const KeyPlace p = place(k, firstKey, origin.x, whiteW);
      if (isBlack(k) && mx >= p.left && mx < p.right) hoveredKey = k;
    }
    for (int k = firstKey; k <= lastKey && hoveredKey < 0; ++k) {
      const KeyPlace p = place(k, firstKey, origin.x, whiteW);
      if (!isBlack(k) && mx >= p.left && mx < p.right) hoveredKey = k;
    }
    if (hoveredKey >= 0) {
      std::string who;
      const uint32_t mask = now[static_cast<size_t>(hoveredKey)];
      for (int c = 0; c < 16; ++c) {
        if ((mask >> c) & 1u) who += fmt::format(" ch{} held", c + 1);
        if ((mask >> (16 + c)) & 1u) who += fmt::format(" ch{} releasing", c + 1);
      }
      ImGui::SetTooltip("key %d (%s)%s", hoveredKey, noteName(hoveredKey).c_str(), who.empty() ? " silent" : who.c_str());
    }
  }

  // ---- legend: the channels that hold a note now, in their colours ----
  textDim("held now:");
  bool any = false;
  for (int c = 0; c < kMidiChannels; ++c) {
    const bool holding = (st.channels[c].heldKeys[0] | st.channels[c].heldKeys[1]) != 0;
    if (!holding) continue;
    any = true;
    ImGui::SameLine();
    const ImU32 colour = channelColour(c);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colour));
    text(fmt::format("ch{}", c + 1));
    ImGui::PopStyleColor();
  }
  if (!any) {
    ImGui::SameLine();
    textDim("nothing");
  }
}

}  // namespace awe
