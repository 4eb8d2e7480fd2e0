// Task tests of upload-s3: the task fixture with an in-memory S3 and checksummed raw files.
#pragma once
#include "fakes/memory_object_store.h"
#include "task_fixture.h"
#include "tasks/checksum.h"
#include "tasks/upload_s3.h"

namespace rawbackup {

class UploadS3 : public TaskFixture {
 protected:
  static constexpr int64_t t0 = 1'763'000'000'000'000'000;
  const std::string big = std::string(11 << 20, 'b') + "tail";  // 3 parts of 5 MiB

  UploadS3() { config_.backup_type = BackupType::s3; }

  Context s3_context() {
    Context ctx = context();
    ctx.objects = [this]() -> ObjectStore& { return s3_; };
    return ctx;
  }
  void checksum(const std::string& name, const std::string& instrument = "astral1") {
    ChecksumOptions options;
    options.instrument = instrument;
    options.name = name;
    ASSERT_TRUE(run_checksum(context(), options));
  }
  Result<TaskOutput> upload(const std::string& id, bool dry_run = false) {
    return run_upload_s3(s3_context(), UploadS3Options{id, dry_run, 0, 0});
  }
  void add_checksummed(const std::string& name, const std::string& data) {
    fs_.add_file("/data/astral1/" + name, data, t0);
    checksum(name);
  }

  testing::MemoryObjectStore s3_;
};

}  // namespace rawbackup
