// Damaged and unusual MIDI files, on bytes written here: each kind gives its warning (track
// and byte offset) and what is left still plays, measured in rendered audio. Also the text
// a song carries (lyrics, markers, karaoke words) and the one wording every tool uses to
// tell what a loader skipped.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>


#include "emu8000/Synth.h"
#include "engine/LoadWarnings.h"
#include "engine/MidiFile.h"
#include "engine/OfflineRender.h"
#include "engine/Sequencer.h"
#include "support/Analysis.h"
#include "support/TestBank.h"
#include "support/ToolRun.h"

using namespace awe;
using namespace awe::test;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

constexpr double kRate = 44100.0;
constexpr int kDivision = 96;  // ticks per quarter; 120 bpm: 0.5 s per quarter
constexpr size_t kBodyStart = 14 + 8;  // first byte of the first track's body

Bytes header(int format, int tracks) {
  return {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, static_cast<uint8_t>(format), 0, static_cast<uint8_t>(tracks), 0,
          kDivision};
}

Bytes trackChunk(const Bytes& body) {
  const auto length = static_cast<uint32_t>(body.size());
  Bytes chunk{'M', 'T', 'r', 'k', static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
              static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
  for (const uint8_t byte : body) chunk.push_back(byte);  // (GCC 12 warns falsely about insert/copy here)
  return chunk;
}

void append(Bytes& to, const Bytes& more) { to.insert(to.end(), more.begin(), more.end()); }

const std::vector<int> kScale{60, 62, 64, 65, 67, 69, 71, 72};
const Bytes kEndOfTrack{0x00, 0xFF, 0x2F, 0x00};

// A C major scale, one quarter note a key (note-on, 96 ticks, note-off), with `before`
// written before the first note and `middle` before the fifth.
Bytes scaleTrack(const Bytes& before, const Bytes& middle = {}) {
  Bytes body = before;
  for (size_t i = 0; i < kScale.size(); ++i) {
    if (i == 4) append(body, middle);
    const auto key = static_cast<uint8_t>(kScale[i]);
    append(body, {0x00, 0x90, key, 100, 0x60, 0x80, key, 0});
  }
  append(body, kEndOfTrack);
  return body;
}

Bytes song(int format, const std::vector<Bytes>& tracks) {
  Bytes bytes = header(format, static_cast<int>(tracks.size()));
  for (const Bytes& track : tracks) append(bytes, trackChunk(track));
  return bytes;
}

MidiFile load(const Bytes& bytes, const std::string& name) {
  return MidiFile::loadFromMemory(bytes.data(), bytes.size(), name);
}

std::string allWarnings(const MidiFile& file) {
  std::string text;
  for (const MidiFileWarning& w : file.warnings()) text += w.message + "\n";
  return text;
}

// A looped sine at 441 Hz on key 69 over the whole keyboard, dry: each key's pitch is
// exact, so the rendered audio says which keys played.
std::shared_ptr<const Bank> sineBank() {
  SampleSpec sine;
  sine.data = sineCycles(100.0, 64);
  sine.loopEnd = static_cast<uint32_t>(sine.data.size());
  sine.originalKey = 69;
  RegionSpec region;
  region.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, -12000}};
  PresetSpec preset;
  preset.regions.push_back(region);
  return makeBank({sine}, {preset});
}

// The frequency a key plays on sineBank (its sine is 441 Hz at key 69).
double sineBankHz(int key) { return 441.0 * std::pow(2.0, (key - 69) / 12.0); }

StereoBuffer renderSong(const MidiFile& file, double seconds) {
  constexpr uint32_t kBlock = 512;
  Engine engine(offlineEngineSettings(sf2Settings(), kBlock));
  engine.setBank(sineBank());
  engine.setSong(std::make_shared<const MidiFile>(file));
  engine.start();
  engine.play();
  StereoBuffer out;
  const auto frames = static_cast<size_t>(seconds * kRate);
  engine.runOffline((frames + kBlock - 1) / kBlock, [&](const float* l, const float* r, size_t n) {
    out.left.insert(out.left.end(), l, l + n);
    out.right.insert(out.right.end(), r, r + n);
  });
  out.left.resize(frames);
  out.right.resize(frames);
  return out;
}

