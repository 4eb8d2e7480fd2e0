// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials), read as
// the SDKs and the AWS CLI read them, so a facility's existing profiles work unchanged:
// - `#` and `;` start a comment on a line of their own, after a section header, and in a
//   value when whitespace precedes them;
// - the config file names profiles `[default]` and `[profile NAME]` (a `[NAME]` section is
//   ignored there, and `[profile NAME]` wins over it); the credentials file names them
//   `[NAME]`; `[services NAME]` sections (config file) hold per-service settings;
// - a setting with an empty value followed by indented `key = value` lines is a nested
//   section (`s3 =` → "s3.addressing_style"); other indented lines continue the value;
// - a profile named twice is merged, the last value of a setting wins; the credentials file
//   wins over the config file for the same setting.
// Profile names are letters, digits, '_', '-', '.', '/', '+', '@' (others are ignored).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rawbackup::s3 {

struct AwsSettings {
  std::map<std::string, std::string> values;  // "region", "s3.addressing_style", …

  std::optional<std::string> get(const std::string& key) const;
};

struct AwsIniFile {
  std::map<std::string, AwsSettings> profiles;
  std::map<std::string, AwsSettings> services;  // [services NAME]
};

enum class AwsFileKind { config, credentials };

// Parses one file's text. Kind usage naming `origin`:line for a line that is none of a
// section header, a setting, a comment or a continuation.
Result<AwsIniFile> parse_aws_ini(std::string_view text, AwsFileKind kind, const std::string& origin);

// A profile as the SDKs resolve it, with where its settings came from (for messages).
struct AwsProfile {
  std::string name;
  bool found = false;  // named in either file
  AwsSettings settings;
  AwsSettings services;  // the [services NAME] section the profile names: "s3.endpoint_url", "sts.endpoint_url", …
  std::string config_path;
  std::string credentials_path;
};

// The profile `name` from the shared files: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE,
// else ~/.aws/config and ~/.aws/credentials. A missing file is empty; an unreadable or
// malformed one is kind usage.
Result<AwsProfile> load_aws_profile(const std::string& name);

// The profile name to use: `explicit_name` (--profile, backup.s3.profile) when given, else
// AWS_PROFILE, else "default".
std::string aws_profile_name(const std::string& explicit_name);

}  // namespace rawbackup::s3
