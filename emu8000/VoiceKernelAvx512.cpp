// The AVX-512 voice kernel (F, BW, DQ, VL): on the plain path one 512-bit register holds
// two consecutive samples of the group's eight voices, so the gathers, the interpolation,
// the gain and the four bus updates run once per two samples; only the filter's recursion
// goes sample by sample (on the register's halves). The loop-aware path and an odd last
// sample run the AVX2 kernel's per-sample code, compiled here with the AVX-512 flags.
// Chosen at run time (VoiceKernel.cpp), so nothing here may be called on other CPUs.
// Only intrinsics and functions with internal linkage live in this file.
// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_*: GCC bug 105593).
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include "emu8000/VoiceKernel.h"
#include "emu8000/VoiceKernelTableFill.h"
#include "emu8000/VoiceKernelLanes8.h"

static_assert(awe::kLanes == 8, "the AVX-512 kernel holds 2 samples of 8 lanes per register");

namespace awe {
namespace {

// The low int16 of each int32, sign-extended: one multiply-add of its words by (1, 0), not
// two shifts (the kernel is bound by the two ports that take 512-bit operations).
inline __m512i lo16x(__m512i v) { return _mm512_madd_epi16(v, _mm512_set1_epi32(1)); }  // [audio thread]
inline __m512i hi16x(__m512i v) { return _mm512_srai_epi32(v, 16); }  // [audio thread]
// [audio thread]
inline __m512 pairOf(__m256 lo, __m256 hi) { return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1); }
inline __m512 twice(const float* p) { const __m256 v = _mm256_load_ps(p); return pairOf(v, v); }  // [audio thread]

// One group's plain-path state in registers: its positions, gain ramp and filter. next()
// gives the two samples s, s+1 of its eight voices (one 512-bit register, sample s in the
// low half) with gain applied, ready for the buses.
template <int Interp, bool Filter>
struct Avx512Lanes {
  // Position of sample s: base + floor(t_s), frac t_s - floor(t_s), t_{s+1} = t_s + inc
  // (added one sample at a time, as the other kernels do, so the positions agree exactly).
  __m256i base;
  __m512i base2;
  __m256 t, inc, gain, gainStep;
  __m256 b0, b1, b2, a1, a2, z1, z2;

  explicit Avx512Lanes(const LaneGroup& g) noexcept  // [audio thread]
      : base(_mm256_load_si256(reinterpret_cast<const __m256i*>(g.pos))),
        base2(_mm512_inserti64x4(_mm512_castsi256_si512(base), base, 1)),
        t(_mm256_load_ps(g.frac)), inc(_mm256_load_ps(g.inc)),
        gain(_mm256_load_ps(g.gain)), gainStep(_mm256_load_ps(g.gainStep)),
        b0(_mm256_load_ps(g.b0)), b1(_mm256_load_ps(g.b1)), b2(_mm256_load_ps(g.b2)),
        a1(_mm256_load_ps(g.a1)), a2(_mm256_load_ps(g.a2)),
        z1(_mm256_load_ps(g.z1)), z2(_mm256_load_ps(g.z2)) {}

