// S3's naming rules for buckets (where a raw-file set goes is model/placement.h).
#pragma once
#include <string>

#include "common/result.h"

namespace rawbackup::s3 {

// "{prefix}-{project}" lowercased, with '_', '.' and spaces turned into '-'. A name S3 would
// refuse (length outside 3–63, other characters, not starting and ending with a letter or
// digit, "xn--" prefix, "-s3alias" suffix, an IP address) is a usage error naming the project.
Result<std::string> bucket_name(const std::string& prefix, const std::string& project_id);

}  // namespace rawbackup::s3
