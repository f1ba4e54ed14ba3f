/*
 * The taps of a network at up and down as a pure diff (core/tap_plan.c), the hosts file built
 * from the record, and dnsmasq's lease file without the guests that go (core/lease_strip.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/dnsmasq.h"
#include "netd/mode.h"
#include "netd/plan.h"
#include "netd/tap.h"

#define NET                                                                                        \
	"[Network]\nName=default\nMode=nat\nBridge=virbr0\nAddress=192.122.1.1/24\n"               \
	"[DHCP]\nRange=192.122.1.2 192.122.1.254\n"                                                \
	"[Host]\nMAC=52:54:00:00:00:99\nAddress=192.122.1.60\nName=db\n"

static struct netd_network *parse_ok(const char *text)
{
	struct netd_network *n = NULL;
	struct netd_diag diag = {{0}};

	if (netd_config_parse_string(text, "t.conf", &n, &diag) < 0)
		fail_msg("parse failed: %s", diag.msg);
	return n;
}

static struct netd_tap_record rec(const char *tap, const char *mac, const char *addr,
                                  const char *hostname, bool declared)
{
	struct netd_tap_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.tap, sizeof(r.tap), "%s", tap);
	assert_int_equal(netd_mac_parse(mac, r.mac), 0);
	netd_tap_host_mac(r.mac, r.host_mac);
	if (addr)
		assert_int_equal(netd_ipv4_parse(addr, &r.addr), 0);
	snprintf(r.hostname, sizeof(r.hostname), "%s", hostname ? hostname : "");
	r.declared = declared;
	r.queues = 1;
	return r;
}

/* The link of a tap as netd leaves it on n's bridge (MTU 1500). */
static struct netd_tap_link link_ok(const struct netd_network *n, const struct netd_tap_record *r)
{
	struct netd_tap_link l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", r->tap);
	l.ours = true;
	snprintf(l.alias, sizeof(l.alias), "netd:%s", n->name);
	l.enslaved = true;
	l.isolated = netd_port_isolated(n, r->tap);
	l.up = true;
	l.mtu = 1500;
	memcpy(l.mac, r->host_mac, 6);
	return l;
}

/* "kind tap; kind tap; ..." of the ops, to compare in one line. */
static const char *ops_text(const struct netd_network *n, const struct netd_tap_state *s,
                            const struct netd_tap_links *k, bool down)
{
	static const char *const kinds[] = {"create", "conflict", "adopt", "configure",
	                                    "delete", "forget",   "remove"};
	static char text[512];
	struct netd_tap_op ops[16];
	size_t count = down ? netd_tap_diff_down(n, s, k, ops) : netd_tap_diff_up(n, s, k, ops);

	assert_int_equal(count, down ? netd_tap_diff_down(n, s, k, NULL)
	                             : netd_tap_diff_up(n, s, k, NULL));
	text[0] = '\0';
	for (size_t i = 0; i < count; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s %s", i ? "; " : "",
		         kinds[ops[i].kind], ops[i].tap);
	return text;
}

static void up_makes_adopts_refuses_and_forgets(void **state)
{
	struct netd_network *n = parse_ok(NET "[Tap]\nName=vm0\n[Tap]\nName=vm1\n");
	struct netd_tap_state s = {0};
	struct netd_tap_link v[8];
	struct netd_tap_links k = {.v = v, .bridge_mtu = 1500};
	struct netd_tap_record r0 = rec("vm0", "52:54:00:00:00:01", NULL, NULL, true);
	struct netd_tap_record att = rec("vnet0", "52:54:00:00:00:02", "192.122.1.9", "w", false);
	struct netd_tap_record gone = rec("vm9", "52:54:00:00:00:03", NULL, NULL, true);

	/* Nothing anywhere: both [Tap]s are made, in file order. */
	assert_string_equal(ops_text(n, &s, &k, false), "create vm0; create vm1");

	/* vm0 recorded and right; vm1's name held by a link without the tag: refused. */
	memcpy(r0.mac, n->taps[0].mac, 6);
	netd_tap_host_mac(r0.mac, r0.host_mac);
	assert_int_equal(netd_tap_state_add(&s, &r0), 0);
	v[k.n++] = link_ok(n, &r0);
	v[k.n] = link_ok(n, &r0);
	strcpy(v[k.n].name, "vm1");
	v[k.n].ours = false;
	v[k.n++].alias[0] = '\0';
	assert_string_equal(ops_text(n, &s, &k, false), "conflict vm1");
	/* Tagged but unrecorded (a lost record): taken over. */
	v[1].ours = true;
	assert_string_equal(ops_text(n, &s, &k, false), "adopt vm1");

	/* Drift of a recorded [Tap]: each setting on its own. */
	k.n = 1;
	v[1] = v[0];
	struct netd_tap_link ok = v[0];
	v[0].enslaved = false;
	v[0].isolated = -1;
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;
	v[0].mac[5] ^= 1;
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;
	v[0].ours = false; /* the record says netd made it: the tag goes back */
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;
	v[0].isolated = 1; /* nat: VM <-> VM allowed, so not isolated */
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;
	k.bridge_mtu = 0; /* no bridge yet: the MTU is whatever it gets then */
	v[0].mtu = 9000;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1");
	k.bridge_mtu = 1500;
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;

	/* Recorded taps no [Tap] declares: an attached one that exists is left alone; one that
	 * is gone is forgotten; a [Tap] a reload took out is deleted while it is ours. */
	assert_int_equal(netd_tap_state_add(&s, &att), 0);
	assert_int_equal(netd_tap_state_add(&s, &gone), 0);
	v[1] = link_ok(n, &att);
	v[2] = link_ok(n, &gone);
	k.n = 3;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; delete vm9");
	v[2].ours = false; /* someone else's now: forgotten, never deleted */
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; forget vm9");
	k.n = 1;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; forget vnet0; forget vm9");
	v[1] = link_ok(n, &att);
	v[1].ours = false; /* its name taken over by a link of someone else's */
	k.n = 2;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; forget vnet0; forget vm9");

	netd_tap_state_clear(&s);
	netd_network_free(n);
}

