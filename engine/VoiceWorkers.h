#pragma once
// Voice workers: the threads that render the synth's voice chunks beside the audio thread
// (--threads N: the audio thread and N-1 workers), as FluidSynth's synth.cpu-cores does.
//
// Threads:
//   [control thread]  construction (starts and pins the workers), destruction (joins them)
//   [audio thread]    run(), takeBusy_ns(), stalls()
//   [voice worker]    workerMain(): waits for a span, claims chunks, renders them
//
// Per render span (up to kRenderSpanFrames) the audio thread publishes the task with one
// release store of a 64-bit word (the unclaimed tasks' two ends) and claims tasks itself
// from the front of that word, as the workers do from its back; so a worker that wakes
// late only finds less to do, and one that is slow to wake costs nothing. The audio thread
// then waits for the tasks still running with a spin of pause instructions: no lock, no
// syscall. A worker spins between spans, and sleeps on a futex only after
// kWorkerSpinBeforeSleep_ns without work (between buffers of a real-time device); the
// audio thread wakes such a sleeper with one futex wake, at the first span of the next
// buffer, and does not wait for it.
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "emu8000/Config.h"
#include "emu8000/Synth.h"

namespace awe {

class VoiceWorkers final : public RenderFanOut {
 public:
  // A worker that found no work for this long goes to sleep (between the buffers of a
  // real-time device; in a freewheeling run the spans follow each other much closer).
  static constexpr int64_t kWorkerSpinBeforeSleep_ns = 200'000;
  // The audio thread's wait for a task a worker still runs: pause instructions up to this
  // long, then sched_yield (counted in stalls(): the worker was preempted mid-task).
  static constexpr int64_t kWaitSpin_ns = 2'000'000;

  // [control thread] Starts threads - 1 workers (threads: 2..kMaxRenderThreads). Each
  // names itself awe-voices-K, pins itself to one CPU when the process may use at least
  // `threads` CPUs, and takes SCHED_FIFO priority `realtimePriority` when it is above 0
  // and allowed (realtime() says whether every worker got it).
  VoiceWorkers(int threads, int realtimePriority);
  ~VoiceWorkers();  // [control thread] stops and joins the workers
  VoiceWorkers(const VoiceWorkers&) = delete;
  VoiceWorkers& operator=(const VoiceWorkers&) = delete;

  void run(int tasks, Task task, void* context) noexcept override;  // [audio thread]
  int threads() const noexcept override { return threads_; }       // [any thread]

  // [audio thread] Nanoseconds worker `worker` (1..threads()-1) spent in tasks since the
  // previous call for it: its busy time of the buffer when called once per buffer.
  uint32_t takeBusy_ns(int worker) noexcept;
  // [any thread] Waits that outlasted kWaitSpin_ns (a worker preempted in a task).
  uint64_t stalls() const noexcept { return stalls_.load(std::memory_order_relaxed); }
  // [any thread] After construction: whether every worker runs at real-time priority,
  // and whether each is pinned to a CPU of its own.
  bool realtime() const noexcept { return realtimeWorkers_.load() == threads_ - 1; }
  bool pinned() const noexcept { return pinnedWorkers_.load() == threads_ - 1; }

 private:
  struct alignas(64) WorkerState {
    std::atomic<uint64_t> busy_ns{0};  // written by its worker only
    uint64_t taken_ns = 0;             // audio thread: busy_ns at the previous takeBusy_ns
  };
  void workerMain(int worker, int cpu, int realtimePriority);  // [voice worker]
  void claimTasks(int thread) noexcept;                         // [audio thread] or [voice worker]

  const int threads_;
  // (end << 32) | next, each a signed 32-bit count: the unclaimed tasks are next..end-1
  // (run() stores end = tasks, next = 0). The audio thread claims task `next` with a
  // fetch_add on the low half, a worker task `end - 1` with a fetch_sub on the high half;
  // the claim holds when the word it returned had next < end. A thread stops at its first
  // claim that does not hold, so a finished job's counts pass each other by at most the
  // thread count (a late claim on a finished job claims nothing).
  alignas(64) std::atomic<uint64_t> job_{0};
  alignas(64) std::atomic<uint32_t> done_{0};  // tasks finished in the current job
  alignas(64) std::atomic<uint32_t> epoch_{0};  // futex word: bumped per job and at stop
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> stalls_{0};
  std::atomic<int> realtimeWorkers_{0};
  std::atomic<int> pinnedWorkers_{0};
  Task task_ = nullptr;      // the current job's, published by the store of job_
  void* context_ = nullptr;
  std::vector<WorkerState> state_;  // by render thread; [0] unused (the audio thread's busy time is the buffer's)
  std::vector<std::thread> workers_;
};

}  // namespace awe
