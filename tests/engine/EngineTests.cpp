// The real-time engine end to end: drivers (paced clock, awe's JACK client on a private JACK server
// with the dummy backend, offline), the allocation trap in abort mode over steady-state
// audio, injected faults, live MIDI through real JACK ports, event scheduling.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include "engine/Engine.h"
#include "engine/MidiFile.h"
#include "monitor/AllocationTrap.h"
#include "monitor/Clock.h"
#include "monitor/report/ReportJson.h"
#include "monitor/report/ReportText.h"
#include "monitor/report/ReportTrace.h"
#include "support/JackServer.h"
#include "support/Skip.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
constexpr uint32_t kFrames = 1024;

// A song of `seconds` with chords and drums on every beat, looping-friendly.
std::shared_ptr<const MidiFile> steadySong(double seconds) {
  MidiFileWriter w(480);
  const int t = w.addTrack("steady");
  w.tempo(t, 0, 120.0);
  const int beats = static_cast<int>(seconds * 2.0);
  for (int b = 0; b < beats; ++b) {
    const uint64_t tick = static_cast<uint64_t>(b) * 480;
    for (int k : {60, 64, 67}) {
      w.noteOn(t, tick, 0, k + (b % 4), 90);
      w.noteOff(t, tick + 400, 0, k + (b % 4));
    }
    w.noteOn(t, tick, 9, 36, 100);
    w.noteOff(t, tick + 100, 9, 36);
    w.controlChange(t, tick + 240, 0, 7, 80 + (b % 40));
    w.pitchBend(t, tick + 120, 0, 8192 + 100 * (b % 8));
  }
  const std::vector<uint8_t> bytes = w.toBytes(1);
  return std::make_shared<const MidiFile>(MidiFile::loadFromMemory(bytes.data(), bytes.size(), "steady.mid"));
}

EngineSettings settingsFor(DriverKind kind) {
  EngineSettings s;
  s.driver.kind = kind;
  s.driver.sampleRate = kRate;
  s.driver.bufferFrames = kFrames;
  s.driver.clientName = "awe-test";
  // Timing tests count the SF2 default envelope delay exactly (43 samples); the awe
  // personality would round it to its 32-sample register unit.
  s.synth.personality = Personality::Modern;
  return s;
}

// Plays the song until `seconds` of audio have gone through the callback (or three times
// that in wall time, on a machine too loaded to keep up), pumping like a UI would.
void playFor(Engine& engine, double seconds) {
  engine.play();
  const uint64_t buffers = static_cast<uint64_t>(seconds * kRate / kFrames) + 1;
  const auto giveUp = std::chrono::steady_clock::now() + std::chrono::duration<double>(3.0 * seconds + 5.0);
  while (engine.monitor().snapshot(0).buffers < buffers && std::chrono::steady_clock::now() < giveUp) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    engine.pump();
  }
}

void checkSteadyState(Engine& engine, double seconds) {
  const Snapshot snap = engine.monitor().snapshot();
  INFO("driver: " << engine.driver()->description());
  // Every buffer of the run recorded, in order, none lost from the flight recorder.
  CHECK(snap.buffers >= static_cast<uint64_t>(seconds * kRate / kFrames));
  REQUIRE(snap.records.size() == snap.buffers);
  for (size_t i = 0; i < snap.records.size(); ++i) REQUIRE(snap.records[i].index == i);
  CHECK(snap.audioThreadAllocations == 0);
  CHECK(AllocationTrap::audioThreadAllocationCount() == 0);
  uint32_t maxVoices = 0;
  for (const BufferRecord& r : snap.records) maxVoices = std::max(maxVoices, r.activeVoices);
  CHECK(maxVoices >= 4);  // it really played
}

struct TrapMode {
  explicit TrapMode(AllocationTrap::Mode mode) {
    AllocationTrap::resetAudioThreadRecord();
    AllocationTrap::setMode(mode);
  }
  ~TrapMode() { AllocationTrap::setMode(AllocationTrap::Mode::Count); }
};

}  // namespace