static void an_attached_tap_that_gets_declared_changes_hands(void **state)
{
	struct netd_network *n = parse_ok(NET "[Tap]\nName=vnet0\n");
	struct netd_tap_state s = {0};
	struct netd_tap_record att = rec("vnet0", "52:54:00:00:00:02", "192.122.1.9", NULL, false);
	struct netd_tap_link l = link_ok(n, &att);
	struct netd_tap_links k = {.v = &l, .n = 1, .bridge_mtu = 1500};
	struct netd_tap_op op;

	assert_int_equal(netd_tap_state_add(&s, &att), 0);
	assert_int_equal(netd_tap_diff_up(n, &s, &k, &op), 1);
	assert_int_equal(op.kind, NETD_TAP_ADOPT);
	assert_ptr_equal(op.decl, &n->taps[0]);
	assert_ptr_equal(op.rec, &s.v[0]);
	assert_ptr_equal(op.link, &l);
	/* Its static lease was the record's: the hosts file changes. */
	assert_true(netd_tap_op_drops_hosts_entry(&op));
	s.v[0].addr.s_addr = 0;
	assert_false(netd_tap_op_drops_hosts_entry(&op));
	strcpy(s.v[0].hostname, "web");
	assert_true(netd_tap_op_drops_hosts_entry(&op));
	op.kind = NETD_TAP_CONFIGURE;
	assert_false(netd_tap_op_drops_hosts_entry(&op));
	/* Gone: made anew as the [Tap]'s. */
	k.n = 0;
	assert_int_equal(netd_tap_diff_up(n, &s, &k, &op), 1);
	assert_int_equal(op.kind, NETD_TAP_CREATE);
	netd_tap_state_clear(&s);
	netd_network_free(n);
}

static void down_removes_every_tap_netd_made(void **state)
{
	struct netd_network *n = parse_ok(NET "[Tap]\nName=vm0\n[Tap]\nName=vm1\n");
	struct netd_tap_state s = {0};
	struct netd_tap_record att = rec("vnet0", "52:54:00:00:00:02", NULL, NULL, false);
	struct netd_tap_record r0 = rec("vm0", "52:54:00:00:00:01", NULL, NULL, true);
	struct netd_tap_link v[3];
	struct netd_tap_links k = {.v = v};
	struct netd_tap_op ops[4];

	assert_string_equal(ops_text(n, &s, &k, true), "");
	assert_int_equal(netd_tap_state_add(&s, &att), 0);
	assert_int_equal(netd_tap_state_add(&s, &r0), 0);
	/* Recorded ones whatever the kernel has; vm1 only once its tagged link is seen. */
	assert_string_equal(ops_text(n, &s, &k, true), "remove vnet0; remove vm0");
	v[k.n] = link_ok(n, &r0);
	strcpy(v[k.n++].name, "vm1");
	assert_string_equal(ops_text(n, &s, &k, true), "remove vnet0; remove vm0; remove vm1");
	v[0].ours = false;
	assert_string_equal(ops_text(n, &s, &k, true), "remove vnet0; remove vm0");
	v[0].ours = true;
	assert_int_equal(netd_tap_diff_down(n, &s, &k, ops), 3);
	assert_null(ops[0].link); /* vnet0 is gone: forgotten, nothing to delete */
	assert_null(ops[0].decl);
	assert_ptr_equal(ops[1].decl, &n->taps[0]);
	assert_null(ops[2].rec);
	assert_ptr_equal(ops[2].link, &v[0]);
	netd_tap_state_clear(&s);
	netd_network_free(n);
}

