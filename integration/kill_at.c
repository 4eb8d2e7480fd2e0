/* LD_PRELOAD shim for crash and pause tests: kills its own process with SIGKILL (as kill -9
 * would) at an exact point, so each phase of a task is hit every time, not by a timer's luck.
 * With KILL_SIGNAL=STOP it stops itself there instead (SIGSTOP, as a frozen VM): the test
 * waits for state T in /proc/PID/stat and later sends SIGCONT. With KILL_SIGNAL=HOLD only the
 * thread that got there waits (the rest, such as a lease's heartbeat, runs on): it creates
 * the file HOLD_MARK, then waits until the file HOLD_UNTIL exists.
 *   KILL_AT=open:TEXT    when a file whose path contains TEXT is opened (after the open);
 *                        with KILL_AT_COUNT=N at the Nth such open (default 1)
 *   KILL_AT=opendir:TEXT when a folder whose path contains TEXT is opened for listing (after
 *                        the opendir, before the first entry is read); KILL_AT_COUNT as for open
 *   KILL_AT=unlinkat:N   after the Nth file removed with unlinkat (folders not counted)
 *   KILL_AT=connect:N    when the Nth socket connection is made (before it is)
 *   KILL_AT=link:N       after the Nth hard link is made (a commit on a file system that
 *                        refuses rename flags: the final name is there, the temporary too)
 * Built by the test that uses it: cc -shared -fPIC -o kill_at.so kill_at.c -ldl */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void hold(void) {
  static int (*real_open)(const char*, int, ...) = NULL;
  if (real_open == NULL) real_open = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, "open");
  int fd = real_open(getenv("HOLD_MARK"), O_WRONLY | O_CREAT, 0644);
  if (fd >= 0) close(fd);
  while (access(getenv("HOLD_UNTIL"), F_OK) != 0) usleep(10000);
}

static void hit(void) {
  const char* how = getenv("KILL_SIGNAL");
  if (how != NULL && strcmp(how, "HOLD") == 0) {
    hold();
    return;
  }
  raise(how != NULL && strcmp(how, "STOP") == 0 ? SIGSTOP : SIGKILL);
}

static int counted(const char* what) {
  static int unlinks = 0, connects = 0, links = 0;
  const char* at = getenv("KILL_AT");
  size_t n = strlen(what);
  if (at == NULL || strncmp(at, what, n) != 0 || at[n] != ':') return 0;
  int* count = strcmp(what, "unlinkat") == 0 ? &unlinks : strcmp(what, "link") == 0 ? &links : &connects;
  return ++*count == atoi(at + n + 1);
}

// KILL_AT=<what>TEXT (what: "open:" or "opendir:") and PATH contains TEXT.
static void kill_on_path(const char* what, const char* path) {
  static int opens = 0;
  const char* at = getenv("KILL_AT");
  size_t n = strlen(what);
  if (at == NULL || strncmp(at, what, n) != 0 || path == NULL || strstr(path, at + n) == NULL) return;
  const char* count = getenv("KILL_AT_COUNT");
  if (++opens == (count ? atoi(count) : 1)) hit();
}

#define OPEN_SHIM(name, ...)                                            \
  {                                                                     \
    mode_t mode = 0;                                                    \
    if (flags & (O_CREAT | O_TMPFILE)) {                                \
      va_list args;                                                     \
      va_start(args, flags);                                            \
      mode = va_arg(args, mode_t);                                      \
      va_end(args);                                                     \
    }                                                                   \
    static int (*real)() = NULL;                                        \
    if (real == NULL) real = (int (*)())dlsym(RTLD_NEXT, name);         \
    int fd = real(__VA_ARGS__, flags, mode);                            \
    kill_on_path("open:", path);                                        \
    return fd;                                                          \
  }

int open(const char* path, int flags, ...) OPEN_SHIM("open", path)
int open64(const char* path, int flags, ...) OPEN_SHIM("open64", path)
int openat(int dir, const char* path, int flags, ...) OPEN_SHIM("openat", dir, path)
int openat64(int dir, const char* path, int flags, ...) OPEN_SHIM("openat64", dir, path)

DIR* opendir(const char* path) {
  static DIR* (*real)(const char*) = NULL;
  if (real == NULL) real = (DIR * (*)(const char*)) dlsym(RTLD_NEXT, "opendir");
  DIR* dir = real(path);
  kill_on_path("opendir:", path);
  return dir;
}

int unlinkat(int dir, const char* path, int flags) {
  static int (*real)(int, const char*, int) = NULL;
  if (real == NULL) real = (int (*)(int, const char*, int))dlsym(RTLD_NEXT, "unlinkat");
  int rc = real(dir, path, flags);
  if (rc == 0 && flags == 0 && counted("unlinkat")) hit();
  return rc;
}

int connect(int fd, const struct sockaddr* address, socklen_t length) {
  static int (*real)(int, const struct sockaddr*, socklen_t) = NULL;
  if (real == NULL) real = (int (*)(int, const struct sockaddr*, socklen_t))dlsym(RTLD_NEXT, "connect");
  if (counted("connect")) hit();
  return real(fd, address, length);
}

int link(const char* from, const char* to) {
  static int (*real)(const char*, const char*) = NULL;
  if (real == NULL) real = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "link");
  int rc = real(from, to);
  if (rc == 0 && counted("link")) hit();
  return rc;
}
