// The write side of the local filesystem: temporary files, atomic commit, no-replace renames.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <vector>

#include "common/system.h"
#include "integrity/md5.h"
#include "storage/local_filesystem_impl.h"
#include "storage/unique_fd.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t write_back_from = 512 * 1024;  // bytes written at once

Status fsync_dir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return errno_failure("cannot sync folder", dir);
  return {};
}

// True when the file system refuses renameat2's flags: NFS, FUSE (bindfs, sshfs), CIFS on
// some kernels, and kernels or seccomp profiles without renameat2.
bool refuses_rename_flags(int err) { return err == EINVAL || err == ENOSYS || err == EOPNOTSUPP; }

// Where RENAME_NOREPLACE is refused: a hard link to the final name, which fails with EEXIST
// when anything is there (so nothing is ever replaced, as with the flag), then the temporary
// name removed. A crash between the two leaves the complete file under both names; the
// temporary one is swept as any stopped run's (local_remove_stale_temps). Never a plain rename():
// it would replace a file that appeared after the caller looked.
Status link_then_unlink(const fs::path& from, const fs::path& to) {
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST) return fail(ErrorKind::conflict, to.string() + " exists already");
    if (errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS) {
      return fail(ErrorKind::usage,
                  "cannot commit " + to.string() + ": its file system refuses both " +
                      "rename without replacing and hard links (see `rawbackup doctor --write-probe`)");
    }
    return errno_failure("cannot link to", to);
  }
  if (::unlink(from.c_str()) != 0) return errno_failure("cannot remove", from);
  return {};
}

// `sync_folder` false: the caller fsyncs the folder (once for many renames).
Status rename_noreplace(const fs::path& from, const fs::path& to, bool sync_folder = true) {
  if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) return fail(ErrorKind::conflict, to.string() + " exists already");
    if (!refuses_rename_flags(errno)) return errno_failure("cannot rename to", to);
    TRY(link_then_unlink(from, to));
  }
  return sync_folder ? fsync_dir(to.parent_path()) : Status{};
}

// ".rawbackup-tmp-<host>-": what every temporary file name of this host contains.
const std::string& host_marker() {
  static const std::string marker = [] {
    std::string host = host_id().substr(0, 40);
    for (char& c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_') c = '_';  // a name, not a path
    }
    return ".rawbackup-tmp-" + host + "-";
  }();
  return marker;
}

// ".<name>.rawbackup-tmp-<host>-": temporary files for <name> written on this host.
// Long names are shortened (with a hash, to stay distinct) so the temporary name still fits
// in NAME_MAX.
std::string temp_prefix(const fs::path& final_path) {
  std::string name = final_path.filename().string();
  if (name.size() > 120) name = name.substr(0, 80) + "~" + md5_hex(name).substr(0, 16);
  return "." + name + host_marker();
}

// 8 hex digits naming this process's pid namespace on this boot: a pid in a temporary name
// means something only to processes with the same tag (containers sharing a host id each
// have their own, and often all run as pid 1).
const std::string& space_tag() {
  static const std::string tag = md5_hex(pid_space()).substr(0, 8);
  return tag;
}

// ".<name>.rawbackup-tmp-<host>-<space tag>-<pid>-<random>"
std::string temp_name(const fs::path& final_path) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
  return temp_prefix(final_path) + space_tag() + "-" + std::to_string(::getpid()) + "-" + suffix;
}

// A temporary file of this host left by a stopped run: written in this pid namespace by a pid
// that is gone, or in another (a container, an earlier boot) and untouched for a day, since
// its pid says nothing here. `after_marker` is the name after host_marker().
bool left_by_stopped_run(const std::string& after_marker, const fs::path& path) {
  const std::string& tag = space_tag();
  if (after_marker.size() > tag.size() + 1 && after_marker.starts_with(tag) && after_marker[tag.size()] == '-') {
    char* end = nullptr;
    int64_t pid = std::strtoll(after_marker.c_str() + tag.size() + 1, &end, 10);
    return end != nullptr && *end == '-' && !process_alive(pid);
  }
  struct stat st {};
  constexpr time_t day = 24 * 3600;
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime + day < ::time(nullptr);
}

}  // namespace

// Removes the temporary files in `dir` left by runs of this host that stopped (killed
// mid-copy; see left_by_stopped_run); those of other hosts, or of live processes, are left
// alone. Each folder is looked at once per process (a Bruker folder of 20,000 files would
// otherwise be read 20,000 times).
void local_remove_stale_temps(const fs::path& dir) {
  static std::mutex mutex;
  static std::set<std::string> done;
  {
    std::lock_guard lock(mutex);
    if (!done.insert(dir.string()).second) return;
  }
  const std::string& marker = host_marker();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    size_t at = name.rfind(marker);
    if (name.empty() || name[0] != '.' || at == std::string::npos) continue;
    if (!left_by_stopped_run(name.substr(at + marker.size()), entry.path())) continue;
    if (::unlink(entry.path().c_str()) == 0) {
      spdlog::info("removed {} left by a stopped run", entry.path().string());
    }
  }
}

namespace {

class LocalOutputFile final : public OutputFile {
 public:
  LocalOutputFile(UniqueFd fd, fs::path temp, fs::path final_path)
      : fd_(std::move(fd)), temp_(std::move(temp)), final_(std::move(final_path)) {}

  ~LocalOutputFile() override {
    if (!committed_) ::unlink(temp_.c_str());
  }

