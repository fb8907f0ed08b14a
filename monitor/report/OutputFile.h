#pragma once
// Files a tool writes: every output goes to a temporary file beside its target and is
// renamed over it only when complete (after fsync), so an interrupted or failed run leaves
// the old file or a whole new one, never a truncated one. And no output may be one of the
// run's inputs (or another of its outputs).
//
// One place for this rule: the tools, the dashboard and the report writers all use it.
// [control thread] everywhere: this is file I/O.
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace awe {

// An output that cannot be written; the message names the file and says what was kept.
class OutputFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file being written under a temporary name (".<name>.tmp-XXXXXX" in the target's folder).
// commit() makes it the target; destroyed without commit(), it is removed and the target
// is untouched. A target that exists and is not a regular file (/dev/stdout, a FIFO) is
// written directly: there is nothing to keep and nothing to rename over.
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& target);  // throws OutputFileError
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& target() const { return target_; }
  const std::string& tempPath() const { return tempPath_; }
  int fd() const { return fd_; }  // open for writing, positioned at the start

  // Writes all of `data` at the current position; throws OutputFileError (failure()).
  void write(std::string_view data);
  // fsync, rename over the target, fsync the folder. Throws OutputFileError (the
  // temporary file is removed and the old target is kept).
  void commit();
  // Finishes the temporary file under another name instead of the target (a partial
  // result the user may want); the target is untouched. Returns the name.
  std::string keepAs(const std::string& path);
  // Removes the temporary file now (also what the destructor does without commit()).
  void discard() noexcept;

  // "<target>: <what>; <the old file is kept unchanged | nothing was written>": the
  // error message for a failed write, saying what was lost.
  std::string failure(const std::string& what) const;

 private:
  void finishTemp(const std::string& path);  // fsync + mode + close + rename to path
  std::string target_;      // as the user named it (messages)
  std::string realTarget_;  // symlinks resolved: the file that is replaced
  std::string tempPath_;
  int fd_ = -1;
  bool direct_ = false;     // writing straight into a non-regular target
  bool targetExisted_ = false;
  unsigned targetMode_ = 0;
  unsigned long long written_ = 0;
};

// The whole file at once (reports, baselines, SVG, profiles, PNG).
void writeFileAtomically(const std::string& path, std::string_view content);
// For writers that take a stream (CSV): what they write is collected, then written atomically.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// A path a run reads or writes, and how the user named it ("-o", "--sf2", "the song").
struct RunFile {
  std::string path;
  std::string role;
};
// True when both name the same file: the same device and inode when both exist, else the
// same canonical path (a file not yet written).
bool sameFile(const std::string& a, const std::string& b);
// Throws OutputFileError when an output is one of the inputs or two outputs are one file.
// Empty paths and "-" (standard output) are skipped.
void refuseOutputsOverInputs(const std::vector<RunFile>& outputs, const std::vector<RunFile>& inputs);

}  // namespace awe
