// The write side of the local filesystem: temporary files, atomic commit, no-replace renames.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "storage/local_filesystem_impl.h"
#include "storage/unique_fd.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

std::unexpected<Error> errno_failure(const std::string& what, const fs::path& p) {
  if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG) {
    return fail(what + " " + p.string() + ": no space left (disk full or file size limit)");
  }
  ErrorKind kind = errno == EACCES || errno == EPERM || errno == EROFS ? ErrorKind::usage : ErrorKind::failed;
  return fail(kind, what + " " + p.string() + ": " + std::strerror(errno));
}

Status fsync_dir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return errno_failure("cannot sync folder", dir);
  return {};
}

Status rename_noreplace(const fs::path& from, const fs::path& to) {
  if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return fsync_dir(to.parent_path());
  }
  if (errno == EEXIST) return fail(ErrorKind::conflict, to.string() + " exists already");
  return errno_failure("cannot rename to", to);
}

std::string temp_name(const fs::path& final_path) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
  return "." + final_path.filename().string() + ".rawbackup-tmp-" + std::to_string(::getpid()) + "-" + suffix;
}

class LocalOutputFile final : public OutputFile {
 public:
  LocalOutputFile(UniqueFd fd, fs::path temp, fs::path final_path)
      : fd_(std::move(fd)), temp_(std::move(temp)), final_(std::move(final_path)) {}

  ~LocalOutputFile() override {
    if (!committed_) ::unlink(temp_.c_str());
  }

  Status write(std::span<const std::byte> data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_.get(), data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = ENOSPC;
        return errno_failure("cannot write", final_);
      }
      data = data.subspan(static_cast<size_t>(n));
    }
    return {};
  }

  Status commit() override {
    if (::fsync(fd_.get()) != 0) return errno_failure("cannot sync", final_);
    fd_.reset();
    if (Status s = rename_noreplace(temp_, final_); !s) return s;
    committed_ = true;
    return {};
  }

 private:
  UniqueFd fd_;
  fs::path temp_;
  fs::path final_;
  bool committed_ = false;
};

}  // namespace

Status local_create_directories(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) return fail(ErrorKind::failed, "cannot create folder " + p.string() + ": " + ec.message());
  return {};
}

Result<std::unique_ptr<OutputFile>> local_create_file(const fs::path& final_path) {
  fs::path temp = final_path.parent_path() / temp_name(final_path);
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (!fd) return errno_failure("cannot create", temp);
  return std::make_unique<LocalOutputFile>(std::move(fd), temp, final_path);
}

Status local_rename_no_replace(const fs::path& from, const fs::path& to) {
  return rename_noreplace(from, to);
}

}  // namespace rawbackup
