/*
 * State files that do not load, as the planner sees them (include/netd/plan.h): down refuses
 * to delete a bridge that holds the uplink, or a bond of netd's, without a snapshot, and says
 * how to recover; --force gives the uplink back as the kernel has it and leaves the bond; a
 * tap record that does not load leaves the taps alone at up and is forgotten at down; every
 * link tagged for the network goes at down, recorded or not. Pure, no kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netd/mode.h"
#include "netd/plan.h"

/* bridged "br": bridge br0, Uplink=eth0 (with bond: Uplink=bond0 over eth1 eth2). */
static struct netd_desired *bridged(bool bond)
{
	struct netd_network *n = netd_network_new();
	struct netd_desired *d = NULL;

	strcpy(n->name, "br");
	strcpy(n->bridge, "br0");
	strcpy(n->source, "br.conf");
	n->mode = NETD_MODE_BRIDGED;
	memcpy(n->policy, netd_mode_ops(n->mode)->defaults, sizeof(n->policy));
	strcpy(n->uplink, bond ? "bond0" : "eth0");
	if (bond) {
		strcpy(n->bond.name, "bond0");
		strcpy(n->bond.slaves[0], "eth1");
		strcpy(n->bond.slaves[1], "eth2");
		n->bond.n_slaves = 2;
	}
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	return d;
}

static void release(struct netd_desired *d)
{
	struct netd_network *n = (struct netd_network *)d->net;

	netd_desired_free(d);
	netd_network_free(n);
}

/* "step; step; " of the plan. */
static const char *steps(const struct netd_plan *p)
{
	static char buf[512];

	buf[0] = '\0';
	for (size_t i = 0; i < p->n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s; ",
		         netd_step_name(p->steps[i]));
	return buf;
}

static void bad(struct netd_observed *o, enum netd_state_file k, const char *file,
                const char *reason)
{
	o->files[k].bad = true;
	strcpy(o->files[k].file, file);
	strcpy(o->files[k].reason, reason);
}

static void down_refuses_a_bridge_holding_the_uplink_without_a_snapshot(void **state)
{
	struct netd_desired *d = bridged(false);
	struct netd_observed o = {.bridge = NETD_BRIDGE_OURS, .uplink_exists = true};
	struct netd_diag diag = {""};
	struct netd_plan p;
	char advice[1024];

	o.uplink_enslaved = true;
	bad(&o, NETD_STATE_FILE_UPLINK, "/var/lib/netd/br.uplink", "is empty");
	assert_true(netd_observed_needs_attention(&o));
	assert_int_equal(netd_plan_down_check(d, &o, false, &diag), -EBUSY);
	assert_string_equal(
	    diag.msg, "br: bridge br0 holds uplink eth0 and netd has no snapshot to give it back "
	              "from: /var/lib/netd/br.uplink is empty; deleting the bridge would take the "
	              "uplink's addresses and routes with it, so down stops here. Restore the "
	              "file, or run `netdctl down --force br`: it moves the addresses and routes "
	              "back from br0 to eth0 as the kernel has them, then releases eth0");
	netd_state_issue_advice(d, &o, NETD_STATE_FILE_UPLINK, advice, sizeof(advice));
	assert_string_equal(advice, "down refuses to delete bridge br0, which holds uplink eth0: "
	                            "restore the file, or `netdctl down --force br` moves the "
	                            "addresses and routes back from br0 to eth0 as the kernel has "
	                            "them");

	/* Its .prev loads but does not agree with the kernel: still refused, and said. */
	o.files[NETD_STATE_FILE_UPLINK].prev_loads = true;
	assert_int_equal(netd_plan_down_check(d, &o, false, &diag), -EBUSY);
	assert_non_null(strstr(diag.msg, "is empty (its .prev loads but does not agree with the "
	                                 "kernel)"));

	/* The file gone altogether is no better than a damaged one. */
	memset(&o.files, 0, sizeof(o.files));
	assert_int_equal(netd_plan_down_check(d, &o, false, &diag), -EBUSY);
	assert_non_null(strstr(diag.msg, "no snapshot file"));

	/* --force: the bridge's addresses go back to the uplink as the kernel has them. */
	assert_int_equal(netd_plan_down_check(d, &o, true, &diag), 0);
	netd_plan_down(d, &o, false, &p);
	assert_string_equal(steps(&p), "give back uplink as the kernel has it; delete bridge; ");
	release(d);
}

