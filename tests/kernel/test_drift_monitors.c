/*
 * The notifications the event-driven repair listens to, as the kernel layer reports them, in
 * a network namespace of this process's own (unshared first: the machine's links and ruleset
 * are never touched). Changes are made with ip(8) and nft(8), as someone else would make them,
 * and with netd's own nft socket, whose changes must be told apart.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/kernel/link_monitor.h"
#include "netd/kernel/nft.h"
#include "netd/kernel/nft_monitor.h"

/* After netinet/in.h, or they clash. */
#include <linux/netfilter.h>

#define MAX_SEEN 512

static void run_ok(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* ---- links and addresses ---- */

struct links_seen {
	struct netd_link_event v[MAX_SEEN];
	size_t n;
};

static void keep_link(const struct netd_link_event *ev, void *arg)
{
	struct links_seen *s = arg;

	if (s->n < MAX_SEEN)
		s->v[s->n++] = *ev;
}

static void read_links(struct netd_link_monitor *m, struct links_seen *s)
{
	s->n = 0;
	assert_int_equal(netd_link_monitor_read(m, keep_link, s), 0);
}

/* The last fact about the link (or address label) name of that kind and deletion. */
static const struct netd_link_event *last_link(const struct links_seen *s,
                                               enum netd_link_event_kind kind, const char *name,
                                               bool deleted)
{
	const struct netd_link_event *hit = NULL;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == kind && s->v[i].deleted == deleted &&
		    strcmp(s->v[i].name, name) == 0)
			hit = &s->v[i];
	return hit;
}

static void test_link_facts(void **state)
{
	struct netd_link_monitor *m = NULL;
	struct links_seen *s = calloc(1, sizeof(*s));
	const struct netd_link_event *ev;
	int br;

	(void)state;
	assert_non_null(s);
	assert_int_equal(netd_link_monitor_open(&m), 0);
	run_ok(
	    "ip link add hb0 type bridge && ip link set hb0 alias netd:x && "
	    "ip link set hb0 up && ip addr add 10.9.0.1/24 dev hb0 && "
	    "ip link add ht0 type veth peer name ht1 && ip link set ht0 alias netd:x master hb0");
	read_links(m, s);
	br = (int)if_nametoindex("hb0");
	ev = last_link(s, NETD_LINK_EV_LINK, "hb0", false);
	assert_non_null(ev);
	assert_int_equal(ev->ifindex, br);
	assert_string_equal(ev->alias, "netd:x");
	assert_true(ev->up);
	ev = last_link(s, NETD_LINK_EV_ADDR, "hb0", false);
	assert_non_null(ev);
	assert_int_equal(ev->ifindex, br);
	ev = last_link(s, NETD_LINK_EV_LINK, "ht0", false);
	assert_non_null(ev);
	assert_int_equal(ev->master, br);
	assert_string_equal(ev->alias, "netd:x");

	/* A port off its bridge, an address gone, the bridge down, then deleted. */
	run_ok("ip link set ht0 nomaster && ip addr del 10.9.0.1/24 dev hb0 && "
	       "ip link set hb0 down");
	read_links(m, s);
	ev = last_link(s, NETD_LINK_EV_LINK, "ht0", false);
	assert_non_null(ev);
	assert_int_equal(ev->master, 0);
	ev = last_link(s, NETD_LINK_EV_ADDR, "hb0", true);
	assert_non_null(ev);
	assert_int_equal(ev->ifindex, br);
	ev = last_link(s, NETD_LINK_EV_LINK, "hb0", false);
	assert_non_null(ev);
	assert_false(ev->up);
	run_ok("ip link del hb0 && ip link del ht0");
	read_links(m, s);
	ev = last_link(s, NETD_LINK_EV_LINK, "hb0", true);
	assert_non_null(ev);
	assert_string_equal(ev->alias, "netd:x"); /* a deleted link still says whose it was */
	assert_non_null(last_link(s, NETD_LINK_EV_LINK, "ht0", true));
	netd_link_monitor_close(m);
	free(s);
}

/* ---- the ruleset ---- */

