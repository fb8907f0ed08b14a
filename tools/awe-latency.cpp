// awe-latency: how long a MIDI event takes from the wire to the sound, where the time
// goes, and how much it varies.
//
//   awe-latency --list
//   awe-latency --midi-in PORT | --midi-virtual [--duration S] [--schedule asap|fixed|both]
//   awe-latency --loopback [--events N] [--schedule asap|fixed|both]
//                          [--midi-out PORT --capture LEFT[,RIGHT]]
//   common: [--max-ms MS] [--json FILE|-] [--sf2 BANK ...] [--mode M] [--gain DB] [--reverb T] [--chorus T]
//           [--no-effects] [--program N] [--quiet]
//           [--profile cpu,memory,spans] [--profile-rate HZ] [--profile-thread all|audio]
//           [--profile-output BASE]
//
// --profile profiles the run (engine/cli/ProfileCli.h): the files go next to --json (else
// ./awe-latency.*) and are named at the end. Spans need our own engine (not --midi-out).
//
// Live mode plays the synth from a MIDI port and times every event through the engine's
// stages (arrival stamp -> enqueue -> buffer start -> first rendered sample -> estimated
// DAC time). Loopback mode sends notes itself, captures the synth's audio through JACK,
// finds each onset and reports the true MIDI-to-sound latency (send -> sound), broken
// down by the engine's stages when the synth is our own. Both report count, min, median,
// mean, p95, p99, max, standard deviation, a histogram and the outliers per stage, and
// pass/fail against --max-ms.
//
// Time base: every time is on the monotonic clock the engine stamps its stages with
// (steady_clock); captured JACK frames are put on it per cycle (engine/JackCapture.h).
//
// JSON (version 1):
//   {tool, version, mode: "live"|"loopback", settings: {...}, pass,
//    runs: [{schedule, events, [detected, stray_onsets, capture_xruns, onset_drops],
//            stages: {<stage>: {meaning, count, min_ms, median_ms, mean_ms, p95_ms, p99_ms,
//                               max_ms, stddev_ms, histogram: {lowest_ms, bin_ms, counts},
//                               outliers: {fence_ms, events: [{event, ms}]}}},
//            verdict: {max_ms, over, missing, worst_ms, pass},
//            per_event: [...every event's stamps (ns) ...]}],
//    comparison: [{schedule, count, median_ms, p95_ms, p99_ms, max_ms, stddev_ms}]}
//   live stages: arrival_to_enqueue, enqueue_to_dequeue, dequeue_to_render, render_to_dac,
//   total; loopback stages: total (send -> converter), send_to_graph, and with our own
//   engine send_to_arrival, arrival_to_render, render_to_onset, engine_dac_error.
//
// Exit codes: 0 pass, 1 an event over --max-ms (or, in loopback, a note never heard),
// 2 bad arguments, 4 could not run (no JACK server, no such port, bad bank).
#include <fmt/core.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "emu8000/Bank.h"
#include "engine/BuiltinFiles.h"
#include "engine/LoadWarnings.h"
#include "engine/Sf3Decoder.h"
#include "engine/Engine.h"
#include "engine/JackCapture.h"
#include "engine/LatencyLoopback.h"
#include "engine/MidiInput.h"
#include "engine/SampleClock.h"
#include "monitor/Clock.h"
#include "monitor/report/OutputFile.h"
#include "monitor/report/SampleStatistics.h"
#include "engine/cli/Cli.h"
#include "engine/cli/ProfileCli.h"
#include "engine/cli/SynthCli.h"

