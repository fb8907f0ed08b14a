#pragma once
// Several banks played as one (`--sf2 a.sf2 --sf2 b.sf2`), as FluidSynth's SoundFont stack
// resolves presets: each (bank, program) plays from the first bank that has it; the synth's
// own fallbacks (GM bank 0, drum kit 0) then look over the whole stack, because the synth
// sees one Bank.
#include <memory>
#include <string>
#include <vector>

#include "emu8000/Bank.h"

namespace awe {

// One file of a stack, first one first.
struct BankLayer {
  std::string path;
  BankInfo info;
  size_t presets = 0;   // presets in the file
  size_t shadowed = 0;  // of those, how many an earlier layer has too (same bank and program): never heard
};

struct BankStack {
  std::shared_ptr<const Bank> bank;  // what the synth plays; info() and path() are the first layer's
  std::vector<BankLayer> layers;
};

// [control thread] One Bank of all of `banks`. Samples, instruments, zones and modulators
// are copied as they are (their indices moved), so each preset sounds exactly as from its
// own bank; a preset an earlier bank has is left out. A single bank is returned as it is.
BankStack stackBanks(const std::vector<std::shared_ptr<const Bank>>& banks);

}  // namespace awe
