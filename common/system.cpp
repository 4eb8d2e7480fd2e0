#include "common/system.h"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <random>
#include <string_view>

namespace rawbackup {

std::string hostname() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) return "unknown";
  return buf.data();
}

namespace {

unsigned affinity_cores() {
  // Sized for hosts of up to 4,096 CPUs (a fixed cpu_set_t holds 1,024).
  constexpr int most = 4096;
  cpu_set_t* set = CPU_ALLOC(most);
  if (set == nullptr) return 0;
  size_t size = CPU_ALLOC_SIZE(most);
  CPU_ZERO_S(size, set);
  unsigned count = sched_getaffinity(0, size, set) == 0 ? static_cast<unsigned>(CPU_COUNT_S(size, set)) : 0;
  CPU_FREE(set);
  return count;
}

// The smallest cpu.max quota of this process's cgroup (v2) and the cgroups above it.
std::optional<unsigned> cgroup_quota_cores() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line) && !line.starts_with("0::")) {
  }
  if (!line.starts_with("0::")) return std::nullopt;
  std::optional<unsigned> least;
  for (std::filesystem::path dir = std::filesystem::path("/sys/fs/cgroup") / line.substr(4);
       dir.string().size() > std::string_view("/sys/fs/cgroup").size(); dir = dir.parent_path()) {
    std::ifstream file(dir / "cpu.max");
    std::stringstream text;
    text << file.rdbuf();
    if (auto cores = cores_of_cpu_max(text.str()); cores && (!least || *cores < *least)) least = cores;
  }
  return least;
}

}  // namespace

std::optional<unsigned> cores_of_cpu_max(std::string_view cpu_max) {
  std::istringstream in{std::string(cpu_max)};
  std::string quota;
  uint64_t period = 0;
  if (!(in >> quota >> period) || quota == "max" || period == 0) return std::nullopt;
  uint64_t micros = 0;
  for (char c : quota) {
    if (c < '0' || c > '9') return std::nullopt;
    micros = micros * 10 + static_cast<uint64_t>(c - '0');
  }
  if (micros == 0) return std::nullopt;
  return static_cast<unsigned>((micros + period - 1) / period);
}

unsigned usable_cores() {
  unsigned cores = affinity_cores();
  if (cores == 0) cores = std::thread::hardware_concurrency();
  if (auto quota = cgroup_quota_cores(); quota && *quota < cores) cores = *quota;
  return std::max(1U, cores);
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
