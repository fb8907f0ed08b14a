#include "emu8000/Effects.h"

#include <cctype>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "emu8000/Config.h"  // kChipRate
#include "emu8000/Float4.h"
#include "emu8000/VoiceKernel.h"  // voiceKernels(): which ISA this CPU runs

namespace awe {

namespace {

// ---- Register presets ------------------------------------------------------------------------
// Reverb: Linux sound/isa/sb/emu8000.c reverb_parm; 86Box snd_emu8k.h lists the same words.
// Word order = Linux reverb_cmds. What each word is, from 86Box's notes "extracted from AST
// sources" and its register handlers (emu8k_outw):
//   0 mix level, 1 decay, 2 link return amp, 3 link type (0x8474 = panned), 4/5 room reso L/R,
//   6-11 reflection 1-6 amp (bits 4-7), 12/13 reflection filter L/R, 14/15 reflection input
//   amp L/R, 16-27 reflection 1-6 feedback L/R.
const ReverbRegisters kReverbRegisters[kReverbTypeCount] = {
    {{0xB488, 0xA450, 0x9550, 0x84B5, 0x383A, 0x3EB5, 0x72F4, 0x72A4, 0x7254, 0x7204, 0x7204, 0x7204, 0x4416, 0x4516,
      0xA490, 0xA590, 0x842A, 0x852A, 0x842A, 0x852A, 0x8429, 0x8529, 0x8429, 0x8529, 0x8428, 0x8528, 0x8428, 0x8528}},
    {{0xB488, 0xA458, 0x9558, 0x84B5, 0x383A, 0x3EB5, 0x7284, 0x7254, 0x7224, 0x7224, 0x7254, 0x7284, 0x4448, 0x4548,
      0xA440, 0xA540, 0x842A, 0x852A, 0x842A, 0x852A, 0x8429, 0x8529, 0x8429, 0x8529, 0x8428, 0x8528, 0x8428, 0x8528}},
    {{0xB488, 0xA460, 0x9560, 0x84B5, 0x383A, 0x3EB5, 0x7284, 0x7254, 0x7224, 0x7224, 0x7254, 0x7284, 0x4416, 0x4516,
      0xA490, 0xA590, 0x842C, 0x852C, 0x842C, 0x852C, 0x842B, 0x852B, 0x842B, 0x852B, 0x842A, 0x852A, 0x842A, 0x852A}},
    {{0xB488, 0xA470, 0x9570, 0x84B5, 0x383A, 0x3EB5, 0x7284, 0x7254, 0x7224, 0x7224, 0x7254, 0x7284, 0x4448, 0x4548,
      0xA440, 0xA540, 0x842B, 0x852B, 0x842B, 0x852B, 0x842A, 0x852A, 0x842A, 0x852A, 0x8429, 0x8529, 0x8429, 0x8529}},
    {{0xB488, 0xA470, 0x9570, 0x84B5, 0x383A, 0x3EB5, 0x7254, 0x7234, 0x7224, 0x7254, 0x7264, 0x7294, 0x44C3, 0x45C3,
      0xA404, 0xA504, 0x842A, 0x852A, 0x842A, 0x852A, 0x8429, 0x8529, 0x8429, 0x8529, 0x8428, 0x8528, 0x8428, 0x8528}},
    {{0xB4FF, 0xA470, 0x9570, 0x84B5, 0x383A, 0x3EB5, 0x7234, 0x7234, 0x7234, 0x7234, 0x7234, 0x7234, 0x4448, 0x4548,
      0xA440, 0xA540, 0x842A, 0x852A, 0x842A, 0x852A, 0x8429, 0x8529, 0x8429, 0x8529, 0x8428, 0x8528, 0x8428, 0x8528}},
    {{0xB4FF, 0xA470, 0x9500, 0x84B5, 0x333A, 0x39B5, 0x7204, 0x7204, 0x7204, 0x7204, 0x7204, 0x72F4, 0x4400, 0x4500,
      0xA4FF, 0xA5FF, 0x8420, 0x8520, 0x8420, 0x8520, 0x8420, 0x8520, 0x8420, 0x8520, 0x8420, 0x8520, 0x8420, 0x8520}},
    {{0xB4FF, 0xA490, 0x9590, 0x8474, 0x333A, 0x39B5, 0x7204, 0x7204, 0x7204, 0x7204, 0x7204, 0x72F4, 0x4400, 0x4500,
      0xA4FF, 0xA5FF, 0x8420, 0x8520, 0x8420, 0x8520, 0x8420, 0x8520, 0x8420, 0x8520, 0x8420, 0x8520, 0x8420, 0x8520}},
};
enum ReverbWord : int {
  kMixLevel = 0,
  kDecay = 1,
  kLinkReturn = 2,
  kLinkType = 3,
  kRoomResoLeft = 4,
  kReflectionAmp1 = 6,
  kReflectionFilterLeft = 12,
  kReflectionInputLeft = 14,
};
constexpr uint16_t kLinkTypePanned = 0x8474;

// Chorus: Linux emu8000.c chorus_parm. The two sources disagree on Short Delay's DelayR:
// 86Box's table prints 0xE000, Linux 0x0006E000. Decision: Linux, because the field is a
// DWORD in Creative's CHORUS_TYPE and 86Box's table shows 16-bit columns only.
const ChorusRegisters kChorusRegisters[kChorusTypeCount] = {
    {0xE600, 0x03F6, 0xBC2C, 0x00000000, 0x0000006D},  // Chorus 1
    {0xE608, 0x031A, 0xBC6E, 0x00000000, 0x0000017C},  // Chorus 2
    {0xE610, 0x031A, 0xBC84, 0x00000000, 0x00000083},  // Chorus 3
    {0xE620, 0x0269, 0xBC6E, 0x00000000, 0x0000017C},  // Chorus 4
    {0xE680, 0x04D3, 0xBCA6, 0x00000000, 0x0000005B},  // Feedback
    {0xE6E0, 0x044E, 0xBC37, 0x00000000, 0x00000026},  // Flanger
    {0xE600, 0x0B06, 0xBC00, 0x0006E000, 0x00000083},  // Short Delay
    {0xE6C0, 0x0B06, 0xBC00, 0x0006E000, 0x00000083},  // Short Delay (FB)
};

// The chip's chorus delay memory: the Delay register's range is 0-0x0DA3 (Linux, 86Box
// CHORUS_TYPE), and 0x0DA3 is the line's end address in the effect program (INIT1 0x0C).
constexpr uint32_t kChorusLineWords = 0x0DA4;
constexpr uint32_t kChorusMaxDepthWords = 0xFF;

// Chorus LFO frequency register -> Hz. The register's unit is undocumented (86Box: "The scale
// of this value is unknown. I've taken it as milliHz."). The presets follow Roland's GS
// chorus macros (40 01 38): FbkLevel's byte is twice the GS feedback for all but Chorus 2
// (0, 5, 8, 16, 64, 112, 0, 96 -> 0x00, 0x08, 0x10, 0x20, 0x80, 0xE0, 0x00, 0xC0), the
// Delay is about 0.2 ms per GS delay step for Chorus 1-4 and Feedback, and LfoFreq (109,
// 380, 131, 380, 91, 38) is proportional to the GS rates 3, 9, 3, 9, 2, 1 within +-13 %.
// With the SC-55's chorus rate measured as rate/8 Hz (libEmuSC chorus.cc), the
// geometric-mean fit is 330 register units per Hz. 86Box's millihertz would run every
// chorus 3.3 times slower than the GS macros it mirrors. Decision: LfoFreq / 330 Hz.
constexpr double kChorusLfoUnitsPerHz = 330.0;

// Reverb topology constants. 86Box (from AST sources): reflections at 2, 4, 8, 13, 19 units
// of 242 samples (11, 22, 44, 71, 105 ms) on sides R, R, L, R, L; reflection 6 (right) at
// (room reso bits 8-11) + 18 units; its tail delay one unit longer.
constexpr double kReflectionUnit_samples = 242.0;
constexpr int kReflectionUnits[kReflectionCount - 1] = {2, 4, 8, 13, 19};
constexpr int kReflectionSides[kReflectionCount] = {1, 1, 0, 1, 0, 1};
// A reflection goes to its own side at its gain and to the other side at half of it, so
// Room 1's right-only first reflections (11 and 22 ms) do not pull the image hard right.
// Chosen.
constexpr double kReflectionOtherSide = 0.5;

// The tail: an 8-line feedback delay network. Line lengths are the eight delay segments of
// the chip's reverb memory, delimited by the address words of the effect program (Linux
// init3/init4 arrays: 0x167F-0x18E6, 0x18E7-0x1B6D, ... 0x320F-0x383A), in left/right pairs.
constexpr double kTailLines_samples[8] = {616, 647, 943, 898, 1191, 1251, 1510, 1580};
// Input diffusers: the 222- and 385-word segments of the same map (0x1342-0x141F,
// 0x14FE-0x167E), plus two chosen lengths; as allpasses is our choice.
constexpr double kDiffusers_samples[4] = {142, 222, 385, 293};
constexpr double kDiffusionRoomHall = 0.625;  // chosen: the classic Schroeder allpass gain
constexpr double kDiffusionPlate = 0.75;      // chosen: denser, "metallic echo" (AWE32 FAQ)
// Tail level per unit of link return amp. Chosen: Hall 1's wet output then holds about a
// quarter of the send's energy per channel (a steady signal at full send comes back about
// 6 dB down), the ratio the chip's absolute levels cannot tell us.
constexpr double kTailScale = 5.0;

constexpr double kDampingReference_Hz = 5000.0;  // where ReverbDesign::rt60High_s applies

// Each ring buffer is followed by a copy of its first this many frames (see settleRun).
constexpr uint32_t kRingMirror_frames = 32;
constexpr float kSilenceFloor = 1e-9f;  // -180 dB: below this the output counts as quiet
constexpr double kReverbGlide_s = 0.020;
constexpr double kChorusFade_s = 0.030;

double lowByte(uint16_t word) { return static_cast<double>(word & 0xFF) / 256.0; }  // [audio thread]

uint32_t nextPowerOfTwo(uint64_t n) {
  uint64_t p = 1;
  while (p < n) p <<= 1;
  if (p > (uint64_t{1} << 31)) throw std::invalid_argument("effects: delay line too long for this sample rate");
  return static_cast<uint32_t>(p);
}

uint32_t scaledDelay(double samplesAtChipRate, double sampleRate) {
  return static_cast<uint32_t>(std::max(1.0, std::round(samplesAtChipRate * sampleRate / kChipRate)));
}

// Catmull-Rom read of `line` at a fractional `delay` >= 2 samples behind `pos`. The four
// weights sum to 1, so the tap has unity gain at DC for every fraction.
inline float readFractional(const float* line, uint32_t mask, uint32_t pos, float delay) noexcept {  // [audio thread]
  const auto whole = static_cast<uint32_t>(delay);
  const float t = delay - static_cast<float>(whole);
  const uint32_t base = pos - whole;
  const float newer = line[(base + 1) & mask];
  const float y1 = line[base & mask];
  const float y2 = line[(base - 1) & mask];
  const float older = line[(base - 2) & mask];
  const float c1 = 0.5f * (y2 - newer);
  const float c2 = newer - 2.5f * y1 + 2.0f * y2 - 0.5f * older;
  const float c3 = 0.5f * (older - newer) + 1.5f * (y1 - y2);
  return ((c3 * t + c2) * t + c1) * t + y1;
}

// Lanes A..D of (a, b) as one 8-lane vector.
template <int A, int B, int C, int D>
inline Float4 shuffle8(Float4 a, Float4 b) noexcept {  // [audio thread]
#if defined(__clang__)
  return __builtin_shufflevector(a, b, A, B, C, D);
#else
  return __builtin_shuffle(a, b, Int4{A, B, C, D});
#endif
}
template <int A, int B, int C, int D>
inline Float4 shuffle4(Float4 v) noexcept {  // [audio thread]
#if defined(__clang__)
  return __builtin_shufflevector(v, v, A, B, C, D);
#else
  return __builtin_shuffle(v, Int4{A, B, C, D});
#endif
}

// The 4x4 transpose: out[k] = (r0[k], r1[k], r2[k], r3[k]).
inline void transpose4(Float4 r0, Float4 r1, Float4 r2, Float4 r3, Float4* out) noexcept {  // [audio thread]
  const Float4 t0 = shuffle8<0, 4, 1, 5>(r0, r1), t1 = shuffle8<2, 6, 3, 7>(r0, r1);
  const Float4 t2 = shuffle8<0, 4, 1, 5>(r2, r3), t3 = shuffle8<2, 6, 3, 7>(r2, r3);
  out[0] = shuffle8<0, 1, 4, 5>(t0, t2);
  out[1] = shuffle8<2, 3, 6, 7>(t0, t2);
  out[2] = shuffle8<0, 1, 4, 5>(t1, t3);
  out[3] = shuffle8<2, 3, 6, 7>(t1, t3);
}

// A run of `n` frames (of `stride` floats) was written contiguously from frame `start` of a
// ring of `size` frames followed by its mirrored head (kRingMirror_frames): what went past
// the end belongs at the head, and what went into the head belongs in the mirror too.
inline void settleRun(float* ring, uint32_t size, uint32_t start, uint32_t n, uint32_t stride) noexcept {  // [audio thread]
  const uint32_t end = start + n;
  if (end > size) std::copy_n(ring + size_t{size} * stride, size_t{end - size} * stride, ring);
  const uint32_t head = static_cast<uint32_t>(std::min<size_t>(end, size_t{kRingMirror_frames}));
  if (start < head) std::copy_n(ring + size_t{start} * stride, size_t{head - start} * stride, ring + (size_t{size} + start) * stride);
}

// Adds the wet signal of `n` samples into the outputs; returns the larger of `peak` and
// the wet signal's largest magnitude.
// [audio thread]
inline float addWet(const float* wetL, const float* wetR, float* outLeft, float* outRight, size_t n, float peak) noexcept {
  Float4 top = {peak, peak, peak, peak};  // the largest sample so far ...
  Float4 bottom = -top;                   // ... and the smallest
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const Float4 l = load4(wetL + i), r = load4(wetR + i);
    store4(outLeft + i, load4(outLeft + i) + l);
    store4(outRight + i, load4(outRight + i) + r);
    top = top > l ? top : l;
    top = top > r ? top : r;
    bottom = bottom < l ? bottom : l;
    bottom = bottom < r ? bottom : r;
  }
  top = top > -bottom ? top : -bottom;
  peak = std::max(std::max(top[0], top[1]), std::max(top[2], top[3]));
  for (; i < n; ++i) {
    peak = std::max(peak, std::max(std::fabs(wetL[i]), std::fabs(wetR[i])));
    outLeft[i] += wetL[i];
    outRight[i] += wetR[i];
  }
  return peak;
}

// readFractional for four consecutive samples at once: sample k (0..3) reads `line` at
// delay[k] behind pos + k. The ring's mirrored head lets each read its four points with
// one load.
inline Float4 tap4(const float* line, uint32_t mask, uint32_t pos, Float4 delay) noexcept {  // [audio thread]
  const Int4 whole = __builtin_convertvector(delay, Int4);  // delays are positive: truncation is floor
  const Float4 t = delay - __builtin_convertvector(whole, Float4);
  Float4 r[4];  // sample k's (older, y2, y1, newer), as readFractional names them
  for (int k = 0; k < 4; ++k) r[k] = load4(line + ((pos + static_cast<uint32_t>(k) - static_cast<uint32_t>(whole[k]) - 2u) & mask));
  const Float4 t0 = shuffle8<0, 4, 1, 5>(r[0], r[1]), t1 = shuffle8<2, 6, 3, 7>(r[0], r[1]);
  const Float4 t2 = shuffle8<0, 4, 1, 5>(r[2], r[3]), t3 = shuffle8<2, 6, 3, 7>(r[2], r[3]);
  const Float4 older = shuffle8<0, 1, 4, 5>(t0, t2), y2 = shuffle8<2, 3, 6, 7>(t0, t2);
  const Float4 y1 = shuffle8<0, 1, 4, 5>(t1, t3), newer = shuffle8<2, 3, 6, 7>(t1, t3);
  const Float4 c1 = 0.5f * (y2 - newer);
  const Float4 c2 = newer - 2.5f * y1 + 2.0f * y2 - 0.5f * older;
  const Float4 c3 = 0.5f * (older - newer) + 1.5f * (y1 - y2);
  return ((c3 * t + c2) * t + c1) * t + y1;
}

// A one-pole with pole p, y[k] = u[k] + p y[k-1], over four consecutive samples at once as
// a prefix scan (onePoleScan4). Its three constant vectors:
struct ScanPole {
  Float4 p1;      // (0, p, p, p): each sample takes p times the one before ...
  Float4 p2;      // (0, 0, p^2, p^2): ... then p^2 times the one two before
  Float4 powers;  // (p, p^2, p^3, p^4): what the previous output adds to each
};
inline ScanPole scanPole(float p) noexcept {  // [audio thread]
  const float p2 = p * p;
  return ScanPole{Float4{0.0f, p, p, p}, Float4{0.0f, 0.0f, p2, p2}, Float4{p, p2, p2 * p, p2 * p2}};
}
// `last`: the previous y in every lane.
inline Float4 onePoleScan4(Float4 u, const ScanPole& pole, Float4 last) noexcept {  // [audio thread]
  u += pole.p1 * shuffle4<0, 0, 1, 2>(u);  // u[k] + p u[k-1]
  u += pole.p2 * shuffle4<0, 0, 0, 1>(u);  // ... + p^2 u[k-2] + p^3 u[k-3]
  return u + pole.powers * last;
}

// The unnormalised 8-point Hadamard transform (Sylvester order) as three rounds of
// butterflies: pairs (0,1), then (0,2), then (0,4). T is a float or a vector of samples.
template <class T>
inline void hadamard8(const T* s, T* h) noexcept {  // [audio thread]
  T a[8], c[8];
  for (int q = 0; q < 8; q += 2) {
    a[q] = s[q] + s[q + 1];
    a[q + 1] = s[q] - s[q + 1];
  }
  for (int q = 0; q < 8; q += 4) {
    c[q] = a[q] + a[q + 2];
    c[q + 1] = a[q + 1] + a[q + 3];
    c[q + 2] = a[q] - a[q + 2];
    c[q + 3] = a[q + 1] - a[q + 3];
  }
  for (int q = 0; q < 4; ++q) {
    h[q] = c[q] + c[q + 4];
    h[q + 4] = c[q] - c[q + 4];
  }
}

// Whether the effects run their AVX2 bodies: when this build has them and the voice
// kernels run AVX2 or better (so AWE_KERNEL=sse2 or generic selects the baseline bodies too).
bool runAvx2Effects() {
#if defined(AWE_HAVE_KERNEL_Avx2)
  const std::string isa = voiceKernels().isa;
  return isa == "avx2" || isa == "avx512";
#else
  return false;
#endif
}

bool allZero(const float* x, size_t n) noexcept {  // [audio thread]
  uint32_t bits = 0;  // OR of the bit patterns (vectorises); the sign bit goes at the end: -0.0 counts as zero
  for (size_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, &x[i], sizeof b);
    bits |= b;
  }
  return (bits & 0x7FFFFFFFu) == 0;
}

}  // namespace

