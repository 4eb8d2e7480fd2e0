// Pieces of the local FileSystem implementation shared between its source files.
#pragma once
#include <filesystem>
#include <memory>

#include "storage/filesystem.h"

namespace rawbackup {

Status local_create_directories(const std::filesystem::path& p);
Result<std::unique_ptr<OutputFile>> local_create_file(const std::filesystem::path& final_path);
Status local_rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace rawbackup
