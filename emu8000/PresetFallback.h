#pragma once
// The synth's preset fallback, in one place: which preset a channel plays when its bank
// has no (bank, program). The synth resolves every program change through it, and the
// dashboard names a channel's preset through it, so the two cannot disagree.
#include <cstdint>

namespace awe {

class Bank;
struct Preset;

// [any thread] A drum part plays kit `program` of kDrumBank, else kit 0; a melodic part
// plays (`bankNumber`, `program`), else the GM sound (bank 0) of that program (the GS
// capital-tone fallback). nullptr when neither exists.
const Preset* presetFor(const Bank& bank, uint16_t bankNumber, uint16_t program, bool drum) noexcept;

}  // namespace awe
