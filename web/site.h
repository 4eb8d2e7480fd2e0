// The operator's site as a pure function of a request: routing, the bearer token, methods,
// parameter validation and the security headers, over the record store opened read-only and
// the config. No sockets here (web/http_server.h serves it), so every page is tested on the
// fakes; no SQL here either: pages read the store through RecordStore and the tasks' types.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/text.h"
#include "tasks/task.h"

namespace rawbackup::web {

struct WebRequest {
  std::string method;  // GET, HEAD, …
  std::string path;    // decoded, without the query string
  std::multimap<std::string, std::string> params;  // decoded query parameters
  std::string authorization;                       // the Authorization header ("" when absent)
};

struct WebResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers{};
};

// The pages that summarise the whole store (the overview, /metrics), kept for `ttl`: a
// dashboard that many operators refresh at once costs the store one summary per period. Not
// thread-safe: the server calls handle_request() one at a time.
class SummaryCache {
 public:
  explicit SummaryCache(std::chrono::milliseconds ttl) : ttl_(ttl) {}
  std::optional<WebResponse> get(const std::string& path, Clock::time_point now) const;
  void put(const std::string& path, const WebResponse& response, Clock::time_point now);

 private:
  std::chrono::milliseconds ttl_;
  std::map<std::string, std::pair<Clock::time_point, WebResponse>> entries_;
};

struct WebSite {
  const Config* config = nullptr;
  RecordStore* store = nullptr;  // read-only; the server serialises calls into it
  const FileSystem* fs = nullptr;  // the folders' free space
  std::string token;             // "" : no token asked (loopback only, web/serve.cpp checks)
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
  SummaryCache* cache = nullptr;  // null: every request reads the store
};

WebResponse handle_request(const WebSite& site, const WebRequest& request);

// 200 with `body` as JSON; bytes that are not UTF-8 (a file name can hold any) as U+FFFD.
WebResponse json_response(const nlohmann::json& body);

// Equal without leaking where they differ through the time taken.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace rawbackup::web
