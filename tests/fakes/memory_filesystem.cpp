#include "fakes/memory_filesystem.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>

namespace rawbackup::testing {
namespace {

namespace fs = std::filesystem;

class StringInput final : public InputFile {
 public:
  StringInput(std::string data, std::atomic<uint64_t>& bytes_read) : data_(std::move(data)), bytes_read_(bytes_read) {}
  void seek(uint64_t offset) override { offset_ = static_cast<size_t>(offset); }
  Result<size_t> read(std::span<std::byte> buf) override {
    size_t n = std::min(buf.size(), data_.size() - std::min(offset_, data_.size()));
    std::memcpy(buf.data(), data_.data() + offset_, n);
    offset_ += n;
    bytes_read_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t offset_ = 0;
  std::atomic<uint64_t>& bytes_read_;
};

}  // namespace

class MemoryOutputFile final : public OutputFile {
 public:
  MemoryOutputFile(const MemoryFileSystem& fs, std::string temp, std::string final_path)
      : fs_(fs), temp_(std::move(temp)), final_(std::move(final_path)) {}
  ~MemoryOutputFile() override {
    std::lock_guard lock(fs_.mutex_);
    if (!committed_) fs_.nodes_.erase(temp_);
  }
  Status write_at(uint64_t offset, std::span<const std::byte> data) override {
    std::lock_guard lock(fs_.mutex_);
    if (fs_.space_left_ && *fs_.space_left_ < data.size()) {
      return fail("cannot write " + final_ + ": no space left (disk full or file size limit)");
    }
    if (fs_.space_left_) *fs_.space_left_ -= data.size();
    std::string& content = fs_.nodes_.at(temp_).content;
    if (content.size() < offset + data.size()) content.resize(offset + data.size());
    std::memcpy(content.data() + offset, data.data(), data.size());
    return {};
  }
  Status commit() override {
    std::lock_guard lock(fs_.mutex_);
    if (Status s = fs_.rename_locked(temp_, final_); !s) return s;
    committed_ = true;
    return {};
  }
  Status set_mtime(int64_t mtime_ns) override {
    std::lock_guard lock(fs_.mutex_);
    if (fs_.refuse_mtimes_) return fail("cannot set the modification time of " + final_ + ": Operation not permitted");
    fs_.nodes_.at(temp_).mtime_ns = mtime_ns;
    return {};
  }