static void a_prev_that_agrees_is_used_and_a_free_uplink_needs_nothing(void **state)
{
	struct netd_desired *d = bridged(false);
	struct netd_observed o = {.bridge = NETD_BRIDGE_OURS, .uplink_exists = true};
	struct netd_diag diag = {""};
	struct netd_plan p;
	char advice[1024];

	o.uplink_enslaved = true;
	bad(&o, NETD_STATE_FILE_UPLINK, "/s/br.uplink", "has a bad checksum");
	o.files[NETD_STATE_FILE_UPLINK].prev_loads = true;
	o.files[NETD_STATE_FILE_UPLINK].prev_used = true;
	o.uplink_saved = true; /* what observe makes of a .prev that agrees */
	assert_int_equal(netd_plan_down_check(d, &o, false, &diag), 0);
	netd_plan_down(d, &o, false, &p);
	assert_string_equal(steps(&p), "give back uplink; delete bridge; ");
	netd_state_issue_advice(d, &o, NETD_STATE_FILE_UPLINK, advice, sizeof(advice));
	assert_string_equal(advice, "its .prev loads and agrees with the kernel: down gives uplink "
	                            "eth0 back from it");

	/* Not in the bridge: nothing to lose, down goes ahead, status says how to clear it. */
	memset(&o, 0, sizeof(o));
	o.bridge = NETD_BRIDGE_OURS;
	bad(&o, NETD_STATE_FILE_UPLINK, "/s/br.uplink", "is empty");
	assert_int_equal(netd_plan_down_check(d, &o, false, &diag), 0);
	netd_plan_down(d, &o, false, &p);
	assert_string_equal(steps(&p), "delete bridge; ");
	netd_state_issue_advice(d, &o, NETD_STATE_FILE_UPLINK, advice, sizeof(advice));
	assert_string_equal(advice, "uplink eth0 is not in bridge br0, so nothing waits to be "
	                            "given back: `netdctl down --force br` forgets the file");
	release(d);
}

static void a_bond_without_its_slaves_state_is_never_deleted(void **state)
{
	struct netd_desired *d = bridged(true);
	struct netd_observed o = {.bridge = NETD_BRIDGE_OURS, .uplink_exists = true};
	struct netd_diag diag = {""};
	struct netd_plan p;
	char advice[1024];

	o.uplink_enslaved = o.uplink_saved = true;
	o.bond_exists = o.bond_ours = true;
	bad(&o, NETD_STATE_FILE_BOND, "/s/br.bond", "is truncated (in its header line)");
	assert_int_equal(netd_plan_down_check(d, &o, false, &diag), -EBUSY);
	assert_string_equal(diag.msg,
	                    "br: netd has no saved state of the slaves of bond bond0: /s/br.bond "
	                    "is truncated (in its header line); deleting the bond would strand "
	                    "them, so down stops here. Restore the file, or run `netdctl down "
	                    "--force br`: it gives the uplink back as the kernel has it and leaves "
	                    "bond bond0");
	netd_state_issue_advice(d, &o, NETD_STATE_FILE_BOND, advice, sizeof(advice));
	assert_string_equal(advice, "down refuses to delete bond bond0: restore the file, or "
	                            "`netdctl down --force br` leaves the bond and forgets the "
	                            "file");
	/* Forced: the uplink (the bond) goes back from its snapshot, the bond stays. */
	assert_int_equal(netd_plan_down_check(d, &o, true, &diag), 0);
	netd_plan_down(d, &o, false, &p);
	assert_string_equal(steps(&p), "give back uplink; delete bridge; ");
	/* With the slaves' state (or its .prev that agrees) the bond goes as always. */
	o.bond_saved = true;
	assert_int_equal(netd_plan_down_check(d, &o, false, &diag), 0);
	netd_plan_down(d, &o, false, &p);
	assert_string_equal(steps(&p), "give back uplink; delete bond; delete bridge; ");
	release(d);
}

