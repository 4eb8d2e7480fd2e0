// Where a raw-file set goes in S3: bucket names and key prefixes.
#pragma once
#include <string>

#include "common/result.h"
#include "model/raw_file.h"

namespace rawbackup::s3 {

// "{prefix}-{project}" lowercased, with '_', '.' and spaces turned into '-'. A name S3 would
// refuse (length outside 3–63, other characters, not starting and ending with a letter or
// digit, "xn--" prefix, "-s3alias" suffix, an IP address) is a usage error naming the project.
Result<std::string> bucket_name(const std::string& prefix, const std::string& project_id);

// Key prefix of a set: "<instrument>/<YYYY_MM>/" for project _FALLBACK, then "<id>/" for
// Sciex sets (whose files sit flat beside other acquisitions); "" otherwise. File keys follow.
std::string key_prefix(const RawFile& record);

}  // namespace rawbackup::s3
