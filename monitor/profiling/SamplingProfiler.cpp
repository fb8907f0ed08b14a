#include "monitor/profiling/SamplingProfiler.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "monitor/profiling/HeapProfile.h"
#include "monitor/StackCapture.h"
#include "monitor/profiling/Symbolizer.h"

#if defined(__SANITIZE_THREAD__)
#define AWE_SAMPLER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AWE_SAMPLER_TSAN 1
#endif
#endif
#ifndef AWE_SAMPLER_TSAN
#define AWE_SAMPLER_TSAN 0
#endif

namespace awe {
namespace {

constexpr int kMaxFrames = 64;
constexpr int kMaxAudioThreads = 8;
// Frames the capture may spend inside the handler and the signal trampoline before it
// reaches the interrupted instruction.
constexpr int kHandlerFrames = 8;

struct RawSample {
  std::atomic<uint32_t> ready;
  uint32_t tid;
  int64_t time_ns;
  uint32_t frameCount;
  uint16_t truncated;
  uint16_t weight;  // periods this sample stands for (a POSIX timer's overruns + 1)
  void* frames[kMaxFrames];
};

struct SamplerState {
  std::atomic<bool> running{false};
  RawSample* samples = nullptr;
  std::size_t capacity = 0;
  std::size_t mappedBytes = 0;
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<int64_t> handlerTime_ns{0};
  std::atomic<int> inFlight{0};  // handlers running now (stop() waits for them)
};

SamplerState g_state;
std::atomic<int> g_audioTids[kMaxAudioThreads] = {};

__attribute__((tls_model("initial-exec"))) thread_local int t_tid = 0;

int currentTid() noexcept {  // [audio thread]
  if (t_tid == 0) t_tid = static_cast<int>(syscall(SYS_gettid));
  return t_tid;
}

int64_t monotonicNow() noexcept {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

uintptr_t interruptedPc(const void* context) noexcept {
  const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.pc);
#else
  (void)uc;
  return 0;
#endif
}

// [signal handler] Async-signal-safe: atomics, clock_gettime, libunwind (warm, not
// re-entered on this thread), no allocation.
void onProfilingSignal(int, siginfo_t* info, void* context) {
  const int savedErrno = errno;
  g_state.inFlight.fetch_add(1);
  if (g_state.running.load()) {
    const int64_t begin_ns = monotonicNow();
    const uint64_t slot = g_state.next.fetch_add(1, std::memory_order_relaxed);
    if (slot >= g_state.capacity) {
      g_state.dropped.fetch_add(1, std::memory_order_relaxed);
    } else {
      RawSample& sample = g_state.samples[slot];
      sample.tid = static_cast<uint32_t>(currentTid());
      sample.time_ns = begin_ns;
      const uintptr_t pc = interruptedPc(context);
      uint32_t count = 0;
      if (!stackcapture::captureInProgress()) {
        void* raw[kMaxFrames + kHandlerFrames];
        const int captured = stackcapture::capture(raw, kMaxFrames + kHandlerFrames);
        for (int i = 0; i < std::min(captured, kHandlerFrames); ++i) {
          if (reinterpret_cast<uintptr_t>(raw[i]) != pc) continue;
          for (int k = i; k < captured && count < kMaxFrames; ++k) sample.frames[count++] = raw[k];
          break;
        }
      }
      sample.truncated = count <= 1 ? 1 : 0;
      if (count == 0) sample.frames[count++] = reinterpret_cast<void*>(pc);
      sample.frameCount = count;
      // A CPU-clock timer fires on the scheduler tick: periods it could not signal are
      // its overruns, which this sample stands for too.
      const int overrun = info != nullptr && info->si_code == SI_TIMER ? info->si_overrun : 0;
      sample.weight = static_cast<uint16_t>(std::clamp(overrun + 1, 1, 65535));
      sample.ready.store(1, std::memory_order_release);
    }
    g_state.handlerTime_ns.fetch_add(monotonicNow() - begin_ns, std::memory_order_relaxed);
  }
  g_state.inFlight.fetch_sub(1);
  errno = savedErrno;
}

// The CPU-time clock of one thread of this process (the kernel's encoding, as glibc's
// pthread_getcpuclockid builds it: per-thread, scheduler time).
clockid_t threadCpuClock(int tid) {
  return static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 6u);
}

std::string threadName(int tid) {
  std::ifstream comm("/proc/self/task/" + std::to_string(tid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

bool isAudioTid(int tid) {
  for (const auto& audio : g_audioTids) {
    if (audio.load(std::memory_order_relaxed) == tid) return true;
  }
  return false;
}

// Control-side state: the scanner thread and the timers it made.
struct Control {
  std::mutex mutex;
  std::condition_variable wake;
  bool stopRequested = false;
  std::thread scanner;
  int scannerTid = 0;
  CpuProfileSettings settings;
  struct Source {  // what makes one thread's samples
    int tid = 0;
    int perfFd = -1;   // a perf_event task-clock counter signalling on overflow, or
    timer_t timer{};   // a POSIX timer on the thread's CPU-time clock
  };
  std::vector<Source> sources;  // guarded by mutex
  bool perfUsable = true;
  bool usedPerf = false;
  bool usedTimer = false;
  std::map<int, std::string> names;
  std::map<int, bool> audio;
  struct sigaction previous {};
  int64_t start_ns = 0;
};

Control* g_control = nullptr;

// perf_event's task clock is an hrtimer on the thread's running time: exact at any rate.
// The overflow signal goes to the thread itself (F_SETOWN_EX), each period.
int openPerfSource(int tid, double rate_Hz) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_TASK_CLOCK;
  attr.sample_period = static_cast<uint64_t>(1e9 / rate_Hz);
  attr.wakeup_events = 1;
  attr.disabled = 1;
  attr.exclude_kernel = 1;  // allowed without privileges (perf_event_paranoid <= 2)
  attr.exclude_hv = 1;
  const int fd = static_cast<int>(syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
  if (fd < 0) return -1;
  f_owner_ex owner{};
  owner.type = F_OWNER_TID;
  owner.pid = tid;
  if (fcntl(fd, F_SETFL, O_ASYNC) != 0 || fcntl(fd, F_SETSIG, SIGPROF) != 0 || fcntl(fd, F_SETOWN_EX, &owner) != 0 ||
      ioctl(fd, PERF_EVENT_IOC_RESET, 0) != 0 || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The fallback: a POSIX timer on the thread's CPU-time clock. It is checked on the
// scheduler tick (CONFIG_HZ, often 250 Hz), so faster rates arrive as overruns.
bool openTimerSource(int tid, double rate_Hz, timer_t& id) {
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = SIGPROF;
  event._sigev_un._tid = tid;
  if (timer_create(threadCpuClock(tid), &event, &id) != 0) return false;  // the thread just ended
  const auto period_ns = static_cast<long>(1e9 / rate_Hz);
  itimerspec spec{};
  spec.it_interval.tv_sec = period_ns / 1'000'000'000;
  spec.it_interval.tv_nsec = period_ns % 1'000'000'000;
  spec.it_value = spec.it_interval;
  if (timer_settime(id, 0, &spec, nullptr) != 0) {
    timer_delete(id);
    return false;
  }
  return true;
}

void armSourceFor(Control& control, int tid) {
  for (const auto& source : control.sources) {
    if (source.tid == tid) return;
  }
  Control::Source source;
  source.tid = tid;
  source.perfFd = control.perfUsable ? openPerfSource(tid, control.settings.rate_Hz) : -1;
  if (source.perfFd >= 0) {
    control.usedPerf = true;
  } else {
    control.perfUsable = false;  // refused once (permissions, seccomp): do not retry per thread
    if (!openTimerSource(tid, control.settings.rate_Hz, source.timer)) return;
    control.usedTimer = true;
  }
  control.sources.push_back(source);
  control.names[tid] = threadName(tid);
  control.audio[tid] = isAudioTid(tid);
}

void scanThreads(Control& control) {
  std::vector<int> tids;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      tids.push_back(std::atoi(entry->d_name));
    }
    closedir(dir);
  }
  std::lock_guard<std::mutex> lock(control.mutex);
  for (int tid : tids) {
    if (tid == control.scannerTid) continue;
    if (control.settings.audioThreadOnly && !isAudioTid(tid)) continue;
    armSourceFor(control, tid);
  }
  // A thread marked as audio after its timer was made.
  for (auto& [tid, audio] : control.audio) audio = audio || isAudioTid(tid);
}

}  // namespace

bool SamplingProfiler::available(std::string* reason) {
#if AWE_SAMPLER_TSAN
  if (reason != nullptr) {
    *reason = "the CPU sampling profiler is not available under ThreadSanitizer (it defers signals and "
              "breaks libunwind's per-thread cache); use a Release or ASan build";
  }
  return false;
#elif !defined(__x86_64__) && !defined(__aarch64__)
  if (reason != nullptr) *reason = "the CPU sampling profiler supports x86-64 and AArch64 Linux only";
  return false;
#else
  (void)reason;
  return true;
#endif
}

bool SamplingProfiler::running() noexcept { return g_state.running.load(std::memory_order_relaxed); }

void SamplingProfiler::markAudioThread() noexcept {  // [audio thread]
  const int tid = currentTid();
  for (auto& slot : g_audioTids) {
    if (slot.load(std::memory_order_relaxed) == tid) return;
  }
  for (auto& slot : g_audioTids) {
    int expected = 0;
    if (slot.compare_exchange_strong(expected, tid, std::memory_order_relaxed)) return;
  }
}

void SamplingProfiler::unmarkAudioThread() noexcept {  // [audio thread]
  const int tid = currentTid();
  for (auto& slot : g_audioTids) {
    int expected = tid;
    slot.compare_exchange_strong(expected, 0, std::memory_order_relaxed);
  }
}

void SamplingProfiler::start(const CpuProfileSettings& settings) {
  std::string reason;
  if (!available(&reason)) throw std::runtime_error(reason);
  if (g_control != nullptr) throw std::runtime_error("the CPU sampling profiler is already running");
  if (!(settings.rate_Hz >= 1.0 && settings.rate_Hz <= 100000.0)) {
    throw std::runtime_error("CPU sampling rate must be between 1 Hz and 100 kHz");
  }
  const std::size_t capacity = std::max<std::size_t>(1, settings.maxSamples);
  const std::size_t bytes = capacity * sizeof(RawSample);
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) throw std::runtime_error(std::string("CPU profiler: cannot reserve the sample buffer: ") + std::strerror(errno));
  g_state.samples = static_cast<RawSample*>(memory);  // zero pages: every `ready` starts at 0
  g_state.capacity = capacity;
  g_state.mappedBytes = bytes;
  g_state.next.store(0);
  g_state.dropped.store(0);
  g_state.handlerTime_ns.store(0);

  auto control = std::make_unique<Control>();
  control->settings = settings;
  control->perfUsable = settings.usePerfEvent;
  control->start_ns = monotonicNow();
  // libunwind's one-time set-up outside any signal handler.
  stackcapture::warm();

  struct sigaction action {};
  action.sa_sigaction = &onProfilingSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGPROF, &action, &control->previous) != 0) {
    munmap(memory, bytes);
    g_state.samples = nullptr;
    throw std::runtime_error(std::string("CPU profiler: sigaction: ") + std::strerror(errno));
  }
  g_state.running.store(true, std::memory_order_release);
  g_control = control.release();
  Control* c = g_control;
  std::promise<void> ready;
  auto started = ready.get_future();
  c->scanner = std::thread([c, &ready] {
    const HeapProfiler::Exclusion notProfiled;  // the profiler's own allocations
    c->scannerTid = currentTid();
    scanThreads(*c);
    ready.set_value();
    std::unique_lock<std::mutex> lock(c->mutex);
    while (!c->stopRequested) {
      c->wake.wait_for(lock, std::chrono::milliseconds(20));
      if (c->stopRequested) break;
      lock.unlock();
      scanThreads(*c);
      lock.lock();
    }
  });
  started.wait();
}