static void a_tap_record_that_does_not_load_leaves_the_taps_alone_until_down(void **state)
{
	struct netd_network *n = netd_network_new();
	struct netd_desired *d = NULL;
	struct netd_observed o = {0};
	struct netd_plan p;
	char advice[1024];

	strcpy(n->name, "default");
	strcpy(n->bridge, "virbr0");
	n->mode = NETD_MODE_INTERNAL;
	memcpy(n->policy, netd_mode_ops(n->mode)->defaults, sizeof(n->policy));
	strcpy(n->taps[0].name, "vm0");
	n->taps[0].queues = 1;
	n->n_taps = 1;
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	o.bridge = NETD_BRIDGE_OURS;
	o.bridge_up = true;
	o.rules_present = true;
	o.rules_current = true;
	/* The [Tap] is missing: normally made at once... */
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	assert_string_equal(steps(&p), "sync taps; ");
	/* ...but not from a record that does not load: that would rewrite it from nothing. */
	bad(&o, NETD_STATE_FILE_TAPS, "/s/default.taps", "is empty");
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	assert_string_equal(steps(&p), "");
	netd_state_issue_advice(d, &o, NETD_STATE_FILE_TAPS, advice, sizeof(advice));
	assert_string_equal(advice, "up and reconcile leave the taps alone and attach refuses "
	                            "until it loads; `netdctl down default` removes every tap "
	                            "tagged netd:default and forgets it");
	/* Down forgets it, even with no tap left to remove. */
	netd_plan_down(d, &o, false, &p);
	assert_string_equal(steps(&p), "remove taps; remove nftables rules; delete bridge; ");
	netd_desired_free(d);
	netd_network_free(n);
}

/* A tap tagged for the network that neither the record nor a [Tap] knows: removed at down. */
static void down_removes_every_tagged_link(void **state)
{
	struct netd_network *n = netd_network_new();
	struct netd_tap_link l = {.name = "vnet7", .ours = true, .alias = "netd:default"};
	struct netd_tap_links k = {.v = &l, .n = 1};
	struct netd_tap_state rec = {0};
	struct netd_tap_op ops[2];

	strcpy(n->name, "default");
	assert_int_equal(netd_tap_diff_down(n, &rec, &k, ops), 1);
	assert_int_equal(ops[0].kind, NETD_TAP_REMOVE);
	assert_string_equal(ops[0].tap, "vnet7");
	assert_null(ops[0].rec);
	assert_ptr_equal(ops[0].link, &l);
	/* Never one that is not ours, and never at up (attached taps stay). */
	l.ours = false;
	assert_int_equal(netd_tap_diff_down(n, &rec, &k, ops), 0);
	l.ours = true;
	assert_int_equal(netd_tap_diff_up(n, &rec, &k, NULL), 0);
	netd_network_free(n);
}

static void ip_forward_that_does_not_load_is_left_as_it_is(void **state)
{
	struct netd_desired *d = bridged(false);
	struct netd_observed o = {0};
	char advice[1024];

	assert_false(netd_observed_needs_attention(&o));
	bad(&o, NETD_STATE_FILE_IP_FORWARD, "/s/ip_forward.saved", "is empty");
	assert_true(netd_observed_needs_attention(&o));
	netd_state_issue_advice(d, &o, NETD_STATE_FILE_IP_FORWARD, advice, sizeof(advice));
	assert_string_equal(advice, "down leaves net.ipv4.ip_forward as it is: set it to what the "
	                            "host had and remove the file");
	release(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(down_refuses_a_bridge_holding_the_uplink_without_a_snapshot),
	    cmocka_unit_test(a_prev_that_agrees_is_used_and_a_free_uplink_needs_nothing),
	    cmocka_unit_test(a_bond_without_its_slaves_state_is_never_deleted),
	    cmocka_unit_test(a_tap_record_that_does_not_load_leaves_the_taps_alone_until_down),
	    cmocka_unit_test(down_removes_every_tagged_link),
	    cmocka_unit_test(ip_forward_that_does_not_load_is_left_as_it_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