struct nft_seen {
	struct netd_nft_event v[MAX_SEEN];
	size_t n;
};

static void keep_nft(const struct netd_nft_event *ev, void *arg)
{
	struct nft_seen *s = arg;

	if (s->n < MAX_SEEN)
		s->v[s->n++] = *ev;
}

static void read_nft(struct netd_nft_monitor *m, struct nft_seen *s)
{
	s->n = 0;
	assert_int_equal(netd_nft_monitor_read(m, keep_nft, s), 0);
}

/* How many facts of that kind, table and chain ("*": any) came from portid (0: any). */
static size_t count_nft(const struct nft_seen *s, enum netd_nft_event_kind kind, const char *table,
                        const char *chain, bool deleted, uint32_t portid)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct netd_nft_event *ev = &s->v[i];

		k += ev->kind == kind && ev->deleted == deleted && strcmp(ev->table, table) == 0 &&
		     (strcmp(chain, "*") == 0 || strcmp(ev->chain, chain) == 0) &&
		     (!portid || ev->portid == portid);
	}
	return k;
}

static void test_nft_facts(void **state)
{
	static const char conf[] = "[Network]\nName=default\nMode=nat\nBridge=virbr0\n"
	                           "Address=192.122.1.1/24\n";
	struct netd_nft_monitor *m = NULL;
	struct netd_network *n = NULL;
	struct netd_nft_net *x = NULL;
	struct nft_seen *s = calloc(1, sizeof(*s));
	struct netd_diag diag = {{0}};
	struct netd_nft *nft = NULL;
	uint32_t own;

	(void)state;
	assert_non_null(s);
	assert_int_equal(netd_config_parse_string(conf, "test", &n, &diag), 0);
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_int_equal(netd_nft_open(&nft), 0);
	own = netd_nft_portid(nft);
	assert_int_equal(netd_nft_monitor_open(&m), 0);

	/* netd's own change: every fact carries netd's port id, and a generation closes it. */
	assert_int_equal(netd_nft_apply_net(nft, x, &diag), 0);
	read_nft(m, s);
	assert_true(count_nft(s, NETD_NFT_EV_RULE, "netd", "in_default", false, own) > 0);
	assert_int_equal(count_nft(s, NETD_NFT_EV_RULE, "netd", "*", false, 0),
	                 count_nft(s, NETD_NFT_EV_RULE, "netd", "*", false, own));
	assert_int_equal(s->v[s->n - 1].kind, NETD_NFT_EV_GEN);
	assert_int_equal(s->v[s->n - 1].portid, own);

	/* Someone else's: a chain flushed, a map element deleted (told by the chain it jumped
	 * to), another table. */
	run_ok("nft flush chain inet netd in_default && "
	       "nft delete element inet netd in_if '{ \"virbr0\" }' && "
	       "nft add table inet other && nft add chain inet other c");
	read_nft(m, s);
	assert_true(count_nft(s, NETD_NFT_EV_RULE, "netd", "in_default", true, 0) > 0);
	assert_int_equal(count_nft(s, NETD_NFT_EV_RULE, "netd", "in_default", true, own), 0);
	assert_int_equal(count_nft(s, NETD_NFT_EV_ELEM, "netd", "in_default", true, 0), 1);
	assert_int_equal(count_nft(s, NETD_NFT_EV_CHAIN, "other", "c", false, 0), 1);
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind != NETD_NFT_EV_GEN)
			assert_int_equal(s->v[i].family, NFPROTO_INET);
		else
			assert_true(s->v[i].pid > 0); /* nft(8)'s own pid */

	/* The table deleted: one fact for the table itself. */
	run_ok("nft delete table inet netd");
	read_nft(m, s);
	assert_int_equal(count_nft(s, NETD_NFT_EV_TABLE, "netd", "", true, 0), 1);

	netd_nft_monitor_close(m);
	netd_nft_close(nft);
	netd_nft_net_free(x);
	netd_network_free(n);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_facts),
	    cmocka_unit_test(test_nft_facts),
	};

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_drift_monitors: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
