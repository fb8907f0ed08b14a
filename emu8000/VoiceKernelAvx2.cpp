// The AVX2+FMA voice kernel: eight voices per register. Compiled with -mavx2 -mfma and
// chosen at run time (VoiceKernel.cpp), so nothing here may be called on other CPUs.
// Only intrinsics and functions with internal linkage live in this file.
#include "emu8000/VoiceKernel.h"
#include "emu8000/VoiceKernelTableFill.h"
#include "emu8000/VoiceKernelLanes8.h"

static_assert(awe::kLanes == 8, "the AVX2 kernel holds 8 lanes per register");

namespace awe {
namespace {

// The whole kernel is the shared eight-lane body (VoiceKernelLanes8.h), with its
// two-group form (VoiceKernelLanes.h).
struct Avx2Kernels {
  template <int I, bool F, int S, bool W>
  static constexpr VoiceKernelFn fn = &renderGroupLanes8<I, F, S, W>;
  template <int I, bool F, int S>
  static constexpr VoicePairKernelFn pair = &renderGroupPairLanes<Lanes8, I, F, S>;
  template <int I, bool F, int S>
  static constexpr VoicePairSplitKernelFn pairSplit = &renderGroupPairSplitLanes<Lanes8, I, F, S>;
};

VoiceKernelTable makeAvx2Table() { return makeVoiceKernelTable<Avx2Kernels>("avx2", &foldBusesLanes8); }

}  // namespace

const VoiceKernelTable& avx2VoiceKernels() {
  static const VoiceKernelTable table = makeAvx2Table();
  return table;
}

}  // namespace awe
