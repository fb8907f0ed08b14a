#include "dashboard/Panels.h"

#include <fmt/core.h>
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <initializer_list>

#include "dashboard/ControlsPanel.h"
#include "dashboard/Shortcuts.h"
#include "dashboard/MeterPanels.h"
#include "dashboard/Widgets.h"
#include "engine/Quality.h"
#include "monitor/Format.h"
#include "monitor/Statistics.h"

namespace awe {
namespace {

// ---- colours (the shared ones are in dashboard/Widgets.h) ---------------------------------------
constexpr ImU32 kDeadlineLine = IM_COL32(255, 80, 70, 220);
constexpr ImU32 kP50Line = IM_COL32(120, 220, 120, 230);
constexpr ImU32 kP99Line = IM_COL32(255, 200, 60, 230);
constexpr ImU32 kP999Line = IM_COL32(255, 90, 80, 230);

// ---- small formatting helpers -------------------------------------------------------------------
void panelTitle(const char* title) {
  textColoured(kTitleColour, title);
  ImGui::Separator();
}

std::string percent(double fraction) { return fmt::format("{:.1f} %", fraction * 100.0); }

std::string clock(double seconds) {
  if (!(seconds >= 0.0)) seconds = 0.0;
  const int minutes = static_cast<int>(seconds / 60.0);
  return fmt::format("{}:{:04.1f}", minutes, seconds - 60.0 * minutes);
}

std::string duration(double ns) { return formatDuration(ns); }

std::string ago(int64_t then_ns, int64_t now_ns) {
  if (then_ns == 0) return "never";
  return fmt::format("{:.1f} s ago", static_cast<double>(std::max<int64_t>(now_ns - then_ns, 0)) * 1e-9);
}

const char* stageName(VoiceStage stage) {
  switch (stage) {
    case VoiceStage::Free: return "free";
    case VoiceStage::Delay: return "delay";
    case VoiceStage::Attack: return "attack";
    case VoiceStage::Hold: return "hold";
    case VoiceStage::Decay: return "decay";
    case VoiceStage::Sustain: return "sustain";
    case VoiceStage::Release: return "release";
    case VoiceStage::Finished: return "finished";
  }
  return "?";
}

ImU32 stageColour(VoiceStage stage) {
  switch (stage) {
    case VoiceStage::Free: return IM_COL32(38, 40, 46, 255);
    case VoiceStage::Delay: return IM_COL32(80, 80, 130, 255);
    // Attack, hold and decay in clearly different hues (green, magenta, olive).
    case VoiceStage::Attack: return IM_COL32(40, 170, 70, 255);
    case VoiceStage::Hold: return IM_COL32(170, 60, 160, 255);
    case VoiceStage::Decay: return IM_COL32(150, 140, 40, 255);
    case VoiceStage::Sustain: return IM_COL32(40, 100, 180, 255);
    case VoiceStage::Release: return IM_COL32(180, 100, 30, 255);
    case VoiceStage::Finished: return IM_COL32(80, 80, 80, 255);
  }
  return IM_COL32(0, 0, 0, 255);
}

float toFloat(double v) { return static_cast<float>(v); }

// Three percentiles and the maximum of a distribution, on one line.
std::string percentileLine(const HistogramSnapshot& h) {
  if (h.count == 0) return "no data yet";
  const Statistics s = computeStatistics(h);
  return fmt::format("p50 {}  p99 {}  p99.9 {}  max {}", duration(s.p50_ns), duration(s.p99_ns), duration(s.p999_ns),
                     duration(s.max_ns));
}

// A vertical marker line inside the last item's plot area at fraction `x` (0..1), its label
// on text row `row` from the top (so close markers do not print over each other).
void markPlot(const PlotArea& area, float x, ImU32 colour, const char* label, int row) {
  const ImVec2 min = area.min, max = area.max;
  const float px = min.x + x * (max.x - min.x);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddLine(ImVec2(px, min.y), ImVec2(px, max.y), colour, 1.5f);
  if (label != nullptr) {
    // Right of the line, or left of it near the right edge.
    const float width = ImGui::CalcTextSize(label).x;
    const float y = std::min(min.y + static_cast<float>(row) * (ImGui::GetTextLineHeight() - 1.0f), max.y - ImGui::GetTextLineHeight());
    draw->AddText(ImVec2(px + 2.0f + width > max.x ? px - 2.0f - width : px + 2.0f, y), colour, label);
  }
}

struct Marker {
  double value_ns;
  ImU32 colour;
  const char* label;
};

// The occupied part of a log-scale histogram as bars (x: log scale, so one bucket is
// ~9 % wide), with percentile markers and the value range below.
void distributionPlot(const char* id, const HistogramSnapshot& h, float height, std::initializer_list<Marker> markers,
                      std::vector<float>& scratch) {
  int first = -1, last = -1;
  for (int i = 0; i < Histogram::kBucketCount; ++i) {
    if (h.counts[static_cast<size_t>(i)] == 0) continue;
    if (first < 0) first = i;
    last = i;
  }
  AxisPlot plot;
  plot.id = id;
  plot.style = PlotStyle::Bars;
  if (first < 0) {
    plot.overlay = "no data yet";
    plotWithAxis(plot, ImVec2(-1.0f, height));
    textDim(" ");
    return;
  }
  // At least 24 buckets (about 2.3x in value) so a narrow distribution still reads as a shape.
  while (last - first + 1 < 24) {
    if (first > 0) --first;
    if (last < Histogram::kBucketCount - 1) ++last;
  }
  scratch.clear();
  for (int i = first; i <= last; ++i) scratch.push_back(static_cast<float>(h.counts[static_cast<size_t>(i)]));
  const int n = static_cast<int>(scratch.size());
  plot.values = scratch.data();
  plot.count = n;
  plot.hi = std::max(1.0f, *std::max_element(scratch.begin(), scratch.end()) * 1.05f);
  plot.overlay = "buffers per bucket";
  const PlotArea area = plotWithAxis(plot, ImVec2(-1.0f, height));
  int row = 0;
  for (const Marker& m : markers) {
    const int index = Histogram::bucketIndex(static_cast<int64_t>(m.value_ns));
    if (index >= first && index <= last) {
      markPlot(area, (static_cast<float>(index - first) + 0.5f) / static_cast<float>(n), m.colour, m.label, row);
    }
    ++row;
  }
  // Value range under the plot.
  const double lo = Histogram::bucketLowerBound_ns(first), hi = Histogram::bucketUpperBound_ns(last);
  const std::string left = std::isfinite(lo) ? duration(lo) : std::string("-inf");
  const std::string right = (std::isfinite(hi) ? duration(hi) : std::string("inf")) + " (log scale)";
  ImGui::SetCursorScreenPos(ImVec2(area.min.x, ImGui::GetCursorScreenPos().y));
  textDim(left);
  ImGui::SameLine(std::max(0.0f, area.max.x - ImGui::GetWindowPos().x - ImGui::CalcTextSize(right.c_str()).x));
  textDim(right);
}

// p50, p99, p99.9 and max of some distributions as a small table.
void percentileTable(const char* id, std::initializer_list<std::pair<const char*, const HistogramSnapshot*>> rows) {
  const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable(id, 5, flags)) return;
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1.4f);
  for (const char* heading : {"p50", "p99", "p99.9", "max"}) ImGui::TableSetupColumn(heading, ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  for (const auto& row : rows) {
    const Statistics st = computeStatistics(*row.second);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    text(row.first);
    for (double v : {st.p50_ns, st.p99_ns, st.p999_ns, st.max_ns}) {
      ImGui::TableNextColumn();
      if (st.count == 0) {
        textDim("-");
      } else {
        text(duration(v));
      }
    }
  }
  ImGui::EndTable();
}

// Scans the records not seen yet for deadline misses and xruns, to say how long ago the
// last one was.
void trackLastFaults(const Snapshot& s, DashboardState& state) {
  for (const BufferRecord& r : s.records) {
    if (r.index < state.recordsScannedUpTo) continue;
    if (r.deadlineMissed) state.lastMiss_ns = r.start_ns;
    if (r.xrun) state.lastXrun_ns = r.start_ns;
    state.recordsScannedUpTo = r.index + 1;
  }
  // A fault the records window no longer holds still happened: at the latest now.
  if (s.deadlineMisses > state.missesSeen && state.lastMiss_ns == 0) state.lastMiss_ns = s.taken_ns;
  if (s.xruns > state.xrunsSeen && state.lastXrun_ns == 0) state.lastXrun_ns = s.taken_ns;
  state.missesSeen = s.deadlineMisses;
  state.xrunsSeen = s.xruns;
}

void countLine(const char* what, uint64_t count, int64_t last_ns, int64_t now_ns) {
  const std::string line = fmt::format("{} {} ({})", what, count, count == 0 ? std::string("none") : ago(last_ns, now_ns));
  if (count == 0) {
    textColoured(kGoodColour, line);
  } else {
    textColoured(kBadColour, line);
  }
}

// A small button that stays lit while `on`; true when clicked.
bool toggleButton(const char* label, bool on, const ImVec4& litColour) {
  if (on) {
    ImGui::PushStyleColor(ImGuiCol_Button, litColour);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.05f, 0.05f, 0.05f, 1.0f));
  }
  const bool clicked = ImGui::SmallButton(label);
  if (on) ImGui::PopStyleColor(2);
  return clicked;
}