namespace {

using nlohmann::json;

std::atomic<bool> interrupted{false};
void onInterrupt(int) { interrupted.store(true); }

constexpr int kJsonVersion = 1;

const char* scheduleName(awe::MidiSchedule s) { return s == awe::MidiSchedule::Asap ? "asap" : "fixed"; }

// One named series of per-event values (ms), e.g. a stage.
struct Series {
  std::string name;
  std::string meaning;
  std::vector<double> values_ms;
  std::vector<int> eventIndex;  // which event each value belongs to
};

struct Options {
  double maxMs = 10.0;
  double outlierMarginMs = 1.0;
  size_t bins = 20;
  size_t outliersListed = 10;
};

std::string messageText(const uint8_t* bytes, size_t size) {
  std::string hex;
  for (size_t i = 0; i < size; ++i) hex += fmt::format("{}{:02x}", i == 0 ? "" : " ", bytes[i]);
  return hex;
}

// ---- statistics, text and JSON -------------------------------------------------------------

json statisticsJson(const Series& series, const Options& options) {
  const awe::SampleStatistics s = awe::summarize(series.values_ms);
  json j = {{"meaning", series.meaning}, {"count", s.count},   {"min_ms", s.min}, {"median_ms", s.median},
            {"mean_ms", s.mean},         {"p95_ms", s.p95},    {"p99_ms", s.p99}, {"max_ms", s.max},
            {"stddev_ms", s.stddev}};
  const awe::LinearHistogram h = awe::linearHistogram(series.values_ms, options.bins);
  j["histogram"] = {{"lowest_ms", h.lowest}, {"bin_ms", h.binWidth}, {"counts", h.counts}};
  const awe::OutlierFence fence = awe::upperOutliers(series.values_ms, 1.5, options.outlierMarginMs);
  json outliers = json::array();
  for (size_t i : fence.indices) outliers.push_back({{"event", series.eventIndex[i]}, {"ms", series.values_ms[i]}});
  j["outliers"] = {{"fence_ms", fence.fence}, {"events", outliers}};
  return j;
}

void printTableHeader(FILE* out) {
  fmt::print(out, "  {:<20} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}   (ms)\n", "stage", "count", "min",
             "median", "mean", "p95", "p99", "max", "stddev");
}

void printTableRow(FILE* out, const Series& series) {
  const awe::SampleStatistics s = awe::summarize(series.values_ms);
  if (s.count == 0) {
    fmt::print(out, "  {:<20} {:>6}\n", series.name, 0);
    return;
  }
  fmt::print(out, "  {:<20} {:>6} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f}\n", series.name,
             s.count, s.min, s.median, s.mean, s.p95, s.p99, s.max, s.stddev);
}

void printHistogram(FILE* out, const Series& series, const Options& options) {
  const awe::LinearHistogram h = awe::linearHistogram(series.values_ms, options.bins);
  if (h.counts.empty()) return;
  const uint64_t most = *std::max_element(h.counts.begin(), h.counts.end());
  fmt::print(out, "  histogram of {} (ms):\n", series.name);
  for (size_t b = 0; b < h.counts.size(); ++b) {
    const double lo = h.lowest + h.binWidth * static_cast<double>(b);
    const auto width = static_cast<size_t>(most == 0 ? 0 : (h.counts[b] * 50 + most - 1) / most);
    fmt::print(out, "    {:8.3f} .. {:8.3f} {:>6} {}\n", lo, lo + h.binWidth, h.counts[b], std::string(width, '#'));
  }
}

void printOutliers(FILE* out, const Series& series, const Options& options,
                   const std::function<std::string(int)>& describe) {
  const awe::OutlierFence fence = awe::upperOutliers(series.values_ms, 1.5, options.outlierMarginMs);
  if (fence.indices.empty()) {
    fmt::print(out, "  outliers of {}: none above {:.3f} ms\n", series.name, fence.fence);
    return;
  }
  fmt::print(out, "  outliers of {}: {} above {:.3f} ms (Q3 + max(1.5 IQR, {} ms)), worst first:\n", series.name,
             fence.indices.size(), fence.fence, options.outlierMarginMs);
  for (size_t k = 0; k < fence.indices.size() && k < options.outliersListed; ++k) {
    const size_t i = fence.indices[k];
    fmt::print(out, "    event {:>5}: {:8.3f} ms   {}\n", series.eventIndex[i], series.values_ms[i],
               describe(series.eventIndex[i]));
  }
}

struct Verdict {
  size_t over = 0;
  size_t missing = 0;
  double worst_ms = 0.0;
  bool pass() const { return over == 0 && missing == 0; }
};

Verdict verdictOf(const Series& total, size_t missing, const Options& options) {
  Verdict v;
  v.missing = missing;
  for (double ms : total.values_ms) {
    v.worst_ms = std::max(v.worst_ms, ms);
    if (ms > options.maxMs) ++v.over;
  }
  return v;
}

json verdictJson(const Verdict& v, const Options& options) {
  return {{"max_ms", options.maxMs}, {"over", v.over}, {"missing", v.missing}, {"worst_ms", v.worst_ms},
          {"pass", v.pass()}};
}

void printVerdict(FILE* out, const Verdict& v, const Options& options) {
  fmt::print(out, "  verdict: {} ({} of the events over {} ms{}; worst {:.3f} ms)\n", v.pass() ? "PASS" : "FAIL",
             v.over, options.maxMs, v.missing > 0 ? fmt::format(", {} never heard", v.missing) : std::string(),
             v.worst_ms);
}

// Side by side when more than one schedule ran: the total latency's centre and spread.
json compareTotals(FILE* out, const std::vector<std::pair<std::string, Series>>& totals) {
  json comparison = json::array();
  if (totals.size() < 2) return comparison;
  fmt::print(out, "\ncomparison of the total latency (ms):\n  {:<10} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}\n", "schedule",
             "count", "median", "p95", "p99", "max", "stddev");
  for (const auto& [name, series] : totals) {
    const awe::SampleStatistics s = awe::summarize(series.values_ms);
    fmt::print(out, "  {:<10} {:>6} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f}\n", name, s.count, s.median, s.p95,
               s.p99, s.max, s.stddev);
    comparison.push_back({{"schedule", name}, {"count", s.count}, {"median_ms", s.median}, {"p95_ms", s.p95},
                          {"p99_ms", s.p99}, {"max_ms", s.max}, {"stddev_ms", s.stddev}});
  }
  return comparison;
}

// ---- live mode -------------------------------------------------------------------------------

std::vector<Series> liveSeries(const std::vector<awe::MidiEventRecord>& records, awe::MidiSchedule schedule) {
  using awe::MidiStage;
  std::vector<Series> series = {
      {awe::midiStageName(MidiStage::ArrivalToEnqueue), "MIDI callback stamp to the queue accepting it", {}, {}},
      {awe::midiStageName(MidiStage::EnqueueToDequeue), "waiting in the queue for a buffer to start", {}, {}},
      {awe::midiStageName(MidiStage::DequeueToRender), "buffer start to the event's sample (its schedule offset)", {}, {}},
      {awe::midiStageName(MidiStage::RenderToDac), "the event's sample to the converter (reported output latency)", {}, {}},
      {awe::midiStageName(MidiStage::Total), "arrival stamp to the estimated converter time", {}, {}},
  };
  for (size_t i = 0; i < records.size(); ++i) {
    const awe::MidiEventRecord& r = records[i];
    if (r.schedule != schedule) continue;
    const awe::MidiEventTimes& t = r.times;
    const int64_t stamps[] = {t.arrival_ns, t.enqueued_ns, t.dequeued_ns, t.rendered_ns, t.dac_ns};
    auto add = [&](size_t stage, int64_t from, int64_t to) {
      if (from == awe::MidiEventTimes::kNoTime || to == awe::MidiEventTimes::kNoTime) return;
      series[stage].values_ms.push_back(static_cast<double>(to - from) / 1e6);
      series[stage].eventIndex.push_back(static_cast<int>(i));
    };
    for (size_t s = 0; s < 4; ++s) add(s, stamps[s], stamps[s + 1]);
    add(4, stamps[0], stamps[4]);
  }
  return series;
}

std::string describeRecord(const awe::MidiEventRecord& r) {
  auto ms = [](int64_t a, int64_t b) { return static_cast<double>(b - a) / 1e6; };
  const awe::MidiEventTimes& t = r.times;
  return fmt::format("[{}] buffer {} offset {}: enqueue {:.3f}, wait {:.3f}, offset {:.3f}, output {:.3f}",
                     messageText(r.bytes, r.size), r.buffer, r.offset, ms(t.arrival_ns, t.enqueued_ns),
                     ms(t.enqueued_ns, t.dequeued_ns), ms(t.dequeued_ns, t.rendered_ns), ms(t.rendered_ns, t.dac_ns));
}

// Redraws a block of lines in place on a terminal.
class LiveView {
 public:
  explicit LiveView(bool enabled) : enabled_(enabled) {}
  void draw(const std::string& text) {
    if (!enabled_) return;
    if (lines_ > 0) fmt::print(stderr, "\x1b[{}A", lines_);
    lines_ = 0;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      fmt::print(stderr, "\x1b[2K{}\n", text.substr(start, end - start));
      ++lines_;
      start = end + 1;
    }
  }
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  int lines_ = 0;
};

