#include "common/system.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string_view>

namespace rawbackup {

std::string hostname() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) return "unknown";
  return buf.data();
}

std::string host_id() { return env_or("RAWBACKUP_HOST_ID", hostname()); }

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

bool process_alive(int64_t pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

namespace {

std::string read_pid_space() {
  std::string boot;
  std::ifstream("/proc/sys/kernel/random/boot_id") >> boot;
  std::string compact;
  for (char c : boot) {
    if (c != '-') compact.push_back(c);
  }
  std::array<char, 64> link{};
  ssize_t n = ::readlink("/proc/self/ns/pid", link.data(), link.size() - 1);
  std::string ns;  // "pid:[4026531836]" → "4026531836"
  for (char c : std::string_view(link.data(), n > 0 ? static_cast<size_t>(n) : 0)) {
    if (c >= '0' && c <= '9') ns.push_back(c);
  }
  return (compact.empty() ? "noboot" : compact.substr(0, 16)) + "-" + (ns.empty() ? "nons" : ns);
}

}  // namespace

const std::string& pid_space() {
  static const std::string space = read_pid_space();
  return space;
}

const std::string& process_token() {
  static const std::string token = [] {
    std::random_device random;
    char suffix[20];
    std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
    return pid_space() + "-" + suffix;
  }();
  return token;
}

bool shares_pid_space(const std::string& token) {
  return token.size() > pid_space().size() && token.starts_with(pid_space()) && token[pid_space().size()] == '-';
}

}  // namespace rawbackup
