// `serve`: the operator's page (web/site.h) over HTTP, read-only, until SIGINT/SIGTERM.
// Binds 127.0.0.1 by default; any other address needs a bearer token (--token-file, or
// RAWBACKUP_SERVE_TOKEN), else it refuses to start.
#pragma once
#include <string>

#include "tasks/task.h"

namespace rawbackup {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";  // ADDR:PORT ([ADDR]:PORT for IPv6); port 0: a free one
  std::string token_file;                 // "" : RAWBACKUP_SERVE_TOKEN, or none
};

// The host and port of --listen; kind usage for a malformed one.
Result<std::pair<std::string, int>> parse_listen(const std::string& listen);
bool is_loopback(const std::string& host);

Result<TaskOutput> run_serve(const Context& ctx, const ServeOptions& options);
TaskRunner bind_serve(CLI::App& command);

}  // namespace rawbackup
