#include "engine/LoadWarnings.h"

#include <algorithm>

namespace awe {

namespace {

std::string countText(size_t count) {
  return std::to_string(count) + (count == 1 ? " loader warning" : " loader warnings");
}

}  // namespace

LoadWarningList loadWarningList(const MidiFile& song) {
  LoadWarningList list;
  list.file = song.path();
  list.total = song.warningCount();
  // The MIDI reader's messages start with "<file>: "; the list names the file once.
  const std::string prefix = song.path() + ": ";
  for (const MidiFileWarning& warning : song.warnings()) {
    const bool prefixed = warning.message.compare(0, prefix.size(), prefix) == 0;
    list.lines.push_back(prefixed ? warning.message.substr(prefix.size()) : warning.message);
  }
  return list;
}

LoadWarningList loadWarningList(const std::string& bankPath, const std::vector<LoadWarning>& warnings) {
  LoadWarningList list;
  list.file = bankPath;
  list.total = warnings.size();
  for (const LoadWarning& warning : warnings) {
    list.lines.push_back("chunk '" + warning.chunk + "' at byte " + std::to_string(warning.offset) + ": " +
                         warning.message);
  }
  return list;
}

std::string formatLoadWarnings(const LoadWarningList& list, size_t shown) {
  const size_t total = std::max(list.total, list.lines.size());
  if (total == 0) return {};
  const size_t listed = std::min(shown, list.lines.size());
  std::string text = list.file + ": " + countText(total) + " (parts skipped or repaired)";
  text += listed == total ? ":\n" : "; the first " + std::to_string(listed) + ":\n";
  for (size_t i = 0; i < listed; ++i) text += "  " + list.lines[i] + "\n";
  if (listed < total) text += "  ... and " + std::to_string(total - listed) + " more\n";
  return text;
}

std::string loadWarningsLine(const LoadWarningList& list) {
  const size_t total = std::max(list.total, list.lines.size());
  if (total == 0) return {};
  std::string line = list.file + ": " + countText(total);
  if (!list.lines.empty()) line += total == 1 ? ": " + list.lines[0] : "; first: " + list.lines[0];
  return line;
}

}  // namespace awe
