#pragma once
// EMU8000 register resolutions: SF2 units to the chip's registers and back, for the `awe`
// personality. Each function says where its numbers come from; where sources disagree
// the decision is written next to it.
//
// Sources: the AWE32 Developer Information Pack formulas as awesfx's awe_parm.c applies
// them (ADIP), the Linux kernel's soundfont.c tables (attack and decay times per
// register) and emux_synth.c (velocity to cutoff, pitch), 86Box's snd_emu8k.c (filter
// attenuation by Q, LFO rate), /work/shared/EMU8000.md for the ranges.
#include <algorithm>
#include <cstdint>

namespace awe::emu8000 {

namespace detail {
inline int clampInt(long v, int lo, int hi) { return static_cast<int>(std::clamp<long>(v, lo, hi)); }  // [audio thread]
// Round half away from zero without a libm call: these run per block for modulated voices.
inline long roundToLong(double x) { return static_cast<long>(x >= 0.0 ? x + 0.5 : x - 0.5); }  // [audio thread]
}  // namespace detail

// ---- volume -------------------------------------------------------------------------
// The attenuation register is 8 bits of 0.375 dB (96 dB range); 255 is silence.
constexpr double kAttenuationStep_dB = 0.375;
// Inline: voice control reads both every block for each tremolo voice.
inline int attenuationRegister(double attenuation_dB) {  // [audio thread] rounded, 0..255
  return detail::clampInt(detail::roundToLong(attenuation_dB / kAttenuationStep_dB), 0, 255);
}
inline double attenuationFromRegister(int reg) { return reg * kAttenuationStep_dB; }  // [audio thread] dB
// SF2 initialAttenuation is applied x0.4 by the EMU8000 drivers (FluidSynth keeps the
// quirk as EMU_ATTENUATION_FACTOR): 10 dB in the file sounds as 4 dB.
constexpr double kInitialAttenuationFactor = 0.4;

// ---- filter -------------------------------------------------------------------------
// 8-bit cutoff register: exponential from about 100 Hz, 29.38 cents per step (the
// register/cents pairs of Creative's SYNTHGM bank as SF1 and SF2; ADIP's formula
// (cents+15)/29-153 agrees within a step). 0xFF means the filter is fully open: any
// cutoff from about 7.8 kHz up opens it.
constexpr double kCutoffBase_cents = 4366.0;
constexpr double kCutoffStep_cents = 29.3843;
// Inline: voice control reads both every block for each voice whose cutoff moves.
inline int cutoffRegister(double cutoff_cents) {  // [audio thread] 0..255, 255 = open
  return detail::clampInt(detail::roundToLong((cutoff_cents - kCutoffBase_cents) / kCutoffStep_cents), 0, 255);
}
inline double cutoffCentsFromRegister(int reg) { return kCutoffBase_cents + kCutoffStep_cents * reg; }  // [audio thread]
constexpr int kCutoffOpen = 255;
// Q: 4 bits, register = cB / 12 (ADIP). ADIP rates step 15 at about 24 dB, but the public
// measurements of the hardware (AWE64; the Audigy family the same) show the resonance
// topping out near 20 dB: 16 even steps up to 20 dB, 1.33 dB a step.
constexpr double kQTopResonance_dB = 20.0;
int qRegister(double q_cB);                               // 0..15
double qResonance_dB(int reg);
// As Q rises the chip lowers the filter's input (86Box filter_atten, the AWE32 FAQ's NRPN
// table): 0 dB at Q 0 down to -11 dB at Q 15. Linear amplitude.
double qDcGain(int reg);

// ---- envelopes ------------------------------------------------------------------------
// Delay: 0x8000 - n, n in units of 32 samples (0.725 ms).
uint32_t quantizeDelay_samples(double seconds);
// Attack: 7-bit rate; the time per register value is the Linux driver's attack_time_tbl
// (ms; 0x7F = 6 ms, 1 = 11.9 s). The register nearest the wanted time (the driver's
// search picks the first entry not longer than it).
int attackRegister(double seconds);
double attackSeconds(int reg);
// Hold: (0x7F - h) x 4096 samples (92.9 ms a step), h in 1..127.
int holdRegister(double seconds);
uint32_t holdSamples(int reg);
// Decay and release: 7-bit rate, linear in dB; the Linux decay_time_tbl gives the time of
// a full 96 dB fall per register (0x7F = 22 ms, 1 = 32.8 s, i.e. 240 us/dB ... 340 ms/dB).
int decayRegister(double secondsFor96dB);
double decaySecondsFor96dB(int reg);
// Sustain: 7 bits of 0.75 dB below full (volume); fraction of full scale (modulation).
int volumeSustainRegister(double attenuation_dB);
double volumeSustain_dB(int reg);
int modulationSustainRegister(double level);              // level 0..1
double modulationSustainLevel(int reg);

// ---- LFOs -----------------------------------------------------------------------------
// Frequency: 8 bits of 0.042 Hz (0 .. 10.7 Hz).
int lfoFrequencyRegister(double hz);
double lfoFrequency_Hz(int reg);
// Modulation depths: signed 8-bit registers.
constexpr double kPitchDepthStep_cents = 9.375;        // +-1 octave (LFOs, mod env to pitch)
constexpr double kLfoCutoffDepthStep_cents = 28.125;   // +-3 octaves (LFO1 to cutoff)
constexpr double kEnvCutoffDepthStep_cents = 56.25;    // +-6 octaves (mod env to cutoff)
constexpr double kTremoloDepthStep_dB = 0.09375;       // +-12 dB (LFO1 to volume; ADIP cB*128/120)
double quantizeDepth(double value, double step);       // to a signed 8-bit register step

// ---- pitch ----------------------------------------------------------------------------
// The current-pitch register is linear with 0x4000 = 1x at 44.1 kHz and tops out at
// 0xFFFF: a sample can play at most 4x its data rate at 44.1 kHz (+2 octaves).
constexpr double kMaxPitchRatioAt44k = 4.0;

// ---- driver behaviour -------------------------------------------------------------------
// Linux emux calc_volume: for non-drum voices whose volume attack register is below 0x7D
// (an attack of about 7 ms or longer) velocity lowers the cutoff register:
// cutoff' = (max(velocity, 70) * cutoff + 0xA0) >> 7.
constexpr int kVelocityCutoffAttackLimit = 0x7D;
int velocityScaledCutoff(int cutoffReg, int velocity);

}  // namespace awe::emu8000
