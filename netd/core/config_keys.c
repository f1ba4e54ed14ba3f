/*
 * Every section of a network file and every key of each, one row a key, in the manner of
 * systemd-networkd's gperf tables: section, key, typed parser, where the value goes, where
 * its line is kept, limits. The rows of a section are in the order an "unknown key" error
 * lists them. config_parse.c dispatches through these tables and nothing else.
 *
 * The table sits above the parsers it names: it calls config_values.c, config_bond.c and
 * config_tap.c (and config_diag.c for errors and names), and none of them calls back here;
 * a parser learns its key from the row it is handed. Inside config only config_parse.c
 * calls this file (netd_config_key() lists the keys for callers outside).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "netd/fabric.h"
#include "netd/forward.h"
#include "netd/tap.h"
#include "config_priv.h"

/* ---- sections ---- */

static void *network_obj(struct parser *p)
{
	return p->n;
}

static void *host_obj(struct parser *p)
{
	return &p->n->hosts[p->n->n_hosts - 1];
}

static void *host_lines(struct parser *p)
{
	return &p->hl[p->n->n_hosts - 1];
}

static void *tap_obj(struct parser *p)
{
	return &p->n->taps[p->n->n_taps - 1];
}

static void *record_obj(struct parser *p)
{
	return &p->n->dns.records[p->n->dns.n_records - 1];
}

static void *bond_obj(struct parser *p)
{
	return &p->n->bond;
}

static int begin_host(struct parser *p)
{
	struct netd_network *n = p->n;
	struct netd_host *hosts;
	struct host_lines *hl;

	hosts = realloc(n->hosts, (n->n_hosts + 1) * sizeof(*hosts));
	if (!hosts)
		return cfg_fail_nomem(p);
	n->hosts = hosts;
	hl = realloc(p->hl, (n->n_hosts + 1) * sizeof(*hl));
	if (!hl)
		return cfg_fail_nomem(p);
	p->hl = hl;
	memset(&hosts[n->n_hosts], 0, sizeof(*hosts));
	memset(&hl[n->n_hosts], 0, sizeof(*hl));
	hosts[n->n_hosts].line = p->line;
	n->n_hosts++;
	return 0;
}

static int begin_tap(struct parser *p)
{
	struct netd_network *n = p->n;

	if (n->n_taps == NETD_TAPS_MAX)
		return cfg_fail(p, p->line,
		                "more than %d [Tap] sections; attach further taps with "
		                "netdctl attach",
		                NETD_TAPS_MAX);
	memset(&n->taps[n->n_taps], 0, sizeof(n->taps[0]));
	n->taps[n->n_taps].line = p->line;
	n->n_taps++;
	return 0;
}

/* Indexed by enum section; their names are config_diag.c's (cfg_section_name()). */
const struct cfg_section cfg_sections[SEC_MAX] = {
    [SEC_NETWORK] = {false, NULL, network_obj, network_obj},
    [SEC_DHCP] = {false, NULL, network_obj, network_obj},
    [SEC_HOST] = {true, begin_host, host_obj, host_lines},
    [SEC_POLICY] = {false, NULL, network_obj, network_obj},
    [SEC_BOND] = {false, NULL, bond_obj, bond_obj},
    [SEC_TAP] = {true, begin_tap, tap_obj, tap_obj},
    [SEC_DNS] = {false, NULL, network_obj, network_obj},
    [SEC_DNS_RECORD] = {true, cfg_begin_record, record_obj, record_obj},
    [SEC_VXLAN] = {false, NULL, network_obj, network_obj},
    [SEC_FORWARD] = {true, cfg_begin_forward, cfg_forward_obj, cfg_forward_obj},
};

/* ---- keys ---- */

#define AT(type, field)   .off = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define LINE(type, field) .line = (int)offsetof(type, field)

