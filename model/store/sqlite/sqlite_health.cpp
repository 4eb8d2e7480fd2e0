#include "model/store/sqlite/sqlite_health.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace rawbackup::sqlite {
namespace fs = std::filesystem;

namespace {

// "" when this process may write `p` (access(2): read-only mounts too, as root as well).
std::string access_problem(const fs::path& p, int mode) {
  if (::access(p.c_str(), mode) == 0) return "";
  return std::strerror(errno);
}

}  // namespace

std::string write_problem(const fs::path& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    if (std::string problem = access_problem(path, W_OK); !problem.empty()) {
      return "the file is not writable (" + problem + ")";
    }
  }
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  while (!fs::exists(folder, ec) && folder.has_relative_path() && folder != folder.parent_path()) {
    folder = folder.parent_path().empty() ? fs::path(".") : folder.parent_path();
  }
  if (!fs::is_directory(folder, ec)) return folder.string() + " is not a folder";
  if (std::string problem = access_problem(folder, W_OK | X_OK); !problem.empty()) {
    return "folder " + folder.string() + " is not writable (" + problem + "); SQLite writes its journal there";
  }
  return "";
}

}  // namespace rawbackup::sqlite
