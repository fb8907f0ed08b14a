#include "tools/render/RenderBatch.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "engine/WavWriter.h"

namespace awe {

namespace {

// The signal that asked the batch to stop (SIGINT, SIGTERM, SIGHUP), 0 while none did.
volatile std::sig_atomic_t g_batchStop = 0;
extern "C" void requestBatchStop(int signal) { g_batchStop = signal; }

// The one bar of the batch: songs finished plus the running ones' fractions, over the songs
// to render. Redrawn at most ten times a second; cleared before any other line is printed.
class BatchBar {
 public:
  explicit BatchBar(bool enabled) : enabled_(enabled) {}
  void draw(double songsDone, size_t finished, size_t total, size_t running, bool now = false) {
    if (!enabled_) return;
    const auto t = std::chrono::steady_clock::now();
    if (!now && t - last_ < std::chrono::milliseconds(100)) return;
    last_ = t;
    const double fraction = total > 0 ? std::min(songsDone / static_cast<double>(total), 1.0) : 1.0;
    const int width = 40;
    const int filled = static_cast<int>(fraction * width);
    fmt::print(stderr, "\r[{}{}] {:3.0f}%  {} of {} songs done, {} rendering ", std::string(static_cast<size_t>(filled), '#'),
               std::string(static_cast<size_t>(width - filled), '.'), fraction * 100.0, finished, total, running);
    std::fflush(stderr);
    drawn_ = true;
  }
  void clear() {
    if (!drawn_) return;
    fmt::print(stderr, "\r{:90}\r", "");
    std::fflush(stderr);
    drawn_ = false;
    last_ = {};
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// One song's render in its child process, and what it has said so far.
struct Render {
  size_t song = 0;
  pid_t pid = -1;
  int fd[3] = {-1, -1, -1};  // its standard output, standard error, progress
  std::string pending[3];    // a line not yet ended
  double fraction = 0.0;
};

std::string selfPath() {
  std::string path(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) throw std::runtime_error(std::string("cannot find this program (/proc/self/exe): ") + std::strerror(errno));
  path.resize(static_cast<size_t>(n));
  return path;
}

// Starts `args` (args[0] the program) with its output, errors and progress (fd 3) on pipes.
Render startRender(const std::vector<std::string>& args, size_t song) {
  int pipes[3][2];
  for (auto& p : pipes)
    if (pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a render: ") + std::strerror(errno));
  if (pid == 0) {
    const int targets[3] = {STDOUT_FILENO, STDERR_FILENO, 3};
    // Move the write ends above the targets first, so no dup2 overwrites one still needed.
    int ends[3];
    for (int k = 0; k < 3; ++k) ends[k] = fcntl(pipes[k][1], F_DUPFD_CLOEXEC, 10);
    for (int k = 0; k < 3; ++k) dup2(ends[k], targets[k]);  // the copies lose close-on-exec
    execv(argv[0], argv.data());
    const char* why = "awe-render: cannot run a render for the batch\n";
    (void)!write(STDERR_FILENO, why, std::strlen(why));
    _exit(127);
  }
  Render r;
  r.song = song;
  r.pid = pid;
  for (int k = 0; k < 3; ++k) {
    close(pipes[k][1]);
    r.fd[k] = pipes[k][0];
  }
  return r;
}

}  // namespace

std::vector<std::string> singleRenderArgs(const CLI::App& app, int argc, char** argv,
                                          const std::vector<std::string>& drop) {
  std::vector<std::string> kept;
  auto dropped = [&](const CLI::Option* opt) {
    return std::any_of(drop.begin(), drop.end(), [&](const std::string& name) { return opt->check_name(name); });
  };
  for (int i = 1; i < argc; ++i) {
    const std::string token = argv[i];
    if (token == "--") break;                               // the rest are songs
    if (token.size() < 2 || token[0] != '-') continue;      // a song
    const bool longForm = token.compare(0, 2, "--") == 0;
    const size_t nameEnd = longForm ? token.find('=') : 2;  // "--gain=3", "-j2"
    const std::string name = token.substr(0, nameEnd);
    const bool valueAttached = nameEnd != std::string::npos && nameEnd < token.size();
    const CLI::Option* opt = app.get_option_no_throw(name);
    const bool takesValue = opt != nullptr && opt->get_expected_max() > 0 && !valueAttached;
    const bool keep = opt == nullptr || !dropped(opt);
    if (keep) kept.push_back(token);
    if (takesValue && i + 1 < argc) {
      if (keep) kept.emplace_back(argv[i + 1]);
      ++i;
    }
  }
  return kept;
}

std::vector<std::string> batchOutputs(const RenderBatch& batch) {
  std::vector<std::string> outs;
  std::map<std::string, size_t> bySong;
  for (size_t i = 0; i < batch.songs.size(); ++i) {
    const std::filesystem::path song(batch.songs[i]);
    const std::string out = (std::filesystem::path(batch.outFolder) / (song.stem().string() + "." + batch.extension)).string();
    const auto [at, fresh] = bySong.emplace(out, i);
    if (!fresh)
      throw std::runtime_error(fmt::format("{} and {} would both be rendered to {}; render them to different folders",
                                           batch.songs[at->second], batch.songs[i], out));
    outs.push_back(out);
  }
  return outs;
}

int runRenderBatch(const RenderBatch& batch) {
  const std::vector<std::string> outs = batchOutputs(batch);
  const std::string self = selfPath();

  // Resume: a whole output is kept; a damaged one (cut, empty) is rendered again.
  std::vector<size_t> todo;
  size_t skipped = 0;
  for (size_t i = 0; i < outs.size(); ++i) {
    std::error_code ec;
    if (!std::filesystem::exists(outs[i], ec)) {
      todo.push_back(i);
      continue;
    }
    const std::string problem = audioFileProblem(outs[i]);
    if (problem.empty()) {
      fmt::print("{}: complete, skipped (delete it to render {} again)\n", outs[i], batch.songs[i]);
      ++skipped;
    } else {
      fmt::print("{}: {}; rendering it again\n", outs[i], problem);
      todo.push_back(i);
    }
  }
  std::fflush(stdout);

  struct sigaction action {};
  action.sa_handler = requestBatchStop;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);

  BatchBar bar(!batch.quiet && isatty(STDERR_FILENO) != 0);
  const size_t jobs = static_cast<size_t>(std::max(1, batch.jobs));
  std::vector<Render> running;
  std::vector<int> exitCode(outs.size(), 0);
  size_t next = 0, finished = 0, rendered = 0;
  int stopSignal = 0;

  auto relay = [&](int k, const std::string& line) {
    if (k == 2) return;  // progress lines are read, not shown
    bar.clear();
    std::FILE* to = k == 0 ? stdout : stderr;
    fmt::print(to, "{}\n", line);
    std::fflush(to);
  };
  auto progressOf = [](const std::string& line) {  // "done_s total_s"
    double done = 0.0, total = 0.0;
    if (std::sscanf(line.c_str(), "%lf %lf", &done, &total) == 2 && total > 0.0) return std::min(done / total, 1.0);
    return 0.0;
  };

  while (true) {
    if (g_batchStop != 0 && stopSignal == 0) {
      stopSignal = g_batchStop;
      // A terminal's Ctrl-C reached the renders too; a kill of this process alone did not.
      for (const Render& r : running) kill(r.pid, stopSignal);
    }
    while (stopSignal == 0 && running.size() < jobs && next < todo.size()) {
      const size_t song = todo[next++];
      std::vector<std::string> args{self};
      args.insert(args.end(), batch.renderArgs.begin(), batch.renderArgs.end());
      args.insert(args.end(), {"-o", outs[song], "--progress-fd", "3", "--", batch.songs[song]});
      running.push_back(startRender(args, song));
    }
    if (running.empty()) break;

    std::vector<pollfd> fds;
    std::vector<std::pair<size_t, int>> owner;  // (running index, stream)
    for (size_t r = 0; r < running.size(); ++r)
      for (int k = 0; k < 3; ++k)
        if (running[r].fd[k] >= 0) {
          fds.push_back({running[r].fd[k], POLLIN, 0});
          owner.emplace_back(r, k);
        }
    const int ready = poll(fds.data(), static_cast<nfds_t>(fds.size()), 100);
    if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    for (size_t f = 0; ready > 0 && f < fds.size(); ++f) {
      if ((fds[f].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      Render& r = running[owner[f].first];
      const int k = owner[f].second;
      char buffer[4096];
      const ssize_t n = read(r.fd[k], buffer, sizeof buffer);
      if (n > 0) {
        r.pending[k].append(buffer, static_cast<size_t>(n));
        size_t end;
        while ((end = r.pending[k].find('\n')) != std::string::npos) {
          const std::string line = r.pending[k].substr(0, end);
          r.pending[k].erase(0, end + 1);
          if (k == 2) r.fraction = progressOf(line);
          relay(k, line);
        }
      } else if (n == 0 || errno != EINTR) {
        if (!r.pending[k].empty()) relay(k, r.pending[k]);
        r.pending[k].clear();
        close(r.fd[k]);
        r.fd[k] = -1;
      }
    }
    // A render whose pipes are all closed has ended (or is ending): collect its code.
    for (size_t i = 0; i < running.size();) {
      Render& r = running[i];
      if (r.fd[0] >= 0 || r.fd[1] >= 0 || r.fd[2] >= 0) {
        ++i;
        continue;
      }
      int status = 0;
      while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
      }
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      exitCode[r.song] = code;
      ++finished;
      if (code == 0) ++rendered;
      if (code != 0 && stopSignal == 0) {
        bar.clear();
        fmt::print(stderr, "awe-render: {}: the render failed (exit {}); {} was not written\n", batch.songs[r.song], code,
                   outs[r.song]);
      }
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
    double songsDone = static_cast<double>(finished);
    for (const Render& r : running) songsDone += r.fraction;
    bar.draw(songsDone, finished, todo.size(), running.size());
  }
  bar.clear();

  if (stopSignal != 0) {
    fmt::print(stderr, "awe-render: batch stopped by signal {}: {} of {} songs rendered this run; run the same command "
                       "again to render the rest\n", stopSignal, rendered, todo.size());
    std::fflush(stderr);
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(stopSignal, &fallback, nullptr);
    std::raise(stopSignal);
    std::_Exit(128 + stopSignal);
  }
  size_t failed = 0;
  int firstFailure = 0;
  for (const size_t song : todo)
    if (exitCode[song] != 0) {
      ++failed;
      if (firstFailure == 0) firstFailure = exitCode[song];
    }
  fmt::print("batch: {} rendered, {} skipped (complete), {} failed\n", todo.size() - failed, skipped, failed);
  return firstFailure;
}

}  // namespace awe
