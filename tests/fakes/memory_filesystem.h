// In-memory FileSystem for unit tests: files, folders and symlinks under absolute paths.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "storage/filesystem.h"

namespace rawbackup::testing {

class MemoryFileSystem final : public FileSystem {
 public:
  // Creates parent folders as needed.
  // The file's ctime is its mtime (a file made `mtime_ns` ago); a rename sets it to now.
  void add_file(const std::string& path, std::string content, int64_t mtime_ns = 1'000'000'000);
  void add_dir(const std::string& path);
  void add_symlink(const std::string& path, const std::string& target);
  void remove(const std::string& path);
  // What later reads of `path` return, while stat keeps reporting the old size and mtime
  // (a file changing under a reader).
  void change_content_behind_stat(const std::string& path, std::string content);
  // Number of open_read calls so far (to prove that work was skipped).
  int reads() const { return reads_; }
  // Bytes read from every file so far (to prove that nothing was read twice).
  uint64_t bytes_read() const { return bytes_read_; }
  // Called (unlocked) after each open_read with the path: a writer acting while a file is read.
  void on_open(std::function<void(const std::string&)> hook) { on_open_ = std::move(hook); }

  Result<FileStat> stat(const std::filesystem::path& p, bool follow_symlinks) const override;
  Result<std::filesystem::path> canonical(const std::filesystem::path& p) const override;
  Result<std::vector<std::string>> list_dir(const std::filesystem::path& p) const override;
  Result<std::unique_ptr<InputFile>> open_read(const std::filesystem::path& p) const override;
  Status check_writable(const std::filesystem::path& p) const override;
  Result<FolderSpace> space(const std::filesystem::path& p) const override;
  // The mount set for `p` or the nearest folder above it with set_mount; nullopt when none.
  Result<std::optional<MountInfo>> mount_of(const std::filesystem::path& p) const override;
  void set_mount(const std::string& path, MountInfo mount) { mounts_[path] = std::move(mount); }
  Status create_directories(const std::filesystem::path& p) const override;
  Result<std::unique_ptr<OutputFile>> create_file(const std::filesystem::path& final_path) const override;
  Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) const override;
  Result<bool> remove_file_beneath(const std::filesystem::path& root, const std::filesystem::path& relative,
                                   const FileStat& expected) const override;
  Result<bool> remove_folder_if_empty(const std::filesystem::path& root,
                                      const std::filesystem::path& relative) const override;
  Status sync_folder(const std::filesystem::path&) const override { return {}; }
  // Called (unlocked) before each removal with the path: a crash or a writer acting mid-purge.
  void on_remove(std::function<Status(const std::string&)> hook) { on_remove_ = std::move(hook); }

  // Writes fail with "no space left" once this many more bytes have been written.
  void set_space_left(uint64_t bytes) { space_left_ = bytes; }
  // check_writable refuses this folder (a read-only mount); writes are not affected.
  void set_read_only(const std::string& path) { read_only_.insert(path); }
  // OutputFile::set_mtime fails, as on a share that does not let this user set times.
  void refuse_mtimes() { refuse_mtimes_ = true; }
  bool exists(const std::string& path) const { return nodes_.contains(path); }
  const std::string& read_all(const std::string& path) const { return nodes_.at(path).content; }
  // Paths of every file (not folder) whose name contains `part`.
  std::vector<std::string> files_containing(const std::string& part) const;

 private:
  struct Node {
    EntryType type = EntryType::file;
    std::string content;
    int64_t mtime_ns = 0;
    std::string target;                 // symlinks
    std::optional<uint64_t> stat_size;  // overrides content.size() for stat
    std::optional<int64_t> changed_ns;  // ctime: set by a rename (the wall clock); else the mtime
  };
  const Node* find(const std::string& path) const;
  std::string resolve(const std::string& path) const;  // empty when it cannot be resolved

  friend class MemoryOutputFile;
  mutable std::map<std::string, Node> nodes_;  // the "disk": writes change it, not the object
  mutable int reads_ = 0;
  mutable std::atomic<uint64_t> bytes_read_{0};
  std::function<void(const std::string&)> on_open_;
  std::function<Status(const std::string&)> on_remove_;
  mutable std::optional<uint64_t> space_left_;
  std::set<std::string> read_only_;
  bool refuse_mtimes_ = false;
  std::map<std::string, MountInfo> mounts_;
  mutable int64_t clock_ns_ = 2'000'000'000;
  mutable std::recursive_mutex mutex_;  // copy workers write from several threads
  Status rename_locked(const std::filesystem::path& from, const std::filesystem::path& to) const;
  // The node at `relative` beneath `root`, walked without following symlinks (as the local
  // filesystem does); null when not there.
  Result<const Node*> find_beneath(const std::filesystem::path& root, const std::filesystem::path& relative) const;
};

}  // namespace rawbackup::testing
