// The player's controls without a window: the playlist (order, repeat, shuffle, the end
// of one song starting the next), files dropped on the window, the keyboard shortcuts,
// master volume and mute through the session, the Open dialog's folder listing. The
// engine runs on the offline driver, so every buffer is rendered when the test says.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "dashboard/Playlist.h"
#include "dashboard/Session.h"
#include "dashboard/Shortcuts.h"
#include "emu8000/Sf2Writer.h"
#include "engine/OfflineRender.h"
#include "engine/MidiFile.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

std::shared_ptr<const Bank> controlsBank() {
  SampleSpec s;
  s.data = constant(2000, 16384);
  s.loopStart = 100;
  s.loopEnd = 1900;
  RegionSpec r;
  r.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, -2400}};
  PresetSpec piano;
  piano.regions.push_back(r);
  return makeBank({s}, {piano});
}

// A scratch folder under /tmp for this process, removed at the end of each test.
struct Scratch {
  std::filesystem::path folder;
  Scratch() {
    folder = std::filesystem::temp_directory_path() / ("awe-controls-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(folder);
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(folder, ignored);
  }
  // A song of `beats` half-second beats on channel 1.
  std::string song(const std::string& name, int beats) const {
    MidiFileWriter w(480);
    const int t = w.addTrack(name);
    w.tempo(t, 0, 120.0);
    for (int b = 0; b < beats; ++b) {
      w.noteOn(t, static_cast<uint64_t>(b) * 480, 0, 60, 100);
      w.noteOff(t, static_cast<uint64_t>(b) * 480 + 200, 0, 60);
    }
    const std::string path = (folder / name).string();
    w.writeFile(path, 0);
    return path;
  }
  std::string bank(const std::string& name) const {
    using GenEntry = Sf2Description::GenEntry;
    Sf2Description d;
    d.name = "dropped";
    const std::vector<int16_t> data = constant(2000, 8000);
    const uint16_t sample = d.addSample("tone", data.data(), 2000, 44100, 60, 100, 1900);
    Sf2Description::Zone zone;
    zone.gens = {GenEntry::value(Gen::SampleModes, 1), GenEntry::value(Gen::SampleId, sample)};
    d.instruments.push_back({"tone", {zone}});
    Sf2Description::Preset preset;
    preset.name = "Dropped Tone";
    Sf2Description::Zone presetZone;
    presetZone.gens = {GenEntry::value(Gen::Instrument, 0)};
    preset.zones.push_back(presetZone);
    d.presets.push_back(preset);
    const std::string path = (folder / name).string();
    writeSf2File(path, d);
    return path;
  }
};

EngineSettings offlineSettings() { return offlineEngineSettings(SynthSettings{}); }

// Renders `buffers` buffers, then one session tick on a synthetic 100 ms clock.
struct Ticker {
  PlayerSession& session;
  int64_t clock_ns = 0;
  EngineStatus tick(uint64_t buffers) {
    if (buffers > 0) session.engine().runOffline(buffers);
    Snapshot snapshot = session.engine().monitor().snapshot(0);
    clock_ns = clock_ns == 0 ? snapshot.taken_ns : clock_ns + PlayerSession::kPolicyPeriod_ns;
    snapshot.taken_ns = clock_ns;
    EngineStatus status;
    const bool valid = session.engine().status(status);
    session.update(snapshot, status, valid);
    return status;
  }
  // Ticks until no load is pending (background loads run on a worker thread).
  void settle() {
    for (int i = 0; i < 3000 && session.loading(); ++i) {  // up to 30 s on a busy machine
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      tick(0);
    }
    REQUIRE_FALSE(session.loading());
    tick(1);
  }
};

}  // namespace

