#include "engine/JackMessages.h"

#include <alsa/asoundlib.h>
#include <jack/jack.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace awe {
namespace {

std::mutex& alsaMutex() {
  static std::mutex mutex;
  return mutex;
}

std::string& alsaMessages() {
  static std::string messages;
  return messages;
}

// libasound's handler type: (file, line, function, err, fmt, ...). Called on whatever thread
// touched ALSA (a control thread: opening, probing), never the audio callback's steady state.
extern "C" void keepAlsaMessage(const char* /*file*/, int /*line*/, const char* /*function*/, int err,
                                const char* format, ...) {
  char text[512];
  va_list arguments;
  va_start(arguments, format);
  std::vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  std::string message = text;
  if (err != 0) message += std::string(" (") + snd_strerror(err) + ")";
  std::lock_guard<std::mutex> lock(alsaMutex());
  std::string& messages = alsaMessages();
  if (messages.size() > 4096) messages.clear();  // bounded: only the newest matter
  messages += (messages.empty() ? "" : "; ") + message;
}

}  // namespace

void quietJackLibrary() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("AWE_JACK_VERBOSE") != nullptr) return;
    jack_set_error_function([](const char*) {});
    jack_set_info_function([](const char*) {});
  });
}

void quietAlsaLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { snd_lib_error_set_handler(&keepAlsaMessage); });
}

std::string takeAlsaMessages() {
  std::lock_guard<std::mutex> lock(alsaMutex());
  std::string messages;
  messages.swap(alsaMessages());
  return messages;
}

}  // namespace awe
