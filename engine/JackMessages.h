#pragma once
// libjack and libasound print their own diagnostics to stderr ("Cannot connect to server
// socket ...", "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'") whenever anything
// probes for a server or a device. awe reports these problems itself, in one clear sentence,
// so they are routed away. [any thread; idempotent]
#include <string>

namespace awe {

// libjack's messages go nowhere unless AWE_JACK_VERBOSE is set.
void quietJackLibrary();
// libasound's messages are kept (the newest few) instead of printed: takeAlsaMessages()
// hands them to an error message that needs them.
void quietAlsaLibrary();
// The ALSA messages since the last call, "; "-separated, and forgets them. [any thread]
std::string takeAlsaMessages();

}  // namespace awe
