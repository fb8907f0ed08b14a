#include "engine/LatencyLoopback.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>

#include "emu8000/Config.h"
#include "emu8000/Generators.h"
#include "engine/MidiInput.h"
#include "monitor/Clock.h"

namespace awe {
namespace {

void sleepUntil(int64_t at_ns) {
  const auto at = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(at_ns));
  std::this_thread::sleep_until(at);
}

void checkSettings(const LoopbackSettings& s) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("loopback: " + what); };
  if (s.events < 1) fail("at least one event is needed");
  if (s.audioSources.empty() || s.audioSources.size() > 2) fail("capture one or two audio outputs (left, right)");
  if (s.midiTarget.empty()) fail("no MIDI input port to send to");
  if (!(s.noteLength_s > 0.0) || !(s.interval_s > s.noteLength_s)) {
    fail("the interval between notes must be longer than the notes");
  }
  if (!(s.settle_s >= 0.0)) fail("the settle time cannot be negative");
  for (int i = 0; i < 2; ++i) {
    if (s.channels[i] > 15) fail("MIDI channels are 0..15");
    if (s.keys[i] > 127) fail("keys are 0..127");
  }
  if (s.velocity < 1 || s.velocity > 127) fail("the velocity must be 1..127");
  if (s.program > 127) fail("programs are 0..127");
}

}  // namespace

std::size_t matchOnsets(std::vector<LoopbackEvent>& events, std::vector<CapturedOnset> onsets,
                        int64_t converterShift_ns) {
  std::stable_sort(onsets.begin(), onsets.end(),
                   [](const CapturedOnset& a, const CapturedOnset& b) { return a.frame < b.frame; });
  uint32_t inputs = 0;
  for (const LoopbackEvent& e : events) inputs = std::max(inputs, e.input + 1);
  for (const CapturedOnset& o : onsets) inputs = std::max(inputs, o.input + 1);
  std::size_t matched = 0;
  for (uint32_t input = 0; input < inputs; ++input) {
    std::vector<std::size_t> mine;
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (events[i].input == input) mine.push_back(i);
    }
    std::size_t next = 0;  // the first unused onset (all inputs' onsets, skipping others')
    for (std::size_t k = 0; k < mine.size(); ++k) {
      LoopbackEvent& e = events[mine[k]];
      e.detected = false;
      const int64_t windowEnd =
          k + 1 < mine.size() ? events[mine[k + 1]].sent_ns : std::numeric_limits<int64_t>::max();
      while (next < onsets.size() && (onsets[next].input != input || onsets[next].time_ns < e.sent_ns)) ++next;
      if (next < onsets.size() && onsets[next].time_ns < windowEnd) {
        e.detected = true;
        e.onsetFrame = onsets[next].frame;
        e.onset_ns = onsets[next].time_ns;
        e.converter_ns = e.onset_ns + converterShift_ns;
        ++matched;
        ++next;
      }
    }
  }
  return onsets.size() - matched;
}

std::size_t attachEngineRecords(std::vector<LoopbackEvent>& events, const std::vector<MidiEventRecord>& records) {
  std::vector<const MidiEventRecord*> noteOns;
  for (const MidiEventRecord& r : records) {
    if (r.size >= 3 && (r.bytes[0] & 0xF0) == 0x90 && r.bytes[2] != 0) noteOns.push_back(&r);
  }
  std::size_t paired = 0;
  std::size_t next = 0;  // the first unused note-on record
  for (std::size_t i = 0; i < events.size(); ++i) {
    LoopbackEvent& e = events[i];
    e.hasEngineRecord = false;
    const int64_t windowEnd_ns =
        i + 1 < events.size() ? events[i + 1].sendBegan_ns : std::numeric_limits<int64_t>::max();
    // Records are in arrival order; one that arrived before this note's send began belongs
    // to no note of ours, one that arrived after the next note's send began to a later note.
    // (Not sent_ns: after a stalled send that is the later stamp, and on a slow build the
    // note can arrive before it.)
    while (next < noteOns.size() && noteOns[next]->times.arrival_ns < e.sendBegan_ns) ++next;
    for (std::size_t k = next; k < noteOns.size() && noteOns[k]->times.arrival_ns < windowEnd_ns; ++k) {
      const MidiEventRecord& r = *noteOns[k];
      if ((r.bytes[0] & 0x0F) == e.channel && r.bytes[1] == e.key) {
        e.hasEngineRecord = true;
        e.engine = r;
        ++paired;
        next = k + 1;
        break;
      }
    }
  }
  return paired;
}

