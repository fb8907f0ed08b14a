#pragma once
// The eight-lane (256-bit) voice kernel body, one sample at a time, and the bus fold:
// shared by the AVX2 kernel (where it is the whole kernel) and the AVX-512 kernel (its
// loop-aware path and odd last sample). Included only by kernel files compiled with AVX2
// (or wider) flags; everything here has internal linkage, so each includer gets its own
// copy built for its own instruction set.
#include <immintrin.h>

#include "emu8000/VoiceKernel.h"

namespace awe {
namespace {

inline __m256i lo16(__m256i v) { return _mm256_srai_epi32(_mm256_slli_epi32(v, 16), 16); }  // [audio thread]
inline __m256i hi16(__m256i v) { return _mm256_srai_epi32(v, 16); }  // [audio thread]
inline __m256i gather32(const int16_t* samples, __m256i index) {  // [audio thread]
  // Four bytes at samples[index]: the sample at index in the low half, index+1 in the high.
  return _mm256_i32gather_epi32(reinterpret_cast<const int*>(samples), index, 2);
}
inline __m256 tapWrapped(const int16_t* samples, __m256i pos, int k, __m256i limit, __m256i wrap,  // [audio thread]
                         __m256i floor) {
  __m256i t = _mm256_add_epi32(pos, _mm256_set1_epi32(k));
  if (k < 0) {
    const __m256i under = _mm256_cmpgt_epi32(floor, t);
    t = _mm256_add_epi32(t, _mm256_and_si256(under, wrap));
  } else if (k > 0) {
    const __m256i over = _mm256_cmpgt_epi32(t, _mm256_sub_epi32(limit, _mm256_set1_epi32(1)));
    t = _mm256_sub_epi32(t, _mm256_and_si256(over, wrap));
  }
  return _mm256_cvtepi32_ps(lo16(gather32(samples, t)));
}

template <int Interp, bool Filter, bool Sends, bool Wrap>
void renderGroupLanes8(LaneGroup& g, const int16_t* samples, int frames, float* acc,
                        int busStride) {  // [audio thread]
  __m256i pos = _mm256_load_si256(reinterpret_cast<const __m256i*>(g.pos));
  __m256 frac = _mm256_load_ps(g.frac);
  __m256i base = pos;  // position = base + floor(t), frac = t - floor(t)
  __m256 t = frac;
  const __m256 inc = _mm256_load_ps(g.inc);
  __m256 gain = _mm256_load_ps(g.gain);
  const __m256 gainStep = _mm256_load_ps(g.gainStep);
  const __m256 panL = _mm256_load_ps(g.panLeft), panR = _mm256_load_ps(g.panRight);
  const __m256 sendR = _mm256_load_ps(g.sendReverb), sendC = _mm256_load_ps(g.sendChorus);
  const __m256 b0 = _mm256_load_ps(g.b0), b1 = _mm256_load_ps(g.b1), b2 = _mm256_load_ps(g.b2);
  const __m256 a1 = _mm256_load_ps(g.a1), a2 = _mm256_load_ps(g.a2);
  __m256 z1 = _mm256_load_ps(g.z1), z2 = _mm256_load_ps(g.z2);
  const __m256i limit = _mm256_load_si256(reinterpret_cast<const __m256i*>(g.limit));
  const __m256i wrap = _mm256_load_si256(reinterpret_cast<const __m256i*>(g.wrap));
  const __m256i floor = _mm256_load_si256(reinterpret_cast<const __m256i*>(g.floor));
  const __m256i endClamp = _mm256_load_si256(reinterpret_cast<const __m256i*>(g.endClamp));
  const __m256 half = _mm256_set1_ps(0.5f), onePointFive = _mm256_set1_ps(1.5f);
  const __m256 two = _mm256_set1_ps(2.0f), twoPointFive = _mm256_set1_ps(2.5f);

  float* busL = acc + kBusLeft * busStride * kLanes;
  float* busR = acc + kBusRight * busStride * kLanes;
  float* busRev = acc + kBusReverb * busStride * kLanes;
  float* busCho = acc + kBusChorus * busStride * kLanes;

  for (int s = 0; s < frames; ++s) {
    __m256 x;
    if (Interp == 2) {
      __m256 sm1, s0, s1, s2;
      if (Wrap) {
        sm1 = tapWrapped(samples, pos, -1, limit, wrap, floor);
        s0 = _mm256_cvtepi32_ps(lo16(gather32(samples, pos)));
        s1 = tapWrapped(samples, pos, 1, limit, wrap, floor);
        s2 = tapWrapped(samples, pos, 2, limit, wrap, floor);
      } else {
        const __m256i g0 = gather32(samples, _mm256_sub_epi32(pos, _mm256_set1_epi32(1)));
        const __m256i g1 = gather32(samples, _mm256_add_epi32(pos, _mm256_set1_epi32(1)));
        sm1 = _mm256_cvtepi32_ps(lo16(g0));
        s0 = _mm256_cvtepi32_ps(hi16(g0));
        s1 = _mm256_cvtepi32_ps(lo16(g1));
        s2 = _mm256_cvtepi32_ps(hi16(g1));
      }
      // 4-point Catmull-Rom (cubic Hermite) in Horner form.
      const __m256 c1 = _mm256_mul_ps(half, _mm256_sub_ps(s1, sm1));
      const __m256 c2 = _mm256_fnmadd_ps(half, s2, _mm256_fmadd_ps(two, s1, _mm256_fnmadd_ps(twoPointFive, s0, sm1)));
      const __m256 c3 = _mm256_fmadd_ps(half, _mm256_sub_ps(s2, sm1), _mm256_mul_ps(onePointFive, _mm256_sub_ps(s0, s1)));
      x = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(c3, frac, c2), frac, c1), frac, s0);
    } else if (Interp == 1) {
      __m256 s0, s1;
      if (Wrap) {
        s0 = _mm256_cvtepi32_ps(lo16(gather32(samples, pos)));
        s1 = tapWrapped(samples, pos, 1, limit, wrap, floor);
      } else {
        const __m256i g0 = gather32(samples, pos);
        s0 = _mm256_cvtepi32_ps(lo16(g0));
        s1 = _mm256_cvtepi32_ps(hi16(g0));
      }
      x = _mm256_fmadd_ps(frac, _mm256_sub_ps(s1, s0), s0);
    } else {
      x = _mm256_cvtepi32_ps(lo16(gather32(samples, pos)));
    }
    if (Wrap) {  // one-shot lanes past their end are silent
      const __m256i live = _mm256_cmpgt_epi32(limit, pos);
      x = _mm256_and_ps(x, _mm256_castsi256_ps(live));
    }
    __m256 y = x;
    if (Filter) {
      y = _mm256_fmadd_ps(b0, x, z1);
      z1 = _mm256_fnmadd_ps(a1, y, _mm256_fmadd_ps(b1, x, z2));
      z2 = _mm256_fnmadd_ps(a2, y, _mm256_mul_ps(b2, x));
    }
    // The ramp lands on the block's target gain at its last sample.
    gain = _mm256_add_ps(gain, gainStep);
    y = _mm256_mul_ps(y, gain);

