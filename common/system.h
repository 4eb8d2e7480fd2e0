// Facts about this machine and its processes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rawbackup {

std::string hostname();
// The cores this process may use: those of its CPU affinity mask (a SLURM job's, a container's
// cpuset, `taskset`), fewer when its cgroup's CPU quota (cpu.max, `docker --cpus`) allows
// fewer; at least 1.
unsigned usable_cores();
// A cgroup v2 cpu.max ("200000 100000": quota and period) as whole cores, rounded up;
// nullopt for "max …" (no quota) or anything unreadable.
std::optional<unsigned> cores_of_cpu_max(std::string_view cpu_max);
// This host as rawbackup names it in locks, events and temporary files: $RAWBACKUP_HOST_ID
// (containers get random hostnames; give each pid namespace its own), else the hostname.
std::string host_id();
// The environment variable `name`, or `fallback` when it is unset or empty.
std::string env_or(const char* name, const std::string& fallback = "");
// True while a process with this pid exists on this host (pids are reused: a hint, not proof).
bool process_alive(int64_t pid);
// This process among all others, wherever they run: "BOOT-PIDNS-RANDOM", the kernel's boot
// id, the inode of this process's pid namespace and 64 random bits. Containers that share a
// RAWBACKUP_HOST_ID (often all as pid 1) and a reused pid still get distinct tokens.
const std::string& process_token();
// "BOOT-PIDNS": this process's pid namespace on this boot, the start of its process_token().
const std::string& pid_space();
// Whether the process of `token` ran in this process's pid namespace on this boot: only then
// does its pid name a process that kill(pid, 0) can see.
bool shares_pid_space(const std::string& token);

}  // namespace rawbackup