std::string liveText(const std::vector<awe::MidiEventRecord>& records, const std::vector<awe::MidiSchedule>& schedules,
                     awe::MidiSchedule current, double elapsed_s, uint64_t drops, const Options& options) {
  std::string text = fmt::format("{:.1f} s, {} events, schedule now {}, drops {}   (Ctrl-C ends)\n", elapsed_s,
                                 records.size(), scheduleName(current), drops);
  for (awe::MidiSchedule schedule : schedules) {
    const std::vector<Series> series = liveSeries(records, schedule);
    const Verdict v = verdictOf(series.back(), 0, options);
    text += fmt::format("[{}] {:<18} {:>6} {:>8} {:>8} {:>8} {:>8}   over {} ms: {}\n", scheduleName(schedule), "stage",
                        "count", "min", "median", "p95", "max", options.maxMs, v.over);
    for (const Series& s : series) {
      const awe::SampleStatistics st = awe::summarize(s.values_ms);
      text += fmt::format("      {:<18} {:>6} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f}\n", s.name, st.count, st.min,
                          st.median, st.p95, st.max);
    }
  }
  if (!records.empty()) {
    const awe::MidiEventRecord& r = records.back();
    text += fmt::format("last: {}  total {:.3f} ms\n", messageText(r.bytes, r.size),
                        static_cast<double>(r.times.dac_ns - r.times.arrival_ns) / 1e6);
  }
  return text;
}

// ---- engine set-up -----------------------------------------------------------------------------

struct JackFormat {
  double sampleRate = 0.0;
  uint32_t bufferFrames = 0;
};