// ---- Names and indices ---------------------------------------------------------------------
const char* reverbTypeName(ReverbType type) noexcept {
  static const char* const kNames[kReverbTypeCount] = {"Room 1", "Room 2", "Room 3", "Hall 1",
                                                        "Hall 2", "Plate",  "Delay",  "Panning Delay"};
  const auto i = static_cast<size_t>(type);
  return i < kReverbTypeCount ? kNames[i] : "?";
}

const char* chorusTypeName(ChorusType type) noexcept {
  static const char* const kNames[kChorusTypeCount] = {"Chorus 1", "Chorus 2", "Chorus 3",    "Chorus 4",
                                                        "Feedback", "Flanger",  "Short Delay", "Short Delay (FB)"};
  const auto i = static_cast<size_t>(type);
  return i < kChorusTypeCount ? kNames[i] : "?";
}

std::optional<ReverbType> reverbTypeFromIndex(int index) noexcept {  // [audio thread]
  if (index < 0 || index >= kReverbTypeCount) return std::nullopt;
  return static_cast<ReverbType>(index);
}

std::optional<ChorusType> chorusTypeFromIndex(int index) noexcept {  // [audio thread]
  if (index < 0 || index >= kChorusTypeCount) return std::nullopt;
  return static_cast<ChorusType>(index);
}

