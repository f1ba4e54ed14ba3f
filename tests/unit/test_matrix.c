/* Each mode's defaults are the documents' table, as tests/data/matrix.tsv writes it down, and
 * the way each mode carries its traffic follows from its column of that table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "netd/mode.h"

/* The documents' matrix: doc[mode][cell], every cell of every mode given exactly once. */
static enum netd_policy doc[NETD_MODE_MAX][NETD_CELL_MAX];
/* The "source" row: true where the outside sees the host's address for a VM (NAT). */
static bool doc_nat[NETD_MODE_MAX];

static void load_matrix(void)
{
	FILE *f = fopen(NETD_TEST_DATA "/matrix.tsv", "r");
	int col_mode[8], n_cols = 0, rows = 0, sources = 0;
	char line[256];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;
		int col = 0, cell = -1;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		tok = strtok_r(line, "\t", &save);
		if (strcmp(tok, "cell") == 0) {
			while ((tok = strtok_r(NULL, "\t", &save))) {
				col_mode[n_cols] = netd_mode_from_string(tok);
				assert_true(col_mode[n_cols++] >= 0);
			}
			continue;
		}
		if (strcmp(tok, "source") == 0) {
			while ((tok = strtok_r(NULL, "\t", &save))) {
				assert_true(strcmp(tok, "host") == 0 || strcmp(tok, "vm") == 0);
				doc_nat[col_mode[col++]] = strcmp(tok, "host") == 0;
			}
			assert_int_equal(col, NETD_MODE_MAX);
			sources++;
			continue;
		}
		cell = netd_cell_from_string(tok);
		assert_true(cell >= 0);
		while ((tok = strtok_r(NULL, "\t", &save))) {
			int p = netd_policy_from_string(tok);

			assert_true(p >= 0);
			doc[col_mode[col++]][cell] = (enum netd_policy)p;
		}
		assert_int_equal(col, NETD_MODE_MAX);
		rows++;
	}
	fclose(f);
	assert_int_equal(n_cols, NETD_MODE_MAX);
	assert_int_equal(rows, NETD_CELL_MAX);
	assert_int_equal(sources, 1);
}

static bool allows(enum netd_mode m, enum netd_cell c)
{
	return doc[m][c] == NETD_POLICY_ALLOW;
}

static void defaults_equal_the_documents_table(void **state)
{
	load_matrix();
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);

		for (int c = 0; c < NETD_CELL_MAX; c++)
			if (ops->defaults[c] != doc[m][c])
				fail_msg("%s: %s should be %s", ops->name, netd_cell_to_string(c),
				         netd_policy_to_string(doc[m][c]));
	}
}

/* A column where every cell is open is a guest standing beside the host on its LAN (Bridged):
 * switched, never routed; and only such a column is switched. */
static void a_mode_open_in_every_cell_is_switched(void **state)
{
	load_matrix();
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);
		bool open = true;

		for (int c = 0; c < NETD_CELL_MAX; c++)
			open &= allows(m, c);
		if (ops->switched != open)
			fail_msg("%s: switched should be %d", ops->name, open);
	}
}

/* Guests reach the outside but the outside does not reach them, with the host between: the
 * host is the guests' router whatever the policy. It translates (NAT) exactly where the
 * "source" row says the outside sees the host's address, and only such a column does. */
static void out_but_not_in_is_masquerade(void **state)
{
	load_matrix();
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);
		bool router = !ops->switched && allows(m, NETD_CELL_VM_TO_OUTSIDE) &&
		              !allows(m, NETD_CELL_OUTSIDE_TO_VM);

		if (ops->host_is_router != router)
			fail_msg("%s: host_is_router should be %d", ops->name, router);
		if (ops->masquerade != doc_nat[m])
			fail_msg("%s: masquerade should be %d", ops->name, doc_nat[m]);
		if (doc_nat[m] && !router)
			fail_msg("%s: a NAT mode is out but not in", ops->name);
		if (doc_nat[m] && !ops->routed)
			fail_msg("%s: a NAT mode routes", ops->name);
	}
}

/* A guest that may not reach the host must not find it by ARP either: the bridge answers for
 * its own address at most. A guest that reaches the host keeps the kernel's default. */
static void a_host_closed_to_guests_is_quiet_on_arp(void **state)
{
	load_matrix();
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);
		bool closed = !allows(m, NETD_CELL_VM_TO_HOST) && !allows(m, NETD_CELL_HOST_TO_VM);

		if ((ops->arp_ignore != 0) != closed)
			fail_msg("%s: arp_ignore %u for a host %s to guests", ops->name,
			         ops->arp_ignore, closed ? "closed" : "open");
		if (ops->arp_ignore != 0 && !ops->no_ipv6)
			fail_msg("%s: hidden on IPv4 ARP but not on IPv6", ops->name);
		/* An IPv4-only network's bridge of netd's own has no IPv6 at all (libvirt's
		 * disable_ipv6); a switched mode's bridge carries the uplink's. */
		if (ops->no_ipv6 == ops->switched)
			fail_msg("%s: no_ipv6 %d on a %s bridge", ops->name, ops->no_ipv6,
			         ops->switched ? "switched" : "netd-owned");
	}
}

/* At its defaults a mode needs ip_forward exactly where its column lets traffic between the
 * guests and the outside cross the host rather than the bridge. */
static void forwarding_at_defaults_follows_the_table(void **state)
{
	load_matrix();
	for (int m = 0; m < NETD_MODE_MAX; m++) {
		const struct netd_mode_ops *ops = netd_mode_ops(m);
		struct netd_network n = {.mode = m, .has_address = ops->needs_address};
		bool routes = !ops->switched && (allows(m, NETD_CELL_VM_TO_OUTSIDE) ||
		                                 allows(m, NETD_CELL_OUTSIDE_TO_VM));

		memcpy(n.policy, doc[m], sizeof(n.policy));
		if (netd_network_needs_forwarding(&n) != routes)
			fail_msg("%s: needs_forwarding should be %d", ops->name, routes);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_equal_the_documents_table),
	    cmocka_unit_test(a_mode_open_in_every_cell_is_switched),
	    cmocka_unit_test(out_but_not_in_is_masquerade),
	    cmocka_unit_test(a_host_closed_to_guests_is_quiet_on_arp),
	    cmocka_unit_test(forwarding_at_defaults_follows_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
