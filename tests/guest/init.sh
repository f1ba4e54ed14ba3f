#!/bin/sh
# /init of the guest lab's initramfs (busybox sh). Loads the virtio and bonding modules, brings
# up every NIC, runs the test, prints one marker line per result on the console and powers off.
#
# The test comes from a second cpio appended to the base one (/test.sh, plus anything else it
# ships, such as netd and its libraries), or from the kernel command line as
# netd.test=<base64 of a script> (short scripts only: the x86 command line holds 2 KiB).
# Other command-line keys: netd.name=<guest name> (shown in markers), netd.shell=1 (a shell on
# the console instead of powering off, for debugging by hand), netd.modules=a,b (more modules
# to modprobe after the base ones, e.g. bridge,veth,tun,nf_tables; the second cpio can list
# them in /etc/netd-guest.modules instead). build.sh ships bridge, veth, tun and netfilter.
#
# What a test script gets (it is sourced in a subshell, so `exit` ends only the test):
#   $IP                    iproute2's real ip; busybox's `ip` applet drops bond options
#   result NAME OK [k=v]   prints "GUEST-RESULT name=NAME ok=0|1 k=v ..."
#   event WHAT [k=v]       prints "GUEST-EVENT WHAT ... t=<uptime>"
#   nic N                  the interface whose MAC ends in N (two hex digits; lib.sh numbers
#                          each guest's NICs 01, 02, ... in the order they were given)
#   wait_for SECS CMD...   runs CMD every 0.1 s until it succeeds; fails after SECS
#   uptime_s               seconds since boot, e.g. 2.31
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export IP=/usr/sbin/ip

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
exec </dev/console >/dev/console 2>&1
INIT_START=$(cut -d' ' -f1 /proc/uptime)
echo # the firmware's last line has no newline; markers start at the beginning of a line

GUEST_NAME=guest
GUEST_SHELL=
EXTRA_MODULES=
for arg in $(cat /proc/cmdline); do
	case $arg in
	netd.name=*) GUEST_NAME=${arg#netd.name=} ;;
	netd.shell=1) GUEST_SHELL=1 ;;
	netd.test=*) echo "${arg#netd.test=}" | base64 -d >/test.sh ;;
	netd.modules=*) EXTRA_MODULES=$(echo "${arg#netd.modules=}" | tr , ' ') ;;
	esac
done
export GUEST_NAME

uptime_s() { cut -d' ' -f1 /proc/uptime; }
result() {
	_n=$1 _ok=$2
	shift 2
	echo "GUEST-RESULT name=$_n ok=$_ok guest=$GUEST_NAME $*"
}
event() {
	_w=$1
	shift
	echo "GUEST-EVENT $_w $* guest=$GUEST_NAME t=$(uptime_s)"
}
nic() {
	for _d in /sys/class/net/*/address; do
		case $(cat "$_d") in
		*:"$1") _d=${_d%/address} && echo "${_d##*/}" && return 0 ;;
		esac
	done
	return 1
}
wait_for() {
	_end=$(($1 * 10))
	shift
	_i=0
	while [ $_i -lt $_end ]; do
		"$@" >/dev/null 2>&1 && return 0
		usleep 100000
		_i=$((_i + 1))
	done
	return 1
}

for m in $(cat /lib/modules/order); do
	args=
	[ "$m" = bonding ] && args=max_bonds=0 # else it makes its own bond0
	insmod "/lib/modules/$m.ko" $args || result "insmod-$m" 0
done

# on request only (they cost boot time): netd.modules=a,b or /etc/netd-guest.modules
[ -f /etc/netd-guest.modules ] && EXTRA_MODULES="$EXTRA_MODULES $(cat /etc/netd-guest.modules)"
for m in $EXTRA_MODULES; do
	modprobe "$m" || result "modprobe-$m" 0
done

$IP link set lo up
NICS=
for d in /sys/class/net/*/address; do
	d=${d%/address}
	n=${d##*/}
	[ "$n" = lo ] && continue
	$IP link set "$n" up
	NICS=$NICS${NICS:+,}$n=$(cat "$d/address")
done
echo "GUEST-BOOTED guest=$GUEST_NAME uptime=$(uptime_s) init=$INIT_START nics=$NICS"

rc=0
if [ -f /test.sh ]; then
	(. /test.sh)
	rc=$?
else
	echo "GUEST-NOTEST guest=$GUEST_NAME"
fi
echo "GUEST-DONE guest=$GUEST_NAME rc=$rc uptime=$(uptime_s)"

if [ -n "$GUEST_SHELL" ]; then
	setsid cttyhack sh
fi
poweroff -f