TEST_CASE("steady state on the paced clock: no audio-thread allocation, every buffer recorded",
          "[engine][realtime][paced]") {
  Engine engine(settingsFor(DriverKind::Paced));
  engine.setBank(steadyTestBank());
  engine.setSong(steadySong(12.0));
  TrapMode abortOnAllocation(AllocationTrap::Mode::Abort);
  engine.start();
  REQUIRE(engine.driver()->kind() == "paced");
  playFor(engine, 10.0);
  engine.stop();
  checkSteadyState(engine, 10.0);
}

TEST_CASE("steady state through awe's JACK client: no audio-thread allocation, every buffer recorded",
          "[engine][realtime][jack]") {
  JackServer server;
  REQUIRE(server.running());
  INFO(server.error());
  Engine engine(settingsFor(DriverKind::Device));
  engine.setBank(steadyTestBank());
  engine.setSong(steadySong(12.0));
  TrapMode abortOnAllocation(AllocationTrap::Mode::Abort);
  engine.start();
  REQUIRE(engine.driver()->kind() == "jack");
  CHECK(engine.driver()->description().find("jack") != std::string::npos);
  CHECK(engine.driver()->outputLatency_s() > 0.0);
  playFor(engine, 10.0);
  engine.stop();
  checkSteadyState(engine, 10.0);
}

TEST_CASE("on a JACK server with 256-frame periods, the engine, the monitor and awe-bench name 256 frames and 5.8 ms",
          "[engine][jack][driver]") {
  JackServer server(static_cast<int>(kRate), 256);
  REQUIRE(server.running());
  INFO(server.error());
  constexpr double kBudget_ms = 256 * 1e3 / kRate;  // 5.805 ms
  Engine engine(settingsFor(DriverKind::Device));  // asks for 1024 frames
  engine.setBank(steadyTestBank());
  engine.start();
  REQUIRE(engine.driver()->bufferFrames() == 256);
  CHECK(engine.bufferFrames() == 256);
  CHECK(engine.monitor().bufferFrames() == 256);
  playFor(engine, 0.5);
  engine.stop();
  const Snapshot snap = engine.monitor().snapshot();
  CHECK(snap.bufferFrames == 256);
  CHECK(static_cast<double>(snap.budget_ns) / 1e6 == Approx(kBudget_ms).margin(0.001));
  REQUIRE(!snap.records.empty());
  CHECK(snap.records.back().frames == 256);
  CHECK(reportToJson(snap)["settings"]["frames_per_buffer"] == 256);
  CHECK(formatTextReport(snap).find("256 frames at 44100 Hz, budget 5.80 ms") != std::string::npos);

  // awe-bench in real time on the same server: the header and the JSON report say 256.
  const std::string bench = std::string(AWE_BINARY_DIR) + "/bin/awe-bench";
  if (access(bench.c_str(), X_OK) != 0) {
    WARN("awe-bench was not built: " << bench);
    return;
  }
  const std::string json = std::string(AWE_BINARY_DIR) + "/engine-jack256-bench.json";
  const std::string command = bench + " --pace realtime --jack --scenario sustained --duration 1 --ignore-timing --json " +
                              json + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe) != nullptr) output += line;
  const int status = pclose(pipe);
  INFO(output);
  CHECK(output.find("256 frames at 44100 Hz (budget 5.80 ms)") != std::string::npos);
  CHECK(output.find("1024 frames") == std::string::npos);
  std::ifstream in(json);
  REQUIRE(in.good());
  const nlohmann::json report = nlohmann::json::parse(in);
  CHECK(report["settings"]["buffer_frames"] == 256);
  // It holds, or fails on the machine's timing alone: driver xruns and buffers over budget,
  // never a lost event or an allocation. On some machines the dummy backend's own timer
  // wakes late at 256 frames whatever the client does (seen: jack_metro alone, 5 xruns in
  // 10 s on an idle 2-core VM), and a TSan build misses 5.8 ms buffers now and then. A
  // quiet machine (AWE_QUIET_MACHINE=1) holds it to exit 0.
  REQUIRE(WIFEXITED(status));
  // Exit 1 is a missed deadline or a lost event (an allocation is exit 2). With every run's
  // events accounted for and no allocation, what is left is xruns and buffers over budget:
  // the machine's timing alone.
  bool onlyTiming = WEXITSTATUS(status) == 1;
  for (const auto& scenario : report["scenarios"]) {
    for (const auto& run : scenario["repetitions"]) {
      onlyTiming = onlyTiming && run["events"]["accounted"] == true && run["audio_thread_allocations"]["count"] == 0;
    }
  }
  if (onlyTiming && !strictTiming()) {
    WARN("awe-bench missed real-time deadlines at 256 frames: the machine's timing, not the header checked here");
  } else {
    CHECK(WEXITSTATUS(status) == 0);
  }
  std::remove(json.c_str());
}

