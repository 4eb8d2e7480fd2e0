#!/usr/bin/env bash
# Generates sample instrument folders under DIR (default var/demo/instruments):
#   astral1/   a Thermo-like .raw file (Finnigan header, 40 MiB of deterministic data)
#   timstof1/  a Bruker-like .d folder (tdf, tdf_bin, nested method folder, an empty folder)
#   zenotof1/  a Sciex-like set (.wiff2 + .wiff.scan)
# New files get an mtime 10 minutes back, as finished acquisitions have (checksum waits for a
# set to settle, see checksum.settle_seconds); existing files are left alone, so re-runs keep
# their mtimes (and checksum says unchanged).
set -euo pipefail
dir="${1:-var/demo/instruments}"
day="$(date -u +%Y%m%d)"
finished="@$(($(date +%s) - 600))"

# make FILE BYTES SEED: deterministic pseudo-random bytes (AES-CTR keystream).
make() {
  local file="$1" bytes="$2" seed="$3"
  [ -e "$file" ] && return 0
  mkdir -p "$(dirname "$file")"
  head -c "$bytes" < <(openssl enc -aes-128-ctr -nosalt -pass "pass:$seed" -pbkdf2 </dev/zero 2>/dev/null) >"$file.part"
  touch -d "$finished" "$file.part"
  mv "$file.part" "$file"
}

thermo="$dir/astral1/${day}_astral1_PRID001_HeLa_01.raw"
if [ ! -e "$thermo" ]; then
  mkdir -p "$dir/astral1"
  # Thermo RAW files open with 0x01A1 and "Finnigan" in UTF-16LE.
  { printf '\x01\xa1F\0i\0n\0n\0i\0g\0a\0n\0'; head -c $((40 * 1024 * 1024 - 18)) < <(openssl enc -aes-128-ctr -nosalt -pass pass:thermo -pbkdf2 </dev/zero 2>/dev/null); } >"$thermo.part"
  touch -d "$finished" "$thermo.part"
  mv "$thermo.part" "$thermo"
fi

bruker="$dir/timstof1/${day}_timstof1_PRID002_HeLa_01.d"
make "$bruker/analysis.tdf" $((256 * 1024)) tdf
make "$bruker/analysis.tdf_bin" $((12 * 1024 * 1024)) tdfbin
make "$bruker/chromatography-data.sqlite" 4096 chrom
make "$bruker/${day}_HeLa.m/submethods.xml" 2048 method
make "$bruker/${day}_HeLa.m/apex/calibration.ini" 0 empty
mkdir -p "$bruker/${day}_HeLa.m/empty_folder"

sciex="$dir/zenotof1/${day}_zenotof1_PRID003_QC_01"
make "$sciex.wiff2" $((1024 * 1024)) wiff2
make "$sciex.wiff.scan" $((9 * 1024 * 1024)) scan

echo "$thermo"
echo "$bruker"
echo "$sciex.wiff2"
