// The command line: global options, one subcommand per task table entry, and the single
// place where errors become exit codes.
#pragma once

namespace rawbackup {

// Parses, runs the chosen task, prints its result on stdout, returns the exit code.
int run_main(int argc, const char* const* argv);

}  // namespace rawbackup
