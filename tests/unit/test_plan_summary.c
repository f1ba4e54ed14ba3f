/* What `netdctl reload` says it did to a network, from the plan it carried out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netd/plan.h"

static const char *summary(const enum netd_step_kind *steps, size_t n, bool recreated)
{
	static char buf[256];
	struct netd_plan p = {.n = n};

	for (size_t i = 0; i < n; i++)
		p.steps[i] = steps[i];
	netd_plan_summary(&p, recreated, buf, sizeof(buf));
	return buf;
}

static void words(void **state)
{
	assert_string_equal(summary(NULL, 0, false), "unchanged");
	assert_string_equal(summary((enum netd_step_kind[]){NETD_STEP_REREAD_DNSMASQ}, 1, false),
	                    "dnsmasq reread");
	assert_string_equal(
	    summary((enum netd_step_kind[]){NETD_STEP_APPLY_RULES, NETD_STEP_RESTART_DNSMASQ}, 2,
	            false),
	    "rules updated, dnsmasq restarted");
	assert_string_equal(
	    summary((enum netd_step_kind[]){NETD_STEP_APPLY_RULES, NETD_STEP_ISOLATE_PORTS}, 2,
	            false),
	    "rules updated, set port isolation");
	/* down under the old definition, up under the new: whatever its up plan was */
	assert_string_equal(
	    summary((enum netd_step_kind[]){NETD_STEP_CREATE_BRIDGE, NETD_STEP_START_DNSMASQ}, 2,
	            true),
	    "recreated");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(words)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
