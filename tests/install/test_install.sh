#!/bin/bash
# What a packager gets: a build without cmocka and without -Werror, installed under the prefix
# it was configured for, a unit whose ExecStart follows that prefix, and an administrator's
# edited default.conf kept by a second install. No root needed: everything goes to a DESTDIR.
#   test_install.sh SRC_DIR
set -euo pipefail
SRC=$1
T=$(mktemp -d /tmp/netd-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok   - $*"; pass=$((pass + 1)); }
bad() { echo "FAIL - $*"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# pkg-config sees every library but cmocka: the daemon and client must not need it.
mkdir -p "$T/pc"
for d in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
	[[ -d $d ]] || continue
	for pc in "$d"/*.pc; do
		[[ -e $pc && $(basename "$pc") != cmocka.pc ]] && ln -sf "$pc" "$T/pc/"
	done
done
if PKG_CONFIG_LIBDIR=$T/pc cmake -S "$SRC" -B "$T/build" -DNETD_TESTS=OFF \
	-DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=Release >"$T/configure.log" 2>&1; then
	ok "configures without cmocka when NETD_TESTS=OFF"
else
	bad "configures without cmocka when NETD_TESTS=OFF"
	cat "$T/configure.log"
	exit 1
fi
check "no -Werror unless NETD_WERROR=ON" "! grep -q -- -Werror '$T/build/compile_commands.json'"
cmake --build "$T/build" --parallel 2 >"$T/build.log" 2>&1 || { cat "$T/build.log"; exit 1; }
DESTDIR=$T/root cmake --install "$T/build" >/dev/null

check "netd in /usr/sbin" "[[ -x $T/root/usr/sbin/netd ]]"
check "netdctl in /usr/bin" "[[ -x $T/root/usr/bin/netdctl ]]"
unit=$T/root/usr/lib/systemd/system/netd.service
check "the unit in /usr/lib/systemd/system" "[[ -f $unit ]]"
check "ExecStart follows the prefix" "grep -q '^ExecStart=/usr/sbin/netd --config-dir /etc/netd ' '$unit'"
check "default.conf in the prefix's sysconfdir (/etc for /usr)" "[[ -f $T/root/etc/netd/default.conf ]]"
check "nothing written outside DESTDIR" "[[ ! -e $T/root/$T ]]"
check "netd --version prints the version, exit 0" \
	"$T/root/usr/sbin/netd --version | grep -q '^netd [0-9][0-9.]*'"
check "netdctl --version prints the version, exit 0" \
	"$T/root/usr/bin/netdctl --version | grep -q '^netdctl [0-9][0-9.]*'"
check "man pages netd(8), netdctl(8), netd.conf(5)" \
	"[[ -f $T/root/usr/share/man/man8/netd.8 && -f $T/root/usr/share/man/man8/netdctl.8 && -f $T/root/usr/share/man/man5/netd.conf.5 ]]"
check "bash and zsh completion" \
	"[[ -f $T/root/usr/share/bash-completion/completions/netdctl && -f $T/root/usr/share/zsh/vendor-completions/_netdctl ]]"
check "examples under the doc dir" "[[ -f $T/root/usr/share/doc/netd/examples/lab.conf ]]"

# The installed unit as systemd reads it: verify (its ExecStart pointed at the DESTDIR binary,
# which is where the file is here; man pages are checked by the man test) and the sandbox's
# exposure, at most 3.0 (systemd-analyze's threshold is in tenths).
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/verify"
	sed "s|^ExecStart=/usr/sbin/netd |ExecStart=$T/root/usr/sbin/netd |" "$unit" >"$T/verify/netd.service"
	check "systemd-analyze verify accepts the unit" \
		"systemd-analyze verify --man=no '$T/verify/netd.service' >'$T/verify.log' 2>&1 || { cat '$T/verify.log'; false; }"
	check "the unit's exposure (systemd-analyze security) is at most 3.0" \
		"systemd-analyze security --offline=yes --threshold=30 '$unit' >'$T/security.log' 2>&1 || { tail -n 1 '$T/security.log'; false; }"
	check "the unit is Type=notify with a watchdog" "grep -qx Type=notify '$unit' && grep -q '^WatchdogSec=' '$unit'"
else
	bad "systemd-analyze is missing (scripts/deps.sh installs systemd)"
fi

echo "# edited by the administrator" >>"$T/root/etc/netd/default.conf"
DESTDIR=$T/root cmake --install "$T/build" >/dev/null
check "a second install keeps an edited default.conf" \
	"tail -n 1 '$T/root/etc/netd/default.conf' | grep -qx '# edited by the administrator'"

echo "test_install: $pass passed, $fail failed"
((fail == 0))