TEST_CASE("no audio device is an error that says what was tried", "[engine][driver]") {
  // No JACK server under this name, and ALSA/Pulse have no device on this machine.
  setenv("JACK_DEFAULT_SERVER", "awe-no-such-server", 1);
  DriverSettings s;
  s.kind = DriverKind::Device;
  s.api = "jack";
  try {
    makeAudioDriver(s);
    FAIL("opened a JACK device without a server");
  } catch (const DriverError& e) {
    const std::string message = e.what();
    CHECK(message.find("tried") != std::string::npos);
    CHECK(message.find("JACK") != std::string::npos);
  }
  s.kind = DriverKind::Auto;
  std::string note;
  auto driver = makeAudioDriver(s, &note);
  CHECK(driver->kind() == "paced");
  CHECK(note.find("paced clock") != std::string::npos);
  s.kind = DriverKind::Device;
  s.api = "nonsense";
  CHECK_THROWS_WITH(makeAudioDriver(s), Catch::Contains("not available"));
  unsetenv("JACK_DEFAULT_SERVER");
}

TEST_CASE("a JACK device is picked by its number or a part of its name; an unknown one lists those there are",
          "[engine][jack][driver]") {
  JackServer server;
  REQUIRE(server.running());
  INFO(server.error());
  const std::vector<std::string> devices = listAudioDevices();
  CHECK(std::find(devices.begin(), devices.end(), "jack: 0 'system' (2 out, physical)") != devices.end());
  DriverSettings s;
  s.kind = DriverKind::Device;
  s.api = "jack";
  s.clientName = "awe-device-test";
  for (const char* device : {"", "0", "sys"}) {
    s.device = device;
    auto driver = makeAudioDriver(s);
    CHECK(driver->kind() == "jack");
    CHECK(driver->description() == "jack: system");
    CHECK(driver->playsOnDevice());
  }
  s.device = "nowhere";
  CHECK_THROWS_WITH(makeAudioDriver(s), Catch::Contains("jack: no output device matches 'nowhere' (devices: 0 'system')"));
}

TEST_CASE("an allocation injected on the audio thread is caught with its size and buffer", "[engine][trap]") {
  SECTION("count mode") {
    TrapMode count(AllocationTrap::Mode::Count);
    Engine engine(settingsFor(DriverKind::Offline));
    engine.setBank(steadyTestBank());
    engine.start();
    engine.injectAllocation(5, 1234);
    engine.runOffline(10);
    const Snapshot snap = engine.monitor().snapshot();
    CHECK(snap.audioThreadAllocations == 1);
    REQUIRE(snap.offender.present);
    CHECK(snap.offender.size_bytes == 1234);
    CHECK(snap.offender.bufferIndex == 5);
    REQUIRE(snap.records.size() == 10);
    CHECK(snap.records[5].allocations == 1);
    CHECK(snap.records[4].allocations == 0);
    CHECK(snap.health.health == Health::Degraded);
  }
  SECTION("abort mode stops the process at the offender") {
    int pipeFds[2];
    REQUIRE(pipe(pipeFds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      signal(SIGABRT, SIG_DFL);  // let the abort kill the child (not Catch's handler)
      dup2(pipeFds[1], STDERR_FILENO);  // the parent reads what the trap reports
      close(pipeFds[0]);
      AllocationTrap::resetAudioThreadRecord();
      AllocationTrap::setMode(AllocationTrap::Mode::Abort);
      Engine engine(settingsFor(DriverKind::Offline));
      engine.setBank(steadyTestBank());
      engine.start();
      engine.injectAllocation(3, 777);
      engine.runOffline(6);
      _exit(0);  // not reached when the trap works
    }
    close(pipeFds[1]);
    std::string report;
    char chunk[4096];
    for (ssize_t got; (got = read(pipeFds[0], chunk, sizeof chunk)) > 0;) report.append(chunk, static_cast<size_t>(got));
    close(pipeFds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGABRT);
    CHECK(report.find("777 bytes") != std::string::npos);
    CHECK(report.find("buffer 3") != std::string::npos);
  }
}

TEST_CASE("a deliberately slow buffer is a deadline miss in the verdict, the trace and the recorder",
          "[engine][deadline]") {
  Engine engine(settingsFor(DriverKind::Offline));
  engine.setBank(steadyTestBank());
  engine.start();
  engine.injectSlowBuffer(7, 40'000'000);  // 40 ms against a 23.2 ms budget
  engine.runOffline(20);
  const Snapshot snap = engine.monitor().snapshot();
  CHECK(snap.deadlineMisses == 1);
  REQUIRE(snap.records.size() == 20);
  CHECK(snap.records[7].deadlineMissed);
  CHECK(snap.records[7].busy_ns >= 40'000'000);
  CHECK(snap.health.health == Health::Degraded);
  const nlohmann::json trace = traceToJson(snap);
  int misses = 0, slices = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X") ++slices;
    if (e["ph"] == "i" && e["name"].get<std::string>().find("miss") != std::string::npos) {
      ++misses;
      CHECK(e["args"]["buffer"] == 7);
    }
  }
  CHECK(slices == 20);
  CHECK(misses == 1);
}

