#!/bin/bash
# Issue #14: the Debian package as a user gets it. Built from the tree (CPack, prefix /usr),
# its control data (dependencies found by dpkg-shlibdeps, dnsmasq-base, the conffile),
# installed by dpkg into a clean root (its own admin dir and instdir), an edited conffile kept
# by a reinstall, and the installed netd and netdctl run from that root (overlaid on /usr and
# /etc in a private mount namespace, nothing of the host's changed) through check, up, list,
# a real DHCP lease and down in a network namespace.
# shellcheck source=../integration/lib.sh
. "$NETD_SOURCE_DIR/tests/integration/lib.sh"

nd_init
B=$T/pkgbuild
cmake -S "$NETD_SOURCE_DIR" -B "$B" -DCMAKE_INSTALL_PREFIX=/usr -DNETD_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=Release >"$T/configure.log" 2>&1 || nd_die "configure: $(tail "$T/configure.log")"
cmake --build "$B" --parallel 2 >"$T/build.log" 2>&1 || nd_die "build: $(tail "$T/build.log")"
(cd "$B" && cpack -G DEB) >"$T/cpack.log" 2>&1 || nd_die "cpack: $(tail "$T/cpack.log")"
deb=$(ls "$B"/netd_*_*.deb 2>/dev/null | head -n 1)
expect_match "cpack -G DEB makes netd_VERSION_ARCH.deb" '/netd_[0-9.]+_[a-z0-9]+\.deb$' "$deb"

info=$(dpkg-deb -f "$deb" Depends)
for dep in dnsmasq-base libnl-3-200 libnl-route-3-200 libnftnl11 libmnl0 libjson-c5 libinih1 libc6; do
	expect_match "Depends names $dep" "(^|, )$dep( |,|$)" "$info"
done
expect_eq "the conffile is /etc/netd/default.conf" /etc/netd/default.conf \
	"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)"
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/sbin/netd ./usr/bin/netdctl ./usr/lib/systemd/system/netd.service \
	./etc/netd/default.conf ./usr/share/doc/netd/examples/lab.conf \
	./usr/share/man/man5/netd.conf.5 ./usr/share/man/man8/netd.8 ./usr/share/man/man8/netdctl.8 \
	./usr/share/bash-completion/completions/netdctl; do
	expect_ok "the package has $f" grep -qx "$f" <<<"$files"
done
expect_eq "nothing outside /etc and /usr" "" "$(grep -Ev '^\./($|etc/|usr/)' <<<"$files")"

# dpkg into a root of its own: its own database, the maintainer scripts told (DPKG_ROOT) that
# the host is not theirs
R=$T/root A=$T/admin
mkdir -p "$R" "$A/info" "$A/updates" "$A/triggers"
touch "$A/status" "$A/available"
dpkg_() { dpkg --admindir="$A" --instdir="$R" --force-depends --force-script-chrootless \
	--log=/dev/null "$@"; }
expect_ok "dpkg -i into a clean root" dpkg_ -i "$deb"
expect_eq "dpkg says it is installed" "install ok installed" \
	"$(dpkg-query --admindir="$A" -W -f='${Status}' netd)"
echo "# edited by the administrator" >>"$R/etc/netd/default.conf"
expect_ok "dpkg -i again (a reinstall, as an upgrade with the same conffile)" dpkg_ -i "$deb"
expect_eq "the edited conffile is kept" "# edited by the administrator" \
	"$(tail -n 1 "$R/etc/netd/default.conf")"
sed -i '$d' "$R/etc/netd/default.conf"

# The installed files, at their installed paths: /usr and /etc overlaid with the root's in a
# private mount namespace; netd in a network namespace with state and runtime under $T.
nd_host
VM=${ND_ID}vm1
nd_netns_add "$VM"
"$IPBIN" -n "$HOST" link add vm1-p type veth peer name eth0 netns "$VM" || nd_die "veth for vm1"
"$IPBIN" -n "$VM" link set eth0 up
nd_write_udhcpc_script
cat >"$T/inside.sh" <<EOF
#!/bin/bash
set -u
mount -t overlay overlay -o lowerdir=$R/usr:/usr /usr || exit 90
mount -t overlay overlay -o lowerdir=$R/etc:/etc /etc || exit 91
r() { local n=\$1; shift; "\$@" >"$T/in.\$n.out" 2>&1; echo "\$n \$?" >>"$T/in.results"; }
r version /usr/sbin/netd --version
r check /usr/bin/netdctl check
nsenter --net=/run/netns/$HOST /usr/sbin/netd --state-dir $T/state --runtime-dir $T/run \
	--socket $T/sock --no-autostart >$T/in.netd.log 2>&1 &
pid=\$!
for _ in \$(seq 100); do [ -S $T/sock ] && break; sleep 0.1; done
r up /usr/bin/netdctl --socket $T/sock up default
r list /usr/bin/netdctl --socket $T/sock list
$IPBIN -n $HOST link set vm1-p master virbr0 up
r dhcp nsenter --net=/run/netns/$VM env ND_LEASE_OUT=$T/vm1.lease timeout 20 \
	busybox udhcpc -i eth0 -q -n -t 5 -T 1 -s $T/udhcpc.script
r down /usr/bin/netdctl --socket $T/sock down default
kill -TERM \$pid
wait \$pid
echo "netd \$?" >>"$T/in.results"
EOF
chmod 755 "$T/inside.sh"
rc=0
unshare -m --propagation private "$T/inside.sh" || rc=$?
expect_eq "the overlay namespace ran" 0 "$rc"
res() { sed -n "s/^$1 //p" "$T/in.results" 2>/dev/null; }
expect_eq "installed netd --version exits 0" 0 "$(res version)"
expect_match "installed netdctl check finds the packaged /etc/netd/default.conf" \
	"/etc/netd: ok \(1 network: default\)" "$(cat "$T/in.check.out" 2>/dev/null)"
expect_eq "installed netdctl up default" 0 "$(res up)"
expect_match "list shows default up" "default +nat +virbr0 .*up" "$(cat "$T/in.list.out" 2>/dev/null)"
expect_eq "a VM gets a DHCP lease from the packaged netd's dnsmasq" 0 "$(res dhcp)"
expect_eq "installed netdctl down default" 0 "$(res down)"
expect_eq "installed netd exits 0" 0 "$(res netd)"
expect_eq "no link of netd's is left" "" "$(nd_links_with_netd_alias)"
expect_fail "the host's /usr has no netd of the package's" test -e /usr/sbin/netd
nd_finish
