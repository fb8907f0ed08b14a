#pragma once
// Where the project's own bank and demo song live, so every tool works with no files.
#include <string>

namespace awe {

// The folder holding awe-gm.sf2 and demo.mid: $AWE_SOUNDFONT_DIR when set, else the
// source tree's soundfonts/ folder this build was configured from. [any thread]
std::string builtinSoundfontDir();
std::string builtinBankPath();   // awe-gm.sf2
std::string builtinSongPath();   // demo.mid

}  // namespace awe
