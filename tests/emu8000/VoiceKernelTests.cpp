// Every voice kernel this build holds and this CPU runs, against the generic kernel on the
// same synthetic voices (emu8000/VoiceKernelCheck.h): every interpolation, filter on and
// off, sends on and off, the plain and the loop-aware paths, looping and one-shot voices,
// 200 blocks each. They may differ only by rounding: kKernelTolerance (-80 dB of full scale).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>

#include "emu8000/VoiceKernel.h"
#include "emu8000/VoiceKernelCheck.h"

using namespace awe;

TEST_CASE("every voice kernel the CPU runs matches the generic kernel", "[kernel]") {
  const std::vector<const VoiceKernelTable*> tables = supportedVoiceKernels();
  REQUIRE(!tables.empty());
  CHECK(std::strcmp(tables.front()->isa, "generic") == 0);
  for (const VoiceKernelTable* table : tables) {
    INFO("kernel " << table->isa);
    const KernelComparison c = compareVoiceKernels(*table, genericVoiceKernels());
    CHECK(c.samplesCompared == 3u * 2u * 2u * 200u * 4u * kControlBlockFrames);
    CHECK(c.maxError <= kKernelTolerance);
  }
#if defined(__x86_64__)
  // Every x86-64 runs SSE2: that kernel is always there, chosen at least over generic.
  bool sse2Listed = false;
  for (const VoiceKernelTable* table : tables) sse2Listed = sse2Listed || std::strcmp(table->isa, "sse2") == 0;
  CHECK(sse2Listed);
  if (std::getenv("AWE_KERNEL") == nullptr) CHECK(std::strcmp(voiceKernels().isa, "generic") != 0);
#endif
  // The chosen kernel is one of them (AWE_KERNEL may pick any; unset, the last: the best).
  bool chosenListed = false;
  for (const VoiceKernelTable* table : tables) chosenListed = chosenListed || table == &voiceKernels();
  CHECK(chosenListed);
}

TEST_CASE("the kernel check sees a wrong kernel", "[kernel]") {
  // A kernel set whose cubic, filtered path drops the last sample of every block must fail.
  static VoiceKernelTable broken = genericVoiceKernels();
  broken.isa = "broken";
  static VoiceKernelFn original = genericVoiceKernels().fn[2][1][1][0];
  broken.fn[2][1][1][0] = [](LaneGroup& g, const int16_t* samples, int frames, float* acc, int busStride) {
    original(g, samples, frames > 1 ? frames - 1 : frames, acc, busStride);
  };
  CHECK(compareVoiceKernels(broken, genericVoiceKernels()).maxError > kKernelTolerance);
}
