#pragma once
// Synthetic voices for the voice kernels: a workload the benchmarks time and the tests use
// to check every kernel against the generic one. [control thread] (allocates)
#include <cstddef>
#include <cstdint>
#include <vector>

#include "emu8000/VoiceKernel.h"

namespace awe {

// The largest difference allowed between a kernel's output and the generic kernel's, as a
// fraction of full scale, on any sample of any bus. The kernels differ only in rounding
// (fused multiply-adds, the order the fold sums the lanes), which the resonant filters'
// recursion (Q up to 8 here) carries along: 2e-5 seen between AVX2 and generic. 1e-4 is
// -80 dB, below the 16-bit floor.
constexpr double kKernelTolerance = 1e-4;

// `voices` voices (a multiple of kLanes) with random pitch (0.35x to 2.8x), filter,
// gain, pan and sends, half of them looping through short loops and some one-shots running
// off their sample's end, over a sample block of sines and noise. Deterministic per seed.
class KernelWorkload {
 public:
  KernelWorkload(int voices, uint32_t seed);

  // Renders one control block of every group with `table` (interpolation, filter and sends
  // as set; each group on the plain path until a lane's loop or end is within reach and
  // on the loop-aware path from there, two at a time where `pairs` and the table allow, as
  // the synth chooses) and folds the buses.
  void renderBlock(const VoiceKernelTable& table);

  int interpolation = 2;
  bool filter = true;
  int sends = kSendsBoth;  // kSendsNone, kSendsReverb or kSendsBoth
  // Two neighbouring groups go through the table's two-group kernels, where it has them.
  bool pairs = true;
  // The last block's folded buses, kControlBlockFrames samples each.
  std::vector<float> left, right, reverb, chorus;

 private:
  struct VoiceLoop {
    int32_t start, end, loopStart, loopEnd;
    bool looping;
  };
  std::vector<int16_t> samples_;
  std::vector<LaneGroup> groups_;
  std::vector<int> plain_;  // by group, this block: the samples on the plain path
  std::vector<VoiceLoop> loops_;
  std::vector<float> accStorage_;
  float* acc_ = nullptr;
};

struct KernelComparison {
  double maxError = 0.0;        // largest |difference| on any bus, fraction of full scale
  size_t samplesCompared = 0;   // bus samples compared
};

// Runs `kernel` and `reference` on the same voices for every table entry (3 interpolations
// x filter x sends; both paths) and returns the largest difference. [control thread]
KernelComparison compareVoiceKernels(const VoiceKernelTable& kernel, const VoiceKernelTable& reference);

}  // namespace awe