LoopbackResult runLoopback(const LoopbackSettings& s, const std::function<bool(const LoopbackProgress&)>& tick) {
  checkSettings(s);
  const auto inputs = static_cast<uint32_t>(s.audioSources.size());
  JackCapture capture(s.clientName + "-capture", inputs, s.detector);
  capture.start();
  for (uint32_t i = 0; i < inputs; ++i) capture.connect(i, s.audioSources[i]);
  MidiOutput out(s.clientName + "-send");
  out.open(s.midiTarget);

  LoopbackResult result;
  result.sampleRate = capture.sampleRate();
  result.bufferFrames = capture.bufferFrames();
  for (uint32_t i = 0; i < inputs; ++i) result.sources.push_back(capture.source(i));
  const double period_s = static_cast<double>(result.bufferFrames) / result.sampleRate;
  // JACK MIDI moves in whole cycles: a note-off sent less than two periods after its
  // note-on can reach the synth in the same cycle, and a note released before its
  // envelope delay ends never sounds. The next note must also find silence.
  if (s.noteLength_s < 2.0 * period_s) {
    throw std::invalid_argument("loopback: notes must last at least two JACK periods (" +
                                std::to_string(2e3 * period_s) + " ms here)");
  }
  const double minimumInterval_s = s.noteLength_s + 2.0 * period_s + s.detector.holdFrames / result.sampleRate;
  if (s.interval_s < minimumInterval_s) {
    throw std::invalid_argument("loopback: the interval must leave the note two JACK periods and the onset "
                                "detector's hold time to fall silent (at least " +
                                std::to_string(1e3 * minimumInterval_s) + " ms here)");
  }

  // Set both channels up: loud, dry (no reverb or chorus tail), panned apart when two
  // sides are captured.
  for (int c = 0; c < 2; ++c) {
    const uint8_t channel = s.channels[c];
    const uint8_t pan = inputs == 2 ? (c == 0 ? 0 : 127) : 64;
    const uint8_t setup[][3] = {{0x79, 0, 0}, {7, 127, 0}, {11, 127, 0}, {10, pan, 0}, {91, 0, 0}, {93, 0, 0}};
    for (const auto& cc : setup) {
      const uint8_t message[3] = {static_cast<uint8_t>(0xB0 | channel), cc[0], cc[1]};
      out.send(message, 3);
    }
    if (s.program >= 0) {
      const uint8_t change[2] = {static_cast<uint8_t>(0xC0 | channel), static_cast<uint8_t>(s.program)};
      out.send(change, 2);
    }
  }

  // The plan: note-ons `interval` apart, each pushed later by a random part of a JACK
  // period so that the notes land all over the cycle, as a player's would. This thread may
  // be woken late (a busy machine): a note-on is stamped when it really goes out, its
  // note-off follows a note length after that, and the next note-on waits for the gap the
  // settings promise, so lateness never makes two notes run together.
  std::mt19937 random(s.seed);
  std::uniform_real_distribution<double> dither(0.0, period_s);
  const auto settle_ns = static_cast<int64_t>(std::max(s.settle_s, period_s * 4.0) * 1e9);
  const auto noteLength_ns = static_cast<int64_t>(s.noteLength_s * 1e9);
  const auto minimumGap_ns = static_cast<int64_t>(std::max(s.interval_s - period_s, minimumInterval_s) * 1e9);
  const int64_t start_ns = monotonicNanoseconds() + settle_ns;

  std::vector<CapturedOnset> onsets;
  LoopbackProgress progress;
  progress.total = s.events;
  auto drain = [&] {
    CapturedOnset o;
    while (capture.popOnset(o)) onsets.push_back(o);
    progress.onsets = onsets.size();
  };
  constexpr int64_t kTick_ns = 10'000'000;
  int64_t nextTick_ns = monotonicNanoseconds();
  bool stopping = false;
  // Sleeps until `at_ns`, draining onsets and ticking on the way. Returns false at once
  // when told to stop, unless `evenWhenStopping` (a note must still end, a tail fall silent).
  auto waitUntil = [&](int64_t at_ns, bool evenWhenStopping = false) {
    for (;;) {
      const int64_t now_ns = monotonicNanoseconds();
      if (now_ns >= nextTick_ns) {
        drain();
        if (tick && !tick(progress)) stopping = true;
        nextTick_ns = now_ns + kTick_ns;
      }
      if (stopping && !evenWhenStopping) return false;
      if (now_ns >= at_ns) return true;
      sleepUntil(std::min(at_ns, nextTick_ns));
    }
  };

  result.events.resize(static_cast<std::size_t>(s.events));
  int64_t lastSent_ns = std::numeric_limits<int64_t>::min() / 2;
  for (int i = 0; i < s.events; ++i) {
    LoopbackEvent& e = result.events[static_cast<std::size_t>(i)];
    const int side = i % 2;
    e.index = i;
    e.channel = s.channels[side];
    e.key = s.keys[side];
    e.input = inputs == 2 ? static_cast<uint32_t>(side) : 0;
    const int64_t planned_ns = start_ns + static_cast<int64_t>((i * s.interval_s + dither(random)) * 1e9);
    if (!waitUntil(std::max(planned_ns, lastSent_ns + minimumGap_ns))) break;
    const uint8_t on[3] = {static_cast<uint8_t>(0x90 | e.channel), e.key, s.velocity};
    const uint8_t off[3] = {static_cast<uint8_t>(0x80 | e.channel), e.key, 0};
    // The note goes out when send() writes it for JACK to pick up: somewhere between the
    // two stamps. Normally they are microseconds apart; when this thread was preempted in
    // between, the later one is taken, so a stall before the write is not counted as the
    // synth's latency.
    const int64_t beforeSend_ns = monotonicNanoseconds();
    out.send(on, 3);
    const int64_t afterSend_ns = monotonicNanoseconds();
    constexpr int64_t kTightSend_ns = 20000;
    e.sent_ns = afterSend_ns - beforeSend_ns <= kTightSend_ns ? beforeSend_ns : afterSend_ns;
    e.sendBegan_ns = beforeSend_ns;
    lastSent_ns = e.sent_ns;
    ++progress.sent;
    waitUntil(e.sent_ns + noteLength_ns, true);
    out.send(off, 3);
  }
  result.events.resize(static_cast<std::size_t>(progress.sent));  // fewer when stopped
  waitUntil(monotonicNanoseconds() + settle_ns, true);  // the last note falls silent
  drain();

  // JACK has long since worked out the latencies of the new connections.
  if (capture.sourceIsPhysical(0)) {
    result.converterShift_frames = -static_cast<int64_t>(capture.sourceCaptureLatency(0).max_frames);
    result.converterShiftSource = "minus the JACK capture latency of " + result.sources[0];
  } else {
    result.converterShift_frames = static_cast<int64_t>(capture.sourcePlaybackLatency(0).max_frames);
    result.converterShiftSource = "plus the JACK playback latency of " + result.sources[0];
  }
  result.converterShift_ns =
      static_cast<int64_t>(static_cast<double>(result.converterShift_frames) * 1e9 / result.sampleRate);
  result.strayOnsets = matchOnsets(result.events, onsets, result.converterShift_ns);
  for (const LoopbackEvent& e : result.events) result.detected += e.detected ? 1 : 0;
  result.captureXruns = capture.xruns();
  result.onsetDrops = capture.onsetDrops();
  capture.stop();
  return result;
}

