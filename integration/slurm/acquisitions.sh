# Sourced by integration/slurm/slurm_test.sh and bench/workflow_on_slurm.sh:
#   acquisitions DIR N FIRST [TAG]: N acquisitions per instrument under DIR/{astral1,timstof1,
#   zenotof1}, numbered from FIRST, in projects PRID001 and PRID002 by turns: a Thermo .raw
#   (8-29 MiB), a Bruker .d (a 6 MiB analysis.tdf_bin and a 64 KiB analysis.tdf), a Sciex pair
#   (a 40 kB .wiff and a 5 MiB .wiff.scan), of random bytes. TAG goes into the names.
acquisitions() {
  local dir=$1 count=$2 first=$3 tag=${4:-} i
  mkdir -p "$dir/astral1" "$dir/timstof1" "$dir/zenotof1"
  for i in $(seq "$first" $((first + count - 1))); do
    local project=PRID00$((i % 2 + 1)) n
    n=$tag$(printf '%02d' "$i")
    head -c $(((8 + i % 8 * 3) << 20)) /dev/urandom >"$dir/astral1/20261206_astral1_${project}_s$n.raw"
    mkdir -p "$dir/timstof1/20261206_timstof1_${project}_s$n.d"
    head -c $((6 << 20)) /dev/urandom >"$dir/timstof1/20261206_timstof1_${project}_s$n.d/analysis.tdf_bin"
    head -c 65536 /dev/urandom >"$dir/timstof1/20261206_timstof1_${project}_s$n.d/analysis.tdf"
    head -c 40000 /dev/urandom >"$dir/zenotof1/20261206_zenotof1_${project}_s$n.wiff"
    head -c $((5 << 20)) /dev/urandom >"$dir/zenotof1/20261206_zenotof1_${project}_s$n.wiff.scan"
  done
}
