#include "common/system.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace rawbackup {

std::string hostname() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) return "unknown";
  return buf.data();
}

bool process_alive(int64_t pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

}  // namespace rawbackup
