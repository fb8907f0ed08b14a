// MidiFile reader and MidiFileWriter: round trips, hand-written byte streams, the broken
// corpus in tests/data/midi/broken/, and the real files in the shared folder.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/MidiFile.h"

using namespace awe;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes header(int format, int tracks, uint16_t division) {
  return {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, static_cast<uint8_t>(format), static_cast<uint8_t>(tracks >> 8),
          static_cast<uint8_t>(tracks), static_cast<uint8_t>(division >> 8), static_cast<uint8_t>(division)};
}

Bytes trackChunk(const Bytes& body) {
  const auto length = static_cast<uint32_t>(body.size());
  // Built from the head and then the body: GCC 12 warns falsely about a short vector
  // inserted into (-Warray-bounds) and about copying into a new vector's storage
  // (-Wnull-dereference, in the TSan build).
  Bytes chunk = {'M', 'T', 'r', 'k', static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
                 static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
  chunk.resize(8 + body.size());
  for (size_t i = 0; i < body.size(); ++i) chunk[8 + i] = body[i];
  return chunk;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

MidiFile load(const Bytes& bytes, const std::string& name = "test.mid") {
  return MidiFile::loadFromMemory(bytes.data(), bytes.size(), name);
}

std::vector<MidiEvent> channelEvents(const MidiFile& file, uint8_t type) {
  std::vector<MidiEvent> found;
  for (const MidiEvent& event : file.events()) {
    if (event.type() == type) found.push_back(event);
  }
  return found;
}

bool hasWarning(const MidiFile& file, const std::string& text) {
  return std::any_of(file.warnings().begin(), file.warnings().end(),
                     [&](const MidiFileWarning& w) { return w.message.find(text) != std::string::npos; });
}

std::string allWarnings(const MidiFile& file) {
  std::string text;
  for (const MidiFileWarning& w : file.warnings()) text += w.message + "\n";
  return text;
}

const Bytes kEndOfTrack{0x00, 0xFF, 0x2F, 0x00};

}  // namespace

TEST_CASE("Writer and reader round-trip a format 0 file", "[midi]") {
  MidiFileWriter writer(480);
  const int track = writer.addTrack("Piano");
  writer.tempo(track, 0, 120.0);
  writer.timeSignature(track, 0, 3, 4);
  writer.programChange(track, 0, 2, 5);
  writer.noteOn(track, 480, 2, 60, 100);
  writer.noteOn(track, 960, 2, 60, 0);  // velocity 0 stays a note-on
  writer.noteOff(track, 960, 2, 64);
  writer.controlChange(track, 240, 2, 7, 90);
  writer.pitchBend(track, 1200, 2, 16383);
  const MidiFile file = load(writer.toBytes(0));

  CHECK(file.format() == 0);
  CHECK(file.trackCount() == 1);
  CHECK(file.ticksPerQuarter() == 480);
  CHECK(file.smpteTicksPerSecond() == 0.0);
  CHECK(file.warnings().empty());
  REQUIRE(file.trackNames().size() == 1);
  CHECK(file.trackNames()[0] == "Piano");

  const std::vector<MidiEvent>& events = file.events();
  REQUIRE(events.size() == 6);
  CHECK(events[0].status == 0xC2);
  CHECK(events[0].data1 == 5);
  CHECK(events[1].status == 0xB2);  // written after the note, sorted by tick
  CHECK(events[1].time_s == Approx(0.25));
  CHECK(events[2].status == 0x92);
  CHECK(events[2].time_s == Approx(0.5));
  CHECK(events[3].status == 0x92);
  CHECK(events[3].data2 == 0);
  CHECK(events[4].status == 0x82);
  CHECK(events[4].data1 == 64);
  CHECK(events[5].status == 0xE2);
  CHECK(events[5].data1 == 0x7F);
  CHECK(events[5].data2 == 0x7F);
  CHECK(events[5].time_s == Approx(1.25));
  CHECK(file.duration_s() == Approx(1.25));
  CHECK(file.tempoBpmAt(0.0) == Approx(120.0));
}

TEST_CASE("Writer refuses what it cannot write", "[midi]") {
  MidiFileWriter writer;
  CHECK_THROWS_AS(writer.toBytes(1), std::invalid_argument);  // no tracks
  writer.addTrack();
  writer.addTrack();
  CHECK_THROWS_AS(writer.toBytes(0), std::invalid_argument);  // format 0 with two tracks
  CHECK_THROWS_AS(writer.toBytes(3), std::invalid_argument);
  CHECK_THROWS_AS(writer.noteOn(5, 0, 0, 60, 100), std::out_of_range);
  CHECK_THROWS_AS(writer.noteOn(0, 0, 16, 60, 100), std::invalid_argument);
  CHECK_THROWS_AS(writer.noteOn(0, 0, 0, 128, 100), std::invalid_argument);
  CHECK_THROWS_AS(writer.sysex(0, 0, {0x41, 0xF7}), std::invalid_argument);
  CHECK_THROWS_AS(writer.meta(0, 0, 0x2F, {}), std::invalid_argument);
  CHECK_NOTHROW(writer.toBytes(1));
}

TEST_CASE("Format 1: tempo changes in the middle and in a second track apply to every track", "[midi]") {
  MidiFileWriter writer(100);
  const int conductor = writer.addTrack("Conductor");
  const int melody = writer.addTrack("Melody");
  const int other = writer.addTrack("Other");
  writer.tempo(conductor, 0, 60.0);     // 1 s per quarter: 10 ms per tick
  writer.tempo(conductor, 200, 120.0);  // from tick 200: 5 ms per tick
  writer.tempo(other, 400, 240.0);      // a tempo in the third track: 2.5 ms per tick
  for (uint64_t tick = 0; tick <= 600; tick += 100) writer.noteOn(melody, tick, 0, 60, 100);
  const MidiFile file = load(writer.toBytes(1));

  CHECK(file.format() == 1);
  CHECK(file.trackCount() == 3);
  CHECK(file.warnings().empty());
  CHECK(file.trackNames() == std::vector<std::string>{"Conductor", "Melody", "Other"});
  const std::vector<MidiEvent> notes = channelEvents(file, 0x90);
  REQUIRE(notes.size() == 7);
  const double expected[] = {0.0, 1.0, 2.0, 2.5, 3.0, 3.25, 3.5};
  for (size_t i = 0; i < notes.size(); ++i) {
    CHECK(notes[i].tick == i * 100);
    CHECK(notes[i].track == 1);
    CHECK(notes[i].time_s == Approx(expected[i]).margin(1e-12));
  }
  REQUIRE(file.tempoMap().size() == 3);
  CHECK(file.tempoMap()[2].time_s == Approx(3.0));
  CHECK(file.tempoBpmAt(0.5) == Approx(60.0));
  CHECK(file.tempoBpmAt(2.0) == Approx(120.0));
  CHECK(file.tempoBpmAt(2.99) == Approx(120.0));
  CHECK(file.tempoBpmAt(3.0) == Approx(240.0));
  CHECK(file.tempoBpmAt(100.0) == Approx(240.0));
  CHECK(file.duration_s() == Approx(3.5));
}

TEST_CASE("Ties keep track order, then file order", "[midi]") {
  MidiFileWriter writer;
  const int a = writer.addTrack();
  const int b = writer.addTrack();
  writer.noteOn(b, 10, 1, 1, 1);
  writer.noteOn(a, 10, 0, 2, 1);
  writer.noteOn(a, 10, 0, 3, 1);
  writer.noteOn(b, 10, 1, 4, 1);
  const MidiFile file = load(writer.toBytes(1));
  std::vector<int> keys;
  for (const MidiEvent& event : file.events()) keys.push_back(event.data1);
  CHECK(keys == std::vector<int>{2, 3, 1, 4});
}

TEST_CASE("Running status, also across notes with velocity 0", "[midi]") {
  const Bytes body{0x00, 0x90, 60, 100,  // note-on with status
                   0x10, 62, 100,        // running status
                   0x10, 60, 0,          // running status, velocity 0 (a note-off for the synth)
                   0x00, 0xC3, 7,        // program change: one data byte
                   0x05, 9,              // running status with one data byte
                   0x00, 0xB0, 64, 127, 0x00, 1, 20};
  Bytes track = body;
  track.insert(track.end(), kEndOfTrack.begin(), kEndOfTrack.end());
  const MidiFile file = load(concat({header(0, 1, 96), trackChunk(track)}));
  CHECK(file.warnings().empty());
  const std::vector<MidiEvent>& events = file.events();
  REQUIRE(events.size() == 7);
  CHECK((events[1].status == 0x90 && events[1].data1 == 62 && events[1].data2 == 100 && events[1].tick == 16));
  CHECK((events[2].status == 0x90 && events[2].data1 == 60 && events[2].data2 == 0 && events[2].tick == 32));
  CHECK((events[3].status == 0xC3 && events[3].data1 == 7));
  CHECK((events[4].status == 0xC3 && events[4].data1 == 9 && events[4].tick == 37));
  CHECK((events[6].status == 0xB0 && events[6].data1 == 1 && events[6].data2 == 20));
}

TEST_CASE("Running status continues after meta and sysex events, as players do, with a warning", "[midi]") {
  SECTION("meta") {
    // Two interruptions: the warning counts them.
    const Bytes track{0x00, 0x90, 60, 100, 0x00, 0xFF, 0x01, 0x02, 'h', 'i', 0x00, 62, 100, 0x10, 64, 100,
                      0x00, 0xFF, 0x01, 0x00, 0x00, 65, 100, 0x00, 0xFF, 0x2F, 0x00};
    const MidiFile file = load(concat({header(0, 1, 96), trackChunk(track)}), "meta.mid");
    const std::vector<MidiEvent> notes = channelEvents(file, 0x90);
    REQUIRE(notes.size() == 4);
    CHECK((notes[1].data1 == 62 && notes[1].tick == 0 && notes[2].data1 == 64 && notes[2].tick == 16));
    CHECK((notes[3].data1 == 65 && notes[3].tick == 16));
    REQUIRE(file.warnings().size() == 1);
    CHECK(file.warnings()[0].track == 0);
    CHECK(file.warnings()[0].offset == 14 + 8 + 11);
    CHECK(file.warnings()[0].message ==
          "meta.mid: track 0 at byte 33: running status 0x90 continued after a meta event (the spec cancels it "
          "there), played as players do (2 times in this track)");
  }
  SECTION("sysex") {
    const Bytes track{0x00, 0x90, 60, 100, 0x00, 0xF0, 0x02, 0x7E, 0xF7, 0x00, 62, 100, 0x00, 0xFF, 0x2F, 0x00};
    const MidiFile file = load(concat({header(0, 1, 96), trackChunk(track)}), "sysex.mid");
    CHECK(channelEvents(file, 0x90).size() == 2);
    CHECK(file.events().size() == 3);
    REQUIRE(file.warnings().size() == 1);
    CHECK(file.warnings()[0].message ==
          "sysex.mid: track 0 at byte 32: running status 0x90 continued after a sysex event (the spec cancels it "
          "there), played as players do");
  }
  SECTION("a data byte with no channel message before it still ends the track") {
    const Bytes track{0x00, 0xFF, 0x01, 0x01, 'x', 0x00, 62, 100, 0x00, 0xFF, 0x2F, 0x00};
    const MidiFile file = load(concat({header(0, 1, 96), trackChunk(track)}), "nostatus.mid");
    CHECK(file.events().empty());
    CHECK(hasWarning(file, "nostatus.mid: track 0 at byte 28: data byte 0x3E with no status byte before it"));
  }
}

TEST_CASE("SMPTE time division ignores tempo and counts frames", "[midi]") {
  SECTION("25 frames/s x 40 ticks/frame = 1000 ticks/s") {
    MidiFileWriter writer(96);
    const int track = writer.addTrack();
    writer.tempo(track, 0, 200.0);  // meaningless with SMPTE timing
    writer.noteOn(track, 1000, 0, 60, 100);
    writer.noteOn(track, 2500, 0, 60, 0);
    Bytes bytes = writer.toBytes(0);
    bytes[12] = 0xE7;  // -25
    bytes[13] = 40;
    const MidiFile file = load(bytes);
    CHECK(file.ticksPerQuarter() == 0);
    CHECK(file.smpteTicksPerSecond() == 1000.0);
    REQUIRE(file.events().size() == 2);
    CHECK(file.events()[0].time_s == Approx(1.0));
    CHECK(file.events()[1].time_s == Approx(2.5));
    CHECK(file.duration_s() == Approx(2.5));
  }
  SECTION("29.97 drop-frame (-29) is timed as 30 frames/s") {
    MidiFileWriter writer(96);
    const int track = writer.addTrack();
    writer.noteOn(track, 300, 0, 60, 100);
    Bytes bytes = writer.toBytes(0);
    bytes[12] = 0xE3;  // -29
    bytes[13] = 10;
    const MidiFile file = load(bytes);
    CHECK(file.smpteTicksPerSecond() == 300.0);
    REQUIRE(file.events().size() == 1);
    CHECK(file.events()[0].time_s == Approx(1.0));
  }
}

TEST_CASE("Sysex events are kept whole; F7 escapes and meta events are skipped", "[midi]") {
  MidiFileWriter writer(96);
  const int track = writer.addTrack("Sys");
  const std::vector<uint8_t> gmOn{0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7};
  writer.sysex(track, 0, gmOn);
  writer.meta(track, 0, 0x01, {'t', 'e', 'x', 't'});
  writer.meta(track, 0, 0x59, {0x00, 0x00});  // key signature
  writer.meta(track, 0, 0x7F, {0x00, 0x01, 0x02});  // sequencer-specific
  writer.noteOn(track, 96, 0, 60, 100);
  Bytes bytes = writer.toBytes(0);
  // Append an F7 escape (a raw MIDI clock byte) before the end-of-track by hand.
  const Bytes escape{0x00, 0xF7, 0x01, 0xF8};
  bytes.insert(bytes.end() - 4, escape.begin(), escape.end());
  const uint32_t length = static_cast<uint32_t>(bytes.size() - 22);
  bytes[18] = static_cast<uint8_t>(length >> 24);
  bytes[19] = static_cast<uint8_t>(length >> 16);
  bytes[20] = static_cast<uint8_t>(length >> 8);
  bytes[21] = static_cast<uint8_t>(length);
  const MidiFile file = load(bytes);
  CHECK(file.warnings().empty());
  REQUIRE(file.events().size() == 2);
  const MidiEvent& sysex = file.events()[0];
  CHECK(sysex.isSysex());
  REQUIRE(sysex.sysexLength == gmOn.size());
  const std::vector<uint8_t> payload(file.sysexData().begin() + sysex.sysexOffset,
                                     file.sysexData().begin() + sysex.sysexOffset + sysex.sysexLength);
  CHECK(payload == gmOn);
  CHECK(file.events()[1].status == 0x90);
  CHECK(file.trackNames()[0] == "Sys");
}

TEST_CASE("A missing end-of-track is a warning; the events stay", "[midi]") {
  const Bytes track{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0};
  const MidiFile file = load(concat({header(0, 1, 96), trackChunk(track)}), "noend.mid");
  CHECK(file.events().size() == 2);
  REQUIRE(file.warnings().size() == 1);
  CHECK(file.warnings()[0].track == 0);
  CHECK(file.warnings()[0].message == "noend.mid: track 0 at byte 30: missing end-of-track");
  CHECK(file.duration_s() == Approx(0.5));
}

TEST_CASE("Truncated tracks: what is there is read, the warning names track and offset", "[midi]") {
  MidiFileWriter writer(96);
  writer.addTrack();
  const int second = writer.addTrack();
  writer.noteOn(second, 0, 0, 60, 100);
  writer.noteOn(second, 96, 0, 62, 100);
  writer.noteOn(second, 192, 0, 64, 100);
  const Bytes whole = writer.toBytes(1);
  // Cut the file in the middle of the third note: its status and key are there.
  const size_t secondTrackStart = 14 + 12;
  const Bytes cut(whole.begin(), whole.end() - 6);
  const MidiFile file = load(cut, "cut.mid");
  CHECK(channelEvents(file, 0x90).size() == 2);
  REQUIRE(file.warnings().size() == 2);
  CHECK(file.warnings()[0].track == 1);
  CHECK(file.warnings()[0].offset == secondTrackStart);
  CHECK(file.warnings()[0].message.find("cut.mid: track 1 at byte 26: chunk length 16 runs past the end") == 0);
  CHECK(file.warnings()[1].track == 1);
  CHECK(file.warnings()[1].offset == secondTrackStart + 8 + 8);
  CHECK(file.warnings()[1].message == "cut.mid: track 1 at byte 42: truncated channel message; rest of the track ignored");
}

TEST_CASE("Format 2: the sequences play one after another, each from the default tempo", "[midi]") {
  MidiFileWriter writer(96);
  const int first = writer.addTrack("one");
  writer.tempo(first, 0, 60.0);  // 1 s per quarter
  writer.noteOn(first, 0, 0, 60, 100);
  writer.noteOff(first, 192, 0, 60);  // ends at 2 s
  const int second = writer.addTrack("two");
  writer.noteOn(second, 0, 0, 62, 100);  // no tempo of its own: 120 bpm
  writer.noteOff(second, 96, 0, 62);
  const int third = writer.addTrack("three");
  writer.tempo(third, 0, 240.0);
  writer.noteOn(third, 96, 1, 64, 100);
  const MidiFile file = load(writer.toBytes(2), "seq.mid");
  CHECK(file.warnings().empty());
  CHECK(file.format() == 2);
  CHECK(file.sequenceStartTicks() == std::vector<uint64_t>{0, 192, 288});
  const std::vector<MidiEvent> notes = channelEvents(file, 0x90);
  REQUIRE(notes.size() == 3);
  CHECK(notes[0].time_s == Approx(0.0));
  CHECK(notes[1].time_s == Approx(2.0));
  const std::vector<MidiEvent> offs = channelEvents(file, 0x80);
  REQUIRE(offs.size() == 2);
  CHECK(offs[0].time_s == Approx(2.0));
  CHECK(offs[1].time_s == Approx(2.5));
  const auto third_note = std::find_if(file.events().begin(), file.events().end(),
                                       [](const MidiEvent& e) { return e.status == 0x91; });
  REQUIRE(third_note != file.events().end());
  CHECK(third_note->time_s == Approx(2.5 + 0.25));
  CHECK(file.duration_s() == Approx(2.75));
  CHECK(file.tempoBpmAt(0.5) == Approx(60.0));
  CHECK(file.tempoBpmAt(2.2) == Approx(120.0));
  CHECK(file.tempoBpmAt(2.6) == Approx(240.0));
}

TEST_CASE("Unknown chunks are skipped", "[midi]") {
  const Bytes alien{'X', 'Y', 'Z', 'W', 0, 0, 0, 3, 1, 2, 3};
  const Bytes track{0x00, 0x90, 60, 100, 0x00, 0xFF, 0x2F, 0x00};
  const MidiFile file = load(concat({header(1, 1, 96), alien, trackChunk(track), alien}));
  CHECK(file.warnings().empty());
  CHECK(file.trackCount() == 1);
  CHECK(file.events().size() == 1);
}

TEST_CASE("load() reads a file from disk and names it in errors", "[midi]") {
  const fs::path dir = fs::path(AWE_BINARY_DIR) / "test-output";
  fs::create_directories(dir);
  const std::string path = (dir / "writer-roundtrip.mid").string();
  MidiFileWriter writer;
  const int track = writer.addTrack("Disk");
  writer.noteOn(track, 0, 9, 36, 127);
  writer.writeFile(path, 0);
  const MidiFile file = MidiFile::load(path);
  CHECK(file.path() == path);
  CHECK(file.events().size() == 1);
  const std::string missing = (dir / "does-not-exist.mid").string();
  CHECK_THROWS_WITH(MidiFile::load(missing), Catch::Contains(missing) && Catch::Contains("cannot open"));
}

TEST_CASE("Broken MIDI corpus: each file gives its expected error or warning", "[midi]") {
  const fs::path dir = fs::path(AWE_TEST_DATA_DIR) / "midi" / "broken";
  std::ifstream tsv(dir / "expected.tsv");
  REQUIRE(tsv);
  std::map<std::string, std::pair<std::string, std::string>> expected;
  std::string line;
  std::getline(tsv, line);  // column names
  while (std::getline(tsv, line)) {
    std::istringstream fields(line);
    std::string name, outcome, text;
    std::getline(fields, name, '\t');
    std::getline(fields, outcome, '\t');
    std::getline(fields, text);
    expected[name] = {outcome, text};
  }
  REQUIRE(expected.size() >= 30);

  size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".mid") continue;
    const std::string name = entry.path().filename().string();
    INFO(name);
    const auto it = expected.find(name);
    REQUIRE(it != expected.end());  // every file in the corpus has an expectation
    const auto& [outcome, text] = it->second;
    try {
      const MidiFile file = MidiFile::load(entry.path().string());
      INFO(allWarnings(file));
      CHECK(outcome == "warning");
      CHECK(hasWarning(file, text));
      for (const MidiFileWarning& warning : file.warnings()) {
        CHECK(warning.message.find(entry.path().string() + ": ") == 0);
        CHECK(warning.message.find(" at byte " + std::to_string(warning.offset) + ": ") != std::string::npos);
      }
    } catch (const MidiFileError& error) {
      INFO(error.what());
      CHECK(outcome == "error");
      CHECK(std::string(error.what()).find(text) != std::string::npos);
      CHECK(std::string(error.what()).find(entry.path().string()) == 0);
    }
    ++checked;
  }
  CHECK(checked == expected.size());
}

