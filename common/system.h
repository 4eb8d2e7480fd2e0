// Facts about this machine and its processes.
#pragma once
#include <cstdint>
#include <string>

namespace rawbackup {

std::string hostname();
// True while a process with this pid exists on this host (pids are reused: a hint, not proof).
bool process_alive(int64_t pid);

}  // namespace rawbackup
