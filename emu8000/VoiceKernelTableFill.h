#pragma once
// Fills a VoiceKernelTable with one kernel instantiation per [interpolation][filter]
// [sends][loop-aware] slot: the one dispatch table every kernel file (generic, AVX2,
// AVX-512, ...) builds. A kernel file names its render function template through a struct
// with a member variable template `fn<Interp, Filter, Sends, Wrap>` (Sends: kSendsNone..kSendsBoth),
// and its two-group kernels, if it has them, as `pair<Interp, Filter, Sends>` and (where
// it also has one) `pairSplit<Interp, Filter, Sends>`, and calls
// makeVoiceKernelTable<ThatStruct>(isa, fold). Everything here has internal linkage, so
// each kernel file gets its own copy built for its own instruction set.
#include <type_traits>

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

// The two-group kernels, where the struct also names `pair<Interp, Filter, Sends>`.
template <typename Kernels, typename = void>
struct HasPairKernels : std::false_type {};
template <typename Kernels>
struct HasPairKernels<Kernels, std::void_t<decltype(Kernels::template pair<0, false, kSendsNone>)>>
    : std::true_type {};
template <typename Kernels, int I, bool F>
void fillPairKernelSends(VoiceKernelTable& t) {
  t.pair[I][F][kSendsNone] = Kernels::template pair<I, F, kSendsNone>;
  t.pair[I][F][kSendsReverb] = Kernels::template pair<I, F, kSendsReverb>;
  t.pair[I][F][kSendsBoth] = Kernels::template pair<I, F, kSendsBoth>;
}
template <typename Kernels, int I>
void fillPairKernelFilter(VoiceKernelTable& t) {
  fillPairKernelSends<Kernels, I, false>(t);
  fillPairKernelSends<Kernels, I, true>(t);
}

// The two-group kernels for groups split into a plain and a loop-aware part, where the
// struct also names `pairSplit<Interp, Filter, Sends>`.
template <typename Kernels, typename = void>
struct HasPairSplitKernels : std::false_type {};
template <typename Kernels>
struct HasPairSplitKernels<Kernels, std::void_t<decltype(Kernels::template pairSplit<0, false, kSendsNone>)>>
    : std::true_type {};
template <typename Kernels, int I, bool F>
void fillPairSplitKernelSends(VoiceKernelTable& t) {
  t.pairSplit[I][F][kSendsNone] = Kernels::template pairSplit<I, F, kSendsNone>;
  t.pairSplit[I][F][kSendsReverb] = Kernels::template pairSplit<I, F, kSendsReverb>;
  t.pairSplit[I][F][kSendsBoth] = Kernels::template pairSplit<I, F, kSendsBoth>;
}
template <typename Kernels, int I>
void fillPairSplitKernelFilter(VoiceKernelTable& t) {
  fillPairSplitKernelSends<Kernels, I, false>(t);
  fillPairSplitKernelSends<Kernels, I, true>(t);
}

template <typename Kernels>
VoiceKernelTable makeVoiceKernelTable(const char* isa, BusFoldFn fold) {
  VoiceKernelTable t{};
  t.isa = isa;
  t.fold = fold;
  fillVoiceKernelFilter<Kernels, 0>(t);
  fillVoiceKernelFilter<Kernels, 1>(t);
  fillVoiceKernelFilter<Kernels, 2>(t);
  if constexpr (HasPairKernels<Kernels>::value) {
    fillPairKernelFilter<Kernels, 0>(t);
    fillPairKernelFilter<Kernels, 1>(t);
    fillPairKernelFilter<Kernels, 2>(t);
  }
  if constexpr (HasPairSplitKernels<Kernels>::value) {
    fillPairSplitKernelFilter<Kernels, 0>(t);
    fillPairSplitKernelFilter<Kernels, 1>(t);
    fillPairSplitKernelFilter<Kernels, 2>(t);
  }
  return t;
}

}  // namespace
}  // namespace awe
