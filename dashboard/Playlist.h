#pragma once
// The player's playlist: songs in the order given (command line, drops, the Open dialog),
// the one playing, repeat off/one/all and shuffle. Pure bookkeeping on the main thread;
// PlayerSession loads what it says.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace awe {

enum class RepeatMode : uint8_t { Off = 0, One = 1, All = 2 };
const char* repeatModeName(RepeatMode mode);  // "off", "one", "all"

class Playlist {
 public:
  // Appends; returns the new entry's index.
  size_t add(const std::string& path);
  void remove(size_t index);
  void clear();
  const std::vector<std::string>& paths() const { return paths_; }
  size_t size() const { return paths_.size(); }
  bool empty() const { return paths_.empty(); }

  // The entry playing (highlighted), -1 before any.
  int current() const { return current_; }
  void setCurrent(int index);

  RepeatMode repeat() const { return repeat_; }
  void setRepeat(RepeatMode mode) { repeat_ = mode; }
  bool shuffle() const { return shuffle_; }
  // Shuffle plays every entry once in a random order (the seed makes it repeatable);
  // the current entry comes first. Off: the list's own order.
  void setShuffle(bool on, uint32_t seed = 0x5eed);

  // What to play after the current one ends by itself: the same with repeat one, the next
  // in play order, the first again with repeat all; -1 at the end.
  int afterEnd() const;
  // What the Next and Previous buttons (N, P) go to: the neighbour in play order, wrapping
  // around with repeat all; -1 at either end otherwise.
  int next() const;
  int previous() const;

 private:
  int step(int direction, bool wrap) const;
  void reorder(uint32_t seed);

  std::vector<std::string> paths_;
  std::vector<size_t> order_;  // play order: indices into paths_
  int current_ = -1;
  RepeatMode repeat_ = RepeatMode::Off;
  bool shuffle_ = false;
  uint32_t seed_ = 0x5eed;
};

// What a file is to the player, by its extension (case-insensitive).
enum class FileKind : uint8_t { Song, Bank, Other };
FileKind fileKind(const std::string& path);  // .mid .midi .kar .smf: Song; .sf2 .sf3: Bank

// One folder's entries for the Open dialog: folders first, then songs and banks, each
// sorted by name; hidden entries and other files left out. Throws std::runtime_error
// naming the folder when it cannot be read.
struct FolderEntry {
  std::string name;
  bool folder = false;
  FileKind kind = FileKind::Other;
};
std::vector<FolderEntry> listFolder(const std::string& folder);

}  // namespace awe
