#pragma once
// The eight-lane (256-bit) voice kernel: the shared per-sample body (VoiceKernelLanes.h)
// on AVX2+FMA registers, one register per group, and the bus fold. The AVX2 kernel is this
// whole; the AVX-512 kernel uses it for its loop-aware path and odd last sample. Included
// only by kernel files compiled with AVX2 (or wider) flags; everything here has internal
// linkage, so each includer gets its own copy built for its own instruction set.
#include <immintrin.h>

#include "emu8000/VoiceKernel.h"
#include "emu8000/VoiceKernelLanes.h"

namespace awe {
namespace {

// The vector operations the shared body needs, on 256-bit registers.
struct Lanes8 {
  static constexpr int kWidth = 8;
  using F = __m256;
  using I = __m256i;
  static F loadF(const float* p) { return _mm256_load_ps(p); }  // [audio thread]
  static void storeF(float* p, F v) { _mm256_store_ps(p, v); }  // [audio thread]
  static I loadI(const int32_t* p) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(p)); }  // [audio thread]
  static void storeI(int32_t* p, I v) { _mm256_store_si256(reinterpret_cast<__m256i*>(p), v); }  // [audio thread]
  static F setF(float x) { return _mm256_set1_ps(x); }  // [audio thread]
  static I setI(int32_t x) { return _mm256_set1_epi32(x); }  // [audio thread]
  static F add(F a, F b) { return _mm256_add_ps(a, b); }  // [audio thread]
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }  // [audio thread]
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }  // [audio thread]
  static F madd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }  // [audio thread]
  static F nmadd(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }  // [audio thread]
  static I addI(I a, I b) { return _mm256_add_epi32(a, b); }  // [audio thread]
  static I subI(I a, I b) { return _mm256_sub_epi32(a, b); }  // [audio thread]
  static I andI(I a, I b) { return _mm256_and_si256(a, b); }  // [audio thread]
  static I cmpgtI(I a, I b) { return _mm256_cmpgt_epi32(a, b); }  // [audio thread]
  static I minI(I a, I b) { return _mm256_min_epi32(a, b); }  // [audio thread]
  static F keep(F x, I mask) { return _mm256_and_ps(x, _mm256_castsi256_ps(mask)); }  // [audio thread]
  static F toFloat(I v) { return _mm256_cvtepi32_ps(v); }  // [audio thread]
  static void split(F t, I& whole, F& wholeF) {  // [audio thread]
    wholeF = _mm256_round_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    whole = _mm256_cvttps_epi32(wholeF);
  }
  static I lo16(I v) { return _mm256_srai_epi32(_mm256_slli_epi32(v, 16), 16); }  // [audio thread]
  static I hi16(I v) { return _mm256_srai_epi32(v, 16); }  // [audio thread]
  static I gather32(const int16_t* samples, I index) {  // [audio thread]
    return _mm256_i32gather_epi32(reinterpret_cast<const int*>(samples), index, 2);
  }
  static void taps4(const int16_t* samples, I pos, F& sm1, F& s0, F& s1, F& s2) {  // two gathers of pairs
    const I g0 = gather32(samples, _mm256_sub_epi32(pos, _mm256_set1_epi32(1)));
    const I g1 = gather32(samples, _mm256_add_epi32(pos, _mm256_set1_epi32(1)));
    sm1 = toFloat(lo16(g0));
    s0 = toFloat(hi16(g0));
    s1 = toFloat(lo16(g1));
    s2 = toFloat(hi16(g1));
  }
};

template <int Interp, bool Filter, bool Sends, bool Wrap>
void renderGroupLanes8(LaneGroup& g, const int16_t* samples, int frames, float* acc,
                       int busStride) {  // [audio thread]
  renderGroupLanes<Lanes8, Interp, Filter, Sends, Wrap>(g, samples, frames, acc, busStride);
}

// Eight samples' lane vectors to eight sums: a hadd tree, then the two 128-bit halves.
inline __m256 sumLanes8(const float* rows) {  // [audio thread]
  const __m256 t0 = _mm256_hadd_ps(_mm256_hadd_ps(_mm256_load_ps(rows), _mm256_load_ps(rows + 8)),
                                   _mm256_hadd_ps(_mm256_load_ps(rows + 16), _mm256_load_ps(rows + 24)));
  const __m256 t1 = _mm256_hadd_ps(_mm256_hadd_ps(_mm256_load_ps(rows + 32), _mm256_load_ps(rows + 40)),
                                   _mm256_hadd_ps(_mm256_load_ps(rows + 48), _mm256_load_ps(rows + 56)));
  return _mm256_add_ps(_mm256_permute2f128_ps(t0, t1, 0x20), _mm256_permute2f128_ps(t0, t1, 0x31));
}

void foldBusesLanes8(float* acc, int frames, float* left, float* right, float* reverb,
                     float* chorus) {  // [audio thread]
  float* outs[kBusCount] = {left, right, reverb, chorus};
  const __m256 zero = _mm256_setzero_ps();
  for (int b = 0; b < kBusCount; ++b) {
    float* bus = acc + b * frames * kLanes;
    int s = 0;
    for (; s + 8 <= frames; s += 8) {
      _mm256_storeu_ps(outs[b] + s, sumLanes8(bus + s * kLanes));
      for (int k = 0; k < 8; ++k) _mm256_store_ps(bus + (s + k) * kLanes, zero);
    }
    for (; s < frames; ++s) {
      const __m256 row = _mm256_load_ps(bus + s * kLanes);
      const __m128 half = _mm_add_ps(_mm256_castps256_ps128(row), _mm256_extractf128_ps(row, 1));
      const __m128 pair = _mm_add_ps(half, _mm_movehl_ps(half, half));
      outs[b][s] = _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1)));
      _mm256_store_ps(bus + s * kLanes, zero);
    }
  }
}

}  // namespace
}  // namespace awe
