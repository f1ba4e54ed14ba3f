#!/bin/bash
# Several guests' taps in one request: `netdctl attach NAME --count K` and the JSON request
# with "taps", against a real netd and dnsmasq. All or nothing: the failures below (one found
# by the checks, one by the kernel while the taps are being made, one after they are made)
# leave no tap, and the record and dnsmasq's hosts file as they were. Then `detach` of
# several taps in one request, and `down`.
#
# As in test_attach.sh, a static lease is proven by a veth "VM" with the guest's MAC that runs
# a real DHCP client; the taps are read from the host namespace's sysfs.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_state.sh
. "$(dirname "$0")/lib_state.sh"

# The taps on the bridge, sorted.
ports() { "$IPBIN" -n "$HOST" -o link show master virbr0 | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }
# A raw request on the control socket, as any client may send it.
raw() { printf '%s\n' "$1" | socat -t 30 - "UNIX-CONNECT:$T/sock"; }
snapshot() {
	cp "$T/state/default.taps" "$T/taps.before"
	cp "$T/run/default.hosts" "$T/hosts.before"
	ports >"$T/ports.before"
}
# After a refused batch: no tap more or less, the record and hosts file byte for byte.
unchanged() {
	expect_eq "$1: no tap made or lost" "$(cat "$T/ports.before")" "$(ports)"
	expect_ok "$1: the record as it was" cmp "$T/taps.before" "$T/state/default.taps"
	expect_ok "$1: the hosts file as it was" cmp "$T/hosts.before" "$T/run/default.hosts"
	expect_eq "$1: dnsmasq untouched" "$pid_before" "$(nd_dnsmasq_pid default)"
}

nd_init
nd_host
nd_write_conf default.conf <<'EOF'
[Network]
Name=default
Mode=nat
Bridge=virbr0
Address=192.122.1.1/24

[DHCP]
Range=192.122.1.100 192.122.1.200

[Policy]
VMToVM=deny
EOF
# No reconcile: the hosts file is replaced by a directory for a moment below.
nd_start_netd --reconcile-interval 0
expect_ok "up" ctl up default
pid_before=$(nd_dnsmasq_pid default)

# ---------------------------------------------------------------- --count 20
out=$(ctl attach default --count 20 --address 192.122.1.10 --owner 65534 --json)
mapfile -t taps < <(jq -r '.taps[].tap' <<<"$out")
mapfile -t macs < <(jq -r '.taps[].mac' <<<"$out")
expect_eq "one answer listing 20 taps" "20" "${#taps[@]}"
expect_eq "... in the request's order, the kernel's names" "vnet0 vnet19" "${taps[0]} ${taps[19]}"
expect_eq "... each with its consecutive static lease" "192.122.1.10 192.122.1.29" \
	"$(jq -r '.taps[0].address + " " + .taps[19].address' <<<"$out")"
expect_eq "... and qemu's arguments" "tap,id=net0,ifname=vnet7,script=no,downscript=no,vhost=off" \
	"$(jq -r '.taps[7].qemu[1]' <<<"$out")"
expect_eq "20 distinct guest MACs" "20" "$(printf '%s\n' "${macs[@]}" | sort -u | wc -l)"
expect_eq "the 20 taps are the bridge's ports" "$(printf '%s\n' "${taps[@]}" | sort)" "$(ports)"
bad=""
for t in "${taps[@]}"; do
	[[ $(nd_hsys "$t" ifalias) == netd:default && $(nd_hmaster "$t") == virbr0 &&
		$(nd_hsys "$t" owner) == 65534 && $(nd_hsys "$t" tun_flags) == 0x5802 &&
		$(nd_hsys "$t" brport/isolated) == 1 && $(($(nd_hsys "$t" flags) & 1)) == 1 &&
		$(nd_hsys "$t" mtu) == $(nd_hsys virbr0 mtu) ]] || bad+=" $t"
done
expect_eq "each tagged netd:default, on virbr0, owned, isolated (VMToVM=deny), up, bridge MTU" "" "$bad"
expect_eq "one record with the 20 taps" "20" "$(st_body "$T/state/default.taps" | jq '.taps | length')"
expect_eq "the hosts file lists their 20 static leases" \
	"$(for i in "${!macs[@]}"; do echo "${macs[$i]},192.122.1.$((10 + i))"; done)" \
	"$(cat "$T/run/default.hosts")"
expect_eq "dnsmasq reread it (SIGHUP), not restarted" "$pid_before" "$(nd_dnsmasq_pid default)"
expect_eq "status lists them" "20" "$(ctl status default | grep -c ' attach$')"
nd_add_vm vm5 "${macs[5]}"
expect_ok "DHCP for the 6th guest's MAC" nd_dhcp vm5
expect_eq "... gets its static lease" "192.122.1.15" "${ND_VMIP[vm5]:-}"
expect_eq "leases shows it" "192.122.1.15" \
	"$(ctl leases default | awk -v m="${macs[5]}" '$1 == m {print $2}')"

# ---------------------------------------------------------------- text, templates, JSON
text=$(ctl attach default --count 2 --tap web%d)
expect_match "text: a summary and qemu's arguments per tap" \
	"^default: attached web0 \(guest [0-9a-f:]+, host side [0-9a-f:]+\)
