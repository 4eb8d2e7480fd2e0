// Reading the YAML config: a mapping walked key by key, with the key path in every message
// and unknown keys refused. Internal to config/.
#pragma once
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace rawbackup {

// `text` as a path: absolute as it is, relative to the config file's folder otherwise.
inline std::filesystem::path resolve_config_path(const std::filesystem::path& base_dir, const std::string& text) {
  std::filesystem::path p(text);
  return (p.is_absolute() ? p : base_dir / p).lexically_normal();
}

// Walks a YAML mapping, remembering the key path for messages and rejecting unknown keys.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string path, const std::string& file)
      : node_(node), path_(std::move(path)), file_(file) {
    if (!node_.IsMap()) fail_at(path_, "must be a mapping");
  }

  [[noreturn]] void fail_at(const std::string& key_path, const std::string& problem) const {
    throw UsageError(file_ + ": " + (key_path.empty() ? "(top level)" : key_path) + ": " + problem);
  }

  std::string key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  // Present and not null.
  bool has(const std::string& key) {
    known_.insert(key);
    return node_[key] && !node_[key].IsNull();
  }

  YAML::Node child(const std::string& key) {
    if (!has(key)) fail_at(key_path(key), "is required" + typo_hint(key));
    return node_[key];
  }

  std::string string(const std::string& key) {
    YAML::Node value = child(key);
    if (!value.IsScalar()) fail_at(key_path(key), "must be a string");
    std::string text = value.Scalar();
    if (text.empty()) fail_at(key_path(key), "must not be empty");
    return text;
  }

  std::optional<std::string> optional_string(const std::string& key) {
    if (!has(key)) return std::nullopt;
    return string(key);
  }

  int64_t integer(const std::string& key) {
    YAML::Node value = child(key);
    int64_t number = 0;
    if (!value.IsScalar() || !YAML::convert<int64_t>::decode(value, number)) {
      fail_at(key_path(key), "must be a whole number, got '" + scalar_text(value) + "'");
    }
    return number;
  }

  // true or false (YAML's spellings of them); `otherwise` when absent.
  bool flag(const std::string& key, bool otherwise) {
    if (!has(key)) return otherwise;
    YAML::Node value = child(key);
    bool set = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, set)) {
      fail_at(key_path(key), "must be true or false, got '" + scalar_text(value) + "'");
    }
    return set;
  }

  template <class Enum>
  Enum choice(const std::string& key, const std::map<std::string, Enum>& options) {
    std::string text = string(key);
    auto it = options.find(text);
    if (it != options.end()) return it->second;
    std::string names;
    for (const auto& [name, value] : options) names += (names.empty() ? "" : ", ") + name;
    fail_at(key_path(key), "must be one of " + names + ", got '" + text + "'");
  }

  MapReader map(const std::string& key) { return MapReader(child(key), key_path(key), file_); }

  // A list of non-empty strings ([] allowed); nullopt when absent.
  std::optional<std::vector<std::string>> optional_strings(const std::string& key) {
    if (!has(key)) return std::nullopt;
    YAML::Node value = node_[key];
    if (!value.IsSequence()) fail_at(key_path(key), "must be a list of strings");
    std::vector<std::string> out;
    for (const YAML::Node& item : value) {
      if (!item.IsScalar() || item.Scalar().empty()) fail_at(key_path(key), "must be a list of non-empty strings");
      out.push_back(item.Scalar());
    }
    return out;
  }

  // Call after reading every known key: any other key is a typo.
  void reject_unknown() const {
    for (const auto& entry : node_) {
      std::string key = entry.first.as<std::string>();
      if (!known_.contains(key)) fail_at(key_path(key), "unknown key (typo?)");
    }
  }

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }

 private:
  // " (found 'regoin': a typo?)" when a present key is one or two edits from `key`.
  std::string typo_hint(const std::string& key) const {
    for (const auto& entry : node_) {
      std::string present = entry.first.as<std::string>();
      if (present != key && edit_distance(present, key) <= 2) {
        return " (found '" + present + "': a typo?)";
      }
    }
    return "";
  }

  static size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
        diagonal = above;
      }
    }
    return row[b.size()];
  }

  static std::string scalar_text(const YAML::Node& n) { return n.IsScalar() ? n.Scalar() : "?"; }

  YAML::Node node_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> known_;
};

}  // namespace rawbackup
