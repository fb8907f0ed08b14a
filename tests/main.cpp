// The Catch2 main of the test programs, with two additions (tests/support/Skip.h): exit
// code 77 (ctest: skipped) when a test skipped and none failed, and the quiet-machine mode
// (AWE_QUIET_MACHINE=1), where a run spoiled by the machine's scheduling fails instead.
// Every tool a test starts plays the built-in bank unless the test names another
// (AWE_SOUNDFONT=builtin, engine/Banks.h): the GM banks a machine has installed never change
// a result.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "support/Skip.h"

int main(int argc, char** argv) {
  ::setenv("AWE_SOUNDFONT", "builtin", 1);
  Catch::Session session;
  bool quietOnly = false;
  session.cli(session.cli() | Catch::clara::Opt(quietOnly)["--quiet-machine-only"](
                                  "run only with AWE_QUIET_MACHINE=1 (else skip): the strict timing tests"));
  if (const int status = session.applyCommandLine(argc, argv); status != 0) return status;
  const char* quiet = std::getenv("AWE_QUIET_MACHINE");
  awe::test::skipState().strictTiming = quiet != nullptr && std::strcmp(quiet, "1") == 0;
  if (quietOnly && !awe::test::strictTiming()) {
    std::printf("skipped: the strict timing tests run on a quiet machine only: "
                "AWE_QUIET_MACHINE=1 tools/awe test -L quiet-machine\n");
    return awe::test::kSkipExitCode;
  }
  const int failed = session.run();
  // (Catch caps the count at 255; 77 failures must not read as a skip.)
  if (failed != 0) return failed == awe::test::kSkipExitCode ? failed + 1 : failed;
  const auto& reasons = awe::test::skipState().reasons;
  if (reasons.empty()) return 0;
  for (const auto& reason : reasons) std::printf("skipped: %s\n", reason.c_str());
  return awe::test::kSkipExitCode;
}