const ReverbRegisters& reverbRegisters(ReverbType type) noexcept {  // [audio thread]
  return kReverbRegisters[std::min<size_t>(static_cast<size_t>(type), kReverbTypeCount - 1)];
}

const ChorusRegisters& chorusRegisters(ChorusType type) noexcept {  // [audio thread]
  return kChorusRegisters[std::min<size_t>(static_cast<size_t>(type), kChorusTypeCount - 1)];
}

// ---- Presets -> physical parameters --------------------------------------------------------
// Coefficient bytes are read as fractions byte/256, as 86Box reads them (it divides some by
// 255; the difference is below 0.4 %). The chorus feedback byte read this way matches the
// GS macros (0x80 -> 0.50 vs GS 64/127; 0xE0 -> 0.875 vs GS 112/127), which supports it.
ReverbDesign reverbDesign(ReverbType type) noexcept {  // [audio thread]
  const auto& w = reverbRegisters(type).words;
  ReverbDesign d;

  const int reflection6Units = ((w[kRoomResoLeft] >> 8) & 0xF) + 18;
  for (int k = 0; k < kReflectionCount; ++k) {
    const int units = k < kReflectionCount - 1 ? kReflectionUnits[k] : reflection6Units;
    d.reflectionTime_s[static_cast<size_t>(k)] = units * kReflectionUnit_samples / kChipRate;
    d.reflectionSide[static_cast<size_t>(k)] = kReflectionSides[k];
  }
  // Reflection k's level: its amp nibble (/15) times the reflection input amp.
  const double inputAmp = lowByte(w[kReflectionInputLeft]);
  bool earlyReflections = false;
  for (int k = 0; k < kReflectionCount; ++k) {
    const double amp = static_cast<double>((w[static_cast<size_t>(kReflectionAmp1 + k)] >> 4) & 0xF) / 15.0;
    d.reflectionGain[static_cast<size_t>(k)] = amp * inputAmp;
    if (k < kReflectionCount - 1 && amp > 0.0) earlyReflections = true;
  }
  d.outputGain = lowByte(w[kMixLevel]);
  d.inputLowpass = lowByte(w[kReflectionFilterLeft]);
  const double decay = lowByte(w[kDecay]);

  if (!earlyReflections) {
    // Delay and Panning Delay: only reflection 6 sounds, unfiltered. Its time is the echo
    // period; the decay word is read as each echo's level relative to the previous one.
    // 86Box plays a single echo; we repeat, as the GS Delay and Panning Delay macros these
    // presets stand for do (they set GS's reverb delay feedback, 40 01 35).
    d.kind = w[kLinkType] == kLinkTypePanned ? ReverbDesign::Kind::PingPong : ReverbDesign::Kind::Echo;
    d.echoPeriod_s = d.reflectionTime_s[kReflectionCount - 1];
    d.echoFeedback = decay;
    d.preDelay_s = d.echoPeriod_s;
    return d;
  }

  // Room, Hall, Plate. The decay word is the tail's gain per pass through its loop, the
  // loop being one unit longer than reflection 6 (86Box tailL): RT60 = -3 T / log10(gain).
  // The reflection filter (86Box: a one-pole y += (1 - a)(x - y) at 44.1 kHz on the input
  // and inside the reflection loops) takes |H_a(f)| more off each pass at frequency f; we
  // state the result at 5 kHz.
  d.kind = ReverbDesign::Kind::Reverb;
  const double loop_s = (reflection6Units + 1) * kReflectionUnit_samples / kChipRate;
  d.rt60_s = -3.0 * loop_s / std::log10(decay);
  const double a = d.inputLowpass;
  const double wRef = 2.0 * M_PI * kDampingReference_Hz / kChipRate;
  const double filterGain = (1.0 - a) / std::sqrt(1.0 - 2.0 * a * std::cos(wRef) + a * a);
  d.rt60High_s = -3.0 * loop_s / std::log10(decay * filterGain);
  d.preDelay_s = d.reflectionTime_s[0];
  d.tailGain = lowByte(w[kLinkReturn]);
  d.diffusion = type == ReverbType::Plate ? kDiffusionPlate : kDiffusionRoomHall;
  return d;
}

