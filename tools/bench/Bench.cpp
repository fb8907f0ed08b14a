// One awe-bench call as library code (Bench.h): the steps runBench goes through, and the
// checks and error handling around them (runBenchCommand).
#include "tools/bench/Bench.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "emu8000/Bank.h"
#include "emu8000/Synth.h"
#include "emu8000/VoiceKernel.h"
#include "engine/AudioDriver.h"
#include "engine/DriverFactory.h"
#include "engine/BuiltinFiles.h"
#include "engine/LoadWarnings.h"
#include "engine/MidiFile.h"
#include "engine/ProfileSession.h"
#include "engine/Sf3Decoder.h"
#include "monitor/report/Baseline.h"
#include "monitor/report/BaselineHistory.h"
#include "monitor/Format.h"
#include "monitor/report/OutputFile.h"
#include "tools/bench/BenchInstructions.h"
#include "tools/bench/BenchReport.h"
#include "tools/bench/BenchRun.h"
#include "tools/bench/BenchScenarios.h"

namespace fs = std::filesystem;

namespace awe::bench {

const ProfileCliSpec kBenchProfileSpec{"awe-bench", "audio", true, ""};

bool namesFolder(const std::string& path) { return !path.empty() && (path.back() == '/' || fs::is_directory(path)); }

namespace {
const char* interpolationName(Interpolation i) {
  switch (i) {
    case Interpolation::None: return "no interpolation";
    case Interpolation::Linear: return "linear";
    case Interpolation::Cubic: return "cubic";
  }
  return "?";
}
}  // namespace

QualityLevel parseQuality(const std::string& name) {
  if (name == "maximum") return QualityLevel::Maximum;
  if (name == "high") return QualityLevel::High;
  if (name == "medium") return QualityLevel::Medium;
  return QualityLevel::Low;
}

std::string qualityDescription(QualityLevel level, bool effects) {
  const QualitySettings q = qualitySettings(level, 1);
  return fmt::format("{} quality: {}, filter {}, effects {}", qualityName(level), interpolationName(q.interpolation),
                     q.filter ? "on" : "off", q.effects && effects ? "on" : "off");
}

namespace {

// Where a failed run's trace goes when --trace was not given: one file, replaced by each
// failure, in the XDG state folder (documented in tools/awe-bench.md), never the current
// folder. Empty when there is no home to put it in.
std::string failureTracePath() {
  const char* state = std::getenv("XDG_STATE_HOME");
  fs::path folder;
  if (state != nullptr && *state == '/') {
    folder = fs::path(state) / "awe";
  } else {
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home != '/') return {};
    folder = fs::path(home) / ".local" / "state" / "awe";
  }
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) return {};
  return (folder / "awe-bench-failure.trace.json").string();
}

