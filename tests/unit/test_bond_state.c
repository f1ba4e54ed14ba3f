/*
 * <state>/<network>.bond (netd/kernel/bond.h, bond_state.c): the saved state of a bond's
 * slaves, written and read back, and each kind of damage (truncated, emptied, garbled,
 * replaced by a directory) named, never read as "nothing saved". The slaves' IPv6 (addresses
 * with flags and lifetimes, routes with the RA mark and expiry, sysctls) read back the same; a
 * file from before IPv6 was saved still loads and gives IPv4 back; a slave of a format netd
 * does not know is refused; which slave's sysctls the bond takes. No root, no kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/bond.h"
#include "netd/util/fsutil.h"

static char dir[64], path[128];
static struct netd_bond_saved sv, back;

static int setup(void **state)
{
	struct netd_bond_slave_state *sl = &sv.slaves[0];

	snprintf(dir, sizeof(dir), "/tmp/test_bond_state.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/lan.bond", dir);
	memset(&sv, 0, sizeof(sv));
	strcpy(sv.bond, "bond0");
	strcpy(sl->s.name, "eth1");
	netd_mac_parse("52:54:00:12:34:56", sl->s.mac);
	sl->s.was_up = true;
	netd_prefix_parse("203.0.113.2/24", &sl->s.addrs[0].prefix);
	sl->s.n_addrs = 1;
	netd_prefix_parse("0.0.0.0/0", &sl->s.routes[0].dst);
	netd_ipv4_parse("203.0.113.1", &sl->s.routes[0].gateway);
	sl->s.routes[0].protocol = 3;
	sl->s.routes[0].type = 1;
	sl->s.n_routes = 1;
	sl->mtu = 9000;
	strcpy(sv.slaves[1].s.name, "eth2");
	netd_mac_parse("52:54:00:12:34:57", sv.slaves[1].s.mac);
	sv.slaves[1].mtu = 1500;
	sv.n = 2;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void add_addr(struct netd_uplink_v6 *v, const char *ip, uint32_t flags, uint32_t valid,
                     uint32_t preferred)
{
	struct netd_v6_addr *a = &v->addrs[v->n_addrs++];

	assert_int_equal(inet_pton(AF_INET6, ip, &a->addr), 1);
	a->len = 64;
	a->flags = flags;
	a->valid = valid;
	a->preferred = preferred;
}

static void add_sysctl(struct netd_uplink_v6 *v, const char *key, const char *value)
{
	struct netd_v6_sysctl *s = &v->sysctls[v->n_sysctls++];

	snprintf(s->key, sizeof(s->key), "%s", key);
	snprintf(s->value, sizeof(s->value), "%s", value);
}

/* setup's slaves with IPv6: eth1 a static and a SLAAC address, the RA's default route (the
 * kernel's own RA route: ra) and on-link prefix, sysctls; eth2 a SLAAC address only. */
static void with_ipv6(void)
{
	struct netd_uplink_v6 *v = &sv.slaves[0].s.v6;
	struct netd_v6_route *r;

	v->present = true;
	v->taken_at = 1700000000;
	add_addr(v, "2001:db8:99::1", IFA_F_PERMANENT, NETD_V6_FOREVER, NETD_V6_FOREVER);
	add_addr(v, "2001:db8:99:0:5054:ff:fe12:3456", IFA_F_MANAGETEMPADDR, 3600, 1800);
	r = &v->routes[v->n_routes++];
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", &r->gateway), 1);
	r->has_gateway = true;
	r->metric = 1024;
	r->protocol = RTPROT_RA;
	r->type = RTN_UNICAST;
	r->pref = 1;
	r->expires = 600;
	r->ra = true;
	r = &v->routes[v->n_routes++];
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:99::", &r->dst), 1);
	r->dst_len = 64;
	r->metric = 256;
	r->protocol = RTPROT_KERNEL;
	r->type = RTN_UNICAST;
	r->expires = 3600;
	add_sysctl(v, "router_solicitations", "5");
	add_sysctl(v, "accept_ra", "1");
	v = &sv.slaves[1].s.v6;
	v->present = true;
	v->taken_at = 1700000000;
	add_addr(v, "2001:db8:99:0:5054:ff:fe12:3457", 0, 3600, 1800);
}

