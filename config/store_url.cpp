#include "config/store_url.h"

#include <regex>

namespace rawbackup {
namespace {

const std::regex& userinfo_password() {
  static const std::regex pattern(R"(^([a-z][a-z0-9+.-]*://[^:/@?#]*):[^@/?#]*@)", std::regex::icase);
  return pattern;
}

const std::regex& password_parameter() {
  static const std::regex pattern(R"(([?&]password=)[^&#]*)", std::regex::icase);
  return pattern;
}

}  // namespace

Result<StoreUrl> parse_store_url(const std::string& url) {
  StoreUrl parsed{StoreKind::sqlite, "", url, false};
  if (url.starts_with("sqlite://")) {
    parsed.path = url.substr(9);
    if (!parsed.path.starts_with("/") || parsed.path.size() < 2) {
      return fail(
          ErrorKind::usage,
          "store URL " + url + ": sqlite:// needs an absolute path, e.g. sqlite:///var/lib/rawbackup/rawbackup.sqlite");
    }
    return parsed;
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    parsed.kind = StoreKind::postgresql;
    parsed.has_password = std::regex_search(url, userinfo_password()) || std::regex_search(url, password_parameter());
    return parsed;
  }
  return fail(ErrorKind::usage, "store URL " + redact_store_url(url) +
                                    ": expected sqlite:///absolute/path.sqlite or postgresql://user@host/database");
}

std::string redact_store_url(const std::string& url) {
  std::string out = std::regex_replace(url, userinfo_password(), "$1:***@");
  return std::regex_replace(out, password_parameter(), "$1***");
}

}  // namespace rawbackup
