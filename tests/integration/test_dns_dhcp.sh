#!/bin/bash
# Issue #12: DNS and DHCP the way users configure them, by real traffic.
#  - guests get the domain, DNS server, router, NTP, search list and PXE boot file by DHCP, as
#    their DHCP client (busybox udhcpc) reports them, from two ranges;
#  - from a guest, busybox nslookup resolves each [DNSRecord] type, another guest's DHCP name
#    as NAME.DOMAIN and NAME, a [Host]'s name, and a split-DNS forwarder's domain through a
#    fake upstream dnsmasq in the outside namespace (and, once Forwarders= names it for every
#    name, any name); busybox nslookup, since dig is not installed on these machines;
#  - Enable=no: DHCP still works, the guest gets no DNS server and nothing listens on port 53;
#  - a reload that changes a [Host], an A record and a DHCP option rereads dnsmasq (same pid,
#    the guest's lease kept, the new record answered, the new option handed out); a CNAME
#    change restarts it (leases kept) and says so.
# Namespaces: host (netd), outside (the upstream for corp.example), vm1, vm2 (lab), vm3 (quiet).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_outside

# The upstream for corp.example only: a dnsmasq in the outside namespace.
nsenter --net="/run/netns/$OUT" dnsmasq --keep-in-foreground --conf-file=/dev/null \
	--no-resolv --no-hosts --bind-interfaces --listen-address=198.51.100.2 --pid-file= \
	--address=/db.corp.example/203.0.113.7 --address=/other.test/203.0.113.9 >/dev/null 2>&1 &
ND_PIDS+=($!)
up53() { nd_ns "$OUT" ss -Hlun "src 198.51.100.2 and sport = :53" | grep -q .; }
nd_wait 10 up53 || nd_die "upstream dnsmasq did not start"

lab_conf() { # $1: the www A record's address, $2: NTP, $3: CNAME target, $4: extra [Host],
	# $5: Forwarders
	cat <<EOF
[Network]
Name=lab
Mode=nat
Bridge=virbr0
Address=192.122.1.1/24
Autostart=yes

[DHCP]
Range=192.122.1.10 192.122.1.10
Range=192.122.1.100 192.122.1.109
NTP=$2
Option=domain-search,lab.example,corp.example
BootFile=pxelinux.0
NextServer=192.122.1.5

[Host]
MAC=52:54:00:00:12:0b
Address=192.122.1.50
Name=static1
$4
[DNS]
Domain=lab.example
Forwarders=${5:-corp.example/198.51.100.2}

[DNSRecord]
Type=A
Name=www.lab.example
Value=$1

[DNSRecord]
Type=AAAA
Name=www.lab.example
Value=fd00::80

[DNSRecord]
Type=CNAME
Name=web.lab.example
Value=$3

[DNSRecord]
Type=SRV
Name=_ldap._tcp.lab.example
Value=10 50 389 www.lab.example

[DNSRecord]
Type=TXT
Name=lab.example
Value=hello from netd

[DNSRecord]
Type=PTR
Name=192.122.1.99
Value=printer.lab.example
EOF
}
lab_conf 192.122.1.80 192.122.1.1 www.lab.example "" | nd_write_conf lab.conf
nd_write_conf quiet.conf <<'EOF'
[Network]
Name=quiet
Mode=nat
Bridge=virbr1
Address=192.122.2.1/24
Autostart=yes

[DHCP]
Range=192.122.2.10 192.122.2.20

[DNS]
Enable=no
EOF
printf '' >"$T/resolv.conf" # no upstream for other names: nothing leaves the sandbox
# No system bus: the machine's own systemd-resolved (if any) is never asked about our links.
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/no-bus"
nd_start_netd --resolv-conf "$T/resolv.conf" --reconcile-interval 0
expect_match "both networks came up" 'lab .* up' "$(ctl list)"
expect_match "... quiet too" 'quiet .* up' "$(ctl list)"

