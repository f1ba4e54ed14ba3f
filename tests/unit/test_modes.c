/*
 * The table of modes: each mode's entries as the documents describe the mode
 * (../shared/seeds/004_53077c6a3eaaf04d.txt, "虚拟机的网络模式"), the contracts mode.h writes on
 * the fields, and what the decisions that read them make of a network. Pure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "netd/mode.h"
#include "netd/nft.h"

#define BIT(c) (1u << (c))

static const struct expect {
	bool switched, routed, host_is_router, masquerade, no_ipv6;
	uint8_t arp_ignore;
	bool needs_address, allows_address, allows_dhcp, needs_uplink;
} expect[NETD_MODE_MAX] = {
    /* "其原理类似于路由器": the host is the guests' router and translates their addresses. */
    [NETD_MODE_NAT] = {.routed = true,
                       .host_is_router = true,
                       .masquerade = true,
                       .no_ipv6 = true,
                       .needs_address = true,
                       .allows_address = true,
                       .allows_dhcp = true},
    /* "虚拟机被视为和宿主机同等地位的存在（其网络在一个网段）": a host on the LAN beside the
     * host, through the uplink; switched, and the address is the LAN's. */
    [NETD_MODE_BRIDGED] = {.switched = true, .needs_uplink = true},
    /* "系统不给其提供任何路由服务" until a policy says so ("× 可配"): routed only then; the host
     * serves DHCP and DNS on its own address and answers ARP for that address only. */
    [NETD_MODE_HOSTONLY] = {.routed = true,
                            .no_ipv6 = true,
                            .arp_ignore = 1,
                            .needs_address = true,
                            .allows_address = true,
                            .allows_dhcp = true},
    /* Guests among themselves: the host has no address there and answers ARP for none. */
    [NETD_MODE_INTERNAL] = {.no_ipv6 = true, .arp_ignore = 8},
    /* libvirt's <forward mode='route'>: the host is the guests' router and keeps their
     * addresses; the upstream routes the subnet back to the host. */
    [NETD_MODE_ROUTED] = {.routed = true,
                          .host_is_router = true,
                          .no_ipv6 = true,
                          .needs_address = true,
                          .allows_address = true,
                          .allows_dhcp = true},
};

static void the_table_is_indexed_by_mode_and_named_like_the_model(void **state)
{
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);

		assert_non_null(ops);
		assert_int_equal(ops->mode, m);
		assert_string_equal(ops->name, netd_mode_to_string(m));
		assert_int_equal(netd_mode_from_string(ops->name), m);
	}
	assert_null(netd_mode_ops(NETD_MODE_MAX));
	assert_null(netd_mode_ops((enum netd_mode) - 1));
}

static void each_mode_is_what_the_documents_say(void **state)
{
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *o = netd_mode_ops(m);
		const struct expect *x = &expect[m];

		if (o->switched != x->switched || o->routed != x->routed ||
		    o->host_is_router != x->host_is_router || o->masquerade != x->masquerade ||
		    o->no_ipv6 != x->no_ipv6 || o->arp_ignore != x->arp_ignore ||
		    o->needs_address != x->needs_address ||
		    o->allows_address != x->allows_address || o->allows_dhcp != x->allows_dhcp ||
		    o->needs_uplink != x->needs_uplink)
			fail_msg("%s: switched %d routed %d router %d masq %d no_ipv6 %d arp %u "
			         "addr %d/%d dhcp %d uplink %d",
			         o->name, o->switched, o->routed, o->host_is_router, o->masquerade,
			         o->no_ipv6, o->arp_ignore, o->needs_address, o->allows_address,
			         o->allows_dhcp, o->needs_uplink);
	}
}

/* What mode.h promises of any mode, so that a new one cannot contradict itself. */
static void every_mode_keeps_the_contracts_of_its_fields(void **state)
{
	const unsigned host_cells = BIT(NETD_CELL_VM_TO_HOST) | BIT(NETD_CELL_HOST_TO_VM) |
	                            BIT(NETD_CELL_VM_TO_OUTSIDE) | BIT(NETD_CELL_OUTSIDE_TO_VM);

	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);

		assert_true(ops->needs_address ? ops->allows_address : true);
		assert_true(ops->allows_dhcp ? ops->allows_address : true);
		if (ops->switched) {
			/* Nothing routed to filter: the host and outside cells stay as they are. */
			assert_false(ops->routed);
			assert_false(ops->allows_address);
			assert_true(ops->needs_uplink);
			assert_int_equal(ops->flippable & host_cells, 0);
			for (int c = 0; c < NETD_CELL_MAX; c++)
				if (host_cells & BIT(c))
					assert_non_null(ops->why_not[c]);
		}
		assert_true(ops->routed ? ops->needs_address : true);
		assert_true(ops->masquerade ? ops->routed : true);
		assert_true(ops->host_is_router ? ops->routed : true);
		assert_true(ops->arp_ignore == 0 || ops->arp_ignore == 1 || ops->arp_ignore == 8);
		/* 1 answers for the bridge's own address: there must be one. 8: there is none. */
		assert_true(ops->arp_ignore == 1 ? ops->needs_address : true);
		assert_true(ops->arp_ignore == 8 ? !ops->allows_address : true);
		for (int c = 0; c < NETD_CELL_MAX; c++)
			assert_true(ops->flippable & BIT(c) ? ops->why_not[c] == NULL : true);
	}
}

