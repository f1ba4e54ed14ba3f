/*
 * What a pass over all networks costs, counted in rtnetlink queries: `list` and a reconcile
 * pass read the links and addresses once (one snapshot) however many networks there are, and
 * a reconcile of an unchanged host sends no change. Two engines in a namespace of this
 * process's own, one with 2 internal networks and one with 12, every network up. Whatever
 * the test brought up is taken down again on every way out of it (a failed assertion too),
 * and its directory removed.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel_util.h"
#include "engine_fixture.h"
#include "engine_priv.h"
#include "netd/engine.h"
#include "netd/util/fsutil.h"

static char root[] = "/tmp/netd-engine-pass-XXXXXX";

struct costs {
	unsigned long list, reconcile, reconcile_changes;
};

/* An engine with n internal networks <prefix>0.. on bridges <prefix>b0.., all up; what a list
 * and a reconcile pass cost it. */
static void measure(const char *prefix, int n, struct costs *c)
{
	char conf[256], state[256], run[256], path[512], text[256];
	struct netd_engine_opts opts = {conf, state, run, NULL, NULL};
	struct netd_nl_stats s0, s1, s2;
	struct netd_diag diag = {""};
	json_object *list = NULL;

	snprintf(conf, sizeof(conf), "%s/%s.conf", root, prefix);
	snprintf(state, sizeof(state), "%s/%s.state", root, prefix);
	snprintf(run, sizeof(run), "%s/%s.run", root, prefix);
	assert_int_equal(netd_mkdir_p(conf, 0755), 0);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s%d.conf", conf, prefix, i);
		snprintf(text, sizeof(text), "[Network]\nName=%s%d\nMode=internal\nBridge=%sb%d\n",
		         prefix, i, prefix, i);
		assert_int_equal(netd_file_write_atomic(path, text, 0644, false), 0);
	}
	assert_int_equal(netd_engine_new(&opts, &engine, &diag), 0);
	for (int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s%d", prefix, i);
		if (netd_engine_up(engine, text, &diag) < 0)
			fail_msg("up %s: %s", text, diag.msg);
	}
	netd_nl_get_stats(engine->nl, &s0);
	assert_int_equal(netd_engine_list(engine, &list), 0);
	assert_int_equal(json_object_array_length(list), n);
	for (int i = 0; i < n; i++) {
		json_object *st =
		    json_object_object_get(json_object_array_get_idx(list, i), "state");

		assert_string_equal(json_object_get_string(st), "up");
	}
	json_object_put(list);
	netd_nl_get_stats(engine->nl, &s1);
	assert_int_equal(netd_engine_reconcile(engine), 0);
	netd_nl_get_stats(engine->nl, &s2);
	c->list = s1.queries - s0.queries;
	c->reconcile = s2.queries - s1.queries;
	c->reconcile_changes = s2.requests - s1.requests;
	assert_int_equal(stop_engine(NULL), 0);
}

static void test_pass_cost_flat(void **state)
{
	struct costs two, twelve;

	measure("a", 2, &two);
	measure("b", 12, &twelve);
	/* One link dump and one address dump each, at 2 networks as at 12. */
	assert_int_equal(two.list, 2);
	assert_int_equal(twelve.list, two.list);
	assert_int_equal(two.reconcile, 2);
	assert_int_equal(twelve.reconcile, two.reconcile);
	assert_int_equal(two.reconcile_changes, 0);
	assert_int_equal(twelve.reconcile_changes, 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_pass_cost_flat, stop_engine),
	};

	return engine_test_main("test_engine_pass", root, tests, sizeof(tests) / sizeof(tests[0]));
}
