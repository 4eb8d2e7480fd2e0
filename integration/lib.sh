# Shared helpers for integration tests: a temp folder, assertions, a closing count line.
# Usage: source lib.sh; then `check NAME CONDITION...`; finish with `summary`.
set -uo pipefail
passed=0
failed=0
work="$(mktemp -d "${TMPDIR:-/tmp}/rawbackup-it-XXXXXX")"
trap 'rm -rf "$work"' EXIT

pass() { passed=$((passed + 1)); echo "ok   $1"; }
failure() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }

# expect_code NAME CODE COMMAND...: runs COMMAND, stdout to $work/out, stderr to $work/err.
expect_code() {
  local name="$1" want="$2"
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass "$name"; else failure "$name" "exit $got, wanted $want; stderr: $(tail -c 400 "$work/err")"; fi
}

# expect_match NAME FILE REGEX
expect_match() {
  if grep -Eq -- "$3" "$2"; then pass "$1"; else failure "$1" "no /$3/ in $(head -c 400 "$2")"; fi
}

summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
