// PlayerSession, the player's logic apart from drawing: loading, mute and solo, the manual
// quality override and the adaptive policy's log, the end of the song, the reports. Runs
// the engine on the offline driver, so every buffer is rendered when the test says.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <cstdio>
#include <thread>

#include "dashboard/Session.h"
#include "dashboard/TerminalStatus.h"
#include "engine/MidiFile.h"
#include "support/JackServer.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

// A song of `beats` half-second beats with notes on channels 1, 2 and 10.
std::string writeSong(const std::string& name, int beats) {
  MidiFileWriter w(480);
  const int t = w.addTrack("session");
  w.tempo(t, 0, 120.0);
  for (int b = 0; b < beats; ++b) {
    const uint64_t tick = static_cast<uint64_t>(b) * 480;
    for (int channel : {0, 1, 9}) {
      w.noteOn(t, tick, channel, 60 + b % 5, 100);
      w.noteOff(t, tick + 200, channel, 60 + b % 5);
    }
  }
  const std::string path = "/tmp/awe-session-test-" + std::to_string(getpid()) + "-" + name + ".mid";
  w.writeFile(path, 0);
  return path;
}

EngineSettings offlineSettings() {
  EngineSettings s;
  s.driver.kind = DriverKind::Offline;
  s.driver.sampleRate = 44100.0;
  s.driver.bufferFrames = 1024;
  s.driver.clientName = "awe-session-test";
  return s;
}

// Renders `buffers` buffers, then gives the session one tick with a snapshot stamped
// `advance_ns` after its predecessor on a synthetic clock (so the 100 ms policy period is
// stepped over exactly, whatever the wall clock did).
struct Driver {
  PlayerSession& session;
  int64_t clock_ns = 0;
  Snapshot tick(uint64_t buffers, int64_t advance_ns = PlayerSession::kPolicyPeriod_ns) {
    if (buffers > 0) session.engine().runOffline(buffers);
    Snapshot snapshot = session.engine().monitor().snapshot(0);
    clock_ns = clock_ns == 0 ? snapshot.taken_ns : clock_ns + advance_ns;
    snapshot.taken_ns = clock_ns;
    EngineStatus status;
    const bool valid = session.engine().status(status);
    session.update(snapshot, status, valid);
    return snapshot;
  }
  EngineStatus status() {
    EngineStatus status;
    REQUIRE(session.engine().status(status));
    return status;
  }
};

}  // namespace

TEST_CASE("solo mutes every other channel through the engine, mute adds to it", "[dashboard][session]") {
  PlayerSession session(offlineSettings());
  session.engine().setBank(steadyTestBank());
  const std::string song = writeSong("solo", 8);
  session.loadSong(song, true);
  session.engine().start();
  Driver d{session};
  d.tick(1);

  session.setSoloed(1, true);
  d.tick(1);
  EngineStatus st = d.status();
  for (int c = 0; c < kMidiChannels; ++c) CHECK(st.channels[c].muted == (c != 1));

  session.setSoloed(9, true);
  session.setMuted(1, true);
  d.tick(1);
  st = d.status();
  for (int c = 0; c < kMidiChannels; ++c) CHECK(st.channels[c].muted == (c != 9));

  session.setSoloed(1, false);
  session.setSoloed(9, false);
  d.tick(1);
  st = d.status();
  for (int c = 0; c < kMidiChannels; ++c) CHECK(st.channels[c].muted == (c == 1));
  std::remove(song.c_str());
}

TEST_CASE("the manual override sets the engine's level and stops the policy, and every change is logged",
          "[dashboard][quality]") {
  PlayerSession session(offlineSettings());
  session.engine().setBank(steadyTestBank());
  session.engine().start();
  Driver d{session};
  d.tick(1);
  REQUIRE(session.autoQuality());
  CHECK(session.qualityLog().empty());
  CHECK(session.midiInput() == nullptr);  // nothing asked for a MIDI server yet

  session.setManualQuality(QualityLevel::Low);
  d.tick(1);
  CHECK_FALSE(session.autoQuality());
  CHECK(d.status().quality == static_cast<uint8_t>(QualityLevel::Low));
  CHECK(d.status().polyphonyLimit == kDefaultPolyphony / 2);
  REQUIRE(session.qualityLog().size() == 1);
  CHECK(session.qualityLog().back().manual);
  CHECK(session.qualityLog().back().to == static_cast<int>(QualityLevel::Low));

  // A deadline miss while overridden changes nothing.
  session.engine().injectSlowBuffer(session.engine().monitor().snapshot(0).buffers, 40'000'000);
  d.tick(2);
  d.tick(1);
  CHECK(d.status().quality == static_cast<uint8_t>(QualityLevel::Low));
  CHECK(session.qualityLog().size() == 1);

  session.enableAutoQuality();
  CHECK(session.autoQuality());
  REQUIRE(session.qualityLog().size() == 2);
  CHECK(session.qualityLog().back().reason == "adaptive control on");
}

