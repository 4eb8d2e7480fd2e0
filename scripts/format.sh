#!/usr/bin/env bash
# Formats every C++ file with the tree's .clang-format (Debian's clang-format 14);
# `scripts/format.sh --check` lists files that differ and exits 1 (nothing changed).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ "${1:-}" == "--check" ]]; then
  clang-format --dry-run --Werror "${files[@]}"
else
  clang-format -i "${files[@]}"
fi
