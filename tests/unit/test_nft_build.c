/*
 * The nft IR and its text, against golden files in tests/data/nft/<case>.nft.
 * Run with NETD_UPDATE_GOLDEN=1 to rewrite the goldens from the current renderer instead of
 * comparing (then review the diff before committing it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/mode.h"
#include "netd/nft.h"
#include "forward_fixture.h"

static struct netd_network *make_net(const char *name, enum netd_mode mode, const char *bridge,
                                     const char *address, bool dhcp)
{
	struct netd_network *n = netd_network_new();

	assert_non_null(n);
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	n->mode = mode;
	for (int c = 0; c < NETD_CELL_MAX; c++)
		n->policy[c] = netd_mode_ops(mode)->defaults[c];
	if (address) {
		n->has_address = true;
		assert_int_equal(netd_prefix_parse(address, &n->address), 0);
	}
	if (dhcp) {
		struct in_addr net = netd_prefix_network(&n->address);

		n->has_dhcp = true;
		n->dhcp_first.s_addr = htonl(ntohl(net.s_addr) + 2);
		n->dhcp_last.s_addr = htonl(ntohl(netd_prefix_broadcast(&n->address).s_addr) - 1);
	}
	if (mode == NETD_MODE_BRIDGED)
		snprintf(n->uplink, sizeof(n->uplink), "eth0");
	return n;
}

/* A [Tap] as config_tap.c leaves it: MAC 52:54:00:00:00:<last>, address optional. */
static void add_tap(struct netd_network *n, const char *name, uint8_t last, const char *addr)
{
	struct netd_tap *t = &n->taps[n->n_taps++];
	const uint8_t mac[6] = {0x52, 0x54, 0, 0, 0, last};

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	memcpy(t->mac, mac, 6);
	if (addr)
		assert_int_equal(netd_ipv4_parse(addr, &t->addr), 0);
}

static struct netd_network *net_for_case(const char *name)
{
	struct netd_network *n = NULL;

	if (strcmp(name, "nat_default") == 0) {
		n = make_net("default", NETD_MODE_NAT, "virbr0", "192.122.1.1/24", true);
	} else if (strcmp(name, "nat_host_to_vm") == 0) {
		n = make_net("libvirt", NETD_MODE_NAT, "virbr1", "192.168.122.1/24", true);
		n->policy[NETD_CELL_HOST_TO_VM] = NETD_POLICY_ALLOW;
	} else if (strcmp(name, "hostonly_default") == 0) {
		n = make_net("hostonly", NETD_MODE_HOSTONLY, "vboxnet0", "192.168.56.1/24", true);
	} else if (strcmp(name, "hostonly_open") == 0) {
		n = make_net("ho-open", NETD_MODE_HOSTONLY, "hobr1", "10.20.0.1/20", false);
		for (int c = 0; c < NETD_CELL_MAX; c++)
			n->policy[c] = NETD_POLICY_ALLOW;
	} else if (strcmp(name, "internal") == 0) {
		n = make_net("isolated", NETD_MODE_INTERNAL, "intbr0", NULL, false);
	} else if (strcmp(name, "internal_lab") == 0) {
		n = make_net("lab", NETD_MODE_INTERNAL, "labbr0", NULL, false);
		n->policy[NETD_CELL_VM_TO_VM] = NETD_POLICY_ALLOW;
	} else if (strcmp(name, "bridged") == 0) {
		n = make_net("lan", NETD_MODE_BRIDGED, "br0", NULL, false);
	} else if (strcmp(name, "nat_guests") == 0) {
		n = make_net("default", NETD_MODE_NAT, "virbr0", "192.122.1.1/24", true);
		add_tap(n, "decl0", 0x50, "192.122.1.50");
		add_tap(n, "decl1", 0x51, NULL);
	} else if (strcmp(name, "routed_default") == 0) {
		n = make_net("routed", NETD_MODE_ROUTED, "netd-rt0", "192.122.60.1/24", true);
	} else if (strcmp(name, "nat_outside") == 0) {
		/* NATAddress=203.0.113.2 NATPorts=20000-29999 */
		n = make_net("nat-out", NETD_MODE_NAT, "virbr2", "192.122.2.1/24", true);
		assert_int_equal(netd_ipv4_parse("203.0.113.2", &n->nat_address), 0);
		n->nat_ports[0] = 20000;
		n->nat_ports[1] = 29999;
	} else if (strcmp(name, "nat_ports") == 0) {
		/* NATPorts=40000-40099 alone: masquerade with those ports */
		n = make_net("nat-ports", NETD_MODE_NAT, "virbr3", "192.122.3.1/24", false);
		n->nat_ports[0] = 40000;
		n->nat_ports[1] = 40099;
	} else if (strcmp(name, "nat_forwards") == 0) {
		/* any address; a range to another range; loopback only, udp */
		n = make_net("default", NETD_MODE_NAT, "virbr0", "192.122.1.1/24", true);
		add_forward(n, IPPROTO_TCP, 8080, 8080, "192.122.1.10", 80, NULL);
		add_forward(n, IPPROTO_TCP, 8000, 8002, "192.122.1.11", 9000, "203.0.113.2");
		add_forward(n, IPPROTO_UDP, 5353, 5353, "192.122.1.10", 53, "127.0.0.1");
	} else if (strcmp(name, "routed_forwards") == 0) {
		/* nat_forwards' forwards on a routed network: post_<net> is the hairpin alone */
		n = make_net("routed", NETD_MODE_ROUTED, "netd-rt0", "192.122.60.1/24", true);
		add_forward(n, IPPROTO_TCP, 8080, 8080, "192.122.60.10", 80, NULL);
		add_forward(n, IPPROTO_UDP, 5353, 5353, "192.122.60.10", 53, "203.0.113.2");
	} else if (strcmp(name, "bridged_guests") == 0) {
		n = make_net("lan", NETD_MODE_BRIDGED, "br0", NULL, false);
		add_tap(n, "vm0", 0x60, NULL);
	}
	assert_non_null(n);
	return n;
}

