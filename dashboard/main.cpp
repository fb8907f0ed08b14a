// awe-player: plays a MIDI file through the EMU8000-style synth (and any live MIDI input at
// the same time) with a live dashboard of what the monitor sees, and adaptive quality.
//
//   awe-player [song.mid ...] [--sf2 bank.sf2 ...] [--mode M] [--gain DB] [--reverb T] [--chorus T] [--driver auto|rtaudio|paced] [--api jack|alsa|pulse]
//              [--device NAME] [--rate HZ] [--buffer FRAMES] [--polyphony N]
//              [--midi-in PORT | --midi-virtual] [--midi-api auto|alsa|jack] [--schedule asap|fixed] [--loop]
//              [--view player|monitor] [--controls] [--playlist] [--no-gui] [--screenshot FILE --frames N] [--json FILE] [--trace FILE] [--quit-at-end]
//              [--profile cpu,memory,spans] [--profile-rate HZ] [--profile-thread all|audio]
//              [--profile-output BASE]
//
// No song: the built-in demo. No bank: engine/Banks.h's rule ($AWE_SOUNDFONT, the system GM
// bank, the built-in bank). No display: a one-line status on the
// terminal instead of the window. No audio device: the paced clock (the audio goes nowhere,
// the monitor still measures the synth in real time).
//
// Exit status: 0 done, 2 bad command line, 3 audio/MIDI device or display problem,
// 4 a file could not be loaded or written.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "dashboard/Session.h"
#include "dashboard/TerminalStatus.h"
#include "dashboard/Window.h"
#include "engine/BuiltinFiles.h"
#include "engine/cli/Cli.h"
#include "engine/cli/ProfileCli.h"
#include "engine/cli/SynthCli.h"

namespace {

std::atomic<bool> interrupted{false};

extern "C" void onInterrupt(int) { interrupted.store(true); }

}  // namespace

