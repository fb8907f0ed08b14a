#include "engine/VoiceWorkers.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "monitor/AllocationTrap.h"
#include "monitor/Clock.h"
#include "monitor/profiling/SamplingProfiler.h"

namespace awe {
namespace {

void cpuRelax() noexcept {  // [audio thread]
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// The futex calls on a std::atomic<uint32_t>: it has the layout of its value (lock-free,
// always so for 32 bits on Linux targets).
static_assert(std::atomic<uint32_t>::is_always_lock_free, "a futex word must be a plain 32-bit word");
uint32_t* futexWord(std::atomic<uint32_t>& word) noexcept { return reinterpret_cast<uint32_t*>(&word); }
void futexWait(std::atomic<uint32_t>& word, uint32_t expected) noexcept {  // [voice worker]
  syscall(SYS_futex, futexWord(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}
void futexWakeAll(std::atomic<uint32_t>& word) noexcept {  // [audio thread]
  syscall(SYS_futex, futexWord(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

constexpr uint64_t kNextMask = 0xFFFFFFFFu;

}  // namespace

VoiceWorkers::VoiceWorkers(int threads, int realtimePriority)
    : threads_(threads), state_(static_cast<size_t>(std::max(threads, 1))) {
  if (threads < 2 || threads > kMaxRenderThreads) {
    throw std::invalid_argument("voice workers: " + std::to_string(threads) + " render threads (2 to " +
                                std::to_string(kMaxRenderThreads) + ")");
  }
  // Pin when the process may use a CPU per render thread: worker k takes the k-th allowed
  // CPU, leaving the first to the audio thread (which the driver places, not us).
  std::vector<int> cpus;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
    }
  }
  const bool pin = static_cast<int>(cpus.size()) >= threads;
  workers_.reserve(static_cast<size_t>(threads - 1));
  for (int w = 1; w < threads; ++w) {
    workers_.emplace_back(&VoiceWorkers::workerMain, this, w, pin ? cpus[static_cast<size_t>(w)] : -1,
                          realtimePriority);
  }
}

VoiceWorkers::~VoiceWorkers() {
  stop_.store(true, std::memory_order_seq_cst);
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  futexWakeAll(epoch_);
  for (std::thread& worker : workers_) worker.join();
}

void VoiceWorkers::workerMain(int worker, int cpu, int realtimePriority) {  // [voice worker]
  const std::string name = "awe-voices-" + std::to_string(worker);
  pthread_setname_np(pthread_self(), name.c_str());
  if (cpu >= 0) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0) pinnedWorkers_.fetch_add(1);
  }
  if (realtimePriority > 0) {
    sched_param param{};
    param.sched_priority = realtimePriority;
    if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0) realtimeWorkers_.fetch_add(1);
  }
  // From here on the worker is held to the audio thread's rules.
  AllocationTrap::markAudioThread();
  SamplingProfiler::markAudioThread();
  uint32_t seen = epoch_.load(std::memory_order_acquire);
  while (!stop_.load(std::memory_order_acquire)) {
    claimTasks(worker);
    // Wait for the next job: spin, then sleep until the audio thread bumps the epoch.
    int64_t idleSince_ns = monotonicNanoseconds();
    for (int spins = 1;; ++spins) {
      const uint32_t now = epoch_.load(std::memory_order_acquire);
      if (now != seen) {
        seen = now;
        break;
      }
      cpuRelax();
      if (spins % 64 != 0 || monotonicNanoseconds() - idleSince_ns < kWorkerSpinBeforeSleep_ns) continue;
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      if (epoch_.load(std::memory_order_seq_cst) == seen) futexWait(epoch_, seen);
      sleepers_.fetch_sub(1, std::memory_order_seq_cst);
      idleSince_ns = monotonicNanoseconds();
    }
  }
  SamplingProfiler::unmarkAudioThread();
  AllocationTrap::unmarkAudioThread();
}

void VoiceWorkers::claimTasks(int thread) noexcept {  // [audio thread] or [voice worker]
  // The audio thread claims from the front, the workers from the back: so from block to
  // block each thread renders mostly the same chunks, whose voices stay in its core's cache
  // (one shared counter dealt them out at random, and thousands of voices moved between
  // cores every block).
  const bool front = thread == 0;
  for (;;) {
    const uint64_t word = front ? job_.fetch_add(1, std::memory_order_acq_rel)
                                : job_.fetch_sub(uint64_t{1} << 32, std::memory_order_acq_rel);
    const int32_t next = static_cast<int32_t>(static_cast<uint32_t>(word & kNextMask));
    const int32_t end = static_cast<int32_t>(static_cast<uint32_t>(word >> 32));
    if (next >= end) return;
    const int task = front ? next : end - 1;
    if (thread == 0) {
      task_(context_, task, 0);
    } else {
      const int64_t t0 = monotonicNanoseconds();
      task_(context_, task, thread);
      std::atomic<uint64_t>& busy = state_[static_cast<size_t>(thread)].busy_ns;
      busy.store(busy.load(std::memory_order_relaxed) + static_cast<uint64_t>(monotonicNanoseconds() - t0),
                 std::memory_order_relaxed);
    }
    done_.fetch_add(1, std::memory_order_release);
  }
}

void VoiceWorkers::run(int tasks, Task task, void* context) noexcept {  // [audio thread]
  if (tasks <= 0) return;
  task_ = task;
  context_ = context;
  done_.store(0, std::memory_order_relaxed);
  job_.store(static_cast<uint64_t>(tasks) << 32, std::memory_order_release);
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) futexWakeAll(epoch_);
  claimTasks(0);
  const uint32_t all = static_cast<uint32_t>(tasks);
  if (done_.load(std::memory_order_acquire) == all) return;
  // Tasks a worker still runs: wait for them (they were claimed, so only that worker can
  // finish them). A worker preempted mid-task makes this wait long; it is counted.
  const int64_t start_ns = monotonicNanoseconds();
  bool stalled = false;
  for (int spins = 1; done_.load(std::memory_order_acquire) != all; ++spins) {
    if (stalled) {
      sched_yield();
    } else {
      cpuRelax();
      if (spins % 256 == 0 && monotonicNanoseconds() - start_ns > kWaitSpin_ns) {
        stalled = true;
        stalls_.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
}

uint32_t VoiceWorkers::takeBusy_ns(int worker) noexcept {  // [audio thread]
  if (worker < 1 || worker >= threads_) return 0;
  WorkerState& s = state_[static_cast<size_t>(worker)];
  const uint64_t busy = s.busy_ns.load(std::memory_order_relaxed);
  const uint64_t delta = busy - s.taken_ns;
  s.taken_ns = busy;
  return static_cast<uint32_t>(std::min<uint64_t>(delta, UINT32_MAX));
}

}  // namespace awe
