#include "web/http_server.h"

#include <httplib.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "common/interrupt.h"

namespace rawbackup::web {
namespace {

// Free heap beyond this after a request goes back to the system. Lower costs time: a trim costs
// about as much as serving a cached page, and memory given back is faulted in again by the next
// large page (a 20,000-file record on PostgreSQL: 130 → 237 ms with 8 MiB).
constexpr size_t trim_above_free_bytes = 32 * 1024 * 1024;

WebRequest request_of(const httplib::Request& req) {
  WebRequest out{req.method, req.path, {}, req.get_header_value("Authorization")};
  for (const auto& [name, value] : req.params) out.params.emplace(name, value);
  return out;
}

}  // namespace

Status serve_http(const WebSite& site, const std::string& host, int port, const ServerLimits& limits,
                  const std::function<void(int port)>& on_listening) {
  // Requests run one at a time (store_mutex), so one malloc arena serves them all, and what a
  // large page allocated (a 20,000-file record: ~30 MiB) goes back to the system after it,
  // instead of each worker thread's arena keeping its own high-water mark.
  mallopt(M_ARENA_MAX, 1);
  httplib::Server server;
  std::mutex store_mutex;
  const size_t threads = limits.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(limits.max_request_bytes);
  server.set_read_timeout(limits.read_timeout_seconds);
  server.set_write_timeout(limits.write_timeout_seconds);
  // One request per connection: a kept-alive connection would hold one of the few workers
  // while dozens of other clients wait behind it.
  server.set_keep_alive_max_count(1);
  // Every method reaches the site, which answers 405 for all but GET and HEAD.
  server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    WebResponse response;
    {
      std::lock_guard lock(store_mutex);
      response = handle_request(site, request_of(req));
      if (mallinfo2().fordblks > trim_above_free_bytes) malloc_trim(0);
    }
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    res.set_content(response.body, response.content_type);
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content("internal error\n", "text/plain; charset=utf-8");
  });
  // The path only: never the query string's values or a header (the token).
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::info("{} {} {}", req.method, req.path, res.status);
  });
  // The library listens with a backlog of 5 (built into Debian's libcpp-httplib): with one
  // request per connection, a burst of clients overflows it and a client waits for its SYN's
  // retransmission (1 s, then 3 s). Listening again on the bound socket raises the backlog.
  int listening_socket = -1;
  server.set_socket_options([&listening_socket](socket_t sock) {
    httplib::default_socket_options(sock);
    listening_socket = sock;
  });
  int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return fail(ErrorKind::usage, "cannot listen on " + host + ":" + std::to_string(port));
  if (::listen(listening_socket, SOMAXCONN) != 0) {
    spdlog::warn("cannot raise the listen backlog: {}", std::strerror(errno));
  }
  std::atomic<bool> stopped = false;  // the server ended on its own: the stopper ends too
  std::thread stopper([&server, &stopped] {
    while (!stopped && sleep_unless_interrupted(std::chrono::milliseconds(200))) {
    }
    server.stop();
  });
  on_listening(bound);
  bool served = server.listen_after_bind();
  stopped = true;
  stopper.join();
  if (!served && !interrupted()) return fail(ErrorKind::failed, "the server stopped");
  return {};
}

}  // namespace rawbackup::web
