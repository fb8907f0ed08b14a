#include "emu8000/Generators.h"

namespace awe {
namespace {

constexpr int32_t kI16Min = -32768;
constexpr int32_t kI16Max = 32767;

// SF2 2.04 section 8.1.3 (ranges and defaults); "instrument only" from section 8.1.2.
// Unused and reserved operators are not allowed anywhere; Instrument and SampleId are the
// terminal generators of preset and instrument zones and are handled by the loader.
const GeneratorInfo kGenerators[kGenSlots] = {
    {"startAddrsOffset", 0, kI16Max, 0, true, true},
    {"endAddrsOffset", kI16Min, 0, 0, true, true},
    {"startloopAddrsOffset", kI16Min, kI16Max, 0, true, true},
    {"endloopAddrsOffset", kI16Min, kI16Max, 0, true, true},
    {"startAddrsCoarseOffset", 0, kI16Max, 0, true, true},
    {"modLfoToPitch", -12000, 12000, 0, false, true},
    {"vibLfoToPitch", -12000, 12000, 0, false, true},
    {"modEnvToPitch", -12000, 12000, 0, false, true},
    {"initialFilterFc", 1500, 13500, 13500, false, true},
    {"initialFilterQ", 0, 960, 0, false, true},
    {"modLfoToFilterFc", -12000, 12000, 0, false, true},
    {"modEnvToFilterFc", -12000, 12000, 0, false, true},
    {"endAddrsCoarseOffset", kI16Min, 0, 0, true, true},
    {"modLfoToVolume", -960, 960, 0, false, true},
    {"unused1", 0, 0, 0, false, false},
    {"chorusEffectsSend", 0, 1000, 0, false, true},
    {"reverbEffectsSend", 0, 1000, 0, false, true},
    {"pan", -500, 500, 0, false, true},
    {"unused2", 0, 0, 0, false, false},
    {"unused3", 0, 0, 0, false, false},
    {"unused4", 0, 0, 0, false, false},
    {"delayModLFO", -12000, 5000, -12000, false, true},
    {"freqModLFO", -16000, 4500, 0, false, true},
    {"delayVibLFO", -12000, 5000, -12000, false, true},
    {"freqVibLFO", -16000, 4500, 0, false, true},
    {"delayModEnv", -12000, 5000, -12000, false, true},
    {"attackModEnv", -12000, 8000, -12000, false, true},
    {"holdModEnv", -12000, 5000, -12000, false, true},
    {"decayModEnv", -12000, 8000, -12000, false, true},
    {"sustainModEnv", 0, 1000, 0, false, true},
    {"releaseModEnv", -12000, 8000, -12000, false, true},
    {"keynumToModEnvHold", -1200, 1200, 0, false, true},
    {"keynumToModEnvDecay", -1200, 1200, 0, false, true},
    {"delayVolEnv", -12000, 5000, -12000, false, true},
    {"attackVolEnv", -12000, 8000, -12000, false, true},
    {"holdVolEnv", -12000, 5000, -12000, false, true},
    {"decayVolEnv", -12000, 8000, -12000, false, true},
    {"sustainVolEnv", 0, 1440, 0, false, true},
    {"releaseVolEnv", -12000, 8000, -12000, false, true},
    {"keynumToVolEnvHold", -1200, 1200, 0, false, true},
    {"keynumToVolEnvDecay", -1200, 1200, 0, false, true},
    {"instrument", 0, kI16Max, 0, false, true},
    {"reserved1", 0, 0, 0, false, false},
    {"keyRange", 0, 127, 0, false, true},
    {"velRange", 0, 127, 0, false, true},
    {"startloopAddrsCoarseOffset", kI16Min, kI16Max, 0, true, true},
    {"keynum", -1, 127, -1, true, true},
    {"velocity", -1, 127, -1, true, true},
    {"initialAttenuation", 0, 1440, 0, false, true},
    {"reserved2", 0, 0, 0, false, false},
    {"endloopAddrsCoarseOffset", kI16Min, kI16Max, 0, true, true},
    {"coarseTune", -120, 120, 0, false, true},
    {"fineTune", -99, 99, 0, false, true},
    {"sampleID", 0, kI16Max, 0, true, true},
    {"sampleModes", 0, 3, 0, true, true},
    {"reserved3", 0, 0, 0, false, false},
    {"scaleTuning", 0, 1200, 100, false, true},
    {"exclusiveClass", 0, 127, 0, true, true},
    {"overridingRootKey", -1, 127, -1, true, true},
    {"unused5", 0, 0, 0, false, false},
    {"endOper", 0, 0, 0, false, false},
    // Internal destination of the pitch-wheel modulator (cents); no file generator.
    {"pitch", -12700, 12700, 0, false, false},
};

}  // namespace

const GeneratorInfo& generatorInfo(int index) {
  if (index < 0 || index >= kGenSlots) return kGenerators[static_cast<int>(Gen::Unused5)];
  return kGenerators[index];
}

}  // namespace awe