ChorusDesign chorusDesign(ChorusType type) noexcept {  // [audio thread]
  const ChorusRegisters& r = chorusRegisters(type);
  ChorusDesign d;
  d.feedback = lowByte(r.feedback);
  d.delayLeft_s = r.delayOffset / kChipRate;
  // DelayR moves the right tap; 86Box adds it to the left delay. Short Delay would then put
  // the right tap at 104 ms, past the end of the chip's 79 ms chorus line, so the address
  // wraps in that line (decision): (0x0B06 + 0x6E0) mod 0x0DA4 = 1090 samples = 24.7 ms.
  d.delayRight_s = ((r.delayOffset + (r.delayRight >> 8)) % kChorusLineWords) / kChipRate;
  // LFO depth: the byte is the peak excursion in samples (decision). 86Box scales it by the
  // delay (byte/256 * delay) while reading the rate in millihertz; both readings give the
  // same peak pitch deviation within a factor 1.6 (2-32 cents over the presets), ours at the
  // GS macro rates.
  d.depth_s = static_cast<double>(r.lfoDepth & 0xFF) / kChipRate;
  d.lfoRate_Hz = static_cast<double>(r.lfoFrequency) / kChorusLfoUnitsPerHz;
  // Chosen: the wet level keeps white-noise power equal across types, so Flanger's 18 dB
  // comb peaks do not make it the loudest type by far.
  d.outputGain = std::sqrt(1.0 - d.feedback * d.feedback);
  return d;
}

// ==== AweReverb ==================================================================================
namespace {
// Injection and output sign patterns of the tail network; the left output reads the even
// lines, the right the odd ones (the chip's segments come in left/right pairs).
constexpr float kInject[8] = {1, -1, 1, 1, -1, 1, -1, -1};
static_assert(kInject[0] > 0 && kInject[1] < 0 && kInject[2] > 0 && kInject[3] > 0 && kInject[4] < 0 && kInject[5] > 0 &&
                  kInject[6] < 0 && kInject[7] < 0,
              "the tail's vector loop spells these signs out");
}  // namespace

AweReverb::AweReverb(ReverbType type) noexcept : type_(type) {}

void AweReverb::prepare(double sampleRate, size_t maxBlockFrames) {
  if (!(sampleRate >= 8000.0 && sampleRate <= 768000.0))
    throw std::invalid_argument("AweReverb::prepare: sample rate " + std::to_string(sampleRate) +
                                " Hz is outside 8000..768000");
  if (maxBlockFrames == 0 || maxBlockFrames > (size_t{1} << 20))
    throw std::invalid_argument("AweReverb::prepare: maxBlockFrames " + std::to_string(maxBlockFrames) +
                                " is outside 1..1048576");
  sampleRate_ = sampleRate;
  maxBlockFrames_ = maxBlockFrames;

  // The input line holds the longest tap of any preset plus one block written ahead.
  uint32_t longestTap = 0;
  for (int t = 0; t < kReverbTypeCount; ++t) {
    const ReverbDesign d = reverbDesign(static_cast<ReverbType>(t));
    for (double time : d.reflectionTime_s)
      longestTap = std::max(longestTap, scaledDelay(time * kChipRate, sampleRate));
  }
  // Reflection taps of the reverb network. All six reverb presets write the same room reso
  // word (0x383A), so reflection 6 has one time for them all.
  const ReverbDesign hall = reverbDesign(ReverbType::Hall1);
  for (int k = 0; k < kReflectionCount; ++k)
    reflectionDelay_[static_cast<size_t>(k)] = scaledDelay(hall.reflectionTime_s[static_cast<size_t>(k)] * kChipRate, sampleRate);
  preDelay_ = reflectionDelay_[0];
  const uint32_t inputSize = nextPowerOfTwo(uint64_t{longestTap} + maxBlockFrames + 1);
  inputLine_.assign(inputSize + kRingMirror_frames, 0.0f);
  inputMask_ = inputSize - 1;

  uint64_t diffuserTotal = 0;
  for (int j = 0; j < kDiffusers; ++j) {
    const auto i = static_cast<size_t>(j);
    diffuserDelay_[i] = scaledDelay(kDiffusers_samples[j], sampleRate);
    const uint32_t size = nextPowerOfTwo(uint64_t{diffuserDelay_[i]} + 1);
    diffuser_[i].assign(size + kRingMirror_frames, 0.0f);
    diffuserMask_[i] = size - 1;
    diffuserTotal += diffuserDelay_[i];
  }
  // The tail lines share one buffer, one ring (with its mirrored head) after the other, so
  // four consecutive samples of a line are one load: the tail runs over time, four samples
  // per vector.
  uint32_t longestLine = 0;
  for (int l = 0; l < kTailLines; ++l) {
    lineDelay_[static_cast<size_t>(l)] = scaledDelay(kTailLines_samples[l], sampleRate);
    longestLine = std::max(longestLine, lineDelay_[static_cast<size_t>(l)]);
  }
  const uint32_t lineFrames = nextPowerOfTwo(uint64_t{longestLine} + 1);
  lineStride_ = lineFrames + kRingMirror_frames;
  lines_.assign(size_t{lineStride_} * kTailLines, 0.0f);
  lineMask_ = lineFrames - 1;
  // Both echo presets write the same room reso word (0x333A): one echo period.
  uint32_t longestEcho = 0;
  for (int t = 0; t < kReverbTypeCount; ++t) {
    const ReverbDesign d = reverbDesign(static_cast<ReverbType>(t));
    if (d.kind != ReverbDesign::Kind::Reverb) longestEcho = std::max(longestEcho, scaledDelay(d.echoPeriod_s * kChipRate, sampleRate));
  }
  echoDelay_ = longestEcho;
  const uint32_t echoSize = nextPowerOfTwo(uint64_t{echoDelay_} + 1);
  for (auto& e : echo_) e.assign(echoSize + kRingMirror_frames, 0.0f);
  echoMask_ = echoSize - 1;

  // A sub-block reads every recirculating line at least its length behind what it writes,
  // so it may be no longer than the shortest of them (26 samples at 8 kHz, else 32).
  uint32_t shortest = std::min(lineDelay_[0], echoDelay_);
  for (uint32_t d : diffuserDelay_) shortest = std::min(shortest, d);
  for (uint32_t d : lineDelay_) shortest = std::min(shortest, d);
  subBlock_ = std::max<uint32_t>(1, std::min<uint32_t>(kSubBlock, shortest));
  static_assert(kSubBlock <= kRingMirror_frames, "a sub-block reads and writes runs within the mirrored head");

  // Anything still inside the unit reaches the output within this many samples.
  quietNeeded_ = uint64_t{longestTap} + diffuserTotal + longestLine + echoDelay_ + maxBlockFrames;
  glideFrames_ = static_cast<uint32_t>(std::max(1.0, std::round(kReverbGlide_s * sampleRate)));
  avx2_ = runAvx2Effects();
  prepared_ = true;
  reset();
}

