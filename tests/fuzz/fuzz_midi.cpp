// libFuzzer target for the Standard MIDI File reader: any input must load or throw
// MidiFileError, never crash, read out of bounds, leak or allocate without bound.
#include <cstddef>
#include <cstdint>

#include "engine/MidiFile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const awe::MidiFile file = awe::MidiFile::loadFromMemory(data, size, "fuzz.mid");
    // Touch what a player reads, so the sanitizers see every field used.
    double sum = file.duration_s() + file.tempoBpmAt(file.duration_s() * 0.5);
    for (const awe::MidiEvent& event : file.events()) {
      if (event.isSysex()) {
        for (uint32_t i = 0; i < event.sysexLength; ++i) sum += file.sysexData().at(event.sysexOffset + i);
      }
      sum += event.time_s;
    }
    if (sum < -1.0) __builtin_trap();  // times and bytes are never negative
  } catch (const awe::MidiFileError&) {
  }
  return 0;
}
