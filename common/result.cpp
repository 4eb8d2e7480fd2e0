#include "common/result.h"

namespace rawbackup {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::failed: return exit_codes::failed;
    case ErrorKind::usage: return exit_codes::usage;
    case ErrorKind::conflict: return exit_codes::conflict;
    case ErrorKind::mismatch: return exit_codes::mismatch;
    case ErrorKind::interrupted: return exit_codes::interrupted;
    case ErrorKind::not_ready: return exit_codes::failed;
  }
  return exit_codes::failed;
}

std::string one_line(const std::string& text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += ' ';
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::failed: return "failed";
    case ErrorKind::usage: return "usage";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::mismatch: return "mismatch";
    case ErrorKind::interrupted: return "interrupted";
    case ErrorKind::not_ready: return "not-ready";
  }
  return "failed";
}

}  // namespace rawbackup
