#include "emu8000/VoiceKernelCheck.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace awe {

namespace {
constexpr int kGuard = 64;                 // silence before and after the sample block
constexpr int kSampleBlock = 1 << 16;      // the synthetic sample block's length
}  // namespace

KernelWorkload::KernelWorkload(int voices, uint32_t seed)
    : left(kControlBlockFrames), right(kControlBlockFrames), reverb(kControlBlockFrames), chorus(kControlBlockFrames) {
  std::mt19937 rng(seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto integer = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  samples_.assign(kSampleBlock + 2 * kGuard, 0);
  const double f1 = uniform(0.001, 0.05), f2 = uniform(0.05, 0.3);
  for (int i = 0; i < kSampleBlock; ++i) {
    const double x = 12000.0 * std::sin(f1 * i) + 6000.0 * std::sin(f2 * i) + uniform(-3000.0, 3000.0);
    samples_[static_cast<size_t>(kGuard + i)] = static_cast<int16_t>(std::lround(x));
  }

  const int groupCount = std::max(1, (voices + kLanes - 1) / kLanes);
  groups_.assign(static_cast<size_t>(groupCount), LaneGroup{});
  loops_.resize(static_cast<size_t>(groupCount * kLanes));
  for (int v = 0; v < groupCount * kLanes; ++v) {
    LaneGroup& g = groups_[static_cast<size_t>(v / kLanes)];
    const int l = v % kLanes;
    VoiceLoop& loop = loops_[static_cast<size_t>(v)];
    loop.start = kGuard + integer(0, kSampleBlock - 8000);
    loop.end = loop.start + integer(1000, 7000);
    loop.looping = v % 2 == 0;
    loop.loopStart = loop.start + (loop.end - loop.start) / 4;
    // Short loops, many wraps per second; one looping voice in eight has a loop of under
    // four points (banks have them), whose taps wrap at both ends at once. Such a loop
    // plays at most one point per sample, so it keeps its position inside the loop.
    const bool tinyLoop = v % 16 == 2;
    loop.loopEnd = loop.loopStart + (tinyLoop ? integer(1, 3) : integer(64, 600));
    g.pos[l] = integer(loop.start + 1, loop.looping ? loop.loopEnd - 8 : loop.end - 8);
    g.frac[l] = static_cast<float>(uniform(0.0, 1.0));
    g.inc[l] = static_cast<float>(std::exp2(uniform(-1.5, tinyLoop ? 0.0 : 1.5)));
    const double gain = uniform(0.1, 1.0) / 32768.0 / std::sqrt(static_cast<double>(groupCount * kLanes));
    g.gain[l] = static_cast<float>(gain);
    g.gainStep[l] = static_cast<float>(gain * uniform(-0.01, 0.01));
    const double pan = uniform(0.0, M_PI / 2.0);
    g.panLeft[l] = static_cast<float>(std::cos(pan));
    g.panRight[l] = static_cast<float>(std::sin(pan));
    g.sendReverb[l] = static_cast<float>(uniform(0.0, 0.5));
    g.sendChorus[l] = static_cast<float>(uniform(0.0, 0.5));
    // RBJ low-pass, normalised by a0.
    const double w = 2.0 * M_PI * uniform(200.0, 15000.0) / 44100.0, q = uniform(0.7, 8.0);
    const double alpha = std::sin(w) / (2.0 * q), c = std::cos(w), a0 = 1.0 + alpha;
    g.b0[l] = static_cast<float>((1.0 - c) / 2.0 / a0);
    g.b1[l] = static_cast<float>((1.0 - c) / a0);
    g.b2[l] = static_cast<float>((1.0 - c) / 2.0 / a0);
    g.a1[l] = static_cast<float>(-2.0 * c / a0);
    g.a2[l] = static_cast<float>((1.0 - alpha) / a0);
  }
  // The accumulator, four buses of one block: 32-byte aligned and deliberately not 64, as
  // the synth's may be (it hands a kernel the accumulator from any sample of a block).
  accStorage_.assign(kBusCount * kControlBlockFrames * kLanes + 32, 0.0f);
  auto address = reinterpret_cast<uintptr_t>(accStorage_.data());
  acc_ = accStorage_.data() + ((64 - address % 64) % 64) / sizeof(float) + kLanes;
}

void KernelWorkload::renderBlock(const VoiceKernelTable& table) {
  const int n = kControlBlockFrames;
  const auto& fns = table.fn[interpolation][filter ? 1 : 0][sends];
  const VoicePairKernelFn pair = pairs ? table.pair[interpolation][filter ? 1 : 0][sends] : nullptr;
  const VoicePairSplitKernelFn pairSplit = pairs ? table.pairSplit[interpolation][filter ? 1 : 0][sends] : nullptr;
  plain_.assign(groups_.size(), n);
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    LaneGroup& g = groups_[gi];
    for (int l = 0; l < kLanes; ++l) {
      const VoiceLoop& loop = loops_[gi * kLanes + static_cast<size_t>(l)];
      if (!loop.looping && g.pos[l] >= loop.end) {  // a one-shot that ran out starts again
        g.pos[l] = loop.start + 1;
        g.frac[l] = 0.0f;
      }
      setLaneLoop(g, l, loop.looping, loop.loopStart, loop.loopEnd, loop.end);
      plain_[gi] = std::min(plain_[gi], plainSamplesOfLane(g, l, n));
    }
  }
  for (size_t gi = 0; gi < groups_.size();) {
    // Two neighbours through a two-group kernel, as the synth does.
    if (pair != nullptr && gi + 1 < groups_.size()) {
      if (plain_[gi] == n && plain_[gi + 1] == n) {
        pair(groups_[gi], groups_[gi + 1], samples_.data(), n, acc_, n);
        gi += 2;
        continue;
      }
      if (pairSplit != nullptr) {
        pairSplit(groups_[gi], plain_[gi], groups_[gi + 1], plain_[gi + 1], samples_.data(), n, acc_, n);
        gi += 2;
        continue;
      }
    }
    const int plain = plain_[gi];
    if (plain > 0) fns[0](groups_[gi], samples_.data(), plain, acc_, n);
    if (plain < n) fns[1](groups_[gi], samples_.data(), n - plain, acc_ + plain * kLanes, n);
    ++gi;
  }
  table.fold(acc_, n, left.data(), right.data(), reverb.data(), chorus.data());
}

