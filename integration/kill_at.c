/* LD_PRELOAD shim for crash tests: kills its own process with SIGKILL (as kill -9 would) at
 * an exact point, so each phase of a task is hit every time, not by a timer's luck.
 *   KILL_AT=open:TEXT    when a file whose path contains TEXT is opened (after the open)
 *   KILL_AT=unlinkat:N   after the Nth file removed with unlinkat (folders not counted)
 *   KILL_AT=connect:N    when the Nth socket connection is made (before it is)
 * Built by the test that uses it: cc -shared -fPIC -o kill_at.so kill_at.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int counted(const char* what) {
  static int unlinks = 0, connects = 0;
  const char* at = getenv("KILL_AT");
  size_t n = strlen(what);
  if (at == NULL || strncmp(at, what, n) != 0 || at[n] != ':') return 0;
  int* count = strcmp(what, "unlinkat") == 0 ? &unlinks : &connects;
  return ++*count == atoi(at + n + 1);
}

static void kill_on_open(const char* path) {
  const char* at = getenv("KILL_AT");
  if (at != NULL && strncmp(at, "open:", 5) == 0 && path != NULL && strstr(path, at + 5) != NULL) raise(SIGKILL);
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
    kill_on_open(path);                                                 \
    return fd;                                                          \
  }

int open(const char* path, int flags, ...) OPEN_SHIM("open", path)
int open64(const char* path, int flags, ...) OPEN_SHIM("open64", path)
int openat(int dir, const char* path, int flags, ...) OPEN_SHIM("openat", dir, path)
int openat64(int dir, const char* path, int flags, ...) OPEN_SHIM("openat64", dir, path)

int unlinkat(int dir, const char* path, int flags) {
  static int (*real)(int, const char*, int) = NULL;
  if (real == NULL) real = (int (*)(int, const char*, int))dlsym(RTLD_NEXT, "unlinkat");
  int rc = real(dir, path, flags);
  if (rc == 0 && flags == 0 && counted("unlinkat")) raise(SIGKILL);
  return rc;
}

int connect(int fd, const struct sockaddr* address, socklen_t length) {
  static int (*real)(int, const struct sockaddr*, socklen_t) = NULL;
  if (real == NULL) real = (int (*)(int, const struct sockaddr*, socklen_t))dlsym(RTLD_NEXT, "connect");
  if (counted("connect")) raise(SIGKILL);
  return real(fd, address, length);
}
