#include "storage/mounts.h"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <vector>

namespace rawbackup {
namespace {

// mountinfo escapes space, tab, newline and backslash in paths as \ooo (octal).
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int value = 0;
      bool octal = true;
      for (size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        octal = octal && c >= '0' && c <= '7';
        value = value * 8 + (c - '0');
      }
      if (octal) {
        out.push_back(static_cast<char>(value));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// "/a/b" holds "/a/b/c" and "/a/b", not "/a/bc".
bool holds(const std::filesystem::path& mount_point, const std::filesystem::path& path) {
  auto [m, p] = std::mismatch(mount_point.begin(), mount_point.end(), path.begin(), path.end());
  return m == mount_point.end() || (std::next(m) == mount_point.end() && m->empty());
}

std::optional<int64_t> seconds_option(std::string_view options, std::string_view name) {
  auto value = mount_option(options, name);
  if (!value) return std::nullopt;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc{} || end != value->data() + value->size()) return std::nullopt;
  return n;
}

}  // namespace

std::optional<MountInfo> mount_holding(std::string_view mountinfo, const std::filesystem::path& path) {
  std::optional<MountInfo> best;
  size_t best_depth = 0;
  std::istringstream in{std::string(mountinfo)};
  for (std::string line; std::getline(in, line);) {
    // id parent major:minor root mount-point options [optional…] - type source super-options
    std::vector<std::string> w = words(line);
    auto dash = std::find(w.begin(), w.end(), "-");
    if (w.size() < 6 || dash == w.end() || w.end() - dash < 3) continue;
    std::filesystem::path point = unescape(w[4]);
    if (!holds(point, path)) continue;
    size_t depth = static_cast<size_t>(std::distance(point.begin(), point.end()));
    if (best && depth < best_depth) continue;
    best_depth = depth;
    best = MountInfo{point, dash[1], unescape(dash[2]), w[5] + (dash[3].empty() ? "" : "," + dash[3])};
  }
  return best;
}

std::optional<std::string> mount_option(std::string_view options, std::string_view name) {
  while (!options.empty()) {
    size_t comma = options.find(',');
    std::string_view option = options.substr(0, comma);
    if (option.size() > name.size() && option.starts_with(name) && option[name.size()] == '=') {
      return std::string(option.substr(name.size() + 1));
    }
    if (comma == std::string_view::npos) break;
    options.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

std::optional<int64_t> attribute_cache_seconds(const MountInfo& mount) {
  bool cifs = mount.fs_type == "cifs" || mount.fs_type == "smb3";
  bool nfs = mount.fs_type.starts_with("nfs");
  if (!cifs && !nfs) return std::nullopt;
  if (auto actimeo = seconds_option(mount.options, "actimeo")) return actimeo;
  if (cifs) return seconds_option(mount.options, "acregmax").value_or(1);
  if (("," + mount.options + ",").find(",noac,") != std::string::npos) return 0;
  return std::max(seconds_option(mount.options, "acregmax").value_or(60),
                  seconds_option(mount.options, "acdirmax").value_or(60));
}

}  // namespace rawbackup
