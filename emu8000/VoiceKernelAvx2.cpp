// The AVX2+FMA voice kernel: eight voices per register. Compiled with -mavx2 -mfma and
// chosen at run time (VoiceKernel.cpp), so nothing here may be called on other CPUs.
// Only intrinsics and functions with internal linkage live in this file.
#include "emu8000/VoiceKernel.h"
#include "emu8000/VoiceKernelLanes8.h"

static_assert(awe::kLanes == 8, "the AVX2 kernel holds 8 lanes per register");

namespace awe {
namespace {

// The whole kernel is the shared eight-lane body (VoiceKernelLanes8.h).
template <int I, bool F, bool S>
void fillWrap(VoiceKernelTable& t) {
  t.fn[I][F][S][0] = &renderGroupLanes8<I, F, S, false>;
  t.fn[I][F][S][1] = &renderGroupLanes8<I, F, S, true>;
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

VoiceKernelTable makeAvx2Table() {
  VoiceKernelTable t{};
  t.isa = "avx2";
  t.fold = &foldBusesLanes8;
  fillFilter<0>(t);
  fillFilter<1>(t);
  fillFilter<2>(t);
  return t;
}

}  // namespace

const VoiceKernelTable& avx2VoiceKernels() {
  static const VoiceKernelTable table = makeAvx2Table();
  return table;
}

}  // namespace awe