// Settings that make two result sets incomparable when they differ (--baseline, --history).
const std::vector<std::string> kComparedSettings = {"pace",     "driver", "sample_rate", "buffer_frames",
                                                    "quality",  "effects", "mode",       "voices",
                                                    "polyphony", "duration_s", "adaptive", "voice_kernel"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// One line of a command's standard output, or "" when it fails.
std::string commandOutput(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int status = pclose(pipe);
  if (status != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

struct Commit {
  std::string hash = "unknown";
  bool dirty = false;
  std::string time;  // ISO 8601 UTC of the commit; "" when unknown
};

Commit currentCommit() {
  Commit c;
  const std::string dir = AWE_SOURCE_DIR;
  const std::string hash = commandOutput("git -C '" + dir + "' rev-parse HEAD 2>/dev/null");
  if (hash.size() == 40) {
    c.hash = hash;
    c.dirty = !commandOutput("git -C '" + dir + "' status --porcelain --untracked-files=no 2>/dev/null").empty();
    const std::string seconds = commandOutput("git -C '" + dir + "' show -s --format=%ct HEAD 2>/dev/null");
    if (!seconds.empty() && seconds.find_first_not_of("0123456789") == std::string::npos) {
      c.time = isoUtc(std::stoll(seconds));
    }
  }
  return c;
}

std::string defaultBankPath(bool quiet) {
  const std::string builtin = builtinBankPath();
  if (fs::exists(builtin)) return builtin;
  for (const char* system : {"/usr/share/sounds/sf2/TimGM6mb.sf2", "/usr/share/sounds/sf2/FluidR3_GM.sf2"}) {
    if (fs::exists(system)) {
      if (!quiet) fmt::print(stderr, "awe-bench: the built-in bank {} is missing; using {}\n", builtin, system);
      return system;
    }
  }
  throw UsageError("no bank: the built-in bank " + builtin + " is missing; name a .sf2 file");
}

std::string stem(const std::string& path) { return fs::path(path).stem().string(); }

// ---- verdict ---------------------------------------------------------------------------------

std::string bufferList(const std::vector<uint64_t>& buffers, uint64_t total) {
  std::string list;
  for (size_t i = 0; i < buffers.size(); ++i) list += (i > 0 ? ", #" : "#") + std::to_string(buffers[i]);
  if (total > buffers.size()) list += fmt::format(" and {} more", total - buffers.size());
  return list;
}

struct Verdict {
  bool allocation = false, miss = false, regression = false;
  std::vector<std::string> reasons;
  int exitCode() const {
    if (allocation) return kExitAllocation;
    if (miss) return kExitMiss;
    if (regression) return kExitRegression;
    return kExitHeld;
  }
};

Verdict judge(const std::vector<ScenarioRuns>& scenarios, const std::vector<RampRuns>& ramps,
              const std::vector<ComparisonRow>& comparison, Pace pace, bool ignoreTiming) {
  Verdict v;
  for (const ScenarioRuns& s : scenarios) {
    for (const RunResult& r : s.runs) {
      const std::string who = s.runs.size() > 1 ? fmt::format("{} #{}", s.name, r.repetition) : s.name;
      if (r.allocations > 0) {
        v.allocation = true;
        std::string where;
        if (r.offender.present) {
          where = fmt::format("; the first: {} bytes in buffer #{}", r.offender.size_bytes, r.offender.bufferIndex);
          for (size_t k = 0; k < r.offenderStack.size() && k < 6; ++k) where += "\n      at " + r.offenderStack[k];
        }
        v.reasons.push_back(fmt::format("{}: {} audio-thread allocation(s){}", who, r.allocations, where));
      }
      if (r.heapChecked && !r.heapFlat) {
        v.allocation = true;
        v.reasons.push_back(fmt::format("{}: the heap grew by {} between the first and the last {:.3g} s", who,
                                        formatBytes(static_cast<double>(r.heapLast_bytes - r.heapFirst_bytes)),
                                        r.heapWindowUsed_s));
      }
      const bool timing = pace == Pace::Realtime || !ignoreTiming;
      if (timing && r.overBudget > 0) {
        v.miss = true;
        v.reasons.push_back(fmt::format("{}: {} buffer(s) over the {} budget{}: {}", who, r.overBudget,
                                        formatDuration(static_cast<double>(r.budget_ns)),
                                        pace == Pace::Freewheel ? " (would have missed in real time)" : "",
                                        bufferList(r.overBudgetBuffers, r.overBudget)));
      }
      if (r.slowInjected && r.slowMissed && !timing) {
        v.miss = true;  // an injected slow buffer always counts
        v.reasons.push_back(fmt::format("{}: the injected slow buffer #{} missed its deadline (busy {} > {})", who,
                                        r.slowIndex, formatDuration(static_cast<double>(r.slowBusy_ns)),
                                        formatDuration(static_cast<double>(r.budget_ns))));
      } else if (r.slowInjected && r.slowMissed) {
        v.reasons.push_back(fmt::format("{}: (the injected slow buffer #{}: busy {} > {})", who, r.slowIndex,
                                        formatDuration(static_cast<double>(r.slowBusy_ns)),
                                        formatDuration(static_cast<double>(r.budget_ns))));
      }
      if (r.xruns > 0) {
        v.miss = true;
        v.reasons.push_back(fmt::format("{}: {} driver xrun(s)", who, r.xruns));
      }
      if (!r.eventsAccounted) {
        v.miss = true;
        v.reasons.push_back(fmt::format("{}: events lost: {} note-ons sent, the synth received {}", who,
                                        r.songNotes + r.liveNotes, r.notesReceived));
      }
    }
  }
  for (const RampRuns& ramp : ramps) {
    for (const RampResult& r : ramp.runs) {
      if (r.allocations > 0) {
        v.allocation = true;
        v.reasons.push_back(fmt::format("{}: {} audio-thread allocation(s) during the ramp", ramp.name, r.allocations));
      }
    }
  }
  for (const ComparisonRow& row : comparison) {
    if (row.verdict != ComparisonVerdict::Regression) continue;
    v.regression = true;
    v.reasons.push_back(fmt::format("{}: {} regressed {:+.1f}% ({:.4g} -> {:.4g} {}, p = {:.3g})", row.scenario,
                                    row.metric, 100.0 * row.change, row.oldMedian, row.newMedian, row.unit, row.pWorse));
  }
  return v;
}

void writeJsonFile(const std::string& path, const nlohmann::json& doc) { writeFileAtomically(path, doc.dump(2) + "\n"); }

// --history: the trend of every scenario and metric over the result sets in a folder.
int runHistory(const BenchOptions& o) {
  BaselineHistory history;
  try {
    history = loadBaselineHistory(o.historyDir);
  } catch (const BaselineError& e) {
    throw UsageError(e.what());
  }
  for (const std::string& problem : history.skipped) fmt::print(stderr, "awe-bench: warning: skipped {}\n", problem);
  if (history.entries.empty()) {
    throw UsageError(o.historyDir + ": no usable result sets (save them with --baseline-dir " + o.historyDir + ")");
  }
  ComparisonSettings compare;
  compare.tolerance = o.tolerance_pct / 100.0;
  const std::vector<Trend> trends = computeTrends(history, compare);

  std::string text = fmt::format(
      "history of {}: {} result set(s), {} to {}, in commit order\n"
      "a regression begins at a commit worse than the one before it by more than {:.0f}% and p < {} (one-sided "
      "Mann-Whitney U test)\n",
      o.historyDir, history.entries.size(), history.entries.front().date(), history.entries.back().date(),
      o.tolerance_pct, compare.alpha);
  for (const std::string& note : historyNotes(history, kComparedSettings)) text += "  note: " + note + "\n";
  text += formatTrends(history, trends, compare);
  if (!history.skipped.empty()) {
    text += fmt::format("skipped {} file(s) that are not usable result sets:\n", history.skipped.size());
    for (const std::string& problem : history.skipped) text += "  " + problem + "\n";
  }

  TrendPlotOptions plot;
  plot.title = "awe-bench history: " + o.historyDir;
  plot.subtitle = fmt::format("{} result sets in commit order; red: a regression began (worse than the previous commit "
                              "by more than {:.0f}%, p < {})",
                              history.entries.size(), o.tolerance_pct, compare.alpha);
  const std::string plotPath = !o.historyPlot.empty() ? o.historyPlot : (fs::path(o.historyDir) / "history.svg").string();
  try {
    writeFileAtomically(plotPath, trendPlotSvg(history, trends, plot));
  } catch (const OutputFileError& e) {
    throw UsageError(e.what());
  }
  text += "plot: " + plotPath + "\n";
  fmt::print("{}", text);

  const std::size_t newest = history.entries.size() - 1;
  for (const Trend& trend : trends) {
    for (const TrendPoint& p : trend.points) {
      if (p.entry == newest && p.regressionBegan) return kExitRegression;
    }
  }
  return kExitHeld;
}

// ---- the steps of one call ------------------------------------------------------------------

// The files on the command line, sorted by kind.
struct Inputs {
  std::vector<std::string> songPaths, bankPaths;
};

using NamedBank = std::pair<std::string, std::shared_ptr<const Bank>>;
using NamedSong = std::pair<std::string, std::shared_ptr<const MidiFile>>;

// Songs and banks by their extension; the scenario names and the pace's driver options
// checked; the built-in bank when none is given.
Inputs sortInputs(const BenchOptions& o) {
  Inputs in;
  for (const std::string& f : o.files) {
    const std::string ext = lower(fs::path(f).extension().string());
    if (ext == ".mid" || ext == ".midi" || ext == ".smf" || ext == ".kar") {
      in.songPaths.push_back(f);
    } else if (ext == ".sf2") {
      in.bankPaths.push_back(f);
    } else {
      throw UsageError(f + ": not a MIDI file (.mid) or a SoundFont (.sf2)");
    }
  }
  if (o.threads > 1 && o.rampClock == "cpu") {
    throw UsageError("--ramp-clock cpu counts one thread's CPU time: with --threads use the wall clock (the default)");
  }
  const bool realtime = o.pace == "realtime";
  if (!realtime && (o.jack || !o.api.empty() || !o.device.empty())) {
    throw UsageError("--jack, --api and --device need --pace realtime");
  }
  for (const std::string& name : o.scenarios) {
    static const char* known[] = {"sustained", "storm", "sweep", "ramp", "soak", "idle", "stress", "all", "none"};
    if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return name == k; }) == std::end(known)) {
      throw UsageError("--scenario " + name + ": not a scenario (sustained, storm, sweep, ramp, soak, idle, stress, all, none)");
    }
  }
  if (in.bankPaths.empty()) in.bankPaths.push_back(defaultBankPath(o.quiet));
  return in;
}

