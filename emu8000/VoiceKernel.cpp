// The portable voice kernel (plain per-lane loops the compiler may vectorise with the
// baseline ISA) and the run-time choice of kernel set.
#include "emu8000/VoiceKernel.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace awe {

#if defined(AWE_HAVE_KERNEL_Avx2)
const VoiceKernelTable& avx2VoiceKernels();  // VoiceKernelAvx2.cpp
#endif

namespace {

template <int Interp, bool Filter, bool Sends, bool Wrap>
void renderGroupGeneric(LaneGroup& g, const int16_t* samples, int frames, float* acc,
                        int busStride) {  // [audio thread]
  for (int l = 0; l < kLanes; ++l) {
    int32_t pos = g.pos[l];
    int32_t base = pos;  // position = base + floor(t), frac = t - floor(t), as in the SIMD kernels
    float t = g.frac[l];
    float frac = t;
    float gain = g.gain[l];
    float z1 = g.z1[l], z2 = g.z2[l];
    const float inc = g.inc[l], step = g.gainStep[l];
    for (int s = 0; s < frames; ++s) {
      auto tap = [&](int k) -> float {
        int32_t index = pos + k;
        if (Wrap) {
          if (k < 0 && index < g.floor[l]) index += g.wrap[l];
          if (k > 0 && index >= g.limit[l]) index -= g.wrap[l];
        }
        return static_cast<float>(samples[index]);
      };
      float x;
      if (Interp == 2) {
        const float sm1 = tap(-1), s0 = tap(0), s1 = tap(1), s2 = tap(2);
        const float c1 = 0.5f * (s1 - sm1);
        const float c2 = sm1 - 2.5f * s0 + 2.0f * s1 - 0.5f * s2;
        const float c3 = 0.5f * (s2 - sm1) + 1.5f * (s0 - s1);
        x = ((c3 * frac + c2) * frac + c1) * frac + s0;
      } else if (Interp == 1) {
        const float s0 = tap(0), s1 = tap(1);
        x = s0 + frac * (s1 - s0);
      } else {
        x = tap(0);
      }
      if (Wrap && pos >= g.limit[l]) x = 0.0f;  // one-shot past its end
      float y = x;
      if (Filter) {
        y = g.b0[l] * x + z1;
        z1 = g.b1[l] * x - g.a1[l] * y + z2;
        z2 = g.b2[l] * x - g.a2[l] * y;
      }
      gain += step;  // the ramp lands on the block's target gain at its last sample
      y *= gain;
      acc[(kBusLeft * busStride + s) * kLanes + l] += y * g.panLeft[l];
      acc[(kBusRight * busStride + s) * kLanes + l] += y * g.panRight[l];
      if (Sends) {
        acc[(kBusReverb * busStride + s) * kLanes + l] += y * g.sendReverb[l];
        acc[(kBusChorus * busStride + s) * kLanes + l] += y * g.sendChorus[l];
      }
      t += inc;
      const float whole = std::floor(t);
      pos = base + static_cast<int32_t>(whole);
      frac = t - whole;
      if (Wrap) {
        if (pos >= g.limit[l]) {
          pos -= g.wrap[l];
          base -= g.wrap[l];
        }
        if (pos > g.endClamp[l]) {
          base -= pos - g.endClamp[l];
          pos = g.endClamp[l];
        }
      }
    }
    g.pos[l] = pos;
    g.frac[l] = frac;
    g.gain[l] = gain;
    g.z1[l] = z1;
    g.z2[l] = z2;
  }
}

void foldBusesGeneric(float* acc, int frames, float* left, float* right, float* reverb, float* chorus) {
  float* outs[kBusCount] = {left, right, reverb, chorus};
  for (int b = 0; b < kBusCount; ++b) {
    float* bus = acc + b * frames * kLanes;
    for (int s = 0; s < frames; ++s) {
      float sum = 0.0f;
      for (int l = 0; l < kLanes; ++l) {
        sum += bus[s * kLanes + l];
        bus[s * kLanes + l] = 0.0f;
      }
      outs[b][s] = sum;
    }
  }
}

template <int I, bool F, bool S>
void fillWrap(VoiceKernelTable& t) {
  t.fn[I][F][S][0] = &renderGroupGeneric<I, F, S, false>;
  t.fn[I][F][S][1] = &renderGroupGeneric<I, F, S, true>;
}
template <int I, bool F>
void fillSends(VoiceKernelTable& t) {
  fillWrap<I, F, false>(t);
  fillWrap<I, F, true>(t);
}
template <int I>
void fillFilter(VoiceKernelTable& t) {
  fillSends<I, false>(t);
  fillSends<I, true>(t);
}

VoiceKernelTable makeGenericTable() {
  VoiceKernelTable t{};
  t.isa = "generic";
  t.fold = &foldBusesGeneric;
  fillFilter<0>(t);
  fillFilter<1>(t);
  fillFilter<2>(t);
  return t;
}

}  // namespace

const VoiceKernelTable& genericVoiceKernels() {
  static const VoiceKernelTable table = makeGenericTable();
  return table;
}

std::vector<const VoiceKernelTable*> supportedVoiceKernels() {
  std::vector<const VoiceKernelTable*> tables{&genericVoiceKernels()};
#if defined(AWE_HAVE_KERNEL_Avx2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) tables.push_back(&avx2VoiceKernels());
#endif
  return tables;
}

const VoiceKernelTable& voiceKernels() {
  static const VoiceKernelTable* chosen = [] {
    const char* force = std::getenv("AWE_KERNEL");  // "generic" forces the portable kernel
    if (force != nullptr && std::strcmp(force, "generic") == 0) return &genericVoiceKernels();
#if defined(AWE_HAVE_KERNEL_Avx2)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &avx2VoiceKernels();
#endif
    return &genericVoiceKernels();
  }();
  return *chosen;
}

}  // namespace awe
