// The man page and the bash completion, generated from the command line's own definition
// (the CLI11 App that parses it), so neither can drift from --help: the build writes both
// with `rawbackup --man` and `rawbackup --completion bash` and installs them.
#pragma once
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace rawbackup {

struct ManualText {
  std::string version;       // "0.1.0 (git abc1234)"
  std::string_view summary;  // one line, for NAME
  std::string_view exit_codes;
};

// roff for man(1): NAME, SYNOPSIS, DESCRIPTION, GLOBAL OPTIONS, TASKS (each task's summary,
// options and example), EXIT STATUS, ENVIRONMENT, FILES, SEE ALSO.
std::string man_page(const CLI::App& app, const ManualText& text);

// A bash completion script: tasks, global and per-task options, fixed values (log levels and
// formats), file names after options that take a path, and raw-file ids from the store
// (`rawbackup [--config FILE] status --ids`) where a task takes ids.
std::string bash_completion(const CLI::App& app);

// Escapes text for roff: backslashes, '-' (a real hyphen-minus), and a '.' or '\'' that would
// start a request at the beginning of a line.
std::string roff_escape(std::string_view text);

}  // namespace rawbackup