std::vector<NamedBank> loadBanks(const std::vector<std::string>& bankPaths) {
  std::vector<NamedBank> banks;
  for (const std::string& path : bankPaths) {
    try {
      std::vector<LoadWarning> warnings;
      banks.emplace_back(path, awe::loadBank(path, &warnings));
      fmt::print(stderr, "{}", formatLoadWarnings(loadWarningList(path, warnings)));
    } catch (const Sf2Error& e) {
      throw UsageError(e.what());
    }
  }
  return banks;
}

std::vector<NamedSong> loadSongs(const std::vector<std::string>& songPaths) {
  std::vector<NamedSong> songs;
  for (const std::string& path : songPaths) {
    try {
      songs.emplace_back(path, std::make_shared<const MidiFile>(MidiFile::load(path)));
      fmt::print(stderr, "{}", formatLoadWarnings(loadWarningList(*songs.back().second)));
    } catch (const MidiFileError& e) {
      throw UsageError(e.what());
    }
  }
  return songs;
}

// The built-in scenarios to run, in order: --scenario with stress and all spelled out; the
// stress set when neither scenarios nor songs are given; the ramp when --ramp-buffers is.
std::vector<std::string> wantedScenarios(const BenchOptions& o, bool songsGiven) {
  std::vector<std::string> wanted;
  for (const std::string& s : o.scenarios) {
    if (s == "stress") {
      wanted.insert(wanted.end(), {"sustained", "storm", "sweep"});
    } else if (s == "all") {
      wanted.insert(wanted.end(), {"sustained", "storm", "sweep", "ramp", "soak", "idle"});
    } else if (s != "none") {
      wanted.push_back(s);
    }
  }
  if (o.scenarios.empty() && !songsGiven) wanted = {"sustained", "storm", "sweep"};
  if (!o.rampBuffers.empty() && std::find(wanted.begin(), wanted.end(), "ramp") == wanted.end()) wanted.push_back("ramp");
  return wanted;
}