// The scale heard in the audio, one quarter (0.5 s) a key from `start_s`: each key's
// middle 0.3 s is at its pitch within 5 cents and above -40 dBFS.
void checkScaleHeard(const StereoBuffer& audio, double start_s) {
  for (size_t i = 0; i < kScale.size(); ++i) {
    INFO("key " << kScale[i] << " at " << start_s + 0.5 * static_cast<double>(i) << " s");
    const auto begin = static_cast<size_t>((start_s + 0.5 * static_cast<double>(i) + 0.1) * kRate);
    const auto end = begin + static_cast<size_t>(0.3 * kRate);
    REQUIRE(end <= audio.size());
    CHECK(toDecibels(rms(audio.left, begin, end)) > -40.0);
    CHECK(std::fabs(centsBetween(frequencyHz(audio.left, begin, end, kRate), sineBankHz(kScale[i]))) < 5.0);
  }
}

void writeBytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out);
}

}  // namespace

TEST_CASE("A stray system status byte (F1-F6, F8-FE) skips that message and the track goes on", "[midi][damaged]") {
  struct Stray {
    uint8_t status;
    Bytes data;
    const char* name;
  };
  // The layout of the public test files with one such byte each: the message, then the scale.
  const Stray strays[] = {{0xF1, {0x7F}, "MIDI time code quarter frame"},
                          {0xF2, {0x7F, 0x7F}, "song position"},
                          {0xF3, {0x7F}, "song select"},
                          {0xF4, {}, "undefined"},
                          {0xF5, {}, "undefined"},
                          {0xF6, {}, "tune request"},
                          {0xF8, {}, "timing clock"},
                          {0xF9, {}, "undefined"},
                          {0xFA, {}, "start"},
                          {0xFB, {}, "continue"},
                          {0xFC, {}, "stop"},
                          {0xFD, {}, "undefined"},
                          {0xFE, {}, "active sensing"}};
  for (const Stray& stray : strays) {
    Bytes before{0x00, stray.status};
    append(before, stray.data);
    const MidiFile file = load(song(0, {scaleTrack(before)}), "stray.mid");
    INFO(allWarnings(file));
    REQUIRE(file.warnings().size() == 1);
    CHECK(file.warnings()[0].track == 0);
    CHECK(file.warnings()[0].offset == kBodyStart);
    const size_t n = stray.data.size();
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", stray.status);
    CHECK(file.warnings()[0].message ==
          std::string("stray.mid: track 0 at byte 22: status ") + hex + " (" + stray.name +
              ") is not allowed in a MIDI file; skipped" +
              (n == 0 ? "" : " with its " + std::to_string(n) + (n == 1 ? " data byte" : " data bytes")));
    // Everything after it is read: 8 notes on and 8 off, 4 s.
    CHECK(file.events().size() == 16);
    CHECK(file.duration_s() == Approx(4.0));
  }
  SECTION("and the scale is heard") {
    const MidiFile file = load(song(0, {scaleTrack({0x00, 0xF1, 0x7F})}), "stray.mid");
    checkScaleHeard(renderSong(file, 4.2), 0.0);
  }
  SECTION("the same in the middle of running status, which carries on") {
    // note-on C with status; a real-time byte; then running-status data for the note-off.
    const Bytes body{0x00, 0x90, 60, 100, 0x00, 0xFE, 0x60, 60, 0, 0x00, 0xFF, 0x2F, 0x00};
    const MidiFile file = load(song(0, {body}), "rt.mid");
    REQUIRE(file.events().size() == 2);
    CHECK((file.events()[1].status == 0x90 && file.events()[1].data2 == 0 && file.events()[1].tick == 96));
    REQUIRE(file.warnings().size() == 1);
    CHECK(file.warnings()[0].message ==
          "rt.mid: track 0 at byte 26: status 0xFE (active sensing) is not allowed in a MIDI file; skipped");
  }
}

