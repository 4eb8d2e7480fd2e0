#include "web/serve.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "web/http_server.h"

namespace rawbackup {
namespace {

// How long the overview and /metrics are served from memory (web/site.h SummaryCache).
constexpr std::chrono::seconds summary_cache_time{5};

struct ServeResult {
  std::string url;
  std::string outcome() const { return "stopped"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const { return {{"task", "serve"}, {"outcome", outcome()}, {"url", url}}; }
  std::string to_text() const { return "serve: stopped serving " + url; }
};

// The token from --token-file (its first line, surrounding blanks dropped) or the environment.
Result<std::string> serve_token(const ServeOptions& options) {
  if (options.token_file.empty()) {
    const char* env = std::getenv("RAWBACKUP_SERVE_TOKEN");
    return std::string(env ? env : "");
  }
  std::ifstream in(options.token_file);
  if (!in) return fail(ErrorKind::usage, "--token-file " + options.token_file + ": cannot read it");
  std::string token;
  std::getline(in, token);
  const char* blanks = " \t\r\n";
  token.erase(token.find_last_not_of(blanks) + 1);
  token.erase(0, token.find_first_not_of(blanks));
  if (token.size() < 16) {
    return fail(ErrorKind::usage, "--token-file " + options.token_file + ": the token must be at least 16 characters");
  }
  return token;
}

}  // namespace

Result<std::pair<std::string, int>> parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return fail(ErrorKind::usage, "--listen " + listen + ": expected ADDR:PORT (e.g. 127.0.0.1:8080)");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string port_text = listen.substr(colon + 1);
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return fail(ErrorKind::usage, "--listen " + listen + ": the port must be 0–65535");
  }
  return std::pair{host, port};
}

bool is_loopback(const std::string& host) { return host == "localhost" || host == "::1" || host.starts_with("127."); }

Result<TaskOutput> run_serve(const Context& ctx, const ServeOptions& options) {
  set_log_context("serve", "");
  TRY_ASSIGN(address, parse_listen(options.listen));
  TRY_ASSIGN(token, serve_token(options));
  if (token.empty() && !is_loopback(address.first)) {
    return fail(ErrorKind::usage, "--listen " + options.listen +
                                      " is not a loopback address: give a bearer token (--token-file FILE or "
                                      "RAWBACKUP_SERVE_TOKEN)");
  }
  web::SummaryCache cache(summary_cache_time);
  web::WebSite site{ctx.config, ctx.store, ctx.fs, token};
  site.cache = &cache;
  ServeResult result;
  auto shown = [&](int port) {
    std::string host = address.first.find(':') != std::string::npos ? "[" + address.first + "]" : address.first;
    return "http://" + host + ":" + std::to_string(port) + "/";
  };
  TRY(web::serve_http(site, address.first, address.second, web::ServerLimits{}, [&](int port) {
    result.url = shown(port);
    spdlog::info("serving {} (read-only{})", result.url, token.empty() ? "" : ", bearer token required");
  }));
  return output_of(result);
}

TaskRunner bind_serve(CLI::App& command) {
  auto options = std::make_shared<ServeOptions>();
  command.add_option("--listen", options->listen, "ADDR:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  command.add_option("--token-file", options->token_file,
                     "A file holding the bearer token clients must send (else RAWBACKUP_SERVE_TOKEN); "
                     "needed for any address but loopback");
  return [options](const Context& ctx) { return run_serve(ctx, *options); };
}

}  // namespace rawbackup