// Begins a bordered child window at a fixed place, with the panel's title.
bool beginPanel(const char* title, ImVec2 position, ImVec2 size) {
  ImGui::SetCursorPos(position);
  const bool open = ImGui::BeginChild(title, size, true);
  panelTitle(title);
  return open;
}

}  // namespace

double RateMeter::update(uint64_t count, int64_t now_ns) {
  if (last_ns_ == 0) {
    lastCount_ = count;
    last_ns_ = now_ns;
    return rate_;
  }
  const int64_t elapsed_ns = now_ns - last_ns_;
  if (elapsed_ns >= 500'000'000) {
    rate_ = static_cast<double>(count - std::min(count, lastCount_)) / (static_cast<double>(elapsed_ns) * 1e-9);
    lastCount_ = count;
    last_ns_ = now_ns;
  }
  return rate_;
}

// ---- Transport ---------------------------------------------------------------------------------

// Text lines under the transport's three rows: the song's marker and lyric, and one line
// per file whose loader skipped or repaired something.
int transportTextLines(const PlayerSession& session) {
  const auto& song = session.song();
  int lines = song && (!song->markers().empty() || !song->lyrics().empty()) ? 1 : 0;
  if (!loadWarningsLine(session.songWarnings()).empty()) ++lines;
  if (!loadWarningsLine(session.bankWarnings()).empty()) ++lines;
  if (session.bankStack().size() > 1) ++lines;  // the stack, in play order
  return lines;
}

