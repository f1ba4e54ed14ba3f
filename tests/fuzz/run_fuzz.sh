#!/bin/bash
# A bounded run of one libFuzzer harness, for ctest: SECONDS of fuzzing from the seeds plus
# what earlier runs in this build dir found. Fails on any crash, sanitizer report, leak or
# timeout; the input that caused it is kept as WORKDIR/crash-<sha1> (or leak-, timeout-) and
# can be replayed with `HARNESS WORKDIR/crash-<sha1>`.
# Usage: run_fuzz.sh HARNESS WORKDIR SECONDS SEEDDIR...
set -euo pipefail
harness=$1 work=$2 seconds=$3
shift 3
mkdir -p "$work/corpus"
# The first directory receives new inputs: the build dir's, never the seeds in the tree.
# -timeout: an input that takes 5 s is a hang (a config or a request parses in microseconds).
exec "$harness" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
	-artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" "$@"
