// One MIDI path: bytes are decoded once into a MidiMessage (emu8000/MidiMessage.h) and the
// synth routes it; the engine's status shows what the synth holds, not a copy of its own.
#include <catch2/catch.hpp>

#include "emu8000/MidiMessage.h"
#include "engine/Engine.h"
#include "monitor/Clock.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

TEST_CASE("MIDI bytes decode once into a message kind, channel and 7-bit data", "[midi][engine]") {
  const uint8_t noteOn[] = {0x93, 60, 100};
  const MidiMessage on = MidiMessage::fromBytes(noteOn, 3);
  CHECK(on.kind == MidiKind::NoteOn);
  CHECK(on.channel == 3);
  CHECK((on.data1 == 60 && on.data2 == 100));
  // A note-on with velocity 0 is a note-off, wherever it comes from.
  CHECK(MidiMessage::channelMessage(0x95, 60, 0).kind == MidiKind::NoteOff);
  CHECK(MidiMessage::channelMessage(0x85, 60, 64).kind == MidiKind::NoteOff);
  CHECK(MidiMessage::channelMessage(0xB0, 0x87, 0xFF).data1 == 7);
  CHECK(MidiMessage::channelMessage(0xB0, 7, 0xFF).data2 == 127);
  CHECK(MidiMessage::channelMessage(0xE0, 0, 64).kind == MidiKind::PitchBend);
  CHECK(MidiMessage::channelMessage(0xF8, 0, 0).kind == MidiKind::None);  // real-time: nothing for the synth
  // A sysex is recognised by its first byte, in one place, and keeps its bytes.
  const uint8_t gmOn[] = {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7};
  const MidiMessage sysex = MidiMessage::fromBytes(gmOn, sizeof gmOn);
  CHECK(sysex.kind == MidiKind::Sysex);
  CHECK(sysex.sysex == gmOn);
  CHECK(sysex.sysexLength == sizeof gmOn);
  // Missing data bytes read as 0; nothing at all is nothing.
  const uint8_t program[] = {0xC2, 5};
  CHECK(MidiMessage::fromBytes(program, 2).kind == MidiKind::ProgramChange);
  CHECK(MidiMessage::fromBytes(program, 0).kind == MidiKind::None);
}

TEST_CASE("live CC7 and a GM reset reach the synth, and the status shows the synth's volume", "[midi][engine]") {
  EngineSettings s;
  s.driver.kind = DriverKind::Offline;
  Engine engine(s);
  engine.start();
  auto send = [&](std::initializer_list<uint8_t> bytes) {
    LiveMidiEvent e;
    e.arrival_ns = e.enqueued_ns = monotonicNanoseconds();
    for (const uint8_t b : bytes) e.bytes[e.size++] = b;
    REQUIRE(engine.enqueueLiveEvent(e));
    engine.runOffline(1);
  };
  EngineStatus status;
  send({0xB2, 7, 30});
  REQUIRE(engine.status(status));
  CHECK(status.channels[2].volume == 30);
  CHECK(status.channels[0].volume == 100);  // the GM default
  send({0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7});  // GM system on: controllers back to defaults
  REQUIRE(engine.status(status));
  CHECK(status.channels[2].volume == 100);
}

TEST_CASE("a muted channel's note-ons go no further than the engine", "[midi][engine]") {
  EngineSettings s;
  s.driver.kind = DriverKind::Offline;
  Engine engine(s);
  SampleSpec sample;
  sample.data = constant(2000, 16384);
  sample.loopStart = 100;
  sample.loopEnd = 1900;
  RegionSpec region;
  region.gens = {{Gen::SampleModes, 1}};
  PresetSpec preset;
  preset.regions.push_back(region);
  engine.setBank(makeBank({sample}, {preset}));
  engine.start();
  REQUIRE(engine.setChannelMuted(1, true));
  engine.runOffline(1);
  engine.sendMidi(0x91, 60, 100);  // muted
  engine.sendMidi(0x90, 62, 100);
  engine.runOffline(1);
  EngineStatus status;
  REQUIRE(engine.status(status));
  CHECK(status.notesOn == 1);
  CHECK(status.activeVoices == 1);
  CHECK(status.channels[1].activity == 0.0f);
  CHECK(status.channels[0].activity > 0.5f);
}
