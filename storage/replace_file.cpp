#include "storage/replace_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "storage/local_filesystem_impl.h"
#include "storage/unique_fd.h"

namespace rawbackup {

Status replace_file_atomically(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  // A dot name, which the textfile collector skips (it reads *.prom only).
  std::filesystem::path temp = folder / ("." + path.filename().string() + "." + std::to_string(getpid()) + ".tmp");
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return errno_failure("cannot create", temp);
  auto fail_and_remove = [&](const char* what) {
    auto error = errno_failure(what, temp);
    std::remove(temp.c_str());
    return error;
  };
  for (size_t done = 0; done < content.size();) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) return fail_and_remove("cannot write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail_and_remove("cannot sync");
  fd.reset();
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto error = errno_failure("cannot rename to", path);
    std::remove(temp.c_str());
    return error;
  }
  UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir || ::fsync(dir.get()) != 0) return errno_failure("cannot sync folder", folder);
  return {};
}

}  // namespace rawbackup
