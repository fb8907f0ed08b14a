#pragma once
// MIDI channel state: controllers, pitch wheel, pressure, program and bank, RPN/NRPN.
#include <cstdint>
#include <cstring>

#include "emu8000/Bank.h"
#include "emu8000/Config.h"
#include "emu8000/Generators.h"

namespace awe {

constexpr uint16_t kNullParameter = 0x3FFF;

struct Channel {
  uint8_t cc[128] = {};
  uint8_t polyPressure[128] = {};
  uint16_t pitchWheel = 8192;
  uint8_t channelPressure = 0;
  uint16_t program = 0;
  const Preset* preset = nullptr;
  bool drum = false;

  // RPN / NRPN selection and the values the synth understands.
  uint16_t rpn = kNullParameter;
  uint16_t nrpn = kNullParameter;
  bool nrpnSelected = false;  // the last parameter number selected was an NRPN
  float pitchWheelRange_semitones = 2.0f;  // RPN 0
  float fineTuning_cents = 0.0f;           // RPN 1
  float coarseTuning_semitones = 0.0f;     // RPN 2
  // AWE32 NRPNs (MSB 127): generator values that replace the bank's for this channel.
  int16_t generatorOverride[kSf2GeneratorCount] = {};
  uint64_t overrideMask = 0;  // bit g: generatorOverride[g] is in force
  float nrpnPitch_cents = 0.0f;  // AWE32 NRPN 16: initial pitch of the channel

  bool sustainDown() const noexcept { return cc[64] >= 64; }
  uint16_t bankNumber() const noexcept { return cc[0]; }  // GS style: the MSB selects the bank

  // GM/GS power-on state (General MIDI Level 1, GS defaults for the effect sends).
  void reset(bool isDrum) noexcept {
    std::memset(cc, 0, sizeof(cc));
    std::memset(polyPressure, 0, sizeof(polyPressure));
    cc[7] = 100;   // volume
    cc[10] = 64;   // pan centre
    cc[11] = 127;  // expression
    cc[91] = 40;   // reverb send (GS default)
    cc[93] = 0;    // chorus send
    cc[100] = cc[101] = cc[98] = cc[99] = 127;
    pitchWheel = 8192;
    channelPressure = 0;
    program = 0;
    preset = nullptr;
    drum = isDrum;
    rpn = nrpn = kNullParameter;
    nrpnSelected = false;
    pitchWheelRange_semitones = 2.0f;
    fineTuning_cents = 0.0f;
    coarseTuning_semitones = 0.0f;
    overrideMask = 0;
    nrpnPitch_cents = 0.0f;
  }

  // "Reset all controllers" (CC121, MIDI RP-015): not volume, pan, bank or program.
  void resetControllers() noexcept {
    cc[1] = 0;
    cc[11] = 127;
    cc[64] = cc[65] = cc[66] = cc[67] = 0;
    std::memset(polyPressure, 0, sizeof(polyPressure));
    pitchWheel = 8192;
    channelPressure = 0;
    rpn = nrpn = kNullParameter;
    nrpnSelected = false;
    cc[100] = cc[101] = cc[98] = cc[99] = 127;
  }
};

}  // namespace awe
