// The RecordStore contract across processes for every backend: leases (busy, taken over from
// a dead process at once, from another host only after its lease expired), and concurrent
// writers whose every change keeps its event (the chain of from → to never breaks).
#include <gmock/gmock.h>

#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "store_backends.h"

namespace rawbackup::testing {
namespace {

LockOptions quick() {
  LockOptions o;
  o.wait = std::chrono::milliseconds(300);
  o.poll = std::chrono::milliseconds(20);
  return o;
}

// Runs `body` in a child process; its exit code (0 for true).
int in_child(const std::function<bool()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body() ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

TEST_P(StoreConformance, SecondHolderIsBusyUntilTheFirstReleases) {
  auto store = open({"copy-local", "h", getpid()});
  auto first = store->lock("a.raw", quick());
  ASSERT_TRUE(first) << first.error().message;
  auto other = open({"checksum", "h2", 5});
  auto second = other->lock("a.raw", quick());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::failed);
  EXPECT_THAT(second.error().message, ::testing::HasSubstr("busy: a.raw is held by copy-local on h pid"))
      << second.error().message;
  EXPECT_TRUE(other->lock("b.raw", quick())) << "other ids are free";
  first->reset();
  EXPECT_TRUE(other->lock("a.raw", quick()));
}

TEST_P(StoreConformance, LockOfADeadProcessOnThisHostIsTakenOverAtOnce) {
  ASSERT_TRUE(open());
  std::string url = site->url();
  int code = in_child([&] {
    auto store = open_store(url, Actor{"checksum", "h", getpid()}, {});
    auto lock = store ? (*store)->lock("a.raw", quick()) : std::unexpected(store.error());
    if (lock) (void)lock->release();  // dies holding it: the lease is never given back
    return lock.has_value();
  });
  ASSERT_EQ(code, 0);
  auto lock = open({"checksum", "h", getpid()})->lock("a.raw", quick());
  EXPECT_TRUE(lock) << lock.error().message;
}

TEST_P(StoreConformance, LockOfAnotherHostIsTakenOverOnlyWhenItsLeaseExpired) {
  LockOptions silent = quick();
  silent.heartbeat = std::chrono::hours(1);  // that host stops beating (it died)
  auto held = open({"upload-s3", "other-host", 1})->lock("a.raw", silent);
  ASSERT_TRUE(held);
  auto here = open({"upload-s3", "h", getpid()});
  EXPECT_FALSE(here->lock("a.raw", quick())) << "pid 1 elsewhere says nothing here: wait for the lease";
  LockOptions impatient = quick();
  impatient.stale_after = std::chrono::milliseconds(50);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  auto taken = here->lock("a.raw", impatient);
  EXPECT_TRUE(taken) << taken.error().message;
}

// A holder paused past its lease (no heartbeat reaches the store) whose record another host
// took over: each record write it still makes is refused in the write's own transaction,
// naming the run that took over; its check() says the same; ending it leaves the new holder's
// lease alone. Writes without a lease are not fenced.
TEST_P(StoreConformance, WritesOfALeaseTakenOverAreRefused) {
  auto paused = open({"upload-s3", "host-a", 11});
  ASSERT_TRUE(paused->insert(sample_record("a.raw"), ""));
  LockOptions silent = quick();
  silent.heartbeat = std::chrono::hours(1);
  silent.confirm_after = std::chrono::milliseconds(0);  // check() always asks the store
  auto first = paused->lock("a.raw", silent);
  ASSERT_TRUE(first) << first.error().message;
  RecordChange mine;
  mine.backup_status = BackupStatus::in_progress;
  ASSERT_TRUE(paused->update("a.raw", mine)) << "while it holds the lease";
  ASSERT_TRUE((*first)->check());

  auto other = open({"upload-s3", "host-b", 12});
  LockOptions impatient = quick();
  impatient.stale_after = std::chrono::milliseconds(50);
  impatient.wait = std::chrono::seconds(30);  // until host-a's last beat is 50 ms old
  auto second = other->lock("a.raw", impatient);
  ASSERT_TRUE(second) << second.error().message;
  RecordChange done;
  done.backup_status = BackupStatus::done;
  ASSERT_TRUE(other->update("a.raw", done));

  RecordChange stale;
  stale.backup_status = BackupStatus::failed;
  stale.error = std::optional<std::string>("NoSuchUpload");
  auto refused = paused->update("a.raw", stale);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::failed);
  EXPECT_THAT(refused.error().message,
              ::testing::HasSubstr("the lock on a.raw was taken over by upload-s3 on host-b pid 12"));
  auto check = (*first)->check();
  ASSERT_FALSE(check);
  EXPECT_THAT(check.error().message, ::testing::HasSubstr("taken over by upload-s3 on host-b pid 12"));
  EXPECT_EQ((*other->get("a.raw"))->backup_status, BackupStatus::done);
  EXPECT_FALSE((*other->get("a.raw"))->error);

  first->reset();  // the paused run ends
  EXPECT_FALSE(open({"checksum", "host-c", 13})->lock("a.raw", quick())) << "host-b's lease is still there";
  EXPECT_TRUE(paused->update("a.raw", mine)) << "no lease held: not fenced";
}

// The lease would be stale (1 s without a beat) when it is asked for; beating every 20 ms it is
// not. A busy machine only delays a beat by milliseconds, far from the 1 s: the test waits for
// the time to pass, it does not count on being fast.
TEST_P(StoreConformance, HeartbeatKeepsALeaseAlive) {
  LockOptions beating = quick();
  beating.heartbeat = std::chrono::milliseconds(20);
  auto held = open({"upload-s3", "other-host", 1})->lock("a.raw", beating);
  ASSERT_TRUE(held);
  auto stale_without_beats = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  LockOptions impatient = quick();
  impatient.stale_after = std::chrono::seconds(1);
  auto here = open({"upload-s3", "h", getpid()});
  std::this_thread::sleep_until(stale_without_beats);
  EXPECT_FALSE(here->lock("a.raw", impatient)) << "beats every 20 ms: never 1 s old";
}

// Two processes write the same record at once: every change lands with its event, the
// events of each field form one unbroken chain, the store stays sound.
TEST_P(StoreConformance, ConcurrentWritersFromTwoProcesses) {
  ASSERT_TRUE(open()->insert(sample_record("a.raw"), ""));
  std::string url = site->url();
  constexpr int writes = 60;
  std::vector<pid_t> children;
  for (int child = 0; child < 2; ++child) {
    pid_t pid = fork();
    if (pid == 0) {
      auto store = open_store(url, Actor{"writer", "h", getpid()}, {});
      bool ok = store.has_value();
      for (int i = 0; ok && i < writes; ++i) {
        RecordChange change;
        change.status = (i + child) % 2 ? RawFileStatus::copying : RawFileStatus::checksummed;
        change.message = std::to_string(i);
        ok = (*store)->update("a.raw", change).has_value() &&
             (*store)->insert(sample_record("c" + std::to_string(child) + "_" + std::to_string(i)), "").has_value();
      }
      _exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto store = open();
  EXPECT_EQ(*store->count({}), 1u + 2 * writes);
  auto events = store->history("a.raw");
  ASSERT_TRUE(events);
  std::optional<std::string> last;
  for (const Event& e : *events) {
    if (e.field != "status") continue;
    EXPECT_EQ(e.from, last) << "event " << e.seq << " does not follow the one before";
    last = e.to;
  }
  EXPECT_EQ(last, std::string(to_string((*store->get("a.raw"))->status)));
}

}  // namespace
}  // namespace rawbackup::testing
