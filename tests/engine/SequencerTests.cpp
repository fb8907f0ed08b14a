// Sequencer: the scheduling core places every event on sample llround(t × rate) at any
// buffer size; seeking chases channel state; looping wraps; pause releases notes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/MidiFile.h"
#include "engine/Sequencer.h"

using namespace awe;

namespace {

struct Received {
  uint64_t sample;  // absolute output sample: block start + offset
  SequencerMessage message;
};

std::shared_ptr<const MidiFile> makeSong(const MidiFileWriter& writer) {
  const std::vector<uint8_t> bytes = writer.toBytes(1);
  return std::make_shared<const MidiFile>(MidiFile::loadFromMemory(bytes.data(), bytes.size(), "song.mid"));
}

// Plays the sequencer in blocks of `frames` for `blocks` blocks, recording every message.
std::vector<Received> run(Sequencer& sequencer, size_t frames, size_t blocks, uint64_t& outputSample) {
  std::vector<Received> received;
  for (size_t block = 0; block < blocks; ++block) {
    size_t lastOffset = 0;
    sequencer.process(frames, [&](const SequencerMessage& message) {
      CHECK(message.offset < frames);
      CHECK(message.offset >= lastOffset);  // offset order
      lastOffset = message.offset;
      received.push_back({outputSample + message.offset, message});
    });
    outputSample += frames;
  }
  return received;
}

std::vector<Received> fileEvents(const std::vector<Received>& received) {
  std::vector<Received> events;
  for (const Received& r : received) {
    if (r.message.event != nullptr) events.push_back(r);
  }
  return events;
}

std::vector<Received> generated(const std::vector<Received>& received) {
  std::vector<Received> messages;
  for (const Received& r : received) {
    if (r.message.event == nullptr) messages.push_back(r);
  }
  return messages;
}

bool contains(const std::vector<Received>& received, uint8_t status, uint8_t data1, uint8_t data2) {
  for (const Received& r : received) {
    if (r.message.midi.status == status && r.message.midi.data1 == data1 && r.message.midi.data2 == data2) return true;
  }
  return false;
}

// A song whose event times fall on awkward fractions of a sample: odd tempo changes,
// odd ticks, several events on one tick, a sysex.
std::shared_ptr<const MidiFile> awkwardSong() {
  MidiFileWriter writer(961);
  const int conductor = writer.addTrack();
  const int a = writer.addTrack();
  const int b = writer.addTrack();
  writer.tempo(conductor, 0, 97.3);
  writer.tempo(conductor, 3001, 181.7);
  writer.tempo(b, 7777, 61.1);
  writer.sysex(a, 0, {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7});
  uint32_t random = 12345;
  for (int i = 0; i < 300; ++i) {
    random = random * 1664525u + 1013904223u;
    const uint64_t tick = random % 12000;
    writer.noteOn(i % 2 ? a : b, tick, i % 16, 30 + i % 60, 1 + i % 127);
    if (i % 7 == 0) writer.noteOff(a, tick, 3, 60);  // a tie on the same tick
  }
  writer.noteOn(a, 0, 0, 60, 100);
  return makeSong(writer);
}

}  // namespace

TEST_CASE("Sequencer rejects bad sample rates", "[sequencer]") {
  CHECK_THROWS_AS(Sequencer(0.0), std::invalid_argument);
  CHECK_THROWS_AS(Sequencer(-44100.0), std::invalid_argument);
  CHECK_THROWS_AS(Sequencer(std::nan("")), std::invalid_argument);
  CHECK_NOTHROW(Sequencer(44100.0));
}

