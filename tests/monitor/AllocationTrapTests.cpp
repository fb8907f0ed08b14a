#include <fcntl.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "monitor/AllocationTrap.h"
#include "monitor/profiling/Symbolizer.h"

using awe::AllocationTrap;

namespace awe::test {

// Keeps allocations observable so the optimiser cannot drop a malloc/free pair.
void* volatile g_allocationSink = nullptr;

// Named, exported (the test executable links with -rdynamic) and never inlined, so the
// offender's symbolised stack must show it.
__attribute__((noinline)) void* allocateOnAudioThreadForTest(std::size_t size_bytes) {
  void* pointer = ::operator new(size_bytes);
  g_allocationSink = pointer;
  asm volatile("" ::: "memory");
  return pointer;
}

}  // namespace awe::test

namespace {

// ThreadSanitizer runs no malloc hook for the C aligned-allocation functions (see
// AllocationTrap.h), so the trap cannot see those there.
#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kThreadSanitizer = true;
#else
constexpr bool kThreadSanitizer = false;
#endif
#else
constexpr bool kThreadSanitizer = false;
#endif

using awe::test::allocateOnAudioThreadForTest;
using awe::test::g_allocationSink;

// Restores Count mode and clears the audio-thread record around each test.
struct TrapFixture {
  TrapFixture() {
    AllocationTrap::setMode(AllocationTrap::Mode::Count);
    AllocationTrap::resetAudioThreadRecord();
  }
  ~TrapFixture() {
    AllocationTrap::setMode(AllocationTrap::Mode::Count);
    AllocationTrap::resetAudioThreadRecord();
  }
};

// Runs `body` with stderr sent to a temporary file and returns what was written.
template <typename Body>
std::string captureStderr(Body body) {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  dup2(fileno(file), STDERR_FILENO);
  body();
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string text;
  std::rewind(file);
  char chunk[512];
  std::size_t length = 0;
  while ((length = std::fread(chunk, 1, sizeof chunk, file)) > 0) text.append(chunk, length);
  std::fclose(file);
  return text;
}

// The trap alone symbolises nothing (the core links no symbolizer); the Engine installs
// profiling's, and so do these tests, before any symbolize().
const bool kSymbolizerInstalled = (awe::installOffenderSymbolizer(), true);

bool stackMentions(const AllocationTrap::Offender& offender, const std::string& name) {
  REQUIRE(kSymbolizerInstalled);
  for (const std::string& line : AllocationTrap::symbolize(offender)) {
    if (line.find(name) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("AllocationTrap is active in this build", "[monitor]") {
  CHECK(AllocationTrap::backend() != AllocationTrap::Backend::Inactive);
}

TEST_CASE("AllocationTrap counts every allocation function", "[monitor]") {
  TrapFixture fixture;
  auto expectOneEach = [](const char* name, auto allocate, auto release) {
    INFO(name);
    const AllocationTrap::Counters before = AllocationTrap::counters();
    void* pointer = allocate();
    REQUIRE(pointer != nullptr);
    g_allocationSink = pointer;
    const AllocationTrap::Counters during = AllocationTrap::counters();
    release(pointer);
    const AllocationTrap::Counters after = AllocationTrap::counters();
    CHECK(during.allocations - before.allocations == 1);
    CHECK(during.liveBytes - before.liveBytes >= 100);
    CHECK(after.frees - during.frees == 1);
    CHECK(after.liveBytes == before.liveBytes);
  };
  expectOneEach("malloc", [] { return std::malloc(100); }, [](void* p) { std::free(p); });
  expectOneEach("calloc", [] { return std::calloc(10, 10); }, [](void* p) { std::free(p); });
  if (kThreadSanitizer) {
    WARN("ThreadSanitizer build: aligned_alloc, posix_memalign, memalign, valloc, pvalloc not checked");
  } else {
    expectOneEach("aligned_alloc", [] { return aligned_alloc(64, 128); }, [](void* p) { std::free(p); });
    expectOneEach("posix_memalign", [] {
      void* p = nullptr;
      return posix_memalign(&p, 64, 100) == 0 ? p : nullptr;
    }, [](void* p) { std::free(p); });
    expectOneEach("memalign", [] { return memalign(32, 100); }, [](void* p) { std::free(p); });
    expectOneEach("valloc", [] { return valloc(100); }, [](void* p) { std::free(p); });
    expectOneEach("pvalloc", [] { return pvalloc(100); }, [](void* p) { std::free(p); });
  }
  expectOneEach("operator new", [] { return ::operator new(100); }, [](void* p) { ::operator delete(p); });
  expectOneEach("operator new[]", [] { return ::operator new[](100); }, [](void* p) { ::operator delete[](p); });
  expectOneEach("nothrow new", [] { return ::operator new(100, std::nothrow); },
                [](void* p) { ::operator delete(p, std::nothrow); });
  expectOneEach("sized delete", [] { return ::operator new(100); }, [](void* p) { ::operator delete(p, 100); });
  expectOneEach("aligned new", [] { return ::operator new(100, std::align_val_t{64}); },
                [](void* p) { ::operator delete(p, std::align_val_t{64}); });
  expectOneEach("aligned new[]", [] { return ::operator new[](100, std::align_val_t{128}); },
                [](void* p) { ::operator delete[](p, std::align_val_t{128}); });

  SECTION("realloc counts one allocation and one free, and moves the live bytes by the difference") {
    void* pointer = std::malloc(100);
    g_allocationSink = pointer;
    const AllocationTrap::Counters before = AllocationTrap::counters();
    pointer = std::realloc(pointer, 100'000);
    REQUIRE(pointer != nullptr);
    g_allocationSink = pointer;
    const AllocationTrap::Counters after = AllocationTrap::counters();
    CHECK(after.allocations - before.allocations == 1);
    CHECK(after.frees - before.frees == 1);
    CHECK(after.liveBytes - before.liveBytes >= 100'000 - 200);
    std::free(pointer);
  }
}

TEST_CASE("AllocationTrap: live and peak bytes follow a large block", "[monitor]") {
  TrapFixture fixture;
  constexpr std::size_t kSize = 4 << 20;
  AllocationTrap::resetPeak();
  const AllocationTrap::Counters before = AllocationTrap::counters();
  void* block = std::malloc(kSize);
  g_allocationSink = block;
  const AllocationTrap::Counters during = AllocationTrap::counters();
  std::free(block);
  const AllocationTrap::Counters after = AllocationTrap::counters();

  CHECK(during.liveBytes - before.liveBytes >= static_cast<int64_t>(kSize));
  CHECK(during.liveBytes - before.liveBytes <= static_cast<int64_t>(kSize + 8192));
  CHECK(during.peakBytes >= during.liveBytes);
  CHECK(after.liveBytes == before.liveBytes);
  CHECK(after.peakBytes == during.peakBytes);  // the peak stays
  CHECK(after.peakBytes - before.liveBytes >= static_cast<int64_t>(kSize));
}

TEST_CASE("AllocationTrap: allocations off the audio thread are not offenders", "[monitor]") {
  TrapFixture fixture;
  CHECK_FALSE(AllocationTrap::isAudioThread());
  void* pointer = std::malloc(64);
  g_allocationSink = pointer;
  std::free(pointer);
  std::thread other([] {
    void* p = std::malloc(64);
    g_allocationSink = p;
    std::free(p);
  });
  other.join();
  CHECK(AllocationTrap::counters().audioThreadAllocations == 0);
  CHECK_FALSE(AllocationTrap::firstOffender().present);
}

TEST_CASE("AllocationTrap: marks nest", "[monitor]") {
  {
    AllocationTrap::ScopedAudioThread outer;
    {
      AllocationTrap::ScopedAudioThread inner;
      CHECK(AllocationTrap::isAudioThread());
    }
    CHECK(AllocationTrap::isAudioThread());
  }
  CHECK_FALSE(AllocationTrap::isAudioThread());
}

TEST_CASE("AllocationTrap Count mode catches an audio-thread allocation with size, buffer and stack",
          "[monitor]") {
  TrapFixture fixture;
  const AllocationTrap::Counters before = AllocationTrap::counters();
  uint64_t inBuffer = 0;
  void* pointer = nullptr;
  std::thread audio([&] {
    AllocationTrap::ScopedAudioThread mark;
    AllocationTrap::beginBuffer(17);
    pointer = allocateOnAudioThreadForTest(100);
    inBuffer = AllocationTrap::bufferAllocations();
    ::operator delete(pointer);
  });
  audio.join();
  const AllocationTrap::Counters after = AllocationTrap::counters();

  CHECK(inBuffer == 1);
  CHECK(after.audioThreadAllocations - before.audioThreadAllocations == 1);
  CHECK(after.audioThreadFrees - before.audioThreadFrees == 1);
  const AllocationTrap::Offender offender = AllocationTrap::firstOffender();
  REQUIRE(offender.present);
  CHECK(offender.size_bytes == 100);
  CHECK(offender.bufferIndex == 17);
  CHECK(offender.frameCount > 2);
  INFO("stack:\n" << [&] {
    std::string text;
    for (const std::string& line : AllocationTrap::symbolize(offender)) text += line + "\n";
    return text;
  }());
  CHECK(stackMentions(offender, "awe::test::allocateOnAudioThreadForTest"));

  SECTION("only the first offender is kept") {
    std::thread again([] {
      AllocationTrap::ScopedAudioThread mark;
      AllocationTrap::beginBuffer(99);
      ::operator delete(allocateOnAudioThreadForTest(5));
    });
    again.join();
    CHECK(AllocationTrap::firstOffender().bufferIndex == 17);
    CHECK(AllocationTrap::counters().audioThreadAllocations - before.audioThreadAllocations == 2);
  }
}

TEST_CASE("AllocationTrap Log mode writes one line per audio-thread allocation", "[monitor]") {
  TrapFixture fixture;
  AllocationTrap::setMode(AllocationTrap::Mode::Log);
  const std::string written = captureStderr([] {
    AllocationTrap::ScopedAudioThread mark;
    AllocationTrap::beginBuffer(5);
    ::operator delete(allocateOnAudioThreadForTest(48));
    AllocationTrap::beginBuffer(6);
    ::operator delete(allocateOnAudioThreadForTest(80));
  });
  AllocationTrap::setMode(AllocationTrap::Mode::Count);
  CHECK(written.find("audio-thread allocation #1: 48 bytes in buffer 5") != std::string::npos);
  CHECK(written.find("audio-thread allocation #2: 80 bytes in buffer 6") != std::string::npos);
  const AllocationTrap::Offender offender = AllocationTrap::firstOffender();
  REQUIRE(offender.present);
  CHECK(offender.size_bytes == 48);
  CHECK(offender.bufferIndex == 5);
  CHECK(stackMentions(offender, "allocateOnAudioThreadForTest"));
}

TEST_CASE("AllocationTrap Abort mode kills the process and names the offender", "[monitor]") {
  int pipeEnds[2];
  REQUIRE(pipe(pipeEnds) == 0);
  std::fflush(nullptr);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child must die of the trap's abort(), not report through Catch's handlers.
    std::signal(SIGABRT, SIG_DFL);
    dup2(pipeEnds[1], STDERR_FILENO);
    const int devNull = open("/dev/null", O_WRONLY);
    dup2(devNull, STDOUT_FILENO);
    close(pipeEnds[0]);
    AllocationTrap::setMode(AllocationTrap::Mode::Abort);
    AllocationTrap::ScopedAudioThread mark;
    AllocationTrap::beginBuffer(42);
    allocateOnAudioThreadForTest(333);
    _exit(0);  // not reached when the trap works
  }
  close(pipeEnds[1]);
  std::string output;
  char chunk[1024];
  ssize_t length = 0;
  while ((length = read(pipeEnds[0], chunk, sizeof chunk)) > 0) output.append(chunk, static_cast<std::size_t>(length));
  close(pipeEnds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);

  INFO("child stderr:\n" << output);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CHECK(output.find("allocation of 333 bytes on the audio thread in buffer 42") != std::string::npos);
  CHECK(output.find("allocateOnAudioThreadForTest") != std::string::npos);  // mangled, in the raw stack
}
