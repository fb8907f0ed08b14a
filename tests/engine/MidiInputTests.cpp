// Live MIDI input on either system (engine/MidiInput.h): JACK MIDI and the ALSA sequencer,
// ports found by name or index, virtual ports, --midi-api auto, and no library chatter on
// stderr when a system is missing.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "engine/MidiInput.h"
#include "support/JackServer.h"

using namespace awe;

namespace {

// Everything written to file descriptor 2 while `body` runs (the libraries write there
// directly, not through std::cerr alone).
template <class Body>
std::string stderrOf(Body&& body) {
  std::fflush(stderr);
  char path[] = "/tmp/awe-stderr-XXXXXX";
  const int file = ::mkstemp(path);
  REQUIRE(file >= 0);
  const int saved = ::dup(2);
  ::dup2(file, 2);
  body();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string text;
  char buffer[512];
  ::lseek(file, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(file, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  ::close(file);
  ::unlink(path);
  return text;
}

// A note sent from our own virtual output port reaches an input that connected to it by
// `how` (a name part or an index of the port list).
void checkRoundTrip(MidiApi api, const std::string& outputName) {
  MidiOutput out("awe-test-sender", api);
  out.openVirtual(outputName);
  const std::vector<std::string> ports = MidiInput::listPorts("awe-test-list", api);
  std::size_t index = ports.size();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    if (ports[i].find(outputName) != std::string::npos) index = i;
  }
  INFO("ports: " << ports.size());
  REQUIRE(index < ports.size());
  for (const std::string& how : {outputName, std::to_string(index)}) {
    INFO("connect by " << how);
    LiveMidiQueue queue(64);
    MidiInput in(queue, nullptr, "awe-test-receiver", api);
    CHECK(in.api() == api);
    in.open(how);
    CHECK(in.portName().find(outputName) != std::string::npos);
    const uint8_t note[3] = {0x90, 60, 100};
    LiveMidiEvent event;
    bool arrived = false;
    // Bounded: the connection settles within the first sends; a second at most.
    for (int attempt = 0; attempt < 100 && !arrived; ++attempt) {
      out.send(note, sizeof note);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      arrived = queue.try_dequeue(event);
    }
    REQUIRE(arrived);
    CHECK(event.size == 3);
    CHECK(event.bytes[1] == 60);
    CHECK(in.received() >= 1);
  }
}

}  // namespace

TEST_CASE("MIDI API names and the AWE_MIDI_API default", "[engine][midi]") {
  CHECK(parseMidiApi("auto") == MidiApi::Auto);
  CHECK(parseMidiApi("alsa") == MidiApi::Alsa);
  CHECK(parseMidiApi("jack") == MidiApi::Jack);
  CHECK_THROWS_AS(parseMidiApi("core"), std::invalid_argument);
  CHECK(std::string(midiApiKey(MidiApi::Alsa)) == "alsa");
  CHECK(midiApiName(MidiApi::Alsa) == "ALSA sequencer");
  CHECK(midiApiName(MidiApi::Jack) == "JACK");
  ::setenv("AWE_MIDI_API", "alsa", 1);
  CHECK(defaultMidiApi() == MidiApi::Alsa);
  ::unsetenv("AWE_MIDI_API");
  CHECK(defaultMidiApi() == MidiApi::Auto);
}

TEST_CASE("A missing MIDI system is one error in awe's words, nothing on stderr", "[engine][midi]") {
  // No JACK server by this name, so auto has to fall through to ALSA.
  ::setenv("JACK_DEFAULT_SERVER", "awe-test-no-such-server", 1);
  std::string error;
  const std::string chatter = stderrOf([&] {
    CHECK_FALSE(midiApiProblem(MidiApi::Jack).empty());
    try {
      LiveMidiQueue queue(8);
      MidiInput in(queue, nullptr, "awe-test", MidiApi::Jack);
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
    if (!midiApiProblem(MidiApi::Alsa).empty()) {
      try {
        MidiInput::listPorts("awe-test", MidiApi::Auto);
      } catch (const std::runtime_error& e) {
        error += std::string("\n") + e.what();
      }
    }
  });
  ::unsetenv("JACK_DEFAULT_SERVER");
  CHECK(chatter.empty());
  CHECK(error.find("no MIDI through JACK (--midi-api jack): no server is running") != std::string::npos);
  if (!midiApiProblem(MidiApi::Alsa).empty()) {
    CHECK(error.find("tried JACK (no server is running) and the ALSA sequencer (cannot open it") != std::string::npos);
  }
}

TEST_CASE("JACK MIDI: a virtual port, found by name and by index, passes a note", "[engine][midi][jack]") {
  test::JackServer server;
  if (!server.running()) {
    WARN("SKIP: " << server.error());
    return;
  }
  CHECK(resolveMidiApi(MidiApi::Auto) == MidiApi::Jack);  // a server runs: auto takes JACK
  checkRoundTrip(MidiApi::Jack, "awe-test-keys");
}

TEST_CASE("ALSA sequencer: a virtual port, found by name and by index, passes a note", "[engine][midi]") {
  const std::string problem = midiApiProblem(MidiApi::Alsa);
  if (!problem.empty()) {
    // Containers have no /dev/snd/seq; `modprobe snd-seq-dummy` on a real machine gives one.
    WARN("SKIP: the ALSA sequencer is not available here: " << problem);
    return;
  }
  checkRoundTrip(MidiApi::Alsa, "awe-test-keys");
}
