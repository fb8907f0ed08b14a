#pragma once
// SoundFont 3 support: the Ogg Vorbis sample decoder (libsndfile) that Bank::loadSf2 needs
// for SF3's compressed samples, and the bank loader the tools use.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emu8000/Bank.h"

namespace awe {

// [control thread] A SampleDecoder: an Ogg Vorbis stream in memory (one SF3 sample) to
// 16-bit mono frames with libsndfile's sf_open_virtual. Returns an empty string, or what is
// wrong: not a stream libsndfile reads, not mono, or fewer frames than its header promises.
std::string decodeOggVorbisSample(const uint8_t* bytes, size_t size, size_t maxFrames, DecodedSample& out);

// [control thread] Bank::loadSf2 with decodeOggVorbisSample: SF2 and SF3 banks.
std::shared_ptr<const Bank> loadBank(const std::string& path, std::vector<LoadWarning>* warnings = nullptr);

// [control thread] Encodes 16-bit mono frames as an Ogg Vorbis stream (libsndfile; VBR
// quality 0..1), as MuseScore's sftools does for SF3. Throws std::runtime_error on failure.
std::vector<uint8_t> encodeOggVorbisSample(const std::vector<int16_t>& frames, uint32_t sampleRate, double quality);

}  // namespace awe
