// The local filesystem behind a small interface, so tasks can be tested on an in-memory fake.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/mounts.h"

namespace rawbackup {

enum class EntryType { missing, file, directory, symlink, other };

struct FileStat {
  EntryType type = EntryType::missing;
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // nanoseconds since the Unix epoch
  // Status change time (ctime), same unit: a write, a rename, a link or a mode change sets it.
  // Not compared by remove_file_beneath.
  int64_t changed_ns = 0;
};

// The space of the filesystem holding a folder.
struct FolderSpace {
  uint64_t free_bytes = 0;  // what this process may still write (not root's reserve)
  uint64_t total_bytes = 0;
};

// Read-only bytes of a file mapped into memory; unmapped when the last owner lets go.
class MappedBytes {
 public:
  virtual ~MappedBytes() = default;
  virtual std::span<const std::byte> bytes() const = 0;
};

// A file open for sequential reading.
class InputFile {
 public:
  virtual ~InputFile() = default;
  // Reads up to buf.size() bytes; 0 means end of file.
  virtual Result<size_t> read(std::span<std::byte> buf) = 0;
  // Zero-copy alternative to read(): maps the next up-to-`length` bytes (empty at the end of
  // the file) and advances. nullptr when this file cannot be mapped; use read() then.
  virtual Result<std::shared_ptr<const MappedBytes>> map_next(size_t length) {
    (void)length;
    return std::shared_ptr<const MappedBytes>{};
  }
  // Moves the position read() and map_next() start from.
  virtual void seek(uint64_t offset) = 0;
};

// A new file being written under a temporary name beside its final one. Nothing ever sits
// under the final name half written: commit() fsyncs the file, renames it into place
// (refusing to replace anything there) and fsyncs the folder. Destroyed without commit(),
// the temporary file is removed.
class OutputFile {
 public:
  virtual ~OutputFile() = default;
  // Writes all of `data` at `offset` (a full disk is an error naming the file) and starts
  // writing it back to disk, so that commit()'s fsync has little left to wait for.
  // Safe to call from several threads for different ranges.
  virtual Status write_at(uint64_t offset, std::span<const std::byte> data) = 0;
  // Fails with kind conflict when the final name exists by now.
  virtual Status commit() = 0;
  // The modification time the file is committed with (restore gives files back the mtime
  // the record has, so a restored set is the one checksummed). Before commit().
  virtual Status set_mtime(int64_t mtime_ns) = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // A missing path is not an error: it has type `missing`. With follow_symlinks false a
  // symlink reports type `symlink`.
  virtual Result<FileStat> stat(const std::filesystem::path& p, bool follow_symlinks) const = 0;
  // Absolute path with every symlink resolved; the path must exist.
  virtual Result<std::filesystem::path> canonical(const std::filesystem::path& p) const = 0;
  // Names in a directory (no "." or ".."), sorted.
  virtual Result<std::vector<std::string>> list_dir(const std::filesystem::path& p) const = 0;
  virtual Result<std::unique_ptr<InputFile>> open_read(const std::filesystem::path& p) const = 0;

  // Whether this process may create files in folder `p`, found without writing (access(2):
  // modes, ACLs, a read-only mount); kind usage when it may not.
  virtual Status check_writable(const std::filesystem::path& p) const = 0;
  virtual Result<FolderSpace> space(const std::filesystem::path& p) const = 0;
  // The mount that holds `p` (its file-system type and options); nullopt when unknown.
  virtual Result<std::optional<MountInfo>> mount_of(const std::filesystem::path& p) const = 0;

  // Creates the folder and its parents (existing ones are fine).
  virtual Status create_directories(const std::filesystem::path& p) const = 0;
  // Starts writing the file that commit() will name `final_path`; mode 0666 less the umask.
  virtual Result<std::unique_ptr<OutputFile>> create_file(const std::filesystem::path& final_path) const = 0;
  // Renames `from` to `to` unless `to` exists (kind conflict then), then fsyncs the folder.
  virtual Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) const = 0;
  // Removes the temporary files in folder `p` that runs of this host left when they stopped
  // (killed mid-copy, or between a commit's hard link and its unlink); those of live runs and
  // of other hosts stay. Each folder is looked at once per process.
  virtual void remove_stale_temporaries(const std::filesystem::path& p) const { (void)p; }
  // Commits several files of this filesystem at once, as commit() would each: for the local
  // filesystem one flush of the whole filesystem for all their bytes (not an fsync per file),
  // then every rename, then one fsync per folder. Nothing gets its final name before its
  // bytes are durable. Stops at the first failure; files renamed by then stay committed.
  virtual Status commit_all(std::span<OutputFile* const> files) const {
    for (OutputFile* file : files) {
      TRY(file->commit());
    }
    return {};
  }

  // Removal beneath a folder (purge): `relative` is a path of plain names ("x.d/a/b"; no "..",
  // not absolute; kind usage otherwise) walked from `root` one folder at a time without ever
  // following a symlink, so nothing outside `root` can be reached through a link swapped in.
  //
  // Removes the regular file `relative` only while its size and mtime are still `expected`'s,
  // checked on the open folder just before unlinking. Kind conflict, nothing removed, when a
  // step is a symlink or not a folder, the entry is not a regular file, or it changed. False
  // when it (or a folder on the way) is not there: removed before.
  virtual Result<bool> remove_file_beneath(const std::filesystem::path& root, const std::filesystem::path& relative,
                                           const FileStat& expected) const = 0;
  // Removes the folder `relative` beneath `root` (walked as above) when it is empty; false
  // when it is not empty or not there. Never removes anything inside it.
  virtual Result<bool> remove_folder_if_empty(const std::filesystem::path& root,
                                              const std::filesystem::path& relative) const = 0;
  // Makes removals in folder `p` durable (fsync of the folder).
  virtual Status sync_folder(const std::filesystem::path& p) const = 0;
};

// Reads until `buf` is full or the file ends; returns the bytes read.
Result<size_t> read_full(InputFile& input, std::span<std::byte> buf);

// The real filesystem (POSIX calls).
const FileSystem& local_filesystem();

}  // namespace rawbackup
