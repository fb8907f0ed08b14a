#include "dashboard/ControlsPanel.h"

#include <GLFW/glfw3.h>  // key codes: the GLFW backend of Dear ImGui 1.86 indexes io.KeysDown by them
#include <fmt/core.h>
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cfloat>
#include <cstdlib>
#include <filesystem>

#include "dashboard/Shortcuts.h"
#include "emu8000/Effects.h"
#include "emu8000/Personality.h"

namespace awe {
namespace {

const ImVec4 kCurrentColour{0.35f, 0.85f, 0.40f, 1.0f};
const ImVec4 kDimColour{0.60f, 0.60f, 0.65f, 1.0f};
const ImVec4 kOverrideColour{1.00f, 0.75f, 0.25f, 1.0f};

void text(const std::string& s) { ImGui::TextUnformatted(s.c_str(), s.c_str() + s.size()); }
void textDim(const std::string& s) {
  ImGui::PushStyleColor(ImGuiCol_Text, kDimColour);
  text(s);
  ImGui::PopStyleColor();
}

// A section heading inside a window (ImGui 1.86 has no SeparatorText).
void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextColored(ImVec4(0.55f, 0.80f, 1.00f, 1.0f), "%s", title);
  ImGui::Separator();
}

std::string fileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// ---- keys ------------------------------------------------------------------------------------

void handleKeys(PlayerSession& session, const FrameData& frame, DashboardState& state) {
  const ImGuiIO& io = ImGui::GetIO();
  ControlsState& controls = state.controls;
  // A text field (a path, the Open dialog) keeps its keys.
  if (io.WantTextInput) return;
  const auto act = [&](PlayerKey key) {
    if (applyShortcut(session, frame.status, key)) controls.helpRequested = true;
  };
  const bool plain = !io.KeyCtrl && !io.KeyAlt && !io.KeySuper;
  if (plain && ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) act(PlayerKey::Space);
  if (plain && ImGui::IsKeyPressed(GLFW_KEY_LEFT)) act(io.KeyShift ? PlayerKey::ShiftLeft : PlayerKey::Left);
  if (plain && ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) act(io.KeyShift ? PlayerKey::ShiftRight : PlayerKey::Right);
  if (plain && ImGui::IsKeyPressed(GLFW_KEY_N, false)) act(PlayerKey::N);
  if (plain && ImGui::IsKeyPressed(GLFW_KEY_P, false)) act(PlayerKey::P);
  if (plain && ImGui::IsKeyPressed(GLFW_KEY_M, false)) act(PlayerKey::M);
  if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) act(PlayerKey::Help);
  for (const ImWchar c : io.InputQueueCharacters) {
    if (c == '?') act(PlayerKey::Help);
  }
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_O, false)) controls.openRequested = true;
}

// ---- the Open dialog -----------------------------------------------------------------------------

void listFolderInto(ControlsState& c, const std::string& folder) {
  c.folder = folder;
  c.selected = -1;
  c.listed = true;
  try {
    c.entries = listFolder(folder);
    c.folderError.clear();
  } catch (const std::exception& e) {
    c.entries.clear();
    c.folderError = e.what();
  }
}

