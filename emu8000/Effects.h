#pragma once
// The AWE32's effects: the EMU8000 reverb (8 types) and chorus (8 types), modelled from the
// register presets the card's drivers write. emu8000/EFFECTS.md lists every type's numbers,
// where each comes from, and what was chosen where the sources say nothing.
//
// Signal flow (as on the chip, see 86Box emu8k_update): every voice adds its post-filter,
// post-volume signal times its send into ONE mono bus per effect, before pan; each unit
// turns its mono bus into a stereo wet signal that is added to the dry mix.
//
// Threads: construct and prepare() on a control thread; prepare() allocates everything,
// sized for the worst type at that sample rate. setType(), process() and reset() are
// [audio thread]: no allocation, no locks, no exceptions, bounded loops.
//
// Denormals: every recirculating path carries a +-1e-20 offset that flips sign each sample
// (DC-free, -400 dB), so no state decays into the subnormal range even without
// flush-to-zero. When the input has been exactly zero and the wet output below 1e-9
// (-180 dB) for longer than the longest path through the unit, the unit clears its state
// to exact zeros and goes idle: process() then returns at once until input arrives.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace awe {

// The AWE32 driver's order, which is also the GS reverb macro order (sysex 40 01 30).
enum class ReverbType : uint8_t { Room1, Room2, Room3, Hall1, Hall2, Plate, Delay, PanningDelay };
// The AWE32 driver's order, which is also the GS chorus macro order (sysex 40 01 38).
enum class ChorusType : uint8_t { Chorus1, Chorus2, Chorus3, Chorus4, Feedback, Flanger, ShortDelay, ShortDelayFeedback };
constexpr int kReverbTypeCount = 8;
constexpr int kChorusTypeCount = 8;

// What the AWE control panel selects at start. (The Linux emu8000 driver and awesfx start
// in the GS reset state instead: Hall 2 and Chorus 3.)
constexpr ReverbType kDefaultReverbType = ReverbType::Hall1;
constexpr ChorusType kDefaultChorusType = ChorusType::Chorus1;

const char* reverbTypeName(ReverbType type) noexcept;  // "Room 1", ..., "Panning Delay"
const char* chorusTypeName(ChorusType type) noexcept;  // "Chorus 1", ..., "Short Delay (FB)"

// A GS reverb/chorus macro value or an AWE32 driver mode number (both 0..7, the same order;
// Linux snd_emux_sysex passes gs_reverb_mode straight to the chip). nullopt outside 0..7.
std::optional<ReverbType> reverbTypeFromIndex(int index) noexcept;
std::optional<ChorusType> chorusTypeFromIndex(int index) noexcept;
// Command-line names: the display name in lower case with spaces as '-' ("hall-1",
// "panning-delay", "short-delay-fb"), or the index 0..7. nullopt for anything else.
std::optional<ReverbType> reverbTypeFromName(const std::string& name);
std::optional<ChorusType> chorusTypeFromName(const std::string& name);
std::string reverbTypeKey(ReverbType type);  // the command-line name
std::string chorusTypeKey(ChorusType type);

// ---- The register presets, as the drivers write them --------------------------------------
// Reverb: 28 words, written in this order to the effect-engine registers listed in
// Linux emu8000.c reverb_cmds (INIT1 0x03, INIT1 0x05, INIT4 0x1F, INIT1 0x07, INIT2 0x14, ...).
struct ReverbRegisters {
  std::array<uint16_t, 28> words;
};
// Chorus: Creative's CHORUS_TYPE (86Box snd_emu8k.h, Linux soundfont_chorus_fx).
struct ChorusRegisters {
  uint16_t feedback;      // FbkLevel, 0xE600-0xE6FF: low byte is the feedback level
  uint16_t delayOffset;   // Delay, 0-0x0DA3 samples at 44.1 kHz
  uint16_t lfoDepth;      // LfoDepth, 0xBC00-0xBCFF: low byte is the depth
  uint32_t delayRight;    // DelayR, right-channel delay in 1/256 samples
  uint32_t lfoFrequency;  // LfoFreq
};
const ReverbRegisters& reverbRegisters(ReverbType type) noexcept;
const ChorusRegisters& chorusRegisters(ChorusType type) noexcept;

// ---- Physical parameters derived from the presets (see Effects.cpp for each conversion) --
constexpr int kReflectionCount = 6;

