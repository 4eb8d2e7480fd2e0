#include "model/layout.h"

#include <algorithm>

#include "common/text.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> extensions_of(Vendor vendor) {
  switch (vendor) {
    case Vendor::thermo: return {".raw"};
    case Vendor::bruker: return {".d"};
    case Vendor::sciex: return {".wiff", ".wiff2"};
  }
  return {};
}

// Walks one instrument folder, resolving symlinks and refusing anything that leads out.
class SetFinder {
 public:
  SetFinder(const FileSystem& fs, fs::path root, size_t expected_files) : fs_(fs), root_(std::move(root)) {
    set_.root = root_;
    set_.files.reserve(expected_files + expected_files / 16);
  }

  // Adds `path` (key `key`) to the set when it is a file, following a symlink that stays
  // inside the root. Directories are returned as `directory` for the caller to walk.
  Result<EntryType> add(const fs::path& path, const std::string& key) {
    Result<FileStat> link = fs_.stat(path, false);
    if (!link) return std::unexpected(link.error());
    if (link->type == EntryType::symlink) {
      Result<fs::path> target = fs_.canonical(path);
      if (!target) return fail(ErrorKind::usage, key + ": broken symlink");
      if (!inside_root(*target)) {
        return fail(ErrorKind::usage, key + ": symlink points outside the instrument folder, to " + target->string());
      }
    }
    Result<FileStat> stat = fs_.stat(path, true);
    if (!stat) return std::unexpected(stat.error());
    if (stat->type == EntryType::directory && link->type == EntryType::symlink) {
      return fail(ErrorKind::usage, key + ": symlinked folders are not followed");
    }
    if (stat->type == EntryType::file) {
      set_.files.push_back({key, stat->size, stat->mtime_ns});
    } else if (stat->type != EntryType::directory && stat->type != EntryType::missing) {
      return fail(ErrorKind::usage, key + ": not a regular file");
    }
    return stat->type;
  }

  Status walk(const fs::path& dir, const std::string& key) {
    Result<std::vector<std::string>> names = fs_.list_dir(dir);
    if (!names) return std::unexpected(names.error());
    for (const std::string& name : *names) {
      Result<EntryType> type = add(dir / name, key + "/" + name);
      if (!type) return std::unexpected(type.error());
      if (*type == EntryType::directory) {
        TRY(walk(dir / name, key + "/" + name));
      }
    }
    return {};
  }

  RawFileSet take() {
    std::sort(set_.files.begin(), set_.files.end(),
              [](const SetMember& a, const SetMember& b) { return a.key < b.key; });
    for (const SetMember& m : set_.files) {
      set_.total_size += m.size;
      set_.newest_mtime_ns = std::max(set_.newest_mtime_ns, m.mtime_ns);
    }
    return std::move(set_);
  }

 private:
  bool inside_root(const fs::path& target) const {
    auto rel = target.lexically_relative(root_);
    return !rel.empty() && *rel.begin() != "..";
  }

  const FileSystem& fs_;
  fs::path root_;
  RawFileSet set_;
};

Result<std::string> matching_extension(Vendor vendor, const std::string& name) {
  for (const std::string& ext : extensions_of(vendor)) {
    if (ends_with_icase(name, ext)) {
      if (name.size() == ext.size()) {
        return fail(ErrorKind::usage, "'" + name + "' is only an extension; it needs a name");
      }
      return ext;
    }
  }
  return fail(ErrorKind::usage, "'" + name + "' is not a " + to_string(vendor) + " raw file name (expected " +
                                    join(extensions_of(vendor), " or ") + ")");
}

Status find_members(SetFinder& finder, const FileSystem& fs, const fs::path& root, Vendor vendor,
                    const std::string& name) {
  if (vendor == Vendor::sciex) {
    Result<std::vector<std::string>> names = fs.list_dir(root);
    if (!names) return std::unexpected(names.error());
    bool named_file_found = false;
    for (const std::string& sibling : *names) {
      if (!belongs_to_set(vendor, name, sibling)) continue;
      Result<EntryType> type = finder.add(root / sibling, sibling);
      if (!type) return std::unexpected(type.error());
      named_file_found |= sibling == name && *type == EntryType::file;
    }
    if (!named_file_found) return fail(ErrorKind::usage, name + " not found in " + root.string());
    return {};
  }
  Result<EntryType> type = finder.add(root / name, name);
  if (!type) return std::unexpected(type.error());
  if (*type == EntryType::directory) {
    if (vendor != Vendor::bruker) return fail(ErrorKind::usage, name + " is a folder, not a file");
    return finder.walk(root / name, name);
  }
  if (*type == EntryType::file && vendor == Vendor::bruker) {
    return fail(ErrorKind::usage, name + " is a file; a Bruker .d acquisition is a folder");
  }
  return {};
}

}  // namespace

