#pragma once
// The synth's two personalities. `awe` plays a SoundFont the way an AWE32 (EMU8000 and its
// drivers) did; `modern` plays it as SF2.04 describes, in floating point, with the
// readings every bank was voiced for (x0.4 attenuation). Every
// difference is one named switch here, documented in README.md ("awe and modern") and
// measured by tests/emu8000/PersonalityTests.cpp.
#include <cstdint>
#include <string>

namespace awe {

class Bank;

enum class Personality : uint8_t { Awe = 0, Modern = 1 };

struct PersonalityTraits {
  // Volume
  bool attenuationSteps;       // total attenuation in 0.375 dB register steps
  bool initialAttenuationX04;  // SF2 initialAttenuation applied x0.4 (see AttenuationReading)
  bool noGainAboveUnity;       // attenuation (tremolo included) never below 0 dB
  // Filter
  bool cutoffRegister;         // 8-bit cutoff (~100 Hz .. 7.8 kHz), open above
  bool qRegister;              // 16 Q steps up to 24 dB, input lowered as Q rises
  // Envelopes and LFOs
  bool envelopeRegisters;      // delay/attack/hold/decay/release/sustain on the register grids
  bool lfoRegisters;           // 0.042 Hz rate steps; depths in 8-bit register steps
  // Pitch
  bool pitchCeiling;           // at most +2 octaves above the data rate at 44.1 kHz
  // MIDI behaviour
  bool modWheelToLfo1;         // CC1 and channel pressure deepen LFO1 (SF2.0 hardware), not LFO2
  bool driverVelocityToCutoff; // the driver's velocity-to-cutoff (attack >= ~7 ms, not drums)
                               // instead of the SF2 default velocity-to-cutoff modulator
  bool driverEffectSends;      // CC91/CC93 add x9/10 to the 8-bit send registers
  bool stealOldestReleased;    // hardware stealing order: oldest released, not quietest
};

// How SF2 initialAttenuation is read. Hardware (the default, both personalities): x0.4, as
// every EMU8000/EMU10K driver applied it and as every bank in circulation was voiced;
// FluidSynth (EMU_ATTENUATION_FACTOR) and BASSMIDI do the same. Literal: as SF2 writes it
// (10 dB in the file sounds as 10 dB), for people who want the spec's reading.
enum class AttenuationReading : uint8_t { Hardware = 0, Literal = 1 };

const PersonalityTraits& personalityTraits(Personality personality) noexcept;
// The traits with the attenuation reading applied (initialAttenuationX04 off for Literal).
PersonalityTraits personalityTraits(Personality personality, AttenuationReading attenuation) noexcept;
const char* attenuationReadingName(AttenuationReading reading) noexcept;
// "hardware" / "literal"; throws std::invalid_argument naming the accepted values.
AttenuationReading parseAttenuationReading(const std::string& name);
const char* personalityName(Personality personality) noexcept;
// "awe" / "modern"; throws std::invalid_argument naming the accepted values.
Personality parsePersonality(const std::string& name);
// A bank made for the EMU8000 (INFO isng "EMU8000") gets `awe`, any other `modern`.
Personality personalityForBank(const Bank& bank) noexcept;

}  // namespace awe
