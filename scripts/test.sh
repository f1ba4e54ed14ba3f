#!/bin/bash
# THE test command: install what is needed, build, run every test (unit, kernel, integration).
# Root: the kernel and integration tests make network namespaces (never touching the
# machine's own network). Exits non-zero on any failure.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build}
if [[ $(id -u) != 0 ]]; then
	echo "test.sh: run me as root (the kernel and integration tests need network namespaces)" >&2
	exit 1
fi
bash "$SRC/scripts/deps.sh" --guest
BUILD_DIR=$BUILD_DIR bash "$SRC/scripts/build.sh"
cd "$BUILD_DIR"
exec ctest --output-on-failure "$@"
