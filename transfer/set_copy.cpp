#include "transfer/set_copy.h"

#include <algorithm>
#include <set>

#include "common/interrupt.h"
#include "model/layout.h"
#include "transfer/copy_file.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

// A record key the walk can reach: relative, plain names, the first one of the set.
bool is_set_key(const RawFile& record, const std::string& key) {
  return set_key_problem(record.vendor, record.id, key).empty();
}

// "KEY.N.bkp" of a key the record lists: what copy-local --overwrite moved aside (move_aside).
bool is_aside_copy(const RawFile& record, const std::string& key) {
  if (!key.ends_with(".bkp")) return false;
  std::string rest = key.substr(0, key.size() - 4);
  size_t dot = rest.find_last_of('.');
  if (dot == std::string::npos || dot + 1 == rest.size()) return false;
  if (!std::all_of(rest.begin() + static_cast<std::ptrdiff_t>(dot) + 1, rest.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return record.file_info.contains(rest.substr(0, dot));
}

// How a copy is compared: the instrument's files keep the recorded mtime; a backup's have the
// time of their copy, and its folder also holds .N.bkp copies.
enum class CopyKind { instrument, backup };

// Walks the set's entries in a folder with lstat only: a symlink is reported, never
// followed; a folder is entered only inside a Bruker .d.
class SetWalk {
 public:
  SetWalk(const FileSystem& fs, const RawFile& record, SetCopy& copy, CopyKind kind)
      : fs_(fs), record_(record), copy_(copy), kind_(kind) {}

  Status visit(const std::string& key) {
    TRY_ASSIGN(stat, fs_.stat(copy_.root / key, false));
    if (stat.type != EntryType::missing) seen_.insert(key);
    auto recorded = record_.file_info.find(key);
    bool listed = recorded != record_.file_info.end();
    switch (stat.type) {
      case EntryType::missing: break;  // removed while listed
      case EntryType::file:
        if (!listed && kind_ == CopyKind::backup && is_aside_copy(record_, key)) {
          copy_.aside.push_back({key, stat.size, stat.mtime_ns, stat.changed_ns});
        } else if (!listed) {
          copy_.extra.push_back(key);
        } else if (stat.size != recorded->second.size) {
          copy_.differing.push_back(key + ": size " + std::to_string(stat.size) + ", record " +
                                    std::to_string(recorded->second.size));
        } else if (kind_ == CopyKind::instrument && stat.mtime_ns != recorded->second.mtime_ns) {
          copy_.differing.push_back(key + ": modified since checksum (same size)");
        } else {
          copy_.present.push_back(key);
          copy_.present_mtimes[key] = stat.mtime_ns;
          copy_.present_bytes += stat.size;
        }
        break;
      case EntryType::directory:
        if (listed) {
          copy_.differing.push_back(key + ": a folder, the record lists a file");
        } else if (record_.vendor == Vendor::bruker) {
          TRY(walk(key));
        } else {
          copy_.extra.push_back(key + "/ (a folder)");
        }
        break;
      case EntryType::symlink:
        if (listed) {
          copy_.differing.push_back(key + ": a symlink now (purge deletes files, never follows links)");
        } else {
          copy_.extra.push_back(key + " (a symlink)");
        }
        break;
      case EntryType::other:
        if (listed) {
          copy_.differing.push_back(key + ": not a regular file");
        } else {
          copy_.extra.push_back(key + " (not a regular file)");
        }
        break;
    }
    return {};
  }

  // Recorded keys the walk did not find.
  void collect_gone() {
    for (const auto& [key, entry] : record_.file_info) {
      if (!is_set_key(record_, key)) {
        copy_.differing.push_back(key + ": not a path of this set in the instrument folder");
      } else if (!seen_.contains(key)) {
        copy_.gone.push_back(key);
      }
    }
  }

 private:
  Status walk(const std::string& folder) {
    copy_.folders.push_back(folder);
    TRY_ASSIGN(names, fs_.list_dir(copy_.root / folder));
    for (const std::string& name : names) TRY(visit(folder + "/" + name));
    return {};
  }

  const FileSystem& fs_;
  const RawFile& record_;
  SetCopy& copy_;
  CopyKind kind_;
  std::set<std::string> seen_;  // keys found, of any type
};

size_t depth(const std::string& key) { return static_cast<size_t>(std::count(key.begin(), key.end(), '/')); }

// The set in `folder` (`what` names it in the error when it cannot be reached).
Result<SetCopy> inspect(const FileSystem& fs, const fs::path& folder, const std::string& what, const RawFile& record,
                        CopyKind kind) {
  SetCopy copy;
  auto root = fs.canonical(folder);
  auto root_stat = root ? fs.stat(*root, true) : Result<FileStat>(FileStat{});
  if (!root || !root_stat || root_stat->type != EntryType::directory) {
    return fail(what + folder.string() + " is not reachable (not mounted?); nothing can be told about " + record.id);
  }
  copy.root = *root;
  SetWalk walk(fs, record, copy, kind);
  if (record.vendor == Vendor::sciex || (kind == CopyKind::backup && record.vendor != Vendor::bruker)) {
    // siblings of the stem, or a Thermo file's .N.bkp copies beside it: list the folder
    TRY_ASSIGN(names, fs.list_dir(copy.root));
    for (const std::string& name : names) {
      if (belongs_to_set(record.vendor, record.id, name) || (kind == CopyKind::backup && is_aside_copy(record, name))) {
        TRY(walk.visit(name));
      }
    }
  } else {  // one entry: looked at without listing a folder of thousands of acquisitions
    TRY(walk.visit(record.id));
  }
  walk.collect_gone();
  std::stable_sort(copy.folders.begin(), copy.folders.end(),
                   [](const std::string& a, const std::string& b) { return depth(a) > depth(b); });
  return copy;
}

}  // namespace

Result<SetCopy> inspect_instrument_copy(const FileSystem& fs, const InstrumentConfig& instrument,
                                        const RawFile& record) {
  return inspect(fs, instrument.path, "instrument " + instrument.id + ": folder ", record, CopyKind::instrument);
}

Result<SetCopy> inspect_backup_copy(const FileSystem& fs, const fs::path& base, const RawFile& record) {
  return inspect(fs, base, "local backup folder ", record, CopyKind::backup);
}

Status reread_set_copy(const FileSystem& fs, const RawFile& record, SetCopy& copy,
                              const std::function<void(size_t)>& on_bytes) {
  std::vector<std::string> still_present;
  for (const std::string& key : copy.present) {
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted while re-reading the instrument copy");
    const FileEntry& entry = record.file_info.at(key);
    TRY_ASSIGN(check, check_destination(fs, copy.root / key, entry, on_bytes));
    if (check.state == DestinationState::identical) {
      still_present.push_back(key);
    } else if (check.state == DestinationState::differs) {
      copy.differing.push_back(key + ": MD5 " + check.md5 + ", record " + entry.md5);
      copy.present_bytes -= entry.size;
    } else {
      copy.differing.push_back(key + ": " + (check.state == DestinationState::missing ? "vanished" : "replaced") +
                               " while it was re-read");
      copy.present_bytes -= entry.size;
    }
  }
  copy.present = std::move(still_present);
  return {};
}

Status delete_set_copy(const FileSystem& fs, const RawFile& record, const SetCopy& copy, Deletion& done,
                       const std::function<Status()>& fence) {
  for (const std::string& key : copy.present) {
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted while deleting; a re-run finishes");
    TRY(fence());
    uint64_t size = record.file_info.at(key).size;
    TRY_ASSIGN(removed, fs.remove_file_beneath(copy.root, key, FileStat{EntryType::file, size, copy.present_mtimes.at(key), 0}));
    if (removed) {
      ++done.files;
      done.bytes += size;
    }
  }
  for (const std::string& folder : copy.folders) {
    TRY_ASSIGN(removed, fs.remove_folder_if_empty(copy.root, folder));
    done.folders += removed ? 1 : 0;
  }
  return fs.sync_folder(copy.root);
}

Status delete_aside_copies(const FileSystem& fs, const fs::path& root, const std::vector<AsideCopy>& copies,
                           Deletion& done, const std::function<Status()>& fence) {
  for (const AsideCopy& copy : copies) {
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted while deleting; a re-run finishes");
    TRY(fence());
    TRY_ASSIGN(removed, fs.remove_file_beneath(root, copy.key, FileStat{EntryType::file, copy.size, copy.mtime_ns, 0}));
    if (removed) {
      ++done.files;
      done.bytes += copy.size;
    }
  }
  return copies.empty() ? Status{} : fs.sync_folder(root);
}

}  // namespace rawbackup
