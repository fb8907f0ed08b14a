#include "emu8000/Personality.h"

#include <stdexcept>

#include "emu8000/Bank.h"

namespace awe {

const PersonalityTraits& personalityTraits(Personality personality) noexcept {  // [audio thread]
  static const PersonalityTraits kAwe{
      /*attenuationSteps*/ true,      /*initialAttenuationX04*/ true, /*noGainAboveUnity*/ true,
      /*cutoffRegister*/ true,        /*qRegister*/ true,             /*envelopeRegisters*/ true,
      /*lfoRegisters*/ true,          /*pitchCeiling*/ true,          /*modWheelToLfo1*/ true,
      /*driverVelocityToCutoff*/ true, /*driverEffectSends*/ true,    /*stealOldestReleased*/ true,
  };
  // SF2.04 in floating point; only the x0.4 attenuation reading is shared with the hardware.
  static const PersonalityTraits kModern = [] {
    PersonalityTraits t{};
    t.initialAttenuationX04 = true;
    return t;
  }();
  return personality == Personality::Awe ? kAwe : kModern;
}

PersonalityTraits personalityTraits(Personality personality, AttenuationReading attenuation) noexcept {
  PersonalityTraits t = personalityTraits(personality);
  if (attenuation == AttenuationReading::Literal) t.initialAttenuationX04 = false;
  return t;
}

const char* attenuationReadingName(AttenuationReading reading) noexcept {
  return reading == AttenuationReading::Literal ? "literal" : "hardware";
}

AttenuationReading parseAttenuationReading(const std::string& name) {
  if (name == "hardware") return AttenuationReading::Hardware;
  if (name == "literal") return AttenuationReading::Literal;
  throw std::invalid_argument("unknown attenuation reading '" + name + "' (use hardware or literal)");
}

const char* personalityName(Personality personality) noexcept {
  return personality == Personality::Awe ? "awe" : "modern";
}

Personality parsePersonality(const std::string& name) {
  if (name == "awe") return Personality::Awe;
  if (name == "modern") return Personality::Modern;
  throw std::invalid_argument("unknown personality '" + name + "' (use awe or modern)");
}

Personality personalityForBank(const Bank& bank) noexcept {
  return bank.info().soundEngine.find("EMU8000") != std::string::npos ? Personality::Awe : Personality::Modern;
}

}  // namespace awe