void drawTransportPanel(PlayerSession& session, const FrameData& frame, DashboardState& state) {
  Engine& engine = session.engine();
  const EngineStatus& st = frame.status;

  // Row 1: play controls, position, tempo.
  if (ImGui::Button(st.playing ? "Pause" : "Play", ImVec2(60.0f, 0.0f))) applyShortcut(session, st, PlayerKey::Space);
  ImGui::SameLine();
  if (ImGui::Button("Stop", ImVec2(50.0f, 0.0f))) {
    engine.pause();
    engine.seek(0.0);
    engine.allNotesOff();
  }
  ImGui::SameLine();
  bool loop = session.loop();
  if (ImGui::Checkbox("Loop", &loop)) session.setLoop(loop);
  ImGui::SameLine();
  const float length = toFloat(std::max(st.length_s, 0.001));
  if (!state.seeking) state.seekPosition_s = toFloat(st.position_s);
  drawPlayerButtons(session, frame, state);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(200.0f, ImGui::GetContentRegionAvail().x - 430.0f));
  const std::string positionLabel = clock(state.seekPosition_s) + " / " + clock(st.length_s);
  ImGui::SliderFloat("##position", &state.seekPosition_s, 0.0f, length, positionLabel.c_str());
  state.seeking = ImGui::IsItemActive();
  if (ImGui::IsItemDeactivatedAfterEdit()) engine.seek(static_cast<double>(state.seekPosition_s));
  ImGui::SameLine();
  text(fmt::format("{:.1f} bpm", st.tempo_bpm));
  ImGui::SameLine();
  const char* what = !st.songLoaded ? "no song" : st.finished ? "finished" : st.playing ? "playing" : "paused";
  textColoured(st.playing ? kGoodColour : kWarnColour, what);
  ImGui::SameLine();
  const AudioDriver* driver = engine.driver();
  if (driver != nullptr) {
    textDim(fmt::format("{} | {} Hz, {} frames", driver->playsOnDevice() ? driver->description() : driver->kind(),
                        static_cast<int>(driver->sampleRate()), driver->bufferFrames()));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", driver->description().c_str());
  } else {
    textDim("no audio driver");
  }
  // The audio device: lost (the session plays on on the paced clock), back (offer), reconnected.
  for (const std::string& message : session.takeAudioMessages()) {
    fmt::print(stderr, "awe-player: {}\n", message);
    state.audioMessage = message;
  }
  if (session.audioDeviceLost()) {
    ImGui::SameLine();
    textColoured(kBadColour, "audio device lost: nothing is heard");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", state.audioMessage.c_str());
    if (session.reconnectOffered()) {
      ImGui::SameLine();
      if (ImGui::SmallButton("Reconnect")) {
        state.audioMessage = session.reconnectAudio();
        fmt::print(stderr, "awe-player: {}\n", state.audioMessage);
      }
    } else {
      ImGui::SameLine();
      textDim("(Reconnect is offered when the device opens again)");
    }
  }

  // Row 2: open a song or a bank by path.
  const float pathWidth = std::max(150.0f, (ImGui::GetContentRegionAvail().x - 560.0f) / 2.0f);
  ImGui::AlignTextToFramePadding();
  text("Song");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(pathWidth);
  const bool songEnter = ImGui::InputTextWithHint("##song", "path/to/song.mid", &state.songPathInput,
                                                  ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if ((ImGui::Button("Open song") || songEnter) && !state.songPathInput.empty()) {
    session.loadSongInBackground(state.songPathInput);
  }
  ImGui::SameLine();
  text("Bank");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(pathWidth);
  const bool bankEnter = ImGui::InputTextWithHint("##bank", "path/to/bank.sf2", &state.bankPathInput,
                                                  ImGuiInputTextFlags_EnterReturnsTrue);
  if (ImGui::IsItemHovered() && !session.bankStack().empty()) {
    std::string stack = "Playing from (each preset from the first bank that has it):";
    for (const std::string& line : session.bankStack()) stack += "\n" + line;
    ImGui::SetTooltip("%s", stack.c_str());
  }
  ImGui::SameLine();
  if ((ImGui::Button("Load bank") || bankEnter) && !state.bankPathInput.empty()) {
    session.loadBankInBackground(state.bankPathInput);
  }
  ImGui::SameLine();
  textDim(session.loadMessage());

  // Row 3: live MIDI input and its schedule.
  ImGui::AlignTextToFramePadding();
  text("MIDI in");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(260.0f);
  const char* preview = state.midiPortIndex >= 0 && state.midiPortIndex < static_cast<int>(state.midiPorts.size())
                            ? state.midiPorts[static_cast<size_t>(state.midiPortIndex)].c_str()
                            : (state.midiPortsListed ? "(choose a port)" : "(press Refresh)");
  if (ImGui::BeginCombo("##midiport", preview)) {
    for (size_t i = 0; i < state.midiPorts.size(); ++i) {
      if (ImGui::Selectable(state.midiPorts[i].c_str(), static_cast<int>(i) == state.midiPortIndex)) {
        state.midiPortIndex = static_cast<int>(i);
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button("Refresh")) {
    state.midiPortsListed = true;
    try {
      const MidiApi api = resolveMidiApi(engine.settings().midiApi);
      state.midiPorts = MidiInput::listPorts("awe-player-list", api);
      state.midiPortIndex = state.midiPorts.empty() ? -1 : 0;
      state.midiMessage = fmt::format("{} port(s) ({})", state.midiPorts.size(), midiApiName(api));
    } catch (const std::exception& e) {
      state.midiPorts.clear();
      state.midiPortIndex = -1;
      state.midiMessage = e.what();
    }
  }
  ImGui::SameLine();
  try {
    if (ImGui::Button("Connect") && state.midiPortIndex >= 0) {
      session.connectMidiInput(state.midiPorts[static_cast<size_t>(state.midiPortIndex)]);
      state.midiMessage = "connected to " + session.midiInput()->portName();
    }
    ImGui::SameLine();
    if (ImGui::Button("Virtual port")) {
      session.openVirtualMidiInput("midi_in");
      state.midiMessage = "own port open: connect a controller to " + engine.settings().driver.clientName + "-midi:midi_in";
    }
    ImGui::SameLine();
    if (ImGui::Button("Close")) {
      session.closeMidiInput();
      state.midiMessage = "MIDI input closed";
    }
  } catch (const std::exception& e) {
    state.midiMessage = e.what();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(150.0f);
  int schedule = st.schedule;
  if (ImGui::Combo("schedule", &schedule, "asap\0fixed latency\0")) {
    engine.setSchedule(static_cast<MidiSchedule>(schedule));
  }
  ImGui::SameLine();
  textDim(state.midiMessage);

  // Row 4: the song's current marker and lyric line (the sung part bright), and what the
  // loaders skipped or repaired (all of it in the tooltip).
  if (const auto& song = session.song(); song && (!song->markers().empty() || !song->lyrics().empty())) {
    const double now_s = st.position_s;
    if (!song->markers().empty()) {
      const MidiText* marker = song->markerAt(now_s);
      textDim("Marker");
      ImGui::SameLine();
      text(marker != nullptr ? marker->text : std::string("-"));
      ImGui::SameLine();
    }
    if (!song->lyrics().empty()) {
      size_t sung = 0;
      const std::string line = song->lyricLineAt(now_s, &sung);
      textDim(song->karaoke() ? "Karaoke" : "Lyric");
      ImGui::SameLine();
      text(line.substr(0, sung));
      ImGui::SameLine(0.0f, 0.0f);
      textDim(line.substr(sung));
    }
  }
  if (session.bankStack().size() > 1) {
    std::string stack = "Banks:";
    for (const std::string& line : session.bankStack()) stack += "  " + line;
    textDim(stack);
  }
  for (const LoadWarningList* warnings : {&session.songWarnings(), &session.bankWarnings()}) {
    const std::string line = loadWarningsLine(*warnings);
    if (line.empty()) continue;
    textColoured(kWarnColour, line);
    if (ImGui::IsItemHovered()) {
      const std::string all = formatLoadWarnings(*warnings, 20);
      ImGui::SetTooltip("%s", all.c_str());
    }
  }
}

// ---- Load ------------------------------------------------------------------------------------

// --threads N: each voice worker's busy time as a share of the budget, over the last second
// of buffers, as a bar beside the audio thread's (the load above counts the audio thread);
// then whether they are pinned and real-time, and the stalls (a worker preempted mid-task).
static void drawVoiceWorkersLine(const Snapshot& s, const VoiceWorkers* pool) {
  if (s.records.empty() || s.records.back().voiceWorkers == 0) return;
  const int workers = std::min<int>(s.records.back().voiceWorkers, kMaxVoiceWorkers);
  const size_t last = std::min<size_t>(s.records.size(), static_cast<size_t>(1e9 / static_cast<double>(std::max<int64_t>(1, s.budget_ns))) + 1);
  double busy[kMaxVoiceWorkers] = {};
  double budget = 0.0;
  for (size_t i = s.records.size() - last; i < s.records.size(); ++i) {
    const BufferRecord& r = s.records[i];
    for (int w = 0; w < workers && w < r.voiceWorkers; ++w) busy[w] += r.workerBusy_ns[w];
    budget += bufferBudget_ns(r.frames, s.sampleRate);
  }
  textDim("voice workers");
  for (int w = 0; w < workers; ++w) {
    const double share = budget > 0.0 ? busy[w] / budget : 0.0;
    ImGui::SameLine();
    ImGui::ProgressBar(toFloat(std::min(share, 1.0)), ImVec2(110.0f, 0.0f),
                       fmt::format("{}: {}", w + 1, percent(share)).c_str());
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("voice worker %d: busy %.0f %% of the budget over the last second (--threads %d)", w + 1,
                        100.0 * share, workers + 1);
    }
  }
  if (pool == nullptr) return;
  ImGui::SameLine();
  const uint64_t stalls = pool->stalls();
  textDim(fmt::format("{}, {}, ", pool->pinned() ? "pinned" : "not pinned", pool->realtime() ? "real-time" : "normal priority"));
  ImGui::SameLine(0.0f, 0.0f);
  textColoured(stalls > 0 ? kWarnColour : kGoodColour, fmt::format("{} stall{}", stalls, stalls == 1 ? "" : "s"));
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("times the audio thread waited over %lld ms for a voice worker preempted in the middle of its "
                      "voices (a machine with fewer free cores than --threads)",
                      static_cast<long long>(VoiceWorkers::kWaitSpin_ns / 1'000'000));
  }
}

void drawLoadPanel(PlayerSession& session, const FrameData& frame, DashboardState& state) {
  const Snapshot& s = frame.snapshot;
  trackLastFaults(s, state);
  text(fmt::format("load now {}   smoothed {}   worst {:.0f} s {}", percent(s.load), percent(s.smoothedLoad),
                   s.loadWindow_s, percent(s.windowWorstLoad)));
  textDim(fmt::format("busy {} of a {} budget; peak {}", duration(static_cast<double>(s.busy_ns)),
                      duration(static_cast<double>(s.budget_ns)), percent(s.peakLoad)));
  countLine("deadline misses", s.deadlineMisses, state.lastMiss_ns, frame.now_ns);
  ImGui::SameLine(0.0f, 16.0f);
  countLine("driver xruns", s.xruns, state.lastXrun_ns, frame.now_ns);
  drawCpuLine(frame, state.meters);
  drawVoiceWorkersLine(s, session.engine().voiceWorkers());

  // Load per buffer, with the deadline at 100 %.
  state.scratch.clear();
  float worst = 0.0f;
  for (const BufferRecord& r : s.records) {
    const float load = toFloat(100.0 * r.load);  // percent of the budget
    state.scratch.push_back(load);
    worst = std::max(worst, load);
  }
  const float top = std::max(120.0f, worst * 1.1f);
  AxisPlot plot;
  plot.id = "##load";
  plot.values = state.scratch.data();
  plot.count = static_cast<int>(state.scratch.size());
  plot.hi = top;
  plot.unit = "%";
  plot.overlay = fmt::format("load per buffer, last {:.1f} s (max {:.1f} %)",
                             static_cast<double>(state.scratch.size()) * static_cast<double>(s.budget_ns) * 1e-9,
                             static_cast<double>(worst));
  const float lineH = ImGui::GetTextLineHeightWithSpacing();
  const float plotHeight = std::max(40.0f, (ImGui::GetContentRegionAvail().y - 3.0f * lineH) * 0.5f);
  markPlotLevel(plotWithAxis(plot, ImVec2(-1.0f, plotHeight)), 100.0f, 0.0f, top, kDeadlineLine, "100 % = deadline");

  const Statistics busy = computeStatistics(s.busy);
  text(fmt::format("busy time per buffer (deadline {})", duration(static_cast<double>(s.budget_ns))));
  const float histogramHeight = std::max(36.0f, ImGui::GetContentRegionAvail().y - 2.0f * lineH - 2.0f);
  distributionPlot("##busy", s.busy, histogramHeight,
                   {{busy.p50_ns, kP50Line, "p50"}, {busy.p99_ns, kP99Line, "p99"}, {busy.p999_ns, kP999Line, "p99.9"},
                    {static_cast<double>(s.budget_ns), kDeadlineLine, "deadline"}},
                   state.scratch);
  text(percentileLine(s.busy));
}

// ---- Timing ----------------------------------------------------------------------------------

void drawTimingPanel(PlayerSession&, const FrameData& frame, DashboardState& state) {
  const Snapshot& s = frame.snapshot;
  text(fmt::format("now: interval error {}   jitter {}", duration(static_cast<double>(s.intervalError_ns)),
                   duration(static_cast<double>(s.jitter_ns))));
  percentileTable("timingpercentiles", {{"interval error", &s.intervalError}, {"jitter", &s.jitter}});

  // Interval error and jitter per buffer, in ms.
  const float lineH = ImGui::GetTextLineHeightWithSpacing();
  const float plotHeight = 38.0f;
  const float width = ImGui::GetContentRegionAvail().x;
  auto plotSeries = [&](const char* id, const std::string& what, auto value) {
    state.scratch.clear();
    float extent = 0.1f;
    for (const BufferRecord& r : s.records) {
      const float v = toFloat(value(r) * 1e-6);
      state.scratch.push_back(v);
      extent = std::max(extent, std::fabs(v));
    }
    AxisPlot plot;
    plot.id = id;
    plot.values = state.scratch.data();
    plot.count = static_cast<int>(state.scratch.size());
    plot.lo = -extent * 1.1f;
    plot.hi = extent * 1.1f;
    plot.unit = "ms";
    plot.overlay = what;
    markPlotLevel(plotWithAxis(plot, ImVec2(width, plotHeight)), 0.0f, plot.lo, plot.hi, IM_COL32(150, 150, 160, 120), nullptr);
  };
  plotSeries("##interval", "interval error",
             [](const BufferRecord& r) { return static_cast<double>(r.intervalError_ns); });
  plotSeries("##jitter", fmt::format("jitter, clock drift {:+.1f} ppm", s.clockDrift_ppm),
             [](const BufferRecord& r) { return static_cast<double>(r.jitter_ns); });

  text("distribution of");
  ImGui::SameLine();
  if (ImGui::RadioButton("interval error", !state.timingShowsJitter)) state.timingShowsJitter = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("jitter", state.timingShowsJitter)) state.timingShowsJitter = true;
  const HistogramSnapshot& shown = state.timingShowsJitter ? s.jitter : s.intervalError;
  const Statistics st = computeStatistics(shown);
  distributionPlot("##timinghist", shown, 48.0f,
                   {{st.p50_ns, kP50Line, "p50"}, {st.p99_ns, kP99Line, "p99"}, {st.p999_ns, kP999Line, "p99.9"}}, state.scratch);

  // The outlier buffers side by side, scrolling if the panel is short.
  text("outlier buffers");
  const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame |
                                ImGuiTableFlags_ScrollY;
  if (ImGui::BeginTable("outliers", 4, flags, ImVec2(0.0f, std::max(3.0f * lineH, ImGui::GetContentRegionAvail().y)))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("buffer");
    ImGui::TableSetupColumn("jitter");
    ImGui::TableSetupColumn("buffer ");
    ImGui::TableSetupColumn("interval");
    ImGui::TableHeadersRow();
    const uint32_t rows = std::max(s.jitterOutliers.count, s.intervalErrorOutliers.count);
    for (uint32_t i = 0; i < rows; ++i) {
      ImGui::TableNextRow();
      for (const OutlierTable* table : {&s.jitterOutliers, &s.intervalErrorOutliers}) {
        ImGui::TableNextColumn();
        if (i < table->count) text(fmt::format("#{}", table->entries[i].bufferIndex));
        ImGui::TableNextColumn();
        if (i < table->count) text(duration(static_cast<double>(table->entries[i].value_ns)));
      }
    }
    if (rows == 0) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      textDim("none yet");
    }
    ImGui::EndTable();
  }
}

