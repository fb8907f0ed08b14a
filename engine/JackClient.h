#pragma once
// How awe talks to libjack, in one place: its own clients are opened one way, ports are
// listed one way, and the library is prepared one way for the libraries (RtAudio, RtMidi)
// that open JACK clients of their own. [control threads only: libjack allocates and locks]
#include <jack/types.h>

#include <string>
#include <vector>

namespace awe {

// Before RtAudio or RtMidi touches JACK: they open clients without JackNoStartServer, so
// the environment says it (never a server started behind the user's back; a value the
// user set is kept), and libjack's stderr chatter is routed away (quietJackLibrary).
void prepareJackLibrary();

// One of awe's own clients, never starting a server. nullptr when JACK refuses, with the
// reason in words in `whyNot` ("no JACK server is running ..."): each caller wraps it in
// its own error sentence. The caller closes the client (jack_client_close).
jack_client_t* openJackClient(const std::string& name, std::string& whyNot);

// The full names of the ports of `type` (JACK_DEFAULT_AUDIO_TYPE, JACK_DEFAULT_MIDI_TYPE)
// that match `pattern` (a regular expression; nullptr or "" for every port) and have all
// of `flags` (JackPortIsInput, JackPortIsPhysical, ...), in JACK's order.
std::vector<std::string> jackPortNames(jack_client_t* client, const char* pattern, const char* type,
                                       unsigned long flags);

}  // namespace awe