Status validate_raw_file_name(Vendor vendor, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find_first_of(std::string("/\\\0", 3)) != std::string::npos) {
    return fail(ErrorKind::usage, "'" + name + "' is not a plain file name");
  }
  // Found by integration/bad_input_test.sh: such names reached S3 keys and logs.
  if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return fail(ErrorKind::usage, "'" + one_line(name) + "' contains a control character");
  }
  if (name.size() > 255) {
    return fail(ErrorKind::usage, "'" + name.substr(0, 40) + "…' is " + std::to_string(name.size()) +
                                      " bytes long; file names have at most 255");
  }
  TRY(matching_extension(vendor, name));
  return {};
}

bool has_set_extension(Vendor vendor, const std::string& entry) {
  for (const std::string& ext : extensions_of(vendor)) {
    if (ends_with_icase(entry, ext)) return true;
  }
  return false;
}

std::vector<std::string> main_file_keys(const InstrumentConfig& instrument, const std::string& name) {
  std::vector<std::string> keys;
  std::vector<std::string> required = required_members(instrument);
  if (instrument.vendor == Vendor::bruker) {
    for (const std::string& member : required) keys.push_back(name + "/" + member);
    if (keys.empty()) keys.push_back(name);
    return keys;
  }
  keys.push_back(name);
  auto extension = matching_extension(instrument.vendor, name);
  if (!extension) return keys;
  std::string stem = name.substr(0, name.size() - extension->size());
  for (const std::string& suffix : required) keys.push_back(stem + suffix);
  return keys;
}

bool belongs_to_set(Vendor vendor, const std::string& name, const std::string& entry) {
  if (vendor != Vendor::sciex) return entry == name;
  auto extension = matching_extension(vendor, name);
  if (!extension) return entry == name;
  std::string stem = name.substr(0, name.size() - extension->size());
  return entry.starts_with(stem + ".");
}

std::string set_key_problem(Vendor vendor, const std::string& name, const std::string& key) {
  if (key.empty()) return "is empty";
  if (key.find('\0') != std::string::npos || key.find('\\') != std::string::npos) return "holds a NUL or a backslash";
  if (key.front() == '/') return "is absolute";
  for (size_t start = 0; start <= key.size();) {
    size_t end = std::min(key.find('/', start), key.size());
    std::string_view part(key.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return "has an empty, '.' or '..' segment";
    start = end + 1;
  }
  if (!belongs_to_set(vendor, name, key.substr(0, key.find('/')))) return "is not a file of " + name;
  return "";
}

std::vector<std::string> required_members(const InstrumentConfig& instrument) {
  if (instrument.required_members) return *instrument.required_members;
  switch (instrument.vendor) {
    case Vendor::bruker: return {"analysis.tdf", "analysis.tdf_bin"};
    case Vendor::sciex: return {".wiff.scan"};
    case Vendor::thermo: return {};
  }
  return {};
}

Status check_complete(const InstrumentConfig& instrument, const std::string& name, const RawFileSet& set) {
  std::vector<std::string> required = required_members(instrument);
  auto extension = matching_extension(instrument.vendor, name);
  if (required.empty() || !extension) return {};
  std::string stem = name.substr(0, name.size() - extension->size());
  for (const std::string& member : required) {
    std::string key = instrument.vendor == Vendor::bruker ? name + "/" + member : stem + member;
    auto found = std::find_if(set.files.begin(), set.files.end(), [&](const SetMember& m) { return m.key == key; });
    if (found != set.files.end() && found->size > 0) continue;
    return fail(ErrorKind::not_ready,
                name + " is not complete: " + key + (found == set.files.end() ? " is missing" : " is empty") +
                    " (required for " + instrument.id + ": " + join(required, ", ") +
                    "; instruments." + instrument.id + ".required_members); retry when the acquisition has written it");
  }
  return {};
}

Result<RawFileSet> find_raw_file_set(const FileSystem& fs, const InstrumentConfig& instrument, const std::string& name,
                                     size_t expected_files) {
  if (Status s = validate_raw_file_name(instrument.vendor, name); !s) {
    return std::unexpected(s.error());
  }
  Result<fs::path> root = fs.canonical(instrument.path);
  if (!root) {
    return fail(ErrorKind::usage,
                "instrument " + instrument.id + ": folder " + instrument.path.string() + " is not reachable");
  }
  SetFinder finder(fs, *root, expected_files);
  if (Status s = find_members(finder, fs, *root, instrument.vendor, name); !s) {
    return std::unexpected(s.error());
  }
  RawFileSet set = finder.take();
  if (set.files.empty()) {
    return fail(ErrorKind::usage, "no files found for '" + name + "' in " + root->string());
  }
  return set;
}

}  // namespace rawbackup
