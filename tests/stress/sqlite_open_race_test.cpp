// Stress tests: many processes at once. Not in the unit suite (which must run in seconds):
// built as rawbackup_stress_tests and run by CTest as integration.stress (label stress).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "model/store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace rawbackup {
namespace {

// Found through the Snakemake example: two processes opening a store that did not exist yet
// could get "busy" at once from the switch to WAL, which SQLite does not retry by itself.
TEST(SqliteStore, ProcessesCreatingTheStoreAtOnceAllOpenIt) {
  TempDir dir;
  for (int round = 0; round < 100; ++round) {
    auto path = dir.path() / ("new" + std::to_string(round) + ".sqlite");
    std::vector<pid_t> children;
    for (int child = 0; child < 6; ++child) {
      pid_t pid = fork();
      if (pid == 0) {
        auto store = open_sqlite_store(path, Actor{"opener", "h", getpid()}, {});
        if (!store) std::fprintf(stderr, "%s\n", store.error().message.c_str());
        _exit(store ? 0 : 1);
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace rawbackup
