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

# must NAME COMMAND...: a set-up step the test depends on; when it fails the test stops here
# (one FAIL line with its stderr), instead of going on and failing later for another reason.
must() {
  local name="$1"
  shift
  if ! "$@" >"$work/must.out" 2>"$work/must.err"; then
    failure "set-up: $name" "$(tail -c 400 "$work/must.err")"
    summary
    exit 1
  fi
}

# wait_for FILE REGEX [SECONDS]: until a line of FILE (a log) matches, at most SECONDS (20).
wait_for() {
  local file="$1" regex="$2" tries=$((${3:-20} * 10))
  for _ in $(seq "$tries"); do grep -Eq -- "$regex" "$file" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# in_background OUT ERR COMMAND...: COMMAND in the background, its PID in $pid. OUT and ERR are
# emptied first, so a wait_for on them never matches what an earlier run wrote there.
in_background() {
  local out="$1" err="$2"
  shift 2
  : >"$out"
  : >"$err"
  "$@" >"$out" 2>"$err" &
  pid=$!
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
wait_until() {
  local tries=$(($1 * 10))
  shift
  for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.1; done
  return 1
}

# write_config FILE BACKUP [LINE...]: the tests' usual config: a store at store.sqlite, the
# instruments astral1 (thermo) and timstof1 (bruker) under instruments/, backups under
# backup/, projects from "_(PRIDn)_", files written just now counted as finished
# acquisitions (settle 0), any .d layout counted complete (required_members: [] — the tests'
# sets are small; acquisition_test.sh checks the vendors' required members); BACKUP is the
# `backup:` value; each LINE replaces the top-level key it sets (e.g. "store: {path:
# var/store.sqlite}"), removes it ("checksum:"), or is added.
write_config() {
  local file="$1" backup="$2"
  shift 2
  local -A lines=(
    [store]="store: {path: store.sqlite}"
    [checksum]="checksum: {settle_seconds: 0}"
    [instruments]="instruments: {astral1: {type: thermo, path: instruments/astral1}, timstof1: {type: bruker, path: instruments/timstof1, required_members: []}}"
    [locations]="locations: {backup: backup}"
    [project_pattern]='project_pattern: "_(PRID\\d+)_"'
    [backup]="backup: $backup"
  )
  local line
  for line in "$@"; do lines[${line%%:*}]="$line"; done
  : >"$file"
  for key in store checksum instruments locations project_pattern backup; do
    [ "${lines[$key]}" != "$key:" ] && echo "${lines[$key]}" >>"$file"
    unset "lines[$key]"
  done
  for line in "${lines[@]}"; do echo "$line" >>"$file"; done
}

# flip_byte FILE OFFSET: inverts the bits of the byte at OFFSET, so the file surely differs
# (writing a fixed byte leaves it unchanged when the byte was already that one: 1 in 256 for
# random data); size kept, mtime now as with any write.
flip_byte() {
  python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0xFF]))
PY
}
