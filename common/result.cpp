#include "common/result.h"

namespace rawbackup {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::failed: return exit_codes::failed;
    case ErrorKind::usage: return exit_codes::usage;
    case ErrorKind::conflict: return exit_codes::conflict;
    case ErrorKind::mismatch: return exit_codes::mismatch;
    case ErrorKind::interrupted: return exit_codes::interrupted;
  }
  return exit_codes::failed;
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::failed: return "failed";
    case ErrorKind::usage: return "usage";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::mismatch: return "mismatch";
    case ErrorKind::interrupted: return "interrupted";
  }
  return "failed";
}

}  // namespace rawbackup