    float* l = busL + s * kLanes;
    float* r = busR + s * kLanes;
    _mm256_store_ps(l, _mm256_fmadd_ps(y, panL, _mm256_load_ps(l)));
    _mm256_store_ps(r, _mm256_fmadd_ps(y, panR, _mm256_load_ps(r)));
    if (Sends) {
      float* rv = busRev + s * kLanes;
      float* ch = busCho + s * kLanes;
      _mm256_store_ps(rv, _mm256_fmadd_ps(y, sendR, _mm256_load_ps(rv)));
      _mm256_store_ps(ch, _mm256_fmadd_ps(y, sendC, _mm256_load_ps(ch)));
    }

    // Position: t runs from the block's starting fraction in steps of inc, so the only
    // chain carried from sample to sample is one add (no floor in the loop-carried path).
    t = _mm256_add_ps(t, inc);
    const __m256 whole = _mm256_round_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    pos = _mm256_add_epi32(base, _mm256_cvttps_epi32(whole));
    frac = _mm256_sub_ps(t, whole);
    if (Wrap) {
      const __m256i over = _mm256_cmpgt_epi32(pos, _mm256_sub_epi32(limit, _mm256_set1_epi32(1)));
      const __m256i back = _mm256_and_si256(over, wrap);
      pos = _mm256_sub_epi32(pos, back);
      base = _mm256_sub_epi32(base, back);
      // A one-shot lane past its end stays there: freeze its position.
      const __m256i clamped = _mm256_min_epi32(pos, endClamp);
      base = _mm256_sub_epi32(base, _mm256_sub_epi32(pos, clamped));
      pos = clamped;
    }
  }
  _mm256_store_si256(reinterpret_cast<__m256i*>(g.pos), pos);
  _mm256_store_ps(g.frac, frac);
  _mm256_store_ps(g.gain, gain);
  _mm256_store_ps(g.z1, z1);
  _mm256_store_ps(g.z2, z2);
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