-netdev tap,id=net0,ifname=web0,[^
]*
default: attached web1 \(" "$text"
out=$(raw '{"cmd":"attach","name":"default","taps":[{"tap":"db0","mac":"52:54:00:bb:00:01","address":"192.122.1.40","hostname":"db"},{"queues":2,"group":"65534"}]}')
expect_eq "JSON request with \"taps\": each tap as asked" "db0 52:54:00:bb:00:01 192.122.1.40" \
	"$(jq -r '.result.taps[0] | .tap + " " + .mac + " " + .address' <<<"$out")"
expect_eq "... the second with its own options" "0x5902 65534" \
	"$(t=$(jq -r '.result.taps[1].tap' <<<"$out"); echo "$(nd_hsys "$t" tun_flags) $(nd_hsys "$t" group)")"
expect_match "... its host name in the hosts file" "52:54:00:bb:00:01,192\.122\.1\.40,db" \
	"$(cat "$T/run/default.hosts")"
out=$(ctl attach default --json)
expect_eq "a single attach still answers one object" "vnet21" "$(jq -r '.tap' <<<"$out")"

# ---------------------------------------------------------------- what --count refuses
for args in "--mac 52:54:00:00:00:01" "--name web" "--tap web" "--address 192.122.1.1x"; do
	expect_fail "--count 2 $args is refused" ctl attach default --count 2 $args
	expect_match "... naming ${args%% *}" "${args%% *}" "$(cat "$T/expect.out")"
	expect_eq "... as a usage error" "2" "$(ctl attach default --count 2 $args >/dev/null 2>&1; echo $?)"
done
expect_fail "--count 0 is refused" ctl attach default --count 0
expect_fail "--count 1024 is refused (a bridge holds 1023 ports)" ctl attach default --count 1024
expect_match "... saying the limit" "from 1 to 1023" "$(cat "$T/expect.out")"
expect_ok "--count 1 with --mac is one tap" ctl attach default --count 1 --mac 52:54:00:bb:00:02
out=$(raw '{"cmd":"attach","name":"default","tap":"x0","taps":[{}]}')
expect_match "a request with \"tap\" beside \"taps\" is refused" '"ok":false.*"tap\\" beside \\"taps\\"' "$out"

# ---------------------------------------------------------------- all or nothing
snapshot
n_before=$(wc -l <"$T/ports.before")
expect_fail "refused by the checks: the 16th address is the broadcast" \
	ctl attach default --count 30 --address 192.122.1.240
expect_match "... naming that tap" "taps\[15\]: address 192\.122\.1\.255 is not a guest address" \
	"$(cat "$T/expect.out")"
unchanged "refused by the checks"

out=$(raw '{"cmd":"attach","name":"default","taps":[{"address":"192.122.1.60"},{},{"tap":"bt%d"},{"tap":"bt0"},{}]}')
expect_match "refused by the kernel: the 4th tap's name is the one the 3rd got" \
	'"ok":false.*taps\[3\]: creating tap bt0: the name is taken' "$out"
unchanged "refused by the kernel"
expect_fail "... the taps made before it are gone" "$IPBIN" -n "$HOST" link show dev bt0

# After the taps are made: dnsmasq's hosts file cannot be replaced (a directory in its place).
mv "$T/run/default.hosts" "$T/hosts.saved"
mkdir "$T/run/default.hosts"
touch "$T/run/default.hosts/keep"
expect_fail "refused after the taps were made: the hosts file cannot be written" \
	ctl attach default --count 5 --address 192.122.1.70
expect_match "... saying so" "updating dnsmasq's hosts file" "$(cat "$T/expect.out")"
rm -r "$T/run/default.hosts"
mv "$T/hosts.saved" "$T/run/default.hosts"
unchanged "refused after the taps were made"
expect_eq "... so the bridge still has its $n_before ports" "$n_before" "$(ports | wc -l)"

# ---------------------------------------------------------------- detach of several
n_rec=$(st_body "$T/state/default.taps" | jq '.taps | length')
expect_fail "detach of several, one of them not netd's, is refused" \
	ctl detach default vnet3 vnet4 vm5-p
expect_match "... naming it" "vm5-p is not a tap of network default" "$(cat "$T/expect.out")"
expect_eq "... and none of them went" "vnet3 vnet4" "$(ports | grep -xE 'vnet[34]' | xargs)"
out=$(ctl detach default vnet3 vnet4 vnet5 vnet6)
expect_eq "detach of several in one request: a line each" "4" \
	"$(grep -c '^default: detached vnet[3-6] (static lease 192\.122\.1\.1[3-6] removed)' <<<"$out")"
expect_match "... the guest of vnet5 gave its lease back" \
	"detached vnet5 \(static lease 192\.122\.1\.15 removed\) \(lease of 192\.122\.1\.15 released\)" "$out"
expect_eq "... the taps are gone" "" "$(ports | grep -xE 'vnet[3-6]' || true)"
expect_eq "... the record lost them" "$((n_rec - 4))" "$(st_body "$T/state/default.taps" | jq '.taps | length')"
expect_nomatch "... their static leases left the hosts file" "192\.122\.1\.1[3-6]$" \
	"$(cat "$T/run/default.hosts")"
expect_eq "... dnsmasq reread it, not restarted" "$pid_before" "$(nd_dnsmasq_pid default)"
expect_eq "... and no longer leases vnet5's guest" "" \
	"$(ctl leases default | awk -v m="${macs[5]}" '$1 == m {print $2}')"

# ---------------------------------------------------------------- down
expect_ok "down" ctl down default
expect_eq "down removes every tap" "" "$(nd_links_with_netd_alias)"
expect_fail "down forgets the attachments" test -e "$T/state/default.taps"

nd_finish
