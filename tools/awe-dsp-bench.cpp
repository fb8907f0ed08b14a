// awe-dsp-bench: the cost of the synth's DSP pieces on their own, with the standard library
// only (so it also builds for aarch64 and runs under qemu-user; tools/cross-aarch64).
//
//   awe-dsp-bench effects [--reverb NAME] [--chorus NAME] [--runs N]
//       ns per output sample of the reverb and of the chorus on white noise in 32-frame
//       blocks (the synth's control block), median of N runs. Instructions per output
//       sample: run under callgrind with
//         valgrind --tool=callgrind --toggle-collect='awe_dsp_bench_reverb*' ...
//       (or _chorus*); each workload call processes kEffectFrames samples.
//   awe-dsp-bench idle [--frames N] [--runs N]
//       a Synth with no voice and its effects gated: ns per buffer of N frames (256),
//       median of N runs; callgrind with --toggle-collect='awe_dsp_bench_idle*' counts
//       kIdleBuffers buffers.
//   awe-dsp-bench kernels [--voices N] [--runs N] [--kernel NAME]   (AWE_KERNEL=generic|sse2|avx2|avx512 forces one)
//       every voice kernel this CPU runs, checked against the generic one on the same
//       voices (exit 1 on a mismatch beyond the stated error), then ns per voice-sample,
//       median of N runs (--kernel: time that one only); callgrind with
//       --toggle-collect='awe_dsp_bench_kernel*' counts (20 + N x kKernelBlocks) blocks of
//       32 frames of N voices per kernel timed. (Valgrind runs no AVX-512: under it the
//       CPU reports none and the avx512 kernel is not listed.)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "emu8000/Effects.h"
#include "emu8000/Synth.h"
#include "emu8000/VoiceKernel.h"
#include "emu8000/VoiceKernelCheck.h"

using namespace awe;

namespace {

constexpr size_t kBlock = kControlBlockFrames;
constexpr size_t kEffectFrames = 44100 * 4;  // four seconds per workload call
constexpr int kIdleBuffers = 1000;
constexpr int kKernelBlocks = 200;

using Clock = std::chrono::steady_clock;

// The CPU time this thread has run: on a loaded machine the wall clock also counts the
// time other processes held the core; this does not.
double threadCpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct EffectInput {
  std::vector<float> noise, left, right;
  explicit EffectInput(size_t frames) : noise(frames), left(frames), right(frames) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-0.25f, 0.25f);
    for (float& x : noise) x = u(rng);
  }
};

// The workloads carry C names so callgrind's --toggle-collect can find them.
extern "C" __attribute__((noinline)) void awe_dsp_bench_reverb(AweReverb& reverb, EffectInput& in) {
  for (size_t i = 0; i < in.noise.size(); i += kBlock)
    reverb.process(&in.noise[i], &in.left[i], &in.right[i], std::min(kBlock, in.noise.size() - i));
}
extern "C" __attribute__((noinline)) void awe_dsp_bench_chorus(AweChorus& chorus, EffectInput& in) {
  for (size_t i = 0; i < in.noise.size(); i += kBlock)
    chorus.process(&in.noise[i], &in.left[i], &in.right[i], std::min(kBlock, in.noise.size() - i));
}
extern "C" __attribute__((noinline)) void awe_dsp_bench_idle(Synth& synth, float* left, float* right, size_t frames,
                                                             int buffers) {
  for (int b = 0; b < buffers; ++b) synth.render(left, right, frames);
}

struct Options {
  std::string command;
  std::string reverb = "hall-1", chorus = "chorus-1";
  int runs = 7;
  size_t frames = 256;
  int voices = 1024;
  std::string only;  // kernels: time this one only
};

int usage(const char* why) {
  std::fprintf(stderr, "awe-dsp-bench: %s\nusage: awe-dsp-bench effects|idle|kernels [--reverb NAME] [--chorus NAME] "
                       "[--runs N] [--frames N] [--voices N] [--kernel NAME]\n", why);
  return 4;
}