// How every run plays. At real-time pace on a device the buffer size is the device's:
// o.frames follows it.
RunOptions runOptionsFor(BenchOptions& o) {
  const bool realtime = o.pace == "realtime";
  RunOptions run;
  run.profile = o.profileSession;
  run.pace = realtime ? Pace::Realtime : Pace::Freewheel;
  run.driver.sampleRate = o.rate;
  run.driver.bufferFrames = o.frames;
  run.driver.clientName = "awe-bench";
  run.driver.api = o.jack ? "jack" : o.api;
  run.driver.device = o.device;
  run.driver.kind = realtime ? (run.driver.api.empty() && o.device.empty() ? DriverKind::Paced : DriverKind::Device)
                             : DriverKind::Offline;
  if (run.driver.kind == DriverKind::Device) {
    // A JACK server decides its own period: open the device once to learn the buffer size
    // it really runs at, so the header, the budget and the settings name that one.
    const uint32_t deviceFrames = makeAudioDriver(run.driver)->bufferFrames();
    if (deviceFrames != o.frames && !o.quiet) {
      fmt::print("awe-bench: the device runs {}-frame buffers ({} asked for)\n", deviceFrames, o.frames);
    }
    o.frames = run.driver.bufferFrames = deviceFrames;
  }
  run.quality = parseQuality(o.quality);
  run.effects = o.effects == "on";
  run.personalityFromBank = o.mode == "auto";
  if (o.mode != "auto") run.personality = parsePersonality(o.mode);
  run.attenuation = parseAttenuationReading(o.attenuation);
  run.adaptive = o.adaptive;
  run.renderThreads = o.threads;
  run.slowBufferIndex = o.slowBuffer;
  const double budget_ms = 1000.0 * o.frames / o.rate;
  run.slowBuffer_ns = static_cast<int64_t>((o.slowBuffer_ms > 0.0 ? o.slowBuffer_ms : 2.0 * budget_ms) * 1e6);
  run.allocationBufferIndex = o.allocationBuffer;
  return run;
}

bool wants(const std::vector<std::string>& wanted, const char* name) {
  return std::find(wanted.begin(), wanted.end(), name) != wanted.end();
}

// The scenarios (not the ramp) as they will run: the built-in ones wanted, then the songs.
std::vector<Scenario> scenarioList(const BenchOptions& o, const std::vector<std::string>& wanted,
                                   const std::vector<NamedSong>& songs) {
  const QualityLevel level = parseQuality(o.quality);
  auto durationOr = [&](double fallback) { return o.duration_s > 0.0 ? o.duration_s : fallback; };
  std::vector<Scenario> list;
  if (wants(wanted, "sustained")) {
    Scenario s;
    s.name = fmt::format("sustained-{}", o.voices);
    s.kind = "sustained";
    s.holdVoices = o.voices;
    int polyphony = o.voices;
    while (polyphony < kMaxPolyphony && qualitySettings(level, polyphony).polyphonyCap < o.voices) ++polyphony;
    s.polyphony = polyphony;
    s.duration_s = durationOr(10.0);
    list.push_back(s);
  }
  // The built-in songs: named by their kind.
  auto builtInSong = [&](const char* kind, std::shared_ptr<const MidiFile> song, double defaultDuration_s) {
    Scenario s;
    s.name = kind;
    s.kind = kind;
    s.song = std::move(song);
    s.polyphony = o.polyphony;
    s.duration_s = durationOr(defaultDuration_s);
    return s;
  };
  if (wants(wanted, "storm")) list.push_back(builtInSong("storm", makeStormSong(), 10.0));
  if (wants(wanted, "sweep")) list.push_back(builtInSong("sweep", makeSweepSong(), 10.0));
  if (wants(wanted, "soak")) {
    Scenario s = builtInSong("soak", makeSoakSong(), 120.0);
    s.liveTraffic = true;
    s.heapCheck = true;
    list.push_back(s);
  }
  if (wants(wanted, "idle")) list.push_back(builtInSong("idle", makeIdleSong(), 10.0));
  for (const auto& [path, song] : songs) {
    Scenario s;
    s.name = "song:" + fs::path(path).filename().string();
    s.kind = "song";
    s.song = song;
    s.polyphony = o.polyphony;
    s.loopSong = true;
    s.duration_s = durationOr(std::max(0.1, song->duration_s()));
    list.push_back(s);
  }
  return list;
}

