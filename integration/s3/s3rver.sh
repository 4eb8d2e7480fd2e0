#!/usr/bin/env bash
# s3rver on 127.0.0.1 for tests and the demo: `s3rver.sh start DIR [BUCKET...]` (writes
# DIR/env to source), `s3rver.sh stop DIR`.
# Needs `npm ci` in integration/ (scripts/test.sh and scripts/demo.sh run it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case ${1:-} in
  start)
    mkdir -p "$2"
    rm -f "$2/env" "$2/pid"
    NODE_PATH="$here/../node_modules" nohup node "$here/s3rver.js" "${@:2}" >"$2/s3rver.log" 2>&1 &
    for _ in $(seq 100); do
      [[ -f $2/env ]] && exit 0
      kill -0 $! 2>/dev/null || { cat "$2/s3rver.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "s3rver.sh: s3rver did not start" >&2; exit 1 ;;
  stop)
    [[ -f $2/pid ]] && kill "$(cat "$2/pid")" 2>/dev/null || true ;;
  *) echo "usage: s3rver.sh start|stop DIR" >&2; exit 2 ;;
esac
