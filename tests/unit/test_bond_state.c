/*
 * <state>/<network>.bond (netd/kernel/bond.h, bond_state.c): the saved state of a bond's
 * slaves, written and read back, and each kind of damage (truncated, emptied, garbled,
 * replaced by a directory) named, never read as "nothing saved". No root, no kernel.
 */
#include <errno.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(written_and_read_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(damage_is_named_and_the_prev_still_loads, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(the_old_format, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
