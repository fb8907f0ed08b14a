// MIDI-to-sound latency (awe-latency): the engine's per-event log, the click bank's exact
// onset, matching onsets to notes, and the loopback end to end on a private JACK server
// with the dummy backend: notes sent through JACK MIDI, the synth's audio captured through
// JACK, every note heard, every latency bounded, and the fixed-latency schedule keeping
// the spacing of the notes to a sample.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "engine/Engine.h"
#include "engine/OfflineRender.h"
#include "engine/JackCapture.h"
#include "engine/LatencyLoopback.h"
#include "engine/MidiInput.h"
#include "engine/SampleClock.h"
#include "monitor/Clock.h"
#include "engine/OnsetDetector.h"
#include "support/JackServer.h"
#include "support/Skip.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
// The SF2 minimum volume-envelope delay, -12000 timecents: round(2^-10 s x 44100).
constexpr int64_t kClickDelay_samples = 43;

LiveMidiEvent noteOn(int channel, int key, int64_t arrival_ns) {
  LiveMidiEvent e;
  e.arrival_ns = e.enqueued_ns = arrival_ns;
  e.size = 3;
  e.bytes[0] = static_cast<uint8_t>(0x90 | channel);
  e.bytes[1] = static_cast<uint8_t>(key);
  e.bytes[2] = 100;
  return e;
}

EngineSettings offlineSettings(uint32_t frames) {
  SynthSettings synth;
  synth.sampleRate = kRate;
  synth.personality = Personality::Modern;  // the SF2 minimum delay, not awe's 32-sample grid
  return offlineEngineSettings(synth, frames);
}

