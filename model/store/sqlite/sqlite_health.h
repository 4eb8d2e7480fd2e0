// What `doctor` asks of a SQLite store without writing to it (RecordStore::health).
#pragma once
#include <filesystem>
#include <string>

namespace rawbackup::sqlite {

// Why this process could not write a store at `path` ("" when it could): the file, or the
// nearest existing folder above it, is not writable (SQLite writes its journal and WAL beside
// the file, and the first write creates missing folders), or a path component is not a folder.
std::string write_problem(const std::filesystem::path& path);

}  // namespace rawbackup::sqlite
