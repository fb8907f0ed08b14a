#pragma once
// Four floats (or four int32) as one SIMD register: SSE on x86-64, NEON on ARM, through the
// GCC/Clang vector extensions. Operators work per element, scalars broadcast, comparisons
// give 0 / -1 per element and `?:` picks per element; a cast between the two types keeps
// the bits.
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace awe {

using Float4 = float __attribute__((vector_size(16)));
using Int4 = int32_t __attribute__((vector_size(16)));
using UInt4 = uint32_t __attribute__((vector_size(16)));  // wraps modulo 2^32, as uint32_t does

inline Float4 load4(const float* p) noexcept {  // [audio thread]
  Float4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, Float4 v) noexcept { std::memcpy(p, &v, sizeof v); }  // [audio thread]
// Bit k set where element k of a comparison's result is true (-1).
inline uint32_t laneBits(Int4 mask) noexcept {  // [audio thread]
#if defined(__SSE2__)
  return static_cast<uint32_t>(_mm_movemask_ps(reinterpret_cast<__m128>(mask)));
#else
  uint32_t bits = 0;
  for (int k = 0; k < 4; ++k) bits |= static_cast<uint32_t>(mask[k] & 1) << k;
  return bits;
#endif
}
// The other way: element k all ones (-1) where bit k of `bits` is set, else 0.
inline Int4 laneMask(uint32_t bits) noexcept {  // [audio thread]
  return (Int4{1, 2, 4, 8} & static_cast<int32_t>(bits & 0xFu)) != 0;
}
// Element k: float(min(double(x[k]) * factor[k], ceiling[k])), the product in double and
// rounded once, as the scalar expression does it.
inline Float4 scaledUnder(Float4 x, const double* factor, const double* ceiling) noexcept {  // [audio thread]
#if defined(__SSE2__)
  const __m128 xs = reinterpret_cast<__m128>(x);
  // _mm_min_pd(a, b) is a < b ? a : b, as std::min(b, a) picks.
  const __m128d low = _mm_min_pd(_mm_loadu_pd(ceiling), _mm_mul_pd(_mm_cvtps_pd(xs), _mm_loadu_pd(factor)));
  const __m128d high = _mm_min_pd(_mm_loadu_pd(ceiling + 2),
                                  _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(xs, xs)), _mm_loadu_pd(factor + 2)));
  return reinterpret_cast<Float4>(_mm_movelh_ps(_mm_cvtpd_ps(low), _mm_cvtpd_ps(high)));
#else
  Float4 out;
  for (int k = 0; k < 4; ++k) {
    const double scaled = static_cast<double>(x[k]) * factor[k];
    out[k] = static_cast<float>(ceiling[k] < scaled ? ceiling[k] : scaled);
  }
  return out;
#endif
}
inline Int4 load4(const int32_t* p) noexcept {  // [audio thread]
  Int4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(int32_t* p, Int4 v) noexcept { std::memcpy(p, &v, sizeof v); }  // [audio thread]
inline UInt4 load4(const uint32_t* p) noexcept {  // [audio thread]
  UInt4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(uint32_t* p, UInt4 v) noexcept { std::memcpy(p, &v, sizeof v); }  // [audio thread]

}  // namespace awe
