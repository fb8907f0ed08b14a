// awe-bench: does the synth keep its deadline on this machine, and did a change make it
// slower? Plays built-in stress scenarios (and any songs and banks given) through the
// engine, flat out or at real-time pace, and reports what the monitor saw.
//
//   awe-bench [songs.mid ...] [banks.sf2 ...] [--scenario stress|sustained,storm,sweep,ramp,soak,idle|all]
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
//
// This file is the command line only: the work is library code (tools/bench/Bench.h).
#include <CLI/CLI.hpp>
#include <utility>

#include "emu8000/Config.h"
#include "engine/cli/Cli.h"
#include "engine/cli/ProfileCli.h"
#include "engine/cli/SynthCli.h"
#include "tools/bench/Bench.h"

using namespace awe;
using awe::bench::BenchOptions;

int main(int argc, char** argv) {
  CLI::App app{"awe-bench: does the synth keep its deadline here, and did a change make it slower?"};
  cli::setUp(app, "awe-bench");
  BenchOptions o;
  app.add_option("files", o.files, "MIDI files (.mid) to play and SoundFont banks (.sf2) to play them with")
      ->check(CLI::ExistingFile);
  app.add_option("--scenario", o.scenarios,
                 "Built-in scenarios: sustained, storm, sweep, ramp, soak, idle; stress = the first three; all; none "
                 "(default: stress, or only the songs when songs are given)")
      ->delimiter(',');
  app.add_option("--pace", o.pace, "freewheel: as fast as possible; realtime: the paced clock or an audio device")
      ->check(CLI::IsMember({"freewheel", "realtime"}));
  app.add_flag("--jack", o.jack, "Real time through a JACK server");
  app.add_option("--api", o.api, "Real time through this audio API (jack, alsa, pulse)");
  app.add_option("--device", o.device, "Real time on this audio device (index or part of its name)");
  app.add_option("--buffer", o.frames, "Frames per buffer")->check(cli::wholeRange(16, 16384, "frames"));
  app.add_option("--rate", o.rate, "Sample rate in Hz")->check(cli::range(8000.0, 192000.0, "Hz"));
  app.add_option("--voices", o.voices, "Voices of the sustained scenario (the polyphony follows)")
      ->check(cli::wholeRange(1, kMaxPolyphony, "voices"))
      ->each([&](const std::string&) { o.voicesGiven = true; });
  app.add_option("--polyphony", o.polyphony, "Voices for the storm, sweep, soak and songs")
      ->check(cli::wholeRange(1, kMaxPolyphony, "voices"));
  awe::cli::addThreadsOption(app, o.threads);
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
  addProfileOptions(app, o.profile, bench::kBenchProfileSpec);
  if (const auto code = cli::parse(app, argc, argv)) return *code;
  return bench::runBenchCommand(std::move(o));
}
