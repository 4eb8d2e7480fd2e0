#include "web/site.h"

#include "tasks/status_metrics.h"
#include "web/overview_page.h"
#include "web/params.h"
#include "web/record_page.h"
#include "web/records_page.h"

namespace rawbackup::web {
namespace {

constexpr uint64_t failures_shown = 500;

WebResponse plain(int status, const std::string& line) { return {status, "text/plain; charset=utf-8", line + "\n"}; }

// The page's resources are all inline: nothing may come from elsewhere, no script runs.
void add_security_headers(WebResponse& response) {
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cache-Control", "no-store");
}

Result<WebResponse> metrics(const WebSite& site, const WebRequest& request) {
  TRY(checked_params(request, {}));
  TRY_ASSIGN(metrics, metrics_of_store(*site.store, *site.config, site.now()));
  return WebResponse{200, "text/plain; version=0.0.4; charset=utf-8", std::move(metrics)};
}

Result<WebResponse> healthz(const WebSite& site, const WebRequest& request) {
  TRY(checked_params(request, {}));
  TRY_ASSIGN(health, site.store->health());
  nlohmann::json body = {{"store", site.store->location()}, {"schema_version", health.schema_version}};
  return json_response(body);
}

Result<WebResponse> records(const WebSite& site, const WebRequest& request, bool api) {
  TRY_ASSIGN(query, records_query(*site.config, request));
  if (api) query.format = "json";
  TRY_ASSIGN(view, records_view(*site.store, query));
  return records_response(view);
}

Result<WebResponse> failures(const WebSite& site, const WebRequest& request, bool api) {
  TRY(checked_params(request, {}));
  TRY_ASSIGN(view, failures_view(*site.store, failures_shown));
  return failures_response(*site.config, view, api);
}

Result<WebResponse> route(const WebSite& site, const WebRequest& request);

// route(), through the cache for the summary pages (their parameters are checked first: they take none).
Result<WebResponse> cached_route(const WebSite& site, const WebRequest& request) {
  const bool summary = request.path == "/" || request.path == "/api/overview" || request.path == "/metrics";
  if (!summary || site.cache == nullptr || !request.params.empty()) return route(site, request);
  const Clock::time_point now = site.now();
  if (auto hit = site.cache->get(request.path, now)) return *hit;
  TRY_ASSIGN(response, route(site, request));
  site.cache->put(request.path, response, now);
  return response;
}

Result<WebResponse> route(const WebSite& site, const WebRequest& request) {
  const std::string& path = request.path;
  const bool api = path.starts_with("/api/");
  const std::string page = api ? path.substr(4) : path;
  if (page == "/" || (api && page == "/overview")) {
    TRY(checked_params(request, {}));
    return overview_response(site, api);
  }
  if (page == "/records") return records(site, request, api);
  if (page.starts_with("/records/") && page.size() > 9) return record_response(site, page.substr(9), request, api);
  if (page == "/failures") return failures(site, request, api);
  if (!api && path == "/metrics") return metrics(site, request);
  if (!api && path == "/healthz") return healthz(site, request);
  return plain(404, "no page " + path);
}

}  // namespace

std::optional<WebResponse> SummaryCache::get(const std::string& path, Clock::time_point now) const {
  auto it = entries_.find(path);
  if (it == entries_.end() || now - it->second.first >= ttl_ || now < it->second.first) return std::nullopt;
  return it->second.second;
}

void SummaryCache::put(const std::string& path, const WebResponse& response, Clock::time_point now) {
  entries_[path] = {now, response};
}

WebResponse json_response(const nlohmann::json& body) {
  return {200, "application/json", body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"};
}

bool same_secret(std::string_view a, std::string_view b) {
  unsigned char differ = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) differ |= static_cast<unsigned char>(a[i] ^ b[i % std::max<size_t>(b.size(), 1)]);
  return differ == 0;
}

WebResponse handle_request(const WebSite& site, const WebRequest& request) {
  WebResponse response;
  if (request.method != "GET" && request.method != "HEAD") {
    response = plain(405, "read-only: only GET and HEAD");
    response.headers.emplace_back("Allow", "GET, HEAD");
  } else if (!site.token.empty() && !same_secret(request.authorization, "Bearer " + site.token)) {
    response = plain(401, "a bearer token is needed (Authorization: Bearer …)");
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"rawbackup\"");
  } else {
    Result<WebResponse> routed = cached_route(site, request);
    if (routed) {
      response = std::move(*routed);
    } else {
      bool bad_request = routed.error().kind == ErrorKind::usage;
      response = plain(bad_request ? 400 : 503, (bad_request ? "bad request: " : "record store: ") + routed.error().message);
    }
  }
  add_security_headers(response);
  return response;
}

}  // namespace rawbackup::web
