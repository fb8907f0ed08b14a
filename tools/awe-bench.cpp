// awe-bench: does the synth keep its deadline on this machine, and did a change make it
// slower? Plays built-in stress scenarios (and any songs and banks given) through the
// engine, flat out or at real-time pace, and reports what the monitor saw.
//
//   awe-bench [songs.mid ...] [banks.sf2 ...] [--scenario stress|sustained,storm,sweep,ramp,soak|all]
//             [--pace freewheel|realtime] [--jack | --api NAME] [--device NAME]
//             [--buffer FRAMES] [--rate HZ] [--voices N] [--polyphony N]
//             [--quality maximum|high|medium|low] [--effects on|off] [--mode awe|modern|auto]
//             [--duration S] [--repeat N] [--adaptive] [--ramp-buffers 64,256,1024]
//             [--json F] [--trace F] [--csv F] [--save-baseline F|DIR/] [--baseline-dir DIR]
//             [--baseline F [--tolerance PCT]] [--profile cpu,memory,spans]
//             [--instructions] [--inject-slow-buffer N] [--inject-allocation N] [--ignore-timing]
//   awe-bench --history DIR [--history-plot F.svg] [--tolerance PCT]
//
// Exit codes: 0 everything held; 1 a deadline miss, driver xrun or lost event; 2 an
// audio-thread allocation or heap growth in the soak; 3 a regression against the baseline;
// 4 bad input or usage. When several apply: 2, then 1, then 3. --history: 3 when a regression
// began at the newest result set, else 0. Full guide: tools/awe-bench.md.
#include <fmt/core.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <map>

#include "emu8000/Bank.h"
#include "emu8000/Synth.h"
#include "engine/BuiltinFiles.h"
#include "engine/LoadWarnings.h"
#include "engine/Sf3Decoder.h"
#include "engine/MidiFile.h"
#include "engine/Sequencer.h"
#include "monitor/Baseline.h"
#include "monitor/BaselineHistory.h"
#include "monitor/Format.h"
#include "engine/cli/Cli.h"
#include "engine/cli/ProfileCli.h"
#include "monitor/OutputFile.h"
#include "tools/bench/BenchReport.h"
#include "tools/bench/BenchRun.h"
#include "tools/bench/BenchScenarios.h"

namespace fs = std::filesystem;
using namespace awe;
using namespace awe::bench;

namespace {

constexpr int kExitHeld = cli::kExitDone;  // the exit codes every tool shares (engine/cli/Cli.h)
constexpr int kExitMiss = cli::kExitDeadline;
constexpr int kExitAllocation = cli::kExitAllocation;
constexpr int kExitRegression = cli::kExitRegression;
constexpr int kExitUsage = cli::kExitUsage;

// Bad input or usage: reported, exit 4.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr int kInstructionBuffers = 200;

struct Options {
  std::vector<std::string> files;
  std::vector<std::string> scenarios;
  std::string pace = "freewheel";
  std::string api, device;
  bool jack = false;
  uint32_t frames = 1024;
  double rate = 44100.0;
  int voices = 32;
  bool voicesGiven = false;
  int polyphony = kDefaultPolyphony;
  std::string quality = "maximum";
  std::string effects = "on";
  std::string mode = "awe";
  std::string attenuation = "hardware";
  double duration_s = 0.0;  // 0: each scenario's own
  int repeat = 1;
  bool adaptive = false;
  std::vector<uint32_t> rampBuffers;
  int rampStart = 256;
  int rampMax = kMaxPolyphony;
  std::string rampClock = "wall";
  std::string jsonPath, tracePath, csvPath, saveBaselinePath, baselinePath, baselineDir;
  std::string historyDir, historyPlot;
  double tolerance_pct = 20.0;
  bool instructions = false;
  int64_t slowBuffer = -1;
  double slowBuffer_ms = 0.0;
  int64_t allocationBuffer = -1;
  bool ignoreTiming = false;
  bool quiet = false;
  bool force = false;  // --save-baseline may replace an existing file
  ProfileCliOptions profile;
  ProfileSession* profileSession = nullptr;  // started in main() when --profile is given
};

const ProfileCliSpec kProfileSpec{"awe-bench", "audio", true, ""};

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

bool namesFolder(const std::string& path) { return !path.empty() && (path.back() == '/' || fs::is_directory(path)); }

// Settings that make two result sets incomparable when they differ (--baseline, --history).
const std::vector<std::string> kComparedSettings = {"pace",     "driver", "sample_rate", "buffer_frames",
                                                    "quality",  "effects", "mode",       "voices",
                                                    "polyphony", "duration_s", "adaptive"};

QualityLevel parseQuality(const std::string& name) {
  if (name == "maximum") return QualityLevel::Maximum;
  if (name == "high") return QualityLevel::High;
  if (name == "medium") return QualityLevel::Medium;
  return QualityLevel::Low;
}

const char* interpolationName(Interpolation i) {
  switch (i) {
    case Interpolation::None: return "no interpolation";
    case Interpolation::Linear: return "linear";
    case Interpolation::Cubic: return "cubic";
  }
  return "?";
}

std::string qualityDescription(QualityLevel level, bool effects) {
  const QualitySettings q = qualitySettings(level, 1);
  return fmt::format("{} quality: {}, filter {}, effects {}", qualityName(level), interpolationName(q.interpolation),
                     q.filter ? "on" : "off", q.effects && effects ? "on" : "off");
}

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

// ---- --instructions ----------------------------------------------------------------------

}  // namespace

