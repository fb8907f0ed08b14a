# After a failing awe-bench run without --trace (bench.injected-allocation): its trace is in
# the documented state folder ($XDG_STATE_HOME/awe/, set by the test) and parses, and the
# current folder got nothing it did not ask for.
#   FOLDER  the folder the bench ran in
set(trace "${FOLDER}/state/awe/awe-bench-failure.trace.json")
if(NOT EXISTS "${trace}")
  message(FATAL_ERROR "no failure trace at ${trace}")
endif()
file(READ "${trace}" text)
string(JSON events ERROR_VARIABLE error LENGTH "${text}" traceEvents)
if(error OR events LESS 1)
  message(FATAL_ERROR "${trace}: not a trace with events: ${error}")
endif()
if(EXISTS "${FOLDER}/awe-bench-failure.trace.json")
  message(FATAL_ERROR "awe-bench wrote awe-bench-failure.trace.json into the current folder")
endif()
