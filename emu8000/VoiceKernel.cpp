// The portable voice kernel (plain per-lane loops the compiler may vectorise with the
// baseline ISA) and the run-time choice of kernel set.
#include "emu8000/VoiceKernel.h"
#include "emu8000/VoiceKernelTableFill.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace awe {

#if defined(AWE_HAVE_KERNEL_Sse2)
const VoiceKernelTable& sse2VoiceKernels();  // VoiceKernelSse2.cpp
#endif
#if defined(AWE_HAVE_KERNEL_Avx2)
const VoiceKernelTable& avx2VoiceKernels();  // VoiceKernelAvx2.cpp
#endif
#if defined(AWE_HAVE_KERNEL_Avx512)
const VoiceKernelTable& avx512VoiceKernels();  // VoiceKernelAvx512.cpp
#endif

namespace {

template <int Interp, bool Filter, int Sends, bool Wrap>
void renderGroupGeneric(LaneGroup& g, const int16_t* samples, int frames, float* acc,
                        int busStride) {  // [audio thread]
  // Written for the compiler's vectoriser: the lanes are the inner loops (one SIMD lane per
  // voice), no branch depends on a lane's data (selects instead), and the position's
  // whole part is a truncation (t is never negative), which every SIMD unit converts.
  alignas(32) int32_t pos[kLanes], base[kLanes];
  alignas(32) float t[kLanes], frac[kLanes], gain[kLanes], z1[kLanes], z2[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    pos[l] = base[l] = g.pos[l];  // position = base + floor(t), frac = t - floor(t)
    t[l] = frac[l] = g.frac[l];
    gain[l] = g.gain[l];
    z1[l] = g.z1[l];
    z2[l] = g.z2[l];
  }
  for (int s = 0; s < frames; ++s) {
    alignas(32) float tap[4][kLanes];  // the points at pos - 1, pos, pos + 1, pos + 2
    constexpr int kFirst = Interp == 2 ? -1 : 0;
    constexpr int kLast = Interp == 2 ? 2 : Interp;
    for (int k = kFirst; k <= kLast; ++k) {
      for (int l = 0; l < kLanes; ++l) {
        int32_t index = pos[l] + k;
        if (Wrap) {
          if (k < 0) index += index < g.floor[l] ? g.wrap[l] : 0;
          if (k > 0) index -= index >= g.limit[l] ? g.wrap[l] : 0;
        }
        tap[k + 1][l] = static_cast<float>(samples[index]);
      }
    }
    float* busL = acc + (kBusLeft * busStride + s) * kLanes;
    float* busR = acc + (kBusRight * busStride + s) * kLanes;
    float* busRev = acc + (kBusReverb * busStride + s) * kLanes;
    float* busCho = acc + (kBusChorus * busStride + s) * kLanes;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC ivdep
#endif
    for (int l = 0; l < kLanes; ++l) {
      float x;
      if (Interp == 2) {
        const float sm1 = tap[0][l], s0 = tap[1][l], s1 = tap[2][l], s2 = tap[3][l];
        const float c1 = 0.5f * (s1 - sm1);
        const float c2 = sm1 - 2.5f * s0 + 2.0f * s1 - 0.5f * s2;
        const float c3 = 0.5f * (s2 - sm1) + 1.5f * (s0 - s1);
        x = ((c3 * frac[l] + c2) * frac[l] + c1) * frac[l] + s0;
      } else if (Interp == 1) {
        x = tap[1][l] + frac[l] * (tap[2][l] - tap[1][l]);
      } else {
        x = tap[1][l];
      }
      if (Wrap) x *= static_cast<float>(pos[l] < g.limit[l]);  // one-shot past its end: silent
      float y = x;
      if (Filter) {
        y = g.b0[l] * x + z1[l];
        z1[l] = g.b1[l] * x - g.a1[l] * y + z2[l];
        z2[l] = g.b2[l] * x - g.a2[l] * y;
      }
      gain[l] += g.gainStep[l];  // the ramp lands on the block's target gain at its last sample
      y *= gain[l];
      busL[l] += y * g.panLeft[l];
      busR[l] += y * g.panRight[l];
      if (Sends >= kSendsReverb) busRev[l] += y * g.sendReverb[l];
      if (Sends == kSendsBoth) busCho[l] += y * g.sendChorus[l];
    }
    for (int l = 0; l < kLanes; ++l) {
      t[l] += g.inc[l];
      const int32_t whole = static_cast<int32_t>(t[l]);
      int32_t p = base[l] + whole;
      frac[l] = t[l] - static_cast<float>(whole);
      if (Wrap) {
        const int32_t back = p >= g.limit[l] ? g.wrap[l] : 0;
        p -= back;
        base[l] -= back;
        // A one-shot lane past its end stays there: freeze its position.
        const int32_t over = p > g.endClamp[l] ? p - g.endClamp[l] : 0;
        base[l] -= over;
        p -= over;
      }
      pos[l] = p;
    }
  }
  for (int l = 0; l < kLanes; ++l) {
    g.pos[l] = pos[l];
    g.frac[l] = frac[l];
    g.gain[l] = gain[l];
    g.z1[l] = z1[l];
    g.z2[l] = z2[l];
  }
}

// [audio thread]
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

struct GenericKernels {
  template <int I, bool F, int S, bool W>
  static constexpr VoiceKernelFn fn = &renderGroupGeneric<I, F, S, W>;
};

VoiceKernelTable makeGenericTable() { return makeVoiceKernelTable<GenericKernels>("generic", &foldBusesGeneric); }

}  // namespace

const VoiceKernelTable& genericVoiceKernels() {
  static const VoiceKernelTable table = makeGenericTable();
  return table;
}

std::vector<const VoiceKernelTable*> supportedVoiceKernels() {
  std::vector<const VoiceKernelTable*> tables{&genericVoiceKernels()};
#if defined(AWE_HAVE_KERNEL_Sse2)
  tables.push_back(&sse2VoiceKernels());  // every x86-64 has SSE2
#endif
#if defined(AWE_HAVE_KERNEL_Avx2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) tables.push_back(&avx2VoiceKernels());
#endif
#if defined(AWE_HAVE_KERNEL_Avx512)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    tables.push_back(&avx512VoiceKernels());
#endif
  return tables;
}

const VoiceKernelTable& voiceKernels() {
  static const VoiceKernelTable* chosen = [] {
    const std::vector<const VoiceKernelTable*> tables = supportedVoiceKernels();
    // AWE_KERNEL=generic|sse2|avx2|avx512 picks that kernel when this build has it and the CPU runs it;
    // otherwise (unset, unknown, unsupported) the best one.
    if (const char* force = std::getenv("AWE_KERNEL")) {
      for (const VoiceKernelTable* t : tables)
        if (std::strcmp(force, t->isa) == 0) return t;
    }
    return tables.back();
  }();
  return *chosen;
}

}  // namespace awe