TEST_CASE("playlist order: next, previous, repeat one and all, shuffle plays each once", "[dashboard][playlist]") {
  Playlist list;
  CHECK(list.next() == -1);
  for (const char* name : {"a.mid", "b.mid", "c.mid"}) list.add(name);
  CHECK(list.next() == 0);  // nothing played yet: the first
  list.setCurrent(0);
  CHECK(list.next() == 1);
  CHECK(list.previous() == -1);
  CHECK(list.afterEnd() == 1);
  list.setCurrent(2);
  CHECK(list.afterEnd() == -1);  // the end of the list
  CHECK(list.next() == -1);
  list.setRepeat(RepeatMode::All);
  CHECK(list.afterEnd() == 0);
  CHECK(list.next() == 0);
  list.setCurrent(0);
  CHECK(list.previous() == 2);
  list.setRepeat(RepeatMode::One);
  CHECK(list.afterEnd() == 0);  // the same song again
  CHECK(list.next() == 1);      // the button still moves on

  for (int i = 0; i < 5; ++i) list.add("more" + std::to_string(i) + ".mid");
  list.setRepeat(RepeatMode::Off);
  list.setCurrent(3);
  list.setShuffle(true, 1234);
  std::set<int> seen{list.current()};
  std::vector<int> order{list.current()};
  for (int n = list.afterEnd(); n >= 0; n = list.afterEnd()) {
    CHECK(seen.insert(n).second);  // never twice
    order.push_back(n);
    list.setCurrent(n);
  }
  CHECK(seen.size() == list.size());
  CHECK(order.front() == 3);  // the song playing stays first
  CHECK(order != std::vector<int>{3, 4, 5, 6, 7, 0, 1, 2});

  list.setCurrent(4);
  list.remove(2);
  CHECK(list.current() == 3);  // the same song, one place up
  CHECK(list.size() == 7);
}

TEST_CASE("a song list plays through: the end of each starts the next, the last ends the session",
          "[dashboard][playlist]") {
  Scratch scratch;
  PlayerSession session(offlineSettings());
  session.engine().setBank(controlsBank());
  const std::vector<std::string> songs{scratch.song("one.mid", 2), scratch.song("two.mid", 2), scratch.song("three.mid", 2)};
  session.loadPlaylist(songs);
  session.engine().start();
  Ticker t{session};
  std::vector<std::string> played{session.songPath()};
  for (int i = 0; i < 400 && !session.songOver(); ++i) {
    t.tick(4);
    if (session.loading()) t.settle();
    if (session.songPath() != played.back()) played.push_back(session.songPath());
  }
  CHECK(session.songOver());
  CHECK(played == songs);
  CHECK(session.playlist().current() == 2);

  SECTION("repeat all starts again from the first") {
    session.playlist().setRepeat(RepeatMode::All);
    t.tick(1);
    t.settle();
    CHECK(session.songPath() == songs[0]);
    CHECK_FALSE(session.songOver());
    CHECK(session.playlist().current() == 0);
  }
}

TEST_CASE("a file dropped on the window opens: a song joins the playlist and plays, a bank loads",
          "[dashboard][drop]") {
  Scratch scratch;
  PlayerSession session(offlineSettings());
  session.engine().setBank(controlsBank());
  session.engine().start();
  Ticker t{session};
  ControlsState controls;
  const std::string song = scratch.song("dropped.mid", 4);
  const std::string bank = scratch.bank("dropped.sf2");

  // What GLFW's drop callback hands over, then the next frame.
  const char* paths[] = {song.c_str()};
  collectDroppedFiles(controls, 1, paths);
  CHECK(controls.dropped.size() == 1);
  const std::string said = takeDroppedFiles(session, controls);
  CHECK(said.find("playing") != std::string::npos);
  CHECK(controls.dropped.empty());
  t.settle();
  CHECK(session.songPath() == song);
  CHECK(session.playlist().paths() == std::vector<std::string>{song});
  CHECK(session.playlist().current() == 0);
  EngineStatus st = t.tick(2);
  CHECK(st.songLoaded);
  CHECK(st.playing);
  CHECK(st.length_s == Approx(2.0).margin(0.3));

  const char* bankPaths[] = {bank.c_str(), "/tmp/notes.txt"};
  collectDroppedFiles(controls, 2, bankPaths);
  const std::string saidBank = takeDroppedFiles(session, controls);
  CHECK(saidBank.find("/tmp/notes.txt") != std::string::npos);  // named, not opened
  t.settle();
  CHECK(session.bankPath() == bank);
  CHECK(session.presetName(0, 0) == "Dropped Tone");
  CHECK(session.songPath() == song);  // a bank alone leaves the song playing
}

