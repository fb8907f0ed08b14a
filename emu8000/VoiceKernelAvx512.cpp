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
// The low 256 bits of a then of b; the high 256 bits of a then of b.
inline __m512 lowHalves(__m512 a, __m512 b) { return _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(1, 0, 1, 0)); }  // [audio thread]
inline __m512 highHalves(__m512 a, __m512 b) { return _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(3, 2, 3, 2)); }  // [audio thread]

// Sixteen voice-samples at once (two halves of eight lanes: two samples of one group, or
// one sample of two groups): the interpolated values at positions base + t, as the other
// kernels compute them. t >= 0 (a fraction plus non-negative steps), so truncation is the
// floor: one operation where rounding down takes two.
template <int Interp>
inline __attribute__((always_inline)) __m512 interpolate16(const int16_t* samples, __m512i base,
                                                           __m512 t) noexcept {  // [audio thread]
  const __m512i whole = _mm512_cvttps_epi32(t);
  const __m512i pos = _mm512_add_epi32(base, whole);
  const __m512 frac = _mm512_sub_ps(t, _mm512_cvtepi32_ps(whole));
  if (Interp == 2) {
    // A voice-sample's four taps are 8 bytes in a row: one 64-bit element each, half
    // the elements of two 32-bit gathers (a gather costs about a load per element).
    // Their 32-bit halves, taps -1 and 0 and taps 1 and 2, are then dealt out as the
    // two 32-bit gathers would have them: the same bits.
    const __m512i first = _mm512_sub_epi32(pos, _mm512_set1_epi32(1));
    const __m512i tapsLow = _mm512_i32gather_epi64(_mm512_castsi512_si256(first), samples, 2);
    const __m512i tapsHigh = _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(first, 1), samples, 2);
    const __m512i evenWords = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i oddWords = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512i g0 = _mm512_permutex2var_epi32(tapsLow, evenWords, tapsHigh);
    const __m512i g1 = _mm512_permutex2var_epi32(tapsLow, oddWords, tapsHigh);
    const __m512 sm1 = _mm512_cvtepi32_ps(lo16x(g0)), s0 = _mm512_cvtepi32_ps(hi16x(g0));
    const __m512 s1 = _mm512_cvtepi32_ps(lo16x(g1)), s2 = _mm512_cvtepi32_ps(hi16x(g1));
    const __m512 half = _mm512_set1_ps(0.5f), onePointFive = _mm512_set1_ps(1.5f);
    const __m512 two = _mm512_set1_ps(2.0f), twoPointFive = _mm512_set1_ps(2.5f);
    const __m512 c1 = _mm512_mul_ps(half, _mm512_sub_ps(s1, sm1));
    const __m512 c2 = _mm512_fnmadd_ps(half, s2, _mm512_fmadd_ps(two, s1, _mm512_fnmadd_ps(twoPointFive, s0, sm1)));
    const __m512 c3 = _mm512_fmadd_ps(half, _mm512_sub_ps(s2, sm1), _mm512_mul_ps(onePointFive, _mm512_sub_ps(s0, s1)));
    return _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_fmadd_ps(c3, frac, c2), frac, c1), frac, s0);
  }
  if (Interp == 1) {
    const __m512i g0 = _mm512_i32gather_epi32(pos, samples, 2);
    const __m512 s0 = _mm512_cvtepi32_ps(lo16x(g0)), s1 = _mm512_cvtepi32_ps(hi16x(g0));
    return _mm512_fmadd_ps(frac, _mm512_sub_ps(s1, s0), s0);
  }
  return _mm512_cvtepi32_ps(lo16x(_mm512_i32gather_epi32(pos, samples, 2)));
}

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
    const __m256 tNext = _mm256_add_ps(t, inc);
    const __m512 tPair = pairOf(t, tNext);
    t = _mm256_add_ps(tNext, inc);
    const __m512 x = interpolate16<Interp>(samples, base2, tPair);
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

// Two groups' plain-path state, the first group's eight lanes in the low half of each
// register and the second's in the high half, so that one 512-bit operation steps, filters
// and scales the same sample of both: two samples of one group per register, as
// Avx512Lanes has them, leave each filter's recursion and gain ramp to 256-bit halves,
// twice the operations on the two ports that take 512-bit ones.
template <int Interp, bool Filter>
struct Avx512PairLanes {
  __m512i base, baseFirst, baseSecond;  // both groups; the first's twice; the second's twice
  __m512 t, inc, gain, gainStep;
  __m512 b0, b1, b2, a1, a2, z1, z2;