// What the running JACK server does (JACK decides the period, not us). Empty when no server.
std::optional<JackFormat> probeJack(const std::string& clientName) {
  try {
    awe::JackCapture probe(clientName + "-probe", 0, {});
    return JackFormat{probe.sampleRate(), probe.bufferFrames()};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

awe::EngineSettings engineSettings(const std::string& clientName, const std::optional<JackFormat>& jack,
                                   const std::string& api, uint32_t frames, double rate) {
  awe::EngineSettings s;
  s.driver.kind = awe::DriverKind::Device;
  s.driver.api = api;
  s.driver.clientName = clientName;
  s.driver.sampleRate = jack ? jack->sampleRate : rate;
  s.driver.bufferFrames = jack ? jack->bufferFrames : frames;
  s.midiEventLogCapacity = 1 << 16;
  return s;
}

void describeEngine(const awe::Engine& engine, json& settings) {
  const awe::AudioDriver* d = engine.driver();
  settings["driver"] = d->description();
  settings["sample_rate_Hz"] = d->sampleRate();
  settings["buffer_frames"] = d->bufferFrames();
  settings["buffer_ms"] = 1e3 * static_cast<double>(d->bufferFrames()) / d->sampleRate();
  settings["reported_output_latency_ms"] = d->outputLatency_s() * 1e3;
}

std::vector<awe::MidiSchedule> schedulesFor(const std::string& name) {
  if (name == "asap") return {awe::MidiSchedule::Asap};
  if (name == "fixed") return {awe::MidiSchedule::FixedLatency};
  return {awe::MidiSchedule::Asap, awe::MidiSchedule::FixedLatency};
}

// Waits until the audio thread has applied a schedule (commands take effect at a buffer start).
void applySchedule(awe::Engine& engine, awe::MidiSchedule schedule) {
  engine.setSchedule(schedule);
  for (int i = 0; i < 500; ++i) {
    awe::EngineStatus status;
    if (engine.status(status) && status.schedule == static_cast<uint8_t>(schedule)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  throw std::runtime_error("the engine did not take the new MIDI schedule (is the audio running?)");
}

void writeJson(const json& report, const std::string& path) {
  if (path.empty()) return;
  const std::string text = report.dump(2) + "\n";
  if (path == "-") {
    fmt::print("{}", text);
    return;
  }
  awe::writeFileAtomically(path, text);
}

// ---- the modes ------------------------------------------------------------------------------

// MIDI ports of both systems: the ALSA sequencer (most USB keyboards on a desktop) and
// JACK MIDI; --midi-in takes a name or an index of the list --midi-api picks (auto: JACK when a
// server runs).
int runList(const std::string& clientName, awe::MidiApi midiApi) {
  try {
    fmt::print("live MIDI input (--midi-api {}): {}\n", awe::midiApiKey(midiApi),
               awe::midiApiName(awe::resolveMidiApi(midiApi)));
  } catch (const std::exception& e) {
    fmt::print("live MIDI input (--midi-api {}): {}\n", awe::midiApiKey(midiApi), e.what());
  }
  for (const awe::MidiApi api : {awe::MidiApi::Alsa, awe::MidiApi::Jack}) {
    const std::string problem = awe::midiApiProblem(api);
    const std::string name = awe::midiApiName(api);
    if (!problem.empty()) {
      fmt::print("{} MIDI: not available ({})\n", name, problem);
      continue;
    }
    try {
      const auto midiIn = awe::MidiInput::listPorts(clientName + "-list", api);
      fmt::print("{} MIDI ports to measure (for --midi-in with --midi-api {}):\n", name, awe::midiApiKey(api));
      if (midiIn.empty()) fmt::print("  (none)\n");
      for (size_t i = 0; i < midiIn.size(); ++i) fmt::print("  {}: {}\n", i, midiIn[i]);
      const auto midiOut = awe::MidiOutput::listPorts(clientName + "-list", api);
      fmt::print("{} MIDI inputs we can send to (for --midi-out):\n", name);
      if (midiOut.empty()) fmt::print("  (none)\n");
      for (size_t i = 0; i < midiOut.size(); ++i) fmt::print("  {}: {}\n", i, midiOut[i]);
    } catch (const std::exception& e) {
      fmt::print("{} MIDI: {}\n", name, e.what());
    }
  }
  try {
    awe::JackCapture probe(clientName + "-list", 0, {});
    fmt::print("JACK audio outputs we can capture (for --capture; {} Hz, {} frames):\n", probe.sampleRate(),
               probe.bufferFrames());
    for (const auto& port : probe.audioOutputPorts()) {
      fmt::print("  {}{}\n", port.name, port.physical ? "  (physical capture: a cable loop)" : "");
    }
  } catch (const std::exception& e) {
    fmt::print("JACK audio outputs: {}\n", e.what());
  }
  return 0;
}

struct LiveArgs {
  std::string port;
  bool virtualPort = false;
  double duration_s = 0.0;
  double alternate_s = 10.0;
  std::string schedule = "asap";
  std::vector<std::string> banks;  // --sf2 (engine/Banks.h's rule when empty)
  awe::cli::SoundOptions sound;
  int threads = 1;  // --threads
  std::string api;
  awe::MidiApi midiApi = awe::MidiApi::Auto;
  std::string clientName;
  uint32_t frames = 256;  // shorter than kDefaultBufferFrames: latency is what is measured
  double rate = awe::kDefaultSampleRate;
  std::string jsonPath;
  bool quiet = false;
  awe::ProfileSession* profile = nullptr;
};

int runLive(const LiveArgs& a, const Options& options) {
  const auto jack = probeJack(a.clientName);
  awe::EngineSettings engineSetup = engineSettings(a.clientName, jack, a.api, a.frames, a.rate);
  engineSetup.midiApi = a.midiApi;
  engineSetup.renderThreads = a.threads;
  const awe::BankStack stack = awe::cli::loadChosenBanks(awe::chooseBanks(a.banks), "awe-latency", stderr);
  awe::cli::applySoundOptions(a.sound, *stack.bank, engineSetup.synth);  // --mode auto: by the first bank
  awe::Engine engine(engineSetup);
  const awe::ProfileSession::Attachment profiled(a.profile, engine);
  engine.setBank(stack.bank);
  const std::vector<awe::MidiSchedule> schedules = schedulesFor(a.schedule);
  std::string note;
  engine.start(&note);
  applySchedule(engine, schedules.front());
  if (a.virtualPort) {
    engine.midiInput().openVirtual("midi_in");
  } else {
    engine.midiInput().open(a.port);
  }
  json banks = json::array();  // a stack: each bank, first one first
  for (const awe::BankLayer& layer : stack.layers) banks.push_back(layer.path);
  json settings = {{"bank", banks.size() == 1 ? banks.front() : banks}, {"midi_port", engine.midiInput().portName()}, {"schedule", a.schedule}};
  describeEngine(engine, settings);
  if (a.profile != nullptr) a.profile->heapMark("started");
  if (!a.quiet) {
    fmt::print(stderr, "awe-latency live: {} -> synth ({}, {} frames, reported output latency {:.2f} ms){}\n",
               a.virtualPort ? "our port '" + a.clientName + "-midi:midi_in'" : "'" + engine.midiInput().portName() + "'",
               engine.driver()->description(), engine.driver()->bufferFrames(),
               engine.driver()->outputLatency_s() * 1e3, a.duration_s > 0 ? fmt::format(", {} s", a.duration_s) : "");
  }

  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
  LiveView view(!a.quiet && isatty(STDERR_FILENO) != 0);
  std::vector<awe::MidiEventRecord> records;
  const int64_t start_ns = awe::monotonicNanoseconds();
  int64_t nextDraw_ns = start_ns;
  size_t scheduleIndex = 0;
  int64_t nextSwitch_ns = start_ns + static_cast<int64_t>(a.alternate_s * 1e9);
  while (!interrupted.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    engine.pump();
    awe::MidiEventRecord r;
    while (engine.popMidiEventRecord(r)) records.push_back(r);
    const int64_t now_ns = awe::monotonicNanoseconds();
    if (a.duration_s > 0.0 && now_ns - start_ns >= static_cast<int64_t>(a.duration_s * 1e9)) break;
    if (schedules.size() > 1 && now_ns >= nextSwitch_ns) {
      scheduleIndex = (scheduleIndex + 1) % schedules.size();
      engine.setSchedule(schedules[scheduleIndex]);
      nextSwitch_ns = now_ns + static_cast<int64_t>(a.alternate_s * 1e9);
    }
    if (now_ns >= nextDraw_ns) {
      view.draw(liveText(records, schedules, schedules[scheduleIndex], static_cast<double>(now_ns - start_ns) / 1e9,
                         engine.midiInput().dropped() + engine.midiEventLogDrops(), options));
      nextDraw_ns = now_ns + 500'000'000;
    }
  }
  engine.stop();
  awe::MidiEventRecord r;
  while (engine.popMidiEventRecord(r)) records.push_back(r);

  json report = {{"tool", "awe-latency"}, {"version", kJsonVersion}, {"mode", "live"}, {"settings", settings}};
  report["received"] = engine.midiInput().received();
  report["dropped"] = engine.midiInput().dropped();
  report["log_dropped"] = engine.midiEventLogDrops();
  json runs = json::array();
  bool pass = true;
  FILE* out = a.jsonPath == "-" ? stderr : stdout;
  std::vector<std::pair<std::string, Series>> totals;
  for (awe::MidiSchedule schedule : schedules) {
    const std::vector<Series> series = liveSeries(records, schedule);
    const Verdict verdict = verdictOf(series.back(), 0, options);
    pass = pass && verdict.pass();
    json run = {{"schedule", scheduleName(schedule)}, {"events", series.back().values_ms.size()}};
    json stages = json::object();
    for (const Series& s : series) stages[s.name] = statisticsJson(s, options);
    run["stages"] = stages;
    run["verdict"] = verdictJson(verdict, options);
    json events = json::array();
    for (size_t i = 0; i < records.size(); ++i) {
      const awe::MidiEventRecord& e = records[i];
      if (e.schedule != schedule) continue;
      const awe::MidiEventTimes& t = e.times;
      events.push_back({{"event", i},
                        {"bytes", messageText(e.bytes, e.size)},
                        {"buffer", e.buffer},
                        {"offset", e.offset},
                        {"arrival_ns", t.arrival_ns},
                        {"enqueued_ns", t.enqueued_ns},
                        {"dequeued_ns", t.dequeued_ns},
                        {"rendered_ns", t.rendered_ns},
                        {"dac_ns", t.dac_ns}});
    }
    run["per_event"] = events;
    runs.push_back(run);

    fmt::print(out, "\nschedule {}: {} events\n", scheduleName(schedule), series.back().values_ms.size());
    printTableHeader(out);
    for (const Series& s : series) printTableRow(out, s);
    printHistogram(out, series.back(), options);
    printOutliers(out, series.back(), options, [&](int i) { return describeRecord(records[static_cast<size_t>(i)]); });
    printVerdict(out, verdict, options);
    totals.emplace_back(scheduleName(schedule), series.back());
  }
  report["runs"] = runs;
  report["comparison"] = compareTotals(out, totals);
  report["pass"] = pass;
  writeJson(report, a.jsonPath);
  return pass ? 0 : 1;
}

struct LoopbackArgs {
  awe::LoopbackSettings loopback;
  std::string midiOut;
  std::string capture;
  std::string schedule = "asap";
  std::vector<std::string> banks;  // --sf2; none: the click bank
  awe::cli::SoundOptions sound;
  int threads = 1;  // --threads
  std::string clientName;
  std::string jsonPath;
  double threshold_dB = -60.0;
  bool quiet = false;
  awe::ProfileSession* profile = nullptr;
};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) parts.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

std::string regexEscape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) escaped += '\\';
    escaped += c;
  }
  return escaped;
}