  inline __attribute__((always_inline)) __m512 next(const int16_t* samples) noexcept {  // [audio thread]
    const __m512 half = _mm512_set1_ps(0.5f), onePointFive = _mm512_set1_ps(1.5f);
    const __m512 two = _mm512_set1_ps(2.0f), twoPointFive = _mm512_set1_ps(2.5f);
    const __m256 tNext = _mm256_add_ps(t, inc);
    const __m512 tPair = pairOf(t, tNext);
    t = _mm256_add_ps(tNext, inc);
    // t >= 0 (a fraction plus non-negative steps): truncation is the floor, one operation
    // where rounding down takes two.
    const __m512i whole = _mm512_cvttps_epi32(tPair);
    const __m512i pos = _mm512_add_epi32(base2, whole);
    const __m512 frac = _mm512_sub_ps(tPair, _mm512_cvtepi32_ps(whole));
    __m512 x;
    if (Interp == 2) {
      // A voice-sample's four taps are 8 bytes in a row: one 64-bit element each, half
      // the elements of two 32-bit gathers (a gather costs about a load per element).
      // Their 32-bit halves, taps -1 and 0 and taps 1 and 2, are then dealt out as the
      // two 32-bit gathers would have them: the same bits.
      const __m512i first = _mm512_sub_epi32(pos, _mm512_set1_epi32(1));
      const __m512i tapsS = _mm512_i32gather_epi64(_mm512_castsi512_si256(first), samples, 2);
      const __m512i tapsNext = _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(first, 1), samples, 2);
      const __m512i evenWords = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      const __m512i oddWords = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
      const __m512i g0 = _mm512_permutex2var_epi32(tapsS, evenWords, tapsNext);
      const __m512i g1 = _mm512_permutex2var_epi32(tapsS, oddWords, tapsNext);
      const __m512 sm1 = _mm512_cvtepi32_ps(lo16x(g0)), s0 = _mm512_cvtepi32_ps(hi16x(g0));
      const __m512 s1 = _mm512_cvtepi32_ps(lo16x(g1)), s2 = _mm512_cvtepi32_ps(hi16x(g1));
      const __m512 c1 = _mm512_mul_ps(half, _mm512_sub_ps(s1, sm1));
      const __m512 c2 = _mm512_fnmadd_ps(half, s2, _mm512_fmadd_ps(two, s1, _mm512_fnmadd_ps(twoPointFive, s0, sm1)));
      const __m512 c3 = _mm512_fmadd_ps(half, _mm512_sub_ps(s2, sm1), _mm512_mul_ps(onePointFive, _mm512_sub_ps(s0, s1)));
      x = _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_fmadd_ps(c3, frac, c2), frac, c1), frac, s0);
    } else if (Interp == 1) {
      const __m512i g0 = _mm512_i32gather_epi32(pos, samples, 2);
      const __m512 s0 = _mm512_cvtepi32_ps(lo16x(g0)), s1 = _mm512_cvtepi32_ps(hi16x(g0));
      x = _mm512_fmadd_ps(frac, _mm512_sub_ps(s1, s0), s0);
    } else {
      x = _mm512_cvtepi32_ps(lo16x(_mm512_i32gather_epi32(pos, samples, 2)));
    }
    __m256 y0 = _mm512_castps512_ps256(x), y1 = _mm512_extractf32x8_ps(x, 1);
    if (Filter) {
      const __m256 x0 = y0, x1 = y1;
      y0 = _mm256_fmadd_ps(b0, x0, z1);
      z1 = _mm256_fnmadd_ps(a1, y0, _mm256_fmadd_ps(b1, x0, z2));
      z2 = _mm256_fnmadd_ps(a2, y0, _mm256_mul_ps(b2, x0));
      y1 = _mm256_fmadd_ps(b0, x1, z1);
      z1 = _mm256_fnmadd_ps(a1, y1, _mm256_fmadd_ps(b1, x1, z2));
      z2 = _mm256_fnmadd_ps(a2, y1, _mm256_mul_ps(b2, x1));
    }
    const __m256 gain0 = _mm256_add_ps(gain, gainStep);
    gain = _mm256_add_ps(gain0, gainStep);
    return _mm512_mul_ps(pairOf(y0, y1), pairOf(gain0, gain));
  }

  void store(LaneGroup& g) const noexcept {  // [audio thread]
    const __m256 whole = _mm256_round_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    _mm256_store_si256(reinterpret_cast<__m256i*>(g.pos), _mm256_add_epi32(base, _mm256_cvttps_epi32(whole)));
    _mm256_store_ps(g.frac, _mm256_sub_ps(t, whole));
    _mm256_store_ps(g.gain, gain);
    _mm256_store_ps(g.z1, z1);
    _mm256_store_ps(g.z2, z2);
  }
};

// A group's bus weights, each twice (for the two samples of a register).
struct Avx512Weights {
  __m512 left, right, reverb, chorus;
  explicit Avx512Weights(const LaneGroup& g) noexcept  // [audio thread]
      : left(twice(g.panLeft)), right(twice(g.panRight)), reverb(twice(g.sendReverb)), chorus(twice(g.sendChorus)) {}
};

