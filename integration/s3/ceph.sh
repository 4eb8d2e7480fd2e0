#!/usr/bin/env bash
# A throwaway single-node Ceph cluster with a RADOS Gateway on 127.0.0.1, for tests.
#
#   ceph.sh start DIR   → starts mon, OSD and radosgw under DIR, makes an S3 user, and writes
#                         DIR/env (S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to source
#   ceph.sh stop DIR    → stops the daemons by the PIDs in their pid files, removes nothing
#
# Ports are free ones picked at start, so two runs do not collide. CEPH_OBJECTSTORE=bluestore
# keeps data on a sparse file (for large objects) instead of RAM (memstore, the default).
# CEPH_RGW_CONF: lines added to the gateway's section (encryption settings); CEPH_STORAGE_CLASSES:
# storage classes (space-separated) added to the default placement, each with a pool of its own.
# Needs Debian's ceph-mon ceph-osd radosgw ceph-common (installed by scripts/setup.sh --s3).
set -euo pipefail

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "ceph.sh: timed out waiting for $what" >&2
      return 1
    fi
    sleep 0.5
  done
}

write_conf() {
  local dir=$1 mon_port=$2 rgw_port=$3 fsid=$4 store=${CEPH_OBJECTSTORE:-memstore}
  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = false
ms bind ipv6 = false
ms mon client mode = crc
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
[mon.a]
mon data = $dir/mon
mon cluster log file = $dir/log/cluster.log
[osd.0]
osd data = $dir/osd
osd objectstore = $store
memstore device bytes = 4294967296
bluestore block path = $dir/osd-block
bluestore block create = true
bluestore block size = 21474836480
bluestore fsck on mkfs = false
bluestore fsck on mount = false
osd journal size = 100
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
rgw gc obj min wait = 30
rgw gc processor period = 30
rgw dns name = localhost
${CEPH_RGW_CONF:-}
EOF
}

# Storage classes in the default placement. The gateway made the zone when it started and
# reads placements then: it is restarted after they are added.
add_storage_classes() {
  local dir=$1 class pid
  shift
  [[ -n ${CEPH_STORAGE_CLASSES:-} ]] || return 0
  for class in $CEPH_STORAGE_CLASSES; do
    radosgw-admin "$@" zonegroup placement add --rgw-zonegroup default --placement-id default-placement \
      --storage-class "$class" >/dev/null
    radosgw-admin "$@" zone placement add --rgw-zone default --placement-id default-placement \
      --storage-class "$class" --data-pool "default.rgw.$(echo "$class" | tr 'A-Z_' 'a-z-').data" >/dev/null
  done
  pid=$(cat "$dir/run/client.rgw.a.pid")
  kill "$pid"
  wait_for 30 "the gateway to stop" bash -c "! kill -0 $pid"
  radosgw "$@" -n client.rgw.a
}

start() {
  local dir=$1
  mkdir -p "$dir"/{run,log,mon,osd,rgw}
  dir=$(cd "$dir" && pwd)
  local mon_port rgw_port fsid
  mon_port=$(free_port)
  rgw_port=$(free_port)
  fsid=$(uuidgen)
  write_conf "$dir" "$mon_port" "$rgw_port" "$fsid"
  local c=(-c "$dir/ceph.conf")
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-mon "${c[@]}" --mkfs -i a --monmap "$dir/monmap"
  ceph-mon "${c[@]}" -i a
  wait_for 30 "the monitor" ceph "${c[@]}" --connect-timeout 5 mon stat
  ceph "${c[@]}" osd create >/dev/null
  ceph-osd "${c[@]}" -i 0 --mkfs 2>>"$dir/log/osd-mkfs.log"
  ceph-osd "${c[@]}" -i 0
  wait_for 60 "the OSD" bash -c "ceph ${c[*]} osd stat | grep -q '1 up'"
  radosgw "${c[@]}" -n client.rgw.a
  wait_for 90 "the gateway" curl -sf "http://127.0.0.1:$rgw_port/"
  add_storage_classes "$dir" "${c[@]}"
  wait_for 90 "the gateway" curl -sf "http://127.0.0.1:$rgw_port/"
  local key secret
  key=RAWBACKUPTEST$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
  secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  radosgw-admin "${c[@]}" user create --uid=rawbackup --display-name=rawbackup \
    --access-key="$key" --secret-key="$secret" >/dev/null
  cat >"$dir/env" <<EOF
export S3_ENDPOINT=http://127.0.0.1:$rgw_port
export AWS_ACCESS_KEY_ID=$key
export AWS_SECRET_ACCESS_KEY=$secret
export CEPH_CONF=$dir/ceph.conf
EOF
}

stop() {
  local dir=$1 pidfile pid
  for pidfile in "$dir"/run/client.rgw.a.pid "$dir"/run/osd.0.pid "$dir"/run/mon.a.pid; do
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

case ${1:-} in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) echo "usage: ceph.sh start|stop DIR" >&2; exit 2 ;;
esac