// The settings a result set is stored and compared with (kComparedSettings).
nlohmann::json settingsJson(const BenchOptions& o, const RunOptions& run, const std::vector<std::string>& wanted,
                            const Inputs& in) {
  const bool realtime = run.pace == Pace::Realtime;
  return {{"pace", o.pace},
          {"driver", realtime ? (run.driver.kind == DriverKind::Paced ? "paced" : "device") : "offline"},
          {"api", run.driver.api},
          {"device", o.device},
          {"sample_rate", o.rate},
          {"buffer_frames", o.frames},
          {"quality", qualityName(run.quality)},
          {"effects", run.effects},
          {"mode", o.mode},
          {"voices", o.voices},
          {"polyphony", o.polyphony},
          {"threads", o.threads},
          {"voice_kernel", voiceKernels().isa},  // by the CPU, or AWE_KERNEL
          {"duration_s", o.duration_s},
          {"repeat", o.repeat},
          {"adaptive", o.adaptive},
          {"scenarios", wanted},
          {"songs", in.songPaths},
          {"banks", in.bankPaths},
          {"ramp_buffers", o.rampBuffers},
          {"ramp_clock", o.rampClock},
          {"ignore_timing", o.ignoreTiming}};
}

void printHeader(const BenchOptions& o, const RunOptions& run, const MachineInfo& machine, const Commit& commit,
                 const std::vector<std::string>& bankPaths) {
  if (o.quiet) return;
  const double budget_ms = 1000.0 * o.frames / o.rate;
  fmt::print("awe-bench: {} pace, {} frames at {:.0f} Hz (budget {}), {}, {} personality, {} voice kernel\n", o.pace,
             o.frames, o.rate, formatDuration(budget_ms * 1e6), qualityDescription(run.quality, run.effects),
             o.mode == "auto" ? "bank's" : o.mode, voiceKernels().isa);
  fmt::print("machine: {}, {} cores, {}; commit {}{}\n", machine.cpu, machine.cores, machine.kernel,
             commit.hash.substr(0, 12), commit.dirty ? " (with uncommitted changes)" : "");
  // The bank sets the work (its samples' loops, its modulators): a figure means little without it.
  std::string banks;
  for (const std::string& path : bankPaths) banks += (banks.empty() ? "" : ", ") + path;
  fmt::print("{}: {}\n", bankPaths.size() == 1 ? "bank" : "banks", banks);
}

// Every scenario with every bank, --repeat times each.
std::vector<ScenarioRuns> runScenarios(const BenchOptions& o, const RunOptions& run, const std::vector<NamedBank>& banks,
                                       const std::vector<Scenario>& list) {
  const bool tty = !o.quiet && isatty(STDERR_FILENO) != 0;
  std::vector<ScenarioRuns> results;
  for (const auto& [bankPath, bank] : banks) {
    for (const Scenario& scenario : list) {
      ScenarioRuns runs;
      runs.name = banks.size() > 1 ? scenario.name + "@" + stem(bankPath) : scenario.name;
      runs.kind = scenario.kind;
      runs.bank = bankPath;
      for (int k = 1; k <= o.repeat; ++k) {
        RunOptions options = run;
        if (tty) {
          options.progress = [&, k](double done) {
            fmt::print(stderr, "\r  {} #{}: {:3.0f}%", runs.name, k, 100.0 * done);
          };
        }
        RunResult r = runScenario(scenario, bank, bankPath, options);
        if (tty) fmt::print(stderr, "\r{:60}\r", "");
        r.repetition = k;
        runs.runs.push_back(std::move(r));
      }
      results.push_back(std::move(runs));
    }
  }
  return results;
}

// The polyphony ramp at each --ramp-buffers size (default: --buffer), with the first bank.
std::vector<RampRuns> runRamps(const BenchOptions& o, const RunOptions& run, const std::vector<NamedBank>& banks) {
  const bool tty = !o.quiet && isatty(STDERR_FILENO) != 0;
  std::vector<RampRuns> ramps;
  std::vector<uint32_t> sizes = o.rampBuffers.empty() ? std::vector<uint32_t>{o.frames} : o.rampBuffers;
  for (uint32_t frames : sizes) {
    RampRuns ramp;
    ramp.name = banks.size() > 1 ? fmt::format("ramp@{}@{}", frames, stem(banks.front().first))
                                 : fmt::format("ramp@{}", frames);
    ramp.frames = frames;
    RunOptions options = run;
    options.driver.bufferFrames = frames;
    for (int k = 1; k <= o.repeat; ++k) {
      const RampClock clock = o.rampClock == "cpu" ? RampClock::Cpu : RampClock::Wall;
      ramp.runs.push_back(runRamp(banks.front().second, options, o.rampStart, o.rampMax, clock, [&](const RampStep& s) {
        if (tty) {
          fmt::print(stderr, "\r  ramp at {} frames #{}: N = {} {}        ", frames, k, s.voices,
                     s.held ? "held" : "missed");
        }
      }));
      if (tty) fmt::print(stderr, "\r{:60}\r", "");
    }
    ramps.push_back(std::move(ramp));
  }
  return ramps;
}

