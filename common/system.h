// Facts about this machine and its processes.
#pragma once
#include <cstdint>
#include <string>

namespace rawbackup {

std::string hostname();
// The environment variable `name`, or `fallback` when it is unset or empty.
std::string env_or(const char* name, const std::string& fallback = "");
// True while a process with this pid exists on this host (pids are reused: a hint, not proof).
bool process_alive(int64_t pid);

}  // namespace rawbackup
