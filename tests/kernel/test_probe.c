/*
 * The probe against a real kernel: a private network namespace is the "host" (a bridge with
 * 192.122.1.1/24, a dnsmasq on it, a tiny nft table), a peer namespace behind a veth is the
 * "outside". The probe core must measure what those rules do and leave nothing behind.
 * The bridge and the peer are dual-stack (fd42:7a:1::1/64 with dnsmasq's RAs, fd00:51::/64
 * towards the peer): a target with an IPv6 prefix is measured over IPv6 too (issue 10).
 * The test also unshares its mount namespace so the peer's /run/netns entry is private.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

#define BR      "brp0"
#define BR_BARE "brp1" /* a bridge without an address, like an internal network's */
#define PEER_NS "netd-probe-peer"

static char dir[] = "/tmp/netd-probe-test-XXXXXX";
static char leases_path[256];
static pid_t dnsmasq_pid;

static const enum netd_policy nat[NETD_CELL_MAX] = {
    [NETD_CELL_VM_TO_HOST] = NETD_POLICY_ALLOW,    [NETD_CELL_HOST_TO_VM] = NETD_POLICY_DENY,
    [NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_ALLOW, [NETD_CELL_OUTSIDE_TO_VM] = NETD_POLICY_DENY,
    [NETD_CELL_VM_TO_VM] = NETD_POLICY_ALLOW,
};

static int sh(const char *cmd)
{
	int st = system(cmd);

	if (st != 0)
		fprintf(stderr, "command failed (%d): %s\n", st, cmd);
	return st;
}

static const char *dnsmasq_bin(void)
{
	const char *s = getenv("NETD_DNSMASQ");

	return s && *s ? s : "/usr/sbin/dnsmasq";
}

static int setup(void **state)
{
	char conf[300], cmd[1024];
	FILE *f;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
		perror("unshare(CLONE_NEWNET | CLONE_NEWNS) (this test needs root)");
		return -1;
	}
	/* Our own /run/netns: `ip netns add` below is invisible to the machine. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    (mkdir("/run/netns", 0755) != 0 && errno != EEXIST) ||
	    mount("tmpfs", "/run/netns", "tmpfs", 0, "mode=0755") != 0 ||
	    umount2("/sys", MNT_DETACH) != 0 || mount("sysfs", "/sys", "sysfs", 0, NULL) != 0) {
		/* sysfs shows the links of the namespace that mounted it: remount for ours */
		perror("private /run/netns and /sys");
		return -1;
	}
	if (!mkdtemp(dir))
		return -1;
	snprintf(leases_path, sizeof(leases_path), "%s/leases", dir);
	snprintf(conf, sizeof(conf), "%s/dnsmasq.conf", dir);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f,
	        "interface=" BR
	        "\nbind-interfaces\nexcept-interface=lo\nlisten-address=192.122.1.1\n"
	        "port=0\nno-resolv\nno-hosts\nuser=root\n"
	        "pid-file=%s/dnsmasq.pid\ndhcp-leasefile=%s\n"
	        "dhcp-range=192.122.1.2,192.122.1.254,255.255.255.0,1h\n"
	        "dhcp-authoritative\nno-ping\ndhcp-option=3,192.122.1.1\n"
	        "enable-ra\ndhcp-range=fd42:7a:1::,ra-only,64\n",
	        dir, leases_path);
	fclose(f);

	if (sh("set -e; ip link set lo up;"
	       "ip link add " BR " type bridge; ip addr add 192.122.1.1/24 dev " BR ";"
	       "ip link set " BR " up;"
	       "ip addr add fd42:7a:1::1/64 dev " BR " nodad;"
	       "ip link add " BR_BARE " type bridge; ip link set " BR_BARE " up;"
	       /* the outside: a peer namespace routed through this "host" */
	       "ip netns add " PEER_NS ";"
	       "ip link add pv0 type veth peer name pv1; ip link set pv1 netns " PEER_NS ";"
	       "ip addr add 198.51.100.1/24 dev pv0; ip link set pv0 up;"
	       "ip -n " PEER_NS " link set lo up;"
	       "ip -n " PEER_NS " addr add 198.51.100.2/24 dev pv1;"
	       "ip -n " PEER_NS " link set pv1 up;"
	       "ip -n " PEER_NS " route add default via 198.51.100.1;"
	       "ip addr add fd00:51::1/64 dev pv0 nodad;"
	       "ip -n " PEER_NS " addr add fd00:51::2/64 dev pv1 nodad;"
	       "ip -n " PEER_NS " -6 route add default via fd00:51::1;"
	       "echo 1 > /proc/sys/net/ipv4/ip_forward;"
	       "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding") != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s --conf-file=%s", dnsmasq_bin(), conf);
	if (sh(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/dnsmasq.pid", dir);
	f = fopen(cmd, "r");
	if (!f || fscanf(f, "%d", &dnsmasq_pid) != 1) {
		fprintf(stderr, "no dnsmasq pid file\n");
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];

	if (dnsmasq_pid > 0)
		kill(dnsmasq_pid, SIGTERM);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	sh(cmd);
	/* The peer namespace lives on our private tmpfs: it goes with this process. */
	sh("ip netns del " PEER_NS);
	return 0;
}

/* Replace our rules: the only nft table in this namespace. */
static void rules(const char *body)
{
	char cmd[2048];

	system("nft delete table inet t 2>/dev/null");
	snprintf(cmd, sizeof(cmd), "nft -f - <<'EOF'\ntable inet t {\n%s\n}\nEOF", body);
	assert_int_equal(sh(cmd), 0);
}

/* nat's matrix: the host and the outside cannot open connections to the VMs. */
static const char nat_rules[] =
    "chain output { type filter hook output priority 0;\n"
    "  oifname \"" BR "\" udp sport 67 accept\n" /* dnsmasq's broadcast replies */
    "  oifname \"" BR "\" ct state new reject with icmp type admin-prohibited; }\n"
    "chain forward { type filter hook forward priority 0;\n"
    "  iifname \"pv0\" oifname \"" BR "\" ct state new reject with icmp type admin-prohibited; }";

/* nat's matrix for both families: icmpx rejects IPv4 and IPv6 alike; ICMPv6 other than echo
 * (neighbour discovery, dnsmasq's RAs) goes out to the VMs as the network needs it. */
static const char nat_rules_dual[] =
    "chain output { type filter hook output priority 0;\n"
    "  oifname \"" BR "\" udp sport 67 accept\n"
    "  oifname \"" BR "\" meta l4proto ipv6-icmp icmpv6 type != echo-request accept\n"
    "  oifname \"" BR "\" ct state new reject with icmpx type admin-prohibited; }\n"
    "chain forward { type filter hook forward priority 0;\n"
    "  iifname \"pv0\" oifname \"" BR "\" ct state new reject with icmpx type "
    "admin-prohibited; }";

static void target(struct netd_probe_target *t, const char *bridge, bool address, bool dhcp)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->name, "probetest");
	t->mode = NETD_MODE_NAT;
	strcpy(t->bridge, bridge);
	t->has_address = address;
	if (address)
		assert_int_equal(netd_prefix_parse("192.122.1.1/24", &t->address), 0);
	t->has_dhcp = dhcp;
	memcpy(t->expected, nat, sizeof(nat));
}