TEST_CASE("the trace of a real run parses, has one slice per buffer and monotonic timestamps per track",
          "[engine][trace]") {
  Engine engine(settingsFor(DriverKind::Paced));
  engine.setBank(steadyTestBank());
  engine.setSong(steadySong(3.0));
  engine.start();
  playFor(engine, 1.5);
  engine.stop();
  const Snapshot snap = engine.monitor().snapshot();
  const std::string text = traceToJson(snap).dump();
  const nlohmann::json trace = nlohmann::json::parse(text);
  std::map<std::pair<int64_t, std::string>, double> last;  // (tid, phase) -> last ts
  size_t slices = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "M") continue;
    const auto key = std::make_pair(e.value("tid", int64_t{0}), e["ph"].get<std::string>() + e["name"].get<std::string>());
    const double ts = e["ts"].get<double>();
    if (last.count(key) != 0) CHECK(ts >= last[key]);
    last[key] = ts;
    if (e["ph"] == "X") ++slices;
  }
  CHECK(slices == snap.buffers);
  CHECK(snap.buffers > 40);
}

TEST_CASE("live events land on the expected sample in both schedules", "[engine][timing]") {
  // Default SF2 volume-envelope delay: round(2^-10 s x 44100) = 43 samples before sound.
  constexpr size_t kDelay = 43;
  auto firstSound = [](const std::vector<float>& x, size_t from) {
    for (size_t i = from; i < x.size(); ++i)
      if (x[i] != 0.0f) return i;
    return x.size();
  };
  for (MidiSchedule schedule : {MidiSchedule::Asap, MidiSchedule::FixedLatency}) {
    EngineSettings s = settingsFor(DriverKind::Offline);
    s.schedule = schedule;
    Engine engine(s);
    engine.setBank(steadyTestBank());
    engine.start();
    std::vector<float> out;
    auto collect = [&](const float* l, const float*, size_t n) { out.insert(out.end(), l, l + n); };
    engine.runOffline(2, collect);  // two quiet buffers
    // Two notes stamped 10 ms apart, "arriving" half a buffer before the next one.
    const int64_t now = monotonicNanoseconds();
    const int64_t period_ns = static_cast<int64_t>(1e9 * kFrames / kRate);
    LiveMidiEvent a, b;
    a.arrival_ns = a.enqueued_ns = now - period_ns / 2 - 10'000'000;
    b.arrival_ns = b.enqueued_ns = now - period_ns / 2;
    a.size = b.size = 3;
    a.bytes[0] = 0x90; a.bytes[1] = 60; a.bytes[2] = 127;
    b.bytes[0] = 0x91; b.bytes[1] = 62; b.bytes[2] = 127;
    REQUIRE(engine.enqueueLiveEvent(a));
    REQUIRE(engine.enqueueLiveEvent(b));
    engine.runOffline(2, collect);
    const Snapshot snap = engine.monitor().snapshot();
    REQUIRE(snap.records.size() == 4);
    const int64_t t0 = snap.records[2].start_ns;
    auto expectedOffset = [&](int64_t arrival) -> size_t {
      if (schedule == MidiSchedule::Asap) return 0;
      const double samples = static_cast<double>(arrival + period_ns - t0) * kRate / 1e9;
      return samples <= 0 ? 0 : static_cast<size_t>(std::llround(samples));
    };
    const size_t start = 2 * kFrames;
    const size_t onsetA = firstSound(out, start);
    INFO("schedule " << static_cast<int>(schedule));
    CHECK(onsetA == start + expectedOffset(a.arrival_ns) + kDelay);
    if (schedule == MidiSchedule::FixedLatency) {
      // The second note starts 10 ms (441 samples) after the first, to a sample.
      std::vector<float> secondOnly;
      const size_t expectedB = start + expectedOffset(b.arrival_ns) + kDelay;
      CHECK(std::llabs(static_cast<long long>(expectedB) - static_cast<long long>(onsetA) - 441) <= 1);
      // Both notes are the same waveform at the same level: the sum doubles at B's onset.
      CHECK(std::fabs(out[expectedB + 40]) > 1.5f * std::fabs(out[expectedB - 40]));
    }
    CHECK(snap.midiEvents == 2);
    CHECK(snap.midi(MidiStage::Total).count == 2);
  }
}

