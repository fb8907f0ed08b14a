// The SSE2 voice kernel for any x86-64 (the baseline instruction set: no SSE3/SSE4, no AVX,
// no FMA): the shared per-sample body (VoiceKernelLanes.h) on 128-bit registers, a group's
// eight voices as two slices of four. SSE2 has no gather, no floor and no 32-bit minimum,
// so those are built from loads, truncation (t is never negative) and compare-and-mask.
// Compiled with the SSE3-and-later extensions switched off and chosen at run time where
// the CPU has no AVX2 (VoiceKernel.cpp). Only intrinsics and functions with internal
// linkage live in this file.
#include <emmintrin.h>

#include <cstring>

#include "emu8000/VoiceKernel.h"
#include "emu8000/VoiceKernelLanes.h"
#include "emu8000/VoiceKernelTableFill.h"

#if defined(__SSE3__) || defined(__AVX__)
#error "VoiceKernelSse2.cpp is compiled for SSE2 only (emu8000/CMakeLists.txt)"
#endif

namespace awe {
namespace {

// The vector operations the shared body needs, on 128-bit SSE2 registers.
struct Lanes4 {  // [audio thread] (every operation)
  static constexpr int kWidth = 4;
  using F = __m128;
  using I = __m128i;
  static F loadF(const float* p) { return _mm_load_ps(p); }
  static void storeF(float* p, F v) { _mm_store_ps(p, v); }
  static I loadI(const int32_t* p) { return _mm_load_si128(reinterpret_cast<const __m128i*>(p)); }
  static void storeI(int32_t* p, I v) { _mm_store_si128(reinterpret_cast<__m128i*>(p), v); }
  static F setF(float x) { return _mm_set1_ps(x); }
  static I setI(int32_t x) { return _mm_set1_epi32(x); }
  static F add(F a, F b) { return _mm_add_ps(a, b); }
  static F sub(F a, F b) { return _mm_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm_mul_ps(a, b); }
  static F div(F a, F b) { return _mm_div_ps(a, b); }
  static F madd(F a, F b, F c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }   // no FMA: rounded twice,
  static F nmadd(F a, F b, F c) { return _mm_sub_ps(c, _mm_mul_ps(a, b)); }  // as the generic kernel
  static I addI(I a, I b) { return _mm_add_epi32(a, b); }
  static I subI(I a, I b) { return _mm_sub_epi32(a, b); }
  static I andI(I a, I b) { return _mm_and_si128(a, b); }
  static I orI(I a, I b) { return _mm_or_si128(a, b); }
  static I cmpgtI(I a, I b) { return _mm_cmpgt_epi32(a, b); }
  static I minI(I a, I b) {  // SSE4.1's pminsd as a compare and a blend
    const I aOver = _mm_cmpgt_epi32(a, b);
    return _mm_or_si128(_mm_and_si128(aOver, b), _mm_andnot_si128(aOver, a));
  }
  static F keep(F x, I mask) { return _mm_and_ps(x, _mm_castsi128_ps(mask)); }
  static F select(I mask, F a, F b) {
    const F m = _mm_castsi128_ps(mask);
    return _mm_or_ps(_mm_and_ps(m, a), _mm_andnot_ps(m, b));
  }
  static bool any(I mask) { return _mm_movemask_epi8(mask) != 0; }
  static F toFloat(I v) { return _mm_cvtepi32_ps(v); }
  static void split(F t, I& whole, F& wholeF) {  // truncation is the floor: t >= 0
    whole = _mm_cvttps_epi32(t);
    wholeF = _mm_cvtepi32_ps(whole);
  }
  static I lo16(I v) { return _mm_madd_epi16(v, _mm_set1_epi32(1)); }  // words (low, high) x (1, 0)
  static I hi16(I v) { return _mm_srai_epi32(v, 16); }
  // The four int32 lanes of v as two 64-bit pairs: lane 2k in the low half of pair[k],
  // lane 2k + 1 in the high half (two extractions, not four; split in scalar).
  static void pairs(I v, int64_t pair[2]) {
    pair[0] = _mm_cvtsi128_si64(v);
    pair[1] = _mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
  }
  static I gather32(const int16_t* samples, I index) {  // four scalar loads
    int64_t pair[2];
    pairs(index, pair);
    int32_t word[kWidth];
    for (int k = 0; k < 2; ++k) {
      std::memcpy(&word[2 * k], samples + static_cast<int32_t>(pair[k]), sizeof(int32_t));
      std::memcpy(&word[2 * k + 1], samples + (pair[k] >> 32), sizeof(int32_t));
    }
    return _mm_setr_epi32(word[0], word[1], word[2], word[3]);
  }
  static I gather16(const int16_t* samples, I index) {  // four word inserts
    // Each point into the high word of its lane (pinsrw reads it from memory), and the
    // shift sign-extends it: the low words are left as they were and shifted out.
    int64_t pair[2];
    pairs(index, pair);
    I v = index;
    v = _mm_insert_epi16(v, samples[static_cast<int32_t>(pair[0])], 1);
    v = _mm_insert_epi16(v, samples[pair[0] >> 32], 3);
    v = _mm_insert_epi16(v, samples[static_cast<int32_t>(pair[1])], 5);
    v = _mm_insert_epi16(v, samples[pair[1] >> 32], 7);
    return _mm_srai_epi32(v, 16);
  }
  static inline __attribute__((always_inline)) void taps4(const int16_t* samples, I pos, F& sm1, F& s0, F& s1, F& s2) {
    // One 8-byte load per lane holds its four points as two int32, (pos - 1, pos) and
    // (pos + 1, pos + 2); a 4x2 int32 transpose puts the lanes' first and second pairs in
    // one vector each (half the index extractions and loads of two pair gathers), and
    // lo16/hi16 take the points out. The indices come out as 64-bit pairs.
    int64_t pair[2];
    pairs(pos, pair);
    I row[kWidth];
    for (int k = 0; k < 2; ++k) {
      row[2 * k] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(samples + static_cast<int32_t>(pair[k]) - 1));
      row[2 * k + 1] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(samples + (pair[k] >> 32) - 1));
    }
    const I ab = _mm_unpacklo_epi32(row[0], row[1]);  // a01 b01 a23 b23
    const I cd = _mm_unpacklo_epi32(row[2], row[3]);
    const I first = _mm_unpacklo_epi64(ab, cd);       // a01 b01 c01 d01
    const I second = _mm_unpackhi_epi64(ab, cd);      // a23 b23 c23 d23
    sm1 = toFloat(lo16(first));
    s0 = toFloat(hi16(first));
    s1 = toFloat(lo16(second));
    s2 = toFloat(hi16(second));
  }
};

