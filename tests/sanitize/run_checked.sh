#!/bin/bash
# Runs one test of the sanitizer build (NETD_SANITIZE=ON) so that a report from ANY process
# it starts fails it: the test binary, and the netd and netdctl the integration scripts start
# from the build dir (through nsenter, in the background, killed at cleanup), whose stderr
# would otherwise go to a log the script deletes. Every report ends up in LOGDIR
# (ASan/LSan: asan.PID, UBSan: ubsan.PID); after the test, a file there fails it.
#
# The code is built with -fno-sanitize-recover=all, so UBSan ends the process like ASan does.
# detect_leaks=1: netd is a daemon, a leak per request or per reconcile grows without bound,
# so LeakSanitizer's report when netd (or netdctl, or a test) exits is a failure too. netd
# exits through its normal path on the SIGTERM the scripts' cleanup sends, so its leak check
# runs; only a process killed with SIGKILL is not checked at exit.
#
# Some processes run as nobody (netdctl in the permission tests), and the build dir may sit
# where nobody cannot reach (/root/...): the reports go first to a sticky, world-writable
# directory under /tmp, and are moved into LOGDIR at the end.
#
# Usage: run_checked.sh LOGDIR COMMAND [ARGS...]  (ASAN_OPTIONS/UBSAN_OPTIONS given by the
# caller are appended, so they win)
set -u
dir=$1
shift
rm -rf "$dir"
mkdir -p "$dir" || exit 1
tmp=$(mktemp -d /tmp/netd-sanitizer.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 1777 "$tmp"
export ASAN_OPTIONS="log_path=$tmp/asan:detect_leaks=1:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$tmp/ubsan:print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
"$@"
rc=$?
reports=("$tmp"/*)
if [[ -e ${reports[0]} ]]; then
	mv "${reports[@]}" "$dir"/
	for f in "$dir"/*; do
		echo "==== sanitizer report: $f"
		cat "$f"
	done
	echo "run_checked: ${#reports[@]} sanitizer report(s) above (kept in $dir); the test fails"
	exit 1
fi
exit "$rc"