TEST_CASE("the adaptive policy steps down on a deadline miss, through the command queue, with its reason",
          "[dashboard][quality]") {
  PlayerSession session(offlineSettings());
  session.engine().setBank(steadyTestBank());
  session.engine().start();
  Driver d{session};
  d.tick(2);  // the policy's first run learns the counters
  CHECK(session.qualityLog().empty());

  session.engine().injectSlowBuffer(session.engine().monitor().snapshot(0).buffers, 40'000'000);
  const Snapshot afterMiss = d.tick(1);
  REQUIRE(afterMiss.deadlineMisses == 1);
  REQUIRE(session.qualityLog().size() == 1);
  const QualityLogEntry& e = session.qualityLog().back();
  CHECK_FALSE(e.manual);
  CHECK(e.from == 0);
  CHECK(e.to == 1);
  CHECK(e.reason.find("deadline miss") != std::string::npos);
  d.tick(1);
  CHECK(d.status().quality == static_cast<uint8_t>(QualityLevel::High));

  SECTION("the policy runs at most every 100 ms") {
    session.engine().injectSlowBuffer(session.engine().monitor().snapshot(0).buffers, 40'000'000);
    d.tick(1, PlayerSession::kPolicyPeriod_ns / 4);
    CHECK(session.qualityLog().size() == 1);
    d.tick(0, PlayerSession::kPolicyPeriod_ns);
    CHECK(session.qualityLog().size() == 2);
  }
  SECTION("the JSON report carries the session and the decisions") {
    const nlohmann::json report = session.reportJson(session.engine().monitor().snapshot());
    CHECK(report["tool"] == "awe-player");
    CHECK(report["session"]["bufferFrames"] == 1024);
    REQUIRE(report["qualityDecisions"].size() == 1);
    CHECK(report["qualityDecisions"][0]["to"] == "High");
    CHECK(report.contains("schema_version"));
  }
}

TEST_CASE("the song is over once it finished and its notes died away", "[dashboard][session]") {
  PlayerSession session(offlineSettings());
  session.engine().setBank(steadyTestBank());
  const std::string song = writeSong("end", 2);  // one second
  session.loadSong(song, true);
  session.engine().start();
  Driver d{session};
  d.tick(20);  // 0.46 s
  CHECK_FALSE(session.songOver());
  for (int i = 0; i < 40 && !session.songOver(); ++i) d.tick(10);
  CHECK(session.songOver());
  CHECK(d.status().finished);
  CHECK(statusLine(session.engine().monitor().snapshot(0), d.status(), true).find("ended") == 0);

  SECTION("looping, it never is") {
    session.setLoop(true);
    session.engine().seek(0.0);
    session.engine().play();
    d.tick(1);
    for (int i = 0; i < 20; ++i) d.tick(10);
    CHECK_FALSE(session.songOver());
  }
  std::remove(song.c_str());
}

TEST_CASE("songs load in the background and are handed over on the next update, and errors name the file",
          "[dashboard][session]") {
  PlayerSession session(offlineSettings());
  session.engine().setBank(steadyTestBank());
  session.engine().start();
  Driver d{session};
  const std::string song = writeSong("background", 4);
  session.loadSongInBackground(song);
  CHECK(session.loading());
  for (int i = 0; i < 3000 && session.loading(); ++i) {  // up to 30 s on a busy machine
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    d.tick(1);
  }
  REQUIRE_FALSE(session.loading());
  CHECK(session.songPath() == song);
  d.tick(2);
  EngineStatus st = d.status();
  CHECK(st.songLoaded);
  CHECK(st.playing);
  CHECK(st.length_s == Approx(2.0).margin(0.3));
  CHECK(session.presetName(0, 0) == "Test Piano");
  CHECK(session.presetName(awe::kDrumBank, 5) == "Test Kit");  // drums fall back to kit 0

  session.loadSongInBackground("/nonexistent/song.mid");
  for (int i = 0; i < 3000 && session.loading(); ++i) {  // up to 30 s on a busy machine
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    d.tick(0);
  }
  CHECK(session.loadMessage().find("/nonexistent/song.mid") != std::string::npos);
  CHECK(session.songPath() == song);  // the old song stays
  std::remove(song.c_str());
}

