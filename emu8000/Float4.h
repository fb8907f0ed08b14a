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
inline UInt4 load4(const uint32_t* p) noexcept {  // [audio thread]
  UInt4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(uint32_t* p, UInt4 v) noexcept { std::memcpy(p, &v, sizeof v); }  // [audio thread]

}  // namespace awe
