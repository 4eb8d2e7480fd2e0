#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "storage/filesystem.h"
#include "storage/unique_fd.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

std::unexpected<Error> errno_error(const std::string& what, const fs::path& p) {
  return fail(what + " " + p.string() + ": " + std::strerror(errno));
}

EntryType type_of(mode_t mode) {
  if (S_ISREG(mode)) return EntryType::file;
  if (S_ISDIR(mode)) return EntryType::directory;
  if (S_ISLNK(mode)) return EntryType::symlink;
  return EntryType::other;
}

class LocalInputFile final : public InputFile {
 public:
  LocalInputFile(UniqueFd fd, fs::path path) : fd_(std::move(fd)), path_(std::move(path)) {}

  Result<size_t> read(std::span<std::byte> buf) override {
    while (true) {
      ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return errno_error("cannot read", path_);
    }
  }

 private:
  UniqueFd fd_;
  fs::path path_;
};

class LocalFileSystem final : public FileSystem {
 public:
  Result<FileStat> stat(const fs::path& p, bool follow_symlinks) const override {
    struct stat st {};
    int rc = follow_symlinks ? ::stat(p.c_str(), &st) : ::lstat(p.c_str(), &st);
    if (rc != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return FileStat{};
      return errno_error("cannot stat", p);
    }
    return FileStat{type_of(st.st_mode), static_cast<uint64_t>(st.st_size),
                    static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  }

  Result<fs::path> canonical(const fs::path& p) const override {
    std::error_code ec;
    fs::path resolved = fs::canonical(p, ec);
    if (ec) return fail("cannot resolve " + p.string() + ": " + ec.message());
    return resolved;
  }

  Result<std::vector<std::string>> list_dir(const fs::path& p) const override {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(p.c_str()), &::closedir);
    if (!dir) return errno_error("cannot list", p);
    std::vector<std::string> names;
    errno = 0;
    while (dirent* entry = ::readdir(dir.get())) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    if (errno != 0) return errno_error("cannot list", p);
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<std::unique_ptr<InputFile>> open_read(const fs::path& p) const override {
    UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error("cannot open", p);
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::make_unique<LocalInputFile>(std::move(fd), p);
  }
};

}  // namespace

const FileSystem& local_filesystem() {
  static const LocalFileSystem instance;
  return instance;
}

}  // namespace rawbackup