TEST_CASE("Every event plays on sample llround(t x rate) at every buffer size", "[sequencer]") {
  const std::shared_ptr<const MidiFile> song = awkwardSong();
  const double rate = GENERATE(44100.0, 48000.0, 22050.0);
  Sequencer sequencer(rate);
  sequencer.load(song);
  const std::vector<MidiEvent>& events = song->events();
  REQUIRE(sequencer.eventSamples().size() == events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    CHECK(sequencer.eventSamples()[i] == static_cast<uint64_t>(std::llround(events[i].time_s * rate)));
  }
  CHECK(sequencer.lengthSamples() == static_cast<uint64_t>(std::llround(song->duration_s() * rate)));

  const size_t frames = GENERATE(1, 2, 3, 7, 63, 64, 65, 127, 1000, 1024, 4096);
  INFO("rate " << rate << ", buffer " << frames);
  sequencer.play();
  uint64_t outputSample = 0;
  const size_t blocks = static_cast<size_t>(sequencer.lengthSamples() / frames) + 2;
  const std::vector<Received> played = fileEvents(run(sequencer, frames, blocks, outputSample));
  CHECK(sequencer.finished());
  CHECK_FALSE(sequencer.playing());
  CHECK(sequencer.positionSamples() == sequencer.lengthSamples());
  REQUIRE(played.size() == events.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const uint64_t expected = static_cast<uint64_t>(std::llround(events[i].time_s * rate));
    if (played[i].message.event != &events[i] || played[i].sample != expected) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("The pure core lists the same events however a span is cut into blocks", "[sequencer]") {
  const std::shared_ptr<const MidiFile> song = awkwardSong();
  Sequencer sequencer(44100.0);
  sequencer.load(song);
  const uint64_t length = sequencer.lengthSamples();
  for (const size_t frames : {size_t{1}, size_t{64}, size_t{1024}, size_t{977}}) {
    std::vector<const MidiEvent*> seen;
    for (uint64_t start = 0; start <= length; start += frames) {
      sequencer.forEachEventInBlock(start, frames, [&](size_t offset, const MidiEvent& event) {
        CHECK(offset < frames);
        CHECK(start + offset == static_cast<uint64_t>(std::llround(event.time_s * 44100.0)));
        seen.push_back(&event);
      });
    }
    REQUIRE(seen.size() == song->events().size());
    for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == &song->events()[i]);
  }
  CHECK_FALSE(sequencer.playing());  // the core touched no state
  CHECK(sequencer.positionSamples() == 0);
}

TEST_CASE("Nothing moves while paused; sysex reaches the sink whole", "[sequencer]") {
  MidiFileWriter writer(480);
  const int t = writer.addTrack();
  writer.sysex(t, 0, {0xF0, 0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7});
  writer.noteOn(t, 480, 0, 60, 100);
  Sequencer sequencer(1000.0);
  sequencer.load(makeSong(writer));
  uint64_t output = 0;
  CHECK(fileEvents(run(sequencer, 100, 3, output)).empty());
  CHECK(sequencer.positionSamples() == 0);
  sequencer.play();
  const std::vector<Received> played = fileEvents(run(sequencer, 100, 10, output));
  REQUIRE(played.size() == 2);
  CHECK(played[0].message.midi.status == 0xF0);
  REQUIRE(played[0].message.midi.sysexLength == 11);
  CHECK(played[0].message.midi.sysex[0] == 0xF0);
  CHECK(played[0].message.midi.sysex[10] == 0xF7);
  CHECK(played[0].sample == 300);
  CHECK(played[1].sample == 300 + 500);
}

TEST_CASE("Seeking chases programs, banks, controllers, pitch bend and RPNs, not notes", "[sequencer]") {
  MidiFileWriter writer(1000);  // 120 bpm: 2000 ticks per second
  const int t = writer.addTrack();
  writer.sysex(t, 0, {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7});
  writer.controlChange(t, 0, 0, 0, 1);     // bank 1
  writer.programChange(t, 0, 0, 5);
  writer.controlChange(t, 200, 0, 7, 80);
  writer.controlChange(t, 400, 0, 101, 0);  // RPN 0 (bend range) = 12 semitones
  writer.controlChange(t, 400, 0, 100, 0);
  writer.controlChange(t, 400, 0, 6, 12);
  writer.controlChange(t, 400, 0, 99, 1);   // then select NRPN 1/8 and set it
  writer.controlChange(t, 400, 0, 98, 8);
  writer.controlChange(t, 400, 0, 6, 70);
  writer.noteOn(t, 600, 0, 60, 100);
  writer.pitchBend(t, 1000, 0, 12000);
  writer.controlChange(t, 1000, 0, 64, 127);
  writer.controlChange(t, 2000, 0, 7, 50);  // the latest volume before the target wins
  writer.channelMessage(t, 2100, 0xD0, 33);
  writer.programChange(t, 4000, 1, 10);     // channel 1: program set only after the target
  writer.controlChange(t, 4000, 1, 7, 20);
  writer.noteOn(t, 4000, 1, 50, 100);
  writer.noteOn(t, 3000, 0, 62, 100);       // exactly at the target: plays, not chased
  Sequencer sequencer(1000.0);              // one sample per millisecond
  sequencer.load(makeSong(writer));
  sequencer.play();
  uint64_t output = 0;
  run(sequencer, 64, 2, output);

  sequencer.seekSeconds(1.5);
  CHECK(sequencer.positionSamples() == 1500);
  const std::vector<Received> received = run(sequencer, 64, 1, output);
  const std::vector<Received> chase = generated(received);
  for (const Received& r : chase) CHECK(r.message.offset == 0);
  // Release and reset first, for both song channels.
  REQUIRE(chase.size() > 4);
  CHECK((chase[0].message.midi.status == 0xB0 && chase[0].message.midi.data1 == 123));
  CHECK((chase[1].message.midi.status == 0xB0 && chase[1].message.midi.data1 == 121));
  CHECK((chase[2].message.midi.status == 0xB1 && chase[2].message.midi.data1 == 123));
  CHECK((chase[3].message.midi.status == 0xB1 && chase[3].message.midi.data1 == 121));
  CHECK(chase[4].message.midi.status == 0xF0);  // the sysex before the target
  CHECK(chase[4].message.midi.sysexLength == 6);
  CHECK(contains(chase, 0xB0, 0, 1));
  CHECK(contains(chase, 0xC0, 5, 0));
  CHECK(contains(chase, 0xB0, 7, 50));
  CHECK_FALSE(contains(chase, 0xB0, 7, 80));
  CHECK(contains(chase, 0xB0, 64, 127));
  CHECK(contains(chase, 0xE0, 12000 & 0x7F, 12000 >> 7));
  CHECK(contains(chase, 0xD0, 33, 0));
  CHECK(contains(chase, 0xB0, 6, 12));
  CHECK(contains(chase, 0xB0, 6, 70));
  // Channel 1 only changes later: defaults for program and volume.
  CHECK(contains(chase, 0xC1, 0, 0));
  CHECK(contains(chase, 0xB1, 7, 100));
  for (const Received& r : chase) CHECK(r.message.midi.status >= 0xB0);  // no note was chased

  // Bank select comes before the program change, and the RPN value is sent after its
  // selection; the selection at the target (NRPN 1/8) is restored last.
  size_t bank = 0, program = 0, rpnSelect = 0, rpnData = 0, lastNrpnMsb = 0;
  for (size_t i = 0; i < chase.size(); ++i) {
    const SequencerMessage& m = chase[i].message;
    if (m.midi.status == 0xB0 && m.midi.data1 == 0) bank = i;
    if (m.midi.status == 0xC0) program = i;
    if (m.midi.status == 0xB0 && m.midi.data1 == 101 && m.midi.data2 == 0) rpnSelect = i;
    if (m.midi.status == 0xB0 && m.midi.data1 == 6 && m.midi.data2 == 12) rpnData = i;
    if (m.midi.status == 0xB0 && m.midi.data1 == 99) lastNrpnMsb = i;
  }
  CHECK(bank < program);
  CHECK(rpnSelect < rpnData);
  CHECK(chase[lastNrpnMsb].message.midi.data2 == 1);
  CHECK(lastNrpnMsb > rpnData);
  CHECK((chase[lastNrpnMsb + 1].message.midi.data1 == 98 && chase[lastNrpnMsb + 1].message.midi.data2 == 8));

  // Playback continues from the target: the note at 1.5 s plays at the first sample.
  const std::vector<Received> events = fileEvents(received);
  REQUIRE(events.size() == 1);
  CHECK(events[0].message.midi.data1 == 62);
  CHECK(events[0].message.offset == 0);
  const std::vector<Received> later = fileEvents(run(sequencer, 64, 10, output));
  REQUIRE(later.size() == 3);
  CHECK(later[0].sample == output - 640 + (2000 - 1564));
}

TEST_CASE("A reset sysex before the target clears the state chased before it", "[sequencer]") {
  MidiFileWriter writer(1000);
  const int t = writer.addTrack();
  writer.controlChange(t, 0, 2, 1, 90);   // modulation, then a GS reset
  writer.sysex(t, 100, {0xF0, 0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7});
  writer.controlChange(t, 200, 2, 11, 70);
  writer.noteOn(t, 4000, 2, 60, 1);
  Sequencer sequencer(1000.0);
  sequencer.load(makeSong(writer));
  sequencer.seekSamples(1000);
  uint64_t output = 0;
  const std::vector<Received> chase = generated(run(sequencer, 16, 1, output));
  CHECK_FALSE(contains(chase, 0xB2, 1, 90));
  CHECK(contains(chase, 0xB2, 11, 70));
}

TEST_CASE("Looping wraps to 0 at the end; the loop lasts exactly lengthSamples", "[sequencer]") {
  MidiFileWriter writer(500);  // 120 bpm: 1000 ticks per second
  const int t = writer.addTrack();
  writer.programChange(t, 0, 0, 3);
  writer.noteOn(t, 0, 0, 60, 100);
  writer.controlChange(t, 300, 0, 1, 64);
  writer.noteOff(t, 1000, 0, 60);
  const int frames = GENERATE(1, 64, 100, 333, 1024);
  Sequencer sequencer(1000.0);  // the song lasts 1000 samples
  sequencer.load(makeSong(writer));
  REQUIRE(sequencer.lengthSamples() == 1000);
  sequencer.setLoop(true);
  sequencer.play();
  uint64_t output = 0;
  const std::vector<Received> received = run(sequencer, static_cast<size_t>(frames), 3500 / static_cast<size_t>(frames), output);
  CHECK(sequencer.playing());
  CHECK_FALSE(sequencer.finished());
  CHECK(sequencer.positionSamples() == output % 1000);

  std::vector<uint64_t> noteOns, noteOffs, modulation, wrapResets;
  for (const Received& r : received) {
    const SequencerMessage& m = r.message;
    if (m.event && m.midi.status == 0x90) noteOns.push_back(r.sample);
    if (m.event && m.midi.status == 0x80) noteOffs.push_back(r.sample);
    if (m.event && m.midi.status == 0xB0 && m.midi.data1 == 1) modulation.push_back(r.sample);
    if (!m.event && m.midi.status == 0xB0 && m.midi.data1 == 121) wrapResets.push_back(r.sample);
  }
  const uint64_t loops = output / 1000 + 1;
  for (size_t i = 0; i < noteOns.size(); ++i) CHECK(noteOns[i] == i * 1000);
  for (size_t i = 0; i < noteOffs.size(); ++i) CHECK(noteOffs[i] == (i + 1) * 1000);
  for (size_t i = 0; i < modulation.size(); ++i) CHECK(modulation[i] == i * 1000 + 300);
  CHECK(noteOns.size() == loops);
  // load's reset at 0, then one at each wrap, after the note-off at the same sample.
  REQUIRE(wrapResets.size() == loops);
  for (size_t i = 0; i < wrapResets.size(); ++i) CHECK(wrapResets[i] == i * 1000);
  for (size_t i = 1; i < received.size(); ++i) {
    const SequencerMessage& m = received[i].message;
    if (!m.event && m.midi.status == 0xB0 && m.midi.data1 == 123 && received[i].sample > 0) {
      CHECK((received[i - 1].message.event && received[i - 1].message.midi.status == 0x80));
      break;
    }
  }
}

TEST_CASE("Without looping the song stops at its end; play() starts it again", "[sequencer]") {
  MidiFileWriter writer(500);
  const int t = writer.addTrack();
  writer.noteOn(t, 0, 0, 60, 100);
  writer.noteOff(t, 1000, 0, 60);
  Sequencer sequencer(1000.0);
  sequencer.load(makeSong(writer));
  sequencer.play();
  uint64_t output = 0;
  std::vector<Received> events = fileEvents(run(sequencer, 300, 5, output));
  REQUIRE(events.size() == 2);
  CHECK(events[1].sample == 1000);
  CHECK(sequencer.finished());
  CHECK(sequencer.positionSamples() == 1000);
  sequencer.play();
  CHECK(sequencer.playing());
  CHECK(sequencer.positionSamples() == 0);
  events = fileEvents(run(sequencer, 300, 1, output));
  REQUIRE(events.size() == 1);
  CHECK(events[0].message.offset == 0);
}

TEST_CASE("Pause releases the song's notes; play re-sends the sustain pedal", "[sequencer]") {
  MidiFileWriter writer(500);
  const int t = writer.addTrack();
  writer.noteOn(t, 0, 4, 60, 100);
  writer.controlChange(t, 100, 4, 64, 127);
  writer.noteOn(t, 5000, 4, 62, 100);
  Sequencer sequencer(1000.0);
  sequencer.load(makeSong(writer));
  sequencer.play();
  uint64_t output = 0;
  run(sequencer, 256, 2, output);
  sequencer.pause();
  CHECK_FALSE(sequencer.playing());
  const uint64_t pausedAt = sequencer.positionSamples();
  std::vector<Received> received = run(sequencer, 256, 2, output);
  CHECK(sequencer.positionSamples() == pausedAt);
  CHECK(fileEvents(received).empty());
  CHECK(contains(received, 0xB4, 64, 0));
  CHECK(contains(received, 0xB4, 123, 0));
  CHECK_FALSE(contains(received, 0xB0, 123, 0));  // channels the song does not use stay alone

  sequencer.play();
  received = run(sequencer, 256, 1, output);
  CHECK(contains(received, 0xB4, 64, 127));
  CHECK_FALSE(contains(received, 0xB4, 121, 0));  // a resume does not reset
  CHECK(sequencer.positionSamples() == pausedAt + 256);
}

TEST_CASE("Seeks are clamped; an empty sequencer does nothing", "[sequencer]") {
  MidiFileWriter writer(500);
  const int t = writer.addTrack();
  writer.noteOn(t, 2000, 0, 60, 100);
  Sequencer sequencer(1000.0);
  uint64_t output = 0;
  sequencer.play();
  CHECK(run(sequencer, 64, 2, output).empty());
  CHECK_FALSE(sequencer.playing());
  CHECK(sequencer.lengthSamples() == 0);

  sequencer.load(makeSong(writer));
  CHECK(sequencer.lengthSamples() == 2000);
  sequencer.seekSeconds(99.0);
  CHECK(sequencer.positionSamples() == 2000);
  sequencer.seekSeconds(-1.0);
  CHECK(sequencer.positionSamples() == 0);
  sequencer.seekSeconds(std::nan(""));
  CHECK(sequencer.positionSamples() == 0);
  sequencer.seekSamples(123456789);
  CHECK(sequencer.positionSamples() == 2000);
  CHECK(sequencer.positionSeconds() == Approx(2.0));
  sequencer.seekSeconds(0.0015);
  CHECK(sequencer.positionSamples() == 2);

  sequencer.load(nullptr);
  CHECK(sequencer.file() == nullptr);
  sequencer.play();
  CHECK(run(sequencer, 64, 1, output).empty());
}

TEST_CASE("A song shorter than the minimum loop plays once even when looping", "[sequencer]") {
  MidiFileWriter writer(500);
  const int t = writer.addTrack();
  writer.noteOn(t, 0, 0, 60, 100);
  writer.noteOff(t, 9, 0, 60);  // 9 ms: below Sequencer::kMinLoop_s
  Sequencer sequencer(1000.0);
  sequencer.load(makeSong(writer));
  sequencer.setLoop(true);
  sequencer.play();
  uint64_t output = 0;
  CHECK(fileEvents(run(sequencer, 64, 3, output)).size() == 2);
  CHECK(sequencer.finished());
}
