#include "tools/bench/BenchReport.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>

#include "engine/VoiceWorkers.h"  // kWaitSpin_ns
#include "monitor/Format.h"
#include "monitor/report/ReportCsv.h"
#include "monitor/report/ReportJson.h"
#include "monitor/report/ReportTrace.h"
#include "monitor/report/TraceFormat.h"

namespace awe::bench {
namespace {

using json = nlohmann::json;

template <typename F>
std::vector<double> collect(const std::vector<RunResult>& runs, F&& field) {
  std::vector<double> values;
  values.reserve(runs.size());
  for (const RunResult& r : runs) values.push_back(static_cast<double>(field(r)));
  return values;
}

// "85.2" or "85.2 ±3%" (half the range, relative to the median) with several repetitions.
std::string withSpread(const std::vector<double>& values, const char* format) {
  const double m = median(values);
  std::string text = fmt::format(fmt::runtime(format), m);
  if (values.size() > 1 && m != 0.0) {
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    text += fmt::format(" ±{:.0f}%", 50.0 * (*hi - *lo) / std::fabs(m));
  }
  return text;
}

std::string durationSpread(const std::vector<double>& values_ns) {
  std::string text = formatDuration(median(values_ns));
  if (values_ns.size() > 1) {
    const double m = median(values_ns);
    const auto [lo, hi] = std::minmax_element(values_ns.begin(), values_ns.end());
    if (m > 0.0) text += fmt::format(" ±{:.0f}%", 50.0 * (*hi - *lo) / m);
  }
  return text;
}

const char* qualityNameOf(int level) { return qualityName(static_cast<QualityLevel>(std::clamp(level, 0, 3))); }

}  // namespace

std::string formatScenarioTable(const std::vector<ScenarioRuns>& scenarios, Pace pace) {
  std::string text;
  const bool freewheel = pace == Pace::Freewheel;
  size_t width = 24;
  for (const ScenarioRuns& s : scenarios) width = std::max(width, s.name.size() + 1);
  text += fmt::format("{:<{}} {:>7} {:>7} {:>14} {:>16} {:>16} {:>11} {:>7} {:>11} {:>6} {:>7} {:>15}\n", "scenario", width,
                      "voices", "buffers", freewheel ? "x real time" : "wall s", "busy p50", "busy p99", "busy max",
                      "load99", freewheel ? "would miss" : "misses", "allocs", "steals", "ns/voice-sample");
  for (const ScenarioRuns& s : scenarios) {
    if (s.runs.empty()) continue;
    const auto& runs = s.runs;
    const double budget = static_cast<double>(runs.front().budget_ns);
    const double p99 = median(collect(runs, [](const RunResult& r) { return r.busyP99_ns; }));
    uint64_t over = 0, allocs = 0;
    for (const RunResult& r : runs) {
      over += r.overBudget;
      allocs += r.allocations;
    }
    const std::string speed = freewheel ? withSpread(collect(runs, [](const RunResult& r) { return r.timesRealTime; }), "{:.1f}x")
                                        : withSpread(collect(runs, [](const RunResult& r) { return r.wall_s; }), "{:.1f}");
    const std::string nsPerVoiceSample =
        runs.front().voiceSamples > 0
            ? withSpread(collect(runs, [](const RunResult& r) { return r.nsPerVoiceSample; }), "{:.2f}")
            : "-";
    text += fmt::format("{:<{}} {:>7} {:>7} {:>14} {:>16} {:>16} {:>11} {:>6.1f}% {:>11} {:>6} {:>7} {:>15}\n",
                        s.name, width,
                        static_cast<uint64_t>(median(collect(runs, [](const RunResult& r) { return r.maxVoices; }))),
                        runs.front().buffers, speed,
                        durationSpread(collect(runs, [](const RunResult& r) { return r.busyP50_ns; })),
                        durationSpread(collect(runs, [](const RunResult& r) { return r.busyP99_ns; })),
                        formatDuration(median(collect(runs, [](const RunResult& r) { return r.busyMax_ns; }))),
                        100.0 * p99 / budget, over, allocs,
                        static_cast<uint64_t>(median(collect(runs, [](const RunResult& r) { return r.steals; }))),
                        nsPerVoiceSample);
  }
  if (scenarios.size() > 0 && scenarios.front().runs.size() > 1) {
    text += fmt::format("(medians of {} repetitions; ±: half the range relative to the median; misses and "
                        "allocations summed)\n",
                        scenarios.front().runs.size());
  }
  return text;
}

std::string formatScenarioDetails(const std::vector<ScenarioRuns>& scenarios) {
  std::string text;
  for (const ScenarioRuns& s : scenarios) {
    for (const RunResult& r : s.runs) {
      const std::string who = s.runs.size() > 1 ? fmt::format("{} #{}", s.name, r.repetition) : s.name;
      // Events: always for the first repetition, for later ones when they do not add up.
      if (r.repetition == 1 || !r.eventsAccounted) {
        text += fmt::format(
            "{}: notes sent {} (song {}, live {}{}) -> received {} ({}): started {}, dropped {} (no region or "
            "voice), voices started {}, steals {}{}\n",
            who, r.songNotes + r.liveNotes, r.songNotes, r.liveNotes,
            r.liveDropped > 0 ? fmt::format(", {} more refused by the full queue", r.liveDropped) : "",
            r.notesReceived, r.eventsAccounted ? "all accounted for" : "MISMATCH", r.notesReceived - r.notesDropped,
            r.notesDropped, r.voicesStarted, r.steals,
            r.queueDrops > 0 ? fmt::format(", queue drops {}", r.queueDrops) : "");
      }
      if (!r.workerBusyMean_ns.empty()) {
        std::string workers;
        for (size_t w = 0; w < r.workerBusyMean_ns.size(); ++w) {
          workers += fmt::format("{}{} {} ({:.0f}% of the budget)", w > 0 ? ", " : "", w + 1,
                                 formatDuration(r.workerBusyMean_ns[w]),
                                 100.0 * r.workerBusyMean_ns[w] / static_cast<double>(r.budget_ns));
        }
        text += fmt::format(
            "{}: voice workers busy per buffer (mean; the audio thread's is the busy above): {}; {}, {}, {} wait{} "
            "over {} ms for a preempted worker\n",
            who, workers, r.workersPinned ? "each pinned to a CPU" : "not pinned",
            r.workersRealtime ? "real-time priority" : "normal priority", r.workerStalls, r.workerStalls == 1 ? "" : "s",
            VoiceWorkers::kWaitSpin_ns / 1'000'000);
      }
      if (r.heapChecked) {
        text += fmt::format("{}: heap live {} over the first {:.3g} s, {} over the last: {} {}\n", who,
                            formatBytes(static_cast<double>(r.heapFirst_bytes)), r.heapWindowUsed_s,
                            formatBytes(static_cast<double>(r.heapLast_bytes)),
                            r.heapLast_bytes >= r.heapFirst_bytes
                                ? "+" + formatBytes(static_cast<double>(r.heapLast_bytes - r.heapFirst_bytes))
                                : "-" + formatBytes(static_cast<double>(r.heapFirst_bytes - r.heapLast_bytes)),
                            r.heapFlat ? "(flat)" : fmt::format("(GROWS by more than {})",
                                                                formatBytes(static_cast<double>(kHeapGrowthTolerance_bytes))));
      }
      for (const Decision& d : r.decisions) {
        const std::string levels = d.to == d.from ? fmt::format("{} kept", qualityNameOf(d.from))
                                                  : fmt::format("{} -> {}", qualityNameOf(d.from), qualityNameOf(d.to));
        text += fmt::format("{}: quality {} at {:.1f} s (buffer #{}): {}\n", who, levels, d.time_s, d.buffer, d.reason);
      }
      if (r.slowInjected) {
        text += fmt::format("{}: injected slow buffer #{}: {}\n", who, r.slowIndex,
                            !r.slowSeen ? "not reached (the run was shorter)"
                                        : fmt::format("busy {} against a budget of {}: {}",
                                                      formatDuration(static_cast<double>(r.slowBusy_ns)),
                                                      formatDuration(static_cast<double>(r.budget_ns)),
                                                      r.slowMissed ? "missed" : "held"));
      }
      if (r.recordsLost > 0) {
        text += fmt::format("{}: {} buffer records were overwritten before the bench read them (statistics "
                            "cover the rest)\n",
                            who, r.recordsLost);
      }
    }
  }
  return text;
}

std::string formatRampTable(const std::vector<RampRuns>& ramps, const std::string& qualityDescription) {
  std::string text;
  for (const RampRuns& ramp : ramps) {
    if (ramp.runs.empty()) continue;
    const RampResult& first = ramp.runs.front();
    text += fmt::format("polyphony ramp at {} frames (budget {}; {}; polyphony cap = N; held = {} within the "
                        "budget):\n",
                        ramp.frames, formatDuration(static_cast<double>(first.budget_ns)), qualityDescription,
                        first.cpuClock ? "CPU time per buffer" : "median busy time");
    text += fmt::format("  {:>8} {:>8} {:>11} {:>7} {:>11} {:>7} {:>12} {:>12}  {}\n", "N", "active", "busy p50", "load",
                        "cpu/buffer", "cpu", "ns/vs busy", "ns/vs cpu", "held");
    for (size_t k = 0; k < ramp.runs.size(); ++k) {
      if (ramp.runs.size() > 1) text += fmt::format("  repetition {}\n", k + 1);
      for (const RampStep& s : ramp.runs[k].steps) {
        const double cpuLoad = s.cpuPerBuffer_ns / static_cast<double>(first.budget_ns);
        text += fmt::format("  {:>8} {:>8.0f} {:>11} {:>6.1f}% {:>11} {:>6.1f}% {:>12.3f} {:>12.3f}  {}\n", s.voices,
                            s.activeVoices, formatDuration(s.busyP50_ns), 100.0 * s.load,
                            s.cpuPerBuffer_ns > 0.0 ? formatDuration(s.cpuPerBuffer_ns) : "-", 100.0 * cpuLoad,
                            s.nsPerVoiceSample, s.cpuNsPerVoiceSample,
                            !s.voicesHeld ? "voices did not sustain" : s.held ? "yes" : "no");
      }
      if (!ramp.runs[k].note.empty()) text += "  note: " + ramp.runs[k].note + "\n";
    }
    const std::vector<double> held = [&] {
      std::vector<double> v;
      for (const RampResult& r : ramp.runs) v.push_back(r.maxHeld);
      return v;
    }();
    const std::vector<double> nsAtMax = [&] {
      std::vector<double> v;
      for (const RampResult& r : ramp.runs) v.push_back(r.nsPerVoiceSampleAtMax);
      return v;
    }();
    text += fmt::format("  maximum voices held at {} frames: {}{}, {} ns per voice-sample there\n", ramp.frames,
                        withSpread(held, "{:.0f}"), first.capped ? " (the ramp's upper limit)" : "",
                        withSpread(nsAtMax, "{:.3f}"));
  }
  return text;
}

std::string formatComparison(const std::vector<ComparisonRow>& rows, double tolerance, double alpha) {
  std::string text = fmt::format(
      "comparison with the baseline (regression: worse by more than {:.0f}% and p < {} by a one-sided "
      "Mann-Whitney U test):\n",
      tolerance * 100.0, alpha);
  text += fmt::format("  {:<24} {:<44} {:>12} {:>12} {:>9} {:>8}  {}\n", "scenario", "metric", "old", "new", "change",
                      "p", "verdict");
  size_t minRepetitions = SIZE_MAX;
  for (const ComparisonRow& r : rows) {
    const std::string metric = r.metric + " (" + r.unit + ", " + (r.better == Better::Lower ? "lower" : "higher") +
                               " is better)";
    const bool both = r.oldCount > 0 && r.newCount > 0;
    if (both) minRepetitions = std::min({minRepetitions, r.oldCount, r.newCount});
    text += fmt::format("  {:<24} {:<44} {:>12} {:>12} {:>9} {:>8}  {}\n", r.scenario, metric,
                        r.oldCount > 0 ? fmt::format("{:.4g}", r.oldMedian) : "-",
                        r.newCount > 0 ? fmt::format("{:.4g}", r.newMedian) : "-",
                        both ? fmt::format("{:+.1f}%", 100.0 * r.change) : "-",
                        both ? fmt::format("{:.3g}", std::min(r.pWorse, r.pBetter)) : "-",
                        comparisonVerdictName(r.verdict));
  }
  if (minRepetitions != SIZE_MAX && minimumPValue(minRepetitions, minRepetitions) >= alpha) {
    text += fmt::format("  note: with {} repetition(s) per side the smallest possible p is {:.3g}, so no change "
                        "can be significant: use --repeat 5 (and a baseline saved with --repeat 5)\n",
                        minRepetitions, minimumPValue(minRepetitions, minRepetitions));
  }
  return text;
}

json runToJson(const RunResult& r, bool withMonitor) {
  json out;
  out["scenario"] = r.scenario;
  out["kind"] = r.kind;
  out["bank"] = r.bank;
  out["repetition"] = r.repetition;
  out["driver"] = r.driver;
  out["realtime_priority"] = r.realtimePriority;
  out["frames"] = r.frames;
  out["sample_rate"] = r.sampleRate;
  out["budget_ns"] = r.budget_ns;
  out["polyphony"] = r.polyphony;
  out["mode"] = personalityName(r.personality);
  out["buffers"] = r.buffers;
  out["audio_s"] = r.audio_s;
  out["wall_s"] = r.wall_s;
  out["times_real_time"] = r.timesRealTime;
  out["cpu_per_buffer_ns"] = r.cpuPerBuffer_ns;
  out["cpu_ns_per_voice_sample"] = r.cpuNsPerVoiceSample;
  out["busy"] = {{"measured_buffers", r.measured}, {"mean_ns", r.busyMean_ns}, {"p50_ns", r.busyP50_ns},
                 {"p90_ns", r.busyP90_ns},         {"p99_ns", r.busyP99_ns},   {"max_ns", r.busyMax_ns},
                 {"max_buffer", r.busyMaxBuffer},  {"records_lost", r.recordsLost},
                 {"worker_mean_ns", r.workerBusyMean_ns}};
  if (!r.workerBusyMean_ns.empty()) {
    out["voice_workers"] = {{"count", r.workerBusyMean_ns.size()},
                            {"pinned", r.workersPinned},
                            {"realtime", r.workersRealtime},
                            {"stalls", r.workerStalls}};
  }
  out["voices"] = {{"max", r.maxVoices},
                   {"mean", r.meanVoices},
                   {"median", r.medianVoices},
                   {"voice_samples", r.voiceSamples},
                   {"ns_per_voice_sample", r.nsPerVoiceSample}};
  out["over_budget"] = {{"count", r.overBudget}, {"first_buffers", r.overBudgetBuffers}};
  out["xruns"] = r.xruns;
  json allocations = {{"count", r.allocations}};
  if (r.allocations > 0 && r.offender.present) {
    allocations["first"] = {{"size_bytes", r.offender.size_bytes},
                            {"buffer", r.offender.bufferIndex},
                            {"stack", r.offenderStack}};
  }
  out["audio_thread_allocations"] = std::move(allocations);
  out["events"] = {{"song_notes", r.songNotes},       {"live_notes", r.liveNotes},
                   {"live_refused", r.liveDropped},   {"notes_received", r.notesReceived},
                   {"notes_dropped", r.notesDropped}, {"voices_started", r.voicesStarted},
                   {"steals", r.steals},              {"queue_drops", r.queueDrops},
                   {"accounted", r.eventsAccounted}};
  if (r.heapChecked) {
    out["heap"] = {{"window_s", r.heapWindowUsed_s},
                   {"first_window_live_bytes", r.heapFirst_bytes},
                   {"last_window_live_bytes", r.heapLast_bytes},
                   {"growth_bytes", r.heapLast_bytes - r.heapFirst_bytes},
                   {"tolerance_bytes", kHeapGrowthTolerance_bytes},
                   {"flat", r.heapFlat}};
  }
  json decisions = json::array();
  for (const Decision& d : r.decisions) {
    decisions.push_back({{"time_s", d.time_s}, {"buffer", d.buffer}, {"from", qualityNameOf(d.from)},
                         {"to", qualityNameOf(d.to)}, {"reason", d.reason}});
  }
  out["quality"] = {{"final", qualityNameOf(r.finalQuality)}, {"decisions", std::move(decisions)}};
  if (r.slowInjected) {
    out["injected_slow_buffer"] = {{"buffer", r.slowIndex},
                                   {"reached", r.slowSeen},
                                   {"busy_ns", r.slowBusy_ns},
                                   {"missed", r.slowMissed}};
  }
  if (withMonitor) out["monitor"] = reportToJson(r.snapshot);
  return out;
}

json rampToJson(const RampResult& ramp) {
  json steps = json::array();
  for (const RampStep& s : ramp.steps) {
    steps.push_back({{"voices", s.voices},
                     {"active_voices", s.activeVoices},
                     {"busy_p50_ns", s.busyP50_ns},
                     {"load", s.load},
                     {"ns_per_voice_sample", s.nsPerVoiceSample},
                     {"cpu_per_buffer_ns", s.cpuPerBuffer_ns},
                     {"cpu_ns_per_voice_sample", s.cpuNsPerVoiceSample},
                     {"over_budget", s.overBudget},
                     {"audio_thread_allocations", s.allocations},
                     {"voices_sustained", s.voicesHeld},
                     {"held", s.held}});
  }
  return {{"frames", ramp.frames},
          {"budget_ns", ramp.budget_ns},
          {"held_by", ramp.cpuClock ? "cpu time per buffer" : "median busy time"},
          {"max_voices_held", ramp.maxHeld},
          {"ns_per_voice_sample_at_max", ramp.nsPerVoiceSampleAtMax},
          {"reached_upper_limit", ramp.capped},
          {"note", ramp.note},
          {"steps", std::move(steps)}};
}

json mergedTrace(const std::vector<ScenarioRuns>& scenarios) {
  // Every run keeps its kernel process and thread ids (runs follow each other in time, so
  // they share tracks without overlapping); one "run" slice per run, named after its
  // scenario and repetition, holds that run's slices.
  json events = json::array();
  json metadata = json::array();
  std::vector<std::pair<int, int>> namedThreads;
  for (const ScenarioRuns& s : scenarios) {
    for (const RunResult& r : s.runs) {
      json trace = traceToJson(r.snapshot);
      json run = json::array();
      int64_t first_ns = 0;  // back to integer nanoseconds: no rounding can cut a child off
      int64_t last_ns = 0;
      bool any = false;
      int pid = 0;
      int tid = 0;
      for (json& e : trace["traceEvents"]) {
        if (e.at("ph") == "M") {
          const std::pair<int, int> thread{e.at("pid").get<int>(), e.at("tid").get<int>()};
          if (std::find(namedThreads.begin(), namedThreads.end(), thread) == namedThreads.end()) {
            namedThreads.push_back(thread);
            if (e.at("name") == "process_name") e["args"]["name"] = "awe-bench";
            metadata.push_back(std::move(e));
          }
          continue;
        }
        if (e.at("ph") == "X") {
          const int64_t ts = std::llround(e.at("ts").get<double>() * 1000.0);
          const int64_t end = ts + std::llround(e.at("dur").get<double>() * 1000.0);
          first_ns = any ? std::min(first_ns, ts) : ts;
          last_ns = any ? std::max(last_ns, end) : end;
          if (!any) {
            pid = e.at("pid").get<int>();
            tid = e.at("tid").get<int>();
          }
          any = true;
        }
        run.push_back(std::move(e));
      }
      if (any) {
        events.push_back({{"ph", "X"},
                          {"name", fmt::format("{} #{}", s.name, r.repetition)},
                          {"cat", "run"},
                          {"ts", traceMicroseconds(first_ns)},
                          {"dur", traceMicroseconds(last_ns - first_ns)},
                          {"pid", pid},
                          {"tid", tid},
                          {"args", {{"scenario", s.name}, {"bank", s.bank}, {"repetition", r.repetition}}}});
      }
      for (json& e : run) events.push_back(std::move(e));
    }
  }
  for (json& e : events) metadata.push_back(std::move(e));
  return {{"traceEvents", std::move(metadata)},
          {"displayTimeUnit", kTraceDisplayTimeUnit},
          {"otherData", {{"kind", "awe-bench-trace"}, {"schema_version", kTraceSchemaVersion}, {"clock", kTraceClock}}}};
}

void writeMergedCsv(std::ostream& out, const std::vector<ScenarioRuns>& scenarios) {
  bool header = true;
  for (const ScenarioRuns& s : scenarios) {
    for (const RunResult& r : s.runs) {
      std::ostringstream one;
      writeBufferCsv(one, r.snapshot);
      std::istringstream lines(one.str());
      std::string line;
      bool first = true;
      const std::string prefix = fmt::format("{},{},{},", csvField(s.name), csvField(s.bank), r.repetition);
      while (std::getline(lines, line)) {
        if (first) {
          first = false;
          if (header) out << "scenario,bank,repetition," << line << "\n";
          header = false;
          continue;
        }
        out << prefix << line << "\n";
      }
    }
  }
}

std::vector<ScenarioResults> resultSets(const std::vector<ScenarioRuns>& scenarios, const std::vector<RampRuns>& ramps,
                                        Pace pace) {
  std::vector<ScenarioResults> sets;
  for (const ScenarioRuns& s : scenarios) {
    ScenarioResults set;
    set.name = s.name;
    auto add = [&](const char* name, const char* unit, Better better, std::vector<double> samples) {
      MetricSamples m;
      m.name = name;
      m.unit = unit;
      m.better = better;
      m.samples = std::move(samples);
      set.metrics.push_back(std::move(m));
    };
    if (!s.runs.empty() && s.runs.front().voiceSamples > 0) {
      add("ns_per_voice_sample", "ns", Better::Lower, collect(s.runs, [](const RunResult& r) { return r.nsPerVoiceSample; }));
    }
    add("busy_p50_us", "us", Better::Lower, collect(s.runs, [](const RunResult& r) { return r.busyP50_ns / 1000.0; }));
    add("busy_p99_us", "us", Better::Lower, collect(s.runs, [](const RunResult& r) { return r.busyP99_ns / 1000.0; }));
    if (pace == Pace::Freewheel) {
      add("times_real_time", "x", Better::Higher, collect(s.runs, [](const RunResult& r) { return r.timesRealTime; }));
      if (!s.runs.empty() && s.runs.front().cpuNsPerVoiceSample > 0.0) {
        add("cpu_ns_per_voice_sample", "ns", Better::Lower,
            collect(s.runs, [](const RunResult& r) { return r.cpuNsPerVoiceSample; }));
      }
    }
    for (const RunResult& r : s.runs) set.repetitions.push_back(runToJson(r, false));
    sets.push_back(std::move(set));
  }
  for (const RampRuns& ramp : ramps) {
    ScenarioResults set;
    set.name = ramp.name;
    MetricSamples held{"max_voices", "voices", Better::Higher, {}};
    MetricSamples cost{"ns_per_voice_sample_at_max", "ns", Better::Lower, {}};
    for (const RampResult& r : ramp.runs) {
      held.samples.push_back(r.maxHeld);
      cost.samples.push_back(r.nsPerVoiceSampleAtMax);
      set.repetitions.push_back(rampToJson(r));
    }
    set.metrics.push_back(std::move(held));
    set.metrics.push_back(std::move(cost));
    sets.push_back(std::move(set));
  }
  return sets;
}

}  // namespace awe::bench
