// Removal beneath a folder without following symlinks: every folder on the way is opened with
// O_NOFOLLOW relative to the one before (openat), and the entry is checked and unlinked
// relative to its open folder, so a symlink swapped in after a check cannot redirect it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "storage/local_filesystem_impl.h"
#include "storage/unique_fd.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

// The open parent folder of `relative` beneath `root`, and the entry's name in it; an empty
// fd when a folder on the way is not there.
struct Parent {
  UniqueFd fd;
  std::string name;
};

Status check_relative(const fs::path& relative) {
  if (relative.empty() || relative.is_absolute())
    return fail(ErrorKind::usage, "'" + relative.string() + "' is not a path beneath a folder");
  for (const fs::path& part : relative) {
    if (part.empty() || part == "." || part == "..")
      return fail(ErrorKind::usage, "'" + relative.string() + "' is not a path beneath a folder");
  }
  return {};
}

Result<Parent> open_parent(const fs::path& root, const fs::path& relative) {
  TRY(check_relative(relative));
  UniqueFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return errno_failure("cannot open folder", root);
  fs::path walked = root;
  fs::path parent = relative.parent_path();
  for (const fs::path& part : parent) {
    walked /= part;
    UniqueFd next(::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) {
      if (errno == ENOENT) return Parent{};
      if (errno == ELOOP || errno == ENOTDIR) {
        return fail(ErrorKind::conflict,
                    walked.string() + " is a symlink or not a folder; nothing beneath it is removed");
      }
      return errno_failure("cannot open folder", walked);
    }
    dir = std::move(next);
  }
  return Parent{std::move(dir), relative.filename().string()};
}

int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// The entry `relative` beneath `root`, looked at (not followed) from its open parent folder;
// an empty parent fd when it or a folder on the way is not there.
struct Entry {
  Parent parent;
  struct stat st {};
};

Result<Entry> entry_beneath(const fs::path& root, const fs::path& relative) {
  Entry entry;
  TRY_ASSIGN(parent, open_parent(root, relative));
  if (!parent.fd) return entry;
  if (::fstatat(parent.fd.get(), parent.name.c_str(), &entry.st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return entry;
    return errno_failure("cannot stat", root / relative);
  }
  entry.parent = std::move(parent);
  return entry;
}

}  // namespace

Result<bool> local_remove_file_beneath(const fs::path& root, const fs::path& relative, const FileStat& expected) {
  TRY_ASSIGN(entry, entry_beneath(root, relative));
  if (!entry.parent.fd) return false;
  fs::path path = root / relative;
  if (!S_ISREG(entry.st.st_mode))
    return fail(ErrorKind::conflict, path.string() + " is not a regular file; not removed");
  if (static_cast<uint64_t>(entry.st.st_size) != expected.size || mtime_ns_of(entry.st) != expected.mtime_ns) {
    return fail(ErrorKind::conflict, path.string() + " changed since it was checked; not removed");
  }
  if (::unlinkat(entry.parent.fd.get(), entry.parent.name.c_str(), 0) != 0) {
    if (errno == ENOENT) return false;
    return errno_failure("cannot remove", path);
  }
  return true;
}

Result<bool> local_remove_folder_if_empty(const fs::path& root, const fs::path& relative) {
  TRY_ASSIGN(entry, entry_beneath(root, relative));
  if (!entry.parent.fd) return false;
  fs::path path = root / relative;
  if (!S_ISDIR(entry.st.st_mode)) return fail(ErrorKind::conflict, path.string() + " is not a folder; not removed");
  if (::unlinkat(entry.parent.fd.get(), entry.parent.name.c_str(), AT_REMOVEDIR) != 0) {
    if (errno == ENOENT || errno == ENOTEMPTY || errno == EEXIST) return false;
    return errno_failure("cannot remove folder", path);
  }
  return true;
}

Status local_sync_folder(const fs::path& p) {
  UniqueFd fd(::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return errno_failure("cannot sync folder", p);
  return {};
}

}  // namespace rawbackup