// --baseline: the rows of the comparison and a note on where the baseline comes from.
struct BaselineComparison {
  std::vector<ComparisonRow> rows;
  ComparisonSettings settings;
  std::string note;  // "" without --baseline
};

BaselineComparison compareWithBaseline(const BenchOptions& o, const std::vector<ScenarioResults>& sets,
                                       const nlohmann::json& settings, const MachineInfo& machine) {
  BaselineComparison c;
  c.settings.tolerance = o.tolerance_pct / 100.0;
  if (o.baselinePath.empty()) return c;
  Baseline old;
  try {
    old = loadBaseline(o.baselinePath);
  } catch (const BaselineError& e) {
    throw UsageError(e.what());
  }
  c.rows = compareResults(old.scenarios, sets, c.settings);
  std::vector<std::string> differing;
  for (const std::string& key : kComparedSettings) {
    if (old.settings.contains(key) && old.settings[key] != settings[key]) differing.push_back(key);
  }
  c.note = fmt::format("baseline {}: commit {}{}, {}, {} cores, {}", o.baselinePath, old.commit.substr(0, 12),
                       old.commitDirty ? " (dirty)" : "", old.machine.cpu, old.machine.cores, old.machine.kernel);
  if (old.machine.cpu != machine.cpu || old.machine.cores != machine.cores) {
    c.note += "\n  warning: the baseline comes from another machine";
  }
  if (!differing.empty()) {
    std::string keys;
    for (const std::string& k : differing) keys += (keys.empty() ? "" : ", ") + k;
    c.note += "\n  warning: settings differ from the baseline's: " + keys;
  }
  return c;
}

// --save-baseline and --baseline-dir: the paths written.
std::vector<std::string> saveBaselines(const BenchOptions& o, const Baseline& b) {
  std::vector<std::string> saved;
  if (o.saveBaselinePath.empty() && o.baselineDir.empty()) return saved;
  // A folder (--baseline-dir, or --save-baseline naming one): a new file named by date and commit.
  try {
    if (!o.saveBaselinePath.empty() && !namesFolder(o.saveBaselinePath)) {
      saveBaseline(b, o.saveBaselinePath);
      saved.push_back(o.saveBaselinePath);
    } else if (!o.saveBaselinePath.empty()) {
      saved.push_back(saveBaselineInFolder(b, o.saveBaselinePath));
    }
    if (!o.baselineDir.empty()) saved.push_back(saveBaselineInFolder(b, o.baselineDir));
  } catch (const BaselineError& e) {
    throw UsageError(e.what());
  }
  return saved;
}

// --trace (or, after a failure, the failure trace) and --csv. Returns the trace's path
// ("" when a failure trace could not be kept; without runs no trace is written).
std::string writeTraceAndCsv(const BenchOptions& o, const Verdict& verdict, const std::vector<ScenarioRuns>& results) {
  std::string tracePath = o.tracePath;
  if (tracePath.empty() && (verdict.allocation || verdict.miss) && !results.empty()) tracePath = failureTracePath();
  if (!tracePath.empty() && !results.empty()) {
    try {
      writeJsonFile(tracePath, mergedTrace(results));
    } catch (const OutputFileError& e) {
      if (!o.tracePath.empty()) throw;
      fmt::print(stderr, "awe-bench: warning: the failure trace was not kept: {}\n", e.what());
      tracePath.clear();
    }
  }
  if (!o.csvPath.empty()) writeFileAtomically(o.csvPath, [&](std::ostream& csv) { writeMergedCsv(csv, results); });
  return tracePath;
}

const char* const kVerdictSummary[] = {"everything held", "deadline missed, driver xrun or lost event",
                                       "audio-thread allocation or heap growth", "regression against the baseline"};

// What one call found, as the report steps read it.
struct BenchFindings {
  nlohmann::json settings;
  Commit commit;
  MachineInfo machine;
  QualityLevel level = QualityLevel::Maximum;
  bool effects = true;
  Pace pace = Pace::Freewheel;
  std::vector<ScenarioRuns> results;
  std::vector<RampRuns> ramps;
  std::vector<ScenarioResults> sets;
  BaselineComparison comparison;
  std::vector<std::string> savedBaselines;
  Verdict verdict;
  std::string tracePath;
};

std::string formatReport(const BenchOptions& o, const BenchFindings& f) {
  std::string text;
  if (!f.results.empty()) text += formatScenarioTable(f.results, f.pace) + formatScenarioDetails(f.results);
  if (!f.ramps.empty()) text += formatRampTable(f.ramps, qualityDescription(f.level, f.effects));
  if (!f.comparison.note.empty()) {
    text += f.comparison.note + "\n" +
            formatComparison(f.comparison.rows, f.comparison.settings.tolerance, f.comparison.settings.alpha);
  }
  const int code = f.verdict.exitCode();
  text += fmt::format("verdict: {} (exit {}): {}\n", code == kExitHeld ? "PASS" : "FAIL", code, kVerdictSummary[code]);
  for (const std::string& reason : f.verdict.reasons) text += "  - " + reason + "\n";
  if (!f.tracePath.empty() && !f.results.empty()) {
    text += fmt::format("  trace: {} (one slice per run; open it in ui.perfetto.dev{})\n", f.tracePath,
                        code == kExitMiss || code == kExitAllocation ? " and look at the buffers named above" : "");
  }
  if (f.pace == Pace::Freewheel && o.ignoreTiming) {
    text += "  (--ignore-timing: buffers over budget in freewheel are reported, not judged)\n";
  }
  for (const std::string& path : f.savedBaselines) text += "baseline saved: " + path + "\n";
  return text;
}

