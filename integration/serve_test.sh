#!/usr/bin/env bash
# `serve` for real, on a free port on 127.0.0.1, over a store with records in every state made
# by the tasks themselves (checksummed; copied; in error with a failed backup; a name holding
# HTML), first on SQLite, then on PostgreSQL: each page fetched with curl (status, content
# type, security headers, the name shown as text), CSV and JSON of a filtered view, /metrics
# through promtool, bad parameters (400), writes (405), a missing record (404); with a token:
# refused without it and with a wrong one, accepted with it, never logged; a non-loopback
# address without a token refused; stopped by PID with SIGTERM (exit 0). In a real browser
# (Debian's chromium, headless): each page's DOM holds the instruments, the failed set and the
# HTML-holding name as text, and a screenshot of the overview (kept in SHOTS) is not blank.
# Usage: serve_test.sh PATH/TO/rawbackup PATH/TO/promtool SHOTS
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
rb="$1" promtool="$2" shots="$3"
cd "$work" || exit 1
server_pids=()
stop_servers() { for p in "${server_pids[@]}"; do kill "$p" 2>/dev/null; done; }
source "$here/store/harness.sh"  # PostgreSQL for the second round; its trap stops it
trap 'stop_servers; pg_stop_all; rm -rf "$work"' EXIT

html_name='<img src=x onerror=alert(1)>_PRID1.raw'
write_config c.yaml "{backup_type: local}"
mkdir -p instruments/astral1 instruments/timstof1
for n in a_PRID1.raw b_PRID1.raw "$html_name"; do head -c 10000 /dev/urandom >"instruments/astral1/$n"; done
echo "not a folder" >backup_file
sed 's|locations: {backup: backup}|locations: {backup: backup_file}|' c.yaml >broken.yaml

# fill: records in every state in the store RAWBACKUP_STORE_URL names (or the config's)
fill() {
  for n in a_PRID1.raw b_PRID1.raw "$html_name"; do must "checksum $n" "$rb" --config c.yaml checksum --instrument astral1 "$n"; done
  must "copy-local" "$rb" --config c.yaml copy-local a_PRID1.raw
  "$rb" --config broken.yaml copy-local b_PRID1.raw >/dev/null 2>&1  # fails: status error, backup failed
}

# start NAME ARGS...: `serve ARGS` in the background; its port in $port once it listens
start() {
  local name=$1
  shift
  "$rb" --config c.yaml serve "$@" >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  server_pids+=("$server_pid")
  wait_for "$work/$name.err" 'serving http://' 60 || { failure "$name: listening" "$(cat "$work/$name.err")"; return 1; }
  port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/$name.err" | head -1 | sed 's/.*://')
}

# fetch URL_PATH [CURL ARGS...]: body to $work/body, headers to $work/headers, code in $code
fetch() {
  local path=$1
  shift
  code=$(curl -s -g -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "http://127.0.0.1:$port$path")
}

exercise() {
  local store=$1
  start "$store" --listen 127.0.0.1:0 || return
  for page in / /records /failures "/records/a_PRID1.raw"; do
    fetch "$page"
    [ "$code" = 200 ] && grep -qi '^content-type: text/html; charset=utf-8' "$work/headers" &&
      grep -qi "^content-security-policy: default-src 'none'" "$work/headers" &&
      pass "$store: $page is a page (200, HTML, CSP)" || failure "$store: $page" "$code $(head -c 300 "$work/body")"
  done
  fetch /records
  grep -qF '&lt;img src=x onerror=alert(1)&gt;_PRID1.raw' "$work/body" && ! grep -qF '<img src=x' "$work/body" &&
    pass "$store:   the HTML in a raw file's name shows as text" || failure "$store: escaping" "$(grep -o '.\{40\}img.\{40\}' "$work/body" | head -2)"
  fetch /failures
  grep -q 'rawbackup checksum --instrument astral1 b_PRID1.raw' "$work/body" && grep -q 'Not a directory' "$work/body" &&
    pass "$store: the failure with its error and the command that re-runs it" || failure "$store: failures" "$(head -c 600 "$work/body")"
  fetch '/records?instrument=astral1&status=copying_done&format=csv'
  [ "$code" = 200 ] && [ "$(wc -l <"$work/body")" = 2 ] && grep -q '^a_PRID1.raw,astral1' "$work/body" &&
    pass "$store: CSV of a filtered view" || failure "$store: csv" "$code $(cat "$work/body")"
  fetch '/api/records?status=error'
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["records"]; sys.exit(0 if [x["id"] for x in r]==["b_PRID1.raw"] else 1)' "$work/body" &&
    pass "$store: JSON of a filtered view" || failure "$store: json" "$(cat "$work/body")"
  fetch "/api/records/$(python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1], safe=""))' "$html_name")"
  [ "$code" = 200 ] && grep -q '"history":\[{' "$work/body" && pass "$store: a record by its encoded name, with its history" ||
    failure "$store: record api" "$code $(head -c 300 "$work/body")"
  fetch /metrics
  [ "$code" = 200 ] && grep -qi '^content-type: text/plain; version=0.0.4' "$work/headers" &&
    "$promtool" check metrics <"$work/body" >"$work/promtool.out" 2>&1 && grep -q 'rawbackup_records{' "$work/body" &&
    pass "$store: /metrics passes promtool check metrics" || failure "$store: metrics" "$code $(cat "$work/promtool.out")"
  fetch /healthz
  [ "$code" = 200 ] && pass "$store: /healthz" || failure "$store: healthz" "$code"
  fetch '/records?status=sideways'
  [ "$code" = 400 ] && grep -q "^bad request: .*sideways" "$work/body" && pass "$store: a bad parameter is a 400 with a line" ||
    failure "$store: 400" "$code $(cat "$work/body")"
  fetch /records -X POST -d x=1
  [ "$code" = 405 ] && grep -qi '^allow: GET, HEAD' "$work/headers" && pass "$store: POST is a 405" || failure "$store: 405" "$code"
  fetch /records -I
  [ "$code" = 200 ] && pass "$store: HEAD" || failure "$store: HEAD" "$code"
  fetch /records/none.raw
  [ "$code" = 404 ] && pass "$store: a missing record is a 404" || failure "$store: 404" "$code"
  kill -TERM "$server_pid"
  wait "$server_pid"
  local rc=$?
  [ "$rc" = 0 ] && pass "$store: SIGTERM stops it, exit 0" || failure "$store: stop" "exit $rc $(tail -2 "$work/$store.err")"
}

