/* The scan finds other tables' base chains, their policy and drop rules, and skips netd's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/firewall.h"
#include "netd/kernel/nft.h"

/* netd's own nftables handle: the scan reads on its socket. */
static struct netd_nft *nft;

static int enter_private_netns(void **state)
{
	if (unshare(CLONE_NEWNET) != 0) {
		perror("unshare(CLONE_NEWNET) (this test needs root)");
		return -1;
	}
	return netd_nft_open(&nft) == 0 ? 0 : -1;
}

static int close_nft(void **state)
{
	netd_nft_close(nft);
	return 0;
}

static const struct netd_fw_chain *find(const struct netd_fw_chain *c, size_t n, const char *table,
                                        const char *chain)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].table, table) == 0 && strcmp(c[i].chain, chain) == 0)
			return &c[i];
	return NULL;
}

static void finds_docker_style_forward_drop_and_ufw_style_rules(void **state)
{
	struct netd_fw_chain *chains = NULL;
	const struct netd_fw_chain *c;
	size_t n = 0;

	assert_int_equal(netd_fw_scan(nft, &chains, &n), 0);
	assert_int_equal(n, 0);
	free(chains);

	assert_int_equal(
	    system("nft -f - <<'EOF'\n"
	           "table ip filter {\n"
	           "  chain FORWARD { type filter hook forward priority 0; policy drop; }\n"
	           "}\n"
	           "table inet ufwish {\n"
	           "  chain in { type filter hook input priority 0;\n"
	           "    tcp dport 22 accept; udp dport 67 drop; reject; }\n"
	           "  chain helper { drop; }\n"
	           "}\n"
	           "table inet netd {\n"
	           "  chain forward { type filter hook forward priority 0; policy accept; }\n"
	           "}\n"
	           "EOF"),
	    0);
	assert_int_equal(netd_fw_scan(nft, &chains, &n), 0);
	assert_int_equal(n, 2); /* regular chains and netd's own table are not reported */

	c = find(chains, n, "filter", "FORWARD");
	assert_non_null(c);
	assert_string_equal(c->family, "ip");
	assert_int_equal(c->hook, NETD_FW_HOOK_FORWARD);
	assert_true(c->policy_drop);
	assert_int_equal(c->drop_rules, 0);

	c = find(chains, n, "ufwish", "in");
	assert_non_null(c);
	assert_string_equal(c->family, "inet");
	assert_int_equal(c->hook, NETD_FW_HOOK_INPUT);
	assert_false(c->policy_drop);
	assert_int_equal(c->drop_rules, 2);
	free(chains);
}

/* Read family by family (netd's table alone in a family costs nothing), the chains still come
 * in the kernel's order of tables, and drop rules count for their own table's chain only. */
static void keeps_the_kernel_order_across_families(void **state)
{
	static const char *const order[][2] = {
	    {"filter", "FORWARD"}, {"ufwish", "in"}, {"six", "INPUT"}, {"late", "INPUT"}};
	struct netd_fw_chain *chains = NULL;
	size_t n = 0;

	assert_int_equal(
	    system("nft -f - <<'EOF'\n"
	           "table ip6 six {\n"
	           "  chain INPUT { type filter hook input priority 0; drop; }\n"
	           "}\n"
	           "table ip late {\n"
	           "  chain INPUT { type filter hook input priority 0; policy drop; }\n"
	           "}\n"
	           "EOF"),
	    0);
	assert_int_equal(netd_fw_scan(nft, &chains, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(chains[i].table, order[i][0]);
		assert_string_equal(chains[i].chain, order[i][1]);
	}
	assert_string_equal(chains[2].family, "ip6");
	assert_int_equal(chains[2].drop_rules, 1);
	assert_int_equal(chains[3].drop_rules, 0);
	assert_true(chains[3].policy_drop);
	free(chains);
}

/* netd's bridge table (the guests' port bindings) is netd's own too; another one is not. */
static void skips_bridge_netd_but_not_other_bridge_tables(void **state)
{
	struct netd_fw_chain *chains = NULL;
	const struct netd_fw_chain *c;
	size_t n = 0;

	assert_int_equal(
	    system("nft flush ruleset && nft -f - <<'EOF'\n"
	           "table bridge netd {\n"
	           "  chain forward { type filter hook forward priority 0; policy drop; }\n"
	           "}\n"
	           "table bridge other {\n"
	           "  chain fwd_drop { type filter hook forward priority 0; policy drop; }\n"
	           "}\n"
	           "EOF"),
	    0);
	assert_int_equal(netd_fw_scan(nft, &chains, &n), 0);
	assert_int_equal(n, 1);
	c = find(chains, n, "other", "fwd_drop");
	assert_non_null(c);
	assert_string_equal(c->family, "bridge");
	assert_int_equal(c->hook, NETD_FW_HOOK_FORWARD);
	assert_true(c->policy_drop);
	free(chains);
}

/* The scan shares netd's socket with netd's own dumps: neither reads the other's replies. */
static void shares_netds_socket_with_its_own_reads(void **state)
{
	struct netd_fw_chain *chains = NULL;
	char(*names)[NETD_NAME_MAX] = NULL;
	size_t n = 0, n_names = 0;

	assert_int_equal(netd_fw_scan(nft, &chains, &n), 0);
	free(chains);
	assert_int_equal(netd_nft_list_networks(nft, &names, &n_names), 0);
	free(names);
	assert_int_equal(netd_fw_scan(nft, &chains, &n), 0);
	assert_int_equal(n, 1); /* bridge other's fwd_drop, from the test before */
	free(chains);
	assert_int_equal(netd_nft_list_networks(nft, &names, &n_names), 0);
	free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(finds_docker_style_forward_drop_and_ufw_style_rules),
	    cmocka_unit_test(keeps_the_kernel_order_across_families),
	    cmocka_unit_test(skips_bridge_netd_but_not_other_bridge_tables),
	    cmocka_unit_test(shares_netds_socket_with_its_own_reads),
	};

	return cmocka_run_group_tests(tests, enter_private_netns, close_nft);
}