// The loopback series of one run: the true latency, and with our engine its stages.
std::vector<Series> loopbackSeries(const awe::LoopbackResult& r) {
  std::vector<Series> series = {
      {"total", "send to the sound at the converter (true MIDI-to-sound latency)", {}, {}},
      {"send_to_graph", "send to the onset passing through the JACK graph", {}, {}},
      {"send_to_arrival", "send to the engine's arrival stamp (JACK MIDI)", {}, {}},
      {"arrival_to_render", "arrival stamp to the event's rendered sample (engine)", {}, {}},
      {"render_to_onset", "rendered sample to the onset in the graph (attack, buffer-start offset)", {}, {}},
      {"engine_dac_error", "engine's estimated DAC time minus the measured converter time", {}, {}},
  };
  auto add = [&](size_t s, const awe::LoopbackEvent& e, int64_t from, int64_t to) {
    series[s].values_ms.push_back(static_cast<double>(to - from) / 1e6);
    series[s].eventIndex.push_back(e.index);
  };
  for (const awe::LoopbackEvent& e : r.events) {
    if (!e.detected) continue;
    add(0, e, e.sent_ns, e.converter_ns);
    add(1, e, e.sent_ns, e.onset_ns);
    if (!e.hasEngineRecord) continue;
    add(2, e, e.sent_ns, e.engine.times.arrival_ns);
    add(3, e, e.engine.times.arrival_ns, e.engine.times.rendered_ns);
    add(4, e, e.engine.times.rendered_ns, e.onset_ns);
    add(5, e, e.converter_ns, e.engine.times.dac_ns);
  }
  series.erase(std::remove_if(series.begin(), series.end(), [](const Series& s) { return s.values_ms.empty(); }),
               series.end());
  return series;
}

