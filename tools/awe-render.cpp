// awe-render: plays a MIDI file through the synth as fast as possible into an audio file.
//
//   awe-render [song.mid] -o out.wav|out.flac|out.aiff|out.ogg|out.opus|out.mp3|- [--format F]
//              [--sample-format pcm16|pcm24|float] [--sf2 bank.sf2 [--sf2 more.sf2]] [--rate R] [--polyphony N]
//              [--interp cubic|linear|none] [--mode awe|modern|auto] [--gain DB] [--reverb T] [--chorus T] [--max-length 1:00:00]
//              [--keep-partial] [--profile cpu,memory,spans] [--profile-rate HZ] [--profile-thread all|render]
//   awe-render song.mid... -o DIR/ [-j N] [options as above]
//
// Several songs (or -o naming a folder) make a batch: DIR/<song name>.<ext>, N renders at a
// time, each in its own process; a batch run again skips the outputs already complete
// (tools/render/RenderBatch.h).
// The file is written under a temporary name and renamed when complete: Ctrl-C, a full disk
// or any error leaves the old file as it was (monitor/report/OutputFile.h). `-o -` streams WAV to
// standard output; the progress and the summary then go to standard error.
// --profile writes the profiles next to the output (out.wav -> out.cpuprofile, out.cpu.svg,
// out.heap.txt, out.spans.txt, ...; engine/ProfileSession.h) and names them at the end.
// With no song or bank it uses the project's own demo song and bank (soundfonts/).
#include <fmt/core.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>

#include "emu8000/Bank.h"
#include "emu8000/Synth.h"
#include "engine/Engine.h"
#include "engine/BuiltinFiles.h"
#include "engine/LoadWarnings.h"
#include "engine/Sf3Decoder.h"
#include "engine/MidiFile.h"
#include "engine/OfflineRender.h"
#include "engine/WavWriter.h"
#include "engine/cli/Cli.h"
#include "engine/cli/ProfileCli.h"
#include "engine/cli/SynthCli.h"
#include "monitor/Format.h"
#include "monitor/report/OutputFile.h"
#include "tools/render/RenderBatch.h"

namespace {

// A one-line progress bar on a terminal, redrawn at most ten times a second; in a batch's
// render, "done_s total_s" lines on the batch's progress pipe instead.
class ProgressBar {
 public:
  ProgressBar(bool enabled, int batchFd) : enabled_(enabled || batchFd >= 0), batchFd_(batchFd) {}
  void update(double done_s, double total_s) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    if (batchFd_ >= 0) {
      dprintf(batchFd_, "%.3f %.3f\n", done_s, total_s);
      return;
    }
    const double fraction = total_s > 0.0 ? std::min(done_s / total_s, 1.0) : 1.0;
    const int width = 40;
    const int filled = static_cast<int>(fraction * width);
    fmt::print(stderr, "\r[{}{}] {:3.0f}%  {:.1f} / {:.1f} s", std::string(static_cast<size_t>(filled), '#'),
               std::string(static_cast<size_t>(width - filled), '.'), fraction * 100.0, done_s, total_s);
    drawn_ = true;
  }
  void finish() {
    if (drawn_) fmt::print(stderr, "\r{:70}\r", "");
  }