// The measured part of --instructions: two phases under plain C names, kept out of line so
// callgrind can count them (--toggle-collect=awe_bench_instruction_workload counts both;
// callgrind_annotate --inclusive=yes shows each phase). Deterministic: the same bank,
// settings and code always do the same work (no clocks, no threads, no engine).
struct InstructionPhase {
  uint64_t voiceSamples = 0;
  uint64_t notes = 0;
  double checksum = 0.0;
};

// Phase 1: `voices` voices of the sustained scenario held (the voice kernel).
extern "C" __attribute__((noinline)) void awe_bench_instructions_sustained(Synth* synth, int voices, int buffers,
                                                                           float* left, float* right, size_t frames,
                                                                           InstructionPhase* out) {
  for (size_t i = 0; i < kMelodicChannels.size(); ++i) {
    synth->programChange(kMelodicChannels[i], kSustainedPrograms[i]);
    synth->controlChange(kMelodicChannels[i], 7, 100);
  }
  uint64_t next = 0;
  for (int b = 0; b < buffers; ++b) {
    const int missing = voices - synth->activeVoices();
    if (missing > 0) {
      const SynthCounters& c = synth->counters();
      const double perNote =
          c.notesOn > 0 ? std::max(1.0, static_cast<double>(c.voicesStarted) / static_cast<double>(c.notesOn)) : 4.0;
      const int notes = std::max(1, static_cast<int>(std::floor(missing / perNote)));
      for (int n = 0; n < notes; ++n, ++next) {
        synth->noteOn(kMelodicChannels[next % kMelodicChannels.size()],
                      static_cast<int>(36 + (next / kMelodicChannels.size() * 5) % 60), 100);
      }
    }
    synth->render(left, right, frames);
    out->voiceSamples += static_cast<uint64_t>(synth->activeVoices()) * frames;
    for (size_t i = 0; i < frames; ++i) out->checksum += std::fabs(left[i]) + std::fabs(right[i]);
  }
  out->notes = synth->counters().notesOn;
}

// Phase 2: the note storm through a sequencer (note starts, releases, steals, events).
extern "C" __attribute__((noinline)) void awe_bench_instructions_storm(Synth* synth, Sequencer* sequencer, int buffers,
                                                                       float* left, float* right, size_t frames,
                                                                       InstructionPhase* out) {
  sequencer->setLoop(true);
  sequencer->play();
  for (int b = 0; b < buffers; ++b) {
    sequencer->render(*synth, left, right, frames);
    out->voiceSamples += static_cast<uint64_t>(synth->activeVoices()) * frames;
    for (size_t i = 0; i < frames; ++i) out->checksum += std::fabs(left[i]) + std::fabs(right[i]);
  }
  out->notes = synth->counters().notesOn;
}