TEST_CASE("Running status after a meta or sysex event plays the whole scale", "[midi][damaged]") {
  // Note-ons with velocity 0 as note-offs, all in running status after the first, and a
  // text event (or a GM-on sysex) before the fifth key: as the public test files have it.
  auto runningScale = [](const Bytes& interruption) {
    Bytes body{0x00, 0x90, 60, 100, 0x60, 60, 0};
    for (size_t i = 1; i < kScale.size(); ++i) {
      if (i == 4) append(body, interruption);
      const auto key = static_cast<uint8_t>(kScale[i]);
      append(body, {0x00, key, 100, 0x60, key, 0});
    }
    append(body, kEndOfTrack);
    return body;
  };
  SECTION("meta") {
    const Bytes body = runningScale({0x00, 0xFF, 0x01, 0x05, 'b', 'r', 'e', 'a', 'k'});
    const MidiFile file = load(song(0, {body}), "rs-meta.mid");
    // The fifth key's data byte: 7 + 3 × 6 bytes of notes, then 9 of the text event, then its delta.
    const size_t offset = kBodyStart + 7 + 18 + 9 + 1;
    REQUIRE(file.warnings().size() == 1);
    CHECK(file.warnings()[0].offset == offset);
    CHECK(file.warnings()[0].message == "rs-meta.mid: track 0 at byte " + std::to_string(offset) +
                                            ": running status 0x90 continued after a meta event (the spec cancels "
                                            "it there), played as players do");
    CHECK(file.events().size() == 16);
    checkScaleHeard(renderSong(file, 4.2), 0.0);
  }
  SECTION("sysex") {
    const Bytes body = runningScale({0x00, 0xF0, 0x05, 0x7E, 0x7F, 0x09, 0x01, 0xF7});
    const MidiFile file = load(song(0, {body}), "rs-sysex.mid");
    const size_t offset = kBodyStart + 7 + 18 + 8 + 1;
    REQUIRE(file.warnings().size() == 1);
    CHECK(file.warnings()[0].offset == offset);
    CHECK(file.warnings()[0].message.find("rs-sysex.mid: track 0 at byte " + std::to_string(offset) +
                                          ": running status 0x90 continued after a sysex event") == 0);
    CHECK(file.events().size() == 17);  // the sysex too
    checkScaleHeard(renderSong(file, 4.2), 0.0);
  }
}

TEST_CASE("Format 2: each sequence is heard after the one before", "[midi][damaged]") {
  const MidiFile file = load(song(2, {scaleTrack({}), scaleTrack({})}), "two.mid");
  CHECK(file.warnings().empty());
  CHECK(file.duration_s() == Approx(8.0));
  CHECK(file.sequenceStartTicks() == std::vector<uint64_t>{0, 8 * 96});
  const StereoBuffer audio = renderSong(file, 8.2);
  checkScaleHeard(audio, 0.0);
  checkScaleHeard(audio, 4.0);
}

TEST_CASE("An implausible gap is warned about at the delta time that makes it", "[midi][damaged]") {
  SECTION("a damaged delta in the middle: hours of nothing") {
    // Two notes; the second's delta time reads 0x8F FF FF 7F (2^25 ticks, about 48 hours).
    const Bytes body{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x8F, 0xFF, 0xFF, 0x7F, 0x90, 62, 100,
                     0x60, 0x80, 62, 0, 0x00, 0xFF, 0x2F, 0x00};
    const MidiFile file = load(song(0, {body}), "flipped.mid");
    const size_t offset = kBodyStart + 8;
    REQUIRE(file.warnings().size() == 1);
    CHECK(file.warnings()[0].track == 0);
    CHECK(file.warnings()[0].offset == offset);
    CHECK(file.warnings()[0].message ==
          "flipped.mid: track 0 at byte 30: delta time of 33554431 ticks: an implausible gap of 48 h 32 min with no "
          "event, from 0.5 s into the song (most likely a damaged delta time); the song lasts 48 h 32 min");
    CHECK(file.longestGap().start_s == Approx(0.5));
    CHECK(file.longestGap().length_s == Approx(33554431 / 96.0 * 0.5));
    CHECK(file.events().size() == 4);  // nothing is dropped: the warning is all
  }
  SECTION("in the end-of-track of another track") {
    const Bytes notes{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00};
    const Bytes conductor{0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, 0x83, 0xFF, 0x7F, 0xFF, 0x2F, 0x00};
    const MidiFile file = load(song(1, {conductor, notes}), "eot.mid");
    const size_t offset = kBodyStart + 7;
    REQUIRE(file.warnings().size() == 1);
    CHECK(file.warnings()[0].offset == offset);
    CHECK(file.warnings()[0].message.find("eot.mid: track 0 at byte 29: delta time of 65535 ticks: an implausible gap "
                                          "of 5 min 40 s with no event, from 0.5 s into the song") == 0);
  }
  SECTION("a long coda after a long song is plausible") {
    // 192 quarter notes (96 s), then 70 s of silence before the end: no warning.
    Bytes body;
    for (int i = 0; i < 192; ++i) append(body, {0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0});
    append(body, {0xE9, 0x00, 0xFF, 0x2F, 0x00});  // 140 quarters (13440 ticks) = 70 s
    const MidiFile file = load(song(0, {body}), "coda.mid");
    INFO(allWarnings(file));
    CHECK(file.warnings().empty());
    CHECK(file.longestGap().length_s == Approx(70.0));
    CHECK(file.longestGap().start_s == Approx(96.0));
  }
}

