// Reading backup.s3 of the YAML config. Internal to config/.
#pragma once
#include <filesystem>

#include "config/config.h"
#include "config/map_reader.h"

namespace rawbackup {

// backup.s3 of `backup`; relative paths (sse_c_key_file) against `base_dir`. Throws UsageError.
S3Config read_s3(MapReader& backup, const std::filesystem::path& base_dir);

}  // namespace rawbackup