 private:
  const MemoryFileSystem& fs_;
  std::string temp_, final_;
  bool committed_ = false;
};

Status MemoryFileSystem::check_writable(const fs::path& p) const {
  std::lock_guard lock(mutex_);
  const Node* dir = find(p.string());
  if (dir == nullptr || dir->type != EntryType::directory)
    return fail(ErrorKind::usage, "cannot write in " + p.string() + ": Not a directory");
  if (read_only_.contains(p.string()))
    return fail(ErrorKind::usage, "cannot write in " + p.string() + ": Read-only file system");
  return {};
}

Result<std::optional<MountInfo>> MemoryFileSystem::mount_of(const fs::path& p) const {
  for (fs::path at = p;; at = at.parent_path()) {
    if (auto it = mounts_.find(at.string()); it != mounts_.end()) return std::optional<MountInfo>{it->second};
    if (at == at.parent_path() || at.empty()) return std::optional<MountInfo>{};
  }
}

Result<FolderSpace> MemoryFileSystem::space(const fs::path&) const {
  constexpr uint64_t tib = uint64_t{1} << 40;
  return FolderSpace{space_left_.value_or(tib), tib};
}

Status MemoryFileSystem::create_directories(const fs::path& p) const {
  const_cast<MemoryFileSystem*>(this)->add_dir(p.string());
  return {};
}

Result<std::unique_ptr<OutputFile>> MemoryFileSystem::create_file(const fs::path& final_path) const {
  std::lock_guard lock(mutex_);
  const Node* dir = find(final_path.parent_path().string());
  if (dir == nullptr || dir->type != EntryType::directory) {
    return fail("cannot create " + final_path.string() + ": No such directory");
  }
  std::string temp = (final_path.parent_path() / ("." + final_path.filename().string() + ".tmp")).string();
  nodes_[temp] = Node{EntryType::file, {}, clock_ns_++, {}, {}, {}};
  return std::unique_ptr<OutputFile>(std::make_unique<MemoryOutputFile>(*this, temp, final_path.string()));
}

Status MemoryFileSystem::rename_no_replace(const fs::path& from, const fs::path& to) const {
  std::lock_guard lock(mutex_);
  return rename_locked(from, to);
}

Status MemoryFileSystem::rename_locked(const fs::path& from, const fs::path& to) const {
  if (nodes_.contains(to.string())) return fail(ErrorKind::conflict, to.string() + " exists already");
  auto node = nodes_.extract(from.string());
  if (node.empty()) return fail("cannot rename " + from.string() + ": No such file");
  node.key() = to.string();
  node.mapped().changed_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  nodes_.insert(std::move(node));
  return {};
}

Result<const MemoryFileSystem::Node*> MemoryFileSystem::find_beneath(const fs::path& root,
                                                                     const fs::path& relative) const {
  fs::path walked = root;
  for (auto part = relative.begin(); part != relative.end(); ++part) {
    if (relative.is_absolute() || *part == ".." || *part == ".")
      return fail(ErrorKind::usage, "'" + relative.string() + "' is not a path beneath a folder");
    walked /= *part;
    const Node* node = find(walked.string());
    if (node == nullptr) return static_cast<const Node*>(nullptr);
    if (std::next(part) != relative.end() && node->type != EntryType::directory)
      return fail(ErrorKind::conflict,
                  walked.string() + " is a symlink or not a folder; nothing beneath it is removed");
    if (std::next(part) == relative.end()) return node;
  }
  return static_cast<const Node*>(nullptr);
}

Result<bool> MemoryFileSystem::remove_file_beneath(const fs::path& root, const fs::path& relative,
                                                   const FileStat& expected) const {
  fs::path path = root / relative;
  if (on_remove_) TRY(on_remove_(path.string()));
  std::lock_guard lock(mutex_);
  TRY_ASSIGN(node, find_beneath(root, relative));
  if (node == nullptr) return false;
  if (node->type != EntryType::file) return fail(ErrorKind::conflict, path.string() + " is not a regular file");
  if (node->stat_size.value_or(node->content.size()) != expected.size || node->mtime_ns != expected.mtime_ns)
    return fail(ErrorKind::conflict, path.string() + " changed since it was checked; not removed");
  nodes_.erase(path.string());
  return true;
}

Result<bool> MemoryFileSystem::remove_folder_if_empty(const fs::path& root, const fs::path& relative) const {
  fs::path path = root / relative;
  std::lock_guard lock(mutex_);
  TRY_ASSIGN(node, find_beneath(root, relative));
  if (node == nullptr) return false;
  if (node->type != EntryType::directory) return fail(ErrorKind::conflict, path.string() + " is not a folder");
  for (const auto& [other, unused] : nodes_) {
    if (fs::path(other).parent_path() == path) return false;
  }
  nodes_.erase(path.string());
  return true;
}

std::vector<std::string> MemoryFileSystem::files_containing(const std::string& part) const {
  std::vector<std::string> out;
  for (const auto& [path, node] : nodes_) {
    if (node.type == EntryType::file && path.find(part) != std::string::npos) out.push_back(path);
  }
  return out;
}

void MemoryFileSystem::add_dir(const std::string& path) {
  std::lock_guard lock(mutex_);
  fs::path p(path);
  for (fs::path partial; const auto& part : p) {
    partial /= part;
    if (!nodes_.contains(partial.string())) nodes_[partial.string()] = Node{EntryType::directory, {}, 0, {}, {}, {}};
  }
}

void MemoryFileSystem::add_file(const std::string& path, std::string content, int64_t mtime_ns) {
  std::lock_guard lock(mutex_);
  add_dir(fs::path(path).parent_path().string());
  nodes_[path] = Node{EntryType::file, std::move(content), mtime_ns, {}, {}, {}};
}

void MemoryFileSystem::add_symlink(const std::string& path, const std::string& target) {
  add_dir(fs::path(path).parent_path().string());
  nodes_[path] = Node{EntryType::symlink, {}, 0, target, {}, {}};
}

void MemoryFileSystem::change_content_behind_stat(const std::string& path, std::string content) {
  Node& node = nodes_.at(path);
  if (!node.stat_size) node.stat_size = node.content.size();
  node.content = std::move(content);
}

void MemoryFileSystem::remove(const std::string& path) {
  std::lock_guard lock(mutex_);
  nodes_.erase(path);
}

const MemoryFileSystem::Node* MemoryFileSystem::find(const std::string& path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::string MemoryFileSystem::resolve(const std::string& path) const {
  fs::path resolved;
  for (const auto& part : fs::path(path).lexically_normal()) {
    resolved /= part;
    for (int hops = 0; hops < 16; ++hops) {
      const Node* node = find(resolved.string());
      if (node == nullptr) return {};
      if (node->type != EntryType::symlink) break;
      fs::path target(node->target);
      resolved = (target.is_absolute() ? target : resolved.parent_path() / target).lexically_normal();
    }
  }
  return resolved.string();
}

Result<FileStat> MemoryFileSystem::stat(const fs::path& p, bool follow_symlinks) const {
  std::lock_guard lock(mutex_);
  std::string path = follow_symlinks ? resolve(p.string()) : p.lexically_normal().string();
  const Node* node = path.empty() ? nullptr : find(path);
  if (node == nullptr) return FileStat{};
  return FileStat{node->type, node->stat_size.value_or(node->content.size()), node->mtime_ns,
                  node->changed_ns.value_or(node->mtime_ns)};
}

Result<fs::path> MemoryFileSystem::canonical(const fs::path& p) const {
  std::lock_guard lock(mutex_);
  std::string path = resolve(p.string());
  if (path.empty()) return fail("cannot resolve " + p.string() + ": No such file or directory");
  return fs::path(path);
}

Result<std::vector<std::string>> MemoryFileSystem::list_dir(const fs::path& p) const {
  std::lock_guard lock(mutex_);
  const Node* dir = find(p.string());
  if (dir == nullptr || dir->type != EntryType::directory) {
    return fail("cannot list " + p.string() + ": Not a directory");
  }
  std::vector<std::string> names;
  for (const auto& [path, node] : nodes_) {
    fs::path child(path);
    if (child.parent_path() == p && child != p) names.push_back(child.filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::unique_ptr<InputFile>> MemoryFileSystem::open_read(const fs::path& p) const {
  std::unique_lock lock(mutex_);
  std::string path = resolve(p.string());
  const Node* node = path.empty() ? nullptr : find(path);
  if (node == nullptr || node->type != EntryType::file) {
    return fail("cannot open " + p.string() + ": No such file");
  }
  ++reads_;
  auto input = std::unique_ptr<InputFile>(std::make_unique<StringInput>(node->content, bytes_read_));
  lock.unlock();
  if (on_open_) on_open_(p.string());
  return input;
}

}  // namespace rawbackup::testing
