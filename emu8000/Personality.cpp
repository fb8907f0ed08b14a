#include "emu8000/Personality.h"

#include <stdexcept>

#include "emu8000/Bank.h"

namespace awe {

const PersonalityTraits& personalityTraits(Personality personality) noexcept {
  static const PersonalityTraits kAwe{
      /*attenuationSteps*/ true,      /*initialAttenuationX04*/ true, /*noGainAboveUnity*/ true,
      /*cutoffRegister*/ true,        /*qRegister*/ true,             /*envelopeRegisters*/ true,
      /*lfoRegisters*/ true,          /*pitchCeiling*/ true,          /*modWheelToLfo1*/ true,
      /*driverVelocityToCutoff*/ true, /*driverEffectSends*/ true,    /*stealOldestReleased*/ true,
  };
  static const PersonalityTraits kModern{};  // every switch off: SF2.04 as written
  return personality == Personality::Awe ? kAwe : kModern;
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