/* The same with the bridge's IPv6 prefix, as `status` gives it in "address6". */
static void target6(struct netd_probe_target *t)
{
	target(t, BR, true, true);
	t->has_address6 = true;
	assert_int_equal(inet_pton(AF_INET6, "fd42:7a:1::1", &t->address6), 1);
	t->address6_len = 64;
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Nothing of the probe's survives it: no prb* link, no port on the bridges, no child. */
static void assert_all_gone(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	char path[128];

	assert_non_null(ifs);
	for (i = ifs; i->if_index; i++)
		if (strncmp(i->if_name, "prb", 3) == 0)
			fail_msg("probe link %s left behind", i->if_name);
	if_freenameindex(ifs);
	for (int b = 0; b < 2; b++) {
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "/sys/class/net/%s/brif", b ? BR_BARE : BR);
		d = opendir(path);
		assert_non_null(d);
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				fail_msg("port %s left on %s", e->d_name, path);
		closedir(d);
	}
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* every child reaped */
	assert_int_equal(errno, ECHILD);
}

static void print_result(const struct netd_probe_result *r)
{
	netd_probe_format_text(stdout, r);
	for (int c = 0; c < NETD_CELL_MAX; c++) {
		if (r->cells[c].detail[0])
			printf("  %s: %s\n", netd_cell_to_string((enum netd_cell)c),
			       r->cells[c].detail);
		if (r->cells6[c].detail[0])
			printf("  %s (IPv6): %s\n", netd_cell_to_string((enum netd_cell)c),
			       r->cells6[c].detail);
	}
	fflush(stdout);
}