void drawOpenDialog(PlayerSession& session, ControlsState& c) {
  if (c.openRequested) {
    c.openRequested = false;
    if (c.folder.empty()) {
      // Start where the current song is.
      const std::filesystem::path song(session.songPath());
      c.folder = song.has_parent_path() ? song.parent_path().string() : std::filesystem::current_path().string();
    }
    listFolderInto(c, c.folder);
    ImGui::OpenPopup("Open a song or a bank");
  }
  ImGui::SetNextWindowSize(ImVec2(620.0f, 440.0f), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal("Open a song or a bank", nullptr)) return;
  const std::filesystem::path folder(c.folder);
  if (ImGui::Button("Up") && folder.has_parent_path() && folder.parent_path() != folder) {
    listFolderInto(c, folder.parent_path().string());
  }
  ImGui::SameLine();
  if (ImGui::Button("Home")) {
    const char* home = std::getenv("HOME");
    listFolderInto(c, home != nullptr ? home : "/");
  }
  ImGui::SameLine();
  text(c.folder);
  if (!c.folderError.empty()) ImGui::TextColored(ImVec4(1.0f, 0.35f, 0.3f, 1.0f), "%s", c.folderError.c_str());

  std::string chosen;  // a file to open (double-click or Open)
  const float listHeight = ImGui::GetContentRegionAvail().y - 2.0f * ImGui::GetFrameHeightWithSpacing();
  if (ImGui::BeginChild("entries", ImVec2(0.0f, listHeight), true)) {
    for (size_t i = 0; i < c.entries.size(); ++i) {
      const FolderEntry& e = c.entries[i];
      const std::string label = e.folder ? "[dir]  " + e.name : (e.kind == FileKind::Bank ? "[bank] " : "[song] ") + e.name;
      if (ImGui::Selectable(label.c_str(), c.selected == static_cast<int>(i), ImGuiSelectableFlags_AllowDoubleClick)) {
        c.selected = static_cast<int>(i);
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
          const std::string path = (folder / e.name).string();
          if (e.folder) {
            listFolderInto(c, path);
            break;  // the listing changed under the loop
          }
          chosen = path;
        }
      }
    }
    if (c.entries.empty() && c.folderError.empty()) textDim("(no folders, .mid, .sf2 or .sf3 files here)");
  }
  ImGui::EndChild();

  ImGui::SetNextItemWidth(-200.0f);
  const bool typed = ImGui::InputTextWithHint("##openpath", "or type a path (file or folder)", &c.pathInput,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  const bool openClicked = ImGui::Button("Open", ImVec2(80.0f, 0.0f));
  if ((typed || openClicked) && !c.pathInput.empty()) {
    std::error_code error;
    if (std::filesystem::is_directory(c.pathInput, error)) {
      listFolderInto(c, c.pathInput);
    } else {
      chosen = c.pathInput;
    }
    c.pathInput.clear();
  } else if (openClicked && c.selected >= 0 && c.selected < static_cast<int>(c.entries.size())) {
    const FolderEntry& e = c.entries[static_cast<size_t>(c.selected)];
    if (e.folder) {
      listFolderInto(c, (folder / e.name).string());
    } else {
      chosen = (folder / e.name).string();
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel", ImVec2(80.0f, 0.0f)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) {
    ImGui::CloseCurrentPopup();
  }
  if (!chosen.empty()) {
    c.message = session.openFiles({chosen});
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

// ---- the help popup ------------------------------------------------------------------------------

void drawHelpPopup(ControlsState& c) {
  if (c.helpRequested) {
    c.helpRequested = false;
    ImGui::OpenPopup("Keyboard shortcuts");
  }
  if (!ImGui::BeginPopupModal("Keyboard shortcuts", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  if (ImGui::BeginTable("shortcuts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
    for (const ShortcutInfo& s : shortcutList()) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(kOverrideColour, "%s", s.keys);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(s.action);
    }
    ImGui::EndTable();
  }
  textDim("Drop .mid, .sf2 or .sf3 files on the window to open them.");
  if (ImGui::Button("Close", ImVec2(120.0f, 0.0f)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) {
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

// ---- the Playlist panel ----------------------------------------------------------------------

void drawPlaylistContents(PlayerSession& session, const FrameData& frame, ControlsState& c) {
  Playlist& list = session.playlist();
  if (ImGui::Button("Prev")) session.previousSong();
  ImGui::SameLine();
  if (ImGui::Button("Next")) session.nextSong();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110.0f);
  int repeat = static_cast<int>(list.repeat());
  if (ImGui::Combo("##repeat", &repeat, "repeat off\0repeat one\0repeat all\0")) {
    list.setRepeat(static_cast<RepeatMode>(repeat));
  }
  ImGui::SameLine();
  bool shuffle = list.shuffle();
  if (ImGui::Checkbox("Shuffle", &shuffle)) list.setShuffle(shuffle, static_cast<uint32_t>(frame.now_ns));
  ImGui::SameLine();
  if (ImGui::Button("Add...")) c.openRequested = true;
  ImGui::SameLine();
  if (ImGui::Button("Clear")) list.clear();

  int remove = -1;
  if (ImGui::BeginChild("entries", ImVec2(0.0f, -ImGui::GetTextLineHeightWithSpacing()), true)) {
    for (size_t i = 0; i < list.size(); ++i) {
      const bool current = list.current() == static_cast<int>(i);
      ImGui::PushID(static_cast<int>(i));
      if (current) ImGui::PushStyleColor(ImGuiCol_Text, kCurrentColour);
      const std::string label = fmt::format("{}{:2}  {}", current ? "> " : "  ", i + 1, fileName(list.paths()[i]));
      if (ImGui::Selectable(label.c_str(), current, ImGuiSelectableFlags_AllowDoubleClick) &&
          ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        session.playEntry(static_cast<int>(i));
      }
      if (current) ImGui::PopStyleColor();
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\ndouble-click: play; right-click: remove", list.paths()[i].c_str());
      if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) remove = static_cast<int>(i);
      ImGui::PopID();
    }
    if (list.empty()) textDim("Drop .mid files here, or Add...");
  }
  ImGui::EndChild();
  if (remove >= 0) list.remove(static_cast<size_t>(remove));
  textDim(fmt::format("{} song(s), repeat {}{}", list.size(), repeatModeName(list.repeat()), list.shuffle() ? ", shuffled" : ""));
}

// ---- the Controls panel ------------------------------------------------------------------------

// A 0..127 channel value with an override: right-click gives it back to the song.
void channelSlider(const char* id, int value, int overrideValue, int (*set)(PlayerSession&, int, int),
                   PlayerSession& session, int channel, const char* format) {
  int v = value;
  if (overrideValue >= 0) ImGui::PushStyleColor(ImGuiCol_SliderGrab, kOverrideColour);
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::SliderInt(id, &v, 0, 127, format)) set(session, channel, v);
  if (overrideValue >= 0) ImGui::PopStyleColor();
  if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) set(session, channel, -1);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(overrideValue >= 0 ? "set by you (right-click: back to the song)" : "the song's value (drag to set)");
  }
}

void drawControlsContents(PlayerSession& session, const FrameData& frame) {
  Engine& engine = session.engine();
  const SoundControls& sound = frame.status.sound;
  const float labelWidth = 110.0f;
  const auto row = [&](const char* label) {
    ImGui::AlignTextToFramePadding();
    text(label);
    ImGui::SameLine(labelWidth);
    ImGui::SetNextItemWidth(-FLT_MIN);
  };

  // Output
  float gain_dB = static_cast<float>(session.masterGain_dB());
  row("Master volume");
  ImGui::SetNextItemWidth(-70.0f);
  if (ImGui::SliderFloat("##master", &gain_dB, static_cast<float>(Engine::kMinMasterGain_dB),
                         static_cast<float>(Engine::kMaxMasterGain_dB), "%.1f dB")) {
    session.setMasterGain(static_cast<double>(gain_dB));
  }
  if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) session.setMasterGain(0.0);
  ImGui::SameLine();
  bool muted = session.outputMuted();
  if (ImGui::Checkbox("Mute", &muted)) session.setOutputMuted(muted);

  // Effects
  section("Sound");
  int reverb = sound.reverbType;
  row("Reverb");
  ImGui::SetNextItemWidth(150.0f);
  if (ImGui::BeginCombo("##reverb", reverbTypeName(static_cast<ReverbType>(reverb)))) {
    for (int t = 0; t < kReverbTypeCount; ++t) {
      if (ImGui::Selectable(reverbTypeName(static_cast<ReverbType>(t)), t == reverb)) engine.setReverbType(static_cast<ReverbType>(t));
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  float reverbLevel = sound.reverbLevel * 100.0f;
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::SliderFloat("##reverblevel", &reverbLevel, 0.0f, 100.0f, "level %.0f %%")) {
    engine.setEffectLevels(static_cast<double>(reverbLevel) / 100.0, static_cast<double>(sound.chorusLevel));
  }
  int chorus = sound.chorusType;
  row("Chorus");
  ImGui::SetNextItemWidth(150.0f);
  if (ImGui::BeginCombo("##chorus", chorusTypeName(static_cast<ChorusType>(chorus)))) {
    for (int t = 0; t < kChorusTypeCount; ++t) {
      if (ImGui::Selectable(chorusTypeName(static_cast<ChorusType>(t)), t == chorus)) engine.setChorusType(static_cast<ChorusType>(t));
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  float chorusLevel = sound.chorusLevel * 100.0f;
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::SliderFloat("##choruslevel", &chorusLevel, 0.0f, 100.0f, "level %.0f %%")) {
    engine.setEffectLevels(static_cast<double>(sound.reverbLevel), static_cast<double>(chorusLevel) / 100.0);
  }
  row("Personality");
  int personality = sound.personality;
  if (ImGui::RadioButton("awe", personality == 0)) engine.setPersonality(Personality::Awe);
  ImGui::SameLine();
  if (ImGui::RadioButton("modern", personality == 1)) engine.setPersonality(Personality::Modern);
  row("Interpolation");
  int interpolation = sound.interpolationOverride + 1;  // 0: the quality level's
  if (ImGui::Combo("##interp", &interpolation, "by quality level\0none\0linear\0cubic (4-point)\0")) {
    engine.setInterpolationOverride(interpolation - 1);
  }
  row("Polyphony");
  int cap = sound.polyphonyCap > 0 ? sound.polyphonyCap : frame.status.voiceCount;
  if (ImGui::SliderInt("##poly", &cap, 1, std::max(1, frame.status.voiceCount),
                       sound.polyphonyCap > 0 ? "%d voices" : "%d voices (quality level's cap)")) {
    engine.setPolyphonyCap(cap >= frame.status.voiceCount ? 0 : cap);
  }

  // Song
  section("Song");
  row("Transpose");
  int transpose = sound.transpose_semitones;
  if (ImGui::SliderInt("##transpose", &transpose, -12, 12, "%+d semitones")) engine.setTranspose(transpose);
  if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) engine.setTranspose(0);
  row("Tempo");
  float tempo = static_cast<float>(sound.tempoScale * 100.0);
  const std::string tempoLabel = fmt::format("{:.0f} %% ({:.1f} bpm)", tempo, frame.status.tempo_bpm * sound.tempoScale);
  if (ImGui::SliderFloat("##tempo", &tempo, static_cast<float>(Sequencer::kMinTempoScale * 100.0),
                         static_cast<float>(Sequencer::kMaxTempoScale * 100.0), tempoLabel.c_str(),
                         ImGuiSliderFlags_Logarithmic)) {
    engine.setTempoScale(static_cast<double>(tempo) / 100.0);
  }
  if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) engine.setTempoScale(1.0);

  // Channels
  section("Channels");
  textDim("drag to set; right-click gives a value back to the song");
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit |
                                ImGuiTableFlags_ScrollY;
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(3.0f, 0.0f));
  if (ImGui::BeginTable("mixer", 6, flags, ImVec2(0.0f, ImGui::GetContentRegionAvail().y))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("ch");
    ImGui::TableSetupColumn("program", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("volume", ImGuiTableColumnFlags_WidthFixed, 70.0f);
    ImGui::TableSetupColumn("pan", ImGuiTableColumnFlags_WidthFixed, 60.0f);
    ImGui::TableSetupColumn("M");
    ImGui::TableSetupColumn("S");
    ImGui::TableHeadersRow();
    for (int ch = 0; ch < kMidiChannels; ++ch) {
      const ChannelStrip& strip = frame.status.channels[ch];
      ImGui::PushID(ch);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      text(fmt::format("{:2}", ch + 1));
      ImGui::TableNextColumn();
      const std::string name = session.presetName(strip.bank, strip.program);
      std::string programLabel = fmt::format("{:3} ", strip.program);
      for (const char letter : name) programLabel += letter == '%' ? std::string("%%") : std::string(1, letter);  // a format string
      channelSlider("##program", strip.program, strip.programOverride,
                    [](PlayerSession& player, int channel, int value) { return static_cast<int>(player.engine().setChannelProgram(channel, value)); },
                    session, ch, programLabel.c_str());
      ImGui::TableNextColumn();
      channelSlider("##volume", strip.volume, strip.volumeOverride,
                    [](PlayerSession& player, int channel, int value) { return static_cast<int>(player.engine().setChannelVolume(channel, value)); },
                    session, ch, "%d");
      ImGui::TableNextColumn();
      const std::string panLabel = strip.pan == 64 ? "C" : strip.pan < 64 ? fmt::format("L{}", 64 - strip.pan) : fmt::format("R{}", strip.pan - 64);
      channelSlider("##pan", strip.pan, strip.panOverride,
                    [](PlayerSession& player, int channel, int value) { return static_cast<int>(player.engine().setChannelPan(channel, value)); },
                    session, ch, panLabel.c_str());
      ImGui::TableNextColumn();
      bool m = session.muted(ch);
      if (ImGui::Checkbox("##m", &m)) session.setMuted(ch, m);
      ImGui::TableNextColumn();
      bool s = session.soloed(ch);
      if (ImGui::Checkbox("##s", &s)) session.setSoloed(ch, s);
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  ImGui::PopStyleVar();
}

// The Controls and Playlist panels live in the Player view's right column; asking for one
// from the Monitor view brings the Player view back, so no window ever covers a panel.
void toggleDockedPanel(bool& open, DashboardState& state) {
  open = !open;
  if (open && state.view != DashboardState::View::Player) {
    state.view = DashboardState::View::Player;
    state.viewChosen = false;  // the tab bar selects it on the next frame
  }
}

}  // namespace

void drawControlsPanel(PlayerSession& session, const FrameData& frame, DashboardState&) {
  drawControlsContents(session, frame);
}

void drawPlaylistPanel(PlayerSession& session, const FrameData& frame, DashboardState& state) {
  drawPlaylistContents(session, frame, state.controls);
}

void drawPlayerButtons(PlayerSession& session, const FrameData&, DashboardState& state) {
  ControlsState& c = state.controls;
  if (ImGui::Button("<<")) session.previousSong();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("previous song (P)");
  ImGui::SameLine();
  if (ImGui::Button(">>")) session.nextSong();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("next song (N)");
  ImGui::SameLine();
  if (ImGui::Button("Open...")) c.openRequested = true;
  ImGui::SameLine();
  if (ImGui::Button(c.playlistOpen ? "Playlist *" : "Playlist")) toggleDockedPanel(c.playlistOpen, state);
  ImGui::SameLine();
  if (ImGui::Button(c.controlsOpen ? "Controls *" : "Controls")) toggleDockedPanel(c.controlsOpen, state);
  ImGui::SameLine();
  if (ImGui::Button("?")) c.helpRequested = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("keyboard shortcuts (F1)");
}

void drawPlayerWindows(PlayerSession& session, const FrameData& frame, DashboardState& state) {
  ControlsState& c = state.controls;
  if (const std::string said = takeDroppedFiles(session, c); !said.empty()) fmt::print(stderr, "awe-player: dropped: {}\n", said);
  handleKeys(session, frame, state);
  drawOpenDialog(session, c);
  drawHelpPopup(c);
}

}  // namespace awe
