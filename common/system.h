// Facts about this machine and its processes.
#pragma once
#include <cstdint>
#include <string>

namespace rawbackup {

std::string hostname();
// This host as rawbackup names it in locks, events and temporary files: $RAWBACKUP_HOST_ID
// (containers get random hostnames; give each pid namespace its own), else the hostname.
std::string host_id();
// The environment variable `name`, or `fallback` when it is unset or empty.
std::string env_or(const char* name, const std::string& fallback = "");
// True while a process with this pid exists on this host (pids are reused: a hint, not proof).
bool process_alive(int64_t pid);

}  // namespace rawbackup