// Adds y x weight into the four buses at sample s, for each group in turn (so a bus sums
// in the order the groups would be rendered one by one).
template <int Sends, int N>
inline __attribute__((always_inline)) void addToBuses(float* acc, int busStride, int s, const __m512 (&y)[N], const Avx512Weights* (&w)[N]) {  // [audio thread]
  // The accumulator is 32-byte aligned only (a block may start on any sample).
  float* l = acc + (kBusLeft * busStride + s) * kLanes;
  float* r = acc + (kBusRight * busStride + s) * kLanes;
  __m512 sumL = _mm512_loadu_ps(l), sumR = _mm512_loadu_ps(r);
  for (int k = 0; k < N; ++k) {
    sumL = _mm512_fmadd_ps(y[k], w[k]->left, sumL);
    sumR = _mm512_fmadd_ps(y[k], w[k]->right, sumR);
  }
  _mm512_storeu_ps(l, sumL);
  _mm512_storeu_ps(r, sumR);
  if (Sends >= kSendsReverb) {
    float* rv = acc + (kBusReverb * busStride + s) * kLanes;
    __m512 sum = _mm512_loadu_ps(rv);
    for (int k = 0; k < N; ++k) sum = _mm512_fmadd_ps(y[k], w[k]->reverb, sum);
    _mm512_storeu_ps(rv, sum);
  }
  if (Sends == kSendsBoth) {
    float* ch = acc + (kBusChorus * busStride + s) * kLanes;
    __m512 sum = _mm512_loadu_ps(ch);
    for (int k = 0; k < N; ++k) sum = _mm512_fmadd_ps(y[k], w[k]->chorus, sum);
    _mm512_storeu_ps(ch, sum);
  }
}

template <int Interp, bool Filter, int Sends, bool Wrap>
void renderGroupAvx512(LaneGroup& g, const int16_t* samples, int frames, float* acc,
                       int busStride) {  // [audio thread]
  if (Wrap || frames < 2) {
    renderGroupLanes8<Interp, Filter, Sends, Wrap>(g, samples, frames, acc, busStride);
    return;
  }
  Avx512Lanes<Interp, Filter> lanes(g);
  const Avx512Weights weights(g);
  const Avx512Weights* w[1] = {&weights};
  int s = 0;
  for (; s + 2 <= frames; s += 2) {
    const __m512 y[1] = {lanes.next(samples)};
    addToBuses<Sends>(acc, busStride, s, y, w);
  }
  lanes.store(g);
  if (s < frames) renderGroupLanes8<Interp, Filter, Sends, Wrap>(g, samples, frames - s, acc + s * kLanes, busStride);
}

// Two groups on the plain path through the same samples: their filters' recursions (a
// chain of dependent multiply-adds, sample after sample, which bounds a group alone) run
// side by side. Each bus still adds the first group's output before the second's, as
// two renderGroupAvx512 calls would: the same sums to the bit.
template <int Interp, bool Filter, int Sends>
void renderGroupPairAvx512(LaneGroup& g, LaneGroup& h, const int16_t* samples, int frames, float* acc,
                           int busStride) {  // [audio thread]
  Avx512Lanes<Interp, Filter> first(g), second(h);
  const Avx512Weights firstWeights(g), secondWeights(h);
  const Avx512Weights* w[2] = {&firstWeights, &secondWeights};
  int s = 0;
  for (; s + 2 <= frames; s += 2) {
    const __m512 y[2] = {first.next(samples), second.next(samples)};
    addToBuses<Sends>(acc, busStride, s, y, w);
  }
  first.store(g);
  second.store(h);
  if (s < frames) {
    renderGroupLanes8<Interp, Filter, Sends, false>(g, samples, frames - s, acc + s * kLanes, busStride);
    renderGroupLanes8<Interp, Filter, Sends, false>(h, samples, frames - s, acc + s * kLanes, busStride);
  }
}

struct Avx512Kernels {
  template <int I, bool F, int S, bool W>
  static constexpr VoiceKernelFn fn = &renderGroupAvx512<I, F, S, W>;
  template <int I, bool F, int S>
  static constexpr VoicePairKernelFn pair = &renderGroupPairAvx512<I, F, S>;
};

VoiceKernelTable makeAvx512Table() { return makeVoiceKernelTable<Avx512Kernels>("avx512", &foldBusesLanes8); }

}  // namespace

const VoiceKernelTable& avx512VoiceKernels() {
  static const VoiceKernelTable table = makeAvx512Table();
  return table;
}

}  // namespace awe