int main(int argc, char** argv) {
  // ---- command line --------------------------------------------------------------------------
  CLI::App app{"awe-player: play a MIDI file through the EMU8000-style synth with a live performance dashboard"};
  awe::cli::setUp(app, "awe-player");
  std::vector<std::string> banks;
  awe::cli::SoundOptions sound;
  std::vector<std::string> songPaths;  // the playlist; its first song plays at once
  std::string driver = "auto", api, device, midiIn, schedule = "asap";
  std::string screenshotPath, jsonPath, tracePath;
  double rate = awe::kDefaultSampleRate;
  uint32_t buffer = awe::kDefaultBufferFrames;
  int polyphony = awe::kDefaultPolyphony;
  int frames = 120;
  bool midiVirtual = false, loop = false, noGui = false, quitAtEnd = false, showControls = false, showPlaylist = false;
  awe::ProfileCliOptions profileOptions;
  const awe::ProfileCliSpec profileSpec{"awe-player", "audio", true, ""};
  app.add_option("songs", songPaths, "Standard MIDI Files, played in turn as a playlist (default: the built-in demo song)")
      ->check(CLI::ExistingFile);
  awe::cli::addBankOption(app, banks);
  awe::cli::addSoundOptions(app, sound);
  int threads = 1;
  awe::cli::addThreadsOption(app, threads);
  app.add_option("--driver", driver,
                 "Audio driver: auto (a device, else the paced clock), device (JACK, ALSA or PulseAudio; "
                 "'rtaudio' is its old name) or paced")
      ->check(CLI::IsMember({"auto", "device", "rtaudio", "paced"}));
  app.add_option("--api", api, "Audio API of the device (default: the first that works, JACK first)")
      ->check(CLI::IsMember({"jack", "alsa", "pulse"}));
  app.add_option("--device", device, "Audio output device: index or part of its name");
  app.add_option("--rate", rate, "Sample rate in Hz")->check(awe::cli::range(8000.0, 192000.0, "Hz"));
  app.add_option("--buffer", buffer, "Frames per audio buffer")->check(awe::cli::wholeRange(16, 16384, "frames"));
  app.add_option("--polyphony", polyphony, "Voices")->check(awe::cli::wholeRange(1, awe::kMaxPolyphony, "voices"));
  auto* midiInOption = app.add_option("--midi-in", midiIn, "Connect live MIDI input from this port (index or part of its name)");
  app.add_flag("--midi-virtual", midiVirtual, "Open our own MIDI input port for others to connect to")->excludes(midiInOption);
  std::string midiApi;
  awe::cli::addMidiApiOption(app, midiApi);
  app.add_option("--schedule", schedule, "Live MIDI schedule: asap (next buffer) or fixed (arrival + one buffer)")
      ->check(CLI::IsMember({"asap", "fixed"}));
  app.add_flag("--loop", loop, "Loop the song");
  app.add_flag("--controls", showControls, "Open the Controls panel at start (volume, effects, tempo, mixer)");
  app.add_flag("--playlist", showPlaylist, "Open the Playlist panel at start (it opens by itself with several songs)");
  app.add_flag("--no-gui", noGui, "No window: a one-line status on the terminal");
  auto* screenshotOption = app.add_option("--screenshot", screenshotPath, "Write a PNG of the window after --frames frames, then exit");
  // --screenshot-frames: --frames means buffer frames nowhere else; the old name stays hidden.
  app.add_option("--screenshot-frames", frames, "Frames to draw before the screenshot")->check(awe::cli::wholeRange(1, 100000, "frames"))->needs(screenshotOption);
  app.add_option("--frames", frames)->check(awe::cli::wholeRange(1, 100000, "frames"))->needs(screenshotOption)->group("");
  app.add_option("--json", jsonPath, "Write the session's JSON report here at exit");
  app.add_option("--trace", tracePath, "Write the session's Perfetto trace here at exit");
  app.add_flag("--quit-at-end", quitAtEnd, "Exit when the song is over");
  std::string view = "player";
  app.add_option("--view", view, "The tab shown at start: player (meters, keyboard, scope) or monitor (load, timing, voices)")
      ->check(CLI::IsMember({"player", "monitor"}));
  awe::addProfileOptions(app, profileOptions, profileSpec);
  if (const auto code = awe::cli::parse(app, argc, argv)) return *code;
  if (noGui && !screenshotPath.empty()) {
    fmt::print(stderr, "awe-player: --screenshot needs the window; drop --no-gui\n");
    return awe::cli::kExitUsage;
  }
  if (!awe::cli::checkOutputs("awe-player", {{"--json", jsonPath}, {"--trace", tracePath}, {"--screenshot", screenshotPath}})) {
    return awe::cli::kExitUsage;
  }

  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);

  // ---- deep profiling (before anything is loaded, so the heap profile sees it) ------------------
  std::unique_ptr<awe::ProfileSession> profile;
  awe::BankChoice bankChoice;
  try {
    bankChoice = awe::chooseBanks(banks);
    profile = awe::startProfile(profileOptions, profileSpec, {jsonPath, tracePath});
    // No report over a song or a bank (the built-in ones when none is given), nor two in one file.
    std::vector<awe::RunFile> inputs = awe::cli::bankInputs(bankChoice);
    if (songPaths.empty()) inputs.push_back({awe::builtinSongPath(), "the song"});
    for (const std::string& song : songPaths) inputs.push_back({song, "a song"});
    awe::checkRunFiles({{jsonPath, "--json"}, {tracePath, "--trace"}, {screenshotPath, "--screenshot"}}, profile.get(),
                       inputs);
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-player: {}\n", e.what());
    return awe::cli::kExitUsage;
  }

  // ---- files and engine ------------------------------------------------------------------------
  awe::EngineSettings settings;
  settings.driver.kind = driver == "device" || driver == "rtaudio" ? awe::DriverKind::Device
                         : driver == "paced" ? awe::DriverKind::Paced
                                             : awe::DriverKind::Auto;
  settings.driver.api = api;
  settings.driver.device = device;
  settings.driver.sampleRate = rate;
  settings.driver.bufferFrames = buffer;
  settings.driver.clientName = "awe-player";
  settings.polyphony = polyphony;
  settings.renderThreads = threads;
  settings.schedule = schedule == "fixed" ? awe::MidiSchedule::FixedLatency : awe::MidiSchedule::Asap;
  try {
    settings.midiApi = awe::parseMidiApi(midiApi);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "awe-player: AWE_MIDI_API: {}\n", e.what());
    return awe::cli::kExitUsage;
  }

  std::unique_ptr<awe::PlayerSession> session;
  try {
    const auto builtin = [](const std::string& path, const char* what, const char* option) {
      if (std::ifstream(path).good()) return path;
      throw std::runtime_error(fmt::format("the built-in {} {} is missing (soundfonts/ not made?); give {}", what, path, option));
    };
    // The banks before the engine: --mode auto follows the first one.
    if (bankChoice.source == "the built-in bank") builtin(bankChoice.paths.front(), "bank", "--sf2 BANK.sf2");
    awe::LoadedBanks loadedBanks = awe::loadBanks(bankChoice.paths);
    for (const awe::LoadWarningList& warnings : loadedBanks.warnings) fmt::print(stderr, "{}", awe::formatLoadWarnings(warnings));
    awe::cli::applySoundOptions(sound, *loadedBanks.stack.bank, settings.synth);
    session = std::make_unique<awe::PlayerSession>(settings);
    if (profile) profile->attach(session->engine());
    if (songPaths.empty()) songPaths.push_back(builtin(awe::builtinSongPath(), "demo song", "a song.mid"));
    session->setLoop(loop);
    session->takeBanks(std::move(loadedBanks));
    session->loadPlaylist(songPaths);
    if (profile) profile->heapMark("loaded");
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-player: {}\n", e.what());
    return awe::cli::kExitUsage;
  }

  try {
    const std::string note = session->startAudio();
    if (!note.empty()) fmt::print(stderr, "awe-player: {}\n", note);
    const awe::AudioDriver* d = session->engine().driver();
    fmt::print(stderr, "awe-player: {} on {} ({} Hz, {} frames)\n", session->songPath(), d->description(),
               static_cast<int>(d->sampleRate()), d->bufferFrames());
    // Which banks play, first one first (and why these, when --sf2 did not name them).
    const std::string choiceLine = awe::bankChoiceLine(bankChoice);
    if (!choiceLine.empty()) fmt::print(stderr, "awe-player: {}\n", choiceLine);
    for (const std::string& line : session->bankStack()) fmt::print(stderr, "awe-player: bank {}\n", line);
  } catch (const awe::DriverError& e) {
    fmt::print(stderr, "awe-player: no audio: {}\n", e.what());
    return awe::cli::kExitUsage;
  }

  try {
    if (!midiIn.empty()) {
      session->connectMidiInput(midiIn);
      fmt::print(stderr, "awe-player: MIDI input from {} ({})\n", session->midiInput()->portName(),
                 awe::midiApiName(session->midiInput()->api()));
    } else if (midiVirtual) {
      session->openVirtualMidiInput("midi_in");
      fmt::print(stderr, "awe-player: MIDI input port {}-midi:midi_in is open ({})\n", settings.driver.clientName,
                 awe::midiApiName(session->midiInput()->api()));
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-player: {}\n", e.what());
    return awe::cli::kExitUsage;
  }
  const bool liveInput = !midiIn.empty() || midiVirtual;

  // ---- the window, or the status line ----------------------------------------------------------
  int status = 0;
  bool windowShown = false;
  if (!noGui) {
    awe::WindowOptions windowOptions;
    windowOptions.monitorView = view == "monitor";
    windowOptions.screenshotPath = screenshotPath;
    windowOptions.screenshotFrames = frames;
    windowOptions.quitAtEnd = quitAtEnd;
    windowOptions.showControls = showControls;
    windowOptions.showPlaylist = showPlaylist;
    const awe::WindowOutcome outcome = awe::runDashboardWindow(*session, windowOptions, interrupted);
    windowShown = outcome.opened;
    if (!outcome.opened) {
      if (!screenshotPath.empty()) {
        fmt::print(stderr, "awe-player: {}; cannot take the screenshot\n", outcome.noDisplay);
        return awe::cli::kExitUsage;
      }
      fmt::print(stderr, "awe-player: {}; showing a status line instead\n", outcome.noDisplay);
    }
    if (!outcome.error.empty()) {
      fmt::print(stderr, "awe-player: {}\n", outcome.error);
      status = awe::cli::kExitUsage;
    }
    if (!outcome.screenshot.empty()) fmt::print(stderr, "awe-player: wrote {}\n", outcome.screenshot);
  }
  if (!windowShown) {
    awe::TerminalOptions terminalOptions;
    terminalOptions.keepRunning = liveInput && !quitAtEnd;
    awe::runTerminalStatus(*session, terminalOptions, interrupted);
  }

  // ---- cleanup: stop the audio, then write what was asked for ---------------------------------
  session->engine().stop();
  const awe::Snapshot last = session->engine().monitor().snapshot(0);
  fmt::print(stderr, "awe-player: {} buffers, {} deadline misses, {} xruns, peak load {:.1f} %, health {}\n", last.buffers,
             last.deadlineMisses, last.xruns, last.peakLoad * 100.0, awe::healthName(last.health.health));
  try {
    if (!jsonPath.empty()) fmt::print(stderr, "awe-player: {}\n", session->writeJsonReport(jsonPath));
    if (!tracePath.empty()) fmt::print(stderr, "awe-player: {}\n", session->writeTrace(tracePath));
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-player: {}\n", e.what());
    status = awe::cli::kExitUsage;
  }
  if (profile) {
    // With the engine and the window gone, so the leak report shows what really stayed.
    profile->heapMark("played");
    profile->release(session->engine());
    session.reset();
    try {
      awe::finishProfile(*profile, stderr, "awe-player: profile ");
    } catch (const std::exception& e) {
      fmt::print(stderr, "awe-player: {}\n", e.what());
      status = awe::cli::kExitUsage;
    }
  }
  return status;
}