  Status write_at(uint64_t offset, std::span<const std::byte> data) override {
    uint64_t start = offset;
    while (!data.empty()) {
      ssize_t n = ::pwrite(fd_.get(), data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = ENOSPC;
        return errno_failure("cannot write", final_);
      }
      data = data.subspan(static_cast<size_t>(n));
      offset += static_cast<uint64_t>(n);
    }
    // Start write-back now (asynchronously) for a large file: the disk works while we hash.
    // Not for small writes: starting them one by one costs more than one flush of them all.
    if (offset - start >= write_back_from) {
      ::sync_file_range(fd_.get(), static_cast<off_t>(start), static_cast<off_t>(offset - start),
                        SYNC_FILE_RANGE_WRITE);
    }
    return {};
  }

  Status commit() override {
    if (::fsync(fd_.get()) != 0) return errno_failure("cannot sync", final_);
    return publish(true);
  }

  // After its bytes were made durable: the final name (and the folder synced, or not yet).
  Status publish(bool sync_folder) {
    if (fd_.close() != 0) return errno_failure("cannot close", final_);
    TRY(rename_noreplace(temp_, final_, sync_folder));
    committed_ = true;
    return {};
  }

  Status set_mtime(int64_t mtime_ns) override {
    constexpr int64_t billion = 1'000'000'000;
    const timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(mtime_ns / billion), static_cast<long>(mtime_ns % billion)}};
    if (::futimens(fd_.get(), times) != 0) return errno_failure("cannot set the modification time of", final_);
    return {};
  }

  int fd() const { return fd_.get(); }
  const fs::path& final_path() const { return final_; }

 private:
  UniqueFd fd_;
  fs::path temp_;
  fs::path final_;
  bool committed_ = false;
};

// syncfs() reports writeback errors from Linux 5.8 on; before, it could succeed while a
// file's bytes were lost.
bool syncfs_reports_errors() {
  static const bool reports = [] {
    struct utsname name {};
    int major = 0, minor = 0;
    return ::uname(&name) == 0 && std::sscanf(name.release, "%d.%d", &major, &minor) == 2 &&
           (major > 5 || (major == 5 && minor >= 8));
  }();
  return reports;
}

}  // namespace

std::unexpected<Error> errno_failure(const std::string& what, const fs::path& p, int err) {
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
    return fail(what + " " + p.string() + ": no space left (disk full or file size limit)");
  }
  bool needs_a_person = err == EACCES || err == EPERM || err == EROFS || err == ENOTDIR || err == EISDIR ||
                        err == EEXIST || err == ELOOP || err == ENAMETOOLONG;
  return fail(needs_a_person ? ErrorKind::usage : ErrorKind::failed,
              what + " " + p.string() + ": " + std::strerror(err));
}

// Creates the missing folders of `p` from the top, and fsyncs the parent of each one created:
// a new <instrument>/<YYYY_MM> folder survives a crash with the files committed into it.
Status local_create_directories(const fs::path& p) {
  std::vector<fs::path> missing;
  for (fs::path at = p; !at.empty() && at != at.parent_path(); at = at.parent_path()) {
    struct stat st {};
    if (::stat(at.c_str(), &st) == 0) break;
    missing.push_back(at);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0777) != 0 && errno != EEXIST) return errno_failure("cannot create folder", *it);
    fs::path parent = it->parent_path().empty() ? "." : it->parent_path();
    TRY(fsync_dir(parent));
  }
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return errno_failure("cannot create folder", p, ENOTDIR);
  return {};
}

Result<std::unique_ptr<OutputFile>> local_create_file(const fs::path& final_path) {
  local_remove_stale_temps(final_path.parent_path());
  fs::path temp = final_path.parent_path() / temp_name(final_path);
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (!fd) return errno_failure("cannot create", temp);
  return std::make_unique<LocalOutputFile>(std::move(fd), temp, final_path);
}

Status local_rename_no_replace(const fs::path& from, const fs::path& to) { return rename_noreplace(from, to); }

Status local_commit_all(std::span<OutputFile* const> files) {
  std::vector<LocalOutputFile*> local;
  std::map<dev_t, const LocalOutputFile*> filesystems;  // one file on each, to flush it through
  for (OutputFile* file : files) {
    auto* f = dynamic_cast<LocalOutputFile*>(file);
    if (f == nullptr) return fail("commit_all: not a file of the local filesystem");
    struct stat st {};
    if (::fstat(f->fd(), &st) != 0) return errno_failure("cannot stat", f->final_path());
    filesystems.emplace(st.st_dev, f);
    local.push_back(f);
  }
  if (syncfs_reports_errors()) {
    for (const auto& [dev, f] : filesystems) {
      if (::syncfs(f->fd()) != 0) return errno_failure("cannot sync the filesystem of", f->final_path());
    }
  } else {  // before Linux 5.8 syncfs() did not report writeback errors: one fdatasync a file
    for (LocalOutputFile* f : local) {
      if (::fdatasync(f->fd()) != 0) return errno_failure("cannot sync", f->final_path());
    }
  }
  std::set<fs::path> folders;
  for (LocalOutputFile* f : local) {
    TRY(f->publish(false));
    folders.insert(f->final_path().parent_path());
  }
  for (const fs::path& folder : folders) {
    TRY(fsync_dir(folder));
  }
  return {};
}

}  // namespace rawbackup