TEST_CASE("MIDI flood through a real JACK port: received plus drops equals sent", "[engine][midi][jack]") {
  JackServer server;
  REQUIRE(server.running());
  EngineSettings s = settingsFor(DriverKind::Device);
  s.midiQueueCapacity = 64;  // small on purpose: the flood must overflow it
  s.maxLiveEventsPerBuffer = 32;
  Engine engine(s);
  engine.setBank(steadyTestBank());
  engine.start();
  engine.midiInput().openVirtual("flood_in");
  MidiOutput out("awe-test-sender");
  out.open("flood_in");
  MidiInput& input = engine.midiInput();
  auto waitForArrivals = [&](uint64_t sent) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);  // only a stuck run waits long
    while (input.received() + input.dropped() < sent && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  // The connection takes effect at a later JACK cycle: probe until something arrives.
  uint64_t sent = 0;
  const uint8_t probe[3] = {0x80, 0, 0};
  for (int tries = 0; tries < 200 && input.received() == 0; ++tries) {
    out.send(probe, 3);
    ++sent;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE(input.received() > 0);
  const uint64_t probesLost = sent - input.received();  // sent before the connection existed
  sent = input.received();
  constexpr int kFlood = 3000;
  constexpr int kBurst = 150;  // more than the 64-event queue holds at once
  for (int i = 0; i < kFlood; ++i) {
    const uint8_t on[3] = {static_cast<uint8_t>(0x90 | (i % 16)), static_cast<uint8_t>(36 + i % 48), 100};
    const uint8_t off[3] = {static_cast<uint8_t>(0x80 | (i % 16)), static_cast<uint8_t>(36 + i % 48), 0};
    out.send(i % 2 == 0 ? on : off, 3);
    ++sent;
    // Let each burst arrive before the next, so JACK's per-cycle port buffers never
    // overflow (that loss would be JACK's, not ours), however slow the machine runs.
    if ((i + 1) % kBurst == 0) waitForArrivals(sent);
  }
  waitForArrivals(sent);
  // And let the audio thread take the last ones off the queue.
  for (int i = 0; i < 1500 && engine.monitor().snapshot(0).midiEvents < input.received(); ++i) {  // 30 s at most
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const uint64_t kSent = sent;
  INFO(probesLost << " probes went out before the connection was made");
  engine.stop();
  const uint64_t received = engine.midiInput().received(), dropped = engine.midiInput().dropped();
  INFO("received " << received << ", dropped " << dropped);
  CHECK(received + dropped == kSent);
  CHECK(dropped > 0);
  const Snapshot snap = engine.monitor().snapshot();
  CHECK(snap.drops == dropped);
  CHECK(snap.midiEvents == received);
}
