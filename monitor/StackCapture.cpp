#include "monitor/StackCapture.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>

namespace awe::stackcapture {
namespace {

#if defined(__SANITIZE_THREAD__)
#define AWE_STACK_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AWE_STACK_THREAD_SANITIZER 1
#endif
#endif
#ifndef AWE_STACK_THREAD_SANITIZER
#define AWE_STACK_THREAD_SANITIZER 0
#endif

// initial-exec TLS: reading it never calls __tls_get_addr (which may allocate) and is
// safe in a signal handler.
__attribute__((tls_model("initial-exec"))) thread_local volatile int t_capturing = 0;

}  // namespace

int capture(void** frames, int maxFrames) noexcept {  // [audio thread]
  if (maxFrames <= 0) return 0;
  t_capturing = t_capturing + 1;
#if AWE_STACK_THREAD_SANITIZER
  // unw_backtrace keeps a per-thread cache whose destructor runs at thread exit after
  // ThreadSanitizer has torn the thread down (and crashes it); stepping a cursor by hand
  // uses only libunwind's global cache.
  int count = 0;
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) == 0 && unw_init_local(&cursor, &context) == 0) {
    do {
      unw_word_t ip = 0;
      if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
      frames[count++] = reinterpret_cast<void*>(ip);
    } while (count < maxFrames && unw_step(&cursor) > 0);
  }
#else
  const int count = unw_backtrace(frames, maxFrames);
#endif
  t_capturing = t_capturing - 1;
  return count < 0 ? 0 : count;
}

bool captureInProgress() noexcept { return t_capturing != 0; }

void warm() noexcept {
  void* frames[4];
  capture(frames, 4);
}

}  // namespace awe::stackcapture
