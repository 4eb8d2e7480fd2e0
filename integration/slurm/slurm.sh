#!/usr/bin/env bash
# A throwaway one-node SLURM cluster on 127.0.0.1 for tests and benchmarks: munged, slurmctld
# and slurmd from Debian (slurm-wlm 22.05, munge; scripts/setup.sh --test-servers installs them).
#
#   slurm.sh start DIR   → a munge key and socket, slurm.conf on free ports, the three daemons;
#                          waits until the node is idle; writes DIR/env to source (SLURM_CONF)
#   slurm.sh stop DIR    → stops the daemons by their PIDs, removes nothing
#
# The node offers SLURM_CPUS CPUs (default 8, more than this machine has: the jobs here wait on
# I/O) and the licenses copy_slots:SLURM_COPY_SLOTS and upload_slots:SLURM_UPLOAD_SLOTS (2 and
# 2): a job asking `-L upload_slots:1` waits for a free one. No accounting (sacct answers
# nothing; job states come from scontrol), no cgroups, no systemd: proctrack/linuxproc and
# task/none. Jobs run as the user who submits them; state and spool stay under DIR.
set -euo pipefail

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "slurm.sh: timed out waiting for $what" >&2
      return 1
    fi
    sleep 0.2
  done
}

node_idle() { sinfo -h -N -o '%t' | grep -qx idle; }

write_conf() {
  local dir=$1 host=$2
  cat >"$dir/slurm.conf" <<EOF
ClusterName=rawbackup-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
SchedulerParameters=sched_interval=1
MinJobAge=600
KillWait=10
Licenses=copy_slots:${SLURM_COPY_SLOTS:-2},upload_slots:${SLURM_UPLOAD_SLOTS:-2}
NodeName=$host NodeAddr=127.0.0.1 CPUs=${SLURM_CPUS:-8} RealMemory=4096 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  local dir host
  dir=$(realpath -m "$1")
  host=$(hostname -s)
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 700 "$dir/munge"
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  # --force: munged refuses to run as root otherwise (the test machines run as root).
  munged --force --socket="$dir/munge/munge.sock" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed"
  wait_for 30 "munged" test -S "$dir/munge/munge.sock"
  write_conf "$dir" "$host"
  echo "export SLURM_CONF=$dir/slurm.conf" >"$dir/env"
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -i -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  if ! wait_for 60 "the node to be idle" node_idle; then
    tail -5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2
    stop "$dir"
    return 1
  fi
  echo "slurm: one node ($host, ${SLURM_CPUS:-8} CPUs) idle; SLURM_CONF=$SLURM_CONF"
}

stop_pid() {  # stop_pid PIDFILE: SIGTERM, then wait for the process to end (SIGKILL after 20 s)
  [ -f "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  local dir
  dir=$(realpath -m "$1")
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munge/munged.pid"
}

case "${1:-}" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) echo "usage: slurm.sh start|stop DIR" >&2; exit 2 ;;
esac
