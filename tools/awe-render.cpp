// awe-render: plays a MIDI file through the synth as fast as possible into an audio file.
//
//   awe-render [song.mid] -o out.wav [--sf2 bank.sf2] [--rate R] [--polyphony N]
//              [--interp cubic|linear|none] [--format pcm16|pcm24|float] [--mode awe|modern|auto]
//              [--profile cpu,memory,spans] [--profile-rate HZ] [--profile-thread all|render]
//
// --profile writes the profiles next to the output (out.wav -> out.cpuprofile, out.cpu.svg,
// out.heap.txt, out.spans.txt, ...; engine/ProfileSession.h) and names them at the end.
// With no song or bank it uses the project's own demo song and bank (soundfonts/).
#include <fmt/core.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <map>

#include "emu8000/Bank.h"
#include "emu8000/Synth.h"
#include "engine/BuiltinFiles.h"
#include "engine/MidiFile.h"
#include "engine/OfflineRender.h"
#include "engine/Sequencer.h"
#include "engine/WavWriter.h"
#include "engine/cli/Cli.h"
#include "engine/cli/ProfileCli.h"

namespace {

// A one-line progress bar on a terminal, redrawn at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void update(double done_s, double total_s) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
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
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"awe-render: render a MIDI file through the EMU8000-style synth to an audio file"};
  awe::cli::setUp(app, "awe-render");
  std::string songPath, bankPath, outPath, interp = "cubic", format = "pcm16", mode = "awe",
              attenuation = "hardware";
  std::string reverb = awe::reverbTypeKey(awe::kDefaultReverbType), chorus = awe::chorusTypeKey(awe::kDefaultChorusType);
  bool noEffects = false;
  double rate = awe::kDefaultSampleRate, gain_dB = 0.0, tail_s = 10.0;
  int polyphony = 256;
  size_t block = 1024;
  bool quiet = false;
  awe::ProfileCliOptions profileOptions;
  const awe::ProfileCliSpec profileSpec{"awe-render", "render", false, ""};
  app.add_option("song", songPath, "Standard MIDI File (default: the built-in demo song)")->check(CLI::ExistingFile);
  app.add_option("-o,--output", outPath, "Audio file to write (.wav, .flac, .aiff)")->required();
  app.add_option("--sf2", bankPath, "SoundFont 2 bank (default: the built-in bank)")->check(CLI::ExistingFile);
  app.add_option("--rate", rate, "Sample rate in Hz")->check(awe::cli::range(8000.0, 192000.0, "Hz"));
  app.add_option("--polyphony", polyphony, "Voices")->check(awe::cli::wholeRange(1, awe::kMaxPolyphony, "voices"));
  app.add_option("--interp", interp, "Interpolation")->check(CLI::IsMember({"cubic", "linear", "none"}));
  app.add_option("--format", format, "Sample format")->check(CLI::IsMember({"pcm16", "pcm24", "float"}));
  app.add_option("--reverb", reverb, "Reverb type: room-1..3, hall-1, hall-2, plate, delay, panning-delay")
      ->check([](const std::string& v) { return awe::reverbTypeFromName(v) ? "" : "unknown reverb type '" + v + "'"; });
  app.add_option("--chorus", chorus,
                 "Chorus type: chorus-1..4, feedback, flanger, short-delay, short-delay-fb")
      ->check([](const std::string& v) { return awe::chorusTypeFromName(v) ? "" : "unknown chorus type '" + v + "'"; });
  app.add_flag("--no-effects", noEffects, "Dry output: no reverb or chorus");
  app.add_option("--mode", mode, "Personality: awe (EMU8000), modern (SF2.04), auto (by the bank's sound engine)")
      ->check(CLI::IsMember({"awe", "modern", "auto"}));
  app.add_option("--attenuation", attenuation,
                 "SF2 initialAttenuation: hardware (x0.4, as banks were voiced) or literal (as the spec writes it)")
      ->check(CLI::IsMember({"hardware", "literal"}));
  app.add_option("--gain", gain_dB, "Gain in dB relative to the default master gain (-10 dB)")->check(awe::cli::range(-60.0, 24.0, "dB"));
  app.add_option("--block", block, "Frames per render call")->check(awe::cli::wholeRange(1, 65536, "frames"));
  app.add_option("--tail", tail_s, "Longest release tail after the song ends, in seconds")->check(awe::cli::range(0.0, 600.0, "s"));
  app.add_flag("-q,--quiet", quiet, "No progress bar");
  awe::addProfileOptions(app, profileOptions, profileSpec);
  if (const auto code = awe::cli::parse(app, argc, argv)) return *code;
  if (!awe::cli::checkOutputs("awe-render", {{"-o", outPath}})) return awe::cli::kExitUsage;

  std::unique_ptr<awe::ProfileSession> profile;
  try {
    profile = awe::startProfile(profileOptions, profileSpec, {outPath});
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-render: {}\n", e.what());
    return 4;
  }

  try {
    if (songPath.empty()) songPath = awe::builtinSongPath();
    if (bankPath.empty()) bankPath = awe::builtinBankPath();
    std::vector<awe::LoadWarning> warnings;
    auto bank = awe::Bank::loadSf2(bankPath, &warnings);
    if (!warnings.empty() && !quiet) {
      fmt::print(stderr, "{}: {} warning(s) while loading (first: {} at byte {}: {})\n", bankPath, warnings.size(),
                 warnings[0].chunk, warnings[0].offset, warnings[0].message);
    }
    auto song = std::make_shared<const awe::MidiFile>(awe::MidiFile::load(songPath));

    awe::SynthSettings settings;
    settings.personality = mode == "auto" ? awe::personalityForBank(*bank) : awe::parsePersonality(mode);
    settings.attenuation = awe::parseAttenuationReading(attenuation);
    settings.sampleRate = rate;
    settings.polyphony = polyphony;
    settings.interpolation = interp == "cubic"    ? awe::Interpolation::Cubic
                             : interp == "linear" ? awe::Interpolation::Linear
                                                  : awe::Interpolation::None;
    settings.masterGain *= static_cast<float>(std::pow(10.0, gain_dB / 20.0));
    settings.reverb = *awe::reverbTypeFromName(reverb);
    settings.chorus = *awe::chorusTypeFromName(chorus);
    settings.effectsEnabled = !noEffects;
    awe::Synth synth(settings);
    synth.setBank(bank);
    awe::Sequencer sequencer(rate);
    sequencer.load(song);

    const awe::SampleFormat sampleFormat = format == "pcm16"   ? awe::SampleFormat::Pcm16
                                           : format == "pcm24" ? awe::SampleFormat::Pcm24
                                                               : awe::SampleFormat::Float32;
    awe::WavWriter writer(outPath, rate, sampleFormat);
    ProgressBar bar(!quiet && isatty(STDERR_FILENO) != 0);
    awe::OfflineRenderSettings renderSettings;
    renderSettings.blockFrames = block;
    renderSettings.maxTail_s = tail_s;
    if (profile) {
      profile->heapMark("loaded");
      renderSettings.spans = profile->spanTap();
    }
    const auto result = awe::renderSong(
        synth, sequencer, renderSettings,
        [&](const float* l, const float* r, size_t n) { writer.write(l, r, n); },
        [&](double done, double total) { bar.update(done, total); });
    writer.close();
    bar.finish();
    if (profile) profile->heapMark("rendered");

    const double voiceNs =
        result.voiceSamples > 0 ? result.wall_s * 1e9 / static_cast<double>(result.voiceSamples) : 0.0;
    fmt::print("{}: {:.1f} s of audio in {:.2f} s ({:.1f}x real time, {} personality); peak {:.1f} dBFS, up to {} "
               "voices, {} steals, {} voice-samples, {:.2f} ns per voice-sample\n",
               outPath, result.audio_s, result.wall_s, result.timesRealTime(), awe::personalityName(settings.personality),
               20.0 * std::log10(std::max(result.peak, 1e-9f)), result.maxVoices, result.counters.steals,
               result.voiceSamples, voiceNs);
    if (result.peak > 1.0f && sampleFormat != awe::SampleFormat::Float32) {
      fmt::print(stderr, "warning: the mix peaks at {:+.1f} dBFS and was clipped; try --gain {:.0f}\n",
                 20.0 * std::log10(result.peak), std::floor(-20.0 * std::log10(result.peak)));
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-render: {}\n", e.what());
    return 4;
  }
  // Last, with the bank, song and synth gone: the leak report shows what really stayed.
  if (profile) {
    try {
      awe::finishProfile(*profile, stdout);
    } catch (const std::exception& e) {
      fmt::print(stderr, "awe-render: {}\n", e.what());
      return 4;
    }
  }
  return 0;
}
