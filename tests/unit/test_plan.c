/* The planner: which steps, in which order, for each observed state. Pure, no kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "netd/bond.h"
#include "netd/mode.h"
#include "netd/plan.h"

#include "plan_harness.h"

/* A fresh bridge has no port before the steps after the rules: it comes up, and its dnsmasq
 * starts, before them, so that dnsmasq gets ready while they are committed. */
static void fresh_nat_builds_everything_dnsmasq_started_before_the_rules(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT);
	struct netd_desired *d;
	struct netd_observed o = {0};
	struct netd_plan p;
	const enum netd_step_kind want[] = {
	    NETD_STEP_CREATE_BRIDGE, NETD_STEP_ADD_ADDRESS,   NETD_STEP_FORWARDING_ON,
	    NETD_STEP_LINK_UP,       NETD_STEP_START_DNSMASQ, NETD_STEP_APPLY_RULES,
	};

	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_true(d->forwarding);
	assert_true(d->dnsmasq);
	assert_false(d->isolate_ports);
	assert_string_equal(d->alias, "netd:default");
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 6, want);
	netd_desired_free(d);
	netd_network_free(n);
}

static void network_already_up_plans_nothing(void **state)
{
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		struct netd_network *n = make_net(m);
		struct netd_desired *d;
		struct netd_observed o;
		struct netd_plan p;

		assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
		all_present(d, &o);
		assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
		expect_steps(&p, 0, NULL);
		netd_desired_free(d);
		netd_network_free(n);
	}
}

static void drift_is_repaired_step_by_step(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT);
	struct netd_desired *d;
	struct netd_observed o;
	struct netd_plan p;

	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);

	all_present(d, &o);
	o.dnsmasq_running = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_START_DNSMASQ});

	all_present(d, &o);
	o.dnsmasq_conf_current = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_RESTART_DNSMASQ});

	/* only what dnsmasq rereads on SIGHUP differs: reread, no restart */
	all_present(d, &o);
	o.dnsmasq_files_stale = true;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_REREAD_DNSMASQ});
	/* ... unless the conf changed too, or dnsmasq hangs: the restart reads everything */
	o.dnsmasq_conf_current = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_RESTART_DNSMASQ});
	o.dnsmasq_conf_current = true;
	o.dnsmasq_hung = true;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_RESTART_DNSMASQ});

	all_present(d, &o);
	o.rules_current = false; /* the kernel's rules differ from the desired ones */
	strcpy(o.rules_drift, "out_default: 1 rule missing");
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_APPLY_RULES});

	all_present(d, &o);
	o.bridge_up = false;
	o.has_address = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 2, (enum netd_step_kind[]){NETD_STEP_ADD_ADDRESS, NETD_STEP_LINK_UP});

	all_present(d, &o);
	o.ip_forward_on = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_FORWARDING_ON});

	/* Forwarding netd turned on is given back only by a network that no longer routes. */
	all_present(d, &o);
	o.forwarding_restorable = true;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 0, NULL);
	n->policy[NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_DENY;
	netd_desired_free(d);
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	all_present(d, &o);
	o.forwarding_restorable = true;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_FORWARDING_RESTORE});
	o.forwarding_restorable = false; /* another network still routes */
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 0, NULL);

	netd_desired_free(d);
	netd_network_free(n);
}

/* A dnsmasq alive but of no use: hung (the reconcile's liveness query went unanswered), or
 * left behind by a bridge that was deleted (bound to an interface that is gone). */
static void a_dnsmasq_that_cannot_serve_is_restarted(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT);
	const enum netd_step_kind rebuild[] = {
	    NETD_STEP_CREATE_BRIDGE, NETD_STEP_ADD_ADDRESS,     NETD_STEP_APPLY_RULES,
	    NETD_STEP_LINK_UP,       NETD_STEP_RESTART_DNSMASQ,
	};
	struct netd_desired *d;
	struct netd_observed o;
	struct netd_plan p;

	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	all_present(d, &o);
	o.dnsmasq_hung = true;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_RESTART_DNSMASQ});

	/* The bridge deleted under a running network: its rules and dnsmasq are still there. */
	all_present(d, &o);
	o.bridge = NETD_BRIDGE_ABSENT;
	o.bridge_up = false;
	o.has_address = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 5, rebuild);
	netd_desired_free(d);
	netd_network_free(n);
}