struct ReverbDesign {
  enum class Kind : uint8_t {
    Reverb,    // early reflections + diffuse tail (Room 1-3, Hall 1-2, Plate)
    Echo,      // repeating echo on both channels (Delay)
    PingPong,  // repeating echo alternating left, right, left, ... (Panning Delay)
  };
  Kind kind = Kind::Reverb;
  double preDelay_s = 0.0;      // onset of the wet signal: first reflection or first echo
  double rt60_s = 0.0;          // Reverb: tail decay time (60 dB) at low frequencies
  double rt60High_s = 0.0;      // Reverb: tail decay time at 5 kHz (high-frequency damping)
  double inputLowpass = 0.0;    // one-pole coefficient on the unit's input at 44.1 kHz (0 = open)
  std::array<double, kReflectionCount> reflectionTime_s{};
  std::array<double, kReflectionCount> reflectionGain{};  // tap gain on its own side
  std::array<int, kReflectionCount> reflectionSide{};     // 0 = left, 1 = right
  double diffusion = 0.0;       // Reverb: input allpass coefficient
  double tailGain = 0.0;        // Reverb: level of the tail
  double outputGain = 0.0;      // the whole wet output
  double echoPeriod_s = 0.0;    // Echo / PingPong: time between echoes
  double echoFeedback = 0.0;    // Echo / PingPong: each echo's level relative to the previous
};
ReverbDesign reverbDesign(ReverbType type) noexcept;

struct ChorusDesign {
  double delayLeft_s = 0.0;   // centre of the left tap's modulated delay
  double delayRight_s = 0.0;  // centre of the right tap's modulated delay
  double depth_s = 0.0;       // peak delay excursion (the delay swings centre +- depth)
  double lfoRate_Hz = 0.0;    // sine LFO; the right tap's LFO runs 90 degrees ahead
  double feedback = 0.0;      // each tap's output fed back into its line
  double outputGain = 0.0;    // wet level: sqrt(1 - feedback^2)
};
ChorusDesign chorusDesign(ChorusType type) noexcept;

// ---- The units -----------------------------------------------------------------------------
class AweReverb {
 public:
  explicit AweReverb(ReverbType type = kDefaultReverbType) noexcept;

  // [control thread] Allocates all buffers for this rate; process() takes at most
  // `maxBlockFrames` per call (larger calls are split). Leaves the unit reset.
  void prepare(double sampleRate, size_t maxBlockFrames);

  // [audio thread] Switches type. Between reverb types every parameter glides over 20 ms
  // while the tail keeps ringing. Between the reverb network and the echo network, the old
  // one's output fades out over 20 ms (then it is cleared) while the new one, starting from
  // silence, fades its input in.
  void setType(ReverbType type) noexcept;
  ReverbType type() const noexcept { return type_; }

  // [audio thread] ADDS the wet stereo signal of `frames` samples of the mono send bus
  // `input` into outLeft/outRight. `input` must not alias the outputs. No-op before prepare().
  void process(const float* input, float* outLeft, float* outRight, size_t frames) noexcept;

  // [audio thread] Clears all state at once (no fade) and applies the current type.
  void reset() noexcept;

  // True while the unit is silent with all state exactly zero (process() does no work).
  bool idle() const noexcept { return idle_; }  // [audio thread]
  double sampleRate() const noexcept { return sampleRate_; }

 private:
  // Parameters that glide on a type change, one float each so they ramp in one loop.
  enum Param : int {
    kInputA,                                   // input one-pole coefficient
    kDiffusion,
    kTailGain,
    kReverbInput, kReverbLevel,                // input gain and output level of the reverb network
    kEchoInput, kEchoLevel,                    // ... of the echo network
    kEchoFeedbackSelf, kEchoFeedbackCross,     // echo line A -> A; A -> B and B -> A
    kEchoOutAL, kEchoOutAR, kEchoOutBR,        // echo outputs: A to left/right, B to right
    kReflection0,                                // per reflection: its gain on its own side
    kDampB0 = kReflection0 + kReflectionCount,   // per tail line: b = gain * (1 - pole)
    kDampPole0 = kDampB0 + 8,                    // per tail line: one-pole pole
    kParamCount = kDampPole0 + 8,
  };
  static constexpr int kTailLines = 8;
  static constexpr int kDiffusers = 4;
  static constexpr size_t kSubBlock = 32;  // parameters hold this long (1 while gliding)
  // Every line is a power-of-two ring followed by a copy of its first kSubBlock frames, so a
  // run of up to kSubBlock frames starting anywhere in it reads (and writes) contiguously.

  void targetsFor(ReverbType type, std::array<float, kParamCount>& out) const noexcept;
  void clearReverbNetwork() noexcept;
  void clearEchoNetwork() noexcept;
  void advanceGlide(uint32_t frames) noexcept;
  void processChunk(const float* input, float* outLeft, float* outRight, size_t frames) noexcept;
  // processChunk's body, compiled once for the build's baseline ISA and once (x86-64) for
  // AVX2 + FMA, which the unit uses when the voice kernels do (voiceKernels(), AWE_KERNEL).
  void processChunkBody(const float* input, float* outLeft, float* outRight, size_t frames) noexcept;
  void processChunkAvx2(const float* input, float* outLeft, float* outRight, size_t frames) noexcept;

  ReverbType type_;
  double sampleRate_ = 0.0;
  size_t maxBlockFrames_ = 0;
  uint32_t subBlock_ = kSubBlock;  // <= the shortest recirculating delay
  bool prepared_ = false;
  bool idle_ = true;
  bool avx2_ = false;  // processChunk runs processChunkAvx2

