#pragma once
// libjack prints its own diagnostics to stderr ("Cannot connect to server socket ...")
// whenever anything probes for a server. awe reports JACK problems itself, in one clear
// sentence, so these are routed to nothing unless AWE_JACK_VERBOSE is set. [any thread;
// idempotent]
namespace awe {
void quietJackLibrary();
}  // namespace awe
