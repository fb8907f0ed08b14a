# Runs one awe-bench command and checks its exit code and output (ctest's own checks cannot
# require both). Arguments, as -D definitions:
#   BENCH          the awe-bench executable
#   ARGS           its arguments, separated by '|'
#   EXPECT_EXIT    the exit code it must return
#   EXPECT_OUTPUT  regular expressions ('|'-separated) that standard output must all match
#   EXPECT_ERRORS  (optional) the same for standard error
#   KEEP_FILE      (optional) a file that must be byte for byte the same afterwards
string(REPLACE "|" ";" arguments "${ARGS}")
if(DEFINED KEEP_FILE)
  file(SHA256 "${KEEP_FILE}" kept_before)
endif()
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
if(DEFINED EXPECT_ERRORS)
  string(REPLACE "|" ";" patterns "${EXPECT_ERRORS}")
  foreach(pattern IN LISTS patterns)
    if(NOT errors MATCHES "${pattern}")
      message(FATAL_ERROR "standard error does not match '${pattern}'")
    endif()
  endforeach()
endif()
if(DEFINED KEEP_FILE)
  file(SHA256 "${KEEP_FILE}" kept_after)
  if(NOT kept_before STREQUAL kept_after)
    message(FATAL_ERROR "${KEEP_FILE} changed")
  endif()
endif()
