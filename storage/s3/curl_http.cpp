// The only file that uses libcurl.
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "common/interrupt.h"
#include "common/text.h"
#include "storage/s3/http.h"

namespace rawbackup::s3 {

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

namespace {

// Certificate and CA-bundle failures: the set-up is wrong, a retry cannot help.
bool is_tls_config(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM ||
         code == CURLE_SSL_CRL_BADFILE || code == CURLE_SSL_ISSUER_ERROR;
}

constexpr size_t max_error_body = 1 << 20;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// What the callbacks of one transfer share.
struct Transfer {
  const std::vector<curl_socket_t>* sockets = nullptr;  // those of the client's connections
  const HttpRequest* request = nullptr;
  HttpResponse response;
  uint64_t body_sent = 0;
  std::optional<TransportError> local_error;  // set by a callback that stopped the transfer
};

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const Body& body = *t->request->body;
  auto out = std::span(reinterpret_cast<std::byte*>(buffer), size * count);
  auto n = body.read_at(t->body_sent, out);
  if (!n) {
    // An interruption seen while reading (the rate limiter's wait, a hashing pass) stays one.
    auto cause = n.error().kind == ErrorKind::interrupted ? TransportError::Cause::interrupted
                                                          : TransportError::Cause::body_read;
    t->local_error = TransportError{cause, n.error().message};
    return CURL_READFUNC_ABORT;
  }
  t->body_sent += *n;
  return *n;
}

// Acknowledges what has arrived at once instead of up to 40 ms later. A server that writes a
// reply's headers and body separately without TCP_NODELAY (Ceph's gateway does) holds the
// body's last segment until the headers are acknowledged, and Linux delays that ACK on a
// kept-alive connection: every small GET took ~44 ms instead of ~1 ms. TCP_QUICKACK sends
// the pending ACK; it is a hint, so a failure changes nothing. Set on each socket of the
// client's connections (one, mostly): libcurl gives no socket from inside a transfer.
void acknowledge_now(const Transfer& t) {
  int on = 1;
  for (curl_socket_t socket : *t.sockets) setsockopt(socket, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

size_t on_header(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(buffer, size * count);
  if (line == "\r\n") acknowledge_now(*t);  // the end of the headers: the body comes next
  if (line.starts_with("HTTP/")) {          // a new status line (also after 100 Continue)
    t->response.headers.clear();
    size_t space = line.find(' ');
    if (space != std::string_view::npos) t->response.status = std::atoi(std::string(line.substr(space + 1, 3)).c_str());
    return line.size();
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string value(line.substr(colon + 1));
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t\r\n") + 1);
  t->response.headers.emplace_back(to_lower(std::string(line.substr(0, colon))), value);
  return line.size();
}

size_t on_write(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  acknowledge_now(*t);
  if (t->request->sink && t->response.status / 100 == 2) {
    if (!(*t->request->sink)(std::span(reinterpret_cast<const std::byte*>(buffer), n))) {
      t->local_error = TransportError{TransportError::Cause::sink_refused, "download cancelled"};
      return 0;
    }
    return n;
  }
  size_t room = max_error_body - std::min(max_error_body, t->response.body.size());
  t->response.body.append(buffer, std::min(n, room));
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->request->interruptible || !interrupted()) return 0;
  t->local_error = TransportError{TransportError::Cause::interrupted, "interrupted"};
  return 1;
}

class CurlClient final : public HttpClient {
 public:
  explicit CurlClient(HttpOptions options) : options_(std::move(options)) {
    global_init_once();
    handle_.reset(curl_easy_init());
  }

  std::expected<HttpResponse, TransportError> send(const HttpRequest& request) override {
    CURL* h = handle_.get();
    curl_easy_reset(h);  // keeps the connection cache: the connection stays alive
    Transfer t;
    t.sockets = &sockets_;
    t.request = &request;
    std::unique_ptr<curl_slist, SlistDeleter> headers(header_list(request));
    set_common(h, t, headers.get());
    set_method(h, request, t);
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    CURLcode code = curl_easy_perform(h);
    if (t.local_error) return std::unexpected(*t.local_error);
    if (code != CURLE_OK) {
      std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
      return std::unexpected(TransportError{
          is_tls_config(code) ? TransportError::Cause::tls_config : TransportError::Cause::network, detail});
    }
    return std::move(t.response);
  }

 private:
  static curl_slist* header_list(const HttpRequest& request) {
    curl_slist* list = nullptr;
    for (const auto& [name, value] : request.headers) {
      list = curl_slist_append(list, (name + ": " + value).c_str());
    }
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip before a body
    if (request.method == "POST" && !request.body) list = curl_slist_append(list, "Content-Type:");
    return list;
  }

  // libcurl opens and closes its sockets through these, so the client knows them. A
  // connection keeps the close callback it was opened with, also past curl_easy_reset.
  static curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* address) {
    curl_socket_t socket = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (socket != CURL_SOCKET_BAD) static_cast<CurlClient*>(user)->sockets_.push_back(socket);
    return socket;
  }
  static int on_close_socket(void* user, curl_socket_t socket) {
    std::erase(static_cast<CurlClient*>(user)->sockets_, socket);
    return ::close(socket);
  }

  void set_common(CURL* h, Transfer& t, curl_slist* headers) {
    curl_easy_setopt(h, CURLOPT_URL, t.request->url.c_str());
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &on_open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, &on_close_socket);
    curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, this);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024L);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024L * 1024L);
  }

  static void set_method(CURL* h, const HttpRequest& request, Transfer& t) {
    if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (request.body) {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body->size));
      curl_easy_setopt(h, CURLOPT_READFUNCTION, &on_read);
      curl_easy_setopt(h, CURLOPT_READDATA, &t);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    } else if (request.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    } else if (request.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }

  HttpOptions options_;
  std::vector<curl_socket_t> sockets_;         // before handle_: its clean-up closes them
  std::unique_ptr<CURL, CurlDeleter> handle_;  // (one thread at a time uses a client)
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_client(const HttpOptions& options) {
  return std::make_unique<CurlClient>(options);
}

}  // namespace rawbackup::s3
