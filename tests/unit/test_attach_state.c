/* The tap record (<state>/<network>.taps): format, parse, load and save; no root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine_priv.h"
#include "netd/tap.h"

static struct netd_tap_record rec(const char *tap, const char *mac, const char *addr, bool declared)
{
	struct netd_tap_record r;

	memset(&r, 0, sizeof(r)); /* padding too: records are compared whole */
	r.queues = 1;
	r.owner = 1000;
	r.declared = declared;

	snprintf(r.tap, sizeof(r.tap), "%s", tap);
	assert_int_equal(netd_mac_parse(mac, r.mac), 0);
	netd_tap_host_mac(r.mac, r.host_mac);
	if (addr)
		assert_int_equal(netd_ipv4_parse(addr, &r.addr), 0);
	return r;
}

static void test_round_trip(void **state)
{
	struct netd_tap_state s = {0}, back = {0};
	struct netd_tap_record a = rec("vnet0", "52:54:00:01:02:03", "192.122.1.10", false);
	struct netd_tap_record b = rec("lab-vm1", "52:54:00:aa:bb:cc", NULL, true);
	struct netd_diag diag = {{0}};
	char *text = NULL;

	strcpy(a.hostname, "vm1");
	b.queues = 4;
	b.has_group = true;
	b.group = 65534;
	assert_int_equal(netd_tap_state_add(&s, &a), 0);
	assert_int_equal(netd_tap_state_add(&s, &b), 0);
	assert_int_equal(netd_tap_state_format("default", &s, &text), 0);
	/* What a person reading the state dir sees. */
	assert_non_null(strstr(text, "\"network\":\"default\""));
	assert_non_null(strstr(text, "\"host_mac\":\"fe:54:00:01:02:03\""));
	assert_non_null(strstr(text, "\"address\":\"192.122.1.10\""));
	assert_int_equal(netd_tap_state_parse(text, &back, &diag), 0);
	assert_int_equal(back.n, 2);
	assert_memory_equal(&back.v[0], &a, sizeof(a));
	assert_memory_equal(&back.v[1], &b, sizeof(b));
	assert_int_equal(netd_tap_state_find(&back, "lab-vm1"), 1);
	assert_int_equal(netd_tap_state_find(&back, "vnet9"), -1);
	netd_tap_state_remove(&back, 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.v[0].tap, "lab-vm1");
	free(text);
	netd_tap_state_clear(&s);
	netd_tap_state_clear(&back);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{\"taps\":{}}",
	    "{\"taps\":[{\"tap\":\"a/b\",\"mac\":\"52:54:00:01:02:03\",\"host_mac\":"
	    "\"fe:54:00:01:02:03\",\"declared\":false,\"queues\":1,\"owner\":0}]}",
	    "{\"taps\":[{\"tap\":\"t0\",\"mac\":\"52:54:00:01:02\",\"host_mac\":"
	    "\"fe:54:00:01:02:03\",\"declared\":false,\"queues\":1,\"owner\":0}]}",
	    "{\"taps\":[{\"tap\":\"t0\",\"mac\":\"52:54:00:01:02:03\",\"host_mac\":"
	    "\"fe:54:00:01:02:03\",\"declared\":false,\"queues\":0,\"owner\":0}]}",
	    "{\"taps\":[{\"tap\":\"t0\",\"mac\":\"52:54:00:01:02:03\",\"host_mac\":"
	    "\"fe:54:00:01:02:03\",\"declared\":false,\"queues\":1,\"owner\":0,"
	    "\"address\":\"300.1.1.1\"}]}",
	    "{\"taps\":[{\"tap\":\"t0\",\"mac\":\"52:54:00:01:02:03\",\"host_mac\":"
	    "\"fe:54:00:01:02:03\",\"queues\":1,\"owner\":0}]}",
	};
	const char *twice = "{\"taps\":[{\"tap\":\"t0\",\"mac\":\"52:54:00:01:02:03\",\"host_mac\":"
	                    "\"fe:54:00:01:02:03\",\"declared\":false,\"queues\":1,\"owner\":0},"
	                    "{\"tap\":\"t0\",\"mac\":\"52:54:00:01:02:04\",\"host_mac\":"
	                    "\"fe:54:00:01:02:04\",\"declared\":false,\"queues\":1,\"owner\":0}]}";
	struct netd_tap_state s;
	struct netd_diag diag = {{0}};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(netd_tap_state_parse(bad[i], &s, &diag), -EINVAL);
		assert_int_equal(s.n, 0);
		assert_null(s.v);
	}
	assert_int_equal(netd_tap_state_parse(twice, &s, &diag), -EINVAL);
	assert_string_equal(diag.msg, "tap t0 is recorded twice");
}

static void test_load_save(void **state)
{
	char dir[] = "/tmp/test_attach_state.XXXXXX", path[128];
	struct netd_tap_state s = {0}, back = {0};
	struct netd_tap_record a = rec("vnet3", "52:54:00:01:02:03", NULL, false);
	struct netd_diag diag = {{0}};
	struct stat st;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/net1.taps", dir);
	/* No file: no taps. */
	assert_int_equal(netd_tap_state_load(dir, "net1", &back, &diag), 0);
	assert_int_equal(back.n, 0);
	assert_int_equal(netd_tap_state_add(&s, &a), 0);
	assert_int_equal(netd_tap_state_save(dir, "net1", &s, &diag), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(netd_tap_state_load(dir, "net1", &back, &diag), 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.v[0].tap, "vnet3");
	netd_tap_state_clear(&back);
	/* An empty state leaves no file behind. */
	netd_tap_state_clear(&s);
	assert_int_equal(netd_tap_state_save(dir, "net1", &s, &diag), 0);
	assert_int_equal(stat(path, &st), -1);
	/* A damaged file is an error naming it, never silently "no taps". */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"taps\":[", f);
	fclose(f);
	assert_int_equal(netd_tap_state_load(dir, "net1", &back, &diag), -EINVAL);
	assert_non_null(strstr(diag.msg, path));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_load_save),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