TEST_CASE("the keyboard shortcuts act: space, arrows, N and P, M, help", "[dashboard][shortcuts]") {
  Scratch scratch;
  PlayerSession session(offlineSettings());
  session.engine().setBank(controlsBank());
  session.loadPlaylist({scratch.song("first.mid", 40), scratch.song("second.mid", 40)});  // 20 s each
  session.engine().start();
  Ticker t{session};
  EngineStatus st = t.tick(2);
  REQUIRE(st.playing);

  CHECK_FALSE(applyShortcut(session, st, PlayerKey::Space));
  st = t.tick(1);
  CHECK_FALSE(st.playing);
  applyShortcut(session, st, PlayerKey::Space);
  st = t.tick(1);
  CHECK(st.playing);

  const double before_s = st.position_s;
  applyShortcut(session, st, PlayerKey::Right);
  st = t.tick(1);
  CHECK(st.position_s == Approx(before_s + kSeekStep_s + 1024.0 / 44100.0).margin(0.001));
  applyShortcut(session, st, PlayerKey::ShiftRight);
  st = t.tick(1);
  CHECK(st.position_s == Approx(st.length_s).margin(0.05));  // clamped to the end
  applyShortcut(session, st, PlayerKey::ShiftLeft);
  st = t.tick(1);
  CHECK(st.position_s < 1.0);  // clamped to the start
  applyShortcut(session, st, PlayerKey::Left);
  st = t.tick(1);
  CHECK(st.position_s < 0.1);

  applyShortcut(session, st, PlayerKey::N);
  t.settle();
  CHECK(session.playlist().current() == 1);
  CHECK(session.songPath().find("second.mid") != std::string::npos);
  applyShortcut(session, t.tick(1), PlayerKey::P);
  t.settle();
  CHECK(session.playlist().current() == 0);

  session.setMasterGain(-6.0);
  applyShortcut(session, t.tick(1), PlayerKey::M);
  st = t.tick(1);
  CHECK(session.outputMuted());
  CHECK(st.sound.masterGain_dB < Engine::kMinMasterGain_dB);  // silence
  applyShortcut(session, st, PlayerKey::M);
  st = t.tick(1);
  CHECK_FALSE(session.outputMuted());
  CHECK(st.sound.masterGain_dB == -6.0);  // the gain from before the mute

  CHECK(applyShortcut(session, st, PlayerKey::Help));
  bool listsEveryKey = true;
  for (const char* key : {"Space", "Left", "N / P", "M", "F1"}) {
    bool found = false;
    for (const ShortcutInfo& s : shortcutList()) found = found || std::string(s.keys).find(key) != std::string::npos;
    listsEveryKey = listsEveryKey && found;
  }
  CHECK(listsEveryKey);
}

TEST_CASE("the Open dialog lists folders first, then songs and banks, and names a folder it cannot read",
          "[dashboard][files]") {
  Scratch scratch;
  std::filesystem::create_directories(scratch.folder / "sub");
  std::filesystem::create_directories(scratch.folder / ".hidden");
  scratch.song("b.MID", 1);
  scratch.song("a.kar", 1);
  std::ofstream(scratch.folder / "bank.sf3") << "x";
  std::ofstream(scratch.folder / "readme.txt") << "x";
  const std::vector<FolderEntry> entries = listFolder(scratch.folder.string());
  REQUIRE(entries.size() == 4);
  CHECK((entries[0].name == "sub" && entries[0].folder));
  CHECK((entries[1].name == "a.kar" && entries[1].kind == FileKind::Song));
  CHECK((entries[2].name == "b.MID" && entries[2].kind == FileKind::Song));
  CHECK((entries[3].name == "bank.sf3" && entries[3].kind == FileKind::Bank));
  CHECK_THROWS_WITH(listFolder("/nonexistent/folder"), Catch::Contains("/nonexistent/folder"));
}
