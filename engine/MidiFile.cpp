#include "engine/MidiFile.h"

namespace awe {

MidiFileError::MidiFileError(std::string file, int track, uint64_t offset, const std::string& what)
    : std::runtime_error(file + ": " + (track < 0 ? std::string("header") : "track " + std::to_string(track)) +
                         " at byte " + std::to_string(offset) + ": " + what),
      file_(std::move(file)),
      track_(track),
      offset_(offset) {}

}  // namespace awe