void foldBusesSse2(float* acc, int frames, float* left, float* right, float* reverb,
                   float* chorus) {  // [audio thread]
  float* outs[kBusCount] = {left, right, reverb, chorus};
  const __m128 zero = _mm_setzero_ps();
  for (int b = 0; b < kBusCount; ++b) {
    float* bus = acc + b * frames * kLanes;
    int s = 0;
    for (; s + 4 <= frames; s += 4) {  // four samples' rows: halves added, transposed, summed
      __m128 row[4];
      for (int k = 0; k < 4; ++k) {
        float* r = bus + (s + k) * kLanes;
        row[k] = _mm_add_ps(_mm_load_ps(r), _mm_load_ps(r + 4));
        _mm_store_ps(r, zero);
        _mm_store_ps(r + 4, zero);
      }
      _MM_TRANSPOSE4_PS(row[0], row[1], row[2], row[3]);
      _mm_storeu_ps(outs[b] + s, _mm_add_ps(_mm_add_ps(row[0], row[1]), _mm_add_ps(row[2], row[3])));
    }
    for (; s < frames; ++s) {
      float* r = bus + s * kLanes;
      const __m128 pair = _mm_add_ps(_mm_load_ps(r), _mm_load_ps(r + 4));
      const __m128 two = _mm_add_ps(pair, _mm_movehl_ps(pair, pair));
      outs[b][s] = _mm_cvtss_f32(_mm_add_ss(two, _mm_shuffle_ps(two, two, 1)));
      _mm_store_ps(r, zero);
      _mm_store_ps(r + 4, zero);
    }
  }
}

struct Sse2Kernels {
  template <int I, bool F, int S, bool W>
  static constexpr VoiceKernelFn fn = &renderGroupLanes<Lanes4, I, F, S, W>;
  template <int I, bool F, int S>
  static constexpr VoicePairKernelFn pair = &renderGroupPairLanes<Lanes4, I, F, S>;
  template <int I, bool F, int S>
  static constexpr VoicePairSplitKernelFn pairSplit = &renderGroupPairSplitLanes<Lanes4, I, F, S>;
};

VoiceKernelTable makeSse2Table() { return makeVoiceKernelTable<Sse2Kernels>("sse2", &foldBusesSse2); }

}  // namespace

const VoiceKernelTable& sse2VoiceKernels() {
  static const VoiceKernelTable table = makeSse2Table();
  return table;
}

}  // namespace awe
