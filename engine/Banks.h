#pragma once
// Which banks a tool plays with, and loading them as one stack (README "Banks"):
//   1. the --sf2 banks when given, first one first ("builtin" names the built-in bank);
//   2. else $AWE_SOUNDFONT (a bank, or "builtin");
//   3. else the system's General MIDI bank, Debian's default-GM.sf2 alternative
//      (/usr/share/sounds/sf2/default-GM.sf2, set by fluid-soundfont-gm and others);
//   4. else the built-in bank (soundfonts/awe-gm.sf2).
// Tests pin the choice with --sf2 builtin or AWE_SOUNDFONT=builtin, so the banks a
// machine has installed never change their results.
#include <memory>
#include <string>
#include <vector>

#include "emu8000/BankStack.h"
#include "engine/LoadWarnings.h"

namespace awe {

constexpr const char* kSystemGmBankPath = "/usr/share/sounds/sf2/default-GM.sf2";
constexpr const char* kBuiltinBankName = "builtin";  // --sf2 builtin, AWE_SOUNDFONT=builtin

struct BankChoice {
  std::vector<std::string> paths;  // in stack order, "builtin" already replaced by its path
  std::string source;              // why these: "--sf2", "$AWE_SOUNDFONT", "the system GM bank", "the built-in bank"
};

// [control thread] The rule above from its inputs: `given` (the --sf2 values), the value of
// $AWE_SOUNDFONT (nullptr or "" when unset) and the system bank's path. Throws
// std::runtime_error when $AWE_SOUNDFONT names a file that does not exist.
BankChoice chooseBanks(const std::vector<std::string>& given, const char* environment, const std::string& systemBank);
// The same with this process's environment and kSystemGmBankPath.
BankChoice chooseBanks(const std::vector<std::string>& given);

// "using the system GM bank /usr/share/sounds/sf2/default-GM.sf2 (--sf2 builtin: the built-in
// bank)": what a tool prints when it did not take the banks from --sf2, so a user knows which
// sound they hear. Empty when the banks came from --sf2.
std::string bankChoiceLine(const BankChoice& choice);

struct LoadedBanks {
  BankStack stack;                        // stack.bank: what the synth plays
  std::vector<LoadWarningList> warnings;  // what each loader repaired, one list per bank
};
// [control thread] Loads every bank (SF2 or SF3) and stacks them. Throws Sf2Error or
// std::runtime_error naming the bad file.
LoadedBanks loadBanks(const std::vector<std::string>& paths);

// One line per layer of the stack, for the player's window, --no-gui and awe-bankinfo:
//   "1. /x/a.sf2 \"Piano set\": 12 presets"
//   "2. /x/b.sf2 \"GM\": 189 presets, 12 of them never heard (an earlier bank has the same bank and program)"
std::vector<std::string> bankStackLines(const BankStack& stack);

}  // namespace awe
