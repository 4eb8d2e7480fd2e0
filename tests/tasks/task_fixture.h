// A config, a temporary store and an in-memory instrument folder for task tests.
#pragma once
#include <gtest/gtest.h>

#include "common/text.h"
#include "config/config.h"
#include "fakes/memory_filesystem.h"
#include "model/store/open_store.h"
#include "tasks/task.h"
#include "temp_dir.h"

namespace rawbackup {

class TaskFixture : public ::testing::Test {
 protected:
  TaskFixture()
      : config_(parse_config(R"(
store: {path: s.sqlite}
instruments:
  astral1: {type: thermo, path: /data/astral1}
  timstof1: {type: bruker, path: /data/timstof1, required_members: []}  # small sets of any layout
locations: {backup: /backup}
project_pattern: "_(PRID\\d+)_"
backup:
  backup_type: local
  s3: {region: r, bucket_prefix: b, part_size_mb: 5}
)",
                             dir_.path() / "c.yaml")),
        owned_store_(open_test_store()),
        store_(*owned_store_) {}

  std::unique_ptr<RecordStore> open_test_store() {
    auto store = open_store(config_.store_url, Actor{"test", "h", 1}, StoreOptions{});
    EXPECT_TRUE(store) << store.error().message;
    return std::move(*store);
  }

  Context context() {
    Context ctx;
    ctx.config = &config_;
    ctx.store = &store_;
    ctx.fs = &fs_;
    return ctx;
  }

  RawFile record(const std::string& id) { return **store_.get(id); }
  // Now as a file mtime: a file an instrument is still writing.
  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  }

  TempDir dir_;
  Config config_;
  std::unique_ptr<RecordStore> owned_store_;
  RecordStore& store_;
  testing::MemoryFileSystem fs_;
};

}  // namespace rawbackup
