#include "engine/JackClient.h"

#include <jack/jack.h>

#include <cstdlib>

#include "engine/JackMessages.h"

namespace awe {
namespace {

// Why jack_client_open refused, in words, from the jack_status_t it filled in.
std::string jackStatusText(unsigned status) {
  std::string text;
  auto add = [&](jack_status_t bit, const char* what) {
    if ((status & static_cast<unsigned>(bit)) != 0) text += (text.empty() ? "" : ", ") + std::string(what);
  };
  add(JackServerFailed, "no JACK server is running (or it refused the connection)");
  add(JackServerError, "the server reported an error");
  add(JackNameNotUnique, "the client name is taken");
  add(JackInitFailure, "the client could not be initialised");
  add(JackShmFailure, "shared memory is unavailable");
  add(JackVersionError, "client and server versions differ");
  return text.empty() ? "status " + std::to_string(status) : text;
}

}  // namespace

void prepareJackLibrary() {
  setenv("JACK_NO_START_SERVER", "1", 0);
  quietJackLibrary();
}

jack_client_t* openJackClient(const std::string& name, std::string& whyNot) {
  // Our clients ask for no server start themselves (JackNoStartServer), so the environment
  // is left as it is here; only the chatter goes.
  quietJackLibrary();
  jack_status_t status{};
  jack_client_t* client = jack_client_open(name.c_str(), JackNoStartServer, &status);
  if (client == nullptr) whyNot = jackStatusText(static_cast<unsigned>(status));
  return client;
}

std::vector<std::string> jackPortNames(jack_client_t* client, const char* pattern, const char* type,
                                       unsigned long flags) {
  std::vector<std::string> result;
  const bool anyName = pattern == nullptr || *pattern == '\0';
  const char** names = jack_get_ports(client, anyName ? nullptr : pattern, type, flags);
  if (names == nullptr) return result;
  for (const char** name = names; *name != nullptr; ++name) result.emplace_back(*name);
  jack_free(static_cast<void*>(names));
  return result;
}

}  // namespace awe
