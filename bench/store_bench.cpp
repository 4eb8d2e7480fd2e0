// The record store at scale, for bench/status_at_scale.sh:
//   store_bench fill URL RECORDS BRUKER_RECORDS BRUKER_FILES
//   store_bench time URL ID RUNS
// fill: // RECORDS Thermo records of one file each with 4 events (created, checksummed, copying,
// done), spread over 10 instruments and about three years; BRUKER_RECORDS .d records of
// BRUKER_FILES files each. Written through RecordStore::import in batches, the path
// `store copy` takes, so both backends get the same rows.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/store/open_store.h"

namespace rawbackup {
namespace {

std::string iso_time(int64_t minutes_since_2024) {
  int64_t day = minutes_since_2024 / 1440, minute = minutes_since_2024 % 1440;
  int year = 2024 + static_cast<int>(day / 360), month = 1 + static_cast<int>(day % 360 / 30),
      mday = 1 + static_cast<int>(day % 30);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:00Z", year, month, mday, static_cast<int>(minute / 60),
                static_cast<int>(minute % 60));
  return buf;
}

Event event(const std::string& id, const std::string& at, const char* field, const char* from, const char* to) {
  Event e;
  e.raw_file_id = id;
  e.at = at;
  e.task = "bench";
  e.host = "bench-host";
  e.pid = 1;
  e.field = field;
  if (from != nullptr) e.from = from;
  e.to = to;
  return e;
}

FileEntry entry(uint64_t size, uint64_t seed) {
  FileEntry f;
  f.size = size;
  f.md5 = std::string(32, "0123456789abcdef"[seed % 16]);
  f.etag = "\"" + f.md5 + "\"";
  f.part_size = 64ull << 20;
  f.mtime_ns = static_cast<int64_t>(seed);
  return f;
}

StoredRecord make_record(size_t n, size_t files) {
  StoredRecord s;
  RawFile& r = s.record;
  bool bruker = files > 0;
  r.id = (bruker ? "bruker_run_" : "thermo_run_") + std::to_string(n) + (bruker ? ".d" : ".raw");
  r.instrument_id = "instrument" + std::to_string(n % 10);
  r.project_id = "P" + std::to_string(n % 200);
  r.vendor = bruker ? Vendor::bruker : Vendor::thermo;
  r.created_at = iso_time(static_cast<int64_t>(n) * 15);
  r.updated_at = r.created_at;
  r.status = RawFileStatus::copying_done;
  r.backup_status = n % 97 == 0 ? BackupStatus::failed : BackupStatus::done;
  if (r.backup_status == BackupStatus::failed) r.error = "upload failed: connection reset";
  r.backup_base_path = "/backup/" + r.instrument_id + "/2025_01";
  if (bruker) {
    for (size_t i = 0; i < files; ++i) r.file_info["analysis.d/f" + std::to_string(i)] = entry(4096 + i, i);
  } else {
    r.file_info[r.id] = entry(2ull << 30, n);
  }
  for (const auto& [path, f] : r.file_info) r.size += f.size;
  s.events = {event(r.id, r.created_at, "status", nullptr, "checksumming"),
              event(r.id, r.created_at, "status", "checksumming", "checksummed"),
              event(r.id, r.created_at, "status", "checksummed", "copying_done"),
              event(r.id, r.created_at, "backup_status", "pending", to_string(r.backup_status))};
  return s;
}

int fill(const std::string& url, size_t records, size_t bruker_records, size_t bruker_files) {
  auto store = open_store(url, Actor{"bench", "bench-host", 1}, StoreOptions{});
  if (!store) {
    std::fprintf(stderr, "store_bench: %s\n", store.error().message.c_str());
    return 1;
  }
  std::vector<StoredRecord> batch;
  auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    Status s = (*store)->import(batch);
    batch.clear();
    if (!s) std::fprintf(stderr, "store_bench: %s\n", s.error().message.c_str());
    return static_cast<bool>(s);
  };
  for (size_t n = 0; n < records + bruker_records; ++n) {
    bool bruker = n >= records;
    batch.push_back(make_record(n, bruker ? bruker_files : 0));
    if ((batch.size() >= 2000 || bruker) && !flush()) return 1;
  }
  return flush() ? 0 : 1;
}

// Median milliseconds of `op` over `runs` runs.
template <typename Op>
double median_ms(int runs, Op op) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (!op()) return -1;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Store time of what status and a batch selection ask (no process start, no printing):
// one record by id, the newest 50 rows, the summary, and the ids of every done record.
int time_queries(const std::string& url, const std::string& id, int runs) {
  auto store = open_store(url, Actor{"bench", "bench-host", 1}, StoreOptions{.read_only = true});
  if (!store) {
    std::fprintf(stderr, "store_bench: %s\n", store.error().message.c_str());
    return 1;
  }
  RecordStore& s = **store;
  size_t ids = 0;
  double get = median_ms(runs, [&] {
    auto r = s.get(id);
    return r && r->has_value();
  });
  double table = median_ms(runs, [&] {
    RecordQuery q;
    q.limit = 50;
    return static_cast<bool>(s.list_rows(q, [](const RecordRow&) -> Status { return {}; }));
  });
  double summary = median_ms(runs, [&] { return static_cast<bool>(s.summarize({}, 5)); });
  double selection = median_ms(runs, [&] {
    RecordFilter f;
    f.status = "done";
    auto r = s.list_ids(f);
    if (r) ids = r->size();
    return static_cast<bool>(r);
  });
  // What every task pays before and around its work: opening the store (connection, schema
  // check) and taking and releasing a record's lock.
  double open = median_ms(runs, [&] {
    return static_cast<bool>(open_store(url, Actor{"bench", "bench-host", 1}, StoreOptions{}));
  });
  auto writable = open_store(url, Actor{"bench", "bench-host", 1}, StoreOptions{});
  double lock =
      writable ? median_ms(runs, [&] { return static_cast<bool>((*writable)->lock(id, LockOptions{})); }) : -1;
  std::printf("get_ms=%.2f table_ms=%.2f summary_ms=%.2f selection_ms=%.2f selected=%zu open_ms=%.2f lock_ms=%.2f\n",
              get, table, summary, selection, ids, open, lock);
  return get < 0 || table < 0 || summary < 0 || selection < 0 || open < 0 || lock < 0 ? 1 : 0;
}

}  // namespace
}  // namespace rawbackup

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "fill" && argc == 6) {
    return rawbackup::fill(argv[2], std::strtoull(argv[3], nullptr, 10), std::strtoull(argv[4], nullptr, 10),
                           std::strtoull(argv[5], nullptr, 10));
  }
  if (mode == "time" && argc == 5) return rawbackup::time_queries(argv[2], argv[3], std::atoi(argv[4]));
  std::fprintf(stderr, "usage: store_bench fill URL RECORDS BRUKER_RECORDS BRUKER_FILES | time URL ID RUNS\n");
  return 2;
}