# --- in a real browser ---
browser() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
    --user-data-dir="$work/chromium" "$@" 2>>"$work/chromium.err"
}
# not_blank PNG: the image has more than a handful of distinct byte values once decoded
not_blank() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + length]
    pos += 12 + length
sys.exit(0 if len(set(zlib.decompress(idat))) > 16 else 1)
PY
}
in_browser() {
  command -v chromium >/dev/null || { failure "browser: chromium (scripts/setup.sh --test-servers installs it)"; return; }
  start browser --listen 127.0.0.1:0 || return
  browser --dump-dom "http://127.0.0.1:$port/" >"$work/dom"
  grep -q '<td>astral1</td>' "$work/dom" && grep -q '<td>timstof1</td>' "$work/dom" && grep -q '<svg' "$work/dom" &&
    pass "browser: the overview's DOM holds both instruments and the charts" || failure "browser: overview" "$(head -c 300 "$work/dom") $(tail -3 "$work/chromium.err")"
  browser --dump-dom "http://127.0.0.1:$port/failures" >"$work/dom"
  grep -q 'b_PRID1.raw' "$work/dom" && grep -q 'Not a directory' "$work/dom" &&
    pass "browser: the failures page's DOM holds the failed set" || failure "browser: failures" "$(head -c 300 "$work/dom")"
  browser --dump-dom "http://127.0.0.1:$port/records" >"$work/dom"
  grep -qF '&lt;img src=x onerror=alert(1)&gt;_PRID1.raw' "$work/dom" && ! grep -q '<img' "$work/dom" &&
    pass "browser: the HTML in a name stays text in the DOM (no <img> element)" || failure "browser: escaping" "$(grep -o '.\{30\}img.\{30\}' "$work/dom" | head -2)"
  mkdir -p "$shots"
  rm -f "$shots/overview.png"
  browser --window-size=1400,700 --screenshot="$shots/overview.png" "http://127.0.0.1:$port/" >/dev/null
  [ -s "$shots/overview.png" ] && not_blank "$shots/overview.png" &&
    pass "browser: a screenshot of the overview, not blank ($shots/overview.png)" || failure "browser: screenshot" "$(tail -3 "$work/chromium.err")"
  kill -TERM "$server_pid"
  wait "$server_pid"
}

fill
exercise sqlite
in_browser
export RAWBACKUP_STORE_URL="$pg_url"
fill
exercise postgresql
unset RAWBACKUP_STORE_URL

# --- a token ---
token="token-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "$token" >token
start token --listen 127.0.0.1:0 --token-file token || true
fetch /
[ "$code" = 401 ] && pass "token: refused without it" || failure "token: without" "$code"
fetch / -H "Authorization: Bearer wrong-$token"
[ "$code" = 401 ] && pass "token: refused when wrong" || failure "token: wrong" "$code"
fetch /metrics -H "Authorization: Bearer $token"
[ "$code" = 200 ] && pass "token: accepted" || failure "token: right" "$code"
kill -TERM "$server_pid"
wait "$server_pid"
! grep -qF "$token" "$work/token.err" "$work/token.out" && pass "token: never logged" || failure "token: logged"
expect_code "a non-loopback address without a token is refused (exit 2)" 2 env -u RAWBACKUP_SERVE_TOKEN \
  "$rb" --config c.yaml serve --listen 0.0.0.0:0
expect_match "  saying why" "$work/err" "not a loopback address: give a bearer token"
summary
