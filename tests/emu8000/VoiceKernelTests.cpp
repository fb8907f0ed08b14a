// Every voice kernel this build holds and this CPU runs, against the generic kernel on the
// same synthetic voices (emu8000/VoiceKernelCheck.h): every interpolation, filter on and
// off, no sends / reverb only / both, the plain and the loop-aware paths, looping and one-shot voices,
// 200 blocks each. They may differ only by rounding: kKernelTolerance (-80 dB of full scale).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

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
    CHECK(c.samplesCompared == 3u * 2u * kSendVariants * 200u * 4u * kControlBlockFrames);
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

// Two groups through a two-group kernel add to the buses exactly what the same kernel set
// adds rendering them one after the other: the synth's output does not depend on which
// groups it pairs. Bit for bit, on every variant.
TEST_CASE("a two-group kernel sums the same bits as its kernel set one group at a time", "[kernel]") {
  int tablesWithPairs = 0;
  for (const VoiceKernelTable* table : supportedVoiceKernels()) {
    if (table->pair[0][0][0] == nullptr) continue;
    ++tablesWithPairs;
    INFO("kernel " << table->isa);
    for (int interpolation = 0; interpolation < 3; ++interpolation) {
      for (int filter = 0; filter < 2; ++filter) {
        for (int sends = 0; sends < kSendVariants; ++sends) {
          INFO("interpolation " << interpolation << ", filter " << filter << ", sends " << sends);
          KernelWorkload paired(64, 23), single(64, 23);
          for (KernelWorkload* w : {&paired, &single}) {
            w->interpolation = interpolation;
            w->filter = filter == 1;
            w->sends = sends;
          }
          single.pairs = false;
          bool same = true;
          for (int block = 0; block < 100 && same; ++block) {
            paired.renderBlock(*table);
            single.renderBlock(*table);
            same = std::memcmp(paired.left.data(), single.left.data(), paired.left.size() * sizeof(float)) == 0 &&
                   std::memcmp(paired.right.data(), single.right.data(), paired.right.size() * sizeof(float)) == 0 &&
                   std::memcmp(paired.reverb.data(), single.reverb.data(), paired.reverb.size() * sizeof(float)) == 0 &&
                   std::memcmp(paired.chorus.data(), single.chorus.data(), paired.chorus.size() * sizeof(float)) == 0;
          }
          CHECK(same);
        }
      }
    }
  }
  if (tablesWithPairs == 0) WARN("no kernel set this CPU runs has a two-group kernel (AVX-512 has): nothing to compare");
}

TEST_CASE("the kernel check sees a wrong kernel", "[kernel]") {
  // A kernel set whose cubic, filtered path drops the last sample of every block must fail.
  static VoiceKernelTable broken = genericVoiceKernels();
  broken.isa = "broken";
  static VoiceKernelFn original = genericVoiceKernels().fn[2][1][kSendsBoth][0];
  broken.fn[2][1][kSendsBoth][0] = [](LaneGroup& g, const int16_t* samples, int frames, float* acc, int busStride) {
    original(g, samples, frames > 1 ? frames - 1 : frames, acc, busStride);
  };
  CHECK(compareVoiceKernels(broken, genericVoiceKernels()).maxError > kKernelTolerance);
}

// The synth renders a group whose lanes all have an open filter (identity coefficients,
// state run out to zeros) without the filter, and leaves out a send bus no lane sends to.
// That is only a saving if no sum changes: the skipping kernels must give the same bits.
TEST_CASE("an open filter and a zero send change no bit: the kernels that skip them sum the same", "[kernel]") {
  std::vector<int16_t> samples(8192);
  uint32_t seed = 12345;
  for (int16_t& x : samples) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<int16_t>(seed >> 16);
  }
  auto openGroup = [](float reverbSend) {
    LaneGroup g{};
    for (int l = 0; l < kLanes; ++l) {
      g.pos[l] = 64 + 700 * l;
      g.frac[l] = 0.125f * static_cast<float>(l);
      g.inc[l] = 0.45f + 0.31f * static_cast<float>(l);
      g.limit[l] = g.endClamp[l] = kNoLimit;
      g.floor[l] = kNoFloor;
      g.gain[l] = 0.2f + 0.05f * static_cast<float>(l);
      g.gainStep[l] = -0.001f;
      g.panLeft[l] = 0.3f + 0.05f * static_cast<float>(l);
      g.panRight[l] = 0.7f - 0.05f * static_cast<float>(l);
      g.sendReverb[l] = l % 3 == 0 ? 0.0f : reverbSend;
      g.b0[l] = 1.0f;  // the identity; the rest and the state are zeros
    }
    return g;
  };
  for (const VoiceKernelTable* table : supportedVoiceKernels()) {
    for (int interpolation = 0; interpolation < 3; ++interpolation) {
      INFO("kernel " << table->isa << ", interpolation " << interpolation);
      const auto& fn = table->fn[interpolation];
      for (float reverbSend : {0.4f, 0.0f}) {
        const int skipping = reverbSend != 0.0f ? kSendsReverb : kSendsNone;
        LaneGroup full = openGroup(reverbSend), skipped = openGroup(reverbSend);
        alignas(32) float accFull[kBusCount * kControlBlockFrames * kLanes] = {};
        alignas(32) float accSkipped[kBusCount * kControlBlockFrames * kLanes] = {};
        for (int block = 0; block < 4; ++block) {
          fn[1][kSendsBoth][0](full, samples.data(), kControlBlockFrames, accFull, kControlBlockFrames);
          fn[0][skipping][0](skipped, samples.data(), kControlBlockFrames, accSkipped, kControlBlockFrames);
        }
        CHECK(std::memcmp(accFull, accSkipped, sizeof(accFull)) == 0);
        CHECK(std::memcmp(full.pos, skipped.pos, sizeof(full.pos)) == 0);
        CHECK(std::memcmp(full.gain, skipped.gain, sizeof(full.gain)) == 0);
        float peak = 0.0f;
        for (float x : accFull) peak = std::max(peak, std::fabs(x));
        CHECK(peak > 1000.0f);  // int16 scale: the voices did sound
      }
    }
  }
}