TEST_CASE("a song's loader warnings and markers reach the panel line and the JSON report", "[dashboard][session]") {
  PlayerSession session(offlineSettings());
  session.engine().setBank(steadyTestBank());
  session.engine().start();
  MidiFileWriter w(480);
  const int t = w.addTrack("marked");
  w.meta(t, 0, 0x06, {'I', 'n', 't', 'r', 'o'});
  w.noteOn(t, 0, 0, 60, 100);
  w.meta(t, 960, 0x06, {'E', 'n', 'd'});
  w.noteOff(t, 960, 0, 60);
  std::vector<uint8_t> bytes = w.toBytes(0);
  // A stray timing-clock byte before the end-of-track: one warning, nothing lost.
  bytes.insert(bytes.end() - 4, {0x00, 0xF8});
  bytes[21] = static_cast<uint8_t>(bytes[21] + 2);  // the track chunk's length (a small track)
  const std::string path = "/tmp/awe-session-test-" + std::to_string(getpid()) + "-marked.mid";
  {
    FILE* out = std::fopen(path.c_str(), "wb");
    REQUIRE(out != nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), out);
    std::fclose(out);
  }
  session.loadSong(path, false);
  const std::string line = loadWarningsLine(session.songWarnings());
  CHECK(line.find(path + ": 1 loader warning: track 0 at byte ") == 0);
  CHECK(line.find("status 0xF8 (timing clock) is not allowed in a MIDI file; skipped") != std::string::npos);
  REQUIRE(session.song() != nullptr);
  CHECK(session.song()->markerAt(1.5)->text == "End");

  const nlohmann::json report = session.reportJson(session.engine().monitor().snapshot(0));
  const nlohmann::json& markers = report["session"]["songMarkers"];
  REQUIRE(markers.size() == 2);
  CHECK(markers[0]["text"] == "Intro");
  CHECK(markers[1]["time_s"].get<double>() == Approx(1.0));
  CHECK(report["session"]["songLoaderWarnings"] == 1);
  std::remove(path.c_str());
}

TEST_CASE("a JACK server that dies: the session says so, health FAILED, the paced clock plays on, reconnect when one is back",
          "[dashboard][session][jack]") {
  // One name for every run: jackd's shared registry (8 servers) frees the slot of a killed
  // server only when a server of the same name registers again.
  auto server = std::make_unique<JackServer>(44100, 256, "awe-test-server-dies");
  INFO(server->error());
  REQUIRE(server->running());
  const std::string name = server->name();
  EngineSettings s = offlineSettings();
  s.driver.kind = DriverKind::Device;
  s.driver.api = "jack";
  PlayerSession session(s);
  session.engine().setBank(steadyTestBank());
  const std::string song = writeSong("server-dies", 240);
  session.loadSong(song, true);
  session.startAudio();
  REQUIRE(session.engine().driver()->kind() == "jack");
  // Real time here: the session watches a real driver. Each wait is bounded generously;
  // only a broken watch reaches the bound.
  auto tickUntil = [&](const std::function<bool(const Snapshot&, const EngineStatus&)>& done) {
    for (int i = 0; i < 600; ++i) {
      const Snapshot snapshot = session.engine().monitor().snapshot(0);
      EngineStatus status;
      const bool valid = session.engine().status(status);
      session.update(snapshot, status, valid);
      if (valid && done(snapshot, status)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  REQUIRE(tickUntil([](const Snapshot& snap, const EngineStatus&) { return snap.buffers > 20; }));

  server->kill();
  REQUIRE(tickUntil([&](const Snapshot&, const EngineStatus&) { return session.audioDeviceLost(); }));
  std::vector<std::string> messages = session.takeAudioMessages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].find("audio device lost: the audio driver stopped calling back after") == 0);
  CHECK(session.engine().driver()->kind() == "paced");
  Snapshot snap = session.engine().monitor().snapshot(0);
  CHECK(snap.health.health == Health::Failed);
  REQUIRE(!snap.health.reasons.empty());
  CHECK(snap.health.reasons[0].find("audio device lost") == 0);
  // The song plays on on the paced clock.
  EngineStatus before;
  REQUIRE(session.engine().status(before));
  CHECK(tickUntil([&](const Snapshot&, const EngineStatus& st) { return st.position_s > before.position_s + 0.5; }));
  CHECK_FALSE(session.reconnectOffered());

  server.reset();  // (its destructor clears JACK_DEFAULT_SERVER: before the new one sets it)
  server = std::make_unique<JackServer>(44100, 1024, name);
  REQUIRE(server->running());
  REQUIRE(tickUntil([&](const Snapshot&, const EngineStatus&) { return session.reconnectOffered(); }));
  messages = session.takeAudioMessages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].find("the audio device can be opened again") == 0);
  const std::string reconnected = session.reconnectAudio();
  INFO(reconnected);
  CHECK(reconnected.find("reconnected: jack") == 0);
  CHECK(session.engine().driver()->kind() == "jack");
  CHECK_FALSE(session.audioDeviceLost());
  const uint64_t buffersThen = session.engine().monitor().buffers();
  CHECK(tickUntil([&](const Snapshot& now, const EngineStatus&) { return now.buffers > buffersThen + 5; }));
  snap = session.engine().monitor().snapshot(0);
  CHECK(snap.health.health != Health::Failed);
  CHECK(snap.bufferFrames == 1024);
  const nlohmann::json report = session.reportJson(snap);
  CHECK(report["audioDeviceEvents"].size() == 3);
  session.engine().stop();
  std::remove(song.c_str());
}
