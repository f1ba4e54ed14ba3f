/*
 * [Network] MTU= (issue #11) in the pure parts: the planner sets it on a new bridge before the
 * link comes up, again whenever the bridge or a port of it has another one (a reload that
 * changes MTU=, a port someone attached), and never without MTU=; a bridged network refuses
 * more than its uplink's; dnsmasq announces it to the guests as DHCP option 26.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/dnsmasq.h"
#include "netd/mode.h"
#include "netd/plan.h"

#include "plan_harness.h"

static struct netd_network *make_net_mtu(enum netd_mode mode, unsigned mtu)
{
	struct netd_network *n = make_net(mode);

	n->mtu = mtu;
	return n;
}

static ssize_t step_at(const struct netd_plan *p, enum netd_step_kind k)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i] == k)
			return (ssize_t)i;
	return -1;
}

static void a_new_bridge_gets_it_before_it_is_up(void **state)
{
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		struct netd_network *n = make_net_mtu(m, 1400);
		struct netd_observed o = {0};
		struct netd_desired *d;
		struct netd_plan p;

		assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
		o.uplink_exists = n->uplink[0] != '\0';
		assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
		assert_true(step_at(&p, NETD_STEP_SET_MTU) > step_at(&p, NETD_STEP_CREATE_BRIDGE));
		assert_true(step_at(&p, NETD_STEP_SET_MTU) < step_at(&p, NETD_STEP_LINK_UP));
		assert_string_equal(netd_step_name(NETD_STEP_SET_MTU), "set the MTU");
		netd_desired_free(d);
		netd_network_free(n);
	}
}

static void up_again_only_where_something_differs(void **state)
{
	static const struct {
		unsigned mtu, bridge_mtu;
		size_t ports;
		bool step;
	} c[] = {
	    {1400, 1400, 0, false},                        /* as wanted */
	    {1400, 1500, 0, true},                         /* a reload changed MTU= */
	    {9000, 1500, 0, true},  {1400, 1400, 1, true}, /* a port someone attached */
	    {0, 1500, 0, false}, /* no MTU=: the kernel's, whatever it is */
	    {0, 9000, 0, false},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct netd_network *n = make_net_mtu(NETD_MODE_NAT, c[i].mtu);
		struct netd_observed o;
		struct netd_desired *d;
		struct netd_plan p;

		assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
		all_present(d, &o);
		o.bridge_mtu = c[i].bridge_mtu;
		o.n_ports_mtu = c[i].ports;
		assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
		if ((step_at(&p, NETD_STEP_SET_MTU) >= 0) != c[i].step)
			fail_msg("case %zu: MTU=%u, bridge at %u, %zu ports: step %s", i, c[i].mtu,
			         c[i].bridge_mtu, c[i].ports, c[i].step ? "missing" : "planned");
		assert_int_equal(p.n, c[i].step ? 1 : 0);
		netd_desired_free(d);
		netd_network_free(n);
	}
}

/* A bridged network's guests send across the uplink: MTU= up to the uplink's, not above. */
static void bridged_refuses_more_than_its_uplink(void **state)
{
	static const unsigned mtus[] = {1280, 1500, 1501, 9000};
	struct netd_diag diag;

	for (size_t i = 0; i < sizeof(mtus) / sizeof(mtus[0]); i++) {
		struct netd_network *n = make_net_mtu(NETD_MODE_BRIDGED, mtus[i]);
		struct netd_observed o = {0};
		struct netd_desired *d;
		struct netd_plan p;
		int ret;

		n->line_mtu = 4;
		assert_int_equal(netd_desired_build(n, NULL, NULL, &d), 0);
		o.uplink_exists = true;
		o.uplink_mtu = 1500;
		ret = netd_plan_up(d, &o, &p, &diag);
		if (mtus[i] <= 1500) {
			assert_int_equal(ret, 0);
			assert_true(step_at(&p, NETD_STEP_SET_MTU) >= 0);
		} else {
			char want[512];

			assert_int_equal(ret, -EINVAL);
			snprintf(
			    want, sizeof(want),
			    "test.conf:4: MTU=%u is larger than the MTU of uplink eth0 (1500): "
			    "the LAN could not carry what the guests send; give at most 1500, or "
			    "leave MTU= out and the bridge takes the uplink's",
			    mtus[i]);
			assert_string_equal(diag.msg, want);
		}
		netd_desired_free(d);
		netd_network_free(n);
	}
}

static void dhcp_announces_it(void **state)
{
	struct netd_dnsmasq_paths paths;
	struct netd_network *n = make_net_mtu(NETD_MODE_NAT, 1400);
	char *text = NULL;

	/* in the options file dnsmasq rereads on SIGHUP: a changed MTU needs no restart */
	assert_int_equal(netd_dnsmasq_paths_init(&paths, "/run/netd", "/var/lib/netd", n->name), 0);
	assert_int_equal(netd_dnsmasq_render_opts(n, &text), 0);
	assert_non_null(strstr(text, "\n26,1400\n"));
	free(text);
	assert_int_equal(netd_dnsmasq_render_conf(n, &paths, &text), 0);
	assert_null(strstr(text, "dhcp-option=26"));
	free(text);
	n->mtu = 0;
	assert_int_equal(netd_dnsmasq_render_opts(n, &text), 0);
	assert_null(strstr(text, "\n26,"));
	free(text);
	netd_network_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_new_bridge_gets_it_before_it_is_up),
	    cmocka_unit_test(up_again_only_where_something_differs),
	    cmocka_unit_test(bridged_refuses_more_than_its_uplink),
	    cmocka_unit_test(dhcp_announces_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
