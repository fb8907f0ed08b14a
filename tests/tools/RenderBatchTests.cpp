// awe-render over many songs (issue 16): `-j N` renders a batch in parallel into a folder,
// byte for byte what single renders write; run again it skips the outputs that are
// complete and renders a cut one again; a bad song fails alone with the tools' exit code.
// Everything is written under the build folder.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/MidiFile.h"
#include "engine/WavWriter.h"
#include "support/ToolRun.h"

namespace fs = std::filesystem;
using namespace awe;

namespace {

// A short song: one chord of `keys` for half a second (each song its own, so a mix-up of
// outputs shows).
void writeChordSong(const std::string& path, std::initializer_list<int> keys) {
  MidiFileWriter w(480);
  const int t = w.addTrack("chord");
  w.tempo(t, 0, 120.0);
  for (const int key : keys) w.noteOn(t, 0, 0, key, 100);
  for (const int key : keys) w.noteOff(t, 480, 0, key);
  w.writeFile(path, 1);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("awe-render -j renders a batch as single renders do and resumes it", "[render-tool][batch]") {
  const std::string folder = test::freshFolder("render-batch-tests", "batch");
  const std::string render = test::toolPath("awe-render") + " -q --tail 1";
  const char* const names[] = {"low", "mid", "high"};
  const std::initializer_list<int> chords[] = {{48, 52, 55}, {60, 64, 67}, {72, 76, 79}};
  std::string songs;
  fs::create_directory(folder + "/single");
  for (int i = 0; i < 3; ++i) {
    const std::string song = folder + "/" + names[i] + ".mid";
    writeChordSong(song, chords[i]);
    songs += " " + song;
    const test::ToolRun single = test::runTool(render + " " + song + " -o " + folder + "/single/" + names[i] + ".wav");
    INFO(single.output);
    REQUIRE(single.exitCode == 0);
  }
  auto sameAsSingle = [&](const char* name) {
    return test::readWholeFile(folder + "/out/" + name + ".wav") == test::readWholeFile(folder + "/single/" + name + ".wav");
  };

  const test::ToolRun batch = test::runTool(render + " -j 2" + songs + " -o " + folder + "/out/");
  INFO(batch.output);
  REQUIRE(batch.exitCode == 0);
  CHECK(batch.output.find("batch: 3 rendered, 0 skipped (complete), 0 failed") != std::string::npos);
  for (const char* name : names) {
    INFO(name);
    CHECK(audioFileProblem(folder + "/out/" + name + ".wav").empty());
    CHECK(sameAsSingle(name));
  }

  SECTION("run again, it skips the complete outputs") {
    const auto before = fs::last_write_time(folder + "/out/mid.wav");
    const test::ToolRun again = test::runTool(render + " -j 2" + songs + " -o " + folder + "/out");
    INFO(again.output);
    CHECK(again.exitCode == 0);
    CHECK(count(again.output, "complete, skipped") == 3);
    CHECK(again.output.find("batch: 0 rendered, 3 skipped (complete), 0 failed") != std::string::npos);
    CHECK(fs::last_write_time(folder + "/out/mid.wav") == before);
  }
  SECTION("a cut output is rendered again, the others are kept") {
    const std::string cut = folder + "/out/mid.wav";
    fs::resize_file(cut, fs::file_size(cut) / 2);
    CHECK_FALSE(audioFileProblem(cut).empty());
    const test::ToolRun again = test::runTool(render + " -j 2" + songs + " -o " + folder + "/out/");
    INFO(again.output);
    CHECK(again.exitCode == 0);
    CHECK(again.output.find("mid.wav: its RIFF header announces") != std::string::npos);
    CHECK(again.output.find("batch: 1 rendered, 2 skipped (complete), 0 failed") != std::string::npos);
    for (const char* name : names) CHECK(sameAsSingle(name));
  }
  SECTION("a bad song fails alone, with the bad-input exit code") {
    const std::string bad = folder + "/bad.mid";
    std::ofstream(bad, std::ios::binary) << "MThd";  // a header cut short
    fs::remove(folder + "/out/high.wav");
    const test::ToolRun again = test::runTool(render + " -j 2 " + bad + songs + " -o " + folder + "/out/");
    INFO(again.output);
    CHECK(again.exitCode == 4);
    CHECK(again.output.find("bad.mid: the render failed (exit 4)") != std::string::npos);
    CHECK(again.output.find("batch: 1 rendered, 2 skipped (complete), 1 failed") != std::string::npos);
    CHECK_FALSE(fs::exists(folder + "/out/bad.wav"));
    CHECK(sameAsSingle("high"));
  }
}

TEST_CASE("awe-render refuses a batch it cannot name", "[render-tool][batch]") {
  const std::string folder = test::freshFolder("render-batch-tests", "names");
  fs::create_directories(folder + "/a");
  fs::create_directories(folder + "/b");
  writeChordSong(folder + "/a/song.mid", {60});
  writeChordSong(folder + "/b/song.mid", {64});
  const std::string render = test::toolPath("awe-render") + " -q ";
  // Two songs of one name would write one file.
  const test::ToolRun same = test::runTool(render + folder + "/a/song.mid " + folder + "/b/song.mid -o " + folder + "/out/");
  INFO(same.output);
  CHECK(same.exitCode == 4);
  CHECK(same.output.find("would both be rendered to") != std::string::npos);
  // Several songs into one file.
  const test::ToolRun oneFile = test::runTool(render + folder + "/a/song.mid " + folder + "/b/song.mid -o " + folder + "/x.wav");
  INFO(oneFile.output);
  CHECK(oneFile.exitCode == 4);
  CHECK(oneFile.output.find("need -o naming a folder") != std::string::npos);
  CHECK_FALSE(fs::exists(folder + "/x.wav"));
}