int runEffects(const Options& o) {
  const auto reverbType = reverbTypeFromName(o.reverb);
  const auto chorusType = chorusTypeFromName(o.chorus);
  if (!reverbType || !chorusType) return usage("unknown --reverb or --chorus type");
  AweReverb reverb(*reverbType);
  AweChorus chorus(*chorusType);
  reverb.prepare(44100.0, kBlock);
  chorus.prepare(44100.0, kBlock);
  EffectInput in(kEffectFrames);
  std::vector<double> reverbNs, chorusNs;
  for (int r = 0; r < o.runs; ++r) {
    auto t0 = Clock::now();
    awe_dsp_bench_reverb(reverb, in);
    auto t1 = Clock::now();
    awe_dsp_bench_chorus(chorus, in);
    auto t2 = Clock::now();
    reverbNs.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kEffectFrames);
    chorusNs.push_back(std::chrono::duration<double, std::nano>(t2 - t1).count() / kEffectFrames);
  }
  std::printf("reverb %s: %.2f ns per output sample (median of %d runs of %zu samples)\n", reverbTypeName(*reverbType),
              median(reverbNs), o.runs, kEffectFrames);
  std::printf("chorus %s: %.2f ns per output sample\n", chorusTypeName(*chorusType), median(chorusNs));
  std::printf("reverb + chorus: %.2f ns per output sample\n", median(reverbNs) + median(chorusNs));
  double sum = 0.0;
  for (size_t i = 0; i < in.left.size(); ++i) sum += std::fabs(in.left[i]) + std::fabs(in.right[i]);
  std::printf("checksum %.6g\n", sum);
  return 0;
}

int runIdle(const Options& o) {
  SynthSettings settings;
  settings.effectsEnabled = true;
  Synth synth(settings);
  std::vector<float> left(o.frames), right(o.frames);
  // Ring the effects out of their start state: after this they are gated.
  awe_dsp_bench_idle(synth, left.data(), right.data(), o.frames, 2000);
  std::vector<double> ns;
  for (int r = 0; r < o.runs; ++r) {
    const auto t0 = Clock::now();
    awe_dsp_bench_idle(synth, left.data(), right.data(), o.frames, kIdleBuffers);
    ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kIdleBuffers);
  }
  std::printf("idle buffer of %zu frames (no voice, effects gated): %.0f ns (median of %d runs of %d buffers)\n",
              o.frames, median(ns), o.runs, kIdleBuffers);
  return 0;
}

extern "C" __attribute__((noinline)) void awe_dsp_bench_kernel(const VoiceKernelTable& table, KernelWorkload& w,
                                                               int blocks) {
  for (int b = 0; b < blocks; ++b) w.renderBlock(table);
}

int runKernels(const Options& o) {
  int failures = 0;
  const VoiceKernelTable& generic = genericVoiceKernels();
  std::printf("chosen kernel: %s (AWE_KERNEL=NAME picks one of those below)\n", voiceKernels().isa);
  for (const VoiceKernelTable* table : supportedVoiceKernels()) {
    const KernelComparison c = compareVoiceKernels(*table, generic);
    const bool ok = c.maxError <= kKernelTolerance;
    if (!ok) ++failures;
    std::printf("%-8s vs generic: max |difference| %.3g of full scale over %zu samples (allowed %.1g): %s\n",
                table->isa, c.maxError, c.samplesCompared, kKernelTolerance, ok ? "ok" : "MISMATCH");
  }
  for (const VoiceKernelTable* table : supportedVoiceKernels()) {
    if (!o.only.empty() && o.only != table->isa) continue;
    KernelWorkload w(o.voices, 7);
    awe_dsp_bench_kernel(*table, w, 20);  // warm the caches
    std::vector<double> ns, cpuNs;
    for (int r = 0; r < o.runs; ++r) {
      const auto t0 = Clock::now();
      const double cpu0 = threadCpu_ns();
      awe_dsp_bench_kernel(*table, w, kKernelBlocks);
      const double voiceSamples = static_cast<double>(o.voices) * kBlock * kKernelBlocks;
      cpuNs.push_back((threadCpu_ns() - cpu0) / voiceSamples);
      ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / voiceSamples);
    }
    std::printf("%-8s %.2f ns per voice-sample, %.2f ns of this thread's CPU time (%d voices, 4-point, filter and "
                "sends on, median of %d runs)\n", table->isa, median(ns), median(cpuNs), o.voices, o.runs);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc < 2) return usage("no command");
  o.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + a).c_str());
    const char* v = argv[++i];
    if (a == "--reverb") o.reverb = v;
    else if (a == "--chorus") o.chorus = v;
    else if (a == "--runs") o.runs = std::max(1, std::atoi(v));
    else if (a == "--frames") o.frames = static_cast<size_t>(std::max(1, std::atoi(v)));
    else if (a == "--kernel") o.only = v;
    else if (a == "--voices") o.voices = std::max(kLanes, std::atoi(v) / kLanes * kLanes);
    else return usage(("unknown option " + a).c_str());
  }
  if (o.command == "effects") return runEffects(o);
  if (o.command == "idle") return runIdle(o);
  if (o.command == "kernels") return runKernels(o);
  return usage(("unknown command " + o.command).c_str());
}
