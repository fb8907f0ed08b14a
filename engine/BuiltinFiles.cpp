#include "engine/BuiltinFiles.h"

#include <cstdlib>

namespace awe {

std::string builtinSoundfontDir() {
  if (const char* dir = std::getenv("AWE_SOUNDFONT_DIR"); dir != nullptr && *dir != '\0') return dir;
  return AWE_SOUNDFONT_DIR_DEFAULT;
}
std::string builtinBankPath() { return builtinSoundfontDir() + "/awe-gm.sf2"; }
std::string builtinSongPath() { return builtinSoundfontDir() + "/demo.mid"; }

}  // namespace awe
