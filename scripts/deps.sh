#!/bin/bash
# Install everything netd's build, tests, demo and benchmark need, on Debian 12, as root.
# Idempotent and quiet: when every package is already installed it returns at once, without
# touching apt's lists.
set -euo pipefail

PACKAGES=(
	# build
	cmake gcc make pkg-config
	libnl-3-dev libnl-route-3-dev libnftnl-dev libmnl-dev libinih-dev libjson-c-dev
	libxml2-dev # netdctl import-libvirt
	# unit tests
	libcmocka-dev
	# what netd runs and what the kernel and integration tests, demo and bench use
	dnsmasq-base nftables iproute2 procps socat util-linux coreutils jq
	# the tests' DHCP client and resolver (busybox udhcpc, nslookup); static, because the
	# guest lab puts the same binary into its initramfs
	busybox-static
	iperf3 # bench/bench_scale.sh: TCP throughput through a network's NAT path
	strace # bench/bench_nft_commit.sh: the kernel's time for one nft commit (its sendmsg)
	python3 # tests/integration/hold_conns.py, notify_listen.py
	systemd # tests/install: systemd-analyze verify and security of the installed unit
	dpkg-dev # tests/install/test_deb.sh: cpack's Depends from dpkg-shlibdeps
	man-db # tests/man: the man pages render (man -l)
	# tests/integration/test_dns_resolved.sh: a private bus and what crosses it
	dbus-daemon dbus-bin
	frr # VXLAN with BGP EVPN (issue 13): zebra, bgpd and vtysh, run per namespace by the tests
	radvd # tests/integration/test_bridged_ipv6.sh: the LAN's router sending RAs (its service
	# starts only with an /etc/radvd.conf, which the test never writes: it runs its own)
)
# --guest: also the guest lab (tests/guest): Debian's kernel under qemu, for bonds and real
# guests on taps. The demo does not need it; the test command does.
# --sanitize: also the sanitizer and fuzz builds (scripts/test.sh): clang, its ASan, UBSan
# and libFuzzer runtimes (libclang-rt-dev: only a Recommends of clang, so not installed with
# it here), and llvm-symbolizer (llvm) so reports name functions and lines.
for arg in "$@"; do
	case $arg in
	--guest) PACKAGES+=(qemu-system-x86 xz-utils) ;;
	--sanitize) PACKAGES+=(clang libclang-rt-dev llvm) ;;
	*)
		echo "deps.sh: unknown option $arg (--guest, --sanitize)" >&2
		exit 2
		;;
	esac
done

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		missing+=("$p")
	fi
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) != 0 ]]; then
	echo "deps.sh: missing packages (${missing[*]}); run me as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
