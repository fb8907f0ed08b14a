#include "dashboard/Playlist.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <numeric>
#include <random>
#include <stdexcept>
#include <system_error>

namespace awe {

const char* repeatModeName(RepeatMode mode) {
  switch (mode) {
    case RepeatMode::One: return "one";
    case RepeatMode::All: return "all";
    case RepeatMode::Off: break;
  }
  return "off";
}

size_t Playlist::add(const std::string& path) {
  paths_.push_back(path);
  order_.push_back(paths_.size() - 1);  // a shuffled list plays new entries last
  return paths_.size() - 1;
}

void Playlist::remove(size_t index) {
  if (index >= paths_.size()) return;
  paths_.erase(paths_.begin() + static_cast<std::ptrdiff_t>(index));
  order_.erase(std::find(order_.begin(), order_.end(), index));
  for (size_t& i : order_) {
    if (i > index) --i;
  }
  if (current_ == static_cast<int>(index)) {
    current_ = -1;
  } else if (current_ > static_cast<int>(index)) {
    --current_;
  }
}

void Playlist::clear() {
  paths_.clear();
  order_.clear();
  current_ = -1;
}

void Playlist::setCurrent(int index) { current_ = index >= 0 && index < static_cast<int>(paths_.size()) ? index : -1; }

void Playlist::setShuffle(bool on, uint32_t seed) {
  shuffle_ = on;
  seed_ = seed;
  reorder(seed);
}

void Playlist::reorder(uint32_t seed) {
  order_.resize(paths_.size());
  std::iota(order_.begin(), order_.end(), size_t{0});
  if (!shuffle_) return;
  std::mt19937 random(seed);
  std::shuffle(order_.begin(), order_.end(), random);
  // The song playing stays where it is in time: it comes first, the rest after it.
  if (current_ >= 0) {
    const auto it = std::find(order_.begin(), order_.end(), static_cast<size_t>(current_));
    std::rotate(order_.begin(), it, it + 1);
  }
}

int Playlist::step(int direction, bool wrap) const {
  if (paths_.empty()) return -1;
  if (current_ < 0) return static_cast<int>(order_.front());
  const auto it = std::find(order_.begin(), order_.end(), static_cast<size_t>(current_));
  const auto position = static_cast<long>(it - order_.begin());
  long target = position + direction;
  const auto count = static_cast<long>(order_.size());
  if (target < 0 || target >= count) {
    if (!wrap) return -1;
    target = (target + count) % count;
  }
  return static_cast<int>(order_[static_cast<size_t>(target)]);
}

int Playlist::afterEnd() const {
  if (repeat_ == RepeatMode::One && current_ >= 0) return current_;
  return step(+1, repeat_ == RepeatMode::All);
}

int Playlist::next() const { return step(+1, repeat_ == RepeatMode::All); }
int Playlist::previous() const { return step(-1, repeat_ == RepeatMode::All); }

FileKind fileKind(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".mid" || extension == ".midi" || extension == ".kar" || extension == ".smf") return FileKind::Song;
  if (extension == ".sf2" || extension == ".sf3") return FileKind::Bank;
  return FileKind::Other;
}

std::vector<FolderEntry> listFolder(const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, error);
  if (error) throw std::runtime_error("cannot open folder " + folder + ": " + error.message());
  std::vector<FolderEntry> entries;
  for (; it != fs::directory_iterator(); it.increment(error)) {
    if (error) throw std::runtime_error("cannot read folder " + folder + ": " + error.message());
    FolderEntry entry;
    entry.name = it->path().filename().string();
    if (entry.name.empty() || entry.name[0] == '.') continue;
    std::error_code typeError;
    entry.folder = it->is_directory(typeError);
    entry.kind = entry.folder ? FileKind::Other : fileKind(entry.name);
    if (entry.folder || entry.kind != FileKind::Other) entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const FolderEntry& a, const FolderEntry& b) {
    if (a.folder != b.folder) return a.folder;
    return a.name < b.name;
  });
  return entries;
}

}  // namespace awe