/* A network as the parser leaves it for mode m, at the mode's defaults. */
static struct netd_network net(enum netd_mode m)
{
	const struct netd_mode_ops *ops = netd_mode_ops(m);
	struct netd_network n = {.mode = m};

	snprintf(n.name, sizeof(n.name), "%s", ops->name);
	snprintf(n.bridge, sizeof(n.bridge), "br-%s", ops->name);
	if (ops->needs_address) {
		n.has_address = true;
		assert_int_equal(netd_prefix_parse("10.9.0.1/24", &n.address), 0);
	}
	if (ops->needs_uplink)
		snprintf(n.uplink, sizeof(n.uplink), "eth0");
	memcpy(n.policy, ops->defaults, sizeof(n.policy));
	return n;
}

/* Every combination of the two cells that cross the host towards the outside, where the mode
 * lets them be flipped: forwarding is on exactly when a routed mode allows one of them, and
 * the guests' router is the host then, or always where the mode says so. */
static void forwarding_and_router_follow_routed_and_the_policy(void **state)
{
	const enum netd_cell out = NETD_CELL_VM_TO_OUTSIDE, in = NETD_CELL_OUTSIDE_TO_VM;

	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);

		for (unsigned bits = 0; bits < 4; bits++) {
			struct netd_network n = net(m);
			bool any;

			if (!(ops->flippable & BIT(out)))
				n.policy[out] = ops->defaults[out];
			else
				n.policy[out] = bits & 1 ? NETD_POLICY_ALLOW : NETD_POLICY_DENY;
			if (!(ops->flippable & BIT(in)))
				n.policy[in] = ops->defaults[in];
			else
				n.policy[in] = bits & 2 ? NETD_POLICY_ALLOW : NETD_POLICY_DENY;
			any =
			    n.policy[out] == NETD_POLICY_ALLOW || n.policy[in] == NETD_POLICY_ALLOW;
			assert_int_equal(netd_network_needs_forwarding(&n), ops->routed && any);
			assert_int_equal(netd_network_host_is_router(&n),
			                 ops->host_is_router || (ops->routed && any));
		}
	}
}

static void named_cases_of_forwarding_and_router(void **state)
{
	struct netd_network n = net(NETD_MODE_NAT);

	/* A NAT network closed to the outside keeps the host as its guests' gateway. */
	n.policy[NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_DENY;
	assert_false(netd_network_needs_forwarding(&n));
	assert_true(netd_network_host_is_router(&n));

	n = net(NETD_MODE_HOSTONLY);
	assert_false(netd_network_host_is_router(&n));
	n.policy[NETD_CELL_OUTSIDE_TO_VM] = NETD_POLICY_ALLOW;
	assert_true(netd_network_needs_forwarding(&n));
	assert_true(netd_network_host_is_router(&n));

	/* Bridged guests are open to everything and still nothing is routed. */
	n = net(NETD_MODE_BRIDGED);
	assert_false(netd_network_needs_forwarding(&n));
	assert_false(netd_network_host_is_router(&n));
	n = net(NETD_MODE_INTERNAL);
	assert_false(netd_network_needs_forwarding(&n));
	assert_false(netd_network_host_is_router(&n));
}

/* The rules each mode gets: none where switched, a post_ chain only where it masquerades. */
static void rules_follow_switched_and_masquerade(void **state)
{
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);
		struct netd_network n = net(m);
		struct netd_nft_net *x = NULL;

		assert_int_equal(netd_nft_net_build(&n, &x), 0);
		for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
			/* post6_ only with an IPv6 prefix, which net() has not (test_nft_build6.c) */
			bool want = !ops->switched && (k != NETD_NFT_CHAIN_POST || ops->masquerade) &&
			            k != NETD_NFT_CHAIN_POST6;

			if (x->chains[k].present != want)
				fail_msg("%s: chain %s%s should%s be there", ops->name,
				         netd_nft_chain_prefix(k), n.name, want ? "" : " not");
		}
		netd_nft_net_free(x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_table_is_indexed_by_mode_and_named_like_the_model),
	    cmocka_unit_test(each_mode_is_what_the_documents_say),
	    cmocka_unit_test(every_mode_keeps_the_contracts_of_its_fields),
	    cmocka_unit_test(forwarding_and_router_follow_routed_and_the_policy),
	    cmocka_unit_test(named_cases_of_forwarding_and_router),
	    cmocka_unit_test(rules_follow_switched_and_masquerade),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
