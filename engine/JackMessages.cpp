#include "engine/JackMessages.h"

#include <jack/jack.h>

#include <cstdlib>
#include <mutex>

namespace awe {

void quietJackLibrary() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("AWE_JACK_VERBOSE") != nullptr) return;
    jack_set_error_function([](const char*) {});
    jack_set_info_function([](const char*) {});
  });
}

}  // namespace awe