static void expect_same(const struct netd_bond_saved *a, const struct netd_bond_saved *b)
{
	assert_string_equal(a->bond, b->bond);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->slaves[i].s.name, b->slaves[i].s.name);
		assert_memory_equal(a->slaves[i].s.mac, b->slaves[i].s.mac, 6);
		assert_int_equal(a->slaves[i].mtu, b->slaves[i].mtu);
		assert_int_equal(a->slaves[i].s.n_addrs, b->slaves[i].s.n_addrs);
		assert_int_equal(a->slaves[i].s.n_routes, b->slaves[i].s.n_routes);
	}
	assert_int_equal(a->slaves[0].s.addrs[0].prefix.addr.s_addr,
	                 b->slaves[0].s.addrs[0].prefix.addr.s_addr);
	assert_int_equal(a->slaves[0].s.routes[0].gateway.s_addr,
	                 b->slaves[0].s.routes[0].gateway.s_addr);
}

static void written_and_read_back(void **state)
{
	struct netd_state_info info;
	struct netd_diag d = {{0}};
	char *text = NULL;

	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_CURRENT, &back, &info),
	                 -ENOENT);
	assert_int_equal(netd_bond_saved_write(dir, "lan", &sv), 0);
	assert_int_equal(netd_file_read(path, 1 << 20, &text), 0);
	assert_memory_equal(text, "netd-state 1 bond ", 18);
	free(text);
	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_CURRENT, &back, &info), 0);
	expect_same(&sv, &back);
	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_PREV, &back, &info), 0);
	expect_same(&sv, &back);
	assert_int_equal(netd_bond_saved(dir, "lan"), 1);
	assert_int_equal(netd_bond_saved_forget(dir, "lan", &d), 0);
	assert_int_equal(netd_bond_saved(dir, "lan"), 0);
	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_PREV, &back, &info), -ENOENT);
}

/* The file as netd wrote it, with fn applied to its text. */
static void damage(void (*fn)(char *text))
{
	char *text = NULL;

	assert_int_equal(netd_bond_saved_write(dir, "lan", &sv), 0);
	assert_int_equal(netd_file_read(path, 1 << 20, &text), 0);
	fn(text);
	assert_int_equal(netd_file_write_atomic(path, text, 0644, false), 0);
	free(text);
}

static void cut(char *text)
{
	text[strlen(text) / 2] = '\0';
}

static void empty(char *text)
{
	text[0] = '\0';
}

static void garble(char *text)
{
	char *body = strchr(text, '\n') + 1;

	memset(body + 10, 'x', 20);
}

static void expect_bad(const char *reason)
{
	struct netd_state_info info;

	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_CURRENT, &back, &info),
	                 -EINVAL);
	assert_string_equal(info.path, path);
	if (strncmp(info.reason, reason, strlen(reason)) != 0)
		fail_msg("reason '%s', expected '%s...'", info.reason, reason);
	assert_int_equal(back.n, 0);
	/* The good copy beside it still loads. */
	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_PREV, &back, &info), 0);
	expect_same(&sv, &back);
}

static void damage_is_named_and_the_prev_still_loads(void **state)
{
	damage(cut);
	expect_bad("is truncated (the body has ");
	damage(empty);
	expect_bad("is empty");
	damage(garble);
	expect_bad("has a bad checksum");

	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	expect_bad("is a directory, not a regular file");
	/* forget leaves what is not a file, and says so */
	assert_int_equal(netd_bond_saved_forget(dir, "lan", NULL), -EISDIR);
	assert_int_equal(rmdir(path), 0);
}