/* A probe run that must succeed, printed for the log. */
static void probe_ok(const struct netd_probe_target *t, const struct netd_probe_opts *opts,
                     struct netd_probe_result *r)
{
	struct netd_diag diag = {{0}};

	if (netd_probe_run(t, opts, r, &diag))
		fail_msg("probe: %s", diag.msg);
	print_result(r);
}

/* One family's verdict on cell c, as the text says it. */
static void assert_measured(const struct netd_probe_cell *cells, enum netd_cell c, const char *want)
{
	char text[64];

	assert_string_equal(netd_probe_cell_measured(&cells[c], text, sizeof(text)), want);
}

/* Every cell of one family measured, with ICMP and TCP agreeing with nat's policy. */
static void assert_nat_cells(const struct netd_probe_cell *cells)
{
	for (int c = 0; c < NETD_CELL_MAX; c++) {
		bool allow = nat[c] == NETD_POLICY_ALLOW;

		assert_int_equal(cells[c].how, NETD_PROBE_MEASURED);
		assert_true(cells[c].tcp_measured);
		assert_int_equal(cells[c].icmp, allow);
		assert_int_equal(cells[c].tcp, allow);
	}
}

static void nat_matrix_as_configured(void **state)
{
	struct netd_probe_opts opts = {.peer = "198.51.100.2", .peer_netns = PEER_NS};
	struct netd_probe_target t;
	struct netd_probe_result r, first;
	struct netd_diag diag = {{0}};
	struct netd_prefix net;
	char mac[18], *leases;
	int ret;

	rules(nat_rules);
	target(&t, BR, true, true);
	ret = netd_probe_run(&t, &opts, &r, &diag);
	if (ret)
		fail_msg("probe: %s", diag.msg);
	print_result(&r);

	assert_int_equal(r.cells[NETD_CELL_VM_TO_HOST].how, NETD_PROBE_MEASURED);
	assert_true(r.cells[NETD_CELL_VM_TO_HOST].icmp);
	assert_true(r.cells[NETD_CELL_VM_TO_HOST].tcp);
	assert_int_equal(r.cells[NETD_CELL_HOST_TO_VM].how, NETD_PROBE_MEASURED);
	assert_false(r.cells[NETD_CELL_HOST_TO_VM].icmp);
	assert_false(r.cells[NETD_CELL_HOST_TO_VM].tcp);
	assert_int_equal(r.cells[NETD_CELL_VM_TO_OUTSIDE].how, NETD_PROBE_MEASURED);
	assert_true(r.cells[NETD_CELL_VM_TO_OUTSIDE].tcp_measured);
	assert_true(r.cells[NETD_CELL_VM_TO_OUTSIDE].icmp);
	assert_true(r.cells[NETD_CELL_VM_TO_OUTSIDE].tcp);
	assert_int_equal(r.cells[NETD_CELL_OUTSIDE_TO_VM].how, NETD_PROBE_MEASURED);
	assert_false(r.cells[NETD_CELL_OUTSIDE_TO_VM].icmp);
	assert_false(r.cells[NETD_CELL_OUTSIDE_TO_VM].tcp);
	assert_int_equal(r.cells[NETD_CELL_VM_TO_VM].how, NETD_PROBE_MEASURED);
	assert_true(r.cells[NETD_CELL_VM_TO_VM].icmp);
	assert_true(r.cells[NETD_CELL_VM_TO_VM].tcp);
	assert_int_equal(netd_probe_differences(&r), 0);
	/* Denial is an admin-prohibited reject: it must not cost a timeout each. */
	assert_true(r.elapsed_ms < 3000);

	/* Both VMs hold a lease from dnsmasq, and dnsmasq's file says so. */
	assert_int_equal(r.n_vms, 2);
	assert_int_equal(netd_prefix_parse("192.122.1.0/24", &net), 0);
	leases = slurp(leases_path);
	assert_non_null(leases);
	for (int i = 0; i < 2; i++) {
		char line[64];

		assert_true(r.vms[i].dhcp);
		assert_true(netd_prefix_contains(&net, r.vms[i].addr));
		assert_int_equal(r.vms[i].plen, 24);
		netd_mac_format(r.vms[i].mac, mac);
		snprintf(line, sizeof(line), " %s %s ", mac, inet_ntoa(r.vms[i].addr));
		if (!strstr(leases, line))
			fail_msg("lease '%s' not in %s:\n%s", line, leases_path, leases);
	}
	assert_int_not_equal(r.vms[0].addr.s_addr, r.vms[1].addr.s_addr);
	assert_all_gone();

	/* Run again: the VMs come back with the same MACs and so the same leases. */
	first = r;
	ret = netd_probe_run(&t, &opts, &r, &diag);
	if (ret)
		fail_msg("second probe: %s", diag.msg);
	assert_int_equal(netd_probe_differences(&r), 0);
	leases = slurp(leases_path);
	assert_non_null(leases);
	for (int i = 0; i < 2; i++) {
		assert_memory_equal(r.vms[i].mac, first.vms[i].mac, 6);
		assert_int_equal(r.vms[i].addr.s_addr, first.vms[i].addr.s_addr);
	}
	assert_int_equal(count_lines(leases), 2);
	assert_all_gone();
}