// ---- Voices ----------------------------------------------------------------------------------

void drawVoicesPanel(PlayerSession&, const FrameData& frame, DashboardState&) {
  const Snapshot& s = frame.snapshot;
  const EngineStatus& st = frame.status;
  text(fmt::format("active {} of {} (limit {})   notes {}   steals {}", st.activeVoices, st.voiceCount, st.polyphonyLimit,
                   st.notesOn, st.steals));
  percentileTable("allocpercentiles", {{"voice alloc", &s.voiceAllocation}});

  // The voice map: one cell per slot, coloured by envelope stage, with its level as a bar.
  const int slots = std::min(st.voiceCount, kStatusVoiceSlots);
  const int columns = 8;
  const int rows = std::max(1, (slots + columns - 1) / columns);
  const float gap = 3.0f;
  const ImGuiStyle& style = ImGui::GetStyle();
  const float below = ImGui::GetTextLineHeightWithSpacing() + style.ItemSpacing.y + (st.voiceCount > kStatusVoiceSlots ? ImGui::GetTextLineHeightWithSpacing() : 0.0f);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float cellWidth = (ImGui::GetContentRegionAvail().x - gap * (columns - 1)) / columns;
  const float cellHeight = std::clamp(
      (ImGui::GetContentRegionAvail().y - below - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows), 14.0f, 40.0f);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 textColour = IM_COL32(235, 235, 240, 255);
  const ImU32 stolenColour = IM_COL32(255, 60, 60, 255);
  for (int i = 0; i < slots; ++i) {
    const VoiceSlot& v = st.voices[i];
    const auto stage = static_cast<VoiceStage>(v.stage);
    const float x = origin.x + static_cast<float>(i % columns) * (cellWidth + gap);
    const float y = origin.y + static_cast<float>(i / columns) * (cellHeight + gap);
    const ImVec2 a{x, y}, b{x + cellWidth, y + cellHeight};
    draw->AddRectFilled(a, b, stageColour(stage), 3.0f);
    if (stage != VoiceStage::Free) {
      const float level = std::clamp(v.level, 0.0f, 1.0f);
      draw->AddRectFilled(ImVec2(x + 1.0f, b.y - 4.0f), ImVec2(x + 1.0f + (cellWidth - 2.0f) * level, b.y - 1.0f),
                          IM_COL32(255, 255, 255, 190), 1.0f);
      const std::string label = fmt::format("{} {}", v.channel + 1, noteName(v.key));
      draw->AddText(ImVec2(x + 3.0f, y), textColour, label.c_str());
      if (v.stolen) {
        draw->AddRect(a, b, stolenColour, 3.0f, 0, 2.0f);
        draw->AddTriangleFilled(ImVec2(b.x - 9.0f, y), ImVec2(b.x, y), ImVec2(b.x, y + 9.0f), stolenColour);
      }
    } else {
      const std::string label = fmt::format("{}", i);
      draw->AddText(ImVec2(x + 3.0f, y), IM_COL32(100, 100, 110, 255), label.c_str());
    }
    if (ImGui::IsMouseHoveringRect(a, b)) {
      ImGui::BeginTooltip();
      text(fmt::format("voice {}: {}", i, stageName(stage)));
      if (stage != VoiceStage::Free) {
        text(fmt::format("channel {}, key {} ({}), velocity {}", v.channel + 1, v.key, noteName(v.key), v.velocity));
        text(fmt::format("level {:.2f}{}", v.level, v.stolen ? "; took this slot from another note" : ""));
      }
      ImGui::EndTooltip();
    }
  }
  ImGui::Dummy(ImVec2(ImGui::GetContentRegionAvail().x, static_cast<float>(rows) * (cellHeight + gap) - gap));
  if (st.voiceCount > kStatusVoiceSlots) {
    textDim(fmt::format("(first {} of {} voices shown)", kStatusVoiceSlots, st.voiceCount));
  }

  // Legend.
  const float h = ImGui::GetTextLineHeight();
  for (VoiceStage stage : {VoiceStage::Free, VoiceStage::Attack, VoiceStage::Hold, VoiceStage::Decay, VoiceStage::Sustain,
                           VoiceStage::Release}) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    draw->AddRectFilled(ImVec2(p.x, p.y + 2.0f), ImVec2(p.x + h - 4.0f, p.y + h - 2.0f), stageColour(stage), 2.0f);
    ImGui::Dummy(ImVec2(h - 3.0f, h));
    ImGui::SameLine(0.0f, 2.0f);
    text(stageName(stage));
    ImGui::SameLine(0.0f, 7.0f);
  }
  const ImVec2 p = ImGui::GetCursorScreenPos();
  draw->AddRect(ImVec2(p.x, p.y + 2.0f), ImVec2(p.x + h - 4.0f, p.y + h - 2.0f), stolenColour, 2.0f, 0, 2.0f);
  ImGui::Dummy(ImVec2(h - 3.0f, h));
  ImGui::SameLine(0.0f, 2.0f);
  text("stolen");
}

