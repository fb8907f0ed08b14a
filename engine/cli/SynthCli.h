#pragma once
// The options about banks and sound that every tool playing the synth shares (README
// "Options"), parsed in one place so they mean the same everywhere:
//   --sf2 BANK (repeatable: a stack, first one first; "builtin": the built-in bank)
//   --mode awe|modern|auto, --gain DB, --reverb TYPE, --chorus TYPE, --no-effects,
//   --attenuation hardware|literal, --threads N
//
//   std::vector<std::string> banks;  awe::cli::SoundOptions sound;
//   awe::cli::addBankOption(app, banks);
//   awe::cli::addSoundOptions(app, sound);
//   ... parse ...
//   const awe::BankChoice choice = awe::chooseBanks(banks);     // engine/Banks.h (may throw)
//   const awe::BankStack stack = awe::cli::loadChosenBanks(choice, "awe-render", stdout);
//   awe::cli::applySoundOptions(sound, *stack.bank, settings);
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "emu8000/Bank.h"
#include "emu8000/Synth.h"
#include "engine/Banks.h"
#include "monitor/report/OutputFile.h"

namespace awe::cli {

// --sf2, as often as wanted; each value an existing file or "builtin". `what` ends the help
// line ("default: ..."), for tools whose default is not the rule of engine/Banks.h.
CLI::Option* addBankOption(CLI::App& app, std::vector<std::string>& banks, const std::string& defaultText = "");

struct SoundOptions {
  std::string mode = "awe";              // awe, modern, auto (by the first bank's sound engine)
  std::string attenuation = "hardware";  // hardware (x0.4) or literal
  double gain_dB = 0.0;                  // relative to SynthSettings' default master gain
  std::string reverb;                    // empty: the synth's default (Hall 1)
  std::string chorus;                    // empty: Chorus 1
  bool noEffects = false;
};
void addSoundOptions(CLI::App& app, SoundOptions& options);
// --threads N (default 1): EngineSettings::renderThreads, for every tool that runs the engine.
void addThreadsOption(CLI::App& app, int& threads);
// After parsing, with the bank the synth will play (for --mode auto).
void applySoundOptions(const SoundOptions& options, const Bank& bank, SynthSettings& settings);

// The chosen banks as inputs no output may overwrite ("the bank (--sf2)").
std::vector<RunFile> bankInputs(const BankChoice& choice);

// [control thread] Loads the chosen banks (loadBanks) and prints, to `out`, which banks a tool
// took when --sf2 did not name them (bankChoiceLine), then what each loader repaired (to
// stderr). Throws as loadBanks does.
BankStack loadChosenBanks(const BankChoice& choice, const std::string& tool, FILE* out);

}  // namespace awe::cli