/* A file of the format before the envelope loads when it parses; anything else is refused. */
static void the_old_format(void **state)
{
	struct netd_state_info info;
	char *text = NULL;

	assert_int_equal(netd_bond_saved_to_json(&sv, &text), 0);
	assert_int_equal(netd_file_write_atomic(path, text, 0644, false), 0);
	free(text);
	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_CURRENT, &back, &info), 0);
	assert_true(info.legacy);
	expect_same(&sv, &back);

	assert_int_equal(
	    netd_file_write_atomic(path, "{\"bond\":\"bond0\",\"slaves\":7}", 0644, false), 0);
	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_CURRENT, &back, &info),
	                 -EINVAL);
	assert_string_equal(info.reason,
	                    "is not a netd state file, nor a bond record of the format "
	                    "before it (not the saved state of a bond's slaves)");
	/* Types json-c would assert on are refused, not crashed on. */
	assert_int_equal(netd_bond_saved_from_json("[1,2]", &back), -EINVAL);
	assert_int_equal(
	    netd_bond_saved_from_json("{\"bond\":\"bond0\",\"slaves\":[{\"name\":\"eth1\","
	                              "\"mac\":\"52:54:00:12:34:56\",\"addresses\":5,"
	                              "\"routes\":[]}]}",
	                              &back),
	    -EINVAL);
}

static void same_v6(const struct netd_uplink_v6 *a, const struct netd_uplink_v6 *b)
{
	assert_int_equal(a->present, b->present);
	assert_int_equal(a->taken_at, b->taken_at);
	assert_int_equal(a->n_addrs, b->n_addrs);
	for (size_t i = 0; i < a->n_addrs; i++) {
		assert_memory_equal(&a->addrs[i].addr, &b->addrs[i].addr, 16);
		assert_int_equal(a->addrs[i].len, b->addrs[i].len);
		assert_int_equal(a->addrs[i].flags, b->addrs[i].flags);
		assert_int_equal(a->addrs[i].valid, b->addrs[i].valid);
		assert_int_equal(a->addrs[i].preferred, b->addrs[i].preferred);
	}
	assert_int_equal(a->n_routes, b->n_routes);
	for (size_t i = 0; i < a->n_routes; i++) {
		const struct netd_v6_route *x = &a->routes[i], *y = &b->routes[i];

		assert_memory_equal(&x->dst, &y->dst, 16);
		assert_int_equal(x->dst_len, y->dst_len);
		assert_int_equal(x->has_gateway, y->has_gateway);
		assert_memory_equal(&x->gateway, &y->gateway, 16);
		assert_int_equal(x->metric, y->metric);
		assert_int_equal(x->protocol, y->protocol);
		assert_int_equal(x->pref, y->pref);
		assert_int_equal(x->expires, y->expires);
		assert_int_equal(x->ra, y->ra);
	}
	assert_int_equal(a->n_sysctls, b->n_sysctls);
	for (size_t i = 0; i < a->n_sysctls; i++) {
		assert_string_equal(a->sysctls[i].key, b->sysctls[i].key);
		assert_string_equal(a->sysctls[i].value, b->sysctls[i].value);
	}
}

static void ipv6_written_and_read_back(void **state)
{
	struct netd_state_info info;

	with_ipv6();
	assert_int_equal(netd_bond_saved_write(dir, "lan", &sv), 0);
	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_CURRENT, &back, &info), 0);
	assert_false(info.legacy);
	assert_int_equal(back.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(back.slaves[i].s.name, sv.slaves[i].s.name);
		same_v6(&sv.slaves[i].s.v6, &back.slaves[i].s.v6);
	}
	assert_int_equal(back.slaves[0].s.n_addrs, 1);
	assert_int_equal(back.slaves[0].s.addrs[0].prefix.addr.s_addr,
	                 sv.slaves[0].s.addrs[0].prefix.addr.s_addr);
}