TEST_CASE("Lyrics, markers and karaoke words are kept with their times", "[midi][text]") {
  SECTION("lyric and marker events") {
    MidiFileWriter writer(kDivision);
    const int track = writer.addTrack("Vocals");
    writer.meta(track, 0, 0x06, {'V', 'e', 'r', 's', 'e'});
    writer.meta(track, 0, 0x05, {'H', 'e', 'l', '-'});
    writer.meta(track, 96, 0x05, {'l', 'o', ' '});
    writer.meta(track, 192, 0x05, {'w', 'o', 'r', 'l', 'd', '\r'});
    writer.meta(track, 384, 0x06, {'C', 'h', 'o', 'r', 'u', 's'});
    writer.meta(track, 384, 0x05, {'L', 'a'});
    writer.meta(track, 480, 0x05, {0xE9, 't', 0xE9});  // Latin-1 "été"
    writer.noteOn(track, 0, 0, 60, 100);
    const MidiFile file = load(writer.toBytes(0), "lyrics.mid");
    CHECK(file.warnings().empty());
    CHECK_FALSE(file.karaoke());
    REQUIRE(file.markers().size() == 2);
    CHECK(file.markers()[1].text == "Chorus");
    CHECK(file.markers()[1].time_s == Approx(2.0));
    CHECK(file.markerAt(0.5)->text == "Verse");
    CHECK(file.markerAt(2.0)->text == "Chorus");
    REQUIRE(file.lyrics().size() == 5);
    CHECK(file.lyrics()[3].newLine);
    CHECK(file.lyrics()[4].text == "\xC3\xA9t\xC3\xA9");
    size_t sung = 0;
    CHECK(file.lyricLineAt(0.6, &sung) == "Hel-lo world");
    CHECK(sung == std::string("Hel-lo ").size());
    CHECK(file.lyricLineAt(2.6, &sung) == "La\xC3\xA9t\xC3\xA9");
    CHECK(sung == std::string("La\xC3\xA9t\xC3\xA9").size());
    CHECK(file.lyricLineAt(-1.0).empty());
    CHECK(file.trackNames()[0] == "Vocals");
  }
  SECTION("a .kar file: @ header, words in their own track, / and \\ breaks") {
    MidiFileWriter writer(kDivision);
    const int music = writer.addTrack();
    writer.noteOn(music, 0, 0, 60, 100);
    const int info = writer.addTrack();
    writer.meta(info, 0, 0x01, {'@', 'K', 'M', 'I', 'D', 'I', ' ', 'K', 'A', 'R', 'A', 'O', 'K', 'E'});
    const int words = writer.addTrack("Words");
    auto text = [&](uint64_t tick, const std::string& s) { writer.meta(words, tick, 0x01, {s.begin(), s.end()}); };
    text(0, "@LENGL");
    text(0, "@TA Song");
    text(96, "\\Row ");
    text(144, "row ");
    text(192, "your");
    text(288, "/boat");
    text(384, "\\Gent");
    text(432, "ly");
    const MidiFile file = load(writer.toBytes(1), "song.kar");
    CHECK(file.karaoke());
    REQUIRE(file.lyrics().size() == 6);
    CHECK(file.lyrics()[0].newParagraph);
    CHECK(file.lyrics()[3].newLine);
    CHECK_FALSE(file.lyrics()[3].newParagraph);
    CHECK(file.lyrics()[4].newParagraph);
    size_t sung = 0;
    CHECK(file.lyricLineAt(1.0, &sung) == "Row row your");
    CHECK(sung == std::string("Row row your").size());
    CHECK(file.lyricLineAt(1.5) == "boat");
    CHECK(file.lyricLineAt(2.3, &sung) == "Gently");
    CHECK(sung == 6);
    // The @ lines stay in texts() with their times, for whoever wants the title.
    bool title = false;
    for (const MidiText& t : file.texts()) title = title || (t.text == "@TA Song" && t.track == 2);
    CHECK(title);
  }
}

