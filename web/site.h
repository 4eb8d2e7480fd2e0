// The operator's site as a pure function of a request: routing, the bearer token, methods,
// parameter validation and the security headers, over the record store opened read-only and
// the config. No sockets here (web/http_server.h serves it), so every page is tested on the
// fakes; no SQL here either: pages read the store through RecordStore and the tasks' types.
#pragma once
#include <functional>
#include <map>
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

struct WebSite {
  const Config* config = nullptr;
  RecordStore* store = nullptr;  // read-only; the server serialises calls into it
  const FileSystem* fs = nullptr;  // the folders' free space
  std::string token;             // "" : no token asked (loopback only, web/serve.cpp checks)
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
};

WebResponse handle_request(const WebSite& site, const WebRequest& request);

// 200 with `body` as JSON; bytes that are not UTF-8 (a file name can hold any) as U+FFFD.
WebResponse json_response(const nlohmann::json& body);

// Equal without leaking where they differ through the time taken.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace rawbackup::web
