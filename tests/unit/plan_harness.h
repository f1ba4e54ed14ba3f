/* Shared by the planner's unit tests (test_plan*.c): a network of a mode as the config
 * leaves it, the observed state of one that is up as desired, and the plan's steps compared
 * by name. Included once per test program. */
#ifndef NETD_TEST_PLAN_HARNESS_H
#define NETD_TEST_PLAN_HARNESS_H

#include <string.h>

#include "netd/mode.h"
#include "netd/plan.h"

static inline struct netd_network *make_net(enum netd_mode mode)
{
	const struct netd_mode_ops *ops = netd_mode_ops(mode);
	struct netd_network *n = netd_network_new();

	strcpy(n->name, "default");
	strcpy(n->bridge, "virbr0");
	n->mode = mode;
	if (ops->needs_address) {
		n->has_address = true;
		netd_prefix_parse("192.122.1.1/24", &n->address);
		n->has_dhcp = true;
		netd_ipv4_parse("192.122.1.2", &n->dhcp_first);
		netd_ipv4_parse("192.122.1.254", &n->dhcp_last);
		n->lease_time = 3600;
	}
	if (ops->needs_uplink)
		strcpy(n->uplink, "eth0");
	memcpy(n->policy, ops->defaults, sizeof(n->policy));
	strcpy(n->source, "test.conf");
	return n;
}

/* The observed state of a network that is fully up as desired. */
static inline void all_present(const struct netd_desired *d, struct netd_observed *o)
{
	memset(o, 0, sizeof(*o));
	o->bridge = NETD_BRIDGE_OURS;
	o->bridge_up = true;
	o->has_address = d->net->has_address;
	o->rules_present = d->has_rules;
	o->rules_current = true;
	o->dnsmasq_running = d->dnsmasq;
	o->dnsmasq_conf_current = d->dnsmasq;
	o->ip_forward_on = true;
	o->uplink_exists = d->net->uplink[0] != '\0';
	o->uplink_enslaved = o->uplink_exists;
	o->uplink_saved = o->uplink_exists;
}

static inline void expect_steps(const struct netd_plan *p, size_t n,
                                const enum netd_step_kind *want)
{
	char got[512] = "";

	for (size_t i = 0; i < p->n; i++) {
		strcat(got, netd_step_name(p->steps[i]));
		strcat(got, "; ");
	}
	if (p->n != n)
		fail_msg("expected %zu steps, got %zu: %s", n, p->n, got);
	for (size_t i = 0; i < n; i++)
		if (p->steps[i] != want[i])
			fail_msg("step %zu: expected '%s', plan was: %s", i,
			         netd_step_name(want[i]), got);
}

#endif
