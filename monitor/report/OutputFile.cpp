#include "monitor/report/OutputFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "monitor/Format.h"

namespace awe {

namespace fs = std::filesystem;

namespace {

std::string errnoText(int error) { return std::strerror(error); }

// The process's umask without changing it (umask(2) would, for every thread at once).
unsigned currentUmask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) return static_cast<unsigned>(std::stoul(line.substr(6), nullptr, 8));
  }
  return 022;
}

}  // namespace

AtomicFile::AtomicFile(const std::string& target) : target_(target), realTarget_(target) {
  std::error_code error;
  // A symlink stays a symlink: the file it points to is the one replaced.
  if (fs::is_symlink(fs::symlink_status(target, error))) {
    const fs::path resolved = fs::weakly_canonical(target, error);
    if (!error) realTarget_ = resolved.string();
  }
  struct stat st {};
  if (::stat(realTarget_.c_str(), &st) == 0) {
    targetExisted_ = true;
    targetMode_ = st.st_mode & 07777u;
    if (S_ISDIR(st.st_mode)) throw OutputFileError(target_ + ": is a folder, not a file");
    if (!S_ISREG(st.st_mode)) {
      direct_ = true;
      fd_ = ::open(realTarget_.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd_ < 0) throw OutputFileError(target_ + ": cannot open for writing: " + errnoText(errno));
      return;
    }
  }
  const fs::path real(realTarget_);
  const fs::path folder = real.has_parent_path() ? real.parent_path() : fs::path(".");
  std::string pattern = (folder / ("." + real.filename().string() + ".tmp-XXXXXX")).string();
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0) {
    throw OutputFileError(target_ + ": cannot write in " + folder.string() + ": " + errnoText(errno) +
                          (targetExisted_ ? "; the old file is kept unchanged" : ""));
  }
  tempPath_ = pattern;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!tempPath_.empty()) {
    ::unlink(tempPath_.c_str());
    tempPath_.clear();
  }
}

std::string AtomicFile::failure(const std::string& what) const {
  std::string text = target_ + ": " + what;
  if (direct_) return text;
  return text + (targetExisted_ ? "; the old file is kept unchanged" : "; nothing was written");
}

void AtomicFile::write(std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      const std::string what = "writing failed after " + formatBytes(static_cast<double>(written_)) + " of " +
                               formatBytes(static_cast<double>(written_ + left)) + ": " + errnoText(error);
      discard();
      throw OutputFileError(failure(what));
    }
    p += n;
    left -= static_cast<size_t>(n);
    written_ += static_cast<unsigned long long>(n);
  }
}

void AtomicFile::finishTemp(const std::string& path) {
  // The data on disk before the name: after a crash the name shows the old file or the whole new one.
  if (::fsync(fd_) != 0 && errno != EINVAL) {
    const std::string what = "saving to disk failed: " + errnoText(errno);
    discard();
    throw OutputFileError(failure(what));
  }
  // mkstemp makes 0600: give it the old file's mode, or what a plain open() would.
  const unsigned mode = targetExisted_ ? targetMode_ : (0666u & ~currentUmask());
  (void)::fchmod(fd_, static_cast<mode_t>(mode));
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) {
    const std::string what = "closing failed: " + errnoText(errno);
    discard();
    throw OutputFileError(failure(what));
  }
  if (::rename(tempPath_.c_str(), path.c_str()) != 0) {
    const std::string what = "cannot rename " + tempPath_ + " to " + path + ": " + errnoText(errno);
    discard();
    throw OutputFileError(failure(what));
  }
  tempPath_.clear();
  const fs::path folder = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  const int dirFd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    (void)::fsync(dirFd);  // the rename itself on disk; not all file systems allow it
    ::close(dirFd);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw OutputFileError(failure("already finished"));
  if (direct_) {
    const int closed = ::close(fd_);
    fd_ = -1;
    if (closed != 0) throw OutputFileError(failure("closing failed: " + errnoText(errno)));
    return;
  }
  finishTemp(realTarget_);
}

std::string AtomicFile::keepAs(const std::string& path) {
  if (fd_ < 0 || direct_) throw OutputFileError(failure("nothing to keep"));
  const bool existed = targetExisted_;
  targetExisted_ = false;  // the new name gets a new file's mode
  finishTemp(path);
  targetExisted_ = existed;
  return path;
}

void writeFileAtomically(const std::string& path, std::string_view content) {
  AtomicFile file(path);
  file.write(content);
  file.commit();
}

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ostringstream text;
  write(text);
  writeFileAtomically(path, text.str());
}

bool sameFile(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0) {
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  }
  std::error_code ea, eb;
  const fs::path ca = fs::weakly_canonical(fs::absolute(a, ea), ea);
  const fs::path cb = fs::weakly_canonical(fs::absolute(b, eb), eb);
  if (ea || eb) return fs::absolute(a).lexically_normal() == fs::absolute(b).lexically_normal();
  return ca == cb;
}

void refuseOutputsOverInputs(const std::vector<RunFile>& outputs, const std::vector<RunFile>& inputs) {
  const auto skipped = [](const RunFile& f) { return f.path.empty() || f.path == "-"; };
  for (size_t i = 0; i < outputs.size(); ++i) {
    const RunFile& out = outputs[i];
    if (skipped(out)) continue;
    for (const RunFile& in : inputs) {
      if (skipped(in) || !sameFile(out.path, in.path)) continue;
      throw OutputFileError(out.path + ": refusing to write " + out.role + " over " + in.role +
                            (out.path == in.path ? "" : " (" + in.path + ")") +
                            ", which this run reads; choose another output name");
    }
    for (size_t j = 0; j < i; ++j) {
      const RunFile& other = outputs[j];
      if (skipped(other) || !sameFile(out.path, other.path)) continue;
      throw OutputFileError(out.path + ": named for both " + other.role + " and " + out.role +
                            "; give each output its own file");
    }
  }
}

}  // namespace awe
