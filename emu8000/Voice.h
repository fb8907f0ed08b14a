#pragma once
// The control side of one voice: what it plays, its generators and modulators, envelopes
// and LFOs. The per-sample side lives in a lane of a LaneGroup (VoiceKernel.h); the voice
// writes its lane's parameters once per control block.
#include <cstdint>

#include "emu8000/Bank.h"
#include "emu8000/Conversions.h"
#include "emu8000/Envelope.h"
#include "emu8000/Filter.h"
#include "emu8000/Generators.h"
#include "emu8000/Lfo.h"
#include "emu8000/Modulation.h"
#include "emu8000/Personality.h"

namespace awe {

struct Voice {
  bool active = false;
  bool released = false;    // note-off seen (or pedal lifted)
  bool sustained = false;   // note-off seen while the sustain pedal was down
  bool stolen = false;      // this slot was taken from another note
  uint16_t slot = 0;        // oscillator number for its life (the lane may change)
  uint8_t channel = 0;
  uint8_t key = 0;          // the MIDI key that started it (for note-off)
  uint8_t velocity = 0;
  uint8_t effectiveKey = 0;       // after the keynum generator
  uint8_t effectiveVelocity = 0;  // after the velocity generator
  int exclusiveClass = 0;
  uint32_t noteSerial = 0;  // the note-on that started it
  uint64_t startOrder = 0;  // age, for stealing

  const PersonalityTraits* traits = nullptr;  // fixed at note-on

  // Sample addressing, absolute indices into the bank's sample block.
  LoopMode loopMode = LoopMode::NoLoop;
  int32_t start = 0, end = 0, loopStart = 0, loopEnd = 0;
  bool looping = false;            // currently honouring the loop
  double sampleRateRatio = 1.0;    // sample rate / output rate

  // Values derived from generators + modulators (refreshed when a controller moves).
  double pitch_cents = 0.0;        // relative to the sample's root at its own rate
  float modLfoToPitch_cents = 0, vibLfoToPitch_cents = 0, modEnvToPitch_cents = 0;
  float modLfoToFilter_cents = 0, modEnvToFilter_cents = 0, modLfoToVolume_cB = 0;
  float filterCutoff_cents = 13500, filterQ_dB = 0;
  float filterDcGain = 1.0f;       // awe: the chip lowers the filter input as Q rises
  double maxPitchRatio = 64.0;     // awe: the pitch register's ceiling
  float attenuation_cB = 0;
  float extraAttenuation_cB = 0;   // GS drum instrument level, after the awe x0.4 rule
  // Portamento: the pitch offset (cents) still to glide away, and how fast it goes.
  float glide_cents = 0;
  float glideRate_centsPerSample = 0;
  bool gliding = false;            // stays true for the block that lands on the note
  PanGains pan{0.7071f, 0.7071f};
  float reverbSend = 0, chorusSend = 0;

  Envelope volumeEnvelope{Envelope::Kind::Volume};
  Envelope modulationEnvelope{Envelope::Kind::Modulation};
  Lfo modulationLfo;  // LFO1: pitch, filter, volume
  Lfo vibratoLfo;     // LFO2: pitch

  // The modulation envelope and the LFOs only run while something listens to them; each
  // keeps the sample time it has been advanced to and catches up when read.
  uint32_t age_samples = 0;  // samples rendered since note-on (at the current block start)
  uint32_t modEnvClock = 0, modLfoClock = 0, vibLfoClock = 0;
  bool usesModEnv = false, usesModLfo = false, usesVibLfo = false;
  bool pitchModulated = false;   // an LFO or the modulation envelope moves the pitch
  bool filterModulated = false;  // ... or the cutoff
  bool volumeModulated = false;  // LFO1 tremolo
  bool dirty = true;             // derived parameters changed: rewrite the lane
  float attenuationGain = 0.0f;  // 10^(-attenuation/20) x the int16 scale, without tremolo

  // Control-rate memory: the gain the last block ended on, and the filter design in use.
  float lastGain = 0.0f;
  float designedCutoff_cents = -1.0f;
  float designedQ_dB = -1.0f;
  double filterQ = 0.70710678;     // resonanceToQ(designedQ_dB)
  double designedPitch_cents = 1e30;
  float increment = 1.0f;
  BiquadCoefficients filter;

  // Below: what note-on and controller changes read and write, not every control block.
  // The fields above (and the flags at the top) are what controlVoice walks for each voice
  // each block; keeping them together keeps that walk to a few neighbouring cache lines
  // instead of lines 1.4 KB apart.
  Region region;  // what it plays: a copy, since the bank pairs zones at note-on and keeps no regions
  const SampleHeader* sample = nullptr;
  VoiceModulators modulators;
  float modulated[kGenSlots] = {};   // sum of modulator outputs per destination
  int32_t base[kSf2GeneratorCount] = {};

  float modulationEnvelopeNow() noexcept {  // [audio thread]
    modulationEnvelope.advance(age_samples - modEnvClock);
    modEnvClock = age_samples;
    return modulationEnvelope.value();
  }
  float modulationLfoAt(uint32_t time) noexcept {  // [audio thread]
    modulationLfo.advance(time - modLfoClock);
    modLfoClock = time;
    return modulationLfo.value();
  }
  float vibratoLfoNow() noexcept {  // [audio thread]
    vibratoLfo.advance(age_samples - vibLfoClock);
    vibLfoClock = age_samples;
    return vibratoLfo.value();
  }

  // Effective generator value: base + modulators, clamped to the generator's range.
  float gen(Gen g) const noexcept {  // [audio thread]
    const int i = genIndex(g);
    const GeneratorInfo& info = generatorInfo(i);
    float v = static_cast<float>(base[i]) + modulated[i];
    if (v < static_cast<float>(info.min)) v = static_cast<float>(info.min);
    if (v > static_cast<float>(info.max)) v = static_cast<float>(info.max);
    return v;
  }
};

}  // namespace awe
