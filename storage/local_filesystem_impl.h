// Pieces of the local FileSystem implementation shared between its source files.
#pragma once
#include <cerrno>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "storage/filesystem.h"

namespace rawbackup {

// An errno as a one-line error "WHAT PATH: reason". Permission and path problems (a folder
// that is a file, a read-only filesystem) are kind usage: no re-run helps until a person
// fixes them. A full disk or file size limit says so.
std::unexpected<Error> errno_failure(const std::string& what, const std::filesystem::path& p, int err = errno);

Status local_create_directories(const std::filesystem::path& p);
Result<std::unique_ptr<OutputFile>> local_create_file(const std::filesystem::path& final_path);
Status local_rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to);
Status local_commit_all(std::span<OutputFile* const> files);
Result<bool> local_remove_file_beneath(const std::filesystem::path& root, const std::filesystem::path& relative,
                                       const FileStat& expected);
Result<bool> local_remove_folder_if_empty(const std::filesystem::path& root, const std::filesystem::path& relative);
Status local_sync_folder(const std::filesystem::path& p);
void local_remove_stale_temps(const std::filesystem::path& dir);
Result<std::optional<MountInfo>> local_mount_of(const std::filesystem::path& p);

}  // namespace rawbackup
