#include "engine/cli/SynthCli.h"

#include <fmt/core.h>

#include <cmath>

#include "emu8000/Effects.h"
#include "emu8000/Personality.h"
#include "engine/Banks.h"
#include "engine/cli/Cli.h"

namespace awe::cli {

CLI::Option* addBankOption(CLI::App& app, std::vector<std::string>& banks, const std::string& defaultText) {
  const std::string fallback = defaultText.empty()
                                   ? "$AWE_SOUNDFONT, else the system GM bank " + std::string(kSystemGmBankPath) +
                                         ", else the built-in bank"
                                   : defaultText;
  return app
      .add_option("--sf2", banks,
                  "SoundFont bank (SF2 or SF3); give it again to stack banks: each bank and program plays from the first "
                  "bank that has it. 'builtin': the built-in bank (default: " + fallback + ")")
      ->allow_extra_args(false)  // --sf2 a.sf2 song.mid: the song is not a second bank
      ->check([](const std::string& value) -> std::string {
        if (value == kBuiltinBankName) return {};
        std::string path = value;
        return CLI::ExistingFile(path);
      });
}

void addSoundOptions(CLI::App& app, SoundOptions& o) {
  app.add_option("--mode", o.mode, "Personality: awe (EMU8000), modern (SF2.04), auto (by the bank's sound engine)")
      ->check(CLI::IsMember({"awe", "modern", "auto"}));
  app.add_option("--attenuation", o.attenuation,
                 "SF2 initialAttenuation: hardware (x0.4, as banks were voiced) or literal (as the spec writes it)")
      ->check(CLI::IsMember({"hardware", "literal"}));
  app.add_option("--gain", o.gain_dB, "Gain in dB relative to the default master gain (-10 dB)")
      ->check(range(-60.0, 24.0, "dB"));
  app.add_option("--reverb", o.reverb, "Reverb type: room-1..3, hall-1, hall-2, plate, delay, panning-delay (default hall-1)")
      ->check([](const std::string& v) { return reverbTypeFromName(v) ? "" : "unknown reverb type '" + v + "'"; });
  app.add_option("--chorus", o.chorus,
                 "Chorus type: chorus-1..4, feedback, flanger, short-delay, short-delay-fb (default chorus-1)")
      ->check([](const std::string& v) { return chorusTypeFromName(v) ? "" : "unknown chorus type '" + v + "'"; });
  app.add_flag("--no-effects", o.noEffects, "Dry output: no reverb or chorus");
}

void addThreadsOption(CLI::App& app, int& threads) {
  app.add_option("--threads", threads,
                 "Render the voices on N threads: the audio thread and N-1 voice workers (same output to the bit)")
      ->check(wholeRange(1, kMaxRenderThreads, "threads"));
}

void applySoundOptions(const SoundOptions& o, const Bank& bank, SynthSettings& s) {
  s.personality = o.mode == "auto" ? personalityForBank(bank) : parsePersonality(o.mode);
  s.attenuation = parseAttenuationReading(o.attenuation);
  s.masterGain = SynthSettings{}.masterGain * static_cast<float>(std::pow(10.0, o.gain_dB / 20.0));
  if (!o.reverb.empty()) s.reverb = *reverbTypeFromName(o.reverb);
  if (!o.chorus.empty()) s.chorus = *chorusTypeFromName(o.chorus);
  if (o.noEffects) s.effectsEnabled = false;
}

std::vector<RunFile> bankInputs(const BankChoice& choice) {
  std::vector<RunFile> inputs;
  for (const std::string& path : choice.paths) inputs.push_back({path, "the bank (--sf2)"});
  return inputs;
}

BankStack loadChosenBanks(const BankChoice& choice, const std::string& tool, FILE* out) {
  const std::string line = bankChoiceLine(choice);
  if (!line.empty()) fmt::print(out, "{}: {}\n", tool, line);
  LoadedBanks loaded = loadBanks(choice.paths);
  for (const LoadWarningList& warnings : loaded.warnings) fmt::print(stderr, "{}", formatLoadWarnings(warnings));
  return std::move(loaded.stack);
}

}  // namespace awe::cli
