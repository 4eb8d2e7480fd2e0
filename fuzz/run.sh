#!/usr/bin/env bash
# Fuzzing (not part of the README test command): builds the libFuzzer targets with Debian's
# clang 16 under AddressSanitizer + UndefinedBehaviorSanitizer and runs each for SECONDS
# (default 600) on the corpus kept in fuzz/corpus/<target>/ (new interesting inputs are added
# there; commit them). A finding stops that target, is saved as fuzz/findings/<target>-*,
# and makes this script exit 1. Usage: fuzz/run.sh [SECONDS] [TARGET...]
#   targets: config (YAML config loader), s3_replies (S3 XML reply parsers), names (raw-file
#   name rules, bucket names, key prefixes), md5_lanes (our two-lane MD5 against OpenSSL's)
# Two targets run at a time (jobs=2). Logs: build-fuzz/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(config s3_replies names md5_lanes)

missing=()
for p in clang-16 libclang-rt-16-dev libyaml-cpp-dev libpugixml-dev nlohmann-json3-dev libspdlog-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

declare -A sources=(
  [config]="config/config.cpp common/result.cpp common/rate_limiter.cpp common/text.cpp common/interrupt.cpp"
  [s3_replies]="storage/s3/replies.cpp storage/s3/errors.cpp common/result.cpp common/text.cpp"
  [md5_lanes]="integrity/md5_lanes.cpp integrity/md5.cpp integrity/etag.cpp"
  [names]="model/layout.cpp model/raw_file.cpp model/placement.cpp storage/s3/naming.cpp config/config.cpp common/result.cpp common/rate_limiter.cpp common/text.cpp common/interrupt.cpp"
)
declare -A libs=([md5_lanes]="-lcrypto" [config]="-lyaml-cpp -lspdlog -lfmt" [s3_replies]="-lpugixml -lspdlog -lfmt" [names]="-lyaml-cpp -lspdlog -lfmt")

out=build-fuzz
mkdir -p "$out" fuzz/findings
# clang 16 implements what libstdc++ 12's <expected> needs (P0848) but still reports
# __cpp_concepts 201907, which hides std::expected; the define unhides it.
flags=(-std=c++2b -D__cpp_concepts=202002L -Wno-macro-redefined -DSPDLOG_FMT_EXTERNAL -DSPDLOG_COMPILED_LIB -DSPDLOG_SHARED_LIB
       -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I. -include common/pch.h)
for t in "${targets[@]}"; do
  [ -n "${sources[$t]:-}" ] || { echo "fuzz/run.sh: unknown target $t" >&2; exit 2; }
  echo "building $t" >&2
  # shellcheck disable=SC2086
  clang++-16 "${flags[@]}" "fuzz/${t}_fuzz.cpp" ${sources[$t]} ${libs[$t]} -o "$out/${t}_fuzz"
done

status=0
run() {
  local t="$1"
  mkdir -p "fuzz/corpus/$t"
  if "$out/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="fuzz/findings/$t-" "fuzz/corpus/$t" >"$out/$t.log" 2>&1; then
    echo "$t: no finding in ${seconds} s ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$') runs, corpus $(ls "fuzz/corpus/$t" | wc -l) inputs)"
  else
    echo "$t: FINDING, see $out/$t.log and fuzz/findings/$t-*"; return 1
  fi
}
pids=()
for t in "${targets[@]}"; do
  run "$t" &
  pids+=($!)
  if ((${#pids[@]} == 2)); then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit "$status"
