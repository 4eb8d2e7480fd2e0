// An HttpClient that answers from a script and keeps what was sent, for the S3 client and the
// credentials providers.
#pragma once
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/s3/http.h"

namespace rawbackup::s3 {

struct ScriptedHttp final : public HttpClient {
  std::deque<std::expected<HttpResponse, TransportError>> replies;  // none left: a refused connection
  std::vector<HttpRequest> sent;
  std::vector<std::string> bodies;  // each request's body as read (a Body does not outlive its call)

  std::expected<HttpResponse, TransportError> send(const HttpRequest& request) override {
    sent.push_back(request);
    std::string body(request.body ? request.body->size : 0, '\0');
    if (request.body) (void)request.body->read_at(0, std::as_writable_bytes(std::span(body)));  // as curl would
    bodies.push_back(std::move(body));
    if (replies.empty()) return std::unexpected(TransportError{TransportError::Cause::network, "refused"});
    auto reply = replies.front();
    replies.pop_front();
    return reply;
  }
};

// Connections that all answer from one script.
inline std::function<std::unique_ptr<HttpClient>()> connect_to(ScriptedHttp* script) {
  struct Forward final : HttpClient {
    ScriptedHttp* to;
    explicit Forward(ScriptedHttp* t) : to(t) {}
    std::expected<HttpResponse, TransportError> send(const HttpRequest& r) override { return to->send(r); }
  };
  return [script] { return std::make_unique<Forward>(script); };
}

inline HttpResponse reply(int status, std::string body = "", Headers headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

// The first header of that name as sent ("" when none).
inline std::string header(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

// STS's reply to `action` (AssumeRole, AssumeRoleWithWebIdentity) with these keys.
inline std::string sts_reply(const std::string& action, const std::string& key, const std::string& secret,
                             const std::string& token, const std::string& expiration = "2030-01-02T03:04:05Z") {
  return "<" + action + "Response><" + action + "Result><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>" + secret + "</SecretAccessKey><SessionToken>" + token +
         "</SessionToken><Expiration>" + expiration + "</Expiration></Credentials></" + action + "Result></" + action +
         "Response>";
}

}  // namespace rawbackup::s3
