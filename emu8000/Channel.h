#pragma once
// MIDI channel state: controllers, pitch wheel, pressure, program and bank, RPN/NRPN.
#include <cstdint>
#include <cstring>

#include "emu8000/Bank.h"
#include "emu8000/Config.h"
#include "emu8000/Generators.h"

namespace awe {

constexpr uint16_t kNullParameter = 0x3FFF;
constexpr int kMonoHeldKeys = 16;
constexpr uint8_t kXgDrumBankMsb = 127;  // XG: bank MSB 127 selects a drum kit on any channel  // mono mode remembers this many keys held down

struct Channel {
  uint8_t cc[128] = {};
  uint8_t polyPressure[128] = {};
  uint16_t pitchWheel = 8192;
  uint8_t channelPressure = 0;
  uint16_t program = 0;
  const Preset* preset = nullptr;
  bool drum = false;       // plays the drum bank (worked out at each program change)
  bool drumPart = false;   // a drum part: channel 10 or a GS "use for rhythm part"

  // RPN / NRPN selection and the values the synth understands.
  uint16_t rpn = kNullParameter;
  uint16_t nrpn = kNullParameter;
  bool nrpnSelected = false;  // the last parameter number selected was an NRPN
  bool dataMsbSinceSelect = false;  // CC6 arrived since the last (N)RPN select (AWE32 NRPNs)
  float pitchWheelRange_semitones = 2.0f;  // RPN 0
  float fineTuning_cents = 0.0f;           // RPN 1
  float coarseTuning_semitones = 0.0f;     // RPN 2
  // AWE32 NRPNs (MSB 127): generator values that replace the bank's for this channel.
  int16_t generatorOverride[kSf2GeneratorCount] = {};
  uint64_t overrideMask = 0;  // bit g: generatorOverride[g] is in force
  float nrpnPitch_cents = 0.0f;  // AWE32 NRPN 16: initial pitch of the channel
  float modulationDepthRange_cents = 50.0f;  // RPN 5: what CC1 at 127 does to the vibrato

  // Portamento (CC5/CC37 time, CC65 switch, CC84 source key) and mono mode (CC126/127).
  bool monoMode = false;
  int8_t portamentoSourceKey = -1;  // CC84: the next note glides from this key
  int8_t lastKey = -1;              // the most recent note-on (the glide source)
  uint32_t lastNoteSerial = 0;      // its note serial (to read its pitch mid-glide)
  uint8_t heldKeys[kMonoHeldKeys] = {};  // mono mode: keys down, oldest first
  uint8_t heldCount = 0;
  uint8_t lastVelocity = 100;       // mono mode: for the note it returns to

  // Tuning: MTS scale/octave and GS scale tuning (cents per pitch class), the MTS tuning
  // program and bank picked by RPN 3/4 (tuningSlot: index in the synth's tuning store).
  float octaveTuning_cents[12] = {};
  uint8_t tuningProgram = 0, tuningBank = 0;
  int16_t tuningSlot = -1;
  bool tuningSelected = false;  // RPN 3 or 4 seen since the last reset

  // Generator offsets from NRPNs (SF2.01 NRPN MSB 120 and the GS part NRPNs), added to the
  // bank's values; GS drum-instrument NRPNs per key (relative pitch, absolute level, pan,
  // sends; -1 = as the bank has it).
  int16_t generatorOffset[kSf2GeneratorCount] = {};
  uint64_t offsetMask = 0;  // bit g: generatorOffset[g] != 0
  int16_t sf2NrpnBase = 0;       // SF2.01 NRPN select LSB 100/101/102: 100s, 1000s, 10000s
  int16_t sf2NrpnGenerator = 0;  // the generator the SF2.01 NRPN selection names
  int8_t drumPitch_semitones[128] = {};
  int8_t drumLevel[128] = {}, drumPan[128] = {}, drumReverb[128] = {}, drumChorus[128] = {};

  bool sustainDown() const noexcept { return cc[64] >= 64; }  // [audio thread]
  // [audio thread]
  uint16_t bankNumber() const noexcept { return cc[0]; }  // GS style: the MSB selects the bank

  // GM/GS power-on state (General MIDI Level 1, GS defaults for the effect sends).
  void reset(bool isDrum) noexcept {  // [audio thread]
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
    drum = drumPart = isDrum;
    rpn = nrpn = kNullParameter;
    nrpnSelected = dataMsbSinceSelect = false;
    pitchWheelRange_semitones = 2.0f;
    fineTuning_cents = 0.0f;
    coarseTuning_semitones = 0.0f;
    overrideMask = 0;
    nrpnPitch_cents = 0.0f;
    modulationDepthRange_cents = 50.0f;
    monoMode = false;
    portamentoSourceKey = -1;
    lastKey = -1;
    lastNoteSerial = 0;
    heldCount = 0;
    std::memset(octaveTuning_cents, 0, sizeof(octaveTuning_cents));
    tuningProgram = tuningBank = 0;
    tuningSlot = -1;
    tuningSelected = false;
    std::memset(generatorOffset, 0, sizeof(generatorOffset));
    offsetMask = 0;
    sf2NrpnBase = sf2NrpnGenerator = 0;
    std::memset(drumPitch_semitones, 0, sizeof(drumPitch_semitones));
    std::memset(drumLevel, -1, sizeof(drumLevel));
    std::memset(drumPan, -1, sizeof(drumPan));
    std::memset(drumReverb, -1, sizeof(drumReverb));
    std::memset(drumChorus, -1, sizeof(drumChorus));
  }

  // Mono mode's list of keys held down (last note priority), fixed capacity: when full
  // the oldest is forgotten.
  void pushHeldKey(int key) noexcept {  // [audio thread]
    removeHeldKey(key);
    if (heldCount == kMonoHeldKeys) {
      std::memmove(heldKeys, heldKeys + 1, kMonoHeldKeys - 1);
      --heldCount;
    }
    heldKeys[heldCount++] = static_cast<uint8_t>(key);
  }
  bool removeHeldKey(int key) noexcept {  // [audio thread]
    for (int i = 0; i < heldCount; ++i) {
      if (heldKeys[i] != key) continue;
      std::memmove(heldKeys + i, heldKeys + i + 1, static_cast<size_t>(heldCount - i - 1));
      --heldCount;
      return true;
    }
    return false;
  }
  int currentHeldKey() const noexcept { return heldCount > 0 ? heldKeys[heldCount - 1] : -1; }  // [audio thread]
  bool portamentoOn() const noexcept { return cc[65] >= 64; }  // [audio thread]
  // CC5/CC37 as FluidSynth reads them: MSB x 128 + LSB milliseconds for the whole glide,
  // whatever its interval (CC5 = 39 glides an octave 24 cents in 0.1 s).
  double portamentoTime_ms() const noexcept { return cc[5] * 128.0 + cc[37]; }  // [audio thread]

  // "Reset all controllers" (CC121, MIDI RP-015): not volume, pan, bank or program.
  void resetControllers() noexcept {  // [audio thread]
    cc[1] = 0;
    cc[11] = 127;
    cc[64] = cc[65] = cc[66] = cc[67] = 0;
    portamentoSourceKey = -1;
    std::memset(polyPressure, 0, sizeof(polyPressure));
    pitchWheel = 8192;
    channelPressure = 0;
    rpn = nrpn = kNullParameter;
    nrpnSelected = dataMsbSinceSelect = false;
    cc[100] = cc[101] = cc[98] = cc[99] = 127;
  }
};

}  // namespace awe
