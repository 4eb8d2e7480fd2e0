#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "storage/filesystem.h"
#include "storage/local_filesystem_impl.h"
#include "storage/sigbus_guard.h"
#include "storage/unique_fd.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

std::unexpected<Error> errno_error(const std::string& what, const fs::path& p) { return errno_failure(what, p); }

EntryType type_of(mode_t mode) {
  if (S_ISREG(mode)) return EntryType::file;
  if (S_ISDIR(mode)) return EntryType::directory;
  if (S_ISLNK(mode)) return EntryType::symlink;
  return EntryType::other;
}

class LocalMapping final : public MappedBytes {
 public:
  LocalMapping(void* base, size_t mapped, size_t skip, size_t length)
      : base_(base),
        mapped_(mapped),
        skip_(skip),
        length_(length),
        guard_(mapped > 0 ? guard_mapping(base, mapped) : -1) {}
  ~LocalMapping() override {
    unguard_mapping(guard_);
    if (mapped_ > 0) ::munmap(base_, mapped_);
  }
  std::span<const std::byte> bytes() const override { return {static_cast<const std::byte*>(base_) + skip_, length_}; }

 private:
  void* base_;
  size_t mapped_, skip_, length_;
  int guard_;
};

class LocalInputFile final : public InputFile {
 public:
  LocalInputFile(UniqueFd fd, fs::path path, uint64_t size) : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}

  // Maps whole pages around [offset_, offset_ + length) of a regular file. A file that
  // shrinks under the mapping would raise SIGBUS, so the size is re-checked per window.
  Result<std::shared_ptr<const MappedBytes>> map_next(size_t length) override {
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) return errno_error("cannot stat", path_);
    if (static_cast<uint64_t>(st.st_size) != size_) {
      return fail(path_.string() + ": file changed size while being read");
    }
    length = static_cast<size_t>(std::min<uint64_t>(length, size_ - std::min(offset_, size_)));
    if (length == 0) return std::shared_ptr<const MappedBytes>(std::make_shared<LocalMapping>(nullptr, 0, 0, 0));
    static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    uint64_t start = offset_ / page * page;
    size_t skip = static_cast<size_t>(offset_ - start);
    void* base = ::mmap(nullptr, skip + length, PROT_READ, MAP_SHARED, fd_.get(), static_cast<off_t>(start));
    if (base == MAP_FAILED) return errno_error("cannot map", path_);
    offset_ += length;
    return std::shared_ptr<const MappedBytes>(std::make_shared<LocalMapping>(base, skip + length, skip, length));
  }

  void seek(uint64_t offset) override { offset_ = offset; }

  Result<size_t> read(std::span<std::byte> buf) override {
    while (true) {
      ssize_t n = ::pread(fd_.get(), buf.data(), buf.size(), static_cast<off_t>(offset_));
      if (n >= 0) {
        offset_ += static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (errno != EINTR) return errno_error("cannot read", path_);
    }
  }

 private:
  UniqueFd fd_;
  fs::path path_;
  uint64_t size_;
  uint64_t offset_ = 0;
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
                    static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                    static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec};
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
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errno_error("cannot stat", p);
    return std::make_unique<LocalInputFile>(std::move(fd), p, static_cast<uint64_t>(st.st_size));
  }

  Status check_writable(const fs::path& p) const override {
    if (::access(p.c_str(), W_OK | X_OK) != 0) return errno_error("cannot write in", p);
    return {};
  }
  Result<FolderSpace> space(const fs::path& p) const override {
    struct statvfs info {};
    if (::statvfs(p.c_str(), &info) != 0) return errno_error("cannot read the free space of", p);
    return FolderSpace{static_cast<uint64_t>(info.f_bavail) * info.f_frsize,
                       static_cast<uint64_t>(info.f_blocks) * info.f_frsize};
  }
  Status create_directories(const fs::path& p) const override { return local_create_directories(p); }
  Result<std::unique_ptr<OutputFile>> create_file(const fs::path& final_path) const override {
    return local_create_file(final_path);
  }
  Result<std::optional<MountInfo>> mount_of(const fs::path& p) const override { return local_mount_of(p); }
  void remove_stale_temporaries(const fs::path& p) const override { local_remove_stale_temps(p); }
  Status rename_no_replace(const fs::path& from, const fs::path& to) const override {
    return local_rename_no_replace(from, to);
  }
  Status commit_all(std::span<OutputFile* const> files) const override { return local_commit_all(files); }
  Result<bool> remove_file_beneath(const fs::path& root, const fs::path& relative,
                                   const FileStat& expected) const override {
    return local_remove_file_beneath(root, relative, expected);
  }
  Result<bool> remove_folder_if_empty(const fs::path& root, const fs::path& relative) const override {
    return local_remove_folder_if_empty(root, relative);
  }
  Status sync_folder(const fs::path& p) const override { return local_sync_folder(p); }
};

}  // namespace

// The mount holding `p`, from this process's /proc/self/mountinfo (mounts.h parses it).
Result<std::optional<MountInfo>> local_mount_of(const std::filesystem::path& p) {
  std::error_code ec;
  std::filesystem::path resolved = std::filesystem::canonical(p, ec);
  if (ec) return errno_failure("cannot resolve", p, ec.value());
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return std::optional<MountInfo>{};  // not Linux, or no /proc: unknown
  std::ostringstream text;
  text << in.rdbuf();
  return mount_holding(text.str(), resolved);
}

const FileSystem& local_filesystem() {
  static const LocalFileSystem instance;
  return instance;
}

}  // namespace rawbackup
