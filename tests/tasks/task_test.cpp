// What every task shares (tasks/task.h): recording where the outcome does not hang on it.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <gmock/gmock.h>

#include "model/layout.h"
#include "task_fixture.h"

namespace rawbackup {
namespace {

class TaskHelpers : public TaskFixture {};

// A store that refuses the change (here: opened read-only) is a warning, not a failure; a
// store that takes it records it.
TEST_F(TaskHelpers, BestEffortRecordingNeverFailsTheTask) {
  RawFile r;
  r.id = "a.raw";
  r.instrument_id = "astral1";
  r.created_at = "2026-11-22T04:00:00.000Z";
  ASSERT_TRUE(store_.insert(r, "test"));
  RecordChange change;
  change.error = std::optional<std::string>("it failed");
  change.message = "failure noted";

  auto read_only = open_store(config_.store_url, Actor{"test", "h", 1}, StoreOptions{.read_only = true});
  ASSERT_TRUE(read_only);
  Context ctx = context();
  ctx.store = read_only->get();
  record_best_effort(ctx, "a.raw", change, "the failure");  // logs, returns
  EXPECT_FALSE(record("a.raw").error);

  record_best_effort(context(), "a.raw", change, "the failure");
  EXPECT_EQ(record("a.raw").error, "it failed");
}

// A record whose file keys were edited in the store is refused before any task turns a key
// into a path: absolute, "..", empty or "." segments, a NUL, another set's name.
TEST_F(TaskHelpers, RecordsWithKeysOutsideTheirSetAreRefused) {
  int n = 0;
  for (std::string key : {"../../x", "/tmp/x", "{}//f", "{}/./f", "{}/../../f", "other.d/f", "{}/f\\x"}) {
    std::string id = "b" + std::to_string(++n) + ".d";
    if (size_t at = key.find("{}"); at != std::string::npos) key.replace(at, 2, id);
    RawFile r;
    r.id = id;
    r.vendor = Vendor::bruker;
    r.instrument_id = "timstof1";
    r.created_at = "2026-11-22T04:00:00.000Z";
    FileEntry entry;
    entry.size = 1;
    entry.md5 = std::string(32, '0');
    r.file_info[id + "/analysis.tdf"] = entry;
    r.file_info[key] = entry;
    ASSERT_TRUE(store_.insert(r, "test")) << key;
    auto got = checksummed_record(context(), id);
    ASSERT_FALSE(got) << key;
    EXPECT_EQ(got.error().kind, ErrorKind::usage);
    EXPECT_THAT(got.error().message, ::testing::HasSubstr("the record of " + id + " is refused: its file key '"));
  }
  EXPECT_EQ(set_key_problem(Vendor::bruker, "b.d", std::string("b.d/f\0x", 7)), "holds a NUL or a backslash");
  EXPECT_EQ(set_key_problem(Vendor::bruker, "b.d", "b.d/sub/f.bin"), "");
  EXPECT_EQ(set_key_problem(Vendor::sciex, "s.wiff", "s.wiff.scan"), "");
  EXPECT_EQ(set_key_problem(Vendor::sciex, "s.wiff", "t.wiff"), "is not a file of s.wiff");
}

// --concurrency N is what the task sees as backup.s3.concurrency; without it, the config's.
TEST_F(TaskHelpers, ConcurrencyOptionOverridesTheConfigsForTheRun) {
  ASSERT_TRUE(config_.s3);
  unsigned seen = 0;
  TaskRunner seeing = [&](const Context& ctx) -> Result<TaskOutput> {
    seen = ctx.config->s3->concurrency;
    return TaskOutput{};
  };
  for (const auto& [args, expected] : {std::pair{std::vector<std::string>{"--concurrency", "12"}, 12U},
                                       std::pair{std::vector<std::string>{}, config_.s3->concurrency}}) {
    CLI::App app;
    TaskRunner runner = with_concurrency_option(app, seeing);
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
    ASSERT_TRUE(runner(context()));
    EXPECT_EQ(seen, expected);
  }
  EXPECT_EQ(config_.s3->concurrency, 4U) << "the config itself is left alone";
  CLI::App app;
  with_concurrency_option(app, seeing);
  EXPECT_THROW(app.parse(std::vector<std::string>{"65", "--concurrency"}), CLI::ValidationError);
}

}  // namespace
}  // namespace rawbackup
