#pragma once
// SF2 modulators: the default set, the per-voice list built at note-on (defaults, then the
// instrument's, then the preset's), and evaluation of source values (SF2 2.04 section 8.2).
#include <cstddef>
#include <cstdint>

#include "emu8000/Config.h"
#include "emu8000/Generators.h"

namespace awe {

// The MIDI state a modulator source can read: the voice's channel and note.
struct ModulationInputs {
  const uint8_t* cc = nullptr;       // 128 controller values of the channel
  const uint8_t* polyPressure = nullptr;  // 128 key pressures of the channel
  uint16_t pitchWheel = 8192;        // 0..16383
  uint8_t channelPressure = 0;
  uint8_t key = 60;
  uint8_t velocity = 100;
  float pitchWheelRange_semitones = 2.0f;  // RPN 0
  float modWheelDepthScale = 1.0f;  // RPN 5 range / its 50-cent default: scales CC1 -> LFO pitch
};

// A set of default modulators (SF2 section 8.4).
struct DefaultModulators {
  const ModulatorSpec* list;
  size_t count;
};
// The SF2.04 defaults (`modern`), CC10 at amount 500 and the pitch wheel aimed at fine
// tune (Modulation.cpp says why).
DefaultModulators sf204DefaultModulators();
// What an AWE32 applies (`awe`): no velocity-to-cutoff modulator (the driver's own rule
// replaces it); CC1 and channel pressure to LFO1 pitch (SF2.0 hardware); CC91/CC93 as the
// driver adds them, 9/10 of the controller on the 8-bit send register (127 -> 447/1000).
// CC10 and the pitch wheel as in sf204DefaultModulators().
DefaultModulators aweDefaultModulators();

// A voice's modulators, fixed capacity.
struct VoiceModulators {
  ModulatorSpec mods[kMaxModulatorsPerVoice];
  int count = 0;

  void clear() noexcept { count = 0; }  // [audio thread]
  // Adds or replaces an identical modulator (the instrument-level rule: a later identical
  // modulator supersedes the earlier one; velocity to cutoff in its 2.01 or 2.04 form
  // counts as identical to the default).
  void override(const ModulatorSpec& m) noexcept;
  // Adds a preset-level modulator: an identical one has its amount added, otherwise it is
  // appended (SF2 9.5: preset modulators add to the instrument ones).
  void add(const ModulatorSpec& m) noexcept;
  // Sums every modulator's output into `out[dest]` (cleared first), in generator units.
  void evaluate(const ModulationInputs& in, float out[kGenSlots]) const noexcept;
  // Does any modulator read this controller (or this general controller when !isCC)?
  bool uses(bool isCC, int index) const noexcept;
};

// Value of one modulator source, after direction, polarity and curve: -1..1 or 0..1.
float modulatorSourceValue(uint16_t rawSource, const ModulationInputs& in) noexcept;

}  // namespace awe