static void foreign_link_under_the_name_is_refused(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT);
	struct netd_desired *d;
	struct netd_observed o = {.bridge = NETD_BRIDGE_FOREIGN};
	struct netd_diag diag = {""};
	struct netd_plan p;

	strcpy(o.bridge_kind, "veth");
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), -EEXIST);
	assert_int_equal(p.n, 0);
	assert_string_equal(diag.msg,
	                    "default: bridge virbr0: a veth link named virbr0 already exists and "
	                    "is not netd's (alias '', not 'netd:default'); netd never takes over "
	                    "a link it did not make: remove it or choose another Bridge=");

	o.bridge = NETD_BRIDGE_OTHER_NET;
	strcpy(o.bridge_alias, "netd:lab");
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), -EEXIST);
	assert_string_equal(diag.msg, "default: bridge virbr0 belongs to another netd network "
	                              "(netd:lab)");
	netd_desired_free(d);
	netd_network_free(n);
}

static void internal_and_hostonly_never_route_and_isolate_when_vm_to_vm_denied(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_INTERNAL);
	struct netd_desired *d;
	struct netd_observed o;
	struct netd_plan p;

	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_false(d->forwarding);
	assert_false(d->dnsmasq);
	assert_true(d->no_ipv6);
	assert_true(d->isolate_ports);
	all_present(d, &o);
	o.ip_forward_on = false;
	o.n_ports_to_isolate = 2;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_ISOLATE_PORTS});
	netd_desired_free(d);
	netd_network_free(n);

	n = make_net(NETD_MODE_HOSTONLY);
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_false(d->forwarding);
	assert_true(d->dnsmasq);
	n->policy[NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_ALLOW;
	netd_desired_free(d);
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_true(d->forwarding);
	netd_desired_free(d);
	netd_network_free(n);
}

/* What the bridge answers ARP for is part of the desired state, as its mode says: nat leaves
 * the kernel's default, hostonly answers for its own address only, internal for none. */
static void desired_bridge_arp_follows_the_mode(void **state)
{
	const struct {
		enum netd_mode mode;
		unsigned arp_ignore;
	} want[] = {
	    {NETD_MODE_NAT, 0},
	    {NETD_MODE_BRIDGED, 0},
	    {NETD_MODE_HOSTONLY, 1},
	    {NETD_MODE_INTERNAL, 8},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct netd_network *n = make_net(want[i].mode);
		struct netd_desired *d;

		assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
		assert_int_equal(d->arp_ignore, want[i].arp_ignore);
		netd_desired_free(d);
		netd_network_free(n);
	}
}

static void down_removes_only_what_is_there(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT);
	struct netd_observed o = {0};
	struct netd_desired *d;
	struct netd_plan p;
	const enum netd_step_kind all[] = {
	    NETD_STEP_STOP_DNSMASQ,
	    NETD_STEP_REMOVE_RULES,
	    NETD_STEP_FORWARDING_RESTORE,
	    NETD_STEP_DELETE_BRIDGE,
	};

	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 0, NULL);

	o.bridge = NETD_BRIDGE_OURS;
	o.rules_present = true;
	o.dnsmasq_running = true;
	netd_plan_down(d, &o, true, &p);
	expect_steps(&p, 4, all);

	/* Someone else's link under the name is never deleted. */
	o.bridge = NETD_BRIDGE_FOREIGN;
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 2, all);
	netd_desired_free(d);
	netd_network_free(n);
}

static void bridged_takes_its_uplink_after_the_bridge_is_up_and_gives_it_back(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_BRIDGED);
	struct netd_diag diag = {""};
	struct netd_desired *d;
	struct netd_observed o = {.uplink_exists = true};
	struct netd_plan p;
	const enum netd_step_kind up[] = {NETD_STEP_CREATE_BRIDGE, NETD_STEP_LINK_UP,
	                                  NETD_STEP_TAKE_UPLINK};

	n->line_uplink = 4;
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_false(d->has_rules);
	assert_false(d->dnsmasq);
	assert_false(d->forwarding);
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), 0);
	expect_steps(&p, 3, up);

	o.uplink_exists = false;
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), -ENODEV);
	assert_string_equal(diag.msg, "test.conf:4: uplink eth0 does not exist");

	o.uplink_exists = true;
	strcpy(o.uplink_master, "docker0");
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), -EBUSY);
	assert_string_equal(diag.msg, "test.conf:4: uplink eth0 is already enslaved to docker0");

	memset(&o, 0, sizeof(o));
	o.bridge = NETD_BRIDGE_OURS;
	o.uplink_saved = true;
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 2,
	             (enum netd_step_kind[]){NETD_STEP_RELEASE_UPLINK, NETD_STEP_DELETE_BRIDGE});
	netd_desired_free(d);
	netd_network_free(n);
}

