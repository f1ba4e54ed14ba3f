/* Shared by the kernel tests that run a whole engine (test_engine_pass.c, test_engine_files.c):
 * the engine under test, taken down on every way out of a test, and a main that runs the
 * tests in a network namespace of the process's own with a directory of their own (root, a
 * mkdtemp template), removed after. Include after <cmocka.h>. */
#ifndef NETD_TESTS_ENGINE_FIXTURE_H
#define NETD_TESTS_ENGINE_FIXTURE_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/engine.h"

static struct netd_engine *engine; /* the one under test, until stop_engine() */

/* Down every network the engine brought up (its bridges, a dnsmasq if one ran), then free it:
 * the test calls it when done, the teardown after a failure. */
static inline int stop_engine(void **state)
{
	struct netd_diag diag = {""};
	int ret = 0;

	(void)state;
	if (engine && netd_engine_down_all(engine, &diag) < 0) {
		fprintf(stderr, "down: %s\n", diag.msg);
		ret = -1;
	}
	netd_engine_free(engine);
	engine = NULL;
	return ret;
}

static inline int engine_test_main(const char *name, char *root, const struct CMUnitTest *tests,
                                   size_t n)
{
	char cmd[128];
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "%s: unshare(CLONE_NEWNET): %s (needs root)\n", name,
		        strerror(errno));
		return 1;
	}
	if (!mkdtemp(root))
		return 1;
	ret = system("ip link set lo up") == 0 ? _cmocka_run_group_tests(name, tests, n, NULL, NULL)
	                                       : 1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		ret = 1;
	return ret;
}

#endif
