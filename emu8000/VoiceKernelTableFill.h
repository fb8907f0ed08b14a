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

// Whether the struct names `pair<Interp, Filter, Sends>` (two-group kernels) and
// `pairSplit<Interp, Filter, Sends>` (two groups split into plain and loop-aware parts).
template <typename Kernels, typename = void>
struct HasPairKernels : std::false_type {};
template <typename Kernels>
struct HasPairKernels<Kernels, std::void_t<decltype(Kernels::template pair<0, false, kSendsNone>)>>
    : std::true_type {};
template <typename Kernels, typename = void>
struct HasPairSplitKernels : std::false_type {};
template <typename Kernels>
struct HasPairSplitKernels<Kernels, std::void_t<decltype(Kernels::template pairSplit<0, false, kSendsNone>)>>
    : std::true_type {};

// Every slot of one [interpolation][filter][sends] variant.
template <typename Kernels, int I, bool F, int S>
void fillVoiceKernelVariant(VoiceKernelTable& t) {
  t.fn[I][F][S][0] = Kernels::template fn<I, F, S, false>;
  t.fn[I][F][S][1] = Kernels::template fn<I, F, S, true>;
  if constexpr (HasPairKernels<Kernels>::value) t.pair[I][F][S] = Kernels::template pair<I, F, S>;
  if constexpr (HasPairSplitKernels<Kernels>::value) t.pairSplit[I][F][S] = Kernels::template pairSplit<I, F, S>;
}
template <typename Kernels, int I, bool F>
void fillVoiceKernelSends(VoiceKernelTable& t) {
  fillVoiceKernelVariant<Kernels, I, F, kSendsNone>(t);
  fillVoiceKernelVariant<Kernels, I, F, kSendsReverb>(t);
  fillVoiceKernelVariant<Kernels, I, F, kSendsBoth>(t);
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

}  // namespace
}  // namespace awe