static void desired_hosts_hold_the_attached_taps_static_leases(void **state)
{
	struct netd_network *n = parse_ok(NET "[Tap]\nName=vm0\nAddress=192.122.1.50\n");
	struct netd_dnsmasq_paths paths;
	struct netd_tap_state s = {0};
	struct netd_tap_record a = rec("vnet0", "52:54:00:01:02:03", "192.122.1.70", "web", false);
	struct netd_tap_record b = rec("vnet1", "52:54:00:01:02:04", NULL, NULL, false);
	struct netd_tap_record c = rec("vnet2", "52:54:00:01:02:05", NULL, "api", false);
	struct netd_tap_record decl = rec("vm0", "52:54:00:01:02:06", "192.122.1.50", NULL, true);
	struct netd_desired *d;
	char want[256], mac[18];

	assert_int_equal(netd_dnsmasq_paths_init(&paths, "/run/netd", "/var/lib/netd", "default"),
	                 0);
	assert_int_equal(netd_tap_state_add(&s, &a), 0);
	assert_int_equal(netd_tap_state_add(&s, &b), 0);
	assert_int_equal(netd_tap_state_add(&s, &c), 0);
	assert_int_equal(netd_tap_state_add(&s, &decl), 0);
	assert_int_equal(netd_desired_build(n, &paths, &s, &d), 0);
	/* [Host]s, [Tap]s with an Address, then attached taps with a lease or a name; the
	 * declared record is the [Tap]'s line already, and vnet1 has nothing to hand out. */
	netd_mac_format(n->taps[0].mac, mac);
	snprintf(want, sizeof(want),
	         "52:54:00:00:00:99,192.122.1.60,db\n%s,192.122.1.50\n"
	         "52:54:00:01:02:03,192.122.1.70,web\n52:54:00:01:02:05,api\n",
	         mac);
	assert_string_equal(d->dnsmasq_hosts, want);
	/* The desired state holds its own copy of the record. */
	assert_int_equal(d->taps.n, 4);
	assert_ptr_not_equal(d->taps.v, s.v);
	netd_desired_free(d);
	/* No record: the config's part only. */
	assert_int_equal(netd_desired_build(n, &paths, NULL, &d), 0);
	snprintf(want, sizeof(want), "52:54:00:00:00:99,192.122.1.60,db\n%s,192.122.1.50\n", mac);
	assert_string_equal(d->dnsmasq_hosts, want);
	assert_int_equal(d->taps.n, 0);
	netd_desired_free(d);
	netd_tap_state_clear(&s);
	netd_network_free(n);
}

static void leases_strip_drops_only_the_guests_lines(void **state)
{
	const uint8_t macs[2][6] = {{0x52, 0x54, 0, 0xaa, 0, 1}, {0x52, 0x54, 0, 0xaa, 0, 3}};
	const char *text = "1700000000 52:54:00:aa:00:01 192.122.1.10 vm1 01:52:54:00:aa:00:01\n"
	                   "1700000000 52:54:00:aa:00:02 192.122.1.11 * *\n"
	                   "0 52:54:00:AA:00:03 192.122.1.12 vm3 *\n"
	                   "duid 00:01:00:01:2c:5f:1a:2b:52:54:00:aa:00:01\n"
	                   "1700000000 52:54:00:aa:00:01\n"
	                   "1700000000 52:54:00:aa:00:02 192.122.1.13 * *";
	char *out = NULL;
	bool dropped = true;

	assert_int_equal(netd_leases_strip(text, macs, 2, &out, &dropped), 0);
	assert_true(dropped);
	/* MACs in any case; a line where the MAC is not a whole field stays; so does the last
	 * line without its newline, byte for byte. */
	assert_string_equal(out, "1700000000 52:54:00:aa:00:02 192.122.1.11 * *\n"
	                         "duid 00:01:00:01:2c:5f:1a:2b:52:54:00:aa:00:01\n"
	                         "1700000000 52:54:00:aa:00:01\n"
	                         "1700000000 52:54:00:aa:00:02 192.122.1.13 * *");
	free(out);
	assert_int_equal(netd_leases_strip(text, macs + 1, 0, &out, &dropped), 0);
	assert_false(dropped);
	assert_string_equal(out, text);
	free(out);
	assert_int_equal(netd_leases_strip("", macs, 2, &out, &dropped), 0);
	assert_false(dropped);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(up_makes_adopts_refuses_and_forgets),
	    cmocka_unit_test(an_attached_tap_that_gets_declared_changes_hands),
	    cmocka_unit_test(down_removes_every_tap_netd_made),
	    cmocka_unit_test(desired_hosts_hold_the_attached_taps_static_leases),
	    cmocka_unit_test(leases_strip_drops_only_the_guests_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