KernelComparison compareVoiceKernels(const VoiceKernelTable& kernel, const VoiceKernelTable& reference) {
  KernelComparison result;
  for (int interpolation = 0; interpolation < 3; ++interpolation) {
    for (int filter = 0; filter < 2; ++filter) {
      for (int sends = 0; sends < kSendVariants; ++sends) {
        KernelWorkload a(64, 11), b(64, 11);
        for (KernelWorkload* w : {&a, &b}) {
          w->interpolation = interpolation;
          w->filter = filter == 1;
          w->sends = sends;
        }
        for (int block = 0; block < 200; ++block) {
          a.renderBlock(kernel);
          b.renderBlock(reference);
          const std::vector<float>* busA[] = {&a.left, &a.right, &a.reverb, &a.chorus};
          const std::vector<float>* busB[] = {&b.left, &b.right, &b.reverb, &b.chorus};
          for (int bus = 0; bus < 4; ++bus) {
            for (size_t s = 0; s < busA[bus]->size(); ++s) {
              const double d = std::fabs(static_cast<double>((*busA[bus])[s]) - static_cast<double>((*busB[bus])[s]));
              result.maxError = std::max(result.maxError, std::isfinite(d) ? d : 1e9);
              ++result.samplesCompared;
            }
          }
        }
      }
    }
  }
  return result;
}

}  // namespace awe
