// Serves a WebSite over HTTP with cpp-httplib (the one file that includes it): bounded worker
// threads, request size and read/write time; every request goes to handle_request(), whatever
// its method; calls into the store one at a time (a store connection is not shared between
// threads). Runs until the process is interrupted (SIGINT/SIGTERM).
#pragma once
#include <functional>
#include <string>

#include "common/result.h"
#include "web/site.h"

namespace rawbackup::web {

struct ServerLimits {
  size_t threads = 4;
  size_t max_request_bytes = 16 * 1024;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 30;
};

// Binds `host`:`port` (0: a free port), calls `on_listening` with the port, then serves until
// interrupted. Kind usage when the address cannot be bound.
Status serve_http(const WebSite& site, const std::string& host, int port, const ServerLimits& limits,
                  const std::function<void(int port)>& on_listening);

}  // namespace rawbackup::web
