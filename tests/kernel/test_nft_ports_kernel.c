/*
 * Table bridge netd against the kernel, in a network namespace of the test's own: the guests'
 * bound ports applied with a network, one at a time (attach, detach), verified, removed. nft(8)
 * is the witness: each port chain lists exactly as the renderer writes it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/mode.h"
#include "netd/kernel/nft.h"

static struct netd_nft *nft;

/* stdout and stderr of `sh -c cmd` (caller frees); *ok: it exited 0. */
static char *output(bool *ok, const char *cmd)
{
	char *text = NULL, buf[4096], full[1024];
	size_t len = 0, got;
	FILE *m = open_memstream(&text, &len), *p;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	assert_non_null(p);
	assert_non_null(m);
	while ((got = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, got, m);
	*ok = pclose(p) == 0;
	fclose(m);
	return text;
}

static bool holds(const char *cmd, const char *what)
{
	bool ok;
	char *out = output(&ok, cmd);
	bool found = ok && strstr(out, what);

	free(out);
	return found;
}

static bool bridge_table(void)
{
	bool ok;

	free(output(&ok, "nft list table bridge netd"));
	return ok;
}

static int clean(void **state)
{
	bool ok;

	free(output(&ok, "nft delete table inet netd; nft delete table bridge netd"));
	return 0;
}

static struct netd_nft_net *build(const char *name, enum netd_mode mode, const char *bridge,
                                  const char *address, const struct netd_nft_guest *g, size_t count)
{
	struct netd_network *n = netd_network_new();
	struct netd_nft_net *x;

	assert_non_null(n);
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	n->mode = mode;
	memcpy(n->policy, netd_mode_ops(mode)->defaults, sizeof(n->policy));
	if (address) {
		n->has_address = n->has_dhcp = true;
		assert_int_equal(netd_prefix_parse(address, &n->address), 0);
	}
	assert_int_equal(netd_nft_net_build_guests(n, g, count, &x), 0);
	netd_network_free(n);
	return x;
}

static struct netd_nft_guest guest(const char *port, uint8_t last, const char *addr)
{
	struct netd_nft_guest g = {.mac = {0x52, 0x54, 0, 0xaa, 0, last}};

	snprintf(g.port, sizeof(g.port), "%s", port);
	if (addr)
		assert_int_equal(netd_ipv4_parse(addr, &g.addr), 0);
	return g;
}

static void ok(int ret, const struct netd_diag *diag, const char *what)
{
	if (ret != 0)
		fail_msg("%s: %s (%s)", what, strerror(-ret), diag->msg);
}

static void apply(const struct netd_nft_net *x)
{
	struct netd_diag diag = {""};

	ok(netd_nft_apply_net(nft, x, &diag), &diag, x->network);
}

static struct netd_nft_drift drift_of(const struct netd_nft_net *x)
{
	struct netd_nft_drift d;

	assert_int_equal(netd_nft_verify_net(nft, x, &d), 0);
	return d;
}

/* The kernel holds exactly what x wants, in both tables: its ports and nothing else of its
 * in table bridge netd. */
static void verified(const struct netd_nft_net *x)
{
	struct netd_nft_drift d = drift_of(x);

	if (d.n != 0)
		fail_msg("%s: %u differences: %s", x->network, d.n, d.what);
}

/* `nft list chain bridge netd <port chain>` is the rendered chain, the digest on rule 1. */
static void lists_as_rendered(const struct netd_nft_port *p)
{
	char cmd[128], *want = NULL, *got;
	size_t len;
	FILE *f = open_memstream(&want, &len);
	bool ran;

	assert_non_null(f);
	fprintf(f, "table bridge netd {\n\tchain %s {\n", p->chain.name);
	for (size_t i = 0; i < p->chain.n_rules; i++) {
		fputs("\t\t", f);
		assert_int_equal(netd_nft_render_rule(&p->chain.rules[i], f), 0);
		fprintf(f, i == 0 ? " comment \"netd:%s\"\n" : "\n", p->digest);
	}
	fputs("\t}\n}\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "nft list chain bridge netd %s", p->chain.name);
	got = output(&ran, cmd);
	if (!ran || strcmp(got, want) != 0) {
		print_error("--- kernel\n%s--- expected\n%s", got, want);
		fail_msg("chain %s differs from the rendered text", p->chain.name);
	}
	free(got);
	free(want);
}

/* A network's ports go in with it, list as rendered, are observed as the IR says; re-applying
 * changes nothing; GuestSourceCheck turned off takes them and the table away. */
static void test_ports_with_the_network(void **state)
{
	struct netd_nft_guest g[] = {guest("vnet0", 1, "10.9.0.10"), guest("vnet1", 2, NULL)};
	struct netd_nft_net *x = build("a", NETD_MODE_NAT, "bra", "10.9.0.1/24", g, 2);
	struct netd_nft_net *off = build("a", NETD_MODE_NAT, "bra", "10.9.0.1/24", NULL, 0);
	bool ran;
	char *before, *after;

	assert_false(drift_of(x).present);
	apply(x);
	for (size_t i = 0; i < x->n_ports; i++)
		lists_as_rendered(&x->ports[i]);
	assert_true(holds("nft list map bridge netd port_if", "\"vnet0\" : jump port_a.vnet0"));
	assert_true(holds("nft list chain bridge netd prerouting",
	                  "type filter hook prerouting priority filter; policy accept;\n"
	                  "\t\tiifname vmap @port_if\n"));
	verified(x);
	before = output(&ran, "nft list ruleset");
	apply(x);
	after = output(&ran, "nft list ruleset");
	assert_string_equal(before, after);
	free(before);
	free(after);

	apply(off);
	verified(off);
	assert_false(bridge_table());
	assert_true(holds("nft list chain inet netd fwdi_a", "ip saddr != 10.9.0.0/24 drop"));
	netd_nft_net_free(x);
	netd_nft_net_free(off);
}

/* Attach binds one port and detach unbinds it, without touching the network's other chains;
 * what the kernel holds then is what the IR with and without that guest says. */
static void test_one_port_at_a_time(void **state)
{
	struct netd_nft_guest g[] = {guest("vnet0", 1, "10.9.0.10"), guest("vnet9", 9, NULL)};
	struct netd_nft_net *x = build("a", NETD_MODE_NAT, "bra", "10.9.0.1/24", g, 1);
	struct netd_nft_net *y = build("a", NETD_MODE_NAT, "bra", "10.9.0.1/24", g, 2);
	struct netd_diag diag = {""};
	char *before, *after;
	bool ran;

	apply(x);
	before = output(&ran, "nft -a list chain bridge netd port_a.vnet0; nft -a list table inet "
	                      "netd");
	ok(netd_nft_apply_port(nft, y, "vnet9", &diag), &diag, "attach");
	verified(y);
	lists_as_rendered(netd_nft_net_port(y, "vnet9"));
	after = output(&ran, "nft -a list chain bridge netd port_a.vnet0; nft -a list table inet "
	                     "netd");
	assert_string_equal(before, after); /* same rules, same handles */
	free(after);
	verified(y);

	ok(netd_nft_remove_port(nft, "a", "vnet9", &diag), &diag, "detach");
	verified(x);
	after = output(&ran, "nft -a list chain bridge netd port_a.vnet0; nft -a list table inet "
	                     "netd");
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* Unbound, or not bound at all: nothing to do. */
	ok(netd_nft_remove_port(nft, "a", "vnet9", &diag), &diag, "detach again");
	ok(netd_nft_remove_port(nft, "a", "vnet0", &diag), &diag, "detach the last");
	assert_false(bridge_table());
	netd_nft_net_free(x);
	netd_nft_net_free(y);
}

/* Two networks share the table; a record that outlived its tap never takes the port's new
 * owner's binding, attach does take it; the table goes with the last network's ports. */
static void test_two_networks_share_the_table(void **state)
{
	struct netd_nft_guest ga = guest("vnet0", 1, "10.9.0.10"), gb = guest("vnet0", 2, NULL);
	struct netd_nft_guest gt = guest("t0", 3, NULL);
	struct netd_nft_net *a = build("a", NETD_MODE_NAT, "bra", "10.9.0.1/24", &ga, 1);
	struct netd_nft_net *b = build("b", NETD_MODE_BRIDGED, "brb", NULL, &gb, 1);
	struct netd_nft_net *b2 = build("b", NETD_MODE_BRIDGED, "brb", NULL, &gt, 1);
	struct netd_diag diag = {""};

	apply(a);
	apply(b); /* b's record of vnet0 is stale: a holds the name */
	assert_true(holds("nft list map bridge netd port_if", "\"vnet0\" : jump port_a.vnet0"));
	verified(a);
	verified(b); /* vnet0 is a's: b does not bind it, and nothing of b's is missing */
	assert_false(holds("nft list table bridge netd", "port_b.vnet0"));
	ok(netd_nft_apply_port(nft, b, "vnet0", &diag), &diag, "attach to b");
	assert_true(holds("nft list map bridge netd port_if", "\"vnet0\" : jump port_b.vnet0"));
	verified(b);

	apply(b2);
	apply(a); /* the name is free again: a's record takes it back */
	verified(a);
	verified(b2);
	assert_false(holds("nft list table bridge netd", "port_b.vnet0"));
	ok(netd_nft_remove_net(nft, "a", &diag), &diag, "remove a");
	assert_false(drift_of(a).present);
	verified(b2);
	assert_true(bridge_table());
	ok(netd_nft_remove_net(nft, "b", &diag), &diag, "remove b");
	assert_false(bridge_table());
	netd_nft_net_free(a);
	netd_nft_net_free(b);
	netd_nft_net_free(b2);
}

/* A port's element deleted, its chain flushed, or a rule added in front: verification no
 * longer finds what the IR says, and the next apply puts it back. */
static void test_drift_is_seen_and_repaired(void **state)
{
	static const char *const tamper[] = {
	    "nft delete element bridge netd port_if '{ \"vnet0\" }'",
	    "nft flush chain bridge netd port_a.vnet0",
	    "nft insert rule bridge netd port_a.vnet0 accept",
	};
	struct netd_nft_guest g = guest("vnet0", 1, "10.9.0.10");
	struct netd_nft_net *x = build("a", NETD_MODE_HOSTONLY, "bra", "10.9.0.1/24", &g, 1);

	for (size_t i = 0; i < sizeof(tamper) / sizeof(tamper[0]); i++) {
		bool ran;

		apply(x);
		free(output(&ran, tamper[i]));
		assert_true(ran);
		assert_int_not_equal(drift_of(x).n, 0);
		apply(x);
		verified(x);
		lists_as_rendered(&x->ports[0]);
	}
	netd_nft_net_free(x);
}

/* A spanning network's VXLAN port (issue 13): its chain (the gateway's frames and DHCP kept
 * off the tunnel) lists as rendered, is reached both from port_if and, for what the host
 * sends through it, from port_out_if (chain output); drift there is seen and repaired; the
 * network's removal takes the element, the chain and the table. */
static void test_tunnel_port(void **state)
{
	struct netd_network *n = netd_network_new();
	struct netd_nft_net *x;
	struct netd_diag diag = {""};
	const struct netd_nft_port *p;
	struct netd_nft_drift d;

	assert_non_null(n);
	snprintf(n->name, sizeof(n->name), "wan");
	snprintf(n->bridge, sizeof(n->bridge), "brwan");
	n->mode = NETD_MODE_NAT;
	memcpy(n->policy, netd_mode_ops(n->mode)->defaults, sizeof(n->policy));
	n->has_address = n->has_dhcp = true;
	n->vni = 200;
	assert_int_equal(netd_prefix_parse("192.168.77.1/24", &n->address), 0);
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	netd_network_free(n);
	p = netd_nft_net_port(x, "vx200");
	assert_non_null(p);
	apply(x);
	lists_as_rendered(p);
	assert_true(holds("nft list map bridge netd port_if", "\"vx200\" : jump port_wan.vx200"));
	assert_true(
	    holds("nft list map bridge netd port_out_if", "\"vx200\" : jump port_wan.vx200"));
	assert_true(holds("nft list chain bridge netd output",
	                  "type filter hook output priority filter; policy accept;\n"
	                  "\t\toifname vmap @port_out_if\n"));
	verified(x);
	assert_true(holds("nft delete element bridge netd port_out_if '{ \"vx200\" }' && echo gone",
	                  "gone"));
	d = drift_of(x);
	if (d.n == 0 || !strstr(d.what, "port_out_if"))
		fail_msg("the element gone from port_out_if is not seen: %s", d.what);
	apply(x);
	verified(x);
	ok(netd_nft_remove_net(nft, "wan", &diag), &diag, "remove wan");
	assert_false(bridge_table());
	netd_nft_net_free(x);
}

/* The whole group in a network namespace of its own, on one netfilter socket. */
static int enter_namespace(void **state)
{
	if (unshare(CLONE_NEWNET) < 0) {
		print_error("unshare(CLONE_NEWNET): %s: this test needs root\n", strerror(errno));
		return -1;
	}
	return netd_nft_open(&nft) < 0 ? -1 : 0;
}

static int close_socket(void **state)
{
	netd_nft_close(nft);
	return 0;
}

#define T(f) cmocka_unit_test_teardown(f, clean)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_ports_with_the_network),
	    T(test_one_port_at_a_time),
	    T(test_two_networks_share_the_table),
	    T(test_drift_is_seen_and_repaired),
	    T(test_tunnel_port),
	};

	return cmocka_run_group_tests(tests, enter_namespace, close_socket);
}