# A DHCP client that asks for NTP, the search list and the boot file too, and writes what it
# got (udhcpc's variables) to $T/NAME.dhcp.
cat >"$T/dhcp.script" <<'EOF'
#!/bin/sh
IP=/usr/sbin/ip
case "$1" in
deconfig) $IP -4 addr flush dev "$interface"; $IP link set "$interface" up ;;
bound | renew)
	$IP -4 addr flush dev "$interface"
	$IP addr add "$ip/${mask:-24}" dev "$interface"
	printf 'ip=%s\nrouter=%s\ndns=%s\ndomain=%s\nntpsrv=%s\nsearch=%s\nboot_file=%s\nsiaddr=%s\n' \
		"$ip" "$router" "$dns" "$domain" "$ntpsrv" "$search" "$boot_file" "$siaddr" \
		>"$ND_LEASE_OUT"
	;;
esac
exit 0
EOF
chmod 755 "$T/dhcp.script"
dhcp() { # VM: a lease, its fields in $T/VM.dhcp
	local ns=${ND_VMNS[$1]}
	rm -f "$T/$1.dhcp"
	for _ in 1 2; do
		nd_ns "$ns" env ND_LEASE_OUT="$T/$1.dhcp" timeout 20 busybox udhcpc -i eth0 -q -n \
			-t 5 -T 1 -x "hostname:$1" -O ntpsrv -O search -s "$T/dhcp.script" \
			>"$T/$1.udhcpc.log" 2>&1 && [[ -s $T/$1.dhcp ]] && return 0
	done
	cat "$T/$1.udhcpc.log" >&2
	return 1
}
got() { sed -n "s/^$2=//p" "$T/$1.dhcp"; }

nd_add_vm vm1 52:54:00:00:12:01
nd_add_vm vm2 52:54:00:00:12:02
nd_add_vm vm3 52:54:00:00:12:03 virbr1
VM1=$(nd_vm_ns vm1)
expect_ok "vm1 gets a lease" dhcp vm1
expect_ok "vm2 gets a lease" dhcp vm2
expect_match "from the ranges" '^192\.122\.1\.(10|10[0-9])$' "$(got vm2 ip)"
expect_eq "router: the host" 192.122.1.1 "$(got vm1 router)"
expect_eq "DNS server: the host" 192.122.1.1 "$(got vm1 dns)"
expect_eq "domain: Domain=" lab.example "$(got vm1 domain)"
expect_eq "NTP server: NTP=" 192.122.1.1 "$(got vm1 ntpsrv)"
expect_eq "search list: Option=domain-search" "lab.example corp.example" "$(got vm1 search)"
expect_eq "PXE boot file: BootFile=" pxelinux.0 "$(got vm1 boot_file)"
expect_eq "PXE next server: NextServer=" 192.122.1.5 "$(got vm1 siaddr)"

# q TYPE NAME: vm1 asks the host's dnsmasq; the answer lines.
q() { nd_ns "$VM1" timeout 5 busybox nslookup "-type=$1" "$2" 192.122.1.1 2>&1 | sed 1,2d; }
answers() { # TYPE NAME REGEX
	local out
	out=$(q "$1" "$2")
	grep -Eq "$3" <<<"$out" || {
		echo "$out"
		return 1
	}
}
VM2IP=$(got vm2 ip)
expect_ok "vm2's DHCP name as vm2.lab.example" answers a vm2.lab.example "Address: +$VM2IP\$"
expect_ok "... and as vm2" answers a vm2 "Address: +$VM2IP\$"
expect_ok "a [Host]'s name, before its guest holds a lease" answers a static1.lab.example \
	"Address: +192.122.1.50\$"
expect_ok "... and its short name" answers a static1 "Address: +192.122.1.50\$"
expect_ok "A record" answers a www.lab.example 'Address: +192\.122\.1\.80$'
expect_ok "AAAA record" answers aaaa www.lab.example 'Address: +fd00::80$'
expect_ok "CNAME record" answers cname web.lab.example 'canonical name = www\.lab\.example'
expect_ok "SRV record" answers srv _ldap._tcp.lab.example \
	'service = 10 50 389 www\.lab\.example'
expect_ok "TXT record" answers txt lab.example 'text = "hello from netd"'
expect_ok "PTR record" answers ptr 99.1.122.192.in-addr.arpa 'name = printer\.lab\.example'
expect_ok "split DNS: corp.example through its forwarder in the outside namespace" \
	answers a db.corp.example 'Address: +203\.0\.113\.7$'
expect_fail "other names go to the host's resolv.conf servers (none here), not the forwarder" \
	answers a other.test 'Address: +203\.0\.113\.9$'
expect_fail "LocalOnly: an unknown lab.example name is not forwarded anywhere" \
	answers a nobody.lab.example 'Address: +[0-9]'

