#pragma once
// A private JACK server with the dummy backend, started for a test and stopped after it.
// JACK_DEFAULT_SERVER points at it while it runs, so awe's JACK clients find it.
#include <string>
#include <sys/types.h>

namespace awe::test {

class JackServer {
 public:
  // `name` empty: a fresh name (reuse one to stand in for a server that died).
  explicit JackServer(int sampleRate = 44100, int period = 1024, const std::string& name = "");
  ~JackServer();
  JackServer(const JackServer&) = delete;
  JackServer& operator=(const JackServer&) = delete;

  bool running() const { return pid_ > 0 && error_.empty(); }
  const std::string& error() const { return error_; }  // why it did not start
  const std::string& name() const { return name_; }
  // Kills the server as a crash would (SIGKILL), for tests of a server that dies.
  void kill();

 private:
  std::string name_;
  std::string log_;
  std::string error_;
  pid_t pid_ = -1;
};

}  // namespace awe::test
