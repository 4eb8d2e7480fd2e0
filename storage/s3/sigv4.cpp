#include "storage/s3/sigv4.h"

#include <algorithm>
#include <map>

#include "common/text.h"
#include "integrity/md5.h"
#include "integrity/sha256.h"

namespace rawbackup::s3 {
namespace {

bool unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

// "/a/./b/../c//" → "/a/c/": dot segments and empty segments removed, trailing slash kept.
std::string normalized(const std::string& path) {
  std::vector<std::string> kept;
  for (const std::string& segment : split(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out = "/" + join(kept, "/");
  if (out.size() > 1 && path.size() > 1 && path.back() == '/') out += "/";
  return out;
}

std::string canonical_uri(const std::string& path, bool normalize_path) {
  if (path.empty()) return "/";
  if (!normalize_path) return path;
  return uri_encode(normalized(uri_decode(path)), true);
}

std::string canonical_query(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const std::string& pair : split(query, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = pair.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    params.emplace_back(uri_encode(uri_decode(key), false), uri_encode(uri_decode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::vector<std::string> encoded;
  for (const auto& [key, value] : params) encoded.push_back(key + "=" + value);
  return join(encoded, "&");
}

// Leading/trailing spaces trimmed, inner runs of spaces folded to one.
std::string trimmed(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string uri_encode(const std::string& text, bool keep_slash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0f];
    }
  }
  return out;
}

std::string uri_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() + 0 && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

Signature sign_v4(const SigningRequest& request, const Credentials& credentials, const SigningScope& scope,
                  bool normalize_path) {
  std::map<std::string, std::string> headers;  // sorted by lowercase name; repeats joined
  for (const auto& [name, value] : request.headers) {
    std::string& joined = headers[to_lower(name)];
    joined += (joined.empty() ? "" : ",") + trimmed(value);
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  Signature s;
  s.canonical_request = request.method + "\n" + canonical_uri(request.path, normalize_path) + "\n" +
                        canonical_query(request.query) + "\n" + canonical_headers + "\n" + signed_headers + "\n" +
                        request.payload_sha256;
  std::string date = scope.amz_date.substr(0, 8);
  std::string credential_scope = date + "/" + scope.region + "/" + scope.service + "/aws4_request";
  s.string_to_sign =
      "AWS4-HMAC-SHA256\n" + scope.amz_date + "\n" + credential_scope + "\n" + sha256_hex(s.canonical_request);
  auto key = hmac_sha256("AWS4" + credentials.secret_access_key, date);
  for (const std::string& part : {scope.region, scope.service, std::string("aws4_request")}) {
    key = hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), part);
  }
  auto signature =
      hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), s.string_to_sign);
  s.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + credential_scope +
                    ", SignedHeaders=" + signed_headers + ", Signature=" + to_hex(signature);
  return s;
}

std::string amz_date_at(std::time_t time) {
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

}  // namespace rawbackup::s3
