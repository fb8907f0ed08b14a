#pragma once
// System exclusive messages the synth understands, decoded into calls on a SysexTarget
// (the synth). Kept apart from the synth so every byte layout is in one place:
//   Universal: GM1/GM2 system on, GM off; master volume, fine and coarse tuning (04 01/03/04);
//              MIDI Tuning Standard scale/octave tuning 1- and 2-byte (08 08 / 08 09),
//              single-note tuning (08 02, 08 07 with bank), bulk dump (08 01, 08 04 with bank).
//   Roland GS: reset, master volume and key shift, reverb and chorus macros, drum part
//              change (40 1x 15), scale tuning (40 1x 40..4B).
//   Yamaha XG: system on.
#include <cstddef>
#include <cstdint>

namespace awe {

enum class SystemMode : uint8_t { Gm = 0, Gs = 1, Xg = 2 };

class SysexTarget {
 public:
  // GM1/GM2 on and GM off (Gm), GS reset (Gs), XG system on (Xg): everything to power-on.
  virtual void systemReset(SystemMode mode) noexcept = 0;
  virtual void setMasterVolume(double gain) noexcept = 0;             // linear, 0..1
  virtual void setMasterFineTuning(double cents) noexcept = 0;         // -100..+100
  virtual void setMasterCoarseTuning(int semitones) noexcept = 0;      // -64..+63
  virtual void setReverbMacro(int index) noexcept = 0;                 // GS order 0..7
  virtual void setChorusMacro(int index) noexcept = 0;
  virtual void setDrumPart(int channel, bool drum) noexcept = 0;
  // Cents for one pitch class (0 = C) of a channel; retuneChannels() after a message.
  virtual void setPitchClassTuning(int channel, int pitchClass, double cents) noexcept = 0;
  // One key of MTS tuning program (bank, program): its pitch in cents above key 0.
  virtual void setKeyTuning(int bank, int program, int key, double cents) noexcept = 0;
  // Pitches changed: sounding notes of these channels follow when `realtime`, else only
  // the next notes do (channelMask bit c = channel c; all 16 for tuning programs).
  virtual void retuneChannels(uint16_t channelMask, bool realtime) noexcept = 0;

 protected:
  ~SysexTarget() = default;
};

// F0 ... F7 included. Returns false for a message it does not know (ignored).
bool decodeSysex(const uint8_t* data, size_t length, SysexTarget& target) noexcept;  // [audio thread]

// Roland GS part number (the x in 40 1x ..) to MIDI channel: 0 is part 10.
int gsPartChannel(int part) noexcept;

}  // namespace awe
