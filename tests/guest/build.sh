#!/bin/bash
# Build, or find in the cache, what the guest lab boots: Debian's kernel as an ELF vmlinux (booted
# through PVH, about twice as fast under TCG as the compressed bzImage) and a base initramfs
# (busybox-static, the virtio/bonding modules, iproute2's real `ip` with its libraries, our init).
#
# Cache: ${NETD_GUEST_CACHE:-/var/cache/netd-guest}, outside the repo, keyed by package versions
# and by the content of this script and init.sh; anything missing is rebuilt, nothing else.
# The kernel is downloaded with `apt-get download` and unpacked with `dpkg-deb -x`: it is never
# installed into the machine's /boot.
#
# On success prints shell assignments on stdout (VMLINUX=, INITRD=, KVER=, KPKG=) for lib.sh.
# Usage: build.sh [-q]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${NETD_GUEST_CACHE:-/var/cache/netd-guest}
QUIET=
[[ ${1:-} == -q ]] && QUIET=1

# Loaded in this order by the guest's init (each needs the ones before it).
MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	failover net_failover virtio_net tls bonding)
# Shipped too, not loaded at boot: what netd needs in a guest (bridges, veths, taps, nftables
# with NAT and conntrack, bridge netfilter), with everything they depend on. A test asks for
# them by name (lib.sh: GL_MODULES; init.sh modprobes them). crc32c_generic: libcrc32c (for
# nf_tables) asks the kernel for "crypto-crc32c", which finds it through modules.alias.
EXTRA_MODULE_DIRS=(net/bridge net/802 net/llc net/netfilter net/ipv4/netfilter
	net/ipv6/netfilter drivers/net/veth.ko drivers/net/tun.ko crypto/crc32c_generic.ko)
HOST_PACKAGES=(qemu-system-x86 busybox-static)
IP_BIN=/usr/sbin/ip

log() { [[ -n $QUIET ]] || printf 'guest-build: %s\n' "$*" >&2; }
die() {
	printf 'guest-build: FATAL: %s\n' "$*" >&2
	exit 1
}

module_lists() { echo "${MODULES[*]} / ${EXTRA_MODULE_DIRS[*]}"; }
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

ensure_host_packages() {
	local p missing=()
	for p in "${HOST_PACKAGES[@]}"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
			missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || die "missing packages: ${missing[*]} (apt-get install --no-install-recommends ...)"
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

# The kernel package the linux-image-amd64 metapackage currently points to, "name version"
# (its Depends names both). apt-cache costs a second here (no pkgcache.bin), so the answer is
# remembered for a day. Offline (no apt lists), fall back to the newest kernel in the cache.
resolve_kernel() {
	local memo=$CACHE/.resolved dep d
	if [[ -s $memo && -z $(find "$memo" -mmin +1440) ]]; then
		cat "$memo"
		return 0
	fi
	dep=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\) (= \([^)]*\)).*/\1 \2/p' |
		head -n1) || true
	if [[ -n $dep ]]; then
		echo "$dep" | tee "$memo"
		return 0
	fi
	d=$(find "$CACHE" -maxdepth 1 -type d -name 'kernel-*' 2>/dev/null | sort -V | tail -n1)
	[[ -n $d && -f $d/vmlinux ]] || die "cannot resolve linux-image-amd64 (apt lists missing?) and no cached kernel"
	log "apt cannot resolve linux-image-amd64; using cached ${d##*/}"
	cat "$d/package"
}