static void bridged_with_a_bond_creates_it_before_taking_it_and_deletes_it_after(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_BRIDGED);
	struct netd_diag diag = {""};
	struct netd_desired *d;
	struct netd_observed o = {0};
	struct netd_plan p;
	const enum netd_step_kind up[] = {NETD_STEP_CREATE_BRIDGE, NETD_STEP_LINK_UP,
	                                  NETD_STEP_CREATE_BOND, NETD_STEP_TAKE_UPLINK};

	strcpy(n->bond.name, "bond0");
	strcpy(n->uplink, "bond0");
	strcpy(n->bond.slaves[0], "eth0");
	strcpy(n->bond.slaves[1], "eth1");
	n->bond.n_slaves = 2;
	n->bond.opt_line[NETD_BOND_OPT_NAME] = 7;
	n->bond.opt_line[NETD_BOND_OPT_SLAVES] = 8;
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_string_equal(netd_step_name(NETD_STEP_CREATE_BOND), "create bond");
	assert_string_equal(netd_step_name(NETD_STEP_DELETE_BOND), "delete bond");

	/* The bond does not exist yet, so neither does the uplink: that is no error. */
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), 0);
	expect_steps(&p, 4, up);

	/* Bridge up already, bond made but not taken (a failed take): take it only. */
	o.bridge = NETD_BRIDGE_OURS;
	o.bridge_up = true;
	o.bond_exists = o.bond_ours = true;
	o.uplink_exists = true;
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_TAKE_UPLINK});
	o.uplink_enslaved = true;
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), 0);
	expect_steps(&p, 0, NULL);

	memset(&o, 0, sizeof(o));
	o.bond_exists = true;
	strcpy(o.bond_kind, "veth");
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), -EEXIST);
	assert_string_equal(diag.msg,
	                    "test.conf:7: bond bond0: a veth link named bond0 already "
	                    "exists and is not netd's (alias '', not 'netd:default'); netd "
	                    "never takes over a link it did not make: remove it or choose "
	                    "another Name= in [Bond]");
	memset(&o, 0, sizeof(o));
	strcpy(o.bond_slave_absent, "eth1");
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), -ENODEV);
	assert_string_equal(diag.msg, "test.conf:8: slave eth1 of bond bond0 does not exist");
	memset(&o, 0, sizeof(o));
	strcpy(o.bond_slave_busy, "eth0");
	strcpy(o.bond_slave_master, "br9");
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), -EBUSY);
	assert_string_equal(diag.msg,
	                    "test.conf:8: slave eth0 of bond bond0 is already enslaved to br9");

	/* down: give the uplink back to the bond, then the slaves back, then the bridge */
	memset(&o, 0, sizeof(o));
	o.bridge = NETD_BRIDGE_OURS;
	o.uplink_saved = true;
	o.bond_exists = o.bond_ours = o.bond_saved = true;
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 3,
	             (enum netd_step_kind[]){NETD_STEP_RELEASE_UPLINK, NETD_STEP_DELETE_BOND,
	                                     NETD_STEP_DELETE_BRIDGE});
	/* slaves saved but the bond gone (a crash): still give them back */
	o.bond_exists = o.bond_ours = false;
	o.uplink_saved = false;
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 2,
	             (enum netd_step_kind[]){NETD_STEP_DELETE_BOND, NETD_STEP_DELETE_BRIDGE});
	/* someone else's bond under the name, nothing saved: never deleted */
	o.bond_exists = true;
	o.bond_saved = false;
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_DELETE_BRIDGE});
	netd_desired_free(d);
	netd_network_free(n);
}

/* A [Tap] of n, as config_tap.c leaves it. */
static void add_tap(struct netd_network *n, const char *name, unsigned line)
{
	struct netd_tap *t = &n->taps[n->n_taps++];

	memset(t, 0, sizeof(*t));
	strcpy(t->name, name);
	netd_tap_derived_mac(n->name, name, t->mac);
	t->queues = 1;
	t->line = line;
}

static struct netd_tap_record record_of(const char *tap, const uint8_t mac[6], bool declared)
{
	struct netd_tap_record r;

	memset(&r, 0, sizeof(r));
	strcpy(r.tap, tap);
	memcpy(r.mac, mac, 6);
	netd_tap_host_mac(mac, r.host_mac);
	r.declared = declared;
	r.queues = 1;
	return r;
}

