# Sourced by the S3 integration tests after lib.sh, with $server (ceph | s3rver) and $here
# (integration/) set: starts that server and the fault-injecting proxy in front of it on free
# ports of 127.0.0.1, stops both (by PID) on exit, and defines
#   $proxy     the endpoint to give rawbackup (every request is logged to $log)
#   rules JSON replace the proxy's fault rules (see fault_proxy.py) and empty $log
#   s3, etag_of                   signed requests straight to the server (s3curl.sh)
server_dir="$work/server"
proxy_pid=""
stop_all() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  "$here/s3/$server.sh" stop "$server_dir" >/dev/null 2>&1
  rm -rf "$work"
}
trap stop_all EXIT

"$here/s3/$server.sh" start "$server_dir" >"$work/server.log" 2>&1 || { cat "$work/server.log"; echo "could not start $server"; exit 1; }
source "$server_dir/env"
upstream="$S3_ENDPOINT"
mkdir -p "$work/proxy"
echo '[]' >"$work/proxy/rules.json"
python3 "$here/s3/fault_proxy.py" "$upstream" "$work/proxy" &
proxy_pid=$!
for _ in $(seq 50); do [ -f "$work/proxy/port" ] && break; sleep 0.1; done
proxy="http://127.0.0.1:$(cat "$work/proxy/port")"
log="$work/proxy/requests.log"
# rules JSON: the proxy's faults for the next case, and a new request log (a new file: a request
# of an earlier case that ends late is never logged in it).
# rules JSON: the proxy's faults for the next case, and a new log (a new generation: a request
# of an earlier case that ends late is never written to it).
rules() { echo "$1" >"$work/proxy/rules.json"; date +%s%N >"$work/proxy/generation"; rm -f "$log"; : >"$log"; }
source "$here/s3/s3curl.sh"
