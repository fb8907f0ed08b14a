// libFuzzer target for the Standard MIDI File reader: any input must load or throw
// MidiFileError, never crash, read out of bounds, leak or allocate without bound. What
// loads is then played a little through the sequencer's scheduling core (looping and
// seeking), which must keep its messages in offset order inside each block.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/MidiFile.h"
#include "engine/Sequencer.h"

namespace {

void playSome(const std::shared_ptr<const awe::MidiFile>& file) {
  constexpr size_t kFrames = 512;
  awe::Sequencer sequencer(44100.0);
  sequencer.load(file);
  sequencer.setLoop(true);
  sequencer.play();
  auto check = [](const awe::SequencerMessage& message) {
    if (message.offset >= kFrames) __builtin_trap();
    const awe::MidiMessage& m = message.midi;
    if (m.kind == awe::MidiKind::Sysex && (m.sysex == nullptr || m.sysex[0] != 0xF0)) __builtin_trap();
  };
  for (int block = 0; block < 4; ++block) sequencer.process(kFrames, check);
  sequencer.seekSeconds(file->duration_s() * 0.5);
  for (int block = 0; block < 2; ++block) sequencer.process(kFrames, check);
  sequencer.pause();
  sequencer.process(kFrames, check);
  sequencer.seekSamples(sequencer.lengthSamples());
  sequencer.play();
  sequencer.process(kFrames, check);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto file = std::make_shared<const awe::MidiFile>(awe::MidiFile::loadFromMemory(data, size, "fuzz.mid"));
    // Touch what a player reads, so the sanitizers see every field used.
    double sum = file->duration_s() + file->tempoBpmAt(file->duration_s() * 0.5);
    for (const awe::MidiEvent& event : file->events()) {
      if (event.isSysex()) {
        for (uint32_t i = 0; i < event.sysexLength; ++i) sum += file->sysexData().at(event.sysexOffset + i);
      }
      sum += event.time_s;
    }
    if (sum < 0.0) __builtin_trap();  // times and bytes are never negative
    playSome(file);
  } catch (const awe::MidiFileError&) {
  }
  return 0;
}
