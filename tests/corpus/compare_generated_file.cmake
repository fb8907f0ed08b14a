# Generates one committed file into the build folder and compares it with the committed
# copy (cmake -P; see tests/corpus/CMakeLists.txt).
#   GENERATOR  the generator's command line, a list; OUT/FILE is appended
#   OUT        folder to generate into (in the build folder)
#   COMMITTED  the folder holding the committed copy
#   FILE       the file's name
file(MAKE_DIRECTORY "${OUT}")
file(REMOVE "${OUT}/${FILE}")
execute_process(COMMAND ${GENERATOR} "${OUT}/${FILE}" RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the generator failed (${status}): ${GENERATOR}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${OUT}/${FILE}" "${COMMITTED}/${FILE}" RESULT_VARIABLE differs)
if(differs)
  message(FATAL_ERROR "${COMMITTED}/${FILE} differs from what the generator makes (${OUT}/${FILE}): "
                      "regenerate it on purpose, listen, and commit it with the generator.")
endif()
message("${COMMITTED}/${FILE}: what the generator makes")
