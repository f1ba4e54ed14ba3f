#!/bin/bash
# THE test command: install what is needed, build, run every test (unit, kernel, integration,
# guest), then the same unit, kernel and integration tests again in a sanitizer build
# (ASan+UBSan, clang; $BUILD_DIR-san, ctest label `sanitize`) and a short run of each fuzz
# harness ($BUILD_DIR-fuzz, label `fuzz`). Root: the kernel and integration tests make network
# namespaces (never touching the machine's own network). Exits non-zero on any failure; every
# part runs even when one before it failed, and the time of each is printed at the end.
# Arguments go to the first ctest (e.g. -L unit); NETD_TEST_SANITIZE=0 or NETD_TEST_FUZZ=0
# skips a pass.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build}
SAN_BUILD_DIR=${SAN_BUILD_DIR:-$BUILD_DIR-san}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-$BUILD_DIR-fuzz}
if [[ $(id -u) != 0 ]]; then
	echo "test.sh: run me as root (the kernel and integration tests need network namespaces)" >&2
	exit 1
fi
bash "$SRC/scripts/deps.sh" --guest --sanitize

failed=() times=()
# part NAME cmd...: run one part, note its time and whether it failed; returns its status.
part() {
	local name=$1 t0=$SECONDS rc=0 note=""
	shift
	echo "==== test.sh: $name" >&2
	"$@" || rc=$?
	((rc == 0)) || note="  FAILED (exit $rc)"
	times+=("$(printf '%-30s %4d s%s' "$name" $((SECONDS - t0)) "$note")")
	((rc == 0)) || failed+=("$name")
	return "$rc"
}
in_dir() { (cd "$1" && shift && "$@"); }

# A part whose build failed does not run its tests.
if part "build" env BUILD_DIR="$BUILD_DIR" bash "$SRC/scripts/build.sh"; then
	part "ctest" in_dir "$BUILD_DIR" ctest --output-on-failure "$@" || true
fi
if [[ ${NETD_TEST_SANITIZE:-1} != 0 ]] &&
	part "build: sanitizers (clang)" env BUILD_DIR="$SAN_BUILD_DIR" bash "$SRC/scripts/build.sh" \
		-DCMAKE_C_COMPILER=clang -DNETD_SANITIZE=ON -DNETD_GUEST_TESTS=OFF; then
	part "ctest -L sanitize" in_dir "$SAN_BUILD_DIR" ctest --output-on-failure -L sanitize || true
fi
if [[ ${NETD_TEST_FUZZ:-1} != 0 ]] &&
	part "build: fuzz harnesses (clang)" env BUILD_DIR="$FUZZ_BUILD_DIR" bash "$SRC/scripts/build.sh" \
		-DCMAKE_C_COMPILER=clang -DNETD_FUZZ=ON -DNETD_TESTS=OFF; then
	part "ctest -L fuzz" in_dir "$FUZZ_BUILD_DIR" ctest --output-on-failure -L fuzz || true
fi

echo "==== test.sh: times" >&2
printf '  %s\n' "${times[@]}" >&2
if ((${#failed[@]})); then
	echo "test.sh: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "test.sh: all passed" >&2