void AweReverb::targetsFor(ReverbType type, std::array<float, kParamCount>& out) const noexcept {  // [audio thread]
  const ReverbDesign d = reverbDesign(type);
  // The input one-pole keeps its cutoff at every rate: pole^(44100 / rate).
  out[kInputA] = static_cast<float>(std::pow(d.inputLowpass, kChipRate / sampleRate_));
  if (d.kind == ReverbDesign::Kind::Reverb) {
    out[kReverbInput] = 1.0f;
    out[kReverbLevel] = static_cast<float>(d.outputGain);
    out[kEchoLevel] = 0.0f;
    out[kDiffusion] = static_cast<float>(d.diffusion);
    // sqrt(8) undoes the 1/sqrt(8) folded into the line gains; 1/2 averages each side's
    // four lines at equal power.
    out[kTailGain] = static_cast<float>(d.tailGain * kTailScale * std::sqrt(8.0) * 0.5);
    // Every type puts its reflections on the sides kReflectionSides (processChunk's).
    for (int k = 0; k < kReflectionCount; ++k)
      out[static_cast<size_t>(kReflection0 + k)] = static_cast<float>(d.reflectionGain[static_cast<size_t>(k)]);
    // Per line a one-pole low-pass with gain g0 at DC and gHigh at 5 kHz, each the line's
    // share of the RT60 there (Jot): g = 10^(-3 m / (rate RT60)). With r = gHigh / g0 the
    // pole solves (1 - p)^2 = r^2 (1 - 2 p cos w + p^2). Pinned to a frequency rather than
    // to Nyquist, the damping sounds the same at every rate. The 1/sqrt(8) of the feedback
    // matrix is folded into the gain.
    const double w = 2.0 * M_PI * std::min(kDampingReference_Hz, 0.45 * sampleRate_) / sampleRate_;
    for (int l = 0; l < kTailLines; ++l) {
      const double m = lineDelay_[static_cast<size_t>(l)];
      const double g0 = std::pow(10.0, -3.0 * m / (sampleRate_ * d.rt60_s));
      const double gHigh = std::pow(10.0, -3.0 * m / (sampleRate_ * d.rt60High_s));
      const double r2 = (gHigh / g0) * (gHigh / g0);
      double pole = 0.0;
      if (r2 < 1.0) {
        const double c = 1.0 - r2 * std::cos(w);
        pole = (c - std::sqrt(std::max(0.0, c * c - (1.0 - r2) * (1.0 - r2)))) / (1.0 - r2);
      }
      out[static_cast<size_t>(kDampB0 + l)] = static_cast<float>(g0 * (1.0 - pole) / std::sqrt(8.0));
      out[static_cast<size_t>(kDampPole0 + l)] = static_cast<float>(pole);
    }
  } else {
    // The reverb network's parameters stay as they are while its level fades out.
    out[kReverbLevel] = 0.0f;
    out[kEchoInput] = 1.0f;
    out[kEchoLevel] = static_cast<float>(d.outputGain * d.reflectionGain[kReflectionCount - 1]);
    const bool pingPong = d.kind == ReverbDesign::Kind::PingPong;
    out[kEchoFeedbackSelf] = pingPong ? 0.0f : static_cast<float>(d.echoFeedback);
    out[kEchoFeedbackCross] = pingPong ? static_cast<float>(d.echoFeedback) : 0.0f;
    out[kEchoOutAL] = 1.0f;
    out[kEchoOutAR] = pingPong ? 0.0f : 1.0f;
    out[kEchoOutBR] = pingPong ? 1.0f : 0.0f;
  }
}

void AweReverb::clearReverbNetwork() noexcept {  // [audio thread]
  for (auto& d : diffuser_) std::fill(d.begin(), d.end(), 0.0f);
  std::fill(lines_.begin(), lines_.end(), 0.0f);
  dampState_.fill(0.0f);
}

void AweReverb::clearEchoNetwork() noexcept {  // [audio thread]
  for (auto& e : echo_) std::fill(e.begin(), e.end(), 0.0f);
}

void AweReverb::reset() noexcept {
  if (!prepared_) return;
  std::fill(inputLine_.begin(), inputLine_.end(), 0.0f);
  clearReverbNetwork();
  clearEchoNetwork();
  inputState_ = 0.0f;
  pos_ = 0;
  offset_ = 1e-20f;
  param_.fill(0.0f);
  targetsFor(type_, param_);
  target_ = param_;
  from_ = param_;
  glideLeft_ = 0;
  const bool reverb = reverbDesign(type_).kind == ReverbDesign::Kind::Reverb;
  reverbActive_ = reverb;
  echoActive_ = !reverb;
  idle_ = true;
  quietFrames_ = 0;
}

void AweReverb::setType(ReverbType type) noexcept {  // [audio thread]
  if (prepared_ && type == type_ && glideLeft_ == 0) return;  // already there: nothing to glide
  type_ = type;
  if (!prepared_) return;
  const bool reverb = reverbDesign(type).kind == ReverbDesign::Kind::Reverb;
  target_ = param_;
  targetsFor(type, target_);
  if (idle_) {
    // Nothing is sounding and all state is zero: switch at once.
    param_ = target_;
    glideLeft_ = 0;
    reverbActive_ = reverb;
    echoActive_ = !reverb;
    return;
  }
  // A network that starts now is empty: it takes its new settings at once and fades its
  // input in (its reflections too), so a signal already playing does not enter it with a
  // step. The network in use glides; the one left fades its output out.
  if (reverb && !reverbActive_) {
    for (int p = kDiffusion; p < kParamCount; ++p) {
      if (p == kEchoInput || p == kEchoLevel || (p >= kEchoFeedbackSelf && p <= kEchoOutBR)) continue;
      param_[static_cast<size_t>(p)] = target_[static_cast<size_t>(p)];
    }
    param_[kReverbInput] = 0.0f;
    for (int k = 0; k < kReflectionCount; ++k) {
      param_[static_cast<size_t>(kReflection0 + k)] = 0.0f;
    }
    reverbActive_ = true;
  }
  if (!reverb && !echoActive_) {
    for (int p = kEchoFeedbackSelf; p <= kEchoOutBR; ++p) param_[static_cast<size_t>(p)] = target_[static_cast<size_t>(p)];
    param_[kEchoLevel] = target_[kEchoLevel];
    param_[kEchoInput] = 0.0f;
    echoActive_ = true;
  }
  from_ = param_;
  glideLeft_ = glideFrames_;
}

// [audio thread]
void AweReverb::process(const float* input, float* outLeft, float* outRight, size_t frames) noexcept {
  if (!prepared_) return;
  // Idle and fed silence (the synth's buses whenever no voice sends): one scan, no work.
  if (idle_ && allZero(input, frames)) return;
  while (frames > 0) {
    const size_t n = std::min(frames, maxBlockFrames_);
    const bool silent = allZero(input, n);
    if (!(idle_ && silent)) {
      idle_ = false;
      processChunk(input, outLeft, outRight, n);
      if (!silent) quietFrames_ = 0;
      if (quietFrames_ >= quietNeeded_ && glideLeft_ == 0) {
        // Long silent and below -180 dB: clear to exact zeros and stop working.
        std::fill(inputLine_.begin(), inputLine_.end(), 0.0f);
        clearReverbNetwork();
        clearEchoNetwork();
        inputState_ = 0.0f;
        idle_ = true;
        quietFrames_ = 0;
      }
    }
    input += n;
    outLeft += n;
    outRight += n;
    frames -= n;
  }
}

void AweReverb::advanceGlide(uint32_t frames) noexcept {  // [audio thread]
  if (glideLeft_ == 0) return;
  glideLeft_ -= std::min(glideLeft_, frames);
  if (glideLeft_ > 0) {
    // Smoothstep from the old values to the new: no corner where the glide starts or ends.
    const float x = 1.0f - static_cast<float>(glideLeft_) / static_cast<float>(glideFrames_);
    const float s = x * x * (3.0f - 2.0f * x);
    for (size_t p = 0; p < param_.size(); ++p) param_[p] = from_[p] + (target_[p] - from_[p]) * s;
    return;
  }
  param_ = target_;
  // A network faded out is cleared, so it starts from silence when it comes back.
  if (reverbActive_ && param_[kReverbLevel] == 0.0f) {
    clearReverbNetwork();
    reverbActive_ = false;
  }
  if (echoActive_ && param_[kEchoLevel] == 0.0f) {
    clearEchoNetwork();
    echoActive_ = false;
  }
}

// [audio thread]
void AweReverb::processChunk(const float* input, float* outLeft, float* outRight, size_t frames) noexcept {
#if defined(AWE_HAVE_KERNEL_Avx2)
  if (avx2_) return processChunkAvx2(input, outLeft, outRight, frames);
#endif
  processChunkBody(input, outLeft, outRight, frames);
}

#if defined(AWE_HAVE_KERNEL_Avx2)
// The same body with VEX encoding (three-operand: no register copies) and FMA.
// [audio thread]
__attribute__((target("avx2,fma"))) void AweReverb::processChunkAvx2(const float* input, float* outLeft, float* outRight,
                                                                     size_t frames) noexcept {
  processChunkBody(input, outLeft, outRight, frames);
}
#endif

