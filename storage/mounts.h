// Which mount holds a path, read from /proc/self/mountinfo: its file-system type and options,
// so doctor can say "nfs4 (rw,…)" or warn about a CIFS attribute cache.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rawbackup {

struct MountInfo {
  std::filesystem::path mount_point;
  std::string fs_type;  // "ext4", "nfs4", "cifs", "fuse.bindfs", "tmpfs" …
  std::string source;   // "//nas/raw", "server:/export", "/dev/sda1"
  std::string options;  // the mount's options, then the file system's own ("rw,relatime,…")
};

// The mount that holds `path` (absolute, symlinks resolved) in the text of a mountinfo file:
// the one with the longest mount point that is `path` or a parent of it; of several mounts on
// that point, the last (it hides the others). nullopt when none does.
std::optional<MountInfo> mount_holding(std::string_view mountinfo, const std::filesystem::path& path);

// The value of option `name` in a comma-separated option list ("actimeo=30" → "30").
std::optional<std::string> mount_option(std::string_view options, std::string_view name);

// The longest time, in seconds, a CIFS or NFS client may serve a file's size and mtime from
// its attribute cache without asking the server: actimeo, else the larger of acregmax/acdirmax
// (NFS) or the client's default (CIFS 1 s, NFS 60 s). nullopt for other file systems.
std::optional<int64_t> attribute_cache_seconds(const MountInfo& mount);

}  // namespace rawbackup