/* Rules that break the matrix are seen as such: a mixed cell and a denied one. */
static void differences_are_measured(void **state)
{
	struct netd_probe_opts opts = {.timeout_ms = 500};
	struct netd_probe_target t;
	struct netd_probe_result r;
	struct netd_diag diag = {{0}};
	char text[64];
	int ret;

	rules("chain input { type filter hook input priority 0;\n"
	      "  iifname \"" BR "\" meta l4proto tcp ct state new reject with tcp reset; }\n"
	      "chain forward { type filter hook forward priority 0;\n"
	      "  iifname \"" BR "\" oifname \"" BR "\" drop; }");
	target(&t, BR, true, false); /* static addresses this time */
	/* Someone already holds .254 on the bridge: the probe must not take it. */
	assert_int_equal(
	    sh("set -e; ip netns add squat;"
	       "ip link add sq0 type veth peer name sq1; ip link set sq1 netns squat;"
	       "ip link set sq0 master " BR " up;"
	       "ip -n squat addr add 192.122.1.254/24 dev sq1; ip -n squat link set sq1 up"),
	    0);
	ret = netd_probe_run(&t, &opts, &r, &diag);
	if (ret)
		fail_msg("probe: %s", diag.msg);
	print_result(&r);

	assert_string_equal(
	    netd_probe_cell_measured(&r.cells[NETD_CELL_VM_TO_HOST], text, sizeof(text)),
	    "mixed (icmp ok, tcp blocked)");
	/* no rule against it any more: the host reaches the VM */
	assert_string_equal(
	    netd_probe_cell_measured(&r.cells[NETD_CELL_HOST_TO_VM], text, sizeof(text)), "allow");
	assert_string_equal(
	    netd_probe_cell_measured(&r.cells[NETD_CELL_VM_TO_VM], text, sizeof(text)), "deny");
	assert_int_equal(r.cells[NETD_CELL_VM_TO_OUTSIDE].how, NETD_PROBE_NOT_MEASURED);
	assert_int_equal(r.cells[NETD_CELL_OUTSIDE_TO_VM].how, NETD_PROBE_NOT_MEASURED);
	assert_int_equal(netd_probe_differences(&r), 3);
	/* static: the two highest free host addresses */
	assert_string_equal(inet_ntoa(r.vms[0].addr), "192.122.1.253");
	assert_string_equal(inet_ntoa(r.vms[1].addr), "192.122.1.252");
	assert_false(r.vms[0].dhcp);
	assert_int_equal(sh("ip link del sq0 && ip netns del squat"), 0);
	assert_all_gone();
}

