/* Which cells a foreign firewall chain breaks, and how netd says it. Pure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "netd/firewall.h"
#include "netd/mode.h"

#define BIT(c) (1u << (c))

static struct netd_network net(enum netd_mode m)
{
	struct netd_network n = {.mode = m};

	memcpy(n.policy, netd_mode_ops(m)->defaults, sizeof(n.policy));
	return n;
}

static const struct netd_fw_chain docker_forward = {
    .family = "ip",
    .table = "filter",
    .chain = "FORWARD",
    .hook = NETD_FW_HOOK_FORWARD,
    .policy_drop = true,
};

static void docker_forward_drop_breaks_nat_outbound_and_vm_to_vm_with_br_netfilter(void **s)
{
	struct netd_network n = net(NETD_MODE_NAT);
	struct netd_fw_finding f[4];
	char msg[512];

	/* nat defaults allow VMToOutside but not OutsideToVM: only the allowed cell breaks. */
	assert_int_equal(netd_fw_check(&n, &docker_forward, 1, false, f, 4), 1);
	assert_true(f[0].certain);
	assert_int_equal(f[0].cells, BIT(NETD_CELL_VM_TO_OUTSIDE));
	assert_int_equal(netd_fw_check(&n, &docker_forward, 1, true, f, 4), 1);
	assert_int_equal(f[0].cells, BIT(NETD_CELL_VM_TO_OUTSIDE) | BIT(NETD_CELL_VM_TO_VM));
	netd_fw_describe(&f[0], msg, sizeof(msg));
	assert_non_null(strstr(msg, "table ip filter chain FORWARD (hook forward, policy drop) "
	                            "blocks VMToOutside, VMToVM"));
}

static void forward_drop_breaks_every_bridged_cell_only_with_br_netfilter(void **s)
{
	struct netd_network n = net(NETD_MODE_BRIDGED);
	struct netd_fw_finding f[4];

	assert_int_equal(netd_fw_check(&n, &docker_forward, 1, false, f, 4), 0);
	assert_int_equal(netd_fw_check(&n, &docker_forward, 1, true, f, 4), 1);
	assert_int_equal(f[0].cells, BIT(NETD_CELL_MAX) - 1);
}

static void input_and_output_drops_hit_host_cells_only_where_allowed(void **s)
{
	const struct netd_fw_chain chains[] = {
	    {.family = "inet",
	     .table = "firewalld",
	     .chain = "filter_INPUT",
	     .hook = NETD_FW_HOOK_INPUT,
	     .policy_drop = true},
	    {.family = "inet",
	     .table = "ufw",
	     .chain = "out",
	     .hook = NETD_FW_HOOK_OUTPUT,
	     .drop_rules = 2},
	    {.family = "ip6",
	     .table = "x",
	     .chain = "in",
	     .hook = NETD_FW_HOOK_INPUT,
	     .policy_drop = true},
	    {.family = "ip", .table = "quiet", .chain = "in", .hook = NETD_FW_HOOK_INPUT},
	};
	struct netd_network n = net(NETD_MODE_NAT);
	struct netd_fw_finding f[4];
	char msg[512];

	/* HostToVM is denied by default: the output chain cannot break anything. */
	assert_int_equal(netd_fw_check(&n, chains, 4, false, f, 4), 1);
	assert_int_equal(f[0].cells, BIT(NETD_CELL_VM_TO_HOST));

	n.policy[NETD_CELL_HOST_TO_VM] = NETD_POLICY_ALLOW;
	assert_int_equal(netd_fw_check(&n, chains, 4, false, f, 4), 2);
	assert_false(f[1].certain);
	netd_fw_describe(&f[1], msg, sizeof(msg));
	assert_string_equal(msg, "table inet ufw chain out (hook output) has 2 drop/reject rules "
	                         "that may block HostToVM: check that they spare the network's "
	                         "bridge");
}

static void internal_network_has_nothing_to_break_by_default(void **s)
{
	struct netd_network n = net(NETD_MODE_INTERNAL);
	struct netd_fw_finding f[4];

	assert_int_equal(netd_fw_check(&n, &docker_forward, 1, true, f, 4), 0);
	n.policy[NETD_CELL_VM_TO_VM] = NETD_POLICY_ALLOW;
	assert_int_equal(netd_fw_check(&n, &docker_forward, 1, true, f, 4), 1);
	assert_int_equal(f[0].cells, BIT(NETD_CELL_VM_TO_VM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        docker_forward_drop_breaks_nat_outbound_and_vm_to_vm_with_br_netfilter),
	    cmocka_unit_test(forward_drop_breaks_every_bridged_cell_only_with_br_netfilter),
	    cmocka_unit_test(input_and_output_drops_hit_host_cells_only_where_allowed),
	    cmocka_unit_test(internal_network_has_nothing_to_break_by_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
