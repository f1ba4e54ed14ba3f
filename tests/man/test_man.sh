#!/bin/bash
# The man pages: docs/man/*.[58] are what docs/man/gen_man.py makes of README.md (one source:
# a README edit without regenerating fails here), and each renders with man -l without a
# troff error (warnings that a justified line could not be spread, or a long word in a narrow
# table cell not broken, are layout, not errors).
#   test_man.sh SRC_DIR
set -euo pipefail
SRC=$1
T=$(mktemp -d /tmp/netd-man.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok   - $*"; pass=$((pass + 1)); }
bad() { echo "FAIL - $*"; fail=$((fail + 1)); }

python3 "$SRC/docs/man/gen_man.py" "$SRC/README.md" "$T"
for p in netd.8 netdctl.8 netd.conf.5; do
	if diff -u "$SRC/docs/man/$p" "$T/$p" >"$T/$p.diff"; then
		ok "$p is up to date with README.md"
	else
		bad "$p differs from what gen_man.py makes of README.md (run: python3 docs/man/gen_man.py README.md docs/man)"
		head -n 20 "$T/$p.diff"
	fi
	if LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$SRC/docs/man/$p" >"$T/$p.txt" 2>"$T/$p.err" &&
		! grep -Ev "cannot adjust line|can't break line" "$T/$p.err" | grep -q . && [[ -s $T/$p.txt ]]; then
		ok "$p renders ($(wc -l <"$T/$p.txt") lines)"
	else
		bad "$p does not render cleanly: $(grep -Ev "cannot adjust line|can't break line" "$T/$p.err" | head -n 5)"
	fi
done
grep -q '^NETD.CONF(5)' "$T/netd.conf.5.txt" && ok "netd.conf(5) has its header" || bad "netd.conf(5) header"
echo "test_man: $pass passed, $fail failed"
((fail == 0))
