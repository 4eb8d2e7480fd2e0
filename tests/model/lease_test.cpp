// The lease rules, offline: who may take over whom, and the waiting, on an in-memory table.
#include "model/lease.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

namespace rawbackup {
namespace {

TEST(Lease, SameHostDeadPidAtOnceOtherHostOnlyAfterTheLease) {
  Actor me{"upload-s3", "worker-b", 100};
  auto alive = [](int64_t pid) { return pid == 42; };
  using std::chrono::milliseconds;
  EXPECT_FALSE(lease_expired({"t", "worker-b", "", 42, 0, 1000}, me, milliseconds(1000), alive)) << "alive here";
  EXPECT_TRUE(lease_expired({"t", "worker-b", "", 42, 0, 1001}, me, milliseconds(1000), alive))
      << "alive here but paused past its lease (or its pid reused): its writes are fenced, so it is taken over";
  EXPECT_TRUE(lease_expired({"t", "worker-b", "", 43, 0, 0}, me, milliseconds(1000), alive)) << "dead here";
  EXPECT_FALSE(lease_expired({"t", "acq-pc", "", 43, 0, 1000}, me, milliseconds(1000), alive)) << "beat 1 s ago";
  EXPECT_TRUE(lease_expired({"t", "acq-pc", "", 42, 0, 1001}, me, milliseconds(1000), alive)) << "expired";
}

// Containers sharing a host id run in pid namespaces of their own (often all as pid 1): a pid
// from another namespace says nothing here, so only the heartbeat's age decides.
TEST(Lease, APidFromAnotherPidNamespaceIsNeverTakenAsDead) {
  Actor me{"upload-s3", "shared-id", 1};
  auto nothing_alive = [](int64_t) { return false; };
  using std::chrono::milliseconds;
  LeaseHolder elsewhere{"copy-local", "shared-id", "", 7, 0, 10, "otherboot0000000-4026532000-0123456789abcdef"};
  EXPECT_FALSE(lease_expired(elsewhere, me, milliseconds(1000), nothing_alive)) << "pid 7 is not ours to look at";
  elsewhere.age_ms = 1001;
  EXPECT_TRUE(lease_expired(elsewhere, me, milliseconds(1000), nothing_alive)) << "no heartbeat for the lease";
  LeaseHolder here{"copy-local", "shared-id", "", 7, 0, 10, process_token()};
  EXPECT_TRUE(lease_expired(here, me, milliseconds(1000), nothing_alive)) << "this namespace: pid 7 is gone";
  EXPECT_TRUE(shares_pid_space(process_token()));
  EXPECT_FALSE(shares_pid_space(elsewhere.token));
}

// A lease table in memory whose ages the test sets.
class MemoryLeases final : public LeaseTable {
 public:
  explicit MemoryLeases(std::map<std::string, LeaseHolder>& rows) : rows_(rows) {}
  Result<bool> insert_if_free(const std::string& id, const Actor& me) override {
    if (rows_.contains(id)) return false;
    rows_[id] = LeaseHolder{me.task, me.host, "t0", me.pid, 0, 0, me.token};
    return true;
  }
  Result<std::optional<LeaseHolder>> holder(const std::string& id) override {
    auto it = rows_.find(id);
    return it == rows_.end() ? std::nullopt : std::optional(it->second);
  }
  Result<bool> replace(const std::string& id, const LeaseHolder& stale, const Actor& me) override {
    auto it = rows_.find(id);
    if (it == rows_.end() || it->second.pid != stale.pid || it->second.host != stale.host) return false;
    it->second = LeaseHolder{me.task, me.host, "t1", me.pid, 0, 0, me.token};
    return true;
  }
  Result<bool> heartbeat(const std::string& id, const Actor& me) override {
    auto it = rows_.find(id);
    return it != rows_.end() && it->second.pid == me.pid;
  }
  Result<std::string> last_change(const std::string&) override { return std::string(); }
  Status release(const std::string& id, const Actor& me) override {
    if (auto it = rows_.find(id); it != rows_.end() && it->second.pid == me.pid) rows_.erase(it);
    return {};
  }

 private:
  std::map<std::string, LeaseHolder>& rows_;
};

TEST(Lease, WaitsThenSaysWhoHoldsItAndTakesOverAnExpiredOne) {
  std::map<std::string, LeaseHolder> rows;
  rows["a.raw"] = LeaseHolder{"copy-local", "acq-pc", "2026-11-22T03:00:00.000Z", 7, 0, 10};
  LockOptions options;
  options.wait = std::chrono::milliseconds(60);
  options.poll = std::chrono::milliseconds(10);
  Actor me{"upload-s3", "worker-b", 100};
  auto busy = acquire_lease(std::make_unique<MemoryLeases>(rows), "a.raw", me, options);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().message,
            "busy: a.raw is held by copy-local on acq-pc pid 7 since 2026-11-22T03:00:00.000Z; retry later");
  rows["a.raw"].age_ms = 400'000;  // no heartbeat for longer than the default 300 s
  {
    auto taken = acquire_lease(std::make_unique<MemoryLeases>(rows), "a.raw", me, options);
    ASSERT_TRUE(taken);
    EXPECT_EQ(rows["a.raw"].host, "worker-b");
  }
  EXPECT_FALSE(rows.contains("a.raw")) << "released when the lock is destroyed";
}

TEST(Lease, ARowThatIsAlreadyMineCountsAsTaken) {
  std::map<std::string, LeaseHolder> rows;
  Actor me{"upload-s3", "worker-b", 100};
  // An insert whose reply was lost: the row is this very process's (token and all), whether or
  // not a process with pid 100 runs on this machine.
  rows["a.raw"] = LeaseHolder{me.task, me.host, "t0", me.pid, 0, 0, me.token};
  EXPECT_TRUE(acquire_lease(std::make_unique<MemoryLeases>(rows), "a.raw", me, LockOptions{}));
}

}  // namespace
}  // namespace rawbackup