 private:
  bool enabled_;
  int batchFd_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// The signal that asked the render to stop (SIGINT, SIGTERM, SIGHUP), 0 while none did.
volatile std::sig_atomic_t g_stopSignal = 0;

extern "C" void requestStop(int signal) { g_stopSignal = signal; }

void catchStopSignals() {
  struct sigaction action {};
  action.sa_handler = requestStop;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

// Ends the process by the signal that stopped it, so a shell or script sees what happened
// (a loop in a shell script stops on Ctrl-C instead of going on with the next file).
[[noreturn]] void dieBySignal(int signal) {
  std::fflush(stdout);
  std::fflush(stderr);
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(signal, &action, nullptr);
  std::raise(signal);
  std::_Exit(128 + signal);
}

const char* stopWords(int signal) {
  switch (signal) {
    case SIGINT: return "interrupted (SIGINT, Ctrl-C)";
    case SIGTERM: return "stopped (SIGTERM)";
    case SIGHUP: return "stopped (SIGHUP: the terminal went away)";
    default: return "stopped";
  }
}

// "1:00:00", "90:00", "3600", "3600.5" (seconds); nullopt when it is none of these.
std::optional<double> parseLength_s(const std::string& text) {
  double total = 0.0;
  size_t start = 0;
  int fields = 0;
  while (true) {
    const size_t colon = text.find(':', start);
    const std::string field = text.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (field.empty() || field.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
    size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(field, &used);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (used != field.size()) return std::nullopt;
    total = total * 60.0 + value;
    if (++fields > 3) return std::nullopt;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return total;
}

// out.wav -> out.partial.wav (the extension stays last, so players still know the format).
std::string partialName(const std::string& path) {
  const std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + ".partial" + p.extension().string())).string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"awe-render: render a MIDI file through the EMU8000-style synth to an audio file"};
  awe::cli::setUp(app, "awe-render");
  std::string songPath, outPath, interp = "cubic", format, sampleFormatName = "pcm16";
  std::vector<std::string> banks;
  awe::cli::SoundOptions sound;
  std::vector<std::string> songs;
  std::string maxLengthText = "1:00:00";
  bool keepPartial = false;
  double rate = awe::kDefaultSampleRate, tail_s = 10.0;
  int polyphony = awe::kDefaultPolyphony;  // one default in every tool (emu8000/Config.h)
  size_t block = 1024;
  bool quiet = false;
  int jobs = 1, progressFd = -1;
  awe::ProfileCliOptions profileOptions;
  const awe::ProfileCliSpec profileSpec{"awe-render", "render", false, ""};
  app.add_option("song", songs, "Standard MIDI File(s) (default: the built-in demo song); several make a batch")
      ->check(CLI::ExistingFile);
  app.add_option("-o,--output", outPath,
                 "Audio file to write: .wav, .flac, .aiff, .ogg (Vorbis), .opus, .mp3 (where libsndfile has it), or - "
                 "for WAV on standard output; a folder (DIR/) for a batch: DIR/<song name>.<format, default wav>")
      ->required();
  awe::cli::addBankOption(app, banks);
  app.add_option("-j,--jobs", jobs, "Batch: songs rendered at once, each in its own process (0: one per core)")
      ->check(awe::cli::wholeRange(0, 1024, "renders"));
  app.add_option("--progress-fd", progressFd)->group("");  // a batch's render reports its progress there
  auto* rateOption = app.add_option("--rate", rate, "Sample rate in Hz (default 44100; 48000 for Opus)")
                         ->check(awe::cli::range(8000.0, 192000.0, "Hz"));
  app.add_option("--polyphony", polyphony, "Voices")->check(awe::cli::wholeRange(1, awe::kMaxPolyphony, "voices"));
  app.add_option("--interp", interp, "Interpolation")->check(CLI::IsMember({"cubic", "linear", "none"}));
  app.add_option("--format", format,
                 "File format: " + awe::availableContainers() + " (those this libsndfile writes; default: by the output's "
                 "extension)")
      ->check([](const std::string& v) {
        if (v == "pcm16" || v == "pcm24" || v == "float") return std::string();  // the older spelling of --sample-format
        return awe::containerFromName(v) ? std::string()
                                         : "unknown format '" + v + "' (this build writes: " + awe::availableContainers() + ")";
      });
  app.add_option("--sample-format", sampleFormatName, "Samples of WAV, AIFF and FLAC files (lossy formats encode floats)")
      ->check(CLI::IsMember({"pcm16", "pcm24", "float"}));
  app.add_option("--max-length", maxLengthText,
                 "Longest render, as h:mm:ss or seconds (default 1:00:00): a damaged delta time cannot fill the disk")
      ->check([](const std::string& v) {
        const auto length = parseLength_s(v);
        return length && *length > 0.0 ? std::string() : "--max-length takes h:mm:ss, m:ss or seconds, not '" + v + "'";
      });
  app.add_flag("--keep-partial", keepPartial,
               "On Ctrl-C, keep what was rendered as <name>.partial.<ext> (the output itself stays as it was)");
  awe::cli::addSoundOptions(app, sound);
  int threads = 1;
  awe::cli::addThreadsOption(app, threads);
  // --buffer as in every tool; --block, its old name, stays as a hidden alias.
  app.add_option("--buffer", block, "Frames per render call")->check(awe::cli::wholeRange(1, 65536, "frames"));
  app.add_option("--block", block)->check(awe::cli::wholeRange(1, 65536, "frames"))->group("");
  app.add_option("--tail", tail_s, "Longest release tail after the song ends, in seconds")->check(awe::cli::range(0.0, 600.0, "s"));
  app.add_flag("-q,--quiet", quiet, "No progress bar");
  awe::addProfileOptions(app, profileOptions, profileSpec);
  if (const auto code = awe::cli::parse(app, argc, argv)) return *code;
  // A batch: several songs, or -o naming a folder. Every song is one run of this program.
  std::error_code folderError;
  const bool toFolder = !outPath.empty() && (outPath.back() == '/' || std::filesystem::is_directory(outPath, folderError));
  if (songs.size() > 1 && !toFolder) {
    fmt::print(stderr, "awe-render: {} songs need -o naming a folder (-o DIR/), not the file {}\n", songs.size(), outPath);
    return awe::cli::kExitUsage;
  }
  if (toFolder) {
    std::string extension = "wav";
    if (!format.empty() && format != "pcm16" && format != "pcm24" && format != "float")
      extension = awe::containerName(*awe::containerFromName(format));
    awe::RenderBatch batch;
    batch.songs = songs.empty() ? std::vector<std::string>{awe::builtinSongPath()} : songs;
    batch.outFolder = outPath;
    batch.extension = extension;
    batch.jobs = jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    batch.quiet = quiet;
    batch.renderArgs = awe::singleRenderArgs(app, argc, argv, {"-o", "-j", "-q", "--progress-fd"});
    try {
      std::filesystem::create_directories(outPath);
      if (!awe::cli::checkOutputs("awe-render", {{"-o", (std::filesystem::path(outPath) / "x.wav").string()}}))
        return awe::cli::kExitUsage;
      return awe::runRenderBatch(batch);
    } catch (const std::exception& e) {
      fmt::print(stderr, "awe-render: {}\n", e.what());
      return awe::cli::kExitUsage;
    }
  }
  if (!songs.empty()) songPath = songs.front();
  if (!awe::cli::checkOutputs("awe-render", {{"-o", outPath}})) return awe::cli::kExitUsage;
  if (format == "pcm16" || format == "pcm24" || format == "float") {
    sampleFormatName = format;
    format.clear();
  }
  const bool toStdout = outPath == "-";
  awe::BankChoice bankChoice;
  std::vector<awe::RunFile> inputs;
  try {  // the output over an input is the first thing to refuse (the profiles are checked with it later)
    bankChoice = awe::chooseBanks(banks);
    inputs = awe::cli::bankInputs(bankChoice);
    inputs.push_back({songPath.empty() ? awe::builtinSongPath() : songPath, "the song"});
    awe::refuseOutputsOverInputs({{outPath, "the output (-o)"}}, inputs);
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-render: {}\n", e.what());
    return awe::cli::kExitUsage;
  }
  // With the audio on standard output, everything else goes to standard error.
  FILE* const textOut = toStdout ? stderr : stdout;
  awe::AudioContainer container = awe::AudioContainer::Wav;
  if (!format.empty()) {
    container = *awe::containerFromName(format);
  } else if (!toStdout) {
    const auto byExtension = awe::containerForPath(outPath);
    if (!byExtension) {
      fmt::print(stderr, "awe-render: {}: unknown file extension; name the file .wav, .flac, .aiff, .ogg, .opus or .mp3, "
                         "or give --format (this build writes: {})\n", outPath, awe::availableContainers());
      return awe::cli::kExitUsage;
    }
    container = *byExtension;
  }
  if (toStdout && container != awe::AudioContainer::Wav) {
    fmt::print(stderr, "awe-render: -o - writes WAV only (a pipe cannot take the {} header's sizes after the fact)\n",
               awe::containerName(container));
    return awe::cli::kExitUsage;
  }
  if (!awe::containerAvailable(container)) {
    fmt::print(stderr, "awe-render: the libsndfile here cannot write {} (it writes: {})\n", awe::containerName(container),
               awe::availableContainers());
    return awe::cli::kExitUsage;
  }
  const std::vector<int> codecRates = awe::containerSampleRates(container);
  if (!codecRates.empty() && std::find(codecRates.begin(), codecRates.end(), static_cast<int>(rate)) == codecRates.end()) {
    if (rateOption->count() == 0 && container == awe::AudioContainer::Opus) {
      rate = 48000.0;  // Opus runs at 48 kHz; render at its rate rather than resample
    } else {
      std::string list;
      for (const int r : codecRates) list += (list.empty() ? "" : ", ") + std::to_string(r);
      fmt::print(stderr, "awe-render: {} takes the sample rates {} Hz, not --rate {:g}\n", awe::containerName(container),
                 list, rate);
      return awe::cli::kExitUsage;
    }
  }
  const double maxLength_s = *parseLength_s(maxLengthText);

  if (songPath.empty()) songPath = awe::builtinSongPath();
  std::unique_ptr<awe::ProfileSession> profile;
  try {
    profile = awe::startProfile(profileOptions, profileSpec, {outPath});
    // Nothing this run writes may be a file it reads: checked before any work.
    awe::checkRunFiles({{outPath, "the output (-o)"}}, profile.get(), inputs);
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-render: {}\n", e.what());
    return awe::cli::kExitUsage;
  }

  try {
    const awe::BankStack stack = awe::cli::loadChosenBanks(bankChoice, "awe-render", textOut);
    const std::shared_ptr<const awe::Bank>& bank = stack.bank;
    auto song = std::make_shared<const awe::MidiFile>(awe::MidiFile::load(songPath));
    fmt::print(stderr, "{}", awe::formatLoadWarnings(awe::loadWarningList(*song)));

    awe::SynthSettings settings;
    awe::cli::applySoundOptions(sound, *bank, settings);
    settings.sampleRate = rate;
    settings.polyphony = polyphony;
    settings.interpolation = interp == "cubic"    ? awe::Interpolation::Cubic
                             : interp == "linear" ? awe::Interpolation::Linear
                                                  : awe::Interpolation::None;
    // The Engine on its offline driver: the code awe-bench --pace freewheel measures.
    awe::EngineSettings engineSettings = awe::offlineEngineSettings(settings, static_cast<uint32_t>(block));
    engineSettings.renderThreads = threads;
    awe::Engine engine(engineSettings);
    engine.setBank(bank);
    engine.setSong(song);

    const awe::SampleFormat sampleFormat = sampleFormatName == "pcm16"   ? awe::SampleFormat::Pcm16
                                           : sampleFormatName == "pcm24" ? awe::SampleFormat::Pcm24
                                                                         : awe::SampleFormat::Float32;
    const double songLength_s = engine.songLength_s();
    if (songLength_s > maxLength_s) {
      fmt::print(stderr, "awe-render: warning: {} is {} long; rendering only the first {} (--max-length)\n", songPath,
                 awe::formatAudioTime(songLength_s), awe::formatAudioTime(maxLength_s));
    }
    // Refuse before the work a render the disk cannot hold (the old file's space stays in
    // use until the new one replaces it).
    if (!toStdout) {
      const double expected_s = std::min(songLength_s + tail_s, maxLength_s);
      const double needed = expected_s * awe::containerBytesPerSecond(container, sampleFormat, rate);
      const std::filesystem::path folder = std::filesystem::path(outPath).has_parent_path()
                                               ? std::filesystem::path(outPath).parent_path()
                                               : std::filesystem::path(".");
      struct statvfs disk {};
      if (statvfs(folder.c_str(), &disk) == 0) {
        const double free = static_cast<double>(disk.f_bavail) * static_cast<double>(disk.f_frsize);
        if (needed > free) {
          fmt::print(stderr, "awe-render: {}: the render needs up to {} ({} of {} audio) but {} has only {} free; "
                             "nothing was written\n", outPath, awe::formatBytes(needed), awe::formatAudioTime(expected_s),
                     awe::containerName(container), folder.string(), awe::formatBytes(free));
          return awe::cli::kExitUsage;
        }
      }
    }

    catchStopSignals();  // from here on, Ctrl-C stops the render and keeps the old file
    awe::AudioFileWriter writer(outPath, rate, sampleFormat, container);
    ProgressBar bar(!quiet && isatty(STDERR_FILENO) != 0, progressFd);
    awe::OfflineRenderSettings renderSettings;
    renderSettings.maxTail_s = tail_s;
    renderSettings.maxFrames = static_cast<size_t>(std::llround(maxLength_s * rate));
    renderSettings.stopRequested = &g_stopSignal;
    if (profile) profile->heapMark("loaded");
    const awe::ProfileSession::Attachment spans(profile.get(), engine);  // stage spans, when asked for
    const auto result = awe::renderSong(
        engine, renderSettings,
        [&](const float* l, const float* r, size_t n) { writer.write(l, r, n); },
        [&](double done, double total) { bar.update(done, total); });
    bar.finish();
    if (result.end == awe::RenderEnd::Stopped) {
      const int signal = g_stopSignal;
      const std::string where = fmt::format("at {} of {}", awe::formatAudioTime(result.audio_s),
                                            awe::formatAudioTime(songLength_s));
      if (toStdout) {
        fmt::print(stderr, "awe-render: {} {}: the WAV stream on standard output ends there\n", stopWords(signal), where);
      } else if (keepPartial) {
        const std::string kept = writer.closeAs(partialName(outPath));
        fmt::print(stderr, "awe-render: {} {}: {} was left as it was; the partial render is in {}\n", stopWords(signal),
                   where, outPath, kept);
      } else {
        writer.discard();
        fmt::print(stderr, "awe-render: {} {}: {} was left as it was (nothing written; --keep-partial keeps what was "
                           "rendered)\n", stopWords(signal), where, outPath);
      }
      dieBySignal(signal);
    }
    writer.close();
    if (result.end == awe::RenderEnd::MaxLength) {
      fmt::print(stderr, "awe-render: warning: stopped at --max-length {}; the song is {} long\n",
                 awe::formatAudioTime(maxLength_s), awe::formatAudioTime(songLength_s));
    }
    if (profile) profile->heapMark("rendered");

    const double voiceNs =
        result.voiceSamples > 0 ? result.wall_s * 1e9 / static_cast<double>(result.voiceSamples) : 0.0;
    fmt::print(textOut, "{}: {:.1f} s of audio in {:.2f} s ({:.1f}x real time, {} personality); peak {:.1f} dBFS, up to {} "
               "voices, {} steals, {} voice-samples, {:.2f} ns per voice-sample\n",
               toStdout ? "standard output" : outPath, result.audio_s, result.wall_s, result.timesRealTime(), awe::personalityName(settings.personality),
               20.0 * std::log10(std::max(result.peak, 1e-9f)), result.maxVoices, result.counters.steals,
               result.voiceSamples, voiceNs);
    if (result.peak > 1.0f && sampleFormat != awe::SampleFormat::Float32) {
      fmt::print(stderr, "warning: the mix peaks at {:+.1f} dBFS and was clipped; try --gain {:.0f}\n",
                 20.0 * std::log10(result.peak), std::floor(-20.0 * std::log10(result.peak)));
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-render: {}\n", e.what());
    return awe::cli::kExitUsage;
  }
  // Last, with the bank, song and synth gone: the leak report shows what really stayed.
  if (profile) {
    try {
      awe::finishProfile(*profile, textOut);
    } catch (const std::exception& e) {
      fmt::print(stderr, "awe-render: {}\n", e.what());
      return awe::cli::kExitUsage;
    }
  }
  return 0;
}