// Waits (bounded) until the audio thread runs with `schedule`.
bool waitForSchedule(Engine& engine, MidiSchedule schedule) {
  for (int i = 0; i < 1000; ++i) {
    EngineStatus status;
    if (engine.status(status) && status.schedule == static_cast<uint8_t>(schedule)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

}  // namespace

TEST_CASE("the event log gives every live event's stage times, buffer and offset; a full log drops records",
          "[latency][engine]") {
  EngineSettings s = offlineSettings(256);
  s.midiEventLogCapacity = 4;
  s.schedule = MidiSchedule::FixedLatency;
  Engine engine(s);
  engine.setBank(makeClickBank());
  engine.start();
  engine.runOffline(1);
  const int64_t now = monotonicNanoseconds();
  const int64_t period_ns = static_cast<int64_t>(1e9 * 256 / kRate);
  constexpr int kEvents = 30;  // more than the log holds (its capacity is rounded up, never down)
  for (int i = 0; i < kEvents; ++i) {
    REQUIRE(engine.enqueueLiveEvent(noteOn(i % 2, 40 + i, now - period_ns + i * 100'000)));
  }
  engine.runOffline(3);
  std::vector<MidiEventRecord> records;
  MidiEventRecord r;
  while (engine.popMidiEventRecord(r)) records.push_back(r);
  CHECK(records.size() >= 4);
  CHECK(engine.midiEventLogDrops() > 0);
  CHECK(records.size() + engine.midiEventLogDrops() == kEvents);
  const Snapshot snap = engine.monitor().snapshot();
  CHECK(snap.midiEvents == kEvents);  // the monitor saw them all: only the log was full
  for (size_t i = 0; i < records.size(); ++i) {
    const MidiEventRecord& e = records[i];
    INFO("record " << i);
    CHECK(e.schedule == MidiSchedule::FixedLatency);
    CHECK(e.size == 3);
    CHECK(e.bytes[1] == 40 + i);  // the first ones are kept, in order
    CHECK(e.times.arrival_ns <= e.times.enqueued_ns);
    REQUIRE(e.buffer < snap.records.size());
    CHECK(e.times.dequeued_ns == snap.records[e.buffer].start_ns);  // taken at the callback entry
    // Offline buffers start at their entry on the sample clock; the event sits at its offset.
    CHECK(std::llabs(e.times.rendered_ns - (snap.records[e.buffer].start_ns + static_cast<int64_t>(e.offset * 1e9 / kRate))) <= 1);
    CHECK(e.times.dac_ns == e.times.rendered_ns);  // the offline driver reports no output latency
    CHECK(e.offset < 256);
  }
  Engine off(offlineSettings(256));
  off.start();
  REQUIRE(off.enqueueLiveEvent(noteOn(0, 60, monotonicNanoseconds())));
  off.runOffline(1);
  CHECK_FALSE(off.popMidiEventRecord(r));
  CHECK(off.monitor().snapshot().midiEvents == 1);
}

TEST_CASE("the click bank sounds exactly the minimum envelope delay after its note, and the detector finds it there",
          "[latency][onset]") {
  Engine engine(offlineSettings(1024));
  engine.setBank(makeClickBank());
  engine.start();
  std::vector<float> left, right;
  auto collect = [&](const float* l, const float* r, size_t n) {
    left.insert(left.end(), l, l + n);
    right.insert(right.end(), r, r + n);
  };
  engine.runOffline(1, collect);
  REQUIRE(engine.sendMidi(0xB0, 10, 0));  // hard left and dry: nothing on the right
  REQUIRE(engine.sendMidi(0xB0, 91, 0));
  REQUIRE(engine.sendMidi(0xB0, 93, 0));
  REQUIRE(engine.sendMidi(0x90, 60, 127));
  engine.runOffline(2, collect);
  size_t first = left.size();
  for (size_t i = 0; i < left.size(); ++i) {
    if (left[i] != 0.0f) {
      first = i;
      break;
    }
  }
  CHECK(first == 1024 + kClickDelay_samples);  // asap: the buffer's first sample, plus the delay
  for (float x : right) REQUIRE(x == 0.0f);
  OnsetDetector detector;
  Onset onsets[4];
  REQUIRE(detector.process(left.data(), left.size(), 0, onsets, 4) == 1);
  CHECK(onsets[0].frame == 1024 + kClickDelay_samples);
}

TEST_CASE("onsets match notes by side and order; a missing onset and a stray one are told apart", "[latency][match]") {
  std::vector<LoopbackEvent> events(6);
  for (int i = 0; i < 6; ++i) {
    events[static_cast<size_t>(i)].index = i;
    events[static_cast<size_t>(i)].input = static_cast<uint32_t>(i % 2);
    events[static_cast<size_t>(i)].sent_ns = 1'000'000'000LL * (i + 1);
  }
  auto onset = [](uint32_t input, int64_t time_ns) {
    CapturedOnset o;
    o.input = input;
    o.time_ns = time_ns;
    o.frame = static_cast<uint64_t>(time_ns / 1000);
    return o;
  };
  const std::vector<CapturedOnset> onsets = {
      onset(0, 500'000'000),     // before any note on its side: stray
      onset(0, 1'010'000'000),   // event 0
      onset(1, 2'020'000'000),   // event 1
      onset(0, 3'030'000'000),   // event 2
      onset(1, 3'500'000'000),   // event 3 was sent at 4 s: too early for it, and after event 1's: stray
      // event 3 (right, 4 s) never heard
      onset(0, 5'050'000'000),   // event 4
      onset(1, 6'060'000'000),   // event 5
  };
  const size_t stray = matchOnsets(events, onsets, 1'000'000);
  CHECK(stray == 2);
  CHECK(events[0].detected);
  CHECK(events[0].onset_ns == 1'010'000'000);
  CHECK(events[0].converter_ns == 1'011'000'000);
  CHECK(events[0].latency_ns() == 11'000'000);
  CHECK(events[1].onset_ns == 2'020'000'000);
  CHECK(events[2].onset_ns == 3'030'000'000);
  CHECK_FALSE(events[3].detected);
  CHECK(events[4].onset_ns == 5'050'000'000);
  CHECK(events[5].onset_ns == 6'060'000'000);
}

TEST_CASE("engine records pair with loopback notes by time, channel and key; a lost note leaves one gap",
          "[latency][match]") {
  std::vector<LoopbackEvent> events(5);
  const int keys[5] = {60, 61, 62, 63, 64};
  for (int i = 0; i < 5; ++i) {
    LoopbackEvent& e = events[static_cast<size_t>(i)];
    e.channel = static_cast<uint8_t>(i % 2);
    e.key = static_cast<uint8_t>(keys[i]);
    e.sendBegan_ns = 1'000'000'000LL * (i + 1);
    e.sent_ns = e.sendBegan_ns;
  }
  // Event 2's send stalled: its stamp is the later one, after its note arrived (3.01 s).
  events[2].sent_ns = 3'015'000'000LL;
  auto record = [](uint8_t status, uint8_t key, uint8_t velocity, int64_t arrival_ns, uint64_t buffer) {
    MidiEventRecord r;
    r.size = 3;
    r.bytes[0] = status;
    r.bytes[1] = key;
    r.bytes[2] = velocity;
    r.times.arrival_ns = arrival_ns;
    r.buffer = buffer;
    return r;
  };
  const std::vector<MidiEventRecord> records = {
      record(0x90, 60, 127, 500'000'000, 1),    // before any note was sent: someone else's
      record(0xB0, 10, 0, 900'000'000, 2),      // not a note-on
      record(0x90, 60, 127, 1'010'000'000, 3),  // event 0
      record(0x80, 60, 0, 1'050'000'000, 4),
      record(0x91, 61, 0, 2'010'000'000, 5),    // velocity 0 is a note-off
      record(0x91, 61, 127, 2'020'000'000, 6),  // event 1
      record(0x90, 62, 127, 3'010'000'000, 7),  // event 2
      // event 3 (channel 2, key 63) was lost on the way
      record(0x90, 64, 127, 5'010'000'000, 8),  // event 4
  };
  CHECK(attachEngineRecords(events, records) == 4);
  CHECK(events[0].engine.buffer == 3);
  CHECK(events[1].engine.buffer == 6);
  CHECK(events[2].engine.buffer == 7);
  CHECK_FALSE(events[3].hasEngineRecord);
  REQUIRE(events[4].hasEngineRecord);
  CHECK(events[4].engine.buffer == 8);
}

// Samples between two paired notes: where the engine put them on its sample clock, and
// where their onsets were heard in the captured audio.
static double placedSpacing_samples(const LoopbackEvent& a, const LoopbackEvent& b) {
  return static_cast<double>(b.engine.times.rendered_ns - a.engine.times.rendered_ns) * kRate / 1e9;
}
static double heardSpacing_samples(const LoopbackEvent& a, const LoopbackEvent& b) {
  return static_cast<double>(b.onsetFrame) - static_cast<double>(a.onsetFrame);  // negative if out of order
}

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif

TEST_CASE("loopback on a JACK server: every note heard, every latency bounded, fixed latency keeps the spacing",
          "[latency][jack][engine][xrun-sensitive]") {
  const int period = GENERATE(1024, 256);
  INFO("JACK period " << period);
  JackServer server(static_cast<int>(kRate), period);
  INFO(server.error());
  REQUIRE(server.running());
  EngineSettings s;
  s.synth.personality = Personality::Modern;  // the SF2 minimum delay, not awe's 32-sample grid
  s.driver.kind = DriverKind::Device;
  s.driver.api = "jack";
  s.driver.sampleRate = kRate;
  s.driver.bufferFrames = static_cast<uint32_t>(period);
  s.driver.clientName = "awe-lt-synth";
  s.midiEventLogCapacity = 4096;
  Engine engine(s);
  engine.setBank(makeClickBank());
  engine.start();
  engine.midiInput().openVirtual("midi_in");
  REQUIRE(engine.driver()->bufferFrames() == static_cast<uint32_t>(period));
  std::vector<std::string> outputs;
  {
    JackCapture probe("awe-lt-probe", 0, {});
    for (const auto& port : probe.audioOutputPorts("^awe-lt-synth:")) outputs.push_back(port.name);
  }
  REQUIRE(outputs.size() == 2);
  // Let the engine's sample clock learn its drift (SampleClock: two refresh windows).
  std::this_thread::sleep_for(std::chrono::duration<double>(2.5 * SampleClock::kRefreshWindow_s));

  const double period_s = period / kRate;
  LoopbackSettings ls;
  ls.midiTarget = "awe-lt-synth-midi:midi_in";
  ls.audioSources = outputs;
  ls.clientName = "awe-lt";
  ls.events = 24;
  ls.noteLength_s = std::max(0.02, 2.5 * period_s);
  ls.interval_s = ls.noteLength_s + 3.0 * period_s + 0.05;
  ls.settle_s = 0.3;

  for (MidiSchedule schedule : {MidiSchedule::Asap, MidiSchedule::FixedLatency}) {
    INFO("schedule " << (schedule == MidiSchedule::Asap ? "asap" : "fixed"));
    engine.setSchedule(schedule);
    REQUIRE(waitForSchedule(engine, schedule));
    // A run with a JACK xrun (the server skipped a client for a cycle: this machine could
    // not keep up) loses audio and shifts it against the engine's buffer count, so it
    // measures nothing about the synth: it is repeated (runUntilClean).
    std::vector<MidiEventRecord> records;
    LoopbackResult result;
    std::vector<LoopbackEvent> events;  // the last try's notes, paired with the engine's records
    std::size_t paired = 0;
    uint64_t xruns = 0;
    constexpr double kSlipLimit_samples = 64.0;  // far above the clock estimate's error (4)
    runUntilClean([&](int) -> std::string {
      records.clear();
      MidiEventRecord r;
      while (engine.popMidiEventRecord(r)) {}  // the previous run's note-offs
      const uint64_t xrunsBefore = engine.driver()->xruns();
      result = runLoopback(ls, [&](const LoopbackProgress&) {
        while (engine.popMidiEventRecord(r)) records.push_back(r);
        return true;
      });
      while (engine.popMidiEventRecord(r)) records.push_back(r);
      xruns = engine.driver()->xruns() - xrunsBefore + result.captureXruns;
      events = result.events;
      paired = attachEngineRecords(events, records);
      if (xruns != 0) return std::to_string(xruns) + " JACK xrun(s)";
      // A note heard too late to pair with its send, with no xrun counted: the dummy
      // backend runs a late cycle late without calling it an xrun (seen: 23 of 24 paired
      // beside a compile). That is the machine too, so it is tried again like an xrun; a
      // note unpaired in every try fails the counts below.
      if (result.detected != static_cast<std::size_t>(ls.events) || result.strayOnsets != 0) {
        return std::to_string(result.detected) + " of " + std::to_string(ls.events) + " notes paired, " +
               std::to_string(result.strayOnsets) + " stray onset(s), no xrun";
      }
      // Heard where the engine placed it: the captured onsets keep the spacing of the times
      // the engine put the notes at, up to its clock estimate's error. When the dummy
      // backend slips its timeline without an xrun, the frames and the wall clock part
      // (seen: one note heard 270 samples off its placed spacing, at 1,024 frames beside a
      // build): the machine too. A slip in every try fails the spacing checks below.
      if (paired == events.size()) {
        for (std::size_t i = 1; i < events.size(); ++i) {
          const double placed_samples = placedSpacing_samples(events[i - 1], events[i]);
          const double heard_samples = heardSpacing_samples(events[i - 1], events[i]);
          if (std::fabs(heard_samples - placed_samples) > kSlipLimit_samples) {
            return "notes " + std::to_string(i - 1) + " and " + std::to_string(i) + " heard " +
                   std::to_string(heard_samples) + " samples apart, placed " + std::to_string(placed_samples) +
                   " apart, no xrun: the device clock slipped";
          }
        }
      }
      return "";
    });
    if (xruns != 0 && kSanitizerBuild) {
      // A sanitizer build runs several times slower: at short periods it cannot keep a
      // real-time deadline at all, and what this run is for there is its threads (TSan)
      // and memory (ASan), which the attempts above exercised.
      WARN("sanitizer build: no xrun-free run at this period; latency checks skipped");
      continue;
    }
    if (xruns != 0 && !strictTiming()) {
      // What is known: JACK skipped a client in every try. That says the machine was busy,
      // nothing about awe: skip (with the reason) rather than fail. --strict-timing fails.
      skipTest("JACK reported xruns in each of " + std::to_string(kMachineTries) + " tries at a " +
               std::to_string(period) + "-frame period (schedule " +
               (schedule == MidiSchedule::Asap ? "asap" : "fixed") +
               "): the machine could not keep the deadline, so the loopback measured nothing");
      continue;
    }
    REQUIRE(xruns == 0);

    // N sent, N measured, nothing else heard.
    REQUIRE(events.size() == 24);
    CHECK(result.detected == 24);
    CHECK(result.strayOnsets == 0);
    CHECK(result.onsetDrops == 0);
    CHECK(paired == 24);
    CHECK(engine.midiEventLogDrops() == 0);

    // Positive and under two buffers plus the reported latencies: the audio API's output
    // latency and the bank's envelope delay. (Two buffers: JACK MIDI delivers a note in
    // the cycle after the one it was sent in, and the synth renders it in that cycle's
    // buffer or, at the latest, the next.) Plus the wake-up of the synth's MIDI client:
    // it stamps a note's arrival inside its JACK callback, which begins after the cycle
    // boundary by the time the server takes to wake the clients before it (up to a few
    // hundred microseconds on a loaded machine), and the fixed schedule counts its buffer
    // from that stamp.
    constexpr double kClientWakeUp_s = 0.001;
    const auto bound_ns =
        static_cast<int64_t>((2.0 * period_s + engine.driver()->outputLatency_s() + kClientWakeUp_s) * 1e9 +
                             kClickDelay_samples * 1e9 / kRate);
    const auto engineBound_ns = static_cast<int64_t>((2.0 * period_s + engine.driver()->outputLatency_s()) * 1e9 +
                                                     kClickDelay_samples * 1e9 / kRate);
    // What JACK says about the engine's port stays within what the driver reports.
    CHECK(static_cast<double>(result.converterShift_ns) <= engine.driver()->outputLatency_s() * 1e9 + 1e3);
    for (const LoopbackEvent& e : events) {
      INFO("event " << e.index << ": latency " << e.latency_ns() << " ns, bound " << bound_ns << " ns");
      REQUIRE(e.detected);
      CHECK(e.latency_ns() > 0);
      // A sanitizer build runs its callbacks several times slower and late: what it checks
      // is the threads and memory, and the counts and pairing above; the time bounds are
      // the optimised build's.
      // The synth's share, from its note's arrival stamp to the sound, does not depend on
      // when the machine woke the MIDI client (a late stamp only shortens it). It does
      // depend on JACK's cycles coming on time: the dummy backend runs a late cycle late
      // without counting an xrun, and the sound's time is read off the frame clock (seen:
      // 34.9 ms against 24.2 ms at 256 frames beside a compile). So the exact bound is held
      // on a quiet machine (--strict-timing), and elsewhere with kMachineStall_s of slack:
      // still a bound (a note a whole stall late, or lost, fails), never the machine's luck.
      // Where the synth put each note is checked exactly, in frames, below.
      // The whole path includes the MIDI client's wake-up, which a loaded machine stretches
      // past kClientWakeUp_s (seen: 1.5 ms under ctest -j2): held on a quiet machine.
      constexpr double kMachineStall_s = 0.25;
      const int64_t engineShare_ns = e.converter_ns - e.engine.times.arrival_ns;
      const int64_t shareBound_ns =
          engineBound_ns + (strictTiming() ? 0 : static_cast<int64_t>(kMachineStall_s * 1e9));
      INFO("arrival to sound " << engineShare_ns << " ns, bound " << shareBound_ns << " ns");
      if (!kSanitizerBuild) CHECK(engineShare_ns < shareBound_ns);
      if (!kSanitizerBuild && strictTiming()) CHECK(e.latency_ns() < bound_ns);
      CHECK(e.graphLatency_ns() > 0);
      REQUIRE(e.hasEngineRecord);
      CHECK(e.engine.schedule == schedule);
      // The click sounds exactly its envelope delay after the sample the engine put it on.
      CHECK(e.onsetFrame - (events[0].onsetFrame) ==
            (e.engine.buffer - events[0].engine.buffer) * static_cast<uint64_t>(period) + e.engine.offset -
                events[0].engine.offset);
    }

    if (schedule == MidiSchedule::FixedLatency && !kSanitizerBuild) {
      // Fixed latency keeps the spacing of the notes' arrival stamps to within one sample:
      // each note is rounded to its nearest sample, half a sample either way.
      //  - exactly so on the engine's sample clock (where it put each note), for every pair;
      //  - in the captured audio, plus the error of the engine's estimate of that clock,
      //    which it has to work out from callback entry times (the driver reports no device
      //    time; SampleClock). That error is a few microseconds typically, but a callback
      //    entered late on a loaded machine moves one estimate by a sample or two, so the
      //    audio is held to one sample for the median pair and to a few for the worst.
      // Arrivals, not sends: JACK MIDI hands the synth whole cycles, so notes sent within
      // one period arrive together; no schedule can restore what the wire took away.
      constexpr double kTypicalClockError_samples = 0.5;
      constexpr double kWorstClockError_samples = 4.0;  // 90 us
      // The placement is exact between refreshes of the clock estimate; a pair that spans a
      // refresh also carries the estimate's step (0.1 sample seen on a loaded machine), so
      // every pair is held to the worst clock error and the median pair to one sample.
      // --strict-timing (a quiet machine) holds every pair to one sample.
      std::vector<double> heardErrors_samples;
      std::vector<double> placedErrors_samples;
      for (size_t i = 1; i < events.size(); ++i) {
        const MidiEventTimes& a = events[i - 1].engine.times;
        const MidiEventTimes& b = events[i].engine.times;
        const double arrivals_samples = static_cast<double>(b.arrival_ns - a.arrival_ns) * kRate / 1e9;
        const double placed_samples = placedSpacing_samples(events[i - 1], events[i]);
        const double heard_samples = heardSpacing_samples(events[i - 1], events[i]);
        INFO("events " << i - 1 << " and " << i << ": arrivals " << arrivals_samples << " samples apart, placed "
                       << placed_samples << ", heard " << heard_samples);
        const double placedLimit_samples = strictTiming() ? 1.0 + 1e-3 : 1.0 + kWorstClockError_samples;
        CHECK(std::fabs(placed_samples - arrivals_samples) <= placedLimit_samples);  // + nanosecond truncation
        placedErrors_samples.push_back(std::fabs(placed_samples - arrivals_samples));
        CHECK(std::fabs(heard_samples - arrivals_samples) <= 1.0 + kWorstClockError_samples);
        heardErrors_samples.push_back(std::fabs(heard_samples - arrivals_samples));
      }
      std::sort(heardErrors_samples.begin(), heardErrors_samples.end());
      const double medianError_samples = heardErrors_samples[heardErrors_samples.size() / 2];
      INFO("median |heard - arrivals| " << medianError_samples << " samples");
      CHECK(medianError_samples <= 1.0 + kTypicalClockError_samples);
      std::sort(placedErrors_samples.begin(), placedErrors_samples.end());
      const double medianPlacedError_samples = placedErrors_samples[placedErrors_samples.size() / 2];
      INFO("median |placed - arrivals| " << medianPlacedError_samples << " samples");
      CHECK(medianPlacedError_samples <= 1.0 + 1e-3);
    }
  }
  engine.stop();
}

TEST_CASE("awe-latency --loopback writes a JSON report with every stage's statistics",
          "[latency][jack][tool][xrun-sensitive]") {
  const std::string tool = std::string(AWE_BINARY_DIR) + "/bin/awe-latency";
  if (access(tool.c_str(), X_OK) != 0) {
    WARN("awe-latency was not built: " << tool);
    return;
  }
  JackServer server(static_cast<int>(kRate), 256);
  REQUIRE(server.running());
  const std::string json = "/tmp/awe-latency-test-" + std::to_string(getpid()) + ".json";
  const std::string command = tool + " --loopback --events 6 --interval-ms 80 --note-ms 20 --schedule both --max-ms 500 "
                                     "--client awe-lt-tool -q --json " + json + " > /dev/null";
  // As in the loopback test: a run with JACK xruns measures nothing (runUntilClean).
  nlohmann::json report;
  int status = 0;
  const std::string spoiled = runUntilClean([&](int) -> std::string {
    status = std::system(command.c_str());
    std::ifstream in(json);
    REQUIRE(in.good());
    report = nlohmann::json::parse(in);
    std::remove(json.c_str());
    uint64_t xruns = 0;
    for (const auto& run : report["runs"]) xruns += run["capture_xruns"].get<uint64_t>();
    return xruns == 0 ? "" : std::to_string(xruns) + " JACK xrun(s)";
  });
  if (!spoiled.empty() && !strictTiming()) {
    skipTest("JACK reported xruns in each of " + std::to_string(kMachineTries) +
             " awe-latency --loopback runs: the machine could not keep the deadline, so the runs measured nothing");
    return;
  }
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(report["tool"] == "awe-latency");
  CHECK(report["version"] == 1);
  CHECK(report["mode"] == "loopback");
  CHECK(report["pass"] == true);
  CHECK(report["settings"]["buffer_frames"] == 256);
  REQUIRE(report["runs"].size() == 2);
  CHECK(report["runs"][0]["schedule"] == "asap");
  CHECK(report["runs"][1]["schedule"] == "fixed");
  for (const auto& run : report["runs"]) {
    CHECK(run["events"] == 6);
    CHECK(run["detected"] == 6);
    CHECK(run["verdict"]["pass"] == true);
    CHECK(run["per_event"].size() == 6);
    for (const char* stage : {"total", "send_to_graph", "send_to_arrival", "arrival_to_render", "render_to_onset"}) {
      INFO(stage);
      REQUIRE(run["stages"].contains(stage));
      const auto& st = run["stages"][stage];
      CHECK(st["count"] == 6);
      for (const char* field : {"min_ms", "median_ms", "mean_ms", "p95_ms", "p99_ms", "max_ms", "stddev_ms"}) {
        CHECK(st.contains(field));
      }
      CHECK(st["min_ms"].get<double>() <= st["median_ms"].get<double>());
      CHECK(st["median_ms"].get<double>() <= st["max_ms"].get<double>());
      CHECK(st["histogram"]["counts"].is_array());
      CHECK(st["outliers"]["events"].is_array());
    }
    CHECK(run["stages"]["total"]["min_ms"].get<double>() > 0.0);
  }
}

TEST_CASE("awe-latency live mode measures what arrives on its MIDI port", "[latency][jack][tool]") {
  const std::string tool = std::string(AWE_BINARY_DIR) + "/bin/awe-latency";
  const std::string bank = "/usr/share/sounds/sf2/TimGM6mb.sf2";
  if (access(tool.c_str(), X_OK) != 0 || access(bank.c_str(), R_OK) != 0) {
    WARN("needs the awe-latency tool and " << bank);
    return;
  }
  JackServer server(static_cast<int>(kRate), 256);
  REQUIRE(server.running());
  const std::string json = "/tmp/awe-latency-live-" + std::to_string(getpid()) + ".json";
  // The run ends when the notes are in (Ctrl-C, as a person would), not after a fixed time
  // that a slow start on a busy machine could use up; --duration only caps a stuck run.
  const std::string command = "exec " + tool + " --virtual --duration 120 --schedule fixed --max-ms 500 " +
                              "--client awe-lt-live -q --sf2 " + bank + " --json " + json + " > /dev/null";
  // One run: the tool started, kNotes notes played into its port, its report read back.
  constexpr int kNotes = 10;
  constexpr double kLateTolerance_samples = 0.5 + 1e-6;  // fixed latency: to the sample
  auto runOnce = [&]() -> nlohmann::json {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Wait for the tool's port, then play the notes into it.
    MidiOutput out("awe-lt-player");
    bool connected = false;
    for (int i = 0; i < 1500 && !connected; ++i) {  // up to 30 s: the tool loads a bank first
      try {
        out.open("awe-lt-live-midi:midi_in");
        connected = true;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    CHECK(connected);
    // jack_connect returns before the server's graph carries the link: an event sent in the
    // cycles until then is dropped (seen once in 12 CI runs, under ASan on a loaded machine).
    // 35 periods of 256 frames let it settle.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (int i = 0; connected && i < kNotes; ++i) {
      const uint8_t on[3] = {0x90, static_cast<uint8_t>(60 + i), 100};
      out.send(on, 3);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the last note's way through the synth
    kill(pid, SIGINT);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::ifstream in(json);
    REQUIRE(in.good());
    nlohmann::json report = nlohmann::json::parse(in);
    std::remove(json.c_str());
    return report;
  };
  // Fixed latency: every event is rendered one buffer after it arrived, to a sample.
  auto lateSamples = [](const nlohmann::json& e) {
    return (e["rendered_ns"].get<double>() - e["arrival_ns"].get<double>()) * kRate / 1e9 - 256.0;
  };
  // A machine whose wake-ups come milliseconds late (seen: a 0.5 ms sleep overshooting by
  // 2 ms at p99 on an idle 2-core VM, where JACK's dummy backend alone runs late) loses a
  // note to a late cycle or renders one a buffer late, with or without an xrun counted: such
  // a run is tried again (runUntilClean), and the last one is held to every check. A fault
  // of the tool's fails every try.
  nlohmann::json report;
  runUntilClean([&](int) -> std::string {
    report = runOnce();
    bool clean = report["received"] == kNotes && report["runs"].size() == 1 && report["runs"][0]["events"] == kNotes;
    for (const auto& e : clean ? report["runs"][0]["per_event"] : nlohmann::json::array()) {
      clean = clean && std::fabs(lateSamples(e)) <= kLateTolerance_samples;
    }
    return clean ? "" : report["received"].dump() + " of " + std::to_string(kNotes) +
                            " notes received, or one rendered off its fixed latency: the machine's timing";
  });
  CHECK(report["mode"] == "live");
  CHECK(report["received"] == kNotes);
  REQUIRE(report["runs"].size() == 1);
  const auto& run0 = report["runs"][0];
  CHECK(run0["schedule"] == "fixed");
  CHECK(run0["events"] == kNotes);
  for (const char* stage : {"arrival_to_enqueue", "enqueue_to_dequeue", "dequeue_to_render", "render_to_dac", "total"}) {
    INFO(stage);
    CHECK(run0["stages"][stage]["count"] == kNotes);
  }
  for (const auto& e : run0["per_event"]) CHECK(std::fabs(lateSamples(e)) <= kLateTolerance_samples);
}