  std::array<float, kParamCount> param_{};
  std::array<float, kParamCount> target_{};
  std::array<float, kParamCount> from_{};  // where the glide started
  uint32_t glideLeft_ = 0;   // samples until param_ reaches target_
  uint32_t glideFrames_ = 0;
  bool reverbActive_ = false;  // the network is running (or fading out)
  bool echoActive_ = false;

  // Input (after the one-pole) written a block ahead; the reflections and the tail's
  // pre-delay read taps from it. Power-of-two sizes throughout, indexed with masks.
  std::vector<float> inputLine_;
  uint32_t inputMask_ = 0;
  uint32_t pos_ = 0;  // write position of every line
  float inputState_ = 0.0f;
  std::array<uint32_t, kReflectionCount> reflectionDelay_{};
  uint32_t preDelay_ = 0;

  std::array<std::vector<float>, kDiffusers> diffuser_;
  std::array<uint32_t, kDiffusers> diffuserMask_{};
  std::array<uint32_t, kDiffusers> diffuserDelay_{};
  std::vector<float> lines_;  // the tail lines, one ring after the other
  uint32_t lineMask_ = 0;
  uint32_t lineStride_ = 0;   // floats from one line's ring to the next
  std::array<uint32_t, kTailLines> lineDelay_{};
  std::array<float, kTailLines> dampState_{};

  std::array<std::vector<float>, 2> echo_;
  uint32_t echoMask_ = 0;
  uint32_t echoDelay_ = 0;

  float offset_ = 1e-20f;        // anti-denormal offset, flips sign every sample
  uint64_t quietFrames_ = 0;     // input zero and output below the floor for this long
  uint64_t quietNeeded_ = 0;     // ... the longest path through the unit
};

class AweChorus {
 public:
  explicit AweChorus(ChorusType type = kDefaultChorusType) noexcept;

  // [control thread] Allocates the delay lines (sized for the chip's largest delay plus the
  // largest LFO depth). Leaves the unit reset.
  void prepare(double sampleRate, size_t maxBlockFrames);

  // [audio thread] Switches type: the old and the new taps cross-fade over 30 ms (the LFO
  // keeps its phase). A switch asked for during a fade starts when that fade ends.
  void setType(ChorusType type) noexcept;
  ChorusType type() const noexcept { return pending_ ? pendingType_ : type_; }

  // [audio thread] ADDS the wet stereo signal into outLeft/outRight; see AweReverb::process.
  void process(const float* input, float* outLeft, float* outRight, size_t frames) noexcept;

  // [audio thread] Clears all state at once and applies the current type.
  void reset() noexcept;

  bool idle() const noexcept { return idle_; }  // [audio thread]
  double sampleRate() const noexcept { return sampleRate_; }

 private:
  struct Taps {  // one type's settings in samples at the running rate
    float delayLeft = 0.0f, delayRight = 0.0f, depth = 0.0f, feedback = 0.0f, gain = 0.0f;
    double lfoStep = 0.0;  // radians per sample
  };
  Taps tapsFor(ChorusType type) const noexcept;
  void startFade(ChorusType type) noexcept;
  void setLfoStep(double radiansPerSample) noexcept;
  void processChunk(const float* input, float* outLeft, float* outRight, size_t frames) noexcept;
  // As AweReverb's: the body for the baseline ISA and for AVX2, here without FMA, so both
  // give the same samples (with FMA the tap positions round differently: -74 dBFS).
  void processChunkBody(const float* input, float* outLeft, float* outRight, size_t frames) noexcept;
  void processChunkAvx2(const float* input, float* outLeft, float* outRight, size_t frames) noexcept;

  static constexpr size_t kSubBlock = 32;  // the LFO is evaluated at the ends of each
  uint32_t subBlock_ = kSubBlock;           // <= the shortest tap
  ChorusType type_;
  ChorusType pendingType_;
  bool pending_ = false;
  double sampleRate_ = 0.0;
  size_t maxBlockFrames_ = 0;
  bool prepared_ = false;
  bool idle_ = true;
  bool avx2_ = false;  // processChunk runs processChunkAvx2

  Taps now_;
  Taps old_;                // the taps fading out
  uint32_t fadeLeft_ = 0;   // samples until old_ is gone
  uint32_t fadeFrames_ = 0;

  std::array<std::vector<float>, 2> line_;  // left, right
  uint32_t mask_ = 0;
  uint32_t pos_ = 0;

  // Quadrature sine oscillator: (cos, sin) rotated by the LFO step each sample.
  double lfoCos_ = 1.0, lfoSin_ = 0.0;
  double subRotCos_ = 1.0, subRotSin_ = 0.0;  // the LFO's rotation over one sub-block

  float offset_ = 1e-20f;
  uint64_t quietFrames_ = 0;
  uint64_t quietNeeded_ = 0;
};

}  // namespace awe
