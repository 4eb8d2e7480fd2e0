#!/usr/bin/env bash
# The package as a facility installs it: `cpack -G DEB` builds the .deb (Depends from the
# shared libraries linked), `dpkg-deb -x` unpacks it into a throwaway root where the installed
# binary's --version and --help run; lintian finds no error; the man page names every task
# and every option --help lists; the bash completion offers tasks, options and raw-file ids
# from the store; `cmake --install` puts the same files under a prefix.
# Usage: package_test.sh BUILD_DIR
source "$(dirname "$0")/lib.sh"
build="$1"
rb="$build/rawbackup"

must "cpack" cpack -G DEB -B "$work/pkg" --config "$build/CPackConfig.cmake"
deb=$(ls "$work"/pkg/rawbackup_*.deb)
dpkg-deb -f "$deb" Depends >"$work/depends"
for lib in libcurl4 libpq5 libsqlite3-0 libssl3 libyaml-cpp0.7 libpugixml1v5; do
  expect_match "Depends names $lib (from the linked libraries)" "$work/depends" "(^|, )$lib( |,|$)"
done
if command -v lintian >/dev/null; then
  expect_code "lintian: no errors" 0 lintian --fail-on error "$deb"
  grep -E '^E: ' "$work/out" && failure "lintian errors listed"
else
  failure "lintian is installed (scripts/setup.sh --test-servers)"
fi

root="$work/root"
must "dpkg-deb -x" dpkg-deb -x "$deb" "$root"
installed="$root/usr/bin/rawbackup"
expect_code "the installed binary: --version" 0 "$installed" --version
expect_match "  version and commit" "$work/out" "^rawbackup $(dpkg-deb -f "$deb" Version) \\(git ([0-9a-f]+(-dirty)?|unknown)\\)$"
expect_code "the installed binary: --help" 0 "$installed" --help
expect_match "  lists the tasks" "$work/out" 'checksum.*'

# The man page: every task, and every option each task's --help lists.
zcat "$root/usr/share/man/man1/rawbackup.1.gz" >"$work/man"
missing=""
tasks=$("$installed" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$tasks" ] && pass "tasks read from --help ($(echo $tasks))" || failure "tasks read from --help"
for task in $tasks; do
  grep -q "^\.SS $(echo "$task" | sed 's/-/\\\\-/g')\$" "$work/man" || missing+=" task:$task"
  for option in $("$installed" $task --help | grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
    grep -qF -- "$(echo "$option" | sed 's/-/\\-/g')" "$work/man" || missing+=" $task:$option"
  done
done
for option in $("$installed" --help | grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
  grep -qF -- "$(echo "$option" | sed 's/-/\\-/g')" "$work/man" || missing+=" global:$option"
done
grep -q 'usr/share/doc/rawbackup/examples/config.yaml' "$work/man" && pass "the man page points to the example config" || failure "the man page points to the example config"
[ -f "$root/usr/share/doc/rawbackup/examples/config.yaml" ] && pass "the example config is installed" || failure "the example config is installed"
[ -z "$missing" ] && pass "the man page names every task and option" || failure "the man page names every task and option" "missing:$missing"
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$root/usr/share/man/man1/rawbackup.1.gz" 2>"$work/man.err" >"$work/man.txt"
  [ ! -s "$work/man.err" ] && grep -q 'EXIT STATUS' "$work/man.txt" && pass "man renders it without warnings" || failure "man renders it" "$(head -c 400 "$work/man.err")"
fi

# Completion, as bash runs it: tasks, options, ids from the store of --config.
mkdir -p "$work/instruments/astral1"
echo one >"$work/instruments/astral1/run1_PRID1_x.raw"
echo two >"$work/instruments/astral1/run2_PRID1_x.raw"
write_config "$work/c.yaml" '{backup_type: local}'
must "checksum" "$installed" --config "$work/c.yaml" checksum --instrument astral1 run1_PRID1_x.raw run2_PRID1_x.raw
# complete_words WORD...: what completion offers for the last word, the script loaded as
# Debian's bash-completion loads it (on demand, from inside its loader function).
complete_words() {
  PATH="$root/usr/bin:$PATH" XDG_DATA_DIRS="$root/usr/share" bash -c '
    source /usr/share/bash-completion/bash_completion
    _completion_loader rawbackup
    [ "$(complete -p rawbackup)" = "complete -F _rawbackup rawbackup" ] || { echo "not loaded"; exit 1; }
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
    _rawbackup
    printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
[ "$(complete_words rawbackup up)" = "upload-s3" ] && pass "completion: a task" || failure "completion: a task" "$(complete_words rawbackup up)"
[ "$(complete_words rawbackup verify --d | sort | tr '\n' ' ')" = "--deep --dry-run " ] && pass "completion: the task's options" || failure "completion: options" "$(complete_words rawbackup verify --d)"
[ "$(complete_words rawbackup --log-level d)" = "debug" ] && pass "completion: an option's values" || failure "completion: values"
got=$(complete_words rawbackup --config "$work/c.yaml" verify run | sort | tr '\n' ' ')
[ "$got" = "run1_PRID1_x.raw run2_PRID1_x.raw " ] && pass "completion: raw-file ids from the store" || failure "completion: ids" "$got"
[ "$(complete_words rawbackup store c)" = "copy" ] && pass "completion: a subcommand" || failure "completion: subcommand"
got=$(complete_words rawbackup --config "$work/c.yaml" verify --dry-run run | sort | tr '\n' ' ')
[ "$got" = "run1_PRID1_x.raw run2_PRID1_x.raw " ] && pass "completion: ids after a flag (takes no value)" || failure "completion: ids after a flag" "$got"
got=$(complete_words rawbackup --json --config "$work/c.yaml" --log-level debug verify run | sort | tr '\n' ' ')
[ "$got" = "run1_PRID1_x.raw run2_PRID1_x.raw " ] && pass "completion: global options before the task" || failure "completion: global options first" "$got"
dpkg-deb -f "$deb" Recommends | grep -q 'bash-completion' && pass "the package recommends bash-completion" || failure "recommends bash-completion"

# cmake --install: the same files under a prefix.
DESTDIR="$work/dest" cmake --install "$build" --prefix /opt/rb >/dev/null 2>"$work/err"
for file in bin/rawbackup share/man/man1/rawbackup.1.gz share/bash-completion/completions/rawbackup share/doc/rawbackup/copyright; do
  [ -f "$work/dest/opt/rb/$file" ] || missing_install+=" $file"
done
[ -z "${missing_install:-}" ] && pass "cmake --install: binary, man page, completion, copyright" || failure "cmake --install" "missing:$missing_install"
summary