nlohmann::json comparisonJson(const BenchOptions& o, const BaselineComparison& c) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ComparisonRow& r : c.rows) {
    rows.push_back({{"scenario", r.scenario},
                    {"metric", r.metric},
                    {"unit", r.unit},
                    {"better", r.better == Better::Lower ? "lower" : "higher"},
                    {"old_median", r.oldMedian},
                    {"new_median", r.newMedian},
                    {"old_count", r.oldCount},
                    {"new_count", r.newCount},
                    {"change", r.change},
                    {"p_worse", r.pWorse},
                    {"verdict", comparisonVerdictName(r.verdict)}});
  }
  return {{"baseline", o.baselinePath}, {"tolerance", c.settings.tolerance}, {"alpha", c.settings.alpha},
          {"rows", std::move(rows)}};
}

// --json: the whole report.
nlohmann::json reportJson(const BenchOptions& o, const BenchFindings& f) {
  const int code = f.verdict.exitCode();
  nlohmann::json doc;
  doc["kind"] = "awe-bench-report";
  doc["schema_version"] = 1;
  doc["commit"] = f.commit.hash;
  doc["commit_dirty"] = f.commit.dirty;
  doc["machine"] = {{"cpu", f.machine.cpu}, {"cores", f.machine.cores}, {"kernel", f.machine.kernel}};
  doc["settings"] = f.settings;
  nlohmann::json scenariosJson = nlohmann::json::array();
  for (const ScenarioRuns& s : f.results) {
    nlohmann::json reps = nlohmann::json::array();
    for (const RunResult& r : s.runs) reps.push_back(runToJson(r, true));
    scenariosJson.push_back({{"name", s.name}, {"kind", s.kind}, {"bank", s.bank}, {"repetitions", std::move(reps)}});
  }
  doc["scenarios"] = std::move(scenariosJson);
  nlohmann::json rampsJson = nlohmann::json::array();
  for (const RampRuns& ramp : f.ramps) {
    nlohmann::json reps = nlohmann::json::array();
    for (const RampResult& r : ramp.runs) reps.push_back(rampToJson(r));
    rampsJson.push_back({{"name", ramp.name}, {"frames", ramp.frames}, {"repetitions", std::move(reps)}});
  }
  doc["ramps"] = std::move(rampsJson);
  doc["metrics"] = baselineToJson(Baseline{"", f.commit.hash, f.commit.dirty, f.commit.time, f.machine, f.settings,
                                           f.sets})["scenarios"];
  if (!f.comparison.rows.empty()) doc["comparison"] = comparisonJson(o, f.comparison);
  doc["verdict"] = {{"exit_code", code}, {"summary", kVerdictSummary[code]}, {"reasons", f.verdict.reasons},
                    {"trace", f.tracePath}};
  return doc;
}

Baseline baselineOf(const BenchFindings& f) {
  Baseline b;
  b.created = isoUtcNow();
  b.commit = f.commit.hash;
  b.commitDirty = f.commit.dirty;
  b.commitTime = f.commit.time;
  b.machine = f.machine;
  b.settings = f.settings;
  b.scenarios = f.sets;
  return b;
}

// Combinations, outputs and a kept baseline: false (printed) when the call cannot go on.
bool checkBenchOptions(const BenchOptions& o) {
  if (!o.historyDir.empty() && (!o.files.empty() || !o.saveBaselinePath.empty() || !o.baselinePath.empty() ||
                                !o.baselineDir.empty() || o.instructions || !o.profile.list.empty())) {
    fmt::print(stderr, "awe-bench: --history reads a folder and runs nothing: it does not combine with files, "
                       "--save-baseline, --baseline, --baseline-dir, --instructions or --profile\n");
    return false;
  }
  if (!o.historyPlot.empty() && o.historyDir.empty()) {
    fmt::print(stderr, "awe-bench: --history-plot needs --history DIR\n");
    return false;
  }
  // Before any run: an output that cannot be written is found now, not after the work.
  if (!cli::checkOutputs("awe-bench", {{"--json", o.jsonPath},
                                       {"--trace", o.tracePath},
                                       {"--csv", o.csvPath},
                                       {"--save-baseline", namesFolder(o.saveBaselinePath) ? "" : o.saveBaselinePath},
                                       {"--history-plot", o.historyPlot}})) {
    return false;
  }
  // A stored baseline is kept unless the user says otherwise: said before the runs, not after.
  if (!o.saveBaselinePath.empty() && !namesFolder(o.saveBaselinePath) && fs::exists(o.saveBaselinePath) && !o.force) {
    std::string what = "a file";
    try {
      const Baseline old = loadBaseline(o.saveBaselinePath);
      what = fmt::format("a baseline of commit {}{} made {}", old.commit.substr(0, 12), old.commitDirty ? " (dirty)" : "",
                         old.created);
    } catch (const BaselineError&) {
      what = "a file that is not a baseline";
    }
    fmt::print(stderr,
               "awe-bench: --save-baseline {}: it exists ({}); keeping it. Give --force to replace it, or save into a "
               "folder of baselines (--save-baseline DIR/ or --baseline-dir DIR)\n",
               o.saveBaselinePath, what);
    return false;
  }
  return true;
}

}  // namespace

