#pragma once
// Where the project's own bank and demo song live, so every tool works with no files.
#include <string>

namespace awe {

// The folder holding awe-gm.sf2 and demo.mid: $AWE_SOUNDFONT_DIR when set, else the data
// folder beside this program's own folder (/proc/self/exe, then ../share/awe, as
// `cmake --install` lays it out: bin/awe-render and share/awe/awe-gm.sf2). The build tree
// has the same layout (build/bin, build/share/awe), so no path is compiled in. [any thread]
std::string builtinSoundfontDir();
std::string builtinBankPath();   // awe-gm.sf2
std::string builtinSongPath();   // demo.mid

}  // namespace awe