  static __m512 join(const float* low, const float* high) noexcept {  // [audio thread]
    return pairOf(_mm256_load_ps(low), _mm256_load_ps(high));
  }
  Avx512PairLanes(const LaneGroup& g, const LaneGroup& h) noexcept  // [audio thread]
      : base(_mm512_inserti64x4(_mm512_castsi256_si512(_mm256_load_si256(reinterpret_cast<const __m256i*>(g.pos))),
                                _mm256_load_si256(reinterpret_cast<const __m256i*>(h.pos)), 1)),
        baseFirst(_mm512_shuffle_i32x4(base, base, _MM_SHUFFLE(1, 0, 1, 0))),
        baseSecond(_mm512_shuffle_i32x4(base, base, _MM_SHUFFLE(3, 2, 3, 2))),
        t(join(g.frac, h.frac)), inc(join(g.inc, h.inc)), gain(join(g.gain, h.gain)),
        gainStep(join(g.gainStep, h.gainStep)), b0(join(g.b0, h.b0)), b1(join(g.b1, h.b1)),
        b2(join(g.b2, h.b2)), a1(join(g.a1, h.a1)), a2(join(g.a2, h.a2)), z1(join(g.z1, h.z1)),
        z2(join(g.z2, h.z2)) {}

  // Samples s and s + 1 of both groups, interpolated, each group's two in one register
  // (sample s low): a group's two gathers then read the same lines (one sample of both
  // groups per register measured 16 % slower). Positions step as in Avx512Lanes::next.
  inline __attribute__((always_inline)) void interpolate(const int16_t* samples, __m512& first,
                                                         __m512& second) noexcept {  // [audio thread]
    const __m512 tNext = _mm512_add_ps(t, inc);
    first = interpolate16<Interp>(samples, baseFirst, lowHalves(t, tNext));
    second = interpolate16<Interp>(samples, baseSecond, highHalves(t, tNext));
    t = _mm512_add_ps(tNext, inc);
  }

  // One sample of both groups (first low, second high) through the filters and the gains.
  inline __attribute__((always_inline)) __m512 filterAndGain(__m512 x) noexcept {  // [audio thread]
    __m512 y = x;
    if (Filter) {
      y = _mm512_fmadd_ps(b0, x, z1);
      z1 = _mm512_fnmadd_ps(a1, y, _mm512_fmadd_ps(b1, x, z2));
      z2 = _mm512_fnmadd_ps(a2, y, _mm512_mul_ps(b2, x));
    }
    gain = _mm512_add_ps(gain, gainStep);
    return _mm512_mul_ps(y, gain);
  }

  void store(LaneGroup& g, LaneGroup& h) const noexcept {  // [audio thread]
    const __m512 whole = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512i pos = _mm512_add_epi32(base, _mm512_cvttps_epi32(whole));
    const __m512 frac = _mm512_sub_ps(t, whole);
    _mm256_store_si256(reinterpret_cast<__m256i*>(g.pos), _mm512_castsi512_si256(pos));
    _mm256_store_si256(reinterpret_cast<__m256i*>(h.pos), _mm512_extracti64x4_epi64(pos, 1));
    split(frac, g.frac, h.frac);
    split(gain, g.gain, h.gain);
    split(z1, g.z1, h.z1);
    split(z2, g.z2, h.z2);
  }
  static void split(__m512 v, float* low, float* high) noexcept {  // [audio thread]
    _mm256_store_ps(low, _mm512_castps512_ps256(v));
    _mm256_store_ps(high, _mm512_extractf32x8_ps(v, 1));
  }
};

// Two groups on the plain path through the same samples (see Avx512PairLanes). Each bus
// still adds the first group's output before the second's, as two renderGroupAvx512 calls
// would: the same sums to the bit.
template <int Interp, bool Filter, int Sends>
void renderGroupPairAvx512(LaneGroup& g, LaneGroup& h, const int16_t* samples, int frames, float* acc,
                           int busStride) {  // [audio thread]
  Avx512PairLanes<Interp, Filter> lanes(g, h);
  const Avx512Weights firstWeights(g), secondWeights(h);
  const Avx512Weights* w[2] = {&firstWeights, &secondWeights};
  int s = 0;
  for (; s + 2 <= frames; s += 2) {
    __m512 first, second;  // each group's samples s, s + 1
    lanes.interpolate(samples, first, second);
    // Sample by sample through both groups' filters, then back to each group's two samples
    // in a register, as the buses take them.
    const __m512 now = lanes.filterAndGain(lowHalves(first, second));
    const __m512 after = lanes.filterAndGain(highHalves(first, second));
    const __m512 y[2] = {lowHalves(now, after), highHalves(now, after)};
    addToBuses<Sends>(acc, busStride, s, y, w);
  }
  lanes.store(g, h);
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
