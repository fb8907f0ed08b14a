#include "engine/BuiltinFiles.h"

#include <cstdlib>
#include <filesystem>

namespace awe {

std::string builtinSoundfontDir() {
  if (const char* dir = std::getenv("AWE_SOUNDFONT_DIR"); dir != nullptr && *dir != '\0') return dir;
  // Relative to the program, so an installed (or moved) tree finds its own data.
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return AWE_DATA_FROM_BIN;  // no /proc: relative to the current folder, the best left
  return (exe.parent_path() / AWE_DATA_FROM_BIN).lexically_normal().string();
}
std::string builtinBankPath() { return builtinSoundfontDir() + "/awe-gm.sf2"; }
std::string builtinSongPath() { return builtinSoundfontDir() + "/demo.mid"; }

}  // namespace awe
