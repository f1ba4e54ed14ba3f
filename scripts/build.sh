#!/bin/bash
# Configure and build netd into build/ (BUILD_DIR overrides); every warning is an error.
# Extra arguments go to cmake's configure step (scripts/test.sh: the sanitizer and fuzz builds).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build}
if ! out=$(cmake -S "$SRC" -B "$BUILD_DIR" -DNETD_WERROR=ON \
	-DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" "$@" 2>&1); then
	printf '%s\n' "$out" >&2
	exit 1
fi
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
