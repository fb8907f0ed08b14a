#include <algorithm>
#include <cmath>
#include <memory>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "monitor/AllocationTrap.h"
#include "monitor/Monitor.h"
#include "monitor/report/ReportCsv.h"
#include "monitor/report/ReportJson.h"
#include "monitor/report/ReportText.h"
#include "monitor/report/ReportTrace.h"
#include "monitor/ThreadId.h"

using nlohmann::json;

namespace {

// 30 buffers of 1024 frames at 44.1 kHz; buffer 12 is slow, buffer 20 steals twice and
// drops once, buffer 25 allocates on the audio thread; one live MIDI event in buffer 3.
awe::Snapshot eventfulSnapshot() {
  awe::AllocationTrap::setMode(awe::AllocationTrap::Mode::Count);
  awe::AllocationTrap::resetAudioThreadRecord();
  awe::MonitorConfig config;
  config.recorderCapacity = 64;
  awe::Monitor monitor(config);
  const double budget_ns = 1024 * 1e9 / 44100;
  int64_t previousEnd = 0;
  for (int i = 0; i < 30; ++i) {
    // Callbacks on one thread: one starts on time or, after a slow one, when that ends.
    const int64_t start = std::max(7'000'000'000 + static_cast<int64_t>(i * budget_ns), previousEnd);
    monitor.beginBuffer(start);
    if (i == 3) {
      awe::MidiEventTimes times;
      times.arrival_ns = start - 400'000;
      times.enqueued_ns = start - 390'000;
      times.dequeued_ns = start;
      times.rendered_ns = start + 2'000'000;
      times.dac_ns = start + 30'000'000;
      monitor.recordMidiEvent(times);
    }
    if (i == 20) monitor.recordDrop();
    if (i == 25) {
      void* volatile block = std::malloc(40);
      std::free(block);
    }
    monitor.recordQueueDepth(static_cast<uint32_t>(i % 4));
    const int64_t busy = i == 12 ? static_cast<int64_t>(1.2 * budget_ns) : 5'000'000;
    const uint32_t steals = i == 20 ? 2 : 0;
    monitor.endBuffer(awe::BufferEnd{start + busy, 1024, static_cast<uint32_t>(i % 32), steals, 0});
    previousEnd = start + busy;
  }
  awe::Snapshot snapshot = monitor.snapshot();
  awe::AllocationTrap::resetAudioThreadRecord();
  return snapshot;
}

}  // namespace

TEST_CASE("JSON report parses and carries the schema version", "[monitor]") {
  const awe::Snapshot snapshot = eventfulSnapshot();
  const json report = json::parse(awe::reportToJson(snapshot).dump(2));
  CHECK(report.at("schema_version") == awe::kReportSchemaVersion);
  CHECK(report.at("kind") == "awe-monitor-report");
  CHECK(report.at("settings").at("frames_per_buffer") == 1024);
  CHECK(report.at("settings").at("budget_ns") == 23'219'955);
  CHECK(report.at("counters").at("buffers") == 30);
  CHECK(report.at("counters").at("deadline_misses") == 1);
  CHECK(report.at("counters").at("steals") == 2);
  CHECK(report.at("counters").at("drops") == 1);
  CHECK(report.at("counters").at("audio_thread_allocations") == 1);
  CHECK(report.at("health").at("verdict") == "DEGRADED");
  CHECK(report.at("health").at("reasons").size() == 2);  // the miss and the allocation
  const json& busy = report.at("distributions").at("busy");
  CHECK(busy.at("count") == 30);
  CHECK(busy.at("p50").get<double>() == Approx(5'000'000));
  CHECK(busy.at("max").get<double>() == Approx(1.2 * 1024 * 1e9 / 44100).epsilon(1e-6));
  CHECK(busy.at("buckets").size() == 2);
  CHECK(report.at("distributions").at("midi_latency").at("total").at("count") == 1);
  CHECK(report.at("distributions").at("voice_allocation").at("count") == 0);
  const json& offender = report.at("heap").at("first_offender");
  REQUIRE(offender.is_object());
  CHECK(offender.at("size_bytes") == 40);
  CHECK(offender.at("buffer") == 25);
  CHECK(offender.at("stack").is_array());
}

TEST_CASE("Chrome/Perfetto trace: one slice per buffer, monotonic timestamps per track", "[monitor]") {
  const awe::Snapshot snapshot = eventfulSnapshot();
  const json trace = json::parse(awe::traceToJson(snapshot).dump());
  const json& events = trace.at("traceEvents");
  REQUIRE(events.is_array());

  int slices = 0;
  bool namedProcess = false;
  bool namedThread = false;
  std::map<std::string, int> instants;
  std::map<std::string, int> counters;
  std::map<std::string, double> lastTimestamp;  // per track
  for (const json& event : events) {
    const std::string phase = event.at("ph");
    if (phase == "M") {
      namedProcess |= event.at("name") == "process_name";
      namedThread |= event.at("name") == "thread_name" && event.at("args").at("name") == "audio";
      continue;
    }
    const double ts = event.at("ts");
    std::string track;
    if (phase == "X" || phase == "i") {
      track = "thread " + std::to_string(event.at("pid").get<int>()) + "/" + std::to_string(event.at("tid").get<int>());
    } else {
      REQUIRE(phase == "C");
      track = "counter " + event.at("name").get<std::string>();
      counters[event.at("name")]++;
    }
    if (lastTimestamp.count(track) > 0) CHECK(ts >= lastTimestamp[track]);
    lastTimestamp[track] = ts;
    if (phase == "X") {
      ++slices;
      CHECK(event.at("dur").get<double>() > 0.0);
      CHECK(event.at("pid") == awe::osProcessId());
      CHECK(event.at("tid") == awe::osThreadId());  // the snapshot's buffers ran on this thread
    }
    if (phase == "i") {
      instants[event.at("name")]++;
      if (event.at("name") == "deadline miss") CHECK(event.at("args").at("buffer") == 12);
      if (event.at("name") == "voice steal") CHECK(event.at("args").at("count") == 2);
    }
  }
  CHECK(namedProcess);
  CHECK(namedThread);
  CHECK(slices == static_cast<int>(snapshot.records.size()));
  CHECK(slices == 30);
  CHECK(instants["deadline miss"] == 1);
  CHECK(instants["voice steal"] == 1);
  CHECK(instants["queue drop"] == 1);
  CHECK(instants["audio-thread allocation"] == 1);
  CHECK(counters["DSP load"] == 30);
  CHECK(counters["active voices"] == 30);
  CHECK(counters["queue depth"] == 30);
  CHECK(counters["heap live bytes"] == 30);
  CHECK(trace.at("otherData").at("schema_version") == awe::kTraceSchemaVersion);
}

TEST_CASE("CSV of buffer records: header and one row per record", "[monitor]") {
  const awe::Snapshot snapshot = eventfulSnapshot();
  std::ostringstream out;
  awe::writeBufferCsv(out, snapshot);
  std::istringstream in(out.str());
  std::string header;
  std::getline(in, header);
  CHECK(header ==
        "index,start_ns,busy_ns,budget_ns,dsp_load,interval_ns,jitter_ns,frames,active_voices,midi_events,steals,"
        "drops,allocations,queue_depth_max,worst_midi_latency_ns,quality_level,deadline_missed,xrun,heap_live_bytes,voice_workers,worker_busy_ns");
  const std::size_t columns = static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1;
  std::string row;
  int rows = 0;
  while (std::getline(in, row)) {
    CHECK(static_cast<std::size_t>(std::count(row.begin(), row.end(), ',')) + 1 == columns);
    if (rows == 12) CHECK(row.find(",1,0,") != std::string::npos);  // deadline_missed, xrun
    ++rows;
  }
  CHECK(rows == 30);
}

TEST_CASE("Text report names the verdict and its reasons", "[monitor]") {
  const awe::Snapshot snapshot = eventfulSnapshot();
  const std::string text = awe::formatTextReport(snapshot);
  CHECK(text.find("health: DEGRADED") != std::string::npos);
  CHECK(text.find("1 deadline miss") != std::string::npos);
  CHECK(text.find("first audio-thread allocation: 40 bytes in buffer 25") != std::string::npos);
  CHECK(text.find("busy time") != std::string::npos);
  CHECK(text.find("p99.9") != std::string::npos);
}

namespace {

// RFC 4180 fields of one CSV line (quoted fields may hold commas and doubled quotes).
std::vector<std::string> csvFields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

int64_t nanoseconds(const json& microseconds) { return std::llround(microseconds.get<double>() * 1000.0); }

}  // namespace

TEST_CASE("CSV fields with commas, quotes and line breaks are quoted (RFC 4180)", "[monitor]") {
  CHECK(awe::csvField("plain") == "plain");
  CHECK(awe::csvField("") == "");
  CHECK(awe::csvField("a,b") == "\"a,b\"");
  CHECK(awe::csvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(awe::csvField("two\nlines") == "\"two\nlines\"");
  const std::string path = "/banks/my \"best\", final.sf2";
  const std::string line = "sustained," + awe::csvField(path) + ",1";
  const std::vector<std::string> fields = csvFields(line);
  REQUIRE(fields.size() == 3);
  CHECK(fields[1] == path);
}

TEST_CASE("Freewheel reports leave jitter out; paced ones keep it", "[monitor]") {
  awe::Snapshot snapshot = eventfulSnapshot();
  REQUIRE(snapshot.paced);
  {
    std::ostringstream out;
    awe::writeBufferCsv(out, snapshot);
    std::istringstream in(out.str());
    std::string header, row;
    std::getline(in, header);
    std::getline(in, row);
    std::getline(in, row);  // buffer 1: the first with a jitter
    CHECK(csvFields(header)[6] == "jitter_ns");
    CHECK_FALSE(csvFields(row)[6].empty());
    const json report = awe::reportToJson(snapshot);
    CHECK(report.at("latest").contains("jitter_ns"));
    CHECK(report.at("distributions").contains("jitter"));
    CHECK(awe::formatTextReport(snapshot).find("callback jitter") != std::string::npos);
  }
  snapshot.paced = false;
  std::ostringstream out;
  awe::writeBufferCsv(out, snapshot);
  std::istringstream in(out.str());
  std::string header, row;
  std::getline(in, header);
  const std::size_t columns = csvFields(header).size();
  while (std::getline(in, row)) {
    const std::vector<std::string> fields = csvFields(row);
    REQUIRE(fields.size() == columns);
    CHECK(fields[6].empty());
  }
  const json report = awe::reportToJson(snapshot);
  CHECK(report.at("settings").at("paced") == false);
  CHECK_FALSE(report.at("latest").contains("jitter_ns"));
  CHECK_FALSE(report.at("latest").contains("clock_drift_ppm"));
  CHECK_FALSE(report.at("distributions").contains("jitter"));
  CHECK_FALSE(report.at("outliers").contains("jitter"));
  CHECK(awe::formatTextReport(snapshot).find("jitter:") == std::string::npos);
  CHECK(awe::formatTextReport(snapshot).find("callback jitter") == std::string::npos);
  const json trace = awe::traceToJson(snapshot);  // kept: a range-for over .at() of a temporary reads freed memory
  for (const json& event : trace.at("traceEvents")) {
    if (event.at("name") == "buffer") CHECK_FALSE(event.at("args").contains("jitter_us"));
  }
}

TEST_CASE("Trace: DSP load counter in percent, one time unit", "[monitor]") {
  const awe::Snapshot snapshot = eventfulSnapshot();
  const json trace = awe::traceToJson(snapshot);
  CHECK(trace.at("displayTimeUnit") == "ns");
  int loads = 0;
  for (const json& event : trace.at("traceEvents")) {
    if (event.at("ph") != "C" || event.at("name") != "DSP load") continue;
    ++loads;
    const double percent = event.at("args").at("percent");
    // Buffer 12 took 1.2 budgets, the others 5 ms of a 23.22 ms budget.
    if (percent > 100.0) CHECK(percent == Approx(120.0).epsilon(1e-6));
    else CHECK(percent == Approx(100.0 * 5e6 / (1024 * 1e9 / 44100)).epsilon(1e-6));
  }
  CHECK(loads == 30);
}

TEST_CASE("Trace: stage slices nest in the monitor's buffer slice when the clocks disagree", "[monitor]") {
  // One buffer of 1 ms whose "status" span, read through the span clock, ends 130 ns after
  // the monitor's end of the buffer, and whose "monitor" root starts 50 ns before it.
  awe::Snapshot snapshot;
  snapshot.bufferFrames = 1024;
  snapshot.sampleRate = 44100.0;
  snapshot.audioThreadId = 4242;
  awe::BufferRecord record;
  record.index = 7;
  record.start_ns = 5'000'000'000;
  record.busy_ns = 1'000'000;
  record.frames = 1024;
  snapshot.records.push_back(record);
  auto stages = std::make_shared<awe::StageProfileSnapshot>();
  stages->stageNames = {"buffer", "sequencer", "status", "monitor"};
  auto span = [&](uint8_t stage, uint8_t depth, int64_t start_ns, int64_t duration_ns) {
    awe::StageSpanRecord r;
    r.buffer = 7;
    r.stage = stage;
    r.depth = depth;
    r.start_ns = start_ns;
    r.duration_ns = duration_ns;
    r.threadId = 4242;
    stages->spans.push_back(r);
  };
  const int64_t end_ns = record.start_ns + record.busy_ns;
  span(0, 0, record.start_ns + 100, record.busy_ns - 80);       // buffer: stands for the slice
  span(1, 1, record.start_ns - 60, 900'000);                     // starts before the slice
  span(2, 1, end_ns - 2'000, 2'130);                             // status: ends 130 ns late
  span(3, 0, end_ns - 50, 1'000);                                // monitor: after the busy time
  snapshot.stages = stages;

  const json trace = json::parse(awe::traceToJson(snapshot).dump());
  std::map<std::string, std::pair<int64_t, int64_t>> slices;
  for (const json& event : trace.at("traceEvents")) {
    if (event.at("ph") != "X") continue;
    CHECK(event.at("tid") == 4242);
    const int64_t start = nanoseconds(event.at("ts"));
    slices[event.at("name")] = {start, start + nanoseconds(event.at("dur"))};
  }
  REQUIRE(slices.size() == 4);
  CHECK(slices["buffer"] == std::make_pair(record.start_ns, end_ns));
  CHECK(slices["sequencer"].first == record.start_ns);
  CHECK(slices["status"].second == end_ns);
  CHECK(slices["status"].first == end_ns - 2'000);
  CHECK(slices["monitor"].first == end_ns);
  CHECK(slices["monitor"].second == end_ns + 950);
}
