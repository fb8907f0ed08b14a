#pragma once
// moodycamel's single-producer single-consumer ReaderWriterQueue, with its ThreadSanitizer
// annotations switched on for GCC as well: the header only looks for clang's
// __has_feature, and without the annotations TSan cannot see through its fences.
#if defined(__SANITIZE_THREAD__) && !defined(AE_TSAN_ANNOTATE_RELEASE)
namespace moodycamel {
inline int ae_tsan_global;
}
extern "C" void AnnotateHappensBefore(const char*, int, void*);
extern "C" void AnnotateHappensAfter(const char*, int, void*);
#define AE_TSAN_ANNOTATE_RELEASE() AnnotateHappensBefore(__FILE__, __LINE__, static_cast<void*>(&::moodycamel::ae_tsan_global))
#define AE_TSAN_ANNOTATE_ACQUIRE() AnnotateHappensAfter(__FILE__, __LINE__, static_cast<void*>(&::moodycamel::ae_tsan_global))
#endif
#include <readerwriterqueue.h>