// [audio thread]
inline __attribute__((always_inline)) void AweReverb::processChunkBody(const float* input, float* outLeft, float* outRight,
                                                                       size_t frames) noexcept {
  // Stage 1: the input one-pole, written into the input line ahead of the taps. During a
  // glide its coefficient moves linearly to where the glide will be at the chunk's end.
  {
    float a = param_[kInputA];
    float aStep = 0.0f;
    if (glideLeft_ > 0) {
      const uint32_t leftAtEnd = glideLeft_ - std::min(glideLeft_, static_cast<uint32_t>(frames));
      const float x = 1.0f - static_cast<float>(leftAtEnd) / static_cast<float>(glideFrames_);
      const float aEnd = from_[kInputA] + (target_[kInputA] - from_[kInputA]) * x * x * (3.0f - 2.0f * x);
      aStep = (aEnd - a) / static_cast<float>(frames);
    }
    float s = inputState_;
    float offset = offset_;
    float* line = inputLine_.data();
    // In runs that end at the ring's end (the mirrored head is refreshed after).
    for (size_t i = 0; i < frames;) {
      const uint32_t start = (pos_ + static_cast<uint32_t>(i)) & inputMask_;
      const size_t run = std::min<size_t>(frames - i, inputMask_ + 1 - start);
      float* write = line + start;
      const float* x = input + i;
      size_t k = 0;
      if (aStep == 0.0f) {  // four samples at a time: s[k] = (1 - a) x[k] + a s[k-1]
        const ScanPole pole = scanPole(a);
        const Float4 offsets = {offset, -offset, offset, -offset};  // flipping every sample
        Float4 last = Float4{} + s;
        for (; k + 4 <= run; k += 4) {
          last = onePoleScan4((1.0f - a) * (load4(x + k) + offsets), pole, last);
          store4(write + k, last);
          last = shuffle4<3, 3, 3, 3>(last);
        }
        s = last[0];
      }
      for (; k < run; ++k) {
        s = (x[k] + offset) + a * (s - (x[k] + offset));
        a += aStep;
        offset = -offset;
        write[k] = s;
      }
      i += run;
    }
    inputState_ = s;
    std::copy_n(line, kRingMirror_frames, line + inputMask_ + 1);
  }

  // Stage 2: reflections, tail and echoes, in sub-blocks over which the parameters hold.
  // No line is read within a sub-block where it is written (each is at least a sub-block
  // long), so every stage runs over the whole sub-block at once: the loops over time
  // vectorise, and the tail's eight lines go through its damping and feedback matrix as
  // two 4-lane vectors per sample.
  const float* in = inputLine_.data();
  const uint32_t inMask = inputMask_;
  float peak = 0.0f;
  for (size_t done = 0; done < frames;) {
    // While gliding, parameters move every sample (sub-blocks of one), so gains ramp
    // instead of stepping.
    const size_t span = glideLeft_ > 0 ? 1 : subBlock_;
    const auto n = static_cast<uint32_t>(std::min(frames - done, span));
    advanceGlide(n);
    const uint32_t pos0 = pos_ + static_cast<uint32_t>(done);  // one position for every line
    alignas(16) float wetL[kSubBlock];
    alignas(16) float wetR[kSubBlock];
    alignas(16) float offsets[kSubBlock];  // the anti-denormal offset, flipping each sample
    static_assert(kSubBlock % 4 == 0, "the offsets are written four at a time");
    const Float4 offset4 = {offset_, -offset_, offset_, -offset_};
    for (size_t i = 0; i < kSubBlock; i += 4) store4(offsets + i, offset4);
    if (!reverbActive_) {  // else the reflections write the wet signal first
      std::fill_n(wetL, kSubBlock, 0.0f);
      std::fill_n(wetR, kSubBlock, 0.0f);
    }

    if (reverbActive_) {
      const float level = param_[kReverbLevel];
      // Early reflections: taps on the input line, four samples at a time. Each goes to its
      // own side at its gain and to the other at kReflectionOtherSide of that: each side's
      // own taps are summed, then the two sums cross-fed.
      {
        const float* tap[kReflectionCount];
        float gain[kReflectionCount];
        for (int k = 0; k < kReflectionCount; ++k) {
          tap[k] = in + ((pos0 - reflectionDelay_[static_cast<size_t>(k)]) & inMask);
          gain[k] = level * param_[static_cast<size_t>(kReflection0 + k)];
        }
        const auto other = static_cast<float>(kReflectionOtherSide);
        uint32_t i = 0;
        for (; i + 4 <= n; i += 4) {
          Float4 ownL = {}, ownR = {};
          for (int k = 0; k < kReflectionCount; ++k) {
            const Float4 v = gain[k] * load4(tap[k] + i);
            if (kReflectionSides[k] == 0)
              ownL += v;
            else
              ownR += v;
          }
          store4(wetL + i, ownL + other * ownR);
          store4(wetR + i, ownR + other * ownL);
        }
        for (; i < n; ++i) {
          float ownL = 0.0f, ownR = 0.0f;
          for (int k = 0; k < kReflectionCount; ++k) (kReflectionSides[k] == 0 ? ownL : ownR) += gain[k] * tap[k][i];
          wetL[i] = ownL + other * ownR;
          wetR[i] = ownR + other * ownL;
        }
      }
      // The pre-delayed input through the four diffusers (allpasses), four samples at a time.
      alignas(16) float x[kSubBlock];
      {
        const float inputGain = param_[kReverbInput];
        const float g = param_[kDiffusion];
        const float* pre = in + ((pos0 - preDelay_) & inMask);
        const float* delayed[kDiffusers];
        float* write[kDiffusers];
        uint32_t start[kDiffusers];
        for (int j = 0; j < kDiffusers; ++j) {
          const auto jj = static_cast<size_t>(j);
          delayed[j] = diffuser_[jj].data() + ((pos0 - diffuserDelay_[jj]) & diffuserMask_[jj]);
          start[j] = pos0 & diffuserMask_[jj];
          write[j] = diffuser_[jj].data() + start[j];
        }
        uint32_t i = 0;
        for (; i + 4 <= n; i += 4) {
          Float4 v = inputGain * load4(pre + i);
          const Float4 offset = load4(offsets + i);
          for (int j = 0; j < kDiffusers; ++j) {
            const Float4 d = load4(delayed[j] + i);
            const Float4 w = v + g * d + offset;
            store4(write[j] + i, w);
            v = d - g * w;
          }
          store4(x + i, v);
        }
        for (; i < n; ++i) {
          float v = inputGain * pre[i];
          for (int j = 0; j < kDiffusers; ++j) {
            const float w = v + g * delayed[j][i] + offsets[i];
            write[j][i] = w;
            v = delayed[j][i] - g * w;
          }
          x[i] = v;
        }
        for (int j = 0; j < kDiffusers; ++j) {
          const auto jj = static_cast<size_t>(j);
          settleRun(diffuser_[jj].data(), diffuserMask_[jj] + 1, start[j], n, 1);
        }
      }
      // The tail: eight damped lines fed back through a Hadamard matrix. Each line is its
      // own ring, so four consecutive samples of a line are one load. The damping one-poles
      // run across the lines (lines 0-3 and 4-7 as two vectors, one sample after the other),
      // the feedback matrix and the outputs across time (one vector holds four samples of
      // one line: additions between the lines' vectors); 4x4 transposes go between the two.
      const float* read[kTailLines];
      float* write[kTailLines];
      const uint32_t start = pos0 & lineMask_;
      for (int l = 0; l < kTailLines; ++l) {
        const auto ll = static_cast<size_t>(l);
        float* ring = lines_.data() + size_t{lineStride_} * ll;
        read[l] = ring + ((pos0 - lineDelay_[ll]) & lineMask_);
        write[l] = ring + start;
      }
      const Float4 bA = load4(&param_[kDampB0]), bB = load4(&param_[kDampB0 + 4]);
      const Float4 pA = load4(&param_[kDampPole0]), pB = load4(&param_[kDampPole0 + 4]);
      Float4 sA = load4(&dampState_[0]), sB = load4(&dampState_[4]);
      // Left reads the even lines, right the odd ones, with the signs + + - - + + - - (lines 0..7).
      const float tailLevel = level * param_[kTailGain];
      const float inputScale = 0.35355339f;  // 1/sqrt(8) of the feedback matrix
      uint32_t i = 0;
      for (; i + 4 <= n; i += 4) {
        Float4 s[kTailLines];  // four samples of each line
        {
          Float4 yA[4], yB[4];  // per sample: lines 0-3, lines 4-7
          transpose4(load4(read[0] + i), load4(read[1] + i), load4(read[2] + i), load4(read[3] + i), yA);
          transpose4(load4(read[4] + i), load4(read[5] + i), load4(read[6] + i), load4(read[7] + i), yB);
          for (int k = 0; k < 4; ++k) {
            sA = bA * yA[k] + pA * sA;
            sB = bB * yB[k] + pB * sB;
            yA[k] = sA;
            yB[k] = sB;
          }
          transpose4(yA[0], yA[1], yA[2], yA[3], s);
          transpose4(yB[0], yB[1], yB[2], yB[3], s + 4);
        }
        store4(wetL + i, load4(wetL + i) + tailLevel * ((s[0] - s[2]) + (s[4] - s[6])));
        store4(wetR + i, load4(wetR + i) + tailLevel * ((s[1] - s[3]) + (s[5] - s[7])));
        Float4 h[kTailLines];
        hadamard8(s, h);
        const Float4 xs = inputScale * load4(x + i), offset = load4(offsets + i);
        const Float4 plus = offset + xs, minus = offset - xs;
        // The input's signs kInject.
        store4(write[0] + i, h[0] + plus);
        store4(write[1] + i, h[1] + minus);
        store4(write[2] + i, h[2] + plus);
        store4(write[3] + i, h[3] + plus);
        store4(write[4] + i, h[4] + minus);
        store4(write[5] + i, h[5] + plus);
        store4(write[6] + i, h[6] + minus);
        store4(write[7] + i, h[7] + minus);
      }
      for (; i < n; ++i) {  // the rest (and every sample of a glide) one sample at a time
        sA = bA * Float4{read[0][i], read[1][i], read[2][i], read[3][i]} + pA * sA;
        sB = bB * Float4{read[4][i], read[5][i], read[6][i], read[7][i]} + pB * sB;
        const float s[kTailLines] = {sA[0], sA[1], sA[2], sA[3], sB[0], sB[1], sB[2], sB[3]};
        wetL[i] += tailLevel * ((s[0] - s[2]) + (s[4] - s[6]));
        wetR[i] += tailLevel * ((s[1] - s[3]) + (s[5] - s[7]));
        float h[kTailLines];
        hadamard8(s, h);
        for (int l = 0; l < kTailLines; ++l) write[l][i] = h[l] + offsets[i] + kInject[l] * inputScale * x[i];
      }
      for (int l = 0; l < kTailLines; ++l)
        settleRun(lines_.data() + size_t{lineStride_} * static_cast<size_t>(l), lineMask_ + 1, start, n, 1);
      store4(&dampState_[0], sA);
      store4(&dampState_[4], sB);
    }

    if (echoActive_) {
      float* la = echo_[0].data();
      float* lb = echo_[1].data();
      const uint32_t mask = echoMask_;
      const float* ea = la + ((pos0 - echoDelay_) & mask);
      const float* eb = lb + ((pos0 - echoDelay_) & mask);
      const float* dry = in + (pos0 & inMask);
      const uint32_t start = pos0 & mask;
      const float self = param_[kEchoFeedbackSelf], cross = param_[kEchoFeedbackCross];
      const float inputGain = param_[kEchoInput];
      const float level = param_[kEchoLevel];
      const float outAL = level * param_[kEchoOutAL], outAR = level * param_[kEchoOutAR];
      const float outBR = level * param_[kEchoOutBR];
      alignas(16) float wa[kSubBlock], wb[kSubBlock];
      for (uint32_t i = 0; i < n; ++i) {
        wa[i] = inputGain * dry[i] + self * ea[i] + cross * eb[i] + offsets[i];
        wb[i] = cross * ea[i] + offsets[i];
        wetL[i] += outAL * ea[i];
        wetR[i] += outAR * ea[i] + outBR * eb[i];
      }
      std::copy_n(wa, n, la + start);
      std::copy_n(wb, n, lb + start);
      settleRun(la, mask + 1, start, n, 1);
      settleRun(lb, mask + 1, start, n, 1);
    }

    peak = addWet(wetL, wetR, outLeft + done, outRight + done, n, peak);
    if (n % 2 == 1) offset_ = -offset_;
    done += n;
  }
  pos_ += static_cast<uint32_t>(frames);
  if (peak < kSilenceFloor)
    quietFrames_ += frames;
  else
    quietFrames_ = 0;
}