/* A tap link as netd leaves it on a network whose bridge has MTU 1500. */
static void tap_link_ok(struct netd_tap_links *k, const struct netd_network *n,
                        const struct netd_tap_record *r)
{
	struct netd_tap_link *l = &k->v[k->n++];

	memset(l, 0, sizeof(*l));
	strcpy(l->name, r->tap);
	l->ours = true;
	strcpy(l->alias, "netd:default");
	l->enslaved = true;
	l->isolated = netd_port_isolated(n, r->tap);
	l->up = true;
	l->mtu = 1500;
	memcpy(l->mac, r->host_mac, 6);
}

static void taps_are_synced_last_on_up_and_only_when_something_differs(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT);
	struct netd_tap_link links[4];
	struct netd_tap_state rec = {0};
	struct netd_tap_record r0, r1, att;
	struct netd_desired *d;
	struct netd_observed o = {0};
	struct netd_plan p;
	const uint8_t mac[6] = {0x52, 0x54, 0, 9, 9, 9};
	const enum netd_step_kind fresh[] = {
	    NETD_STEP_CREATE_BRIDGE, NETD_STEP_ADD_ADDRESS,   NETD_STEP_FORWARDING_ON,
	    NETD_STEP_LINK_UP,       NETD_STEP_START_DNSMASQ, NETD_STEP_APPLY_RULES,
	    NETD_STEP_SYNC_TAPS,
	};

	assert_string_equal(netd_step_name(NETD_STEP_SYNC_TAPS), "sync taps");
	add_tap(n, "vm0", 10);
	add_tap(n, "vm1", 13);
	/* Nothing there yet: the [Tap]s are made after the bridge, its rules and dnsmasq. */
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 7, fresh);
	netd_desired_free(d);

	/* Up as desired: both [Tap]s recorded, their links as netd left them; an attached tap
	 * that exists is never touched. */
	r0 = record_of("vm0", n->taps[0].mac, true);
	r1 = record_of("vm1", n->taps[1].mac, true);
	att = record_of("vnet0", mac, false);
	assert_int_equal(netd_tap_state_add(&rec, &r0), 0);
	assert_int_equal(netd_tap_state_add(&rec, &r1), 0);
	assert_int_equal(netd_tap_state_add(&rec, &att), 0);
	assert_int_equal(netd_desired_build(n, NULL, &rec, &d), 0);
	all_present(d, &o);
	o.taps = (struct netd_tap_links){.v = links, .bridge_mtu = 1500};
	tap_link_ok(&o.taps, n, &r0);
	tap_link_ok(&o.taps, n, &r1);
	tap_link_ok(&o.taps, n, &att);
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 0, NULL);

	/* Drift of one tap (set down), a missing [Tap], a gone attached tap: one step each. */
	links[1].up = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_SYNC_TAPS});
	links[1].up = true;
	links[1].mtu = 9000;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_SYNC_TAPS});
	links[1].mtu = 1500;
	o.taps.n = 2; /* vnet0 gone */
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 1, (enum netd_step_kind[]){NETD_STEP_SYNC_TAPS});
	o.taps.n = 1; /* vm1 gone too */
	o.dnsmasq_running = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	expect_steps(&p, 2, (enum netd_step_kind[]){NETD_STEP_START_DNSMASQ, NETD_STEP_SYNC_TAPS});

	/* A foreign link under a [Tap]'s name plans the step: it is the step that fails, and
	 * the plan before it is undone. */
	o = (struct netd_observed){0};
	o.taps = (struct netd_tap_links){.v = links, .n = 1};
	memset(&links[0], 0, sizeof(links[0]));
	strcpy(links[0].name, "vm1");
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	assert_int_equal(p.n, 7);
	assert_int_equal(p.steps[6], NETD_STEP_SYNC_TAPS);
	netd_desired_free(d);
	netd_tap_state_clear(&rec);
	netd_network_free(n);
}

static bool plans_rules(const struct netd_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i] == NETD_STEP_APPLY_RULES)
			return true;
	return false;
}

/* A bridged network has no inet rules, only its [Tap]'s port binding in table bridge netd:
 * applied when the kernel's differs by content; and chains left there after GuestSourceCheck
 * was turned off are applied away, as the verification does not find them wanted. */