int runBench(BenchOptions o) {  // (a copy: the buffer size follows the device)
  if (!o.historyDir.empty()) return runHistory(o);
  const Inputs in = sortInputs(o);
  const std::vector<NamedBank> banks = loadBanks(in.bankPaths);
  if (o.instructions) {
    if (o.profileSession != nullptr) o.profileSession->heapMark("loaded");
    return runInstructions(o, banks.front().second, banks.front().first);
  }
  const std::vector<NamedSong> songs = loadSongs(in.songPaths);
  const std::vector<std::string> wanted = wantedScenarios(o, !songs.empty());
  if (o.profileSession != nullptr) o.profileSession->heapMark("loaded");

  const RunOptions run = runOptionsFor(o);
  const std::vector<Scenario> list = scenarioList(o, wanted, songs);
  BenchFindings f;
  f.commit = currentCommit();
  f.machine = describeMachine();
  f.settings = settingsJson(o, run, wanted, in);
  f.level = run.quality;
  f.effects = run.effects;
  f.pace = run.pace;
  printHeader(o, run, f.machine, f.commit, in.bankPaths);

  f.results = runScenarios(o, run, banks, list);
  if (wants(wanted, "ramp")) f.ramps = runRamps(o, run, banks);
  if (o.profileSession != nullptr) o.profileSession->heapMark("ran");

  f.sets = resultSets(f.results, f.ramps, run.pace);
  f.comparison = compareWithBaseline(o, f.sets, f.settings, f.machine);
  f.savedBaselines = saveBaselines(o, baselineOf(f));

  f.verdict = judge(f.results, f.ramps, f.comparison.rows, run.pace, o.ignoreTiming);
  f.tracePath = writeTraceAndCsv(o, f.verdict, f.results);
  fmt::print("{}", formatReport(o, f));
  if (!o.jsonPath.empty()) writeJsonFile(o.jsonPath, reportJson(o, f));
  return f.verdict.exitCode();
}

int runBenchCommand(BenchOptions o) {
  if (!checkBenchOptions(o)) return kExitUsage;
  // Before the banks are loaded, so the heap profile sees them; finished after everything
  // else is gone, so its leak report shows what really stayed.
  std::unique_ptr<ProfileSession> profile;
  try {
    ProfileCliSpec spec = kBenchProfileSpec;
    if (o.instructions) spec.spansDoNotApply = "--instructions drives the synth directly, without an engine";
    std::string note;
    profile = startProfile(o.profile, spec, {o.jsonPath, o.tracePath, o.csvPath}, &note);
    if (!note.empty() && !o.quiet) fmt::print(stderr, "awe-bench: {}\n", note);
    // No output over an input, nor two outputs in one file: before any work.
    std::vector<RunFile> inputs;
    for (const std::string& file : o.files) inputs.push_back({file, "the input " + file});
    inputs.push_back({o.baselinePath, "--baseline"});
    std::error_code error;
    if (!o.historyDir.empty()) {
      for (fs::directory_iterator it(o.historyDir, error), end; !error && it != end; it.increment(error)) {
        if (it->path().extension() == ".json") inputs.push_back({it->path().string(), "a baseline of --history"});
      }
    }
    const std::string plot = o.historyDir.empty() ? ""
                             : !o.historyPlot.empty() ? o.historyPlot
                                                      : (fs::path(o.historyDir) / "history.svg").string();
    checkRunFiles({{o.jsonPath, "--json"},
                   {o.tracePath, "--trace"},
                   {o.csvPath, "--csv"},
                   {namesFolder(o.saveBaselinePath) ? "" : o.saveBaselinePath, "--save-baseline"},
                   {plot, "--history-plot"}},
                  profile.get(), inputs);
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-bench: {}\n", e.what());
    return kExitUsage;
  }
  o.profileSession = profile.get();
  try {
    const int code = runBench(o);
    if (profile) finishProfile(*profile, stdout);
    return code;
  } catch (const UsageError& e) {
    fmt::print(stderr, "awe-bench: {}\n", e.what());
    return kExitUsage;
  } catch (const DriverError& e) {
    fmt::print(stderr, "awe-bench: audio driver: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-bench: {}\n", e.what());
    return kExitUsage;
  }
}

}  // namespace awe::bench
