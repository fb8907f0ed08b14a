#pragma once
// The eight-lane (256-bit) voice kernel: the shared per-sample body (VoiceKernelLanes.h)
// on AVX2+FMA registers, one register per group, and the bus fold. The AVX2 kernel is this
// whole; the AVX-512 kernel uses it for its loop-aware path and odd last sample. Included
// only by kernel files compiled with AVX2 (or wider) flags; everything here has internal
// linkage, so each includer gets its own copy built for its own instruction set.
#include <immintrin.h>

#include <cstring>

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
  static F div(F a, F b) { return _mm256_div_ps(a, b); }  // [audio thread]
  static F madd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }  // [audio thread]
  static F nmadd(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }  // [audio thread]
  static I addI(I a, I b) { return _mm256_add_epi32(a, b); }  // [audio thread]
  static I subI(I a, I b) { return _mm256_sub_epi32(a, b); }  // [audio thread]
  static I andI(I a, I b) { return _mm256_and_si256(a, b); }  // [audio thread]
  static I orI(I a, I b) { return _mm256_or_si256(a, b); }  // [audio thread]
  static I cmpgtI(I a, I b) { return _mm256_cmpgt_epi32(a, b); }  // [audio thread]
  static I minI(I a, I b) { return _mm256_min_epi32(a, b); }  // [audio thread]
  static F keep(F x, I mask) { return _mm256_and_ps(x, _mm256_castsi256_ps(mask)); }  // [audio thread]
  static F select(I mask, F a, F b) { return _mm256_blendv_ps(b, a, _mm256_castsi256_ps(mask)); }  // [audio thread]
  static bool any(I mask) { return !_mm256_testz_si256(mask, mask); }  // [audio thread]
  static F toFloat(I v) { return _mm256_cvtepi32_ps(v); }  // [audio thread]
  static void split(F t, I& whole, F& wholeF) {  // [audio thread]
    wholeF = _mm256_round_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    whole = _mm256_cvttps_epi32(wholeF);
  }
  // The low int16 sign-extended by one multiply-add: words (low, high) times (1, 0).
  static I lo16(I v) { return _mm256_madd_epi16(v, _mm256_set1_epi32(1)); }  // [audio thread]
  static I hi16(I v) { return _mm256_srai_epi32(v, 16); }  // [audio thread]
  // The eight int32 lanes of v as four 64-bit pairs: lane 2k in the low half of pair[k],
  // lane 2k + 1 in the high half (four extractions, not eight; split in scalar).
  static void pairs(I v, int64_t pair[4]) {  // [audio thread]
    const __m128i low = _mm256_castsi256_si128(v), high = _mm256_extracti128_si256(v, 1);
    pair[0] = _mm_cvtsi128_si64(low);
    pair[1] = _mm_extract_epi64(low, 1);
    pair[2] = _mm_cvtsi128_si64(high);
    pair[3] = _mm_extract_epi64(high, 1);
  }
  static I gather32(const int16_t* samples, I index) {  // [audio thread] eight scalar loads
    // Gathers are microcoded and slow on some cores (Zen 3); scalar loads of the same bytes.
    int64_t pair[4];
    pairs(index, pair);
    int32_t word[kWidth];
    for (int k = 0; k < 4; ++k) {
      std::memcpy(&word[2 * k], samples + static_cast<int32_t>(pair[k]), sizeof(int32_t));
      std::memcpy(&word[2 * k + 1], samples + (pair[k] >> 32), sizeof(int32_t));
    }
    return _mm256_setr_epi32(word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]);
  }
  static I gather16(const int16_t* samples, I index) {  // [audio thread] eight word inserts
    // vpinsrw reads each point from memory into one 128-bit vector; one sign extension.
    int64_t pair[4];
    pairs(index, pair);
    __m128i v = _mm256_castsi256_si128(index);
    v = _mm_insert_epi16(v, samples[static_cast<int32_t>(pair[0])], 0);
    v = _mm_insert_epi16(v, samples[pair[0] >> 32], 1);
    v = _mm_insert_epi16(v, samples[static_cast<int32_t>(pair[1])], 2);
    v = _mm_insert_epi16(v, samples[pair[1] >> 32], 3);
    v = _mm_insert_epi16(v, samples[static_cast<int32_t>(pair[2])], 4);
    v = _mm_insert_epi16(v, samples[pair[2] >> 32], 5);
    v = _mm_insert_epi16(v, samples[static_cast<int32_t>(pair[3])], 6);
    v = _mm_insert_epi16(v, samples[pair[3] >> 32], 7);
    return _mm256_cvtepi16_epi32(v);
  }
  static inline __attribute__((always_inline)) void taps4(const int16_t* samples, I pos, F& sm1, F& s0, F& s1, F& s2) {  // [audio thread]
    // One 8-byte load per lane holds its four points (samples[pos - 1 .. pos + 2], the
    // same bytes two pair gathers read): gathers are microcoded and slow on some cores
    // (Zen 3). The indices come out as 64-bit pairs (four extractions, not eight), split
    // in scalar. Each load is two int32 (pos - 1, pos) and (pos + 1, pos + 2); a 4x2
    // int32 transpose in each 128-bit half puts the lanes' first and second pairs in one
    // vector each, and lo16/hi16 take the points out.
    int64_t pair[4];
    pairs(pos, pair);
    __m128i row[kWidth];
    for (int k = 0; k < 4; ++k) {
      row[2 * k] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(samples + static_cast<int32_t>(pair[k]) - 1));
      row[2 * k + 1] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(samples + (pair[k] >> 32) - 1));
    }
    // Lanes 0..3 in the low half, 4..7 in the high half: a01 b01 a23 b23 | e01 f01 e23 f23
    const I abef = _mm256_set_m128i(_mm_unpacklo_epi32(row[4], row[5]), _mm_unpacklo_epi32(row[0], row[1]));
    const I cdgh = _mm256_set_m128i(_mm_unpacklo_epi32(row[6], row[7]), _mm_unpacklo_epi32(row[2], row[3]));
    const I first = _mm256_unpacklo_epi64(abef, cdgh);   // a01 b01 c01 d01 | e01 .. h01
    const I second = _mm256_unpackhi_epi64(abef, cdgh);  // a23 b23 c23 d23 | e23 .. h23
    sm1 = toFloat(lo16(first));
    s0 = toFloat(hi16(first));
    s1 = toFloat(lo16(second));
    s2 = toFloat(hi16(second));
  }
};

template <int Interp, bool Filter, int Sends, bool Wrap>
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
