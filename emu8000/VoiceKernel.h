#pragma once
// The voice kernel: renders one control block for a group of kLanes voices at once, laid
// out structure-of-arrays so each field is one SIMD register (one voice per lane).
//
// Per sample and lane: fetch interpolation taps from the bank's int16 block, interpolate
// (none / linear / 4-point cubic), run the biquad low-pass, apply a gain ramp, and add the
// result into four lane-wise buses (left, right, reverb send, chorus send). Everything
// that changes slower than a sample (pitch, filter coefficients, envelope and LFO gain)
// is set by the control code before the block. No branches depend on a voice's data
// except the one choice per block between the plain path and the loop-aware path.
//
// This header is included by the per-ISA kernel files, which are compiled with different
// target flags: it holds plain data only (no inline functions with external linkage).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "emu8000/Config.h"

namespace awe {

struct alignas(64) LaneGroup {
  // Playback position: integer index into the bank's sample block plus a fraction.
  int32_t pos[kLanes];
  float frac[kLanes];
  float inc[kLanes];        // position increment per output sample (pitch ratio)
  // Loop handling (used by the loop-aware path only). Looping lane: limit = loop end,
  // wrap = loop length, floor = loop start once the voice is inside the loop. One-shot
  // lane: limit = sample end, wrap = 0, floor = INT32_MIN; past the end it outputs 0.
  int32_t limit[kLanes];
  int32_t wrap[kLanes];
  int32_t floor[kLanes];
  int32_t endClamp[kLanes]; // one-shot: last readable position; looping: INT32_MAX
  // Gain: amplitude before the block's first sample and its per-sample step; sample k
  // of the block is multiplied by gain + (k+1) * step (envelope x attenuation,
  // including the 1/32768 int16 scale).
  float gain[kLanes];
  float gainStep[kLanes];
  // Bus weights, constant over the block.
  float panLeft[kLanes];
  float panRight[kLanes];
  float sendReverb[kLanes];
  float sendChorus[kLanes];
  // Biquad coefficients and state (transposed direct form II).
  float b0[kLanes], b1[kLanes], b2[kLanes], a1[kLanes], a2[kLanes];
  float z1[kLanes], z2[kLanes];
  // Lanes whose low-pass is not the identity (bit l), now and in a block before: a group
  // whose lanes are all open, their filter state run out to zeros, is rendered without the
  // filter (the same samples: the identity with zero state passes x through exactly).
  // Read and written by the synth only; the kernels do not look at them.
  uint32_t filteredLanes;
  uint32_t filteredLanesBefore;
  // Lanes with a reverb or chorus send (bit l): a bus no lane sends to is skipped (adding
  // y x 0 changes no sum).
  uint32_t reverbLanes;
  uint32_t chorusLanes;
  // What turns the lane's pitch ratio into its increment: its sample's rate over the output
  // rate, and the ceiling (copies of its voice's, taken when the voice is dirty), so the
  // synth sets a group's increments four lanes at a time. The kernels do not look at them.
  double sampleRateRatio[kLanes];
  double maxPitchRatio[kLanes];
};

// Loop fields of a lane that has no floor (not inside a loop) or no limit.
constexpr int32_t kNoFloor = INT32_MIN;
constexpr int32_t kNoLimit = INT32_MAX;

namespace {
// Sets lane `l`'s loop fields for the next block from its voice's loop and the lane's
// position now: a looping lane wraps at loopEnd (back to loopStart once it is inside the
// loop), a one-shot lane stops at `end`. Shared by the synth and the kernel check; internal
// linkage, so a kernel file built with other target flags keeps its own copy.
inline void setLaneLoop(LaneGroup& g, int l, bool looping, int32_t loopStart, int32_t loopEnd,
                        int32_t end) {  // [audio thread]
  if (looping) {
    g.limit[l] = loopEnd;
    g.wrap[l] = loopEnd - loopStart;
    g.floor[l] = g.pos[l] >= loopStart ? loopStart : kNoFloor;
    g.endClamp[l] = kNoLimit;
  } else {
    g.limit[l] = end;
    g.wrap[l] = 0;
    g.floor[l] = kNoFloor;
    g.endClamp[l] = end;
  }
}

// How many of the next n samples lane `l` can render on the plain kernel path (no loop end
// or sample end within reach of its interpolation taps; the rest need the loop-aware
// path), once its increment and loop fields are set: sample k's taps end at pos + frac +
// k*inc + 2, which must stay below the limit. Reads only the lane: a parked lane (no
// limit, no floor, no increment) takes the plain path. Shared by the synth and the kernel
// check, as setLaneLoop is.
inline int plainSamplesOfLane(const LaneGroup& g, int l, int n) noexcept {  // [audio thread]
  const int32_t pos = g.pos[l];
  if (pos - 1 < g.floor[l]) return 0;  // just wrapped: the first tap reaches back
  const int32_t stride = static_cast<int32_t>(g.inc[l] * static_cast<float>(n));
  if (static_cast<int64_t>(pos) + stride + 3 < g.limit[l]) return n;
  const double room = static_cast<double>(g.limit[l]) - 3.0 - static_cast<double>(pos);
  if (room < 0.0 || g.inc[l] <= 0.0f) return room < 0.0 ? 0 : n;
  return static_cast<int>(std::min<double>(n, std::floor(room / g.inc[l]) + 1.0));
}
}  // namespace

// Bus layout of the accumulator: acc[(bus * busStride + sample) * kLanes + lane], 32-byte
// aligned.
enum Bus : int { kBusLeft = 0, kBusRight = 1, kBusReverb = 2, kBusChorus = 3, kBusCount = 4 };

// The send buses a kernel adds to: none (effects off), the reverb bus only (every lane's
// chorus send is 0, as GM channels start), or both.
constexpr int kSendsNone = 0, kSendsReverb = 1, kSendsBoth = 2, kSendVariants = 3;

// Renders `frames` (1..kControlBlockFrames) samples of one group and adds them to `acc`.
using VoiceKernelFn = void (*)(LaneGroup& group, const int16_t* samples, int frames, float* acc, int busStride);

// Renders `frames` samples of two groups, both on the plain path, and adds them to `acc`
// exactly as two VoiceKernelFn calls (first, then second) would.
using VoicePairKernelFn = void (*)(LaneGroup& first, LaneGroup& second, const int16_t* samples, int frames,
                                   float* acc, int busStride);

// Renders `frames` samples of two groups, each on the plain path for its first `plain`
// samples (0..frames) and on the loop-aware path for the rest, and adds them to `acc`
// exactly as the plain and loop-aware VoiceKernelFn calls of first, then of second, would.
using VoicePairSplitKernelFn = void (*)(LaneGroup& first, int firstPlain, LaneGroup& second, int secondPlain,
                                        const int16_t* samples, int frames, float* acc, int busStride);

// Sums the lanes of each bus into the four outputs (`frames` samples each) and clears the
// accumulator for the next block.
using BusFoldFn = void (*)(float* acc, int frames, float* left, float* right, float* reverb, float* chorus);

struct VoiceKernelTable {
  const char* isa;  // "generic", "sse2", "avx2" or "avx512"
  // [interpolation 0..2][filter on][kSendsNone/Reverb/Both][loop-aware path]
  VoiceKernelFn fn[3][2][kSendVariants][2];
  // [interpolation][filter on][sends]: two groups at once on the plain path, where a kernel
  // set has it (null elsewhere: the synth renders the groups one by one).
  VoicePairKernelFn pair[3][2][kSendVariants];
  // The same, for two groups that are not both plain for the whole block (null where a
  // kernel set has none).
  VoicePairSplitKernelFn pairSplit[3][2][kSendVariants];
  BusFoldFn fold;
};

// The best kernel set this CPU runs. [any thread]
const VoiceKernelTable& voiceKernels();
// The portable kernel set (reference for tests). [any thread]
const VoiceKernelTable& genericVoiceKernels();
// Every kernel set this build holds and this CPU runs, generic first. [control thread]
std::vector<const VoiceKernelTable*> supportedVoiceKernels();

}  // namespace awe
