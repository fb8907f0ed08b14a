#pragma once
// Fills a VoiceKernelTable with one kernel instantiation per [interpolation][filter]
// [sends][loop-aware] slot: the one dispatch table every kernel file (generic, AVX2,
// AVX-512, ...) builds. A kernel file names its render function template through a struct
// with a member variable template `fn<Interp, Filter, Sends, Wrap>` (Sends: kSendsNone..kSendsBoth) and calls
// makeVoiceKernelTable<ThatStruct>(isa, fold). Everything here has internal linkage, so
// each kernel file gets its own copy built for its own instruction set.
#include "emu8000/VoiceKernel.h"

namespace awe {
namespace {

template <typename Kernels, int I, bool F, int S>
void fillVoiceKernelWrap(VoiceKernelTable& t) {
  t.fn[I][F][S][0] = Kernels::template fn<I, F, S, false>;
  t.fn[I][F][S][1] = Kernels::template fn<I, F, S, true>;
}
template <typename Kernels, int I, bool F>
void fillVoiceKernelSends(VoiceKernelTable& t) {
  fillVoiceKernelWrap<Kernels, I, F, kSendsNone>(t);
  fillVoiceKernelWrap<Kernels, I, F, kSendsReverb>(t);
  fillVoiceKernelWrap<Kernels, I, F, kSendsBoth>(t);
}
template <typename Kernels, int I>
void fillVoiceKernelFilter(VoiceKernelTable& t) {
  fillVoiceKernelSends<Kernels, I, false>(t);
  fillVoiceKernelSends<Kernels, I, true>(t);
}

template <typename Kernels>
VoiceKernelTable makeVoiceKernelTable(const char* isa, BusFoldFn fold) {
  VoiceKernelTable t{};
  t.isa = isa;
  t.fold = fold;
  fillVoiceKernelFilter<Kernels, 0>(t);
  fillVoiceKernelFilter<Kernels, 1>(t);
  fillVoiceKernelFilter<Kernels, 2>(t);
  return t;
}

template <typename Kernels, int I>
void fillPairKernelsFrom(VoiceKernelTable& t) {
  t.pair[I][0][kSendsNone] = Kernels::template pair<I, false, kSendsNone>;
  t.pair[I][0][kSendsReverb] = Kernels::template pair<I, false, kSendsReverb>;
  t.pair[I][0][kSendsBoth] = Kernels::template pair<I, false, kSendsBoth>;
  t.pair[I][1][kSendsNone] = Kernels::template pair<I, true, kSendsNone>;
  t.pair[I][1][kSendsReverb] = Kernels::template pair<I, true, kSendsReverb>;
  t.pair[I][1][kSendsBoth] = Kernels::template pair<I, true, kSendsBoth>;
}

// The two-group kernels of a kernel set that has them: `Kernels::pair<Interp, Filter, Sends>`.
template <typename Kernels>
void fillPairKernels(VoiceKernelTable& t) {
  fillPairKernelsFrom<Kernels, 0>(t);
  fillPairKernelsFrom<Kernels, 1>(t);
  fillPairKernelsFrom<Kernels, 2>(t);
}

}  // namespace
}  // namespace awe