// ==== AweChorus ==================================================================================
AweChorus::AweChorus(ChorusType type) noexcept : type_(type), pendingType_(type) {}

void AweChorus::prepare(double sampleRate, size_t maxBlockFrames) {
  if (!(sampleRate >= 8000.0 && sampleRate <= 768000.0))
    throw std::invalid_argument("AweChorus::prepare: sample rate " + std::to_string(sampleRate) +
                                " Hz is outside 8000..768000");
  if (maxBlockFrames == 0 || maxBlockFrames > (size_t{1} << 20))
    throw std::invalid_argument("AweChorus::prepare: maxBlockFrames " + std::to_string(maxBlockFrames) +
                                " is outside 1..1048576");
  sampleRate_ = sampleRate;
  maxBlockFrames_ = maxBlockFrames;
  // The chip's longest delay plus the largest depth, plus the interpolator's reach.
  const double longest = (kChorusLineWords + kChorusMaxDepthWords) * sampleRate / kChipRate + 4.0;
  const uint32_t size = nextPowerOfTwo(static_cast<uint64_t>(std::ceil(longest)));
  for (auto& l : line_) l.assign(size + kRingMirror_frames, 0.0f);
  mask_ = size - 1;
  // Sub-blocks no longer than the shortest tap (taps are read before the sub-block's
  // writes): the shortest centre delay less the largest depth and the interpolator's reach.
  double shortest = 1e9;
  for (int t = 0; t < kChorusTypeCount; ++t) {
    const ChorusDesign d = chorusDesign(static_cast<ChorusType>(t));
    shortest = std::min(shortest, (std::min(d.delayLeft_s, d.delayRight_s) - d.depth_s) * sampleRate - 3.0);
  }
  subBlock_ = static_cast<uint32_t>(std::clamp(std::floor(shortest), 1.0, static_cast<double>(kSubBlock)));
  quietNeeded_ = uint64_t{size} + maxBlockFrames;
  fadeFrames_ = static_cast<uint32_t>(std::max(1.0, std::round(kChorusFade_s * sampleRate)));
  avx2_ = runAvx2Effects();
  prepared_ = true;
  reset();
}

AweChorus::Taps AweChorus::tapsFor(ChorusType type) const noexcept {  // [audio thread]
  const ChorusDesign d = chorusDesign(type);
  Taps t;
  t.delayLeft = static_cast<float>(d.delayLeft_s * sampleRate_);
  t.delayRight = static_cast<float>(d.delayRight_s * sampleRate_);
  t.depth = static_cast<float>(d.depth_s * sampleRate_);
  t.feedback = static_cast<float>(d.feedback);
  t.gain = static_cast<float>(d.outputGain);
  t.lfoStep = 2.0 * M_PI * d.lfoRate_Hz / sampleRate_;
  return t;
}

void AweChorus::setLfoStep(double radiansPerSample) noexcept {  // [audio thread]
  subRotCos_ = std::cos(radiansPerSample * subBlock_);
  subRotSin_ = std::sin(radiansPerSample * subBlock_);
}

void AweChorus::reset() noexcept {
  if (!prepared_) return;
  if (pending_) {
    type_ = pendingType_;
    pending_ = false;
  }
  for (auto& l : line_) std::fill(l.begin(), l.end(), 0.0f);
  pos_ = 0;
  now_ = tapsFor(type_);
  old_ = now_;
  fadeLeft_ = 0;
  lfoCos_ = 1.0;
  lfoSin_ = 0.0;
  setLfoStep(now_.lfoStep);
  offset_ = 1e-20f;
  idle_ = true;
  quietFrames_ = 0;
}

void AweChorus::startFade(ChorusType type) noexcept {  // [audio thread]
  old_ = now_;
  now_ = tapsFor(type);
  type_ = type;
  setLfoStep(now_.lfoStep);
  fadeLeft_ = idle_ ? 0 : fadeFrames_;  // nothing sounds while idle: switch at once
}

void AweChorus::setType(ChorusType type) noexcept {  // [audio thread]
  if (!prepared_) {
    type_ = pendingType_ = type;
    return;
  }
  if (fadeLeft_ > 0) {
    pending_ = type != type_;
    pendingType_ = type;
    return;
  }
  if (type == type_) return;
  startFade(type);
}

