#pragma once
// Four floats (or four int32) as one SIMD register: SSE on x86-64, NEON on ARM, through the
// GCC/Clang vector extensions. Operators work per element, scalars broadcast, comparisons
// give 0 / -1 per element and `?:` picks per element; a cast between the two types keeps
// the bits.
#include <cstdint>
#include <cstring>

namespace awe {

using Float4 = float __attribute__((vector_size(16)));
using Int4 = int32_t __attribute__((vector_size(16)));

inline Float4 load4(const float* p) noexcept {  // [audio thread]
  Float4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, Float4 v) noexcept { std::memcpy(p, &v, sizeof v); }  // [audio thread]

}  // namespace awe