/* The attached taps of a case: one with a static lease, one without, and one that a [Tap]
 * declares already (its record loses: the [Tap] says who its guest is). */
static size_t guests_for_case(const char *name, struct netd_nft_guest *g)
{
	if (strcmp(name, "nat_guests") != 0)
		return 0;
	memset(g, 0, 3 * sizeof(*g));
	strcpy(g[0].port, "vnet0");
	assert_int_equal(netd_mac_parse("52:54:00:aa:00:01", g[0].mac), 0);
	assert_int_equal(netd_ipv4_parse("192.122.1.10", &g[0].addr), 0);
	strcpy(g[1].port, "vnet1");
	assert_int_equal(netd_mac_parse("52:54:00:aa:00:02", g[1].mac), 0);
	strcpy(g[2].port, "decl0");
	assert_int_equal(netd_mac_parse("52:54:00:aa:00:03", g[2].mac), 0);
	return 3;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len + 4096 > cap) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t got = fread(buf + *len, 1, cap - *len - 1, f);
		*len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static void check_golden(const char *name, const char *text, size_t len)
{
	char path[4096];
	size_t glen;
	char *golden;

	snprintf(path, sizeof(path), "%s/nft/%s.nft", NETD_TEST_DATA, name);
	if (getenv("NETD_UPDATE_GOLDEN") && strcmp(getenv("NETD_UPDATE_GOLDEN"), "1") == 0) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		assert_int_equal(fwrite(text, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	golden = read_all(path, &glen);
	if (!golden)
		fail_msg("missing golden %s (NETD_UPDATE_GOLDEN=1 writes it)", path);
	if (glen != len || memcmp(golden, text, len) != 0) {
		print_error("--- %s\n%s--- rendered\n%s---\n", path, golden, text);
		free(golden);
		fail_msg("rendered text differs from %s", path);
	}
	free(golden);
}

static char *render(const struct netd_nft_net *x, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	assert_non_null(f);
	assert_int_equal(netd_nft_render_net(x, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_golden(void **state)
{
	const char *name = *state;
	struct netd_network *n = net_for_case(name);
	struct netd_nft_guest g[3];
	size_t ng = guests_for_case(name, g);
	struct netd_nft_net *x;
	size_t len;
	char *text;

	assert_int_equal(netd_nft_net_build_guests(n, g, ng, &x), 0);
	text = render(x, &len);
	check_golden(name, text, len);
	free(text);
	netd_nft_net_free(x);
	netd_network_free(n);
}

static void test_golden_base(void **state)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(netd_nft_render_base(f), 0);
	assert_int_equal(fclose(f), 0);
	check_golden("base", text, len);
	free(text);
}

static const struct netd_nft_rule *last_rule(const struct netd_nft_net *x,
                                             enum netd_nft_chain_kind k)
{
	assert_true(x->chains[k].present);
	assert_true(x->chains[k].n_rules > 0);
	return &x->chains[k].rules[x->chains[k].n_rules - 1];
}

/* How many rules of chain k come before the policy's: the source check (and, in in_<net>,
 * DHCP from 0.0.0.0 ahead of it), which must be exactly those. */
static size_t source_check_rules(const struct netd_nft_net *x, enum netd_nft_chain_kind k)
{
	const struct netd_nft_chain *c = &x->chains[k];
	size_t i = 0;

	if (!x->has_subnet || (k != NETD_NFT_CHAIN_IN && k != NETD_NFT_CHAIN_FWDI))
		return 0;
	if (c->rules[0].verdict == NETD_NFT_V_ACCEPT) {
		assert_int_equal(k, NETD_NFT_CHAIN_IN);
		assert_int_equal(c->rules[0].match[0].kind, NETD_NFT_M_IP_SADDR);
		assert_int_equal(c->rules[0].match[0].u.prefix.addr.s_addr, 0);
		assert_int_equal(c->rules[0].match[1].kind, NETD_NFT_M_UDP_DPORT);
		assert_int_equal(c->rules[0].match[1].u.port, 67);
		i++;
	}
	assert_int_equal(c->rules[i].verdict, NETD_NFT_V_DROP);
	assert_int_equal(c->rules[i].n_match, 1);
	assert_int_equal(c->rules[i].match[0].kind, NETD_NFT_M_IP_SADDR_NE);
	assert_memory_equal(&c->rules[i].match[0].u.prefix, &x->subnet, sizeof(x->subnet));
	return i + 1;
}

static const struct netd_nft_rule *vm_to_vm_rule(const struct netd_nft_net *x)
{
	const struct netd_nft_rule *r =
	    &x->chains[NETD_NFT_CHAIN_FWDI].rules[source_check_rules(x, NETD_NFT_CHAIN_FWDI)];

	assert_int_equal(r->n_match, 1);
	assert_int_equal(r->match[0].kind, NETD_NFT_M_OIFNAME);
	assert_string_equal(r->match[0].u.ifname, x->bridge);
	return r;
}

/* Every cell flipped one at a time changes exactly the rule that enforces it. */
static void test_cells(void **state)
{
	static const struct {
		enum netd_cell cell;
		enum netd_nft_chain_kind chain;
		enum netd_nft_verdict allow, deny;
	} cells[] = {
	    {NETD_CELL_VM_TO_HOST, NETD_NFT_CHAIN_IN, NETD_NFT_V_ACCEPT, NETD_NFT_V_REJECT},
	    {NETD_CELL_HOST_TO_VM, NETD_NFT_CHAIN_OUT, NETD_NFT_V_ACCEPT, NETD_NFT_V_REJECT},
	    {NETD_CELL_VM_TO_OUTSIDE, NETD_NFT_CHAIN_FWDI, NETD_NFT_V_RETURN, NETD_NFT_V_REJECT},
	    {NETD_CELL_OUTSIDE_TO_VM, NETD_NFT_CHAIN_FWDO, NETD_NFT_V_ACCEPT, NETD_NFT_V_REJECT},
	};

	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		for (int p = NETD_POLICY_DENY; p <= NETD_POLICY_ALLOW; p++) {
			struct netd_network *n =
			    make_net("default", NETD_MODE_NAT, "virbr0", "192.122.1.1/24", true);
			struct netd_nft_net *x;
			const struct netd_nft_rule *r;

			n->policy[cells[i].cell] = p;
			assert_int_equal(netd_nft_net_build(n, &x), 0);
			r = last_rule(x, cells[i].chain);
			assert_int_equal(r->n_match, 0);
			assert_int_equal(r->verdict,
			                 p == NETD_POLICY_ALLOW ? cells[i].allow : cells[i].deny);
			netd_nft_net_free(x);
			netd_network_free(n);
		}
	}
}

/* fwdi never accepts anything but VM <-> VM traffic of its own bridge. */
static void test_fwdi_never_accepts(void **state)
{
	const enum netd_mode modes[] = {NETD_MODE_NAT, NETD_MODE_HOSTONLY};

	for (size_t m = 0; m < 2; m++) {
		for (unsigned mask = 0; mask < (1u << NETD_CELL_MAX); mask++) {
			struct netd_network *n =
			    make_net("n1", modes[m], "br-n1", "10.1.0.1/16", mask & 1);
			struct netd_nft_net *x;
			const struct netd_nft_chain *c;

			for (int cl = 0; cl < NETD_CELL_MAX; cl++)
				n->policy[cl] =
				    (mask >> cl) & 1 ? NETD_POLICY_ALLOW : NETD_POLICY_DENY;
			assert_int_equal(netd_nft_net_build(n, &x), 0);
			c = &x->chains[NETD_NFT_CHAIN_FWDI];
			assert_int_equal(vm_to_vm_rule(x)->verdict,
			                 n->policy[NETD_CELL_VM_TO_VM] == NETD_POLICY_ALLOW
			                     ? NETD_NFT_V_ACCEPT
			                     : NETD_NFT_V_DROP);
			for (size_t i = source_check_rules(x, NETD_NFT_CHAIN_FWDI) + 1;
			     i < c->n_rules; i++)
				assert_int_not_equal(c->rules[i].verdict, NETD_NFT_V_ACCEPT);
			/* Replies pass in every chain but post, whatever the policy. */
			for (int k = NETD_NFT_CHAIN_IN; k <= NETD_NFT_CHAIN_FWDO; k++) {
				const struct netd_nft_rule *r =
				    &x->chains[k].rules[source_check_rules(x, k) +
				                        (k == NETD_NFT_CHAIN_FWDI ? 1 : 0)];

				assert_int_equal(r->match[0].kind, NETD_NFT_M_CT_STATE);
				assert_int_equal(r->match[0].u.ct_state,
				                 NETD_NFT_CT_ESTABLISHED | NETD_NFT_CT_RELATED);
			}
			netd_nft_net_free(x);
			netd_network_free(n);
		}
	}
}

static bool chain_has_port(const struct netd_nft_chain *c, enum netd_nft_match_kind k,
                           uint16_t port)
{
	for (size_t i = 0; i < c->n_rules; i++)
		if (c->rules[i].n_match == 1 && c->rules[i].match[0].kind == k &&
		    c->rules[i].match[0].u.port == port && c->rules[i].verdict == NETD_NFT_V_ACCEPT)
			return true;
	return false;
}

static void test_dhcp_dns(void **state)
{
	struct netd_network *n = make_net("ho", NETD_MODE_HOSTONLY, "hobr", "10.9.0.1/24", true);
	struct netd_nft_net *x;

	/* Denying VMToHost must not starve the guests of DHCP and DNS. */
	assert_int_equal(n->policy[NETD_CELL_VM_TO_HOST], NETD_POLICY_DENY);
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_true(chain_has_port(&x->chains[NETD_NFT_CHAIN_IN], NETD_NFT_M_UDP_DPORT, 67));
	assert_true(chain_has_port(&x->chains[NETD_NFT_CHAIN_IN], NETD_NFT_M_UDP_DPORT, 53));
	assert_true(chain_has_port(&x->chains[NETD_NFT_CHAIN_IN], NETD_NFT_M_TCP_DPORT, 53));
	assert_true(chain_has_port(&x->chains[NETD_NFT_CHAIN_OUT], NETD_NFT_M_UDP_SPORT, 67));
	assert_false(x->chains[NETD_NFT_CHAIN_POST].present);
	netd_nft_net_free(x);

	n->has_dhcp = false;
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_false(chain_has_port(&x->chains[NETD_NFT_CHAIN_IN], NETD_NFT_M_UDP_DPORT, 67));
	assert_false(chain_has_port(&x->chains[NETD_NFT_CHAIN_OUT], NETD_NFT_M_UDP_SPORT, 67));
	assert_true(chain_has_port(&x->chains[NETD_NFT_CHAIN_IN], NETD_NFT_M_UDP_DPORT, 53));
	netd_nft_net_free(x);
	netd_network_free(n);
}

static void test_post_and_names(void **state)
{
	struct netd_network *n = make_net("default", NETD_MODE_NAT, "virbr0", "10.7.3.9/20", true);
	static const char *const names[] = {"in_default", "out_default", "fwdi_default",
	                                    "fwdo_default", "post_default"};
	struct netd_nft_net *x;
	char buf[32];

	assert_int_equal(netd_nft_net_build(n, &x), 0);
	/* post6_ is an IPv6 network's (test_nft_build6.c). */
	assert_false(x->chains[NETD_NFT_CHAIN_POST6].present);
	for (int k = 0; k < NETD_NFT_CHAIN_POST6; k++) {
		assert_true(x->chains[k].present);
		assert_string_equal(x->chains[k].name, names[k]);
		assert_true(strncmp(names[k], netd_nft_chain_prefix(k),
		                    strlen(netd_nft_chain_prefix(k))) == 0);
	}
	assert_null(netd_nft_chain_prefix(NETD_NFT_CHAIN_KINDS));
	/* The subnet is the network's, not the host's address. */
	assert_true(x->has_subnet);
	assert_string_equal(netd_prefix_format(&x->subnet, false, buf, sizeof(buf)), "10.7.0.0/20");
	for (size_t i = 2; i < x->chains[NETD_NFT_CHAIN_POST].n_rules; i++) {
		const struct netd_nft_rule *r = &x->chains[NETD_NFT_CHAIN_POST].rules[i];

		assert_int_equal(r->match[0].kind, NETD_NFT_M_IP_DADDR_NE);
		assert_int_equal(r->match[0].u.prefix.addr.s_addr, x->subnet.addr.s_addr);
	}
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* A routed network masquerades nothing of its own traffic: post_<net> exists only while it has
 * forwards, with the hairpin as its one rule, and goes with the last forward. */
static void test_routed_post_is_the_hairpin(void **state)
{
	struct netd_network *n =
	    make_net("routed", NETD_MODE_ROUTED, "netd-rt0", "192.122.60.1/24", true);
	const struct netd_nft_chain *post;
	struct netd_nft_net *x;

	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_false(x->chains[NETD_NFT_CHAIN_POST].present);
	netd_nft_net_free(x);
	add_forward(n, IPPROTO_TCP, 8080, 8080, "192.122.60.10", 80, NULL);
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	post = &x->chains[NETD_NFT_CHAIN_POST];
	assert_true(post->present);
	assert_string_equal(post->name, "post_routed");
	assert_int_equal(post->n_rules, 1);
	assert_int_equal(post->rules[0].verdict, NETD_NFT_V_MASQUERADE);
	assert_int_equal(post->rules[0].n_match, 2);
	assert_int_equal(post->rules[0].match[0].kind, NETD_NFT_M_OIFNAME);
	assert_string_equal(post->rules[0].match[0].u.ifname, "netd-rt0");
	assert_int_equal(post->rules[0].match[1].kind, NETD_NFT_M_CT_DNAT);
	assert_false(x->chains[NETD_NFT_CHAIN_POST6].present);
	netd_nft_net_free(x);
	netd_forward_remove_at(n, 0);
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_false(x->chains[NETD_NFT_CHAIN_POST].present);
	netd_nft_net_free(x);
	netd_network_free(n);
}

static void test_bridged_and_invalid(void **state)
{
	struct netd_network *n = make_net("lan", NETD_MODE_BRIDGED, "br0", NULL, false);
	struct netd_nft_net *x;
	size_t len;
	char *text;

	assert_int_equal(netd_nft_net_build(n, &x), 0);
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		assert_false(x->chains[k].present);
	text = render(x, &len);
	assert_int_equal(len, 0);
	free(text);
	netd_nft_net_free(x);

	n->mode = NETD_MODE_MAX;
	assert_int_equal(netd_nft_net_build(n, &x), -EINVAL);
	assert_null(x);
	n->mode = NETD_MODE_NAT;
	snprintf(n->name, sizeof(n->name), "bad name");
	assert_int_equal(netd_nft_net_build(n, &x), -EINVAL);
	netd_network_free(n);
	netd_nft_net_free(NULL);
}

static void build_digest(struct netd_network *n, char out[NETD_NFT_DIGEST_LEN + 1])
{
	struct netd_nft_net *x;
	size_t len;
	char *text;

	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_int_equal(strlen(x->digest), NETD_NFT_DIGEST_LEN);
	assert_int_equal(strspn(x->digest, "0123456789abcdef"), NETD_NFT_DIGEST_LEN);
	/* The digest is of the text: building twice gives the same. */
	text = render(x, &len);
	free(text);
	memcpy(out, x->digest, NETD_NFT_DIGEST_LEN + 1);
	netd_nft_net_free(x);
}

static void test_digest(void **state)
{
	struct netd_network *n =
	    make_net("default", NETD_MODE_NAT, "virbr0", "192.122.1.1/24", true);
	char base[NETD_NFT_DIGEST_LEN + 1], again[NETD_NFT_DIGEST_LEN + 1],
	    d[NETD_NFT_DIGEST_LEN + 1];

	build_digest(n, base);
	build_digest(n, again);
	assert_string_equal(base, again);
	for (int c = 0; c < NETD_CELL_MAX; c++) {
		n->policy[c] = !n->policy[c];
		build_digest(n, d);
		assert_string_not_equal(base, d);
		n->policy[c] = !n->policy[c];
	}
	n->has_dhcp = false;
	build_digest(n, d);
	assert_string_not_equal(base, d);
	n->has_dhcp = true;
	snprintf(n->bridge, sizeof(n->bridge), "virbr9");
	build_digest(n, d);
	assert_string_not_equal(base, d);
	snprintf(n->bridge, sizeof(n->bridge), "virbr0");
	n->address.len = 23;
	build_digest(n, d);
	assert_string_not_equal(base, d);
	n->address.len = 24;
	build_digest(n, d);
	assert_string_equal(base, d);
	netd_network_free(n);
}

/* The FNV-1a 64 of the empty text is the offset basis: the bridged digest is known. */
static void test_digest_value(void **state)
{
	struct netd_network *n = make_net("lan", NETD_MODE_BRIDGED, "br0", NULL, false);
	char d[NETD_NFT_DIGEST_LEN + 1];

	build_digest(n, d);
	assert_string_equal(d, "cbf29ce484222325");
	netd_network_free(n);
}

static void test_render_rule(void **state)
{
	struct netd_nft_rule r = {0};
	char *text = NULL;
	size_t len;
	FILE *f;

	r.n_match = 3;
	r.match[0].kind = NETD_NFT_M_IIFNAME;
	snprintf(r.match[0].u.ifname, IFNAMSIZ, "virbr0");
	r.match[1].kind = NETD_NFT_M_IP_SADDR;
	r.match[1].u.prefix.addr.s_addr = htonl(0x0a000001);
	r.match[1].u.prefix.len = 32;
	r.match[2].kind = NETD_NFT_M_CT_STATE;
	r.match[2].u.ct_state = NETD_NFT_CT_NEW | NETD_NFT_CT_INVALID;
	r.verdict = NETD_NFT_V_DROP;
	f = open_memstream(&text, &len);
	assert_int_equal(netd_nft_render_rule(&r, f), 0);
	fclose(f);
	assert_string_equal(text, "iifname \"virbr0\" ip saddr 10.0.0.1 ct state invalid,new drop");
	free(text);

	r.verdict = (enum netd_nft_verdict)99;
	f = open_memstream(&text, &len);
	assert_int_equal(netd_nft_render_rule(&r, f), -EINVAL);
	fclose(f);
	free(text);
}

#define GOLDEN(name) cmocka_unit_test_prestate(test_golden, (void *)name)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    GOLDEN("nat_default"),
	    GOLDEN("nat_host_to_vm"),
	    GOLDEN("hostonly_default"),
	    GOLDEN("hostonly_open"),
	    GOLDEN("internal"),
	    GOLDEN("internal_lab"),
	    GOLDEN("bridged"),
	    GOLDEN("nat_guests"),
	    GOLDEN("bridged_guests"),
	    GOLDEN("routed_default"),
	    GOLDEN("nat_outside"),
	    GOLDEN("nat_ports"),
	    GOLDEN("nat_forwards"),
	    GOLDEN("routed_forwards"),
	    cmocka_unit_test(test_golden_base),
	    cmocka_unit_test(test_cells),
	    cmocka_unit_test(test_fwdi_never_accepts),
	    cmocka_unit_test(test_dhcp_dns),
	    cmocka_unit_test(test_post_and_names),
	    cmocka_unit_test(test_routed_post_is_the_hairpin),
	    cmocka_unit_test(test_bridged_and_invalid),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_digest_value),
	    cmocka_unit_test(test_render_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
