// The write side of the local filesystem: temporary files, atomic commit, no-replace renames.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
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

// `sync_folder` false: the caller fsyncs the folder (once for many renames).
Status rename_noreplace(const fs::path& from, const fs::path& to, bool sync_folder = true) {
  if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return sync_folder ? fsync_dir(to.parent_path()) : Status{};
  }
  if (errno == EEXIST) return fail(ErrorKind::conflict, to.string() + " exists already");
  return errno_failure("cannot rename to", to);
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

std::string temp_name(const fs::path& final_path) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
  return temp_prefix(final_path) + std::to_string(::getpid()) + "-" + suffix;
}

// Removes the temporary files in `dir` left by processes of this host that are gone (killed
// mid-copy); those of other hosts, or of live processes, are left alone. Each folder is
// looked at once per process (a Bruker folder of 20,000 files would otherwise be read
// 20,000 times).
void remove_stale_temps(const fs::path& dir) {
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
    char* end = nullptr;
    int64_t pid = std::strtoll(name.c_str() + at + marker.size(), &end, 10);
    if (end == nullptr || *end != '-' || process_alive(pid)) continue;
    if (::unlink(entry.path().c_str()) == 0) {
      spdlog::info("removed {} left by a stopped run", entry.path().string());
    }
  }
}

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
    fd_.reset();
    TRY(rename_noreplace(temp_, final_, sync_folder));
    committed_ = true;
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

Status local_create_directories(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) return errno_failure("cannot create folder", p, ec.value());
  return {};
}

Result<std::unique_ptr<OutputFile>> local_create_file(const fs::path& final_path) {
  remove_stale_temps(final_path.parent_path());
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
  for (const auto& [dev, f] : filesystems) {
    if (::syncfs(f->fd()) != 0) return errno_failure("cannot sync the filesystem of", f->final_path());
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
