# Runs one awe-bench command and checks its exit code and output (ctest's own checks cannot
# require both). Arguments, as -D definitions:
#   BENCH          the awe-bench executable
#   ARGS           its arguments, separated by '|'
#   EXPECT_EXIT    the exit code it must return
#   EXPECT_OUTPUT  regular expressions ('|'-separated) that standard output must all match
string(REPLACE "|" ";" arguments "${ARGS}")
execute_process(COMMAND "${BENCH}" ${arguments}
                RESULT_VARIABLE exit_code
                OUTPUT_VARIABLE output
                ERROR_VARIABLE errors)
message("${output}")
if(errors)
  message("stderr:\n${errors}")
endif()
if(NOT exit_code STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "awe-bench exited with ${exit_code}, expected ${EXPECT_EXIT}")
endif()
if(DEFINED EXPECT_OUTPUT)
  string(REPLACE "|" ";" patterns "${EXPECT_OUTPUT}")
  foreach(pattern IN LISTS patterns)
    if(NOT output MATCHES "${pattern}")
      message(FATAL_ERROR "the output does not match '${pattern}'")
    endif()
  endforeach()
endif()
