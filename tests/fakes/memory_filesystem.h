// In-memory FileSystem for unit tests: files, folders and symlinks under absolute paths.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "storage/filesystem.h"

namespace rawbackup::testing {

class MemoryFileSystem final : public FileSystem {
 public:
  // Creates parent folders as needed.
  void add_file(const std::string& path, std::string content, int64_t mtime_ns = 1'000'000'000);
  void add_dir(const std::string& path);
  void add_symlink(const std::string& path, const std::string& target);
  void remove(const std::string& path);
  // What later reads of `path` return, while stat keeps reporting the old size and mtime
  // (a file changing under a reader).
  void change_content_behind_stat(const std::string& path, std::string content);
  // Number of open_read calls so far (to prove that work was skipped).
  int reads() const { return reads_; }

  Result<FileStat> stat(const std::filesystem::path& p, bool follow_symlinks) const override;
  Result<std::filesystem::path> canonical(const std::filesystem::path& p) const override;
  Result<std::vector<std::string>> list_dir(const std::filesystem::path& p) const override;
  Result<std::unique_ptr<InputFile>> open_read(const std::filesystem::path& p) const override;

 private:
  struct Node {
    EntryType type = EntryType::file;
    std::string content;
    int64_t mtime_ns = 0;
    std::string target;  // symlinks
    std::optional<uint64_t> stat_size;  // overrides content.size() for stat
  };
  const Node* find(const std::string& path) const;
  std::string resolve(const std::string& path) const;  // empty when it cannot be resolved

  std::map<std::string, Node> nodes_;
  mutable int reads_ = 0;
};

}  // namespace rawbackup::testing