# Enable=no: DHCP without a DNS server, and no listener on the network's port 53.
expect_ok "vm3 gets a lease on the network without DNS" dhcp vm3
expect_eq "... and no DNS server" "" "$(got vm3 dns)"
expect_eq "... but its router (nat: the host)" 192.122.2.1 "$(got vm3 router)"
expect_eq "nothing listens on 192.122.2.1:53" "" \
	"$(nd_ns "$HOST" ss -Hlun "src 192.122.2.1 and sport = :53")"
expect_fail "a query to it gets no answer" nd_ns "$(nd_vm_ns vm3)" timeout 5 busybox nslookup \
	www.lab.example 192.122.2.1
expect_ok "the reconcile leaves that dnsmasq alone (no liveness query to a port it lacks)" \
	ctl up quiet
quiet_pid=$(nd_dnsmasq_pid quiet)
sleep 1
ctl up quiet >/dev/null
expect_eq "... its pid unchanged" "$quiet_pid" "$(nd_dnsmasq_pid quiet)"

# Reload: a [Host] added, the A record and NTP= changed: reread, no restart.
pid=$(nd_dnsmasq_pid lab)
VM1IP=$(got vm1 ip)
lab_conf 192.122.1.81 192.122.1.2 www.lab.example \
	"[Host]
MAC=52:54:00:00:12:0c
Address=192.122.1.51
Name=static2
" | nd_write_conf lab.conf
out=$(ctl reload 2>&1)
expect_match "reload says lab's dnsmasq reread its files" 'lab: dnsmasq reread' "$out"
expect_match "... and quiet unchanged" 'quiet: unchanged' "$out"
expect_match "--json says it per network too (nothing changed since)" \
	'"reload": *"unchanged"' "$(ctl --json reload)"
expect_eq "dnsmasq kept its pid" "$pid" "$(nd_dnsmasq_pid lab)"
expect_ok "the new A record answers" answers a www.lab.example 'Address: +192\.122\.1\.81$'
expect_ok "the new [Host]'s name answers" answers a static2.lab.example 'Address: +192\.122\.1\.51$'
expect_match "vm1's lease is kept" "$VM1IP" "$(ctl leases lab)"
expect_ok "vm1 renews" dhcp vm1
expect_eq "... the same address" "$VM1IP" "$(got vm1 ip)"
expect_eq "... with the new NTP server" 192.122.1.2 "$(got vm1 ntpsrv)"
expect_eq "still the same dnsmasq" "$pid" "$(nd_dnsmasq_pid lab)"

# A CNAME lives in dnsmasq's config file, which it reads only at start: a restart, leases kept.
# So do the forwarders: one for every name replaces the host's resolv.conf servers.
lab_conf 192.122.1.81 192.122.1.2 static1.lab.example "" 198.51.100.2 | nd_write_conf lab.conf
out=$(ctl reload 2>&1)
expect_match "a CNAME change restarts dnsmasq and says so" 'lab: dnsmasq restarted' "$out"
expect_nomatch "... not reread" 'lab: dnsmasq reread' "$out"
expect_ok "the new CNAME answers" answers cname web.lab.example \
	'canonical name = static1\.lab\.example'
expect_ok "Forwarders=ADDRESS: every other name goes to it" \
	answers a other.test 'Address: +203\.0\.113\.9$'
expect_match "vm1's lease survived the restart" "$VM1IP" "$(ctl leases lab)"
expect_match "a new dnsmasq" '^[0-9]+$' "$(nd_dnsmasq_pid lab)"
[[ $(nd_dnsmasq_pid lab) != "$pid" ]] && nd_pass "... with another pid" ||
	nd_fail "... with another pid" "pid $pid before and after"

# A policy change: only the rules.
{ lab_conf 192.122.1.81 192.122.1.2 static1.lab.example "" 198.51.100.2; printf '[Policy]\nHostToVM=allow\n'; } |
	nd_write_conf lab.conf
pid=$(nd_dnsmasq_pid lab)
expect_eq "a policy change: rules updated, nothing else" "  lab: rules updated" \
	"$(ctl reload 2>&1 | grep '^  lab:')"
expect_eq "... and dnsmasq left alone" "$pid" "$(nd_dnsmasq_pid lab)"

nd_finish