static void port_bindings_are_applied_when_they_differ(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_BRIDGED);
	struct netd_desired *d;
	struct netd_observed o;
	struct netd_plan p;

	add_tap(n, "vm0", 10);
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_false(d->has_rules);
	assert_int_equal(d->nft->n_ports, 1);
	all_present(d, &o);
	o.rules_present = true;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	assert_false(plans_rules(&p));
	o.rules_current = false;
	strcpy(o.rules_drift, "port_default.vm0: 1 rule missing");
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	assert_true(plans_rules(&p));
	netd_desired_free(d);

	n->guest_source_check = false;
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	assert_int_equal(d->nft->n_ports, 0);
	all_present(d, &o);
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	assert_false(plans_rules(&p));
	o.rules_present = true;
	o.rules_current = false;
	strcpy(o.rules_drift, "port_default.vm0: chain not wanted; port_if: \"vm0\" foreign");
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	assert_true(plans_rules(&p));
	/* down removes them with the rest (the [Tap]'s link is not there: no taps to remove). */
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 3,
	             (enum netd_step_kind[]){NETD_STEP_REMOVE_RULES, NETD_STEP_RELEASE_UPLINK,
	                                     NETD_STEP_DELETE_BRIDGE});
	netd_desired_free(d);
	netd_network_free(n);
}

static void taps_are_removed_once_dnsmasq_is_stopped_and_only_when_there_are_any(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT);
	struct netd_tap_state rec = {0};
	struct netd_tap_link link = {.ours = true};
	struct netd_tap_record att;
	struct netd_desired *d;
	struct netd_observed o = {0};
	struct netd_plan p;
	const uint8_t mac[6] = {0x52, 0x54, 0, 9, 9, 9};
	const enum netd_step_kind all[] = {
	    NETD_STEP_STOP_DNSMASQ,
	    NETD_STEP_REMOVE_TAPS,
	    NETD_STEP_REMOVE_RULES,
	    NETD_STEP_DELETE_BRIDGE,
	};

	assert_string_equal(netd_step_name(NETD_STEP_REMOVE_TAPS), "remove taps");
	add_tap(n, "vm0", 10);
	o.bridge = NETD_BRIDGE_OURS;
	o.rules_present = true;
	o.dnsmasq_running = true;
	/* A [Tap] whose link is not there and no record: nothing of netd's to remove. */
	assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 3,
	             (enum netd_step_kind[]){NETD_STEP_STOP_DNSMASQ, NETD_STEP_REMOVE_RULES,
	                                     NETD_STEP_DELETE_BRIDGE});
	/* ... nor when someone else's link has its name. */
	strcpy(link.name, "vm0");
	link.ours = false;
	o.taps = (struct netd_tap_links){.v = &link, .n = 1};
	netd_plan_down(d, &o, false, &p);
	assert_int_equal(p.n, 3);
	/* Its tagged link, though the record lost it: removed, after dnsmasq stopped. */
	link.ours = true;
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 4, all);
	netd_desired_free(d);

	/* An attached tap in the record, whatever the kernel has: removed and forgotten. */
	att = record_of("vnet0", mac, false);
	assert_int_equal(netd_tap_state_add(&rec, &att), 0);
	assert_int_equal(netd_desired_build(n, NULL, &rec, &d), 0);
	o.taps.n = 0;
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 4, all);
	o.dnsmasq_running = false;
	netd_plan_down(d, &o, false, &p);
	expect_steps(&p, 3, all + 1);
	netd_desired_free(d);
	netd_tap_state_clear(&rec);
	netd_network_free(n);
}

static void every_step_has_a_name(void **state)
{
	for (int k = 0; k < NETD_STEP_KINDS; k++) {
		const char *name = netd_step_name(k);

		assert_non_null(name);
		for (int j = 0; j < k; j++)
			assert_string_not_equal(name, netd_step_name(j));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fresh_nat_builds_everything_dnsmasq_started_before_the_rules),
	    cmocka_unit_test(network_already_up_plans_nothing),
	    cmocka_unit_test(drift_is_repaired_step_by_step),
	    cmocka_unit_test(a_dnsmasq_that_cannot_serve_is_restarted),
	    cmocka_unit_test(foreign_link_under_the_name_is_refused),
	    cmocka_unit_test(internal_and_hostonly_never_route_and_isolate_when_vm_to_vm_denied),
	    cmocka_unit_test(desired_bridge_arp_follows_the_mode),
	    cmocka_unit_test(down_removes_only_what_is_there),
	    cmocka_unit_test(bridged_takes_its_uplink_after_the_bridge_is_up_and_gives_it_back),
	    cmocka_unit_test(bridged_with_a_bond_creates_it_before_taking_it_and_deletes_it_after),
	    cmocka_unit_test(taps_are_synced_last_on_up_and_only_when_something_differs),
	    cmocka_unit_test(taps_are_removed_once_dnsmasq_is_stopped_and_only_when_there_are_any),
	    cmocka_unit_test(port_bindings_are_applied_when_they_differ),
	    cmocka_unit_test(every_step_has_a_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