std::shared_ptr<const Bank> makeClickBank() {
  constexpr uint32_t kHalfPeriod = 22;  // 44 samples: 1002 Hz at 44.1 kHz
  constexpr uint32_t kFrames = 40 * 2 * kHalfPeriod;
  Bank::Parts parts;
  parts.info.name = "awe-latency click";
  parts.info.software = "awe makeClickBank";
  const std::size_t total = kSampleGuardFront + kFrames + 46 + kSampleGuardBack;
  parts.sampleData.reset(new int16_t[total]());
  parts.sampleDataFrames = total;
  for (uint32_t i = 0; i < kFrames; ++i) {
    parts.sampleData[kSampleGuardFront + i] = (i / kHalfPeriod) % 2 == 0 ? int16_t{16384} : int16_t{-16384};
  }
  SampleHeader h;
  h.name = "square 1 kHz";
  h.start = kSampleGuardFront;
  h.end = kSampleGuardFront + kFrames;
  h.loopStart = h.start + 2 * kHalfPeriod;
  h.loopEnd = h.end - 2 * kHalfPeriod;
  h.sampleRate = 44100;
  h.originalKey = 60;
  parts.samples.push_back(h);
  Zone zone;
  for (int g = 0; g < kSf2GeneratorCount; ++g) zone.gen[g] = generatorInfo(g).defaultValue;
  zone.gen[genIndex(Gen::SampleModes)] = 1;             // loop while the key is down
  zone.gen[genIndex(Gen::DelayVolEnv)] = -12000;         // the SF2 minimum (also the default)
  zone.gen[genIndex(Gen::AttackVolEnv)] = -12000;
  zone.gen[genIndex(Gen::ReleaseVolEnv)] = -6000;        // 2^-5 s: quiet long before the next note
  // The bank's own CC10 modulator with amount 1000 (the SF2 default, 500, covers the pan
  // range once and so stops at +49.2 % for CC10 127, leaking a -38 dB click into the left
  // side): CC10 0 and 127 then pan hard apart, so each side's detector hears one channel.
  parts.modulators.push_back(ModulatorSpec{0x028A, static_cast<uint16_t>(Gen::Pan), 1000, 0, 0});
  zone.modBegin = 0;
  zone.modCount = 1;
  Preset preset;
  preset.name = "click";
  parts.addPresetOfZones(std::move(preset), {zone});
  return std::make_shared<const Bank>(std::move(parts));
}

}  // namespace awe