TEST_CASE("The fuzzer's crash inputs load or throw MidiFileError", "[midi]") {
  const fs::path dir = fs::path(AWE_TEST_DATA_DIR) / "midi" / "crashes";
  if (!fs::exists(dir)) return;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    INFO(entry.path().string());
    try {
      const MidiFile file = MidiFile::load(entry.path().string());
      CHECK(std::is_sorted(file.events().begin(), file.events().end(),
                           [](const MidiEvent& a, const MidiEvent& b) { return a.tick < b.tick; }));
    } catch (const MidiFileError&) {
      SUCCEED();
    }
  }
}

TEST_CASE("The shared real MIDI files load with their known lengths and note counts", "[midi]") {
  const fs::path dir = fs::path(AWE_SHARED_DIR) / "midi";
  if (!fs::exists(dir / "piano_bach_846.mid")) {
    WARN("shared MIDI folder absent (" << dir.string() << "): skipped");
    return;
  }
  struct Expected {
    const char* name;
    double length_s;
    size_t notes;
  };
  const Expected files[] = {{"piano_bach_846.mid", 296.7, 1284},        {"piano_joplin_entertainer.mid", 254.6, 2616},
                            {"band_freedoom_e1m1.mid", 186.2, 4792},    {"band_freedoom_map01.mid", 83.5, 3099},
                            {"band_230bpm_multitrack.mid", 158.6, 3203}, {"orch_bartok_concerto_1.mid", 530.5, 19083},
                            {"gmtest_all_gm_sounds.mid", 352.0, 512}};
  for (const Expected& expected : files) {
    INFO(expected.name);
    const MidiFile file = MidiFile::load((dir / expected.name).string());
    INFO(allWarnings(file));
    CHECK(file.warnings().empty());
    CHECK(file.duration_s() == Approx(expected.length_s).margin(0.1));
    const auto notes = std::count_if(file.events().begin(), file.events().end(),
                                     [](const MidiEvent& e) { return e.type() == 0x90 && e.data2 > 0; });
    CHECK(static_cast<size_t>(notes) == expected.notes);
    CHECK(std::is_sorted(file.events().begin(), file.events().end(),
                         [](const MidiEvent& a, const MidiEvent& b) { return a.time_s < b.time_s; }));
  }
}

TEST_CASE("Files above the size limit are refused before parsing", "[midi]") {
  Bytes huge = concat({header(0, 1, 96), trackChunk({0x00, 0xFF, 0x2F, 0x00})});
  huge.resize(size_t{17} << 20);
  CHECK_THROWS_WITH(load(huge, "huge.mid"), Catch::StartsWith("huge.mid: header at byte 0: file is 17825792 bytes"));
}
