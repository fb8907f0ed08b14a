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

// A voice is two records. Voice, the hot part, is what the renderer walks every control
// block; the synth keeps the active ones packed in lane order in one array, so a block's
// walk reads consecutive records (its first cache line holds all that a sustaining or
// releasing voice touches). VoiceCold, the note-on part (region copy, generators,
// modulators: over 1 KB), sits in a parallel array by oscillator slot: it is read when a
// note starts or a controller moves, and stays put when the hot part changes lanes.
struct alignas(64) Voice {
  // ---- First cache line: read or written for every voice in every control block.
  bool active = false;
  bool released = false;    // note-off seen (or pedal lifted)
  bool dirty = true;        // derived parameters changed: rewrite the lane
  bool gliding = false;     // stays true for the block that lands on the note
  bool looping = false;     // currently honouring the loop
  // The modulation envelope and the LFOs only run while something listens to them; each
  // keeps the sample time it has been advanced to and catches up when read.
  bool usesModEnv = false, usesModLfo = false, usesVibLfo = false;
  bool pitchModulated = false;   // an LFO or the modulation envelope moves the pitch
  bool filterModulated = false;  // ... or the cutoff
  bool volumeModulated = false;  // LFO1 tremolo
  // Sustaining with nothing but vibrato moving (a modulation envelope that sustains moves
  // nothing): the control walk steps it with the group's other steady lanes, from a copy of
  // its pitch and vibrato (Synth's SteadyLanes). Any change to the voice comes with dirty,
  // released or gliding, which end it. Meanwhile its designedPitch_cents and its vibrato
  // LFO's phase and clock are stale: leaveSteady gives them back, so only the control walk
  // may read them.
  bool steady = false;
  // What note-off and the channel sounding (gathered after a group's span) read besides
  // the flags above: in the line the control walk reads anyway.
  uint8_t channel = 0;
  uint8_t key = 0;          // the MIDI key that started it (for note-off)
  float attenuationGain = 0.0f;  // 10^(-attenuation/20) x the int16 scale, without tremolo
  float lastGain = 0.0f;         // the gain the last block ended on
  uint32_t age_samples = 0;  // samples rendered since note-on (at the current block start)
  // Sample addressing, absolute indices into the bank's sample block.
  int32_t loopStart = 0, loopEnd = 0, end = 0;
  Envelope volumeEnvelope{Envelope::Kind::Volume};  // its sustain and release state in this line

  // ---- Second line (after the volume envelope's times): what vibrato, the commonest
  // modulation, reads each block.
  uint32_t vibLfoClock = 0;
  Lfo vibratoLfo;     // LFO2: pitch
  float designedPitch_cents = 1e30f;  // the pitch the lane's increment was computed for
  float vibLfoToPitch_cents = 0;
  // Values derived from generators + modulators (refreshed when a controller moves).
  double pitch_cents = 0.0;        // relative to the sample's root at its own rate

  // ---- Third line: the other pitch modulations, LFO1 and what it and the modulation
  // envelope move; and what turns a pitch into an increment, read only when the voice is
  // dirty (its lane keeps copies: LaneGroup::sampleRateRatio, maxPitchRatio).
  double sampleRateRatio = 1.0;    // sample rate / output rate
  double maxPitchRatio = 64.0;     // awe: the pitch register's ceiling
  // Portamento: the pitch offset (cents) still to glide away, and how fast it goes.
  float glide_cents = 0;
  float glideRate_centsPerSample = 0;
  float modLfoToPitch_cents = 0, modEnvToPitch_cents = 0;
  uint32_t modLfoClock = 0;
  Lfo modulationLfo;  // LFO1: pitch, filter, volume
  float modLfoToFilter_cents = 0, modLfoToVolume_cB = 0;
  float attenuation_cB = 0;
  float modEnvToFilter_cents = 0;

  // ---- Fourth line: the filter's design and the modulation envelope.
  const PersonalityTraits* traits = nullptr;  // fixed at note-on
  uint32_t modEnvClock = 0;
  float filterCutoff_cents = 13500, filterQ_dB = 0;
  float filterDcGain = 1.0f;       // awe: the chip lowers the filter input as Q rises
  // The filter design in use.
  float designedCutoff_cents = -1.0f;
  float designedQ_dB = -1.0f;
  double filterQ = 0.70710678;     // resonanceToQ(designedQ_dB)
  Envelope modulationEnvelope{Envelope::Kind::Modulation};  // its running state in this line

  PanGains pan{0.7071f, 0.7071f};
  float reverbSend = 0, chorusSend = 0;
  float extraAttenuation_cB = 0;   // GS drum instrument level, after the awe x0.4 rule
  int32_t start = 0;               // where the sample starts playing

  // What note-on, note-off and voice stealing look for in every active voice.
  uint16_t slot = 0;        // oscillator number for its life (the lane may change)
  uint8_t velocity = 0;
  uint8_t effectiveKey = 0;       // after the keynum generator
  uint8_t effectiveVelocity = 0;  // after the velocity generator
  bool sustained = false;   // note-off seen while the sustain pedal was down
  bool stolen = false;      // this slot was taken from another note
  LoopMode loopMode = LoopMode::NoLoop;
  int exclusiveClass = 0;
  uint32_t noteSerial = 0;  // the note-on that started it
  uint64_t startOrder = 0;  // age, for stealing

  inline __attribute__((always_inline)) float modulationEnvelopeNow() noexcept {  // [audio thread]
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
};

// The note-on part of a voice (see Voice), by oscillator slot.
struct VoiceCold {
  Region region;  // what it plays: a copy, since the bank pairs zones at note-on and keeps no regions
  const SampleHeader* sample = nullptr;
  VoiceModulators modulators;
  float modulated[kGenSlots] = {};   // sum of modulator outputs per destination
  int32_t base[kSf2GeneratorCount] = {};

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
