// ProfileSession: the --profile list, the file names, and the files of an offline render.
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/BuiltinFiles.h"
#include "engine/OfflineRender.h"
#include "engine/ProfileSession.h"
#include "monitor/profiling/SamplingProfiler.h"

using namespace awe;

TEST_CASE("the profile list of --profile parses and names what it does not know", "[profiling]") {
  const ProfileRequest r = parseProfileList("cpu, spans");
  CHECK(r.cpu);
  CHECK(r.spans);
  CHECK_FALSE(r.memory);
  const ProfileRequest all = parseProfileList("all");
  CHECK((all.cpu && all.memory && all.spans));
  CHECK(parseProfileList("memory").memory);
  CHECK_THROWS_WITH(parseProfileList("cpu,gpu"), Catch::Contains("unknown profile 'gpu'"));
  CHECK_THROWS_WITH(parseProfileList(""), Catch::Contains("empty profile list"));
  CHECK(profileBaseFor("out/song.wav", "x") == "out/song");
  CHECK(profileBaseFor("out.d/song", "x") == "out.d/song");
  CHECK(profileBaseFor("", "awe-render") == "awe-render");
}

TEST_CASE("a profile session of an offline render writes files that parse", "[profiling]") {
  ProfileRequest request;
  request.spans = StageSpanTap::compiledIn();
  request.memory = HeapProfiler::available();
  request.cpu = SamplingProfiler::available();
  if (!request.any()) return;
  const std::string base = std::string(AWE_BINARY_DIR) + "/profile-session-test";
  ProfileSession session(request, base, "awe-tests");
  ProfileSession::markRenderThread();
  session.start();
  {
    Engine engine(offlineEngineSettings(SynthSettings{}));
    engine.setBank(Bank::loadSf2(builtinBankPath()));
    engine.setSong(std::make_shared<const MidiFile>(MidiFile::load(builtinSongPath())));
    session.heapMark("loaded");
    const ProfileSession::Attachment spans(&session, engine);
    OfflineRenderSettings render;
    render.maxTail_s = 0.0;
    renderSong(engine, render, {});
  }
  const std::vector<std::string> paths = session.finish();
  std::size_t expected = 0;
  if (request.cpu) expected += 4;
  if (request.memory) expected += 3;
  if (request.spans) expected += 3;
  REQUIRE(paths.size() == expected);
  for (const std::string& path : paths) {
    INFO(path);
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str().size() > 10);
    if (path.size() > 5 && (path.compare(path.size() - 5, 5, ".json") == 0 || path.find(".cpuprofile") != std::string::npos)) {
      CHECK_NOTHROW(nlohmann::json::parse(text.str()));
    }
    if (path.find(".spans.txt") != std::string::npos) {
      CHECK(text.str().find("voice render") != std::string::npos);
      CHECK(text.str().find("own cost") != std::string::npos);
    }
    if (path.find(".heap.txt") != std::string::npos) CHECK(text.str().find("loaded -> end") != std::string::npos);
    if (path.find(".cpu.svg") != std::string::npos) CHECK(text.str().find("renderSong") != std::string::npos);
  }
}