TEST_CASE("Loader warnings read the same in every tool: count, then the first few with track and offset",
          "[midi][damaged]") {
  // Seven stray bytes in one track: seven warnings.
  Bytes before;
  for (int i = 0; i < 7; ++i) append(before, {0x00, 0xF8});
  const MidiFile file = load(song(0, {scaleTrack(before)}), "clocks.mid");
  REQUIRE(file.warningCount() == 7);
  const std::string text = formatLoadWarnings(loadWarningList(file));
  CHECK(text ==
        "clocks.mid: 7 loader warnings (parts skipped or repaired); the first 5:\n"
        "  track 0 at byte 22: status 0xF8 (timing clock) is not allowed in a MIDI file; skipped\n"
        "  track 0 at byte 24: status 0xF8 (timing clock) is not allowed in a MIDI file; skipped\n"
        "  track 0 at byte 26: status 0xF8 (timing clock) is not allowed in a MIDI file; skipped\n"
        "  track 0 at byte 28: status 0xF8 (timing clock) is not allowed in a MIDI file; skipped\n"
        "  track 0 at byte 30: status 0xF8 (timing clock) is not allowed in a MIDI file; skipped\n"
        "  ... and 2 more\n");
  CHECK(loadWarningsLine(loadWarningList(file)) ==
        "clocks.mid: 7 loader warnings; first: track 0 at byte 22: status 0xF8 (timing clock) is not allowed in a "
        "MIDI file; skipped");
  const std::vector<LoadWarning> bankWarnings{{"RIFF", 1234, "10 bytes after the RIFF form ignored"}};
  CHECK(formatLoadWarnings(loadWarningList("bank.sf2", bankWarnings)) ==
        "bank.sf2: 1 loader warning (parts skipped or repaired):\n"
        "  chunk 'RIFF' at byte 1234: 10 bytes after the RIFF form ignored\n");
  CHECK(formatLoadWarnings(loadWarningList(load(song(0, {scaleTrack({})}), "fine.mid"))).empty());
}

TEST_CASE("awe-render prints what the loader skipped and renders the rest", "[midi][damaged][tools]") {
  const std::string render = toolPath("awe-render");
  if (!fs::exists(render)) {
    WARN("awe-render not built: skipped");
    return;
  }
  const std::string folder = freshFolder("damaged-midi-tests", "render");
  const std::string songPath = folder + "/stray.mid";
  writeBytes(songPath, song(0, {scaleTrack({0x00, 0xF2, 0x10, 0x20})}));
  const ToolRun run = runTool(render + " -q --no-effects " + songPath + " -o " + folder + "/out.wav");
  INFO(run.output);
  CHECK(run.exitCode == 0);
  CHECK(run.output.find(songPath + ": 1 loader warning (parts skipped or repaired):\n"
                                   "  track 0 at byte 22: status 0xF2 (song position) is not allowed in a MIDI "
                                   "file; skipped with its 2 data bytes\n") != std::string::npos);
  // The whole scale was rendered: about 4 s and its release.
  CHECK(fs::file_size(folder + "/out.wav") > static_cast<uintmax_t>(4.0 * kRate * 2 * 2));
}