// ---- MIDI ------------------------------------------------------------------------------------

void drawMidiPanel(PlayerSession& session, const FrameData& frame, DashboardState& state) {
  const Snapshot& s = frame.snapshot;
  const double liveRate = state.liveEventRate.update(s.midiEvents, frame.now_ns);
  const double noteRate = state.noteRate.update(frame.status.notesOn, frame.now_ns);
  uint32_t depthMax = 0;
  for (const BufferRecord& r : s.records) depthMax = std::max(depthMax, r.queueDepthMax);
  text(fmt::format("live events {:.1f}/s ({} in all)   all notes {:.1f}/s", liveRate, s.midiEvents, noteRate));
  text(fmt::format("queue depth {} (max {} in {:.1f} s)", s.queueDepth, depthMax,
                   static_cast<double>(s.records.size()) * static_cast<double>(s.budget_ns) * 1e-9));
  ImGui::SameLine(0.0f, 16.0f);
  const std::string drops = fmt::format("drops {}", s.drops);
  if (s.drops == 0) {
    textColoured(kGoodColour, drops);
  } else {
    textColoured(kBadColour, drops);
  }
  const MidiInput* input = session.midiInput();
  textDim(input != nullptr && input->isOpen()
              ? fmt::format("input {}: {} received, {} dropped", input->portName(), input->received(), input->dropped())
              : std::string("input: no port open (Transport > MIDI in)"));

  const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
  if (ImGui::BeginTable("midistages", 6, flags)) {
    ImGui::TableSetupColumn("latency", ImGuiTableColumnFlags_WidthStretch, 1.5f);
    ImGui::TableSetupColumn("events", ImGuiTableColumnFlags_WidthStretch, 0.8f);
    for (const char* heading : {"p50", "p99", "p99.9", "max"}) ImGui::TableSetupColumn(heading, ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    static const char* const kStageLabels[kMidiStageCount] = {"wire>queue", "queue>buffer", "buffer>sample", "sample>DAC",
                                                              "total"};
    for (size_t stage = 0; stage < kMidiStageCount; ++stage) {
      const Statistics st = computeStatistics(s.midiLatency[stage]);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      text(kStageLabels[stage]);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", midiStageName(static_cast<MidiStage>(stage)));
      ImGui::TableNextColumn();
      text(fmt::format("{}", st.count));
      for (double v : {st.p50_ns, st.p99_ns, st.p999_ns, st.max_ns}) {
        ImGui::TableNextColumn();
        if (st.count == 0) {
          textDim("-");
        } else {
          text(duration(v));
        }
      }
    }
    ImGui::EndTable();
  }
  if (s.midiEvents == 0) textDim("measured on live input; file events are sample-exact");
}

// ---- Memory ----------------------------------------------------------------------------------

void drawMemoryPanel(PlayerSession&, const FrameData& frame, DashboardState& state) {
  const Snapshot& s = frame.snapshot;
  text(fmt::format("heap live {}   peak {}", formatBytes(static_cast<double>(s.heap.liveBytes)),
                   formatBytes(static_cast<double>(s.heap.peakBytes))));
  textDim(fmt::format("{} allocations, {} frees (whole process)", s.heap.allocations, s.heap.frees));

  state.scratch.clear();
  float lo = FLT_MAX, hi = 0.0f;
  for (const BufferRecord& r : s.records) {
    const float mib = toFloat(static_cast<double>(r.heapLiveBytes) / (1024.0 * 1024.0));
    state.scratch.push_back(mib);
    lo = std::min(lo, mib);
    hi = std::max(hi, mib);
  }
  if (state.scratch.empty()) lo = hi = 0.0f;
  const float margin = std::max(0.05f, (hi - lo) * 0.1f);
  AxisPlot plot;
  plot.id = "##heap";
  plot.values = state.scratch.data();
  plot.count = static_cast<int>(state.scratch.size());
  plot.lo = std::max(0.0f, lo - margin);
  plot.hi = hi + margin;
  plot.unit = "MiB";
  plot.overlay = "heap live";
  plotWithAxis(plot, ImVec2(-1.0f, 40.0f));

  const std::string audio = fmt::format("audio-thread allocations: {}", s.audioThreadAllocations);
  if (s.audioThreadAllocations == 0 && !s.offender.present) {
    textColoured(kGoodColour, audio + " (as it should be)");
    return;
  }
  textColoured(kBadColour, audio);
  if (!s.offender.present) return;
  textColoured(kWarnColour, fmt::format("first: {} in buffer #{}, from:", formatBytes(static_cast<double>(s.offender.size_bytes)),
                                        s.offender.bufferIndex));
  if (ImGui::BeginChild("offenderstack", ImVec2(0.0f, 0.0f), false, ImGuiWindowFlags_HorizontalScrollbar)) {
    for (size_t i = 0; i < s.offenderStack.size(); ++i) text(fmt::format("{:2} {}", i, s.offenderStack[i]));
  }
  ImGui::EndChild();
}

// ---- Channels --------------------------------------------------------------------------------

void drawChannelsPanel(PlayerSession& session, const FrameData& frame, DashboardState&) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(4.0f, 1.0f));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(3.0f, 0.0f));
  if (ImGui::BeginTable("channels", 6, flags)) {
    ImGui::TableSetupColumn("ch");
    ImGui::TableSetupColumn("program", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("volume", ImGuiTableColumnFlags_WidthFixed, 52.0f);
    ImGui::TableSetupColumn("level", ImGuiTableColumnFlags_WidthFixed, 62.0f);
    ImGui::TableSetupColumn("M");
    ImGui::TableSetupColumn("S");
    ImGui::TableHeadersRow();
    for (int c = 0; c < kMidiChannels; ++c) {
      const ChannelStrip& strip = frame.status.channels[c];
      ImGui::PushID(c);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(channelColour(c)));
      text(fmt::format("{:2}", c + 1));
      ImGui::PopStyleColor();
      ImGui::TableNextColumn();
      const std::string name = session.presetName(strip.bank, strip.program);
      const std::string program = strip.bank == kDrumBank ? fmt::format("drums {:3} {}", strip.program, name)
                                                          : fmt::format("{:3} {}", strip.program, name);
      if (strip.muted) {
        textDim(program);
      } else {
        text(program);
      }
      ImGui::TableNextColumn();
      ImGui::ProgressBar(static_cast<float>(strip.volume) / 127.0f, ImVec2(-FLT_MIN, ImGui::GetTextLineHeight()),
                         fmt::format("{}", strip.volume).c_str());
      ImGui::TableNextColumn();
      drawChannelLevel(c, strip, ImGui::GetContentRegionAvail().x);
      ImGui::TableNextColumn();
      if (toggleButton("M", session.muted(c), ImVec4(0.85f, 0.30f, 0.25f, 1.0f))) session.setMuted(c, !session.muted(c));
      ImGui::TableNextColumn();
      if (toggleButton("S", session.soloed(c), ImVec4(0.90f, 0.75f, 0.20f, 1.0f))) session.setSoloed(c, !session.soloed(c));
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  ImGui::PopStyleVar(2);
}

// ---- Health ----------------------------------------------------------------------------------

void drawHealthPanel(PlayerSession& session, const FrameData& frame, DashboardState&) {
  const Snapshot& s = frame.snapshot;
  const bool good = s.health.health == Health::Good;
  textColoured(good ? kGoodColour : kBadColour, healthName(s.health.health));
  ImGui::SameLine();
  textDim(good                                 ? std::string("every threshold met")
          : s.health.health == Health::Failed ? std::string("the audio device failed:")
                                              : fmt::format("{} threshold(s) exceeded:", s.health.reasons.size()));
  ImGui::PushTextWrapPos(0.0f);
  for (const std::string& reason : s.health.reasons) textColoured(kBadColour, "- " + reason);
  ImGui::PopTextWrapPos();

  // Thresholds, editable.
  Monitor& monitor = session.engine().monitor();
  HealthThresholds t = monitor.healthThresholds();
  bool changed = false;
  const float field = 80.0f;
  ImGui::SetNextItemWidth(field);
  changed |= ImGui::InputDouble("mean busy ms", &t.maxMeanBusy_ms, 0.0, 0.0, "%.2f");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(field);
  changed |= ImGui::InputDouble("MIDI p99 ms", &t.maxMidiLatency_ms, 0.0, 0.0, "%.2f");
  ImGui::SetNextItemWidth(field);
  changed |= ImGui::InputScalar("underruns", ImGuiDataType_U64, &t.maxUnderruns);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(field);
  changed |= ImGui::InputScalar("audio allocs", ImGuiDataType_U64, &t.maxAudioThreadAllocations);
  ImGui::SetNextItemWidth(field * 2.0f);
  int stage = static_cast<int>(t.midiLatencyStage);
  if (ImGui::BeginCombo("MIDI stage", midiStageName(t.midiLatencyStage))) {
    for (int i = 0; i < static_cast<int>(kMidiStageCount); ++i) {
      if (ImGui::Selectable(midiStageName(static_cast<MidiStage>(i)), i == stage)) {
        t.midiLatencyStage = static_cast<MidiStage>(i);
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  if (changed) {
    t.maxMeanBusy_ms = std::max(t.maxMeanBusy_ms, 0.0);
    t.maxMidiLatency_ms = std::max(t.maxMidiLatency_ms, 0.0);
    monitor.setHealthThresholds(t);
  }
}

// ---- Quality ---------------------------------------------------------------------------------

void drawQualityPanel(PlayerSession& session, const FrameData& frame, DashboardState&) {
  const auto current = static_cast<QualityLevel>(frame.status.quality);
  text("Level ");
  ImGui::SameLine(0.0f, 0.0f);
  textColoured(current == QualityLevel::Maximum ? kGoodColour : kWarnColour, qualityName(current));
  ImGui::SameLine(0.0f, 16.0f);
  bool automatic = session.autoQuality();
  if (ImGui::Checkbox("adaptive", &automatic)) {
    if (automatic) {
      session.enableAutoQuality();
    } else {
      session.setManualQuality(session.requestedQuality());
    }
  }
  textDim("override:");
  for (int level = 0; level < kQualityLevelCount; ++level) {
    ImGui::SameLine();
    const auto l = static_cast<QualityLevel>(level);
    if (ImGui::RadioButton(qualityName(l), !session.autoQuality() && session.requestedQuality() == l)) {
      session.setManualQuality(l);
    }
  }

  // What each level means; the current one highlighted.
  const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame;
  const int polyphony = session.engine().settings().polyphony;
  if (ImGui::BeginTable("levels", 5, flags)) {
    for (const char* heading : {"level", "interp.", "filter", "effects", "voices"}) ImGui::TableSetupColumn(heading);
    ImGui::TableHeadersRow();
    for (int level = 0; level < kQualityLevelCount; ++level) {
      const auto l = static_cast<QualityLevel>(level);
      const QualitySettings q = qualitySettings(l, polyphony);
      ImGui::TableNextRow();
      if (l == current) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(60, 90, 140, 160));
      ImGui::TableNextColumn();
      text(qualityName(l));
      ImGui::TableNextColumn();
      text(q.interpolation == Interpolation::Cubic ? "cubic" : q.interpolation == Interpolation::Linear ? "linear" : "none");
      ImGui::TableNextColumn();
      text(q.filter ? "on" : "off");
      ImGui::TableNextColumn();
      text(q.effects ? "on" : "off");
      ImGui::TableNextColumn();
      text(fmt::format("{}", q.polyphonyCap));
    }
    ImGui::EndTable();
  }
  const QualityPolicyConfig& p = session.policyConfig();
  ImGui::PushTextWrapPos(0.0f);
  textDim(fmt::format("down: a miss, an xrun at >= {:.0f} % worst load, or {:.0f} % for {:.1f} s; up: < {:.0f} % for {:.0f} s",
                      p.xrunDspLoad * 100.0, p.stepDownLoad * 100.0, p.stepDownHold_s, p.stepUpLoad * 100.0,
                      p.stepUpHold_s));
  ImGui::PopTextWrapPos();

  // The decision log, newest at the bottom.
  if (ImGui::BeginChild("qualitylog", ImVec2(0.0f, 0.0f), true)) {
    const auto& log = session.qualityLog();
    ImGui::PushTextWrapPos(0.0f);
    if (log.empty()) textDim("no decisions yet: the level has not needed to change");
    for (const QualityLogEntry& e : log) {
      const std::string levels =
          e.to == e.from ? fmt::format("{} kept", qualityName(static_cast<QualityLevel>(e.from)))
                         : fmt::format("{} -> {}", qualityName(static_cast<QualityLevel>(e.from)),
                                       qualityName(static_cast<QualityLevel>(e.to)));
      const std::string line =
          fmt::format("{:7.1f} s  {}  {}{}", e.sessionTime_s, levels, e.manual ? "[manual] " : "", e.reason);
      textColoured(e.to > e.from ? kWarnColour : e.to < e.from ? kGoodColour : kDimColour, line);
    }
    ImGui::PopTextWrapPos();
    if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1.0f) ImGui::SetScrollHereY(1.0f);
  }
  ImGui::EndChild();
}

// ---- Export ----------------------------------------------------------------------------------

void drawExportPanel(PlayerSession& session, const FrameData&, DashboardState& state) {
  const float field = std::max(120.0f, ImGui::GetContentRegionAvail().x - 110.0f);
  ImGui::SetNextItemWidth(field);
  ImGui::InputText("##jsonpath", &state.jsonPath);
  ImGui::SameLine();
  if (ImGui::Button("JSON report", ImVec2(-FLT_MIN, 0.0f))) {
    try {
      state.exportMessage = session.writeJsonReport(state.jsonPath);
    } catch (const std::exception& e) {
      state.exportMessage = e.what();
    }
  }
  ImGui::SetNextItemWidth(field);
  ImGui::InputText("##tracepath", &state.tracePath);
  ImGui::SameLine();
  if (ImGui::Button("Perfetto trace", ImVec2(-FLT_MIN, 0.0f))) {
    try {
      state.exportMessage = session.writeTrace(state.tracePath);
    } catch (const std::exception& e) {
      state.exportMessage = e.what();
    }
  }
  ImGui::PushTextWrapPos(0.0f);
  textDim(state.exportMessage.empty() ? "write the session so far (the flight recorder keeps the last buffers)"
                                      : state.exportMessage);
  ImGui::PopTextWrapPos();
}

// ---- layout ----------------------------------------------------------------------------------

void applyDashboardStyle() {
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowPadding = ImVec2(6.0f, 5.0f);
  style.FramePadding = ImVec2(5.0f, 2.0f);
  style.ItemSpacing = ImVec2(6.0f, 3.0f);
  style.ItemInnerSpacing = ImVec2(4.0f, 3.0f);
  style.CellPadding = ImVec2(4.0f, 1.0f);
  style.ChildRounding = 4.0f;
  style.FrameRounding = 2.0f;
  style.WindowBorderSize = 0.0f;
  style.ChildBorderSize = 1.0f;
  style.ScrollbarSize = 10.0f;
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.07f, 0.07f, 0.09f, 1.0f);
  style.Colors[ImGuiCol_ChildBg] = ImVec4(0.10f, 0.10f, 0.13f, 1.0f);
  style.Colors[ImGuiCol_Border] = ImVec4(0.28f, 0.30f, 0.38f, 1.0f);
  style.Colors[ImGuiCol_PlotLines] = ImVec4(0.40f, 0.80f, 1.00f, 1.0f);
  style.Colors[ImGuiCol_PlotHistogram] = ImVec4(0.40f, 0.65f, 0.95f, 1.0f);
}

void drawDashboard(PlayerSession& session, const FrameData& frame, DashboardState& state) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0.0f, 0.0f));
  ImGui::SetNextWindowSize(io.DisplaySize);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoScrollWithMouse;
  ImGui::Begin("awe-player", nullptr, flags);

  // Transport across the top, then the view tabs, then one of two fixed grids:
  //   Player:  Meters, Keyboard, Scope | Spectrum  |  Channels, Song
  //   Monitor: Load, Timing | Voices, MIDI, Memory, Export | Channels, Health, Quality
  const float gap = 4.0f;
  const ImVec2 area{io.DisplaySize.x - 2.0f * gap, io.DisplaySize.y - 2.0f * gap};
  const ImGuiStyle& style = ImGui::GetStyle();
  const float frameLine = ImGui::GetFrameHeightWithSpacing();
  const float textLine = ImGui::GetTextLineHeightWithSpacing();
  const float chrome = textLine + 4.0f + 2.0f * style.WindowPadding.y;  // title, separator, padding
  const float transportH = chrome + 3.0f * frameLine + static_cast<float>(transportTextLines(session)) * textLine;
  const float tabsH = ImGui::GetFrameHeight() + gap;
  const float top = gap + transportH + gap + tabsH;
  const float bodyH = area.y - transportH - gap - tabsH;
  const float colW = (area.x - 2.0f * gap) / 3.0f;
  const float x0 = gap, x1 = gap + colW + gap, x2 = gap + 2.0f * (colW + gap);
  const float channelsH = chrome + 17.0f * (ImGui::GetTextLineHeight() + 2.0f * 1.0f + 1.0f) + 6.0f;

  ImGui::SetCursorPos(ImVec2(gap, gap + transportH + gap));
  if (ImGui::BeginTabBar("views")) {
    for (const auto& [label, view] : {std::pair{"Player: meters, keyboard, scope", DashboardState::View::Player},
                                      std::pair{"Monitor: load, timing, voices, quality", DashboardState::View::Monitor}}) {
      // The view asked for at start is selected until the tab bar shows it (a frame later).
      const ImGuiTabItemFlags select = !state.viewChosen && state.view == view ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(label, nullptr, select)) {
        if (state.viewChosen) {
          state.view = view;
        } else if (state.view == view) {
          state.viewChosen = true;
        }
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }

  struct Cell {
    const char* title;
    void (*draw)(PlayerSession&, const FrameData&, DashboardState&);
    float x, y, w, h;
  };
  std::vector<Cell> cells = {{"Transport", drawTransportPanel, gap, gap, area.x, transportH}};
  if (state.view == DashboardState::View::Player) {
    takeScopeSnapshot(session, state.meters);
    const float leftW = std::floor((area.x - gap) * 0.62f), rightW = area.x - gap - leftW;
    const float metersH = chrome + 2.0f * (ImGui::GetTextLineHeight() + 4.0f + style.ItemSpacing.y) + textLine + 2.0f +
                          frameLine + textLine + 2.0f;
    const float keyboardH = std::floor((bodyH - metersH - 2.0f * gap) * 0.5f);
    const float scopeY = top + metersH + gap + keyboardH + gap, scopeH = bodyH - metersH - keyboardH - 2.0f * gap;
    const float scopeW = std::floor((leftW - gap) * 0.45f);
    const float rightX = gap + leftW + gap;
    cells.insert(cells.end(), {
        {"Output", drawMetersPanel, gap, top, leftW, metersH},
        {"Keyboard", drawKeyboardPanel, gap, top + metersH + gap, leftW, keyboardH},
        {"Scope", drawScopePanel, gap, scopeY, scopeW, scopeH},
        {"Spectrum", drawSpectrumPanel, gap + scopeW + gap, scopeY, leftW - scopeW - gap, scopeH},
    });
    // The right column, top to bottom: Controls (its mixer has the channels) or Channels,
    // then the Playlist when open, then the Song's marker and lyric line.
    const ControlsState& c = state.controls;
    const float songH = (session.song() && !session.song()->lyrics().empty()) ? chrome + 4.0f * textLine
                                                                             : chrome + 2.0f * textLine;
    const float listRows = std::clamp(static_cast<float>(session.playlist().size()), 3.0f, 8.0f);
    float playlistH = c.playlistOpen ? chrome + frameLine + listRows * textLine + 2.0f * textLine : 0.0f;
    float topH = channelsH;
    if (c.controlsOpen) {
      topH = bodyH - songH - playlistH - (c.playlistOpen ? 2.0f : 1.0f) * gap;
    } else if (c.playlistOpen) {
      playlistH = bodyH - channelsH - songH - 2.0f * gap;  // the list takes the room there is
    }
    float y = top;
    cells.push_back(c.controlsOpen ? Cell{"Controls", drawControlsPanel, rightX, y, rightW, topH}
                                   : Cell{"Channels", drawChannelsPanel, rightX, y, rightW, topH});
    y += topH + gap;
    if (c.playlistOpen) {
      cells.push_back({"Playlist", drawPlaylistPanel, rightX, y, rightW, playlistH});
      y += playlistH + gap;
    }
    cells.push_back({"Song", drawSongPanel, rightX, y, rightW, top + bodyH - y});
  } else {
    const float loadH = std::floor(bodyH * 0.42f), timingH = bodyH - loadH - gap;
    const float exportH = chrome + 2.0f * frameLine + 2.0f * textLine;
    const float midiH = chrome + 4.0f * textLine + 6.0f * (textLine + 1.0f) + 4.0f;
    const float voicesH = std::floor((bodyH - exportH - midiH - 3.0f * gap) * 0.66f);
    const float memoryH = bodyH - exportH - midiH - voicesH - 3.0f * gap;
    // Health grows with its list of reasons (wrapped to the column).
    float reasonLines = 0.0f;
    for (const std::string& reason : frame.snapshot.health.reasons) {
      reasonLines += std::ceil(ImGui::CalcTextSize(("- " + reason).c_str()).x / (colW - 24.0f));
    }
    const float healthH = chrome + 3.0f * frameLine + (1.0f + std::min(reasonLines, 8.0f)) * textLine + 4.0f;
    const float qualityH = bodyH - channelsH - healthH - 2.0f * gap;
    cells.insert(cells.end(), {
        {"Load", drawLoadPanel, x0, top, colW, loadH},
        {"Timing", drawTimingPanel, x0, top + loadH + gap, colW, timingH},
        {"Voices", drawVoicesPanel, x1, top, colW, voicesH},
        {"MIDI", drawMidiPanel, x1, top + voicesH + gap, colW, midiH},
        {"Memory", drawMemoryPanel, x1, top + voicesH + midiH + 2.0f * gap, colW, memoryH},
        {"Export", drawExportPanel, x1, top + voicesH + midiH + memoryH + 3.0f * gap, colW, exportH},
        {"Channels", drawChannelsPanel, x2, top, colW, channelsH},
        {"Health", drawHealthPanel, x2, top + channelsH + gap, colW, healthH},
        {"Quality", drawQualityPanel, x2, top + channelsH + healthH + 2.0f * gap, colW, qualityH},
    });
  }
  for (const Cell& cell : cells) {
    if (beginPanel(cell.title, ImVec2(cell.x, cell.y), ImVec2(cell.w, cell.h))) cell.draw(session, frame, state);
    ImGui::EndChild();
  }
  ImGui::End();
}

}  // namespace awe