/* A bond file netd wrote before it saved IPv6: its slaves have no "format" and no "ipv6". */
static void a_file_from_before_ipv6_loads(void **state)
{
	static const char old[] =
	    "{\"bond\":\"bond0\",\"slaves\":[{\"name\":\"eth1\",\"mac\":\"52:54:00:12:34:56\","
	    "\"was_up\":true,\"addresses\":[{\"prefix\":\"203.0.113.2/24\",\"broadcast\":"
	    "\"0.0.0.0\",\"flags\":128,\"scope\":0}],\"routes\":[{\"dst\":\"0.0.0.0/0\","
	    "\"gateway\":\"203.0.113.1\",\"prefsrc\":\"0.0.0.0\",\"metric\":0,\"protocol\":3,"
	    "\"scope\":0,\"type\":1}],\"mtu\":1500}]}";
	struct netd_state_info info;

	assert_int_equal(netd_bond_saved_from_json(old, &back), 0);
	assert_int_equal(back.n, 1);
	assert_false(back.slaves[0].s.v6.present);
	assert_int_equal(back.slaves[0].s.n_addrs, 1);
	assert_int_equal(back.slaves[0].s.n_routes, 1);
	assert_int_equal(netd_bond_saved_v6_donor(&back), -1);
	/* and from the disk, in the format before the envelope */
	assert_int_equal(netd_file_write_atomic(path, old, 0644, false), 0);
	assert_int_equal(netd_bond_saved_load(dir, "lan", NETD_STATE_CURRENT, &back, &info), 0);
	assert_true(info.legacy);
	assert_false(back.slaves[0].s.v6.present);
	assert_string_equal(back.slaves[0].s.name, "eth1");
}

/* A slave whose IPv6 part netd cannot read is refused, not given back without its IPv6. */
static void an_unknown_format_is_refused(void **state)
{
	char *text = NULL, *at;
	size_t n;

	with_ipv6();
	assert_int_equal(netd_bond_saved_to_json(&sv, &text), 0);
	at = strstr(text, "\"format\"");
	assert_non_null(at);
	at = strchr(at, '2');
	assert_non_null(at);
	*at = '9';
	assert_int_equal(netd_bond_saved_from_json(text, &back), -EINVAL);
	free(text);
	/* "format": 2 without "ipv6" is damage, not a file from before IPv6 */
	assert_int_equal(netd_bond_saved_to_json(&sv, &text), 0);
	at = strstr(text, "\"ipv6\"");
	assert_non_null(at);
	n = strlen("\"ipv6\"");
	memcpy(at, "\"ipvX\"", n);
	assert_int_equal(netd_bond_saved_from_json(text, &back), -EINVAL);
	free(text);
}

static void the_bond_takes_the_sysctls_of_the_slave_with_ipv6(void **state)
{
	with_ipv6();
	assert_int_equal(netd_bond_saved_v6_donor(&sv), 0);
	/* the first slave without addresses or routes: the one after it that has them */
	sv.slaves[0].s.v6.n_addrs = 0;
	sv.slaves[0].s.v6.n_routes = 0;
	assert_int_equal(netd_bond_saved_v6_donor(&sv), 1);
	/* none has any: the first with IPv6 at all */
	sv.slaves[1].s.v6.n_addrs = 0;
	assert_int_equal(netd_bond_saved_v6_donor(&sv), 0);
	sv.slaves[0].s.v6.present = false;
	assert_int_equal(netd_bond_saved_v6_donor(&sv), 1);
	sv.slaves[1].s.v6.present = false;
	assert_int_equal(netd_bond_saved_v6_donor(&sv), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(written_and_read_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(damage_is_named_and_the_prev_still_loads, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(the_old_format, setup, teardown),
	    cmocka_unit_test_setup_teardown(ipv6_written_and_read_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_file_from_before_ipv6_loads, setup, teardown),
	    cmocka_unit_test_setup_teardown(an_unknown_format_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_bond_takes_the_sysctls_of_the_slave_with_ipv6,
	                                    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
