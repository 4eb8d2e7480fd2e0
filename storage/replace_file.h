// A small file replaced whole and atomically (metrics for node_exporter's textfile collector):
// readers see the old content or the new, never a part.
#pragma once
#include <filesystem>
#include <string_view>

#include "common/result.h"

namespace rawbackup {

// Writes `content` to a temporary file beside `path` (mode 0644), fsyncs it, renames it over
// `path` and fsyncs the folder. On failure `path` is left as it was and the temporary removed.
Status replace_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace rawbackup
