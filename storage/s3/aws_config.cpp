#include "storage/s3/aws_config.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/system.h"

namespace rawbackup::s3 {
namespace {

std::string trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  size_t end = s.find_last_not_of(" \t\r");
  return std::string(s.substr(begin, end - begin + 1));
}

// A value without its comment: `#` or `;` preceded by whitespace starts one.
std::string strip_value_comment(std::string_view value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
      return trim(value.substr(0, i));
    }
  }
  return trim(value);
}

bool valid_profile_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("_-./+@").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

enum class SectionKind { none, profile, service, ignored };

struct Section {
  SectionKind kind = SectionKind::none;
  std::string name;
  bool prefixed = false;  // [profile NAME] in the config file
};

// "[profile x] # comment" → the section it opens (ignored when the file does not use it).
Section parse_header(std::string_view line, AwsFileKind kind) {
  std::string inside = trim(line.substr(1, line.find(']') - 1));
  std::istringstream words(inside);
  std::string first, second, rest;
  words >> first >> second >> rest;
  if (!rest.empty()) return {SectionKind::ignored, "", false};
  if (kind == AwsFileKind::credentials) {
    return second.empty() && valid_profile_name(first) ? Section{SectionKind::profile, first, false}
                                                       : Section{SectionKind::ignored, "", false};
  }
  if (second.empty()) {
    return first == "default" ? Section{SectionKind::profile, first, false} : Section{SectionKind::ignored, "", false};
  }
  if (first == "profile" && valid_profile_name(second)) return {SectionKind::profile, second, true};
  if (first == "services" && valid_profile_name(second)) return {SectionKind::service, second, true};
  return {SectionKind::ignored, "", false};
}

}  // namespace

std::optional<std::string> AwsSettings::get(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Result<AwsIniFile> parse_aws_ini(std::string_view text, AwsFileKind kind, const std::string& origin) {
  AwsIniFile file;
  std::map<std::string, bool> from_prefixed;  // config file: [profile x] beats [x] ("default" only)
  Section section;
  AwsSettings* current = nullptr;
  std::string last_key;  // for continuations and nested settings
  bool nested = false;   // last_key had an empty value: indented lines are its sub-settings
  size_t number = 0;
  std::istringstream lines{std::string(text)};
  for (std::string raw; std::getline(lines, raw);) {
    ++number;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (line[0] == '[') {
      if (line.find(']') == std::string::npos)
        return fail(ErrorKind::usage, origin + ":" + std::to_string(number) + ": section header without ']'");
      section = parse_header(line, kind);
      last_key.clear();
      nested = false;
      current = nullptr;
      if (section.kind == SectionKind::profile) {
        if (kind == AwsFileKind::config && !section.prefixed && from_prefixed[section.name]) {
          section.kind = SectionKind::ignored;  // [default] after [profile default]
          continue;
        }
        if (kind == AwsFileKind::config && section.prefixed && !from_prefixed[section.name]) {
          file.profiles.erase(section.name);  // [profile default] replaces [default]
          from_prefixed[section.name] = true;
        }
        current = &file.profiles[section.name];
      } else if (section.kind == SectionKind::service) {
        current = &file.services[section.name];
      }
      continue;
    }
    if (section.kind == SectionKind::none) {
      return fail(ErrorKind::usage, origin + ":" + std::to_string(number) + ": a setting before any [section]");
    }
    size_t equals = line.find('=');
    if (indented && !last_key.empty()) {
      if (current == nullptr) continue;
      if (nested) {
        if (equals == std::string::npos) {
          return fail(ErrorKind::usage,
                      origin + ":" + std::to_string(number) + ": expected 'key = value' under " + last_key);
        }
        current->values[last_key + "." + trim(line.substr(0, equals))] = strip_value_comment(line.substr(equals + 1));
      } else {
        current->values[last_key] += "\n" + strip_value_comment(line);
      }
      continue;
    }
    if (equals == std::string::npos || equals == 0) {
      return fail(ErrorKind::usage, origin + ":" + std::to_string(number) + ": expected 'key = value'");
    }
    last_key = trim(line.substr(0, equals));
    std::string value = strip_value_comment(line.substr(equals + 1));
    nested = value.empty();
    if (current != nullptr && !nested) current->values[last_key] = value;
  }
  return file;
}

std::string aws_profile_name(const std::string& explicit_name) {
  if (!explicit_name.empty()) return explicit_name;
  return env_or("AWS_PROFILE", "default");
}

namespace {

std::string shared_file(const char* variable, const char* name) {
  std::string path = env_or(variable);
  if (path.empty()) return env_or("HOME", "/root") + "/.aws/" + name;
  if (path.starts_with("~/")) path = env_or("HOME", "/root") + path.substr(1);
  return path;
}

Result<AwsIniFile> read_shared_file(const std::string& path, AwsFileKind kind) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return AwsIniFile{};
    return fail(ErrorKind::usage, "cannot read " + path + ": " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_aws_ini(text.str(), kind, path);
}

}  // namespace

Result<AwsProfile> load_aws_profile(const std::string& name) {
  AwsProfile profile;
  profile.name = name;
  profile.config_path = shared_file("AWS_CONFIG_FILE", "config");
  profile.credentials_path = shared_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  TRY_ASSIGN(config, read_shared_file(profile.config_path, AwsFileKind::config));
  TRY_ASSIGN(credentials, read_shared_file(profile.credentials_path, AwsFileKind::credentials));
  for (const AwsIniFile* file : {&config, &credentials}) {  // the credentials file last: it wins
    auto it = file->profiles.find(name);
    if (it == file->profiles.end()) continue;
    profile.found = true;
    for (const auto& [key, value] : it->second.values) profile.settings.values[key] = value;
  }
  if (auto services = profile.settings.get("services")) {
    auto it = config.services.find(*services);
    if (it != config.services.end()) {
      profile.services = it->second;
    }
  }
  return profile;
}

}  // namespace rawbackup::s3
