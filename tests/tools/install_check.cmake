# `cmake --install` into a scratch prefix, then the installed awe-render run from another
# folder with no song and no bank: it must find the built-in bank and demo beside itself
# (PREFIX/share/awe), not in the source or build tree, and render the demo.
#   cmake -DBUILD=<build dir> -DPREFIX=<scratch prefix> -DMAN=ON|OFF -P install_check.cmake
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX}
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${code}):\n${out}")
endif()
set(expected bin/awe-render bin/awe-bench bin/awe-latency bin/awe-bankinfo share/awe/awe-gm.sf2 share/awe/demo.mid
             share/doc/awe/README.md)
if(MAN)
  list(APPEND expected share/man/man1/awe-render.1 share/man/man1/awe-bankinfo.1)
elseif(NOT out MATCHES "help2man not found")
  message(FATAL_ERROR "no man pages and no word about it:\n${out}")
endif()
foreach(file ${expected})
  if(NOT EXISTS ${PREFIX}/${file})
    message(FATAL_ERROR "cmake --install did not put ${file} under ${PREFIX}:\n${out}")
  endif()
endforeach()
if(MAN)
  file(READ ${PREFIX}/share/man/man1/awe-render.1 page)
  if(NOT page MATCHES "\\.TH AWE-RENDER \"1\"" OR NOT page MATCHES "sf2")
    message(FATAL_ERROR "share/man/man1/awe-render.1 is not awe-render's page:\n${page}")
  endif()
endif()

# From another folder, with no hint of where the data is: AWE_SOUNDFONT_DIR unset, and
# AWE_SOUNDFONT=builtin so the machine's GM bank is not taken (and the chosen path is named).
file(MAKE_DIRECTORY ${PREFIX}/elsewhere)
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=AWE_SOUNDFONT_DIR AWE_SOUNDFONT=builtin
                        ${PREFIX}/bin/awe-render -q -o demo.wav
                WORKING_DIRECTORY ${PREFIX}/elsewhere
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the installed awe-render failed (${code}):\n${out}")
endif()
if(NOT out MATCHES "bank: \\$AWE_SOUNDFONT ${PREFIX}/share/awe/awe-gm.sf2")
  message(FATAL_ERROR "the installed awe-render did not take the installed bank:\n${out}")
endif()
if(NOT out MATCHES "demo.wav: ([0-9.]+) s of audio")
  message(FATAL_ERROR "no render summary:\n${out}")
endif()
if(CMAKE_MATCH_1 LESS 5)
  message(FATAL_ERROR "the demo rendered only ${CMAKE_MATCH_1} s:\n${out}")
endif()
file(SIZE ${PREFIX}/elsewhere/demo.wav size)
message(STATUS "installed awe-render rendered the demo: ${CMAKE_MATCH_1} s, ${size} bytes\n${out}")
