// Every voice kernel this build holds and this CPU runs, against the generic kernel on the
// same synthetic voices (emu8000/VoiceKernelCheck.h): every interpolation, filter on and
// off, no sends / reverb only / both, the plain and the loop-aware paths, looping and one-shot voices,
// 200 blocks each. They may differ only by rounding: kKernelTolerance (-80 dB of full scale).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
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

// Two groups through a two-group kernel (both plain, or each split into its plain and
// loop-aware parts) add to the buses exactly what the same kernel set adds rendering them
// one after the other: the synth's output does not depend on which groups it pairs. Bit
// for bit, on every variant.
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

// The loop-aware kernels render the samples where no lane is near its loop's ends on the
// plain body (VoiceKernelLanes.h, plainRunLanes). Far from every end, a loop-aware call
// must give the plain kernel's bits; near one, it must wrap at the same sample as the
// generic kernel. The bytes past each loop's end are loud, so a wrap taken late is heard.
TEST_CASE("a loop-aware kernel gives the plain kernel's bits far from the loop ends and wraps on time near them",
          "[kernel]") {
  constexpr int kLoopStart = 1000, kLoopEnd = 1300;
  std::vector<int16_t> samples(4096, 30000);  // past the loop end: a late wrap reads these
  for (int i = 0; i < kLoopEnd; ++i) samples[static_cast<size_t>(i)] = static_cast<int16_t>(8000.0 * std::sin(0.07 * i));
  auto group = [&](int32_t pos0, float inc, bool nearEnd) {
    LaneGroup g{};
    for (int l = 0; l < kLanes; ++l) {
      // Lane 3 starts `pos0`; the others mid-loop, where a block cannot reach an end.
      g.pos[l] = l == 3 ? pos0 : kLoopStart + 40 + 3 * l;
      g.frac[l] = 0.1f * static_cast<float>(l);
      g.inc[l] = l == 3 ? inc : 0.5f + 0.25f * static_cast<float>(l);
      setLaneLoop(g, l, true, kLoopStart, nearEnd ? kLoopEnd : kLoopEnd + 2000, 4000);
      g.gain[l] = 1.0f / 32768.0f;
      g.panLeft[l] = 0.5f;
      g.panRight[l] = 0.25f;
      g.sendReverb[l] = 0.125f;
      g.sendChorus[l] = 0.0625f;
      g.b0[l] = 0.3f;
      g.b1[l] = 0.2f;
      g.b2[l] = 0.1f;
      g.a1[l] = -0.4f;
      g.a2[l] = 0.1f;
    }
    return g;
  };
  for (const VoiceKernelTable* table : supportedVoiceKernels()) {
    for (int interpolation = 0; interpolation < 3; ++interpolation) {
      INFO("kernel " << table->isa << ", interpolation " << interpolation);
      const auto& fn = table->fn[interpolation][1][kSendsBoth];
      const auto& reference = genericVoiceKernels().fn[interpolation][1][kSendsBoth];
      // Far from every end: the same bits as the plain kernel, and the same state after.
      {
        LaneGroup plain = group(kLoopStart + 100, 1.7f, false), aware = plain;
        alignas(32) float accPlain[kBusCount * kControlBlockFrames * kLanes] = {};
        alignas(32) float accAware[kBusCount * kControlBlockFrames * kLanes] = {};
        fn[0](plain, samples.data(), kControlBlockFrames, accPlain, kControlBlockFrames);
        fn[1](aware, samples.data(), kControlBlockFrames, accAware, kControlBlockFrames);
        CHECK(std::memcmp(accPlain, accAware, sizeof(accPlain)) == 0);
        CHECK(std::memcmp(plain.pos, aware.pos, sizeof(plain.pos)) == 0);
        CHECK(std::memcmp(plain.frac, aware.frac, sizeof(plain.frac)) == 0);
        CHECK(std::memcmp(plain.z1, aware.z1, sizeof(plain.z1)) == 0);
      }
      // Lane 3 reaching the loop end at every sample of the block, at slow to fast pitches.
      double worst = 0.0;
      for (float inc : {0.37f, 1.0f, 2.3f, 7.9f}) {
        for (int before = 1; before <= static_cast<int>(inc * kControlBlockFrames) + 4; ++before) {
          LaneGroup g = group(kLoopEnd - before, inc, true), r = g;
          alignas(32) float acc[kBusCount * kControlBlockFrames * kLanes] = {};
          alignas(32) float accReference[kBusCount * kControlBlockFrames * kLanes] = {};
          fn[1](g, samples.data(), kControlBlockFrames, acc, kControlBlockFrames);
          reference[1](r, samples.data(), kControlBlockFrames, accReference, kControlBlockFrames);
          for (size_t i = 0; i < std::size(acc); ++i) {
            worst = std::max(worst, std::fabs(static_cast<double>(acc[i]) - static_cast<double>(accReference[i])));
          }
          CHECK(g.pos[3] == r.pos[3]);
          CHECK(g.pos[3] < kLoopEnd);
        }
      }
      CHECK(worst <= kKernelTolerance);
    }
  }
}