CpuProfileData SamplingProfiler::stop() {
  if (g_control == nullptr) throw std::runtime_error("the CPU sampling profiler is not running");
  const HeapProfiler::Exclusion notProfiled;
  Control& control = *g_control;
  {
    std::lock_guard<std::mutex> lock(control.mutex);
    control.stopRequested = true;
  }
  control.wake.notify_all();
  control.scanner.join();
  const int64_t end_ns = monotonicNow();
  for (const auto& source : control.sources) {
    if (source.perfFd >= 0) {
      ioctl(source.perfFd, PERF_EVENT_IOC_DISABLE, 0);
      close(source.perfFd);
    } else {
      timer_delete(source.timer);
    }
  }
  g_state.running.store(false);
  // A handler that saw `running` before it went false may still be writing its sample.
  while (g_state.inFlight.load() != 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
  // A signal already on its way finds `running` false; then the handler goes. SIGPROF's
  // default action would end the process, so a late one is ignored rather than defaulted.
  struct sigaction restore = control.previous;
  if (restore.sa_handler == SIG_DFL && (restore.sa_flags & SA_SIGINFO) == 0) restore.sa_handler = SIG_IGN;
  sigaction(SIGPROF, &restore, nullptr);

  CpuProfileData data;
  data.rate_Hz = control.settings.rate_Hz;
  data.audioThreadOnly = control.settings.audioThreadOnly;
  data.start_ns = control.start_ns;
  data.end_ns = end_ns;
  data.dropped = g_state.dropped.load();
  data.handlerTime_ns = g_state.handlerTime_ns.load();
  data.clock = control.usedPerf && control.usedTimer ? "perf_event task clock and POSIX CPU-time timers"
               : control.usedTimer                   ? "POSIX CPU-time timers (scheduler tick)"
                                                     : "perf_event task clock";

  Symbolizer symbolizer;
  std::map<std::pair<std::string, std::string>, uint32_t> functionIds;
  std::map<uint32_t, uint32_t> threadIds;
  std::map<uintptr_t, uint32_t> pcFunction;  // (address | leaf bit) -> function
  const uint64_t count = std::min<uint64_t>(g_state.next.load(), g_state.capacity);
  for (uint64_t i = 0; i < count; ++i) {
    const RawSample& raw = g_state.samples[i];
    if (raw.ready.load(std::memory_order_acquire) == 0) continue;
    CpuProfileData::Sample sample;
    sample.time_ns = raw.time_ns;
    sample.weight = std::max<uint32_t>(1, raw.weight);
    auto thread = threadIds.find(raw.tid);
    if (thread == threadIds.end()) {
      CpuProfileData::Thread t;
      t.tid = raw.tid;
      const auto name = control.names.find(static_cast<int>(raw.tid));
      t.name = name != control.names.end() ? name->second : "thread " + std::to_string(raw.tid);
      const auto audio = control.audio.find(static_cast<int>(raw.tid));
      t.audio = audio != control.audio.end() && audio->second;
      thread = threadIds.emplace(raw.tid, static_cast<uint32_t>(data.threads.size())).first;
      data.threads.push_back(t);
    }
    sample.thread = thread->second;
    data.threads[thread->second].samples += sample.weight;
    if (raw.truncated != 0) ++data.truncated;
    const uint32_t frames = std::min<uint32_t>(raw.frameCount, kMaxFrames);
    for (uint32_t k = frames; k-- > 0;) {
      // Outer frames hold return addresses: look up the call instruction before them.
      const auto address = reinterpret_cast<uintptr_t>(raw.frames[k]);
      const uintptr_t lookup = k > 0 && address > 0 ? address - 1 : address;
      auto known = pcFunction.find(lookup);
      if (known == pcFunction.end()) {
        const SymbolizedFrame& frame = symbolizer.resolve(lookup);
        const std::string name = frame.known ? frame.function : "?? (" + (frame.module.empty() ? "unknown" : frame.module) + ")";
        auto id = functionIds.find({name, frame.module});
        if (id == functionIds.end()) {
          id = functionIds.emplace(std::make_pair(name, frame.module), static_cast<uint32_t>(data.functions.size())).first;
          data.functions.push_back({name, frame.module, frame.functionFile, frame.functionLine});
        }
        known = pcFunction.emplace(lookup, id->second).first;
      }
      sample.stack.push_back(known->second);
    }
    data.samples.push_back(std::move(sample));
  }
  std::stable_sort(data.samples.begin(), data.samples.end(),
                   [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; });

  munmap(g_state.samples, g_state.mappedBytes);
  g_state.samples = nullptr;
  g_state.capacity = 0;
  delete g_control;
  g_control = nullptr;
  return data;
}

}  // namespace awe