# The kernel tree's scripts/extract-vmlinux method: find each compression format's magic in the
# bzImage, decompress from there, keep the first result that is an ELF file.
extract_vmlinux() {
	local img=$1 out=$2 fmt magic off
	local -a tries=(
		'gzip|\x1f\x8b\x08|gzip -dc'
		'xz|\xfd7zXZ\x00|xz -dc'
		'bzip2|BZh|bzip2 -dc'
		'lzma|\x5d\x00\x00\x00|xz -dc --format=lzma'
		'lzo|\x89\x4c\x5a\x4f|lzop -dc'
		'lz4|\x02\x21\x4c\x18|lz4 -dc'
		'zstd|\x28\xb5\x2f\xfd|zstd -dc'
	)
	local t cmd
	for t in "${tries[@]}"; do
		IFS='|' read -r fmt magic cmd <<<"$t"
		command -v "${cmd%% *}" >/dev/null || {
			# busybox knows gzip, xz, bzip2 and lzma when the real tool is missing
			case $fmt in
			gzip | xz | bzip2) cmd="busybox ${cmd}" ;;
			lzma) cmd="busybox unlzma -c" ;;
			*) continue ;;
			esac
		}
		# shellcheck disable=SC2013 # offsets are numbers, one per line
		for off in $(LC_ALL=C grep -aboP "$magic" "$img" 2>/dev/null | cut -d: -f1); do
			tail -c +"$((off + 1))" "$img" | $cmd >"$out" 2>/dev/null || true
			if [[ $(head -c 4 "$out" 2>/dev/null | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; then
				log "vmlinux: $fmt stream at offset $off"
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

build_kernel() {
	local pkg=$1 ver=$2 dir=$3 tmp kver m f
	tmp=$(mktemp -d "$CACHE/.kernel.XXXXXX")
	log "downloading $pkg $ver"
	# _apt cannot write into our mktemp dir; that only costs apt's sandbox, say nothing
	(cd "$tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>"$tmp/apt.err") ||
		{
			cat "$tmp/apt.err" >&2
			rm -rf "$tmp"
			die "apt-get download $pkg=$ver failed"
		}
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	kver=$(basename "$(find "$tmp/x/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")
	mkdir -p "$tmp/out/modules"
	extract_vmlinux "$tmp/x/boot/vmlinuz-$kver" "$tmp/out/vmlinux" ||
		{
			rm -rf "$tmp"
			die "no compressed ELF kernel found in vmlinuz-$kver"
		}
	for m in "${MODULES[@]}"; do
		f=$(find "$tmp/x/lib/modules/$kver" -name "$m.ko*" | head -n1)
		[[ -n $f ]] || {
			rm -rf "$tmp"
			die "module $m not in $pkg"
		}
		case $f in
		*.ko) cp "$f" "$tmp/out/modules/$m.ko" ;;
		*.ko.xz) xz -dc "$f" >"$tmp/out/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$tmp/out/modules/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$tmp/out/modules/$m.ko" ;;
		*) die "unknown module format $f" ;;
		esac
	done
	copy_extra_modules "$tmp/x" "$kver" "$tmp/out/tree" || {
		rm -rf "$tmp"
		die "copying the extra modules failed"
	}
	cp "$tmp/x/boot/config-$kver" "$tmp/out/config"
	echo "$kver" >"$tmp/out/kver"
	echo "$pkg $ver" >"$tmp/out/package"
	module_lists >"$tmp/out/module-lists"
	rm -rf "$dir"
	mv "$tmp/out" "$dir"
	rm -rf "$tmp"
}

# copy_extra_modules ROOT KVER OUT: EXTRA_MODULE_DIRS and every module they depend on (the
# closure, from a modules.dep made by busybox depmod: the .deb ships none), paths kept
copy_extra_modules() {
	local root=$1 kver=$2 out=$3 mdir=$1/lib/modules/$2 d f
	busybox depmod -b "$root" "$kver" || return 1
	{
		for d in "${EXTRA_MODULE_DIRS[@]}"; do
			(cd "$mdir" && find "kernel/$d" -name '*.ko*' ! -path '*/ipvs/*')
		done | while read -r f; do
			echo "$f"
			sed -n "s|^$f: ||p" "$mdir/modules.dep" | tr ' ' '\n'
		done
	} | grep . | sort -u | while read -r f; do
		mkdir -p "$out/$(dirname "$f")"
		case $f in
		*.ko) cp "$mdir/$f" "$out/$f" ;;
		*.ko.xz) xz -dc "$mdir/$f" >"$out/${f%.xz}" ;;
		*.ko.zst) zstd -qdc "$mdir/$f" >"$out/${f%.zst}" ;;
		*) return 1 ;;
		esac
	done
}

