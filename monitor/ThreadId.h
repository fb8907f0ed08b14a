#pragma once
// The kernel's ids of this process and thread (what top, perf and Perfetto show), for
// traces. [any thread; the audio thread too: the thread id is read from the kernel once
// per thread, then from a thread_local]
#include <sys/syscall.h>
#include <unistd.h>

namespace awe {

inline int osProcessId() noexcept { return static_cast<int>(::getpid()); }

inline int osThreadId() noexcept {  // [audio thread]
  thread_local int tid = 0;
  if (tid == 0) tid = static_cast<int>(::syscall(SYS_gettid));
  return tid;
}

}  // namespace awe