/* A bridge without an address: the host cannot be reached, the VMs use 192.0.2.x. */
static void no_host_address(void **state)
{
	struct netd_probe_opts opts = {0};
	struct netd_probe_target t;
	struct netd_probe_result r;
	struct netd_diag diag = {{0}};
	int ret;

	rules("chain forward { type filter hook forward priority 0; }");
	target(&t, BR_BARE, false, false);
	ret = netd_probe_run(&t, &opts, &r, &diag);
	if (ret)
		fail_msg("probe: %s", diag.msg);
	print_result(&r);
	assert_int_equal(r.cells[NETD_CELL_VM_TO_HOST].how, NETD_PROBE_NO_ADDRESS);
	assert_int_equal(r.cells[NETD_CELL_HOST_TO_VM].how, NETD_PROBE_NO_ADDRESS);
	assert_int_equal(r.cells[NETD_CELL_VM_TO_VM].how, NETD_PROBE_MEASURED);
	assert_true(r.cells[NETD_CELL_VM_TO_VM].icmp && r.cells[NETD_CELL_VM_TO_VM].tcp);
	/* no IPv6 prefix: measured as before issue 10, IPv4 only */
	assert_int_equal(r.v6, NETD_PROBE_V6_OFF);
	assert_false(r.vms[0].has_addr6);
	assert_string_equal(inet_ntoa(r.vms[0].addr), "192.0.2.1");
	assert_string_equal(inet_ntoa(r.vms[1].addr), "192.0.2.2");
	/* nat's expectation VMToHost allow is not met by a bridge without an address */
	assert_int_equal(netd_probe_differences(&r), 1);
	assert_all_gone();
}

/*
 * A network with an IPv6 prefix: the VMs take SLAAC addresses from dnsmasq's RAs and every
 * cell is measured over IPv6 as well as IPv4, by ICMPv6 echo and TCP connect to the IPv6
 * peer. A network without one keeps IPv6 off in its VMs (the other tests: v6 is OFF).
 */
static void nat_matrix_ipv6(void **state)
{
	struct netd_probe_opts opts = {
	    .peer = "198.51.100.2", .peer6 = "fd00:51::2", .peer_netns = PEER_NS};
	struct netd_probe_target t;
	struct netd_probe_result r;
	struct netd_prefix6 net;
	json_object *j, *c6, *cell;

	rules(nat_rules_dual);
	target6(&t);
	probe_ok(&t, &opts, &r);

	assert_int_equal(r.v6, NETD_PROBE_V6_MEASURED);
	assert_nat_cells(r.cells);
	assert_nat_cells(r.cells6);
	assert_int_equal(netd_probe_differences(&r), 0);
	/* the IPv6 cells went to IPv6 addresses: the peer's, the host's, the VMs' */
	assert_non_null(strstr(r.cells6[NETD_CELL_VM_TO_OUTSIDE].detail, "[fd00:51::2]"));
	assert_non_null(strstr(r.cells6[NETD_CELL_VM_TO_HOST].detail, "[fd42:7a:1::1]"));
	/* SLAAC addresses in the bridge's prefix, from the VMs' MACs (EUI-64), one each */
	assert_int_equal(netd_prefix6_parse("fd42:7a:1::/64", &net), 0);
	for (int i = 0; i < 2; i++) {
		assert_true(r.vms[i].has_addr6);
		assert_int_equal(r.vms[i].plen6, 64);
		assert_true(netd_prefix6_contains(&net, &r.vms[i].addr6));
		assert_int_equal(r.vms[i].addr6.s6_addr[15], r.vms[i].mac[5]);
	}
	assert_memory_not_equal(&r.vms[0].addr6, &r.vms[1].addr6, 16);

	/* --json: "cells" as before, "cells6" of the same shape */
	j = netd_probe_format_json(&r);
	assert_true(json_object_object_get_ex(j, "cells6", &c6));
	assert_true(json_object_object_get_ex(c6, "outside_to_vm", &cell));
	assert_string_equal(json_object_get_string(json_object_object_get(cell, "measured")),
	                    "deny");
	json_object_put(j);
	assert_all_gone();
}