// [audio thread]
void AweChorus::process(const float* input, float* outLeft, float* outRight, size_t frames) noexcept {
  if (!prepared_) return;
  // Idle and fed silence (the synth's buses whenever no voice sends): one scan, no work.
  if (idle_ && allZero(input, frames)) return;
  while (frames > 0) {
    const size_t n = std::min(frames, maxBlockFrames_);
    const bool silent = allZero(input, n);
    if (!(idle_ && silent)) {
      idle_ = false;
      processChunk(input, outLeft, outRight, n);
      if (!silent) quietFrames_ = 0;
      if (quietFrames_ >= quietNeeded_ && fadeLeft_ == 0) {
        for (auto& l : line_) std::fill(l.begin(), l.end(), 0.0f);
        idle_ = true;
        quietFrames_ = 0;
      }
    }
    input += n;
    outLeft += n;
    outRight += n;
    frames -= n;
  }
}

// [audio thread]
void AweChorus::processChunk(const float* input, float* outLeft, float* outRight, size_t frames) noexcept {
#if defined(AWE_HAVE_KERNEL_Avx2)
  if (avx2_) return processChunkAvx2(input, outLeft, outRight, frames);
#endif
  processChunkBody(input, outLeft, outRight, frames);
}

#if defined(AWE_HAVE_KERNEL_Avx2)
// The same body with VEX encoding; no FMA (see the header).
// [audio thread]
__attribute__((target("avx2"))) void AweChorus::processChunkAvx2(const float* input, float* outLeft, float* outRight,
                                                                     size_t frames) noexcept {
  processChunkBody(input, outLeft, outRight, frames);
}
#endif

// [audio thread]
inline __attribute__((always_inline)) void AweChorus::processChunkBody(const float* input, float* outLeft, float* outRight,
                                                                       size_t frames) noexcept {
  float* left = line_[0].data();
  float* right = line_[1].data();
  const uint32_t mask = mask_;
  const uint32_t size = mask_ + 1;
  float peak = 0.0f;
  uint32_t pos = pos_;
  for (size_t done = 0; done < frames;) {
    const auto n = static_cast<uint32_t>(std::min<size_t>(frames - done, subBlock_));
    // The LFO at the sub-block's ends; in between the delays move in a straight line (the
    // sine's curvature over 32 samples is below 1e-3 samples of delay).
    const double c0 = lfoCos_, s0 = lfoSin_;
    double rc = subRotCos_, rs = subRotSin_;
    if (n != subBlock_) {
      rc = std::cos(now_.lfoStep * n);
      rs = std::sin(now_.lfoStep * n);
    }
    const double cn = c0 * rc - s0 * rs, sn = s0 * rc + c0 * rs;
    const double k = 1.5 - 0.5 * (cn * cn + sn * sn);  // keep the phasor on the unit circle
    lfoCos_ = cn * k;
    lfoSin_ = sn * k;
    const auto sinStart = static_cast<float>(s0), cosStart = static_cast<float>(c0);
    const auto sinStep = static_cast<float>((sn - s0) / n), cosStep = static_cast<float>((cn - c0) / n);
    const float* in = input + done;
    alignas(16) float wetL[kSubBlock], wetR[kSubBlock];
    // Written contiguously from here (into the mirrored head past the end; settleRun).
    const uint32_t start = pos & mask;
    float* writeL = left + start;
    float* writeR = right + start;
    const Float4 offsets = {offset_, -offset_, offset_, -offset_};  // flipping every sample

    uint32_t i = 0;
    if (fadeLeft_ == 0) {
      // Four samples at a time: each tap's four points of four samples, transposed so each
      // Catmull-Rom term is one vector over time. Every point read lies before this
      // sub-block (the taps are longer than it), so the writes can follow.
      const Taps t = now_;
      const Float4 ramp = {0.0f, 1.0f, 2.0f, 3.0f};
      const float stepL = t.depth * sinStep, stepR = t.depth * cosStep;
      const float startL = t.delayLeft + t.depth * sinStart, startR = t.delayRight + t.depth * cosStart;
      for (; i + 4 <= n; i += 4) {
        const Float4 at = ramp + static_cast<float>(i);
        const Float4 tapL = tap4(left, mask, pos + i, startL + stepL * at);
        const Float4 tapR = tap4(right, mask, pos + i, startR + stepR * at);
        const Float4 x = load4(in + i);
        store4(writeL + i, x + t.feedback * tapL + offsets);
        store4(writeR + i, x + t.feedback * tapR + offsets);
        store4(wetL + i, t.gain * tapL);
        store4(wetR + i, t.gain * tapR);
      }
    }
    // The rest one sample at a time; while fading, both tap sets, cross-fading their outputs
    // and their feedback.
    const Taps t = now_, o = old_;
    const float fadeStep = 1.0f / static_cast<float>(fadeFrames_);
    for (; i < n; ++i) {
      const float sinNow = sinStart + sinStep * static_cast<float>(i);
      const float cosNow = cosStart + cosStep * static_cast<float>(i);
      const uint32_t p = pos + i;
      const float tapL = readFractional(left, mask, p, t.delayLeft + t.depth * sinNow);
      const float tapR = readFractional(right, mask, p, t.delayRight + t.depth * cosNow);
      float wNew = 1.0f, wOld = 0.0f, oldL = 0.0f, oldR = 0.0f;
      if (fadeLeft_ > 0) {
        const float x = 1.0f - static_cast<float>(fadeLeft_) * fadeStep;  // 0 -> 1 over the fade
        wNew = x * x * (3.0f - 2.0f * x);  // smoothstep: no corner at either end
        wOld = 1.0f - wNew;
        oldL = readFractional(left, mask, p, o.delayLeft + o.depth * sinNow);
        oldR = readFractional(right, mask, p, o.delayRight + o.depth * cosNow);
        --fadeLeft_;
      }
      const float offset = (i % 2 == 0) ? offset_ : -offset_;
      writeL[i] = in[i] + wNew * t.feedback * tapL + wOld * o.feedback * oldL + offset;
      writeR[i] = in[i] + wNew * t.feedback * tapR + wOld * o.feedback * oldR + offset;
      wetL[i] = wNew * t.gain * tapL + wOld * o.gain * oldL;
      wetR[i] = wNew * t.gain * tapR + wOld * o.gain * oldR;
    }
    settleRun(left, size, start, n, 1);
    settleRun(right, size, start, n, 1);
    peak = addWet(wetL, wetR, outLeft + done, outRight + done, n, peak);
    if (n % 2 == 1) offset_ = -offset_;
    pos += n;
    done += n;
    if (fadeLeft_ == 0 && pending_) {
      pending_ = false;
      startFade(pendingType_);
    }
  }
  pos_ = pos;
  if (peak < kSilenceFloor)
    quietFrames_ += frames;
  else
    quietFrames_ = 0;
}

namespace {

std::string keyOf(const char* displayName) {
  std::string key;
  for (const char* c = displayName; *c != '\0'; ++c) {
    if (*c == ' ') key += '-';
    else if (*c == '(' || *c == ')') continue;
    else key += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  }
  return key;
}

template <class Type, class NameOf, class FromIndex>
std::optional<Type> typeFromName(const std::string& name, int count, NameOf nameOf, FromIndex fromIndex) {
  if (name.size() == 1 && name[0] >= '0' && name[0] <= '7') return fromIndex(name[0] - '0');
  for (int i = 0; i < count; ++i) {
    const auto type = fromIndex(i);
    if (type && keyOf(nameOf(*type)) == name) return type;
  }
  return std::nullopt;
}

}  // namespace

std::string reverbTypeKey(ReverbType type) { return keyOf(reverbTypeName(type)); }
std::string chorusTypeKey(ChorusType type) { return keyOf(chorusTypeName(type)); }

std::optional<ReverbType> reverbTypeFromName(const std::string& name) {
  return typeFromName<ReverbType>(name, kReverbTypeCount, reverbTypeName, reverbTypeFromIndex);
}
std::optional<ChorusType> chorusTypeFromName(const std::string& name) {
  return typeFromName<ChorusType>(name, kChorusTypeCount, chorusTypeName, chorusTypeFromIndex);
}

}  // namespace awe
