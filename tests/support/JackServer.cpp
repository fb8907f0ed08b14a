#include "support/JackServer.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace awe::test {

JackServer::JackServer(int sampleRate, int period, const std::string& name) {
  static std::atomic<int> serial{0};
  name_ = !name.empty() ? name : "awe-test-" + std::to_string(getpid()) + "-" + std::to_string(serial++);
  log_ = "/tmp/" + name_ + ".log";
  pid_ = fork();
  if (pid_ < 0) {
    error_ = "fork failed";
    return;
  }
  if (pid_ == 0) {
    // The server goes when the test process goes, even when a sanitizer or a crash ends
    // it without running destructors: no stray jackd left on the machine.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    const std::string rate = std::to_string(sampleRate), frames = std::to_string(period);
    execlp("jackd", "jackd", "-n", name_.c_str(), "-d", "dummy", "-r", rate.c_str(), "-p", frames.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  setenv("JACK_DEFAULT_SERVER", name_.c_str(), 1);
  setenv("JACK_NO_START_SERVER", "1", 1);
  const std::string wait = "jack_wait -w -s " + name_ + " -t 30 >/dev/null 2>&1";  // generous: a busy machine starts jackd slowly
  if (std::system(wait.c_str()) != 0) {
    int status = 0;
    const bool exited = waitpid(pid_, &status, WNOHANG) == pid_;
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    error_ = std::string("jackd (dummy backend) did not come up") +
             (exited && WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": jackd is not installed (tools/setup)" : "") +
             "; its log: " + text.str();
  }
}

void JackServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

JackServer::~JackServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(100000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  unsetenv("JACK_DEFAULT_SERVER");
  unlink(log_.c_str());
}

}  // namespace awe::test