#define NET(field)      AT(struct netd_network, field)
#define NET_LINE(field) LINE(struct netd_network, field)
#define HOST(field)     AT(struct netd_host, field), LINE(struct host_lines, field)
#define TAP(key, name_, parser, field)                                                             \
	.sec = SEC_TAP, .name = name_, .parse = parser, AT(struct netd_tap, field),                \
	LINE(struct netd_tap, key_line[NETD_TAP_KEY_##key])
#define REC(field, line_) AT(struct netd_dns_record, field), LINE(struct netd_dns_record, line_)
#define FWD(key, name_, parser, field)                                                             \
	.sec = SEC_FORWARD, .name = name_, .parse = parser, AT(struct netd_forward, field),        \
	LINE(struct netd_forward, key_line[NETD_FWD_KEY_##key]), .flags = CFG_IN_SECTION
#define POLICY(cell)                                                                               \
	.sec = SEC_POLICY, .parse = cfg_parse_enum, NET(policy[cell]),                             \
	NET_LINE(policy_line[cell]), .lookup = netd_policy_from_string,                            \
	.hint = "use allow or deny", .id = cell
#define BOND(opt, parser, field)                                                                   \
	.sec = SEC_BOND, .parse = parser, AT(struct netd_bond, field),                             \
	LINE(struct netd_bond, opt_line[NETD_BOND_OPT_##opt]), .id = NETD_BOND_OPT_##opt

static const struct cfg_key keys[] = {
    /* [Network] */
    {SEC_NETWORK, "Name", cfg_parse_netname, NET(name), NET_LINE(line_name)},
    {SEC_NETWORK, "Mode", cfg_parse_enum, NET(mode), NET_LINE(line_mode),
     .lookup = netd_mode_from_string, .hint = "use nat, bridged, hostonly, internal or routed",
     .flags = CFG_UNKNOWN},
    {SEC_NETWORK, "Bridge", cfg_parse_ifname, NET(bridge), NET_LINE(line_bridge)},
    {SEC_NETWORK, "Address", cfg_parse_host_prefix, NET(address), NET_LINE(line_address), .min = 8,
     .max = 30, .flags = CFG_V6_TWIN},
    {SEC_NETWORK, "Address", cfg_parse_host_prefix6, NET(address6), NET_LINE(line_address6),
     .min = 48, .max = 120, .flags = CFG_TWIN},
    {SEC_NETWORK, "Autostart", cfg_parse_bool, NET(autostart), CFG_NO_LINE},
    {SEC_NETWORK, "Uplink", cfg_parse_ifname, NET(uplink), NET_LINE(line_uplink)},
    {SEC_NETWORK, "GuestSourceCheck", cfg_parse_bool, NET(guest_source_check), CFG_NO_LINE},
    {SEC_NETWORK, "MTU", cfg_parse_uint, NET(mtu), NET_LINE(line_mtu), .min = 68, .max = 65535},
    {SEC_NETWORK, "NATAddress", cfg_parse_ipv4, NET(nat_address), NET_LINE(line_nat_address)},
    {SEC_NETWORK, "NATPorts", cfg_parse_nat_ports, NET(nat_ports), NET_LINE(line_nat_ports)},
    {SEC_NETWORK, "IPv6NAT", cfg_parse_bool, NET(ipv6_nat), NET_LINE(line_ipv6_nat)},

    /* [DHCP] */
    {SEC_DHCP, "Range", cfg_parse_ranges, NET(dhcp_first), CFG_NO_LINE,
     .flags = CFG_REPEATS | CFG_V6_TWIN},
    {SEC_DHCP, "Range", cfg_parse_range6, NET(dhcp6_first), NET_LINE(line_range6),
     .flags = CFG_TWIN},
    {SEC_DHCP, "LeaseTime", cfg_parse_lease_time, NET(lease_time), CFG_NO_LINE,
     .min = MIN_LEASE_TIME, .max = UINT_MAX},
    {SEC_DHCP, "Router", cfg_parse_router, NET(dhcp.router), NET_LINE(dhcp.line_router)},
    {SEC_DHCP, "DNS", cfg_parse_addr_list, NET(dhcp.dns), NET_LINE(dhcp.line_dns),
     .max = NETD_DHCP_ADDRS_MAX},
    {SEC_DHCP, "NTP", cfg_parse_addr_list, NET(dhcp.ntp), NET_LINE(dhcp.line_ntp),
     .max = NETD_DHCP_ADDRS_MAX},
    {SEC_DHCP, "Option", cfg_parse_dhcp_option, NET(dhcp.options), CFG_NO_LINE,
     .flags = CFG_REPEATS},
    {SEC_DHCP, "BootFile", cfg_parse_bootfile, NET(dhcp.bootfile), NET_LINE(dhcp.line_bootfile)},
    {SEC_DHCP, "NextServer", cfg_parse_ipv4, NET(dhcp.next_server),
     NET_LINE(dhcp.line_next_server)},

    /* [Host], one static lease each */
    {SEC_HOST, "MAC", cfg_parse_mac, HOST(mac), .hint = "52:54:00:12:34:56"},
    {SEC_HOST, "Address", cfg_parse_ipv4, HOST(addr), .flags = CFG_IN_SECTION | CFG_V6_TWIN},
    {SEC_HOST, "Address", cfg_parse_ipv6, HOST(addr6), .flags = CFG_IN_SECTION | CFG_TWIN},
    {SEC_HOST, "Name", cfg_parse_hostname, HOST(name), .flags = CFG_IN_SECTION},

    /* [Policy], one key a cell of the matrix, named by the model */
    {POLICY(NETD_CELL_VM_TO_HOST)},
    {POLICY(NETD_CELL_HOST_TO_VM)},
    {POLICY(NETD_CELL_VM_TO_OUTSIDE)},
    {POLICY(NETD_CELL_OUTSIDE_TO_VM)},
    {POLICY(NETD_CELL_VM_TO_VM)},

    /* [Tap], one guest's tap each */
    {TAP(NAME, "Name", cfg_parse_ifname, name), .hint = "the tap's", .flags = CFG_IN_SECTION},
    {TAP(MAC, "MAC", cfg_parse_guest_mac, mac), .flags = CFG_IN_SECTION},
    {TAP(ADDRESS, "Address", cfg_parse_ipv4, addr), .flags = CFG_IN_SECTION},
    {TAP(OWNER, "Owner", cfg_parse_id, owner), .hint = "user", .flags = CFG_IN_SECTION},
    {TAP(GROUP, "Group", cfg_parse_id, group), .hint = "group", .flags = CFG_IN_SECTION},
    {TAP(QUEUES, "Queues", cfg_parse_uint, queues), .min = 1, .max = NETD_TAP_QUEUES_MAX,
     .hint = "a number", .flags = CFG_IN_SECTION},

    /* [VXLAN]: the network spans the fabric's hosts (netd/fabric.h) */
    {SEC_VXLAN, "VNI", cfg_parse_uint, NET(vni), NET_LINE(line_vni), .min = 1, .max = NETD_VNI_MAX,
     .hint = "a VXLAN network identifier"},

    /* [Bond], in the order of enum netd_bond_opt; bond_opts.c names each key */
    {BOND(NAME, cfg_parse_ifname, name), .flags = CFG_IN_SECTION},
    {BOND(MODE, cfg_parse_enum, mode), .values = &netd_bond_modes},
    {BOND(SLAVES, cfg_parse_slaves, slaves)},
    {BOND(MIIMON, cfg_parse_ms, miimon), .max = INT_MAX},
    {BOND(UPDELAY, cfg_parse_ms, updelay), .max = INT_MAX},
    {BOND(DOWNDELAY, cfg_parse_ms, downdelay), .max = INT_MAX},
    {BOND(ARP_INTERVAL, cfg_parse_ms, arp_interval), .max = INT_MAX},
    {BOND(ARP_IP_TARGETS, cfg_parse_arp_targets, arp_targets)},
    {BOND(ARP_VALIDATE, cfg_parse_enum, arp_validate), .values = &netd_bond_arp_validates},
    {BOND(ARP_ALL_TARGETS, cfg_parse_enum, arp_all_targets), .values = &netd_bond_arp_all_targets},
    {BOND(LACP_RATE, cfg_parse_enum, lacp_rate), .values = &netd_bond_lacp_rates},
    {BOND(AD_SELECT, cfg_parse_enum, ad_select), .values = &netd_bond_ad_selects},
    {BOND(AD_ACTOR_SYS_PRIO, cfg_parse_uint, ad_actor_sys_prio), .min = 1, .max = 65535},
    {BOND(AD_USER_PORT_KEY, cfg_parse_uint, ad_user_port_key), .max = 1023},
    {BOND(AD_ACTOR_SYSTEM, cfg_parse_system_mac, ad_actor_system), .hint = "02:00:00:00:00:01"},
    {BOND(XMIT_HASH_POLICY, cfg_parse_enum, xmit_hash_policy),
     .values = &netd_bond_xmit_hash_policies},
    {BOND(PRIMARY, cfg_parse_ifname, primary), .flags = CFG_IN_SECTION},
    {BOND(PRIMARY_RESELECT, cfg_parse_enum, primary_reselect),
     .values = &netd_bond_primary_reselects},
    {BOND(FAIL_OVER_MAC, cfg_parse_enum, fail_over_mac), .values = &netd_bond_fail_over_macs},
    {BOND(MIN_LINKS, cfg_parse_uint, min_links), .max = INT_MAX},
    {BOND(RESEND_IGMP, cfg_parse_uint, resend_igmp), .max = 255},
    {BOND(NUM_PEER_NOTIF, cfg_parse_uint, num_peer_notif), .max = 255},
    {BOND(ALL_SLAVES_ACTIVE, cfg_parse_bool, all_slaves_active)},
    {BOND(PACKETS_PER_SLAVE, cfg_parse_uint, packets_per_slave), .max = 65535},
    /* The kernel counts whole seconds, from 1; networkd sends nothing below 1s. */
    {BOND(LP_INTERVAL, cfg_parse_secs, lp_interval), .max = INT_MAX / 1000},
    {BOND(TLB_DYNAMIC_LB, cfg_parse_bool, tlb_dynamic_lb)},
    {BOND(ARP_MISSED_MAX, cfg_parse_uint, arp_missed_max), .max = 255},
    {BOND(PEER_NOTIFY_DELAY, cfg_parse_ms, peer_notify_delay), .max = INT_MAX},

    /* [DNS], one per network */
    {SEC_DNS, "Enable", cfg_parse_dns_enable, NET(dns.disabled), NET_LINE(dns.line_enable)},
    {SEC_DNS, "Domain", cfg_parse_domain, NET(dns.domain), NET_LINE(dns.line_domain)},
    {SEC_DNS, "LocalOnly", cfg_parse_bool, NET(dns.local_only), NET_LINE(dns.line_local_only)},
    {SEC_DNS, "Forwarders", cfg_parse_forwarders, NET(dns.forwarders),
     NET_LINE(dns.line_forwarders)},

    /* [DNSRecord], one record each */
    {SEC_DNS_RECORD, "Type", cfg_parse_record_type, REC(type, type_line)},
    {SEC_DNS_RECORD, "Name", cfg_parse_record_text, REC(name, name_line), .flags = CFG_IN_SECTION},
    {SEC_DNS_RECORD, "Value", cfg_parse_record_text, REC(value, value_line)},

    /* [Forward], one port forward each (config_forward.c) */
    {FWD(PROTOCOL, "Protocol", cfg_parse_enum, proto), .lookup = netd_forward_proto_from_string,
     .hint = "use tcp or udp"},
    {FWD(HOST_PORT, "HostPort", cfg_parse_port_range, host_port)},
    {FWD(GUEST_ADDRESS, "GuestAddress", cfg_parse_ipv4, guest)},
    {FWD(GUEST_PORT, "GuestPort", cfg_parse_port_range, guest_port)},
    {FWD(HOST_ADDRESS, "HostAddress", cfg_parse_ipv4, host_addr)},
};

_Static_assert(sizeof(keys) / sizeof(keys[0]) == CFG_N_KEYS, "CFG_N_KEYS is not the row count");
const struct cfg_key *const cfg_keys = keys;

const struct cfg_key *cfg_key_find(enum section s, const char *name)
{
	for (size_t i = 0; i < CFG_N_KEYS; i++)
		if (cfg_keys[i].sec == s && !(cfg_keys[i].flags & CFG_TWIN) &&
		    strcmp(cfg_key_name(&cfg_keys[i]), name) == 0)
			return &cfg_keys[i];
	return NULL;
}

/* A twin is the same key as the row before it: the list names each key once. */
int netd_config_key(size_t i, const char **section, const char **key)
{
	for (size_t r = 0; r < CFG_N_KEYS; r++) {
		if (cfg_keys[r].flags & CFG_TWIN)
			continue;
		if (i-- == 0) {
			*section = cfg_section_name(cfg_keys[r].sec);
			*key = cfg_key_name(&cfg_keys[r]);
			return 0;
		}
	}
	return -ENOENT;
}