std::string describeLoopbackEvent(const awe::LoopbackEvent& e) {
  std::string text = fmt::format("ch {} key {}: onset frame {}", e.channel + 1, e.key, e.onsetFrame);
  if (e.hasEngineRecord) {
    text += fmt::format(", engine buffer {} offset {}, send->arrival {:.3f} ms", e.engine.buffer, e.engine.offset,
                        static_cast<double>(e.engine.times.arrival_ns - e.sent_ns) / 1e6);
  }
  return text;
}

int runLoopbackMode(LoopbackArgs a, const Options& options) {
  awe::LoopbackSettings& ls = a.loopback;
  ls.clientName = a.clientName;
  ls.detector.threshold = static_cast<float>(std::pow(10.0, a.threshold_dB / 20.0));
  const bool external = !a.midiOut.empty();
  std::unique_ptr<awe::Engine> engine;
  std::unique_ptr<awe::ProfileSession::Attachment> profiled;  // released before the engine goes
  json settings = {{"events", ls.events}, {"interval_ms", ls.interval_s * 1e3}, {"note_ms", ls.noteLength_s * 1e3},
                   {"threshold_dB", a.threshold_dB}, {"hold_frames", ls.detector.holdFrames}, {"seed", ls.seed},
                   {"schedule", a.schedule}};
  std::vector<awe::MidiSchedule> schedules = schedulesFor(a.schedule);
  if (external) {
    ls.midiTarget = a.midiOut;
    ls.audioSources = splitList(a.capture);
    settings["synth"] = "external";
    schedules = {awe::MidiSchedule::Asap};  // not ours to choose
  } else {
    const auto jack = probeJack(a.clientName);
    if (!jack) throw std::runtime_error("loopback needs a running JACK server (the synth's audio is captured through JACK)");
    const std::string synthName = a.clientName + "-synth";
    std::shared_ptr<const awe::Bank> bank;
    if (a.banks.empty()) {
      bank = awe::makeClickBank();
      settings["bank"] = "click (built in: 1 kHz square, minimum SF2 delay and attack)";
    } else {
      const awe::BankChoice choice = awe::chooseBanks(a.banks);
      bank = awe::cli::loadChosenBanks(choice, "awe-latency", stderr).bank;
      settings["bank"] = choice.paths.size() == 1 ? json(choice.paths.front()) : json(choice.paths);  // a stack: each, in order
    }
    awe::EngineSettings engineSetup = engineSettings(synthName, jack, "jack", 0, 0.0);
    awe::cli::applySoundOptions(a.sound, *bank, engineSetup.synth);
    engineSetup.renderThreads = a.threads;
    engine = std::make_unique<awe::Engine>(engineSetup);
    profiled = std::make_unique<awe::ProfileSession::Attachment>(a.profile, *engine);
    engine->setBank(bank);
    engine->start();
    engine->midiInput().openVirtual("midi_in");
    describeEngine(*engine, settings);
    // The engine learns its sample clock's drift over two refresh windows; fixed-latency
    // placement is exact only after that.
    std::this_thread::sleep_for(std::chrono::duration<double>(2.5 * awe::SampleClock::kRefreshWindow_s));
    // Our engine's ports, whatever name JACK gave the clients.
    awe::JackCapture probe(a.clientName + "-ports", 0, {});
    const auto outputs = probe.audioOutputPorts("^" + regexEscape(synthName) + ":");
    if (outputs.size() != 2) {
      throw std::runtime_error("cannot find the engine's two JACK outputs (client '" + synthName + "'); found " +
                               std::to_string(outputs.size()));
    }
    ls.audioSources = {outputs[0].name, outputs[1].name};
    ls.midiTarget = synthName + "-midi:midi_in";
    if (!a.capture.empty()) ls.audioSources = splitList(a.capture);
    settings["synth"] = "awe engine";
  }
  if (a.profile != nullptr) a.profile->heapMark("started");
  settings["program"] = ls.program;
  settings["midi_target"] = ls.midiTarget;
  settings["capture"] = ls.audioSources;

  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
  LiveView view(!a.quiet && isatty(STDERR_FILENO) != 0);
  json report = {{"tool", "awe-latency"}, {"version", kJsonVersion}, {"mode", "loopback"}};
  std::vector<std::pair<std::string, Series>> totals;  // for the comparison
  json runs = json::array();
  bool pass = true;
  FILE* out = a.jsonPath == "-" ? stderr : stdout;
  for (awe::MidiSchedule schedule : schedules) {
    if (interrupted.load()) break;
    if (engine) applySchedule(*engine, schedule);
    std::vector<awe::MidiEventRecord> records;
    auto tick = [&](const awe::LoopbackProgress& p) {
      if (engine) {
        awe::MidiEventRecord r;
        while (engine->popMidiEventRecord(r)) records.push_back(r);
        engine->pump();
      }
      view.draw(fmt::format("loopback [{}]: sent {} / {}, onsets heard {}   (Ctrl-C stops sending)",
                            scheduleName(schedule), p.sent, p.total, p.onsets));
      return !interrupted.load();
    };
    const uint64_t engineXrunsBefore = engine ? engine->driver()->xruns() : 0;
    awe::LoopbackResult result = awe::runLoopback(ls, tick);
    // JACK counts xruns server-wide: the capture client hears of every one.
    const uint64_t xruns = std::max(result.captureXruns, engine ? engine->driver()->xruns() - engineXrunsBefore : 0);
    if (engine) {
      awe::MidiEventRecord r;
      while (engine->popMidiEventRecord(r)) records.push_back(r);
      awe::attachEngineRecords(result.events, records);
    }
    settings["capture"] = result.sources;
    settings["converter_shift_ms"] = static_cast<double>(result.converterShift_ns) / 1e6;
    settings["converter_shift"] = result.converterShiftSource;
    settings["jack_sample_rate_Hz"] = result.sampleRate;
    settings["jack_buffer_frames"] = result.bufferFrames;

    const std::vector<Series> series = loopbackSeries(result);
    const size_t missing = result.events.size() - result.detected;
    const Series& total = series.empty() ? Series{} : series.front();
    const Verdict verdict = verdictOf(total, missing, options);
    pass = pass && verdict.pass();

    json run = {{"schedule", external ? "external" : scheduleName(schedule)},
                {"events", result.events.size()},
                {"detected", result.detected},
                {"stray_onsets", result.strayOnsets},
                {"xruns", xruns},
                {"capture_xruns", result.captureXruns},
                {"onset_drops", result.onsetDrops}};
    json stages = json::object();
    for (const Series& s : series) stages[s.name] = statisticsJson(s, options);
    run["stages"] = stages;
    run["verdict"] = verdictJson(verdict, options);
    json events = json::array();
    for (const awe::LoopbackEvent& e : result.events) {
      json j = {{"event", e.index}, {"channel", e.channel}, {"key", e.key},       {"input", e.input},
                {"sent_ns", e.sent_ns}, {"detected", e.detected}};
      if (e.detected) {
        j["onset_frame"] = e.onsetFrame;
        j["onset_ns"] = e.onset_ns;
        j["converter_ns"] = e.converter_ns;
        j["latency_ms"] = static_cast<double>(e.latency_ns()) / 1e6;
      }
      if (e.hasEngineRecord) {
        j["engine"] = {{"buffer", e.engine.buffer},
                       {"offset", e.engine.offset},
                       {"arrival_ns", e.engine.times.arrival_ns},
                       {"enqueued_ns", e.engine.times.enqueued_ns},
                       {"dequeued_ns", e.engine.times.dequeued_ns},
                       {"rendered_ns", e.engine.times.rendered_ns},
                       {"dac_ns", e.engine.times.dac_ns}};
      }
      events.push_back(j);
    }
    run["per_event"] = events;
    runs.push_back(run);

    fmt::print(out, "\nloopback, schedule {}: {} notes sent, {} heard, {} stray onsets; {} Hz, {} frames; converter "
                    "time = graph time {} ({:+.3f} ms)\n",
               external ? "external" : scheduleName(schedule), result.events.size(), result.detected,
               result.strayOnsets, result.sampleRate, result.bufferFrames, result.converterShiftSource,
               static_cast<double>(result.converterShift_ns) / 1e6);
    if (xruns > 0) {
      fmt::print(out, "  WARNING: JACK reported {} xrun(s) during this run: notes and onsets may be lost or moved, "
                      "so these numbers describe the overloaded machine more than the synth\n", xruns);
    }
    printTableHeader(out);
    for (const Series& s : series) printTableRow(out, s);
    if (!series.empty()) {
      printHistogram(out, total, options);
      printOutliers(out, total, options, [&](int i) {
        return describeLoopbackEvent(result.events[static_cast<size_t>(i)]);
      });
    }
    printVerdict(out, verdict, options);
    totals.emplace_back(run["schedule"].get<std::string>(), total);
  }
  if (engine) engine->stop();
  report["comparison"] = compareTotals(out, totals);
  report["settings"] = settings;
  report["runs"] = runs;
  report["pass"] = pass;
  writeJson(report, a.jsonPath);
  return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"awe-latency: MIDI-to-sound latency of the synth, stage by stage (live) or end to end (loopback)"};
  awe::cli::setUp(app, "awe-latency");
  bool list = false, loopback = false, quiet = false;
  LiveArgs live;
  LoopbackArgs loop;
  Options options;
  std::string schedule = "asap", jsonPath, clientName = "awe-latency";
  std::vector<std::string> banks;
  awe::cli::SoundOptions sound;
  int threads = 1;
  int program = -1;
  double interval_ms = 250.0, note_ms = 50.0;

  app.add_flag("--list", list, "List MIDI input and output ports and JACK audio outputs");
  // --midi-in, --midi-virtual and --buffer as in every tool; --in, --virtual and --frames,
  // the old names, stay as hidden aliases.
  auto* in = app.add_option("--midi-in", live.port, "Live: measure events from this MIDI output port (name part or index)");
  app.add_option("--in", live.port)->group("")->excludes(in);
  app.add_flag("--virtual", live.virtualPort)->group("");
  auto* virt = app.add_flag("--midi-virtual", live.virtualPort,
                            "Live: make our own MIDI input port (<client>-midi:midi_in) for others to connect");
  auto* lb = app.add_flag("--loopback", loopback, "Loopback: send notes, capture the synth's audio, time each onset");
  in->excludes(virt);
  lb->excludes(in)->excludes(virt);
  std::string midiApiKey;
  awe::cli::addMidiApiOption(app, midiApiKey);
  app.add_option("--schedule", schedule, "MIDI schedule: asap, fixed (arrival + one buffer) or both")
      ->check(CLI::IsMember({"asap", "fixed", "both"}));
  app.add_option("--max-ms", options.maxMs, "Pass/fail limit for the total latency of every event, in ms")
      ->check(awe::cli::positive("ms"));
  app.add_option("--json", jsonPath, "Write the JSON report here ('-' for stdout; the text goes to stderr then)");
  awe::cli::addBankOption(app, banks,
                          "live: $AWE_SOUNDFONT, else the system GM bank, else the built-in bank; loopback: a click");
  awe::cli::addSoundOptions(app, sound);
  awe::cli::addThreadsOption(app, threads);
  app.add_option("--program", program, "Loopback: program to play (sent on both channels first)")
      ->check(awe::cli::wholeRange(0, 127));
  app.add_option("--client", clientName, "Name of our JACK clients");
  app.add_option("--bins", options.bins, "Histogram bins")->check(awe::cli::wholeRange(1, 1000, "bins"));
  app.add_option("--outlier-margin-ms", options.outlierMarginMs,
                 "Outliers lie above Q3 + max(1.5 IQR, this margin)")->check(awe::cli::nonNegative("ms"));
  app.add_flag("-q,--quiet", quiet, "No live view");
  // Live.
  app.add_option("--duration", live.duration_s, "Live: stop after this many seconds (default: at Ctrl-C)")
      ->check(awe::cli::nonNegative("s"));
  app.add_option("--alternate", live.alternate_s, "Live, --schedule both: switch schedules this often, in seconds")
      ->check(awe::cli::positive("s"));
  app.add_option("--api", live.api, "Live: audio API for the synth (jack, alsa, pulse; default: JACK first)");
  app.add_option("--frames", live.frames)->check(awe::cli::wholeRange(16, 8192, "frames"))->group("");
  app.add_option("--buffer", live.frames, "Live without JACK: buffer frames (JACK decides its own)")
      ->check(awe::cli::wholeRange(16, 8192, "frames"));
  // Loopback.
  app.add_option("--events", loop.loopback.events, "Loopback: notes to send")->check(awe::cli::wholeRange(1, 100000, "notes"));
  app.add_option("--interval-ms", interval_ms, "Loopback: time between notes")->check(awe::cli::positive("ms"));
  app.add_option("--note-ms", note_ms, "Loopback: note length")->check(awe::cli::positive("ms"));
  app.add_option("--midi-out", loop.midiOut,
                 "Loopback against another synth or a cable: the MIDI input port to send to (with --capture)");
  app.add_option("--capture", loop.capture,
                 "Loopback: JACK audio output(s) to capture, LEFT[,RIGHT] (default: our engine's outputs)");
  app.add_option("--threshold-db", loop.threshold_dB, "Loopback: onset threshold in dBFS")
      ->check(awe::cli::range(-140.0, 0.0, "dBFS"));
  app.add_option("--seed", loop.loopback.seed, "Loopback: seed of the send-time dither");
  awe::ProfileCliOptions profileOptions;
  awe::ProfileCliSpec profileSpec{"awe-latency", "audio", true, ""};
  awe::addProfileOptions(app, profileOptions, profileSpec);
  if (const auto code = awe::cli::parse(app, argc, argv)) return *code;

  if (!list && !loopback && live.port.empty() && !live.virtualPort) {
    fmt::print(stderr, "awe-latency: choose --list, --midi-in PORT, --midi-virtual or --loopback (see --help)\n");
    return awe::cli::kExitUsage;
  }
  if (!loop.midiOut.empty() && loop.capture.empty()) {
    fmt::print(stderr, "awe-latency: --midi-out needs --capture (the synth's audio outputs)\n");
    return awe::cli::kExitUsage;
  }
  if (list && !profileOptions.list.empty()) {
    fmt::print(stderr, "awe-latency: --profile has nothing to profile with --list\n");
    return awe::cli::kExitUsage;
  }
  if (!awe::cli::checkOutputs("awe-latency", {{"--json", jsonPath}})) return awe::cli::kExitUsage;
  // Before the bank and the engine, so the heap profile sees them.
  std::unique_ptr<awe::ProfileSession> profile;
  try {
    if (loopback && !loop.midiOut.empty()) profileSpec.spansDoNotApply = "the synth is another program (--midi-out)";
    std::string note;
    profile = awe::startProfile(profileOptions, profileSpec, {jsonPath}, &note);
    if (!note.empty()) fmt::print(stderr, "awe-latency: {}\n", note);
    awe::checkRunFiles({{jsonPath, "--json"}}, profile.get(),
                       banks.empty() && loopback ? std::vector<awe::RunFile>{} : awe::cli::bankInputs(awe::chooseBanks(banks)));
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-latency: {}\n", e.what());
    return awe::cli::kExitUsage;
  }
  live.profile = loop.profile = profile.get();
  // The report's text goes to stderr when the JSON goes to stdout; the profile's list too.
  FILE* textOut = jsonPath == "-" ? stderr : stdout;
  int status = 0;
  try {
    live.midiApi = awe::parseMidiApi(midiApiKey);
    if (list) return runList(clientName, live.midiApi);
    if (loopback) {
      loop.loopback.interval_s = interval_ms / 1e3;
      loop.loopback.noteLength_s = note_ms / 1e3;
      loop.loopback.program = program;
      loop.schedule = schedule;
      loop.banks = banks;
      loop.sound = sound;
      loop.threads = threads;
      loop.clientName = clientName;
      loop.jsonPath = jsonPath;
      loop.quiet = quiet;
      status = runLoopbackMode(loop, options);
    } else {
      live.schedule = schedule;
      live.banks = banks;
      live.sound = sound;
      live.threads = threads;
      live.clientName = clientName;
      live.jsonPath = jsonPath;
      live.quiet = quiet;
      status = runLive(live, options);
    }
    // Last, with the engine and the bank gone: the leak report shows what really stayed.
    if (profile) awe::finishProfile(*profile, textOut);
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-latency: {}\n", e.what());
    return 4;
  }
  return status;
}
