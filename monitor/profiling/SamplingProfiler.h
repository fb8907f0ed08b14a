#pragma once
// SamplingProfiler: where the CPU time goes, by statistical sampling of call stacks.
//
// Every profiled thread gets its own sampling clock on the CPU time it uses, and the
// SIGPROF lands on that very thread: a perf_event task-clock counter (perf_event_open,
// an hrtimer on the thread's running time, exact at 1 kHz and beyond; unprivileged with
// perf_event_paranoid <= 2) that signals its owner thread on each overflow, or where
// perf_event is refused, a POSIX timer on the thread's CPU-time clock (timer_create,
// SIGEV_THREAD_ID), which the kernel checks on the scheduler tick only: at CONFIG_HZ=250
// a 1 kHz rate arrives as one signal per 4 ms with 3 overruns, and each sample then
// carries the weight of the periods it stands for. A helper thread looks for
// new threads every 20 ms (/proc/self/task). The SIGPROF handler stores the interrupted
// thread's stack (libunwind, from the interrupted instruction outwards) and a time stamp
// into a buffer reserved (mmap) at start: no allocation, no lock. Samples are symbolised
// after stop() (Symbolizer: ELF symbol tables, demangled).
//
// Scope: the whole process, or the audio thread(s) alone: threads marked with
// markAudioThread() (the engine marks its audio thread; offline tools mark the thread that
// renders).
//
// Its own cost is measured: the handler times itself, and the report gives the handler
// time per sample and as a share of the sampled CPU time (the kernel's signal delivery,
// about a microsecond per sample, is not in it).
//
// Limits: a signal that interrupts a stack capture of the allocation trap on the same
// thread records the interrupted instruction alone (libunwind is not re-entrant per
// thread). Not available under ThreadSanitizer (which defers signals to its own safe
// points and crashes on libunwind's per-thread cache); available() says why.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace awe {

struct CpuProfileSettings {
  double rate_Hz = 1000.0;         // samples per second of each thread's CPU time
  bool audioThreadOnly = false;    // only threads marked with markAudioThread()
  std::size_t maxSamples = 1 << 17;  // reserved at start (~70 MiB of address space)
  bool usePerfEvent = true;          // false: POSIX CPU-time timers only
};

// The symbolised result.
struct CpuProfileData {
  struct Function {
    std::string name;    // demangled; "?? (module)" when no symbol covers the address
    std::string module;  // file name
    std::string file;    // source file the function is defined in ("" without debug information)
    int line = 0;        // its line there, 1-based (0 unknown)
  };
  struct Thread {
    uint32_t tid = 0;
    std::string name;  // /proc/self/task/<tid>/comm
    bool audio = false;
    uint64_t samples = 0;
  };
  struct Sample {
    uint32_t thread = 0;          // index into threads
    uint32_t weight = 1;          // sampling periods it stands for (see SamplingProfiler)
    int64_t time_ns = 0;          // CLOCK_MONOTONIC (monotonicNanoseconds)
    std::vector<uint32_t> stack;  // indices into functions, outermost first
  };
  double rate_Hz = 0.0;
  bool audioThreadOnly = false;
  std::string clock;            // what made the samples (perf_event, or POSIX timers)
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::vector<Function> functions;
  std::vector<Thread> threads;
  std::vector<Sample> samples;  // in time order
  uint64_t dropped = 0;         // samples past maxSamples
  uint64_t truncated = 0;       // samples whose stack could not be unwound past the leaf
  int64_t handlerTime_ns = 0;   // the signal handler's own time, all samples
  // Sampling periods in all (the sum of the weights).
  uint64_t periods() const {
    uint64_t total = 0;
    for (const Sample& s : samples) total += s.weight;
    return total;
  }
  // The handler's time as a share of the CPU time the samples stand for.
  double overhead() const {
    const double sampled_ns = static_cast<double>(periods()) * 1e9 / (rate_Hz > 0.0 ? rate_Hz : 1.0);
    return sampled_ns > 0.0 ? static_cast<double>(handlerTime_ns) / sampled_ns : 0.0;
  }
};

class SamplingProfiler {
 public:
  SamplingProfiler() = delete;

  // False (with the reason) where sampling cannot work in this build.
  static bool available(std::string* reason = nullptr);
  // [control thread] Reserves the buffer, installs the SIGPROF handler, starts sampling.
  // Throws std::runtime_error (already running, not available, a failed system call).
  static void start(const CpuProfileSettings& settings);
  static bool running() noexcept;
  // [control thread] Stops, removes the timers and the handler, symbolises, frees the buffer.
  static CpuProfileData stop();

  // [the thread itself] Marks / unmarks the calling thread as an audio thread (for the
  // audio-thread scope). Any time, running or not; at most 8 at once.
  static void markAudioThread() noexcept;
  static void unmarkAudioThread() noexcept;
};

}  // namespace awe
