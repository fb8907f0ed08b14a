#pragma once
// SoundFont 2.04 generators (spec section 8.1) and modulator encodings (section 8.2).
#include <cstdint>

namespace awe {

enum class Gen : uint16_t {
  StartAddrsOffset = 0,
  EndAddrsOffset = 1,
  StartloopAddrsOffset = 2,
  EndloopAddrsOffset = 3,
  StartAddrsCoarseOffset = 4,
  ModLfoToPitch = 5,
  VibLfoToPitch = 6,
  ModEnvToPitch = 7,
  InitialFilterFc = 8,
  InitialFilterQ = 9,
  ModLfoToFilterFc = 10,
  ModEnvToFilterFc = 11,
  EndAddrsCoarseOffset = 12,
  ModLfoToVolume = 13,
  Unused1 = 14,
  ChorusEffectsSend = 15,
  ReverbEffectsSend = 16,
  Pan = 17,
  Unused2 = 18,
  Unused3 = 19,
  Unused4 = 20,
  DelayModLfo = 21,
  FreqModLfo = 22,
  DelayVibLfo = 23,
  FreqVibLfo = 24,
  DelayModEnv = 25,
  AttackModEnv = 26,
  HoldModEnv = 27,
  DecayModEnv = 28,
  SustainModEnv = 29,
  ReleaseModEnv = 30,
  KeynumToModEnvHold = 31,
  KeynumToModEnvDecay = 32,
  DelayVolEnv = 33,
  AttackVolEnv = 34,
  HoldVolEnv = 35,
  DecayVolEnv = 36,
  SustainVolEnv = 37,
  ReleaseVolEnv = 38,
  KeynumToVolEnvHold = 39,
  KeynumToVolEnvDecay = 40,
  Instrument = 41,
  Reserved1 = 42,
  KeyRange = 43,
  VelRange = 44,
  StartloopAddrsCoarseOffset = 45,
  Keynum = 46,
  Velocity = 47,
  InitialAttenuation = 48,
  Reserved2 = 49,
  EndloopAddrsCoarseOffset = 50,
  CoarseTune = 51,
  FineTune = 52,
  SampleId = 53,
  SampleModes = 54,
  Reserved3 = 55,
  ScaleTuning = 56,
  ExclusiveClass = 57,
  OverridingRootKey = 58,
  Unused5 = 59,
  EndOper = 60,
  // Not an SF2 generator: the destination "initial pitch" (cents) that the default
  // pitch-wheel modulator targets. Only modulators may write it.
  Pitch = 61,
};

constexpr int kSf2GeneratorCount = 61;   // 0..60 as stored in files
constexpr int kGenSlots = 62;            // plus the internal Pitch destination

constexpr int genIndex(Gen g) { return static_cast<int>(g); }  // [audio thread]

struct GeneratorInfo {
  const char* name;
  int32_t min;
  int32_t max;
  int32_t defaultValue;
  bool instrumentOnly;  // ignored (with a warning) at preset level
  bool allowed;         // false for unused/reserved/terminal operators
};

// Ranges and defaults from SF2 2.04 section 8.1.3; "instrument only" from section 8.1.2.
// Address offsets have no fixed range (they are bounded by the sample) so their min/max
// are the int16 limits. Unused and reserved operators are not allowed anywhere; Instrument
// and SampleId are the terminal generators of preset and instrument zones and are
// handled by the loader. Inline: the synth reads ranges on every generator access.
inline constexpr int32_t kI16Min = -32768;
inline constexpr int32_t kI16Max = 32767;
inline constexpr GeneratorInfo kGenerators[kGenSlots] = {
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

inline const GeneratorInfo& generatorInfo(int index) {  // [audio thread]
  return kGenerators[index < 0 || index >= kGenSlots ? static_cast<int>(Gen::Unused5) : index];
}

// Sample modes (generator 54).
enum class LoopMode : uint8_t { NoLoop = 0, Continuous = 1, Unused = 2, UntilRelease = 3 };

// Modulator source encoding (SF2 2.04 section 8.2.1): bits 0-6 index, bit 7 CC flag,
// bit 8 direction (1 = max->min), bit 9 polarity (1 = bipolar), bits 10-15 type.
enum class ModSourceType : uint8_t { Linear = 0, Concave = 1, Convex = 2, Switch = 3 };
enum class GeneralController : uint8_t {
  NoController = 0,
  NoteOnVelocity = 2,
  NoteOnKey = 3,
  PolyPressure = 10,
  ChannelPressure = 13,
  PitchWheel = 14,
  PitchWheelSensitivity = 16,
  Link = 127,
};

struct ModSource {
  uint8_t index = 0;
  bool isCC = false;
  bool negative = false;  // direction max->min
  bool bipolar = false;
  ModSourceType type = ModSourceType::Linear;
  static ModSource decode(uint16_t raw) {  // [audio thread]
    ModSource s;
    s.index = static_cast<uint8_t>(raw & 0x7F);
    s.isCC = (raw & 0x80) != 0;
    s.negative = (raw & 0x100) != 0;
    s.bipolar = (raw & 0x200) != 0;
    s.type = static_cast<ModSourceType>((raw >> 10) & 0x3F);
    return s;
  }
};

// One modulator record as found in a file (pmod/imod) or in the default set.
struct ModulatorSpec {
  uint16_t src = 0;
  uint16_t dest = 0;       // generator index; kGenSlots-1 for the internal Pitch destination
  int16_t amount = 0;
  uint16_t amtSrc = 0;
  uint16_t transform = 0;  // 0 linear, 2 absolute value
  // SF2 2.04 section 9.5.1: two modulators are identical when source, destination,
  // amount source and transform match; the later one replaces the earlier.
  bool sameKind(const ModulatorSpec& o) const {  // [audio thread]
    return src == o.src && dest == o.dest && amtSrc == o.amtSrc && transform == o.transform;
  }
};

}  // namespace awe