# Copy a dynamically linked program and every library ldd names to the same paths under $root.
copy_with_libs() {
	local root=$1 bin=$2 dst=$3 lib
	mkdir -p "$root/$(dirname "$dst")"
	cp -L "$bin" "$root/$dst"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}

build_initrd() {
	local kdir=$1 out=$2 tmp r a m
	tmp=$(mktemp -d "$CACHE/.initrd.XXXXXX")
	r=$tmp/root
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,lib/modules,www/cgi-bin}
	cp /bin/busybox "$r/bin/busybox"
	# every applet as a symlink, except ip: /usr/sbin/ip is iproute2's real one
	for a in $(/bin/busybox --list-full); do
		[[ $a == */ip ]] && continue
		[[ -e $r/$a || -L $r/$a ]] || ln -s /bin/busybox "$r/$a"
	done
	copy_with_libs "$r" "$IP_BIN" /usr/sbin/ip
	for m in "${MODULES[@]}"; do
		cp "$kdir/modules/$m.ko" "$r/lib/modules/"
		echo "$m" >>"$r/lib/modules/order"
	done
	# the extra modules where modprobe looks, with their own modules.dep
	mkdir -p "$r/lib/modules/$(cat "$kdir/kver")"
	cp -a "$kdir/tree/kernel" "$r/lib/modules/$(cat "$kdir/kver")/"
	busybox depmod -b "$r" "$(cat "$kdir/kver")" || die "depmod in the initramfs failed"
	install -m 755 "$HERE/init.sh" "$r/init"
	install -m 755 "$HERE/udhcpc.script" "$r/etc/udhcpc.script"
	# the kernel opens /dev/console before init can mount devtmpfs
	mknod -m 600 "$r/dev/console" c 5 1
	mknod -m 666 "$r/dev/null" c 1 3
	(cd "$r" && find . | LC_ALL=C sort | busybox cpio -o -H newc --quiet >"$tmp/initrd.cpio") ||
		{
			rm -rf "$tmp"
			die "cpio failed"
		}
	mv "$tmp/initrd.cpio" "$out"
	rm -rf "$tmp"
}

main() {
	ensure_host_packages
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9 # concurrent tests wait for one build

	local pkg ver kdir key initrd
	read -r pkg ver < <(resolve_kernel)
	kdir=$CACHE/kernel-$pkg-$ver
	# rebuilt too when the module lists change
	if [[ ! -s $kdir/vmlinux || $(cat "$kdir/module-lists" 2>/dev/null) != "$(module_lists)" ]]; then
		build_kernel "$pkg" "$ver" "$kdir"
		find "$CACHE" -maxdepth 1 -name 'kernel-*' ! -path "$kdir" -exec rm -rf {} + # superseded
	fi

	key=$({
		echo "$pkg $ver"
		pkg_version busybox-static
		pkg_version iproute2
		pkg_version libc6
		cat "$HERE/init.sh" "$HERE/udhcpc.script" "${BASH_SOURCE[0]}"
	} | sha256sum | cut -c1-16)
	initrd=$CACHE/initrd-$key.cpio
	if [[ ! -s $initrd ]]; then
		log "building initramfs $initrd"
		build_initrd "$kdir" "$initrd"
		find "$CACHE" -maxdepth 1 -name 'initrd-*.cpio' ! -path "$initrd" -delete # superseded
	fi

	printf 'VMLINUX=%q\nINITRD=%q\nKVER=%q\nKPKG=%q\n' "$kdir/vmlinux" "$initrd" \
		"$(cat "$kdir/kver")" "$pkg=$ver"
}

main
