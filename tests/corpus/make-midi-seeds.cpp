// awe-make-midi-seeds OUT: writes the small valid seed files of the MIDI fuzzer
// (tests/fuzz/fuzz_midi.cpp) with MidiFileWriter into OUT. A person regenerates the
// committed copy (tests/data/midi/seeds/) on purpose with tools/make-test-data; ctest
// regenerates it into the build folder and compares (corpus.midi-seeds).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/MidiFile.h"

using awe::MidiFileWriter;

namespace {

void save(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: awe-make-midi-seeds OUT\n");
    return 4;
  }
  const std::string dir = argv[1];
  std::filesystem::create_directories(dir);

  {  // Format 0: every kind of channel message, a sysex, meta events.
    MidiFileWriter writer(96);
    const int t = writer.addTrack("Seed zero");
    writer.tempo(t, 0, 132.0);
    writer.timeSignature(t, 0, 6, 8);
    writer.sysex(t, 0, {0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7});
    writer.meta(t, 0, 0x01, {'s', 'e', 'e', 'd'});
    writer.programChange(t, 0, 0, 19);
    writer.controlChange(t, 0, 0, 7, 100);
    for (int i = 0; i < 16; ++i) {
      writer.noteOn(t, static_cast<uint64_t>(i) * 48, i % 16, 48 + i, 40 + i * 5);
      writer.noteOff(t, static_cast<uint64_t>(i) * 48 + 40, i % 16, 48 + i);
    }
    writer.pitchBend(t, 100, 0, 12000);
    writer.channelMessage(t, 110, 0xD0, 90);
    writer.channelMessage(t, 120, 0xA0, 60, 30);
    writer.noteOn(t, 800, 0, 60, 0);
    save(dir + "/format0_all_messages.mid", writer.toBytes(0));
  }
  {  // Format 1: tempo changes in two tracks, RPN and NRPN sequences, drums.
    MidiFileWriter writer(480);
    const int conductor = writer.addTrack("Conductor");
    const int bass = writer.addTrack("Bass");
    const int drums = writer.addTrack("Drums");
    writer.tempo(conductor, 0, 90.0);
    writer.tempo(conductor, 1920, 140.0);
    writer.tempo(drums, 3840, 70.0);
    writer.controlChange(bass, 0, 1, 101, 0);
    writer.controlChange(bass, 0, 1, 100, 0);
    writer.controlChange(bass, 0, 1, 6, 12);
    writer.controlChange(bass, 0, 1, 99, 127);
    writer.controlChange(bass, 0, 1, 98, 21);
    writer.controlChange(bass, 0, 1, 6, 80);
    for (int beat = 0; beat < 16; ++beat) {
      const auto tick = static_cast<uint64_t>(beat) * 480;
      writer.noteOn(bass, tick, 1, 36 + (beat % 5), 90);
      writer.noteOff(bass, tick + 400, 1, 36 + (beat % 5));
      writer.noteOn(drums, tick, 9, beat % 2 ? 38 : 36, 120);
      writer.noteOn(drums, tick + 10, 9, beat % 2 ? 38 : 36, 0);
    }
    save(dir + "/format1_tempo_rpn.mid", writer.toBytes(1));
  }
  {  // SMPTE division (-25 frames/s, 40 ticks/frame) with long deltas.
    MidiFileWriter writer(96);
    const int t = writer.addTrack();
    writer.noteOn(t, 0, 3, 72, 64);
    writer.noteOff(t, 200000, 3, 72);
    writer.noteOn(t, 0x0FFFFFF, 3, 74, 64);
    std::vector<uint8_t> bytes = writer.toBytes(0);
    bytes[12] = 0xE7;
    bytes[13] = 40;
    save(dir + "/smpte_long_deltas.mid", bytes);
  }
  {  // Running status across a chord, an F7 escape, a controller.
    const std::vector<uint8_t> bytes{
        'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,                                 //
        'M', 'T', 'r', 'k', 0, 0, 0, 31,                                                   //
        0x00, 0x90, 60, 100, 0x00, 64, 100, 0x00, 67, 100,                                 // running status
        0x60, 60, 0, 0x00, 64, 0, 0x00, 67, 0,                                             // velocity 0
        0x00, 0xF7, 0x01, 0xF8,                                                            // F7 escape
        0x00, 0xB0, 7, 90,                                                                 //
        0x00, 0xFF, 0x2F, 0x00};
    save(dir + "/running_status.mid", bytes);
  }
  return 0;
}
