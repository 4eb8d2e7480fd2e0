# Writes the man page and bash completion from the built executable (EXE --man, EXE
# --completion bash) into DIR, and the package's changelog; man page and changelog
# compressed as Debian wants them (gzip -9n: no name, no time, the same bytes every build).
execute_process(COMMAND "${EXE}" --man OUTPUT_FILE "${DIR}/rawbackup.1" RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "${EXE} --man failed")
endif()
execute_process(COMMAND "${EXE}" --completion bash OUTPUT_FILE "${DIR}/rawbackup.bash" RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "${EXE} --completion bash failed")
endif()
execute_process(COMMAND "${EXE}" --version OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE)
string(TIMESTAMP date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(WRITE "${DIR}/changelog"
  "rawbackup (${PACKAGE_VERSION}) unstable; urgency=medium\n\n"
  "  * Built as ${version}.\n"
  "  * The changes are in the project's git history.\n\n"
  " -- ${MAINTAINER}  ${date}\n")
foreach(file rawbackup.1 changelog)
  execute_process(COMMAND gzip -9nf "${DIR}/${file}" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "gzip ${file} failed")
  endif()
endforeach()