/* IPv6 is measured on its own: rules that drop IPv6 between the VMs leave IPv4 alone. */
static void ipv6_differs_from_ipv4(void **state)
{
	struct netd_probe_opts opts = {.timeout_ms = 500};
	struct netd_probe_result r;
	struct netd_probe_target t;

	rules("chain forward { type filter hook forward priority 0;\n"
	      "  meta nfproto ipv6 iifname \"" BR "\" oifname \"" BR "\" "
	      "meta l4proto != ipv6-icmp drop;\n"
	      "  meta nfproto ipv6 iifname \"" BR "\" oifname \"" BR "\" "
	      "icmpv6 type echo-request drop; }\n"
	      "chain output { type filter hook output priority 0;\n"
	      "  oifname \"" BR "\" udp sport 67 accept\n"
	      "  oifname \"" BR "\" meta l4proto ipv6-icmp icmpv6 type != echo-request accept\n"
	      "  oifname \"" BR "\" ct state new reject with icmpx type admin-prohibited; }");
	target6(&t);
	probe_ok(&t, &opts, &r);
	assert_measured(r.cells, NETD_CELL_VM_TO_VM, "allow");
	assert_measured(r.cells6, NETD_CELL_VM_TO_VM, "deny");
	assert_measured(r.cells6, NETD_CELL_VM_TO_HOST, "allow");
	assert_measured(r.cells6, NETD_CELL_HOST_TO_VM, "deny");
	/* no --peer6: IPv6's outside cells are not measured */
	assert_int_equal(r.cells6[NETD_CELL_VM_TO_OUTSIDE].how, NETD_PROBE_NOT_MEASURED);
	assert_int_equal(r.cells6[NETD_CELL_OUTSIDE_TO_VM].how, NETD_PROBE_NOT_MEASURED);
	assert_int_equal(netd_probe_differences(&r), 1);

	/* not a /64: no SLAAC, and the probe says IPv6 was not measured rather than guess */
	t.address6_len = 80;
	probe_ok(&t, &opts, &r);
	assert_int_equal(r.v6, NETD_PROBE_V6_NO_SLAAC);
	assert_non_null(strstr(r.note6, "SLAAC needs a /64"));
	assert_int_equal(r.cells6[NETD_CELL_VM_TO_VM].how, NETD_PROBE_NOT_MEASURED);
	assert_false(r.vms[0].has_addr6);
	assert_all_gone();
}

static void refuses_without_root_and_bad_input(void **state)
{
	struct netd_probe_opts opts = {0};
	struct netd_probe_target t;
	struct netd_probe_result r;
	struct netd_diag diag = {{0}};
	pid_t pid;
	int st;

	target(&t, BR, true, true);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setresuid(65534, 65534, 65534) != 0)
			_exit(2);
		_exit(netd_probe_run(&t, &opts, &r, &diag) == -EPERM &&
		              strstr(diag.msg, "needs root")
		          ? 0
		          : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	opts.peer = "not-an-address";
	assert_int_equal(netd_probe_run(&t, &opts, &r, &diag), -EINVAL);
	opts.peer = NULL;
	opts.peer6 = "198.51.100.2"; /* IPv4 where IPv6 is asked for */
	assert_int_equal(netd_probe_run(&t, &opts, &r, &diag), -EINVAL);
	assert_non_null(strstr(diag.msg, "not an IPv6 address"));
	opts.peer6 = NULL;
	opts.peer_netns = "does-not-exist";
	assert_int_not_equal(netd_probe_run(&t, &opts, &r, &diag), 0);
	assert_non_null(strstr(diag.msg, "does-not-exist"));
	/* A second probe of the same network waits for nobody: it says so. */
	{
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM, 0), len;

		len = snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "netd-probe:%s", t.name);
		assert_int_equal(
		    bind(fd, (struct sockaddr *)&sun,
		         (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)),
		    0);
		assert_int_equal(netd_probe_run(&t, &opts, &r, &diag), -EADDRINUSE);
		assert_non_null(strstr(diag.msg, "another probe of probetest"));
		close(fd);
	}
	strcpy(t.bridge, "nosuchbr0");
	opts.peer_netns = NULL;
	assert_int_equal(netd_probe_run(&t, &opts, &r, &diag), -ENODEV);
	assert_all_gone();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(nat_matrix_as_configured),
	    cmocka_unit_test(differences_are_measured),
	    cmocka_unit_test(no_host_address),
	    cmocka_unit_test(nat_matrix_ipv6),
	    cmocka_unit_test(ipv6_differs_from_ipv4),
	    cmocka_unit_test(refuses_without_root_and_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