extern "C" __attribute__((noinline)) void awe_bench_instruction_workload(Synth* sustained, int voices, Synth* storm,
                                                                         Sequencer* sequencer, int buffers, float* left,
                                                                         float* right, size_t frames,
                                                                         InstructionPhase* phases) {
  awe_bench_instructions_sustained(sustained, voices, buffers, left, right, frames, &phases[0]);
  awe_bench_instructions_storm(storm, sequencer, buffers, left, right, frames, &phases[1]);
}

namespace {

int runInstructions(const Options& o, const std::shared_ptr<const Bank>& bank, const std::string& bankPath) {
  const QualityLevel level = parseQuality(o.quality);
  const int voices = o.voicesGiven ? o.voices : 256;
  auto settingsFor = [&](int polyphony) {
    const QualitySettings q = qualitySettings(level, polyphony);
    SynthSettings settings;
    settings.sampleRate = o.rate;
    settings.polyphony = polyphony;
    settings.interpolation = q.interpolation;
    settings.filterEnabled = q.filter;
    settings.effectsEnabled = q.effects && o.effects == "on";
    settings.personality = o.mode == "auto" ? personalityForBank(*bank) : parsePersonality(o.mode);
    settings.attenuation = parseAttenuationReading(o.attenuation);
    return settings;
  };
  Synth sustained(settingsFor(voices));
  sustained.setBank(bank);
  Synth storm(settingsFor(o.polyphony));
  storm.setBank(bank);
  Sequencer sequencer(o.rate);
  sequencer.load(makeStormSong());
  std::vector<float> left(o.frames), right(o.frames);
  InstructionPhase phases[2];
  awe_bench_instruction_workload(&sustained, voices, &storm, &sequencer, kInstructionBuffers, left.data(),
                                 right.data(), o.frames, phases);
  fmt::print("instructions workload ({}, {} personality), {} frames at {:.0f} Hz, bank {}:\n",
             qualityDescription(level, o.effects == "on"), personalityName(sustained.settings().personality), o.frames,
             o.rate, bankPath);
  fmt::print("  awe_bench_instructions_sustained: {} voices held for {} buffers: {} voice-samples, {} note-ons, "
             "checksum {:.6f}\n",
             voices, kInstructionBuffers, phases[0].voiceSamples, phases[0].notes, phases[0].checksum);
  fmt::print("  awe_bench_instructions_storm: the note storm at polyphony {} for {} buffers: {} voice-samples, {} "
             "note-ons, checksum {:.6f}\n",
             o.polyphony, kInstructionBuffers, phases[1].voiceSamples, phases[1].notes, phases[1].checksum);
  fmt::print("voice-samples: {}\n", phases[0].voiceSamples + phases[1].voiceSamples);
  fmt::print("Count it with callgrind (instructions per voice-sample = Ir / voice-samples, per phase or in all):\n"
             "  valgrind --tool=callgrind --toggle-collect=awe_bench_instruction_workload "
             "--callgrind-out-file=bench.callgrind awe-bench --instructions\n"
             "  callgrind_annotate --inclusive=yes bench.callgrind | grep -E 'PROGRAM TOTALS|awe_bench_instructions'\n");
  return kExitHeld;
}

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
int runHistory(const Options& o) {
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

int run(Options o) {  // (a copy: the buffer size follows the device)
  if (!o.historyDir.empty()) return runHistory(o);
  // ---- input ----
  std::vector<std::string> songPaths, bankPaths;
  for (const std::string& f : o.files) {
    const std::string ext = lower(fs::path(f).extension().string());
    if (ext == ".mid" || ext == ".midi" || ext == ".smf" || ext == ".kar") {
      songPaths.push_back(f);
    } else if (ext == ".sf2") {
      bankPaths.push_back(f);
    } else {
      throw UsageError(f + ": not a MIDI file (.mid) or a SoundFont (.sf2)");
    }
  }
  const bool realtime = o.pace == "realtime";
  if (!realtime && (o.jack || !o.api.empty() || !o.device.empty())) {
    throw UsageError("--jack, --api and --device need --pace realtime");
  }
  for (const std::string& name : o.scenarios) {
    static const char* known[] = {"sustained", "storm", "sweep", "ramp", "soak", "stress", "all", "none"};
    if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return name == k; }) == std::end(known)) {
      throw UsageError("--scenario " + name + ": not a scenario (sustained, storm, sweep, ramp, soak, stress, all, none)");
    }
  }
  if (bankPaths.empty()) bankPaths.push_back(defaultBankPath(o.quiet));

  std::vector<std::pair<std::string, std::shared_ptr<const Bank>>> banks;
  for (const std::string& path : bankPaths) {
    try {
      std::vector<LoadWarning> warnings;
      banks.emplace_back(path, awe::loadBank(path, &warnings));
      fmt::print(stderr, "{}", formatLoadWarnings(loadWarningList(path, warnings)));
    } catch (const Sf2Error& e) {
      throw UsageError(e.what());
    }
  }

  if (o.instructions) {
    if (o.profileSession != nullptr) o.profileSession->heapMark("loaded");
    return runInstructions(o, banks.front().second, banks.front().first);
  }

  std::vector<std::pair<std::string, std::shared_ptr<const MidiFile>>> songs;
  for (const std::string& path : songPaths) {
    try {
      songs.emplace_back(path, std::make_shared<const MidiFile>(MidiFile::load(path)));
      fmt::print(stderr, "{}", formatLoadWarnings(loadWarningList(*songs.back().second)));
    } catch (const MidiFileError& e) {
      throw UsageError(e.what());
    }
  }

  // ---- what to run ----
  std::vector<std::string> wanted;
  for (const std::string& s : o.scenarios) {
    if (s == "stress") {
      wanted.insert(wanted.end(), {"sustained", "storm", "sweep"});
    } else if (s == "all") {
      wanted.insert(wanted.end(), {"sustained", "storm", "sweep", "ramp", "soak"});
    } else if (s != "none") {
      wanted.push_back(s);
    }
  }
  if (o.scenarios.empty() && songs.empty()) wanted = {"sustained", "storm", "sweep"};
  if (!o.rampBuffers.empty() && std::find(wanted.begin(), wanted.end(), "ramp") == wanted.end()) wanted.push_back("ramp");
  auto want = [&](const char* name) { return std::find(wanted.begin(), wanted.end(), name) != wanted.end(); };

  const QualityLevel level = parseQuality(o.quality);
  const bool effects = o.effects == "on";
  if (o.profileSession != nullptr) o.profileSession->heapMark("loaded");

  RunOptions run;
  run.profile = o.profileSession;
  run.pace = realtime ? Pace::Realtime : Pace::Freewheel;
  run.driver.sampleRate = o.rate;
  run.driver.bufferFrames = o.frames;
  run.driver.clientName = "awe-bench";
  run.driver.api = o.jack ? "jack" : o.api;
  run.driver.device = o.device;
  run.driver.kind = realtime ? (run.driver.api.empty() && o.device.empty() ? DriverKind::Paced : DriverKind::RtAudio)
                             : DriverKind::Offline;
  if (run.driver.kind == DriverKind::RtAudio) {
    // A JACK server decides its own period: open the device once to learn the buffer size
    // it really runs at, so the header, the budget and the settings name that one.
    const uint32_t deviceFrames = makeAudioDriver(run.driver)->bufferFrames();
    if (deviceFrames != o.frames && !o.quiet) {
      fmt::print("awe-bench: the device runs {}-frame buffers ({} asked for)\n", deviceFrames, o.frames);
    }
    o.frames = run.driver.bufferFrames = deviceFrames;
  }
  run.quality = level;
  run.effects = effects;
  run.personalityFromBank = o.mode == "auto";
  if (o.mode != "auto") run.personality = parsePersonality(o.mode);
  run.attenuation = parseAttenuationReading(o.attenuation);
  run.adaptive = o.adaptive;
  run.slowBufferIndex = o.slowBuffer;
  const double budget_ms = 1000.0 * o.frames / o.rate;
  run.slowBuffer_ns = static_cast<int64_t>((o.slowBuffer_ms > 0.0 ? o.slowBuffer_ms : 2.0 * budget_ms) * 1e6);
  run.allocationBufferIndex = o.allocationBuffer;

  auto durationOr = [&](double fallback) { return o.duration_s > 0.0 ? o.duration_s : fallback; };
  std::vector<Scenario> list;
  if (want("sustained")) {
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
  if (want("storm")) {
    Scenario s;
    s.name = "storm";
    s.kind = "storm";
    s.song = makeStormSong();
    s.polyphony = o.polyphony;
    s.duration_s = durationOr(10.0);
    list.push_back(s);
  }
  if (want("sweep")) {
    Scenario s;
    s.name = "sweep";
    s.kind = "sweep";
    s.song = makeSweepSong();
    s.polyphony = o.polyphony;
    s.duration_s = durationOr(10.0);
    list.push_back(s);
  }
  if (want("soak")) {
    Scenario s;
    s.name = "soak";
    s.kind = "soak";
    s.song = makeSoakSong();
    s.polyphony = o.polyphony;
    s.liveTraffic = true;
    s.heapCheck = true;
    s.duration_s = durationOr(120.0);
    list.push_back(s);
  }
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
  const Commit commit = currentCommit();
  const MachineInfo machine = describeMachine();
  nlohmann::json settings = {{"pace", o.pace},
                             {"driver", realtime ? (run.driver.kind == DriverKind::Paced ? "paced" : "rtaudio") : "offline"},
                             {"api", run.driver.api},
                             {"device", o.device},
                             {"sample_rate", o.rate},
                             {"buffer_frames", o.frames},
                             {"quality", qualityName(level)},
                             {"effects", effects},
                             {"mode", o.mode},
                             {"voices", o.voices},
                             {"polyphony", o.polyphony},
                             {"duration_s", o.duration_s},
                             {"repeat", o.repeat},
                             {"adaptive", o.adaptive},
                             {"scenarios", wanted},
                             {"songs", songPaths},
                             {"banks", bankPaths},
                             {"ramp_buffers", o.rampBuffers},
                             {"ramp_clock", o.rampClock},
                             {"ignore_timing", o.ignoreTiming}};

  if (!o.quiet) {
    fmt::print("awe-bench: {} pace, {} frames at {:.0f} Hz (budget {}), {}, {} personality\n", o.pace, o.frames,
               o.rate, formatDuration(budget_ms * 1e6), qualityDescription(level, effects),
               o.mode == "auto" ? "bank's" : o.mode);
    fmt::print("machine: {}, {} cores, {}; commit {}{}\n", machine.cpu, machine.cores, machine.kernel,
               commit.hash.substr(0, 12), commit.dirty ? " (with uncommitted changes)" : "");
  }

  // ---- runs ----
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
  std::vector<RampRuns> ramps;
  if (want("ramp")) {
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
  }

  if (o.profileSession != nullptr) o.profileSession->heapMark("ran");

  // ---- baseline ----
  const std::vector<ScenarioResults> sets = resultSets(results, ramps, run.pace);
  std::vector<ComparisonRow> comparison;
  ComparisonSettings compare;
  compare.tolerance = o.tolerance_pct / 100.0;
  std::string baselineNote;
  if (!o.baselinePath.empty()) {
    Baseline old;
    try {
      old = loadBaseline(o.baselinePath);
    } catch (const BaselineError& e) {
      throw UsageError(e.what());
    }
    comparison = compareResults(old.scenarios, sets, compare);
    std::vector<std::string> differing;
    for (const std::string& key : kComparedSettings) {
      if (old.settings.contains(key) && old.settings[key] != settings[key]) differing.push_back(key);
    }
    baselineNote = fmt::format("baseline {}: commit {}{}, {}, {} cores, {}", o.baselinePath, old.commit.substr(0, 12),
                               old.commitDirty ? " (dirty)" : "", old.machine.cpu, old.machine.cores,
                               old.machine.kernel);
    if (old.machine.cpu != machine.cpu || old.machine.cores != machine.cores) {
      baselineNote += "\n  warning: the baseline comes from another machine";
    }
    if (!differing.empty()) {
      std::string keys;
      for (const std::string& k : differing) keys += (keys.empty() ? "" : ", ") + k;
      baselineNote += "\n  warning: settings differ from the baseline's: " + keys;
    }
  }
  std::vector<std::string> savedBaselines;
  if (!o.saveBaselinePath.empty() || !o.baselineDir.empty()) {
    Baseline b;
    b.created = isoUtcNow();
    b.commit = commit.hash;
    b.commitDirty = commit.dirty;
    b.commitTime = commit.time;
    b.machine = machine;
    b.settings = settings;
    b.scenarios = sets;
    // A folder (--baseline-dir, or --save-baseline naming one): a new file named by date and commit.
    try {
      if (!o.saveBaselinePath.empty() && !namesFolder(o.saveBaselinePath)) {
        saveBaseline(b, o.saveBaselinePath);
        savedBaselines.push_back(o.saveBaselinePath);
      } else if (!o.saveBaselinePath.empty()) {
        savedBaselines.push_back(saveBaselineInFolder(b, o.saveBaselinePath));
      }
      if (!o.baselineDir.empty()) savedBaselines.push_back(saveBaselineInFolder(b, o.baselineDir));
    } catch (const BaselineError& e) {
      throw UsageError(e.what());
    }
  }

  // ---- reports ----
  const Verdict verdict = judge(results, ramps, comparison, run.pace, o.ignoreTiming);
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

  std::string text;
  if (!results.empty()) text += formatScenarioTable(results, run.pace) + formatScenarioDetails(results);
  if (!ramps.empty()) text += formatRampTable(ramps, qualityDescription(level, effects));
  if (!baselineNote.empty()) text += baselineNote + "\n" + formatComparison(comparison, compare.tolerance, compare.alpha);
  const int code = verdict.exitCode();
  static const char* const kWhat[] = {"everything held", "deadline missed, driver xrun or lost event",
                                      "audio-thread allocation or heap growth", "regression against the baseline"};
  text += fmt::format("verdict: {} (exit {}): {}\n", code == kExitHeld ? "PASS" : "FAIL", code, kWhat[code]);
  for (const std::string& reason : verdict.reasons) text += "  - " + reason + "\n";
  if (!tracePath.empty() && !results.empty()) {
    text += fmt::format("  trace: {} (one slice per run; open it in ui.perfetto.dev{})\n", tracePath,
                        code == kExitMiss || code == kExitAllocation ? " and look at the buffers named above" : "");
  }
  if (run.pace == Pace::Freewheel && o.ignoreTiming) {
    text += "  (--ignore-timing: buffers over budget in freewheel are reported, not judged)\n";
  }
  for (const std::string& path : savedBaselines) text += "baseline saved: " + path + "\n";
  fmt::print("{}", text);

  if (!o.jsonPath.empty()) {
    nlohmann::json doc;
    doc["kind"] = "awe-bench-report";
    doc["schema_version"] = 1;
    doc["commit"] = commit.hash;
    doc["commit_dirty"] = commit.dirty;
    doc["machine"] = {{"cpu", machine.cpu}, {"cores", machine.cores}, {"kernel", machine.kernel}};
    doc["settings"] = settings;
    nlohmann::json scenariosJson = nlohmann::json::array();
    for (const ScenarioRuns& s : results) {
      nlohmann::json reps = nlohmann::json::array();
      for (const RunResult& r : s.runs) reps.push_back(runToJson(r, true));
      scenariosJson.push_back({{"name", s.name}, {"kind", s.kind}, {"bank", s.bank}, {"repetitions", std::move(reps)}});
    }
    doc["scenarios"] = std::move(scenariosJson);
    nlohmann::json rampsJson = nlohmann::json::array();
    for (const RampRuns& ramp : ramps) {
      nlohmann::json reps = nlohmann::json::array();
      for (const RampResult& r : ramp.runs) reps.push_back(rampToJson(r));
      rampsJson.push_back({{"name", ramp.name}, {"frames", ramp.frames}, {"repetitions", std::move(reps)}});
    }
    doc["ramps"] = std::move(rampsJson);
    doc["metrics"] = baselineToJson(Baseline{"", commit.hash, commit.dirty, commit.time, machine, settings, sets})["scenarios"];
    if (!comparison.empty()) {
      nlohmann::json rows = nlohmann::json::array();
      for (const ComparisonRow& r : comparison) {
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
      doc["comparison"] = {{"baseline", o.baselinePath}, {"tolerance", compare.tolerance}, {"alpha", compare.alpha},
                           {"rows", std::move(rows)}};
    }
    doc["verdict"] = {{"exit_code", code}, {"summary", kWhat[code]}, {"reasons", verdict.reasons},
                      {"trace", tracePath}};
    writeJsonFile(o.jsonPath, doc);
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"awe-bench: does the synth keep its deadline here, and did a change make it slower?"};
  cli::setUp(app, "awe-bench");
  Options o;
  app.add_option("files", o.files, "MIDI files (.mid) to play and SoundFont banks (.sf2) to play them with")
      ->check(CLI::ExistingFile);
  app.add_option("--scenario", o.scenarios,
                 "Built-in scenarios: sustained, storm, sweep, ramp, soak; stress = the first three; all; none "
                 "(default: stress, or only the songs when songs are given)")
      ->delimiter(',');
  app.add_option("--pace", o.pace, "freewheel: as fast as possible; realtime: the paced clock or an audio device")
      ->check(CLI::IsMember({"freewheel", "realtime"}));
  app.add_flag("--jack", o.jack, "Real time through a JACK server (RtAudio)");
  app.add_option("--api", o.api, "Real time through this RtAudio API (jack, alsa, pulse)");
  app.add_option("--device", o.device, "Real time on this audio device (index or part of its name)");
  app.add_option("--buffer", o.frames, "Frames per buffer")->check(cli::wholeRange(16, 16384, "frames"));
  app.add_option("--rate", o.rate, "Sample rate in Hz")->check(cli::range(8000.0, 192000.0, "Hz"));
  app.add_option("--voices", o.voices, "Voices of the sustained scenario (the polyphony follows)")
      ->check(cli::wholeRange(1, kMaxPolyphony, "voices"))
      ->each([&](const std::string&) { o.voicesGiven = true; });
  app.add_option("--polyphony", o.polyphony, "Voices for the storm, sweep, soak and songs")
      ->check(cli::wholeRange(1, kMaxPolyphony, "voices"));
  app.add_option("--quality", o.quality, "Quality level (interpolation, filter, effects, polyphony cap)")
      ->check(CLI::IsMember({"maximum", "high", "medium", "low"}));
  // --no-effects as in every tool; --effects on|off, the old spelling, stays as a hidden alias.
  app.add_flag_callback("--no-effects", [&o] { o.effects = "off"; }, "Dry: no reverb or chorus");
  app.add_option("--effects", o.effects)->check(CLI::IsMember({"on", "off"}))->group("");
  app.add_option("--mode", o.mode, "Personality: awe (EMU8000), modern (SF2.04), auto (by the bank's sound engine)")
      ->check(CLI::IsMember({"awe", "modern", "auto"}));
  app.add_option("--attenuation", o.attenuation,
                 "SF2 initialAttenuation: hardware (x0.4, as banks were voiced) or literal (as the spec writes it)")
      ->check(CLI::IsMember({"hardware", "literal"}));
  app.add_option("--duration", o.duration_s,
                 "Seconds of audio per run (default: 10 for the stress scenarios, 120 for the soak, a song's length)")
      ->check(cli::range(0.01, 86400.0, "s"));
  app.add_option("--repeat", o.repeat, "Runs of each scenario; the report shows medians and spread")
      ->check(cli::wholeRange(1, 1000, "runs"));
  app.add_flag("--adaptive", o.adaptive, "Run the adaptive quality policy; its decisions go into the report");
  app.add_option("--ramp-buffers", o.rampBuffers, "Buffer sizes for the polyphony ramp (e.g. 64,256,1024)")
      ->delimiter(',')
      ->check(cli::wholeRange(16, 16384, "frames"));
  app.add_option("--ramp-start", o.rampStart, "Voices of the ramp's first step")->check(cli::wholeRange(8, kMaxPolyphony, "voices"));
  app.add_option("--ramp-max", o.rampMax, "The ramp stops here")->check(cli::wholeRange(8, kMaxPolyphony, "voices"));
  app.add_option("--ramp-clock", o.rampClock,
                 "Freewheel ramp: a step holds when the median busy time (wall) or the thread's CPU time per buffer "
                 "(cpu: steadier on a loaded machine) is within the budget")
      ->check(CLI::IsMember({"wall", "cpu"}));
  app.add_option("--json", o.jsonPath, "Write the JSON report here");
  app.add_option("--trace", o.tracePath, "Write a Perfetto / Chrome trace of every run here");
  app.add_option("--csv", o.csvPath, "Write every run's buffer records as CSV here");
  app.add_option("--save-baseline", o.saveBaselinePath,
                 "Store the results as a baseline (with commit, machine, settings); a folder (DIR/) gets a new file "
                 "named by date and commit, as --baseline-dir");
  app.add_flag("--force", o.force, "Let --save-baseline replace an existing baseline file");
  app.add_option("--baseline-dir", o.baselineDir,
                 "Add the results to this folder of baselines as <UTC date>-<commit>[-dirty].json (for --history)");
  app.add_option("--history", o.historyDir,
                 "Run nothing: print the trend of every scenario and metric over the baselines in this folder, flag "
                 "the commits where a regression began, and plot it")
      ->check(CLI::ExistingDirectory);
  app.add_option("--history-plot", o.historyPlot, "--history: write the SVG plot here (default: DIR/history.svg)");
  app.add_option("--baseline", o.baselinePath, "Compare with this baseline; exit 3 on a regression")
      ->check(CLI::ExistingFile);
  app.add_option("--tolerance", o.tolerance_pct, "Slowdown in percent allowed before a change counts")
      ->check(cli::range(0.0, 1000.0, "%"));
  app.add_flag("--instructions", o.instructions,
               "Run the fixed, deterministic workload for valgrind --tool=callgrind and print its voice-samples");
  app.add_option("--inject-slow-buffer", o.slowBuffer, "Make this buffer of every run slow (tests the exit-1 path)")
      ->check(cli::wholeRange(0, int64_t{1} << 40));
  app.add_option("--slow-buffer-ms", o.slowBuffer_ms, "How long the injected slow buffer takes (default: 2 budgets)")
      ->check(cli::range(0.0, 10000.0, "ms"));
  app.add_option("--inject-allocation", o.allocationBuffer,
                 "Make this buffer of every run allocate on the audio thread (tests the exit-2 path)")
      ->check(cli::wholeRange(0, int64_t{1} << 40));
  app.add_flag("--ignore-timing", o.ignoreTiming,
               "Freewheel: report buffers over budget but do not fail on them (CI on shared machines)");
  app.add_flag("-q,--quiet", o.quiet, "No progress or notes on stderr");
  addProfileOptions(app, o.profile, kProfileSpec);
  if (const auto code = cli::parse(app, argc, argv)) return *code;
  if (!o.historyDir.empty() && (!o.files.empty() || !o.saveBaselinePath.empty() || !o.baselinePath.empty() ||
                                !o.baselineDir.empty() || o.instructions || !o.profile.list.empty())) {
    fmt::print(stderr, "awe-bench: --history reads a folder and runs nothing: it does not combine with files, "
                       "--save-baseline, --baseline, --baseline-dir, --instructions or --profile\n");
    return kExitUsage;
  }
  if (!o.historyPlot.empty() && o.historyDir.empty()) {
    fmt::print(stderr, "awe-bench: --history-plot needs --history DIR\n");
    return kExitUsage;
  }
  // Before any run: an output that cannot be written is found now, not after the work.
  if (!cli::checkOutputs("awe-bench", {{"--json", o.jsonPath},
                                       {"--trace", o.tracePath},
                                       {"--csv", o.csvPath},
                                       {"--save-baseline", namesFolder(o.saveBaselinePath) ? "" : o.saveBaselinePath},
                                       {"--history-plot", o.historyPlot}})) {
    return kExitUsage;
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
    return kExitUsage;
  }
  // Before the banks are loaded, so the heap profile sees them; finished after everything
  // else is gone, so its leak report shows what really stayed.
  std::unique_ptr<ProfileSession> profile;
  try {
    ProfileCliSpec spec = kProfileSpec;
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
    const int code = run(o);
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
