/* The scheduler's autostart (netd/daemon/scheduler.c, netd_sched_autostart) against a fake
 * engine whose jobs wait 30 ms: every autostart's job is made when it is queued (list shows the
 * network "starting" at once), they run side by side but never more than
 * NETD_SCHED_AUTOSTART_MAX at a time, a client's change of another network passes those still
 * queued, and one of a network autostart holds runs after that network's up. No root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netd/engine.h"
#include "netd/util/wait.h"
#include "scheduler.h"

#define N_AUTO  40
#define WAIT_MS 30

/* ---- the fake engine: what the scheduler calls ---- */

struct netd_job {
	enum netd_job_kind kind;
	char name[NETD_NAME_MAX];
	bool started;
};

static struct {
	int made, running, max_running;
	int ended;          /* jobs ended so far */
	int b_ended_at;     /* the client's up of b: the how-manieth job to end */
	int last_up_at;     /* a39's up: the how-manieth */
	int last_down_from; /* a39's down: how many had ended when it started */
} fake;

int netd_engine_job_new(struct netd_engine *e, enum netd_job_kind kind, const char *name,
                        const struct netd_job_args *args, struct netd_job **out,
                        struct netd_diag *diag)
{
	struct netd_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->kind = kind;
	snprintf(j->name, sizeof(j->name), "%s", name ? name : "");
	fake.made++;
	*out = j;
	return 0;
}

int netd_engine_job_run(struct netd_job *j, struct netd_wait *w, json_object **result,
                        struct netd_diag *diag)
{
	char last[16];

	snprintf(last, sizeof(last), "a%d", N_AUTO - 1);
	if (!j->started) { /* its first part: then it waits, as for a dnsmasq */
		j->started = true;
		if (++fake.running > fake.max_running)
			fake.max_running = fake.running;
		if (j->kind == NETD_JOB_DOWN && strcmp(j->name, last) == 0)
			fake.last_down_from = fake.ended;
		w->fd = -1;
		w->deadline_ms = netd_now_ms() + WAIT_MS;
		return -EINPROGRESS;
	}
	fake.running--;
	fake.ended++;
	if (strcmp(j->name, "b") == 0)
		fake.b_ended_at = fake.ended;
	if (j->kind == NETD_JOB_UP && strcmp(j->name, last) == 0)
		fake.last_up_at = fake.ended;
	if (result)
		*result = NULL;
	return 0;
}

void netd_engine_job_free(struct netd_job *j)
{
	free(j);
}

int netd_engine_reconcile_begin(struct netd_engine *e)
{
	return 0;
}

void netd_engine_reconcile_end(struct netd_engine *e)
{
}

const char *netd_engine_network_name(const struct netd_engine *e, size_t i)
{
	return NULL;
}

/* ---- the test ---- */

struct run {
	struct netd_loop *l;
	int answered;
};

static void done(void *arg, int ret, json_object *result, const struct netd_diag *diag)
{
	struct run *r = arg;

	assert_int_equal(ret, 0);
	json_object_put(result);
	if (++r->answered == N_AUTO + 2)
		netd_loop_quit(r->l);
}

static void autostarts_run_side_by_side_under_the_cap(void **state)
{
	struct netd_sched *s;
	struct run r = {0};
	char name[16];

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(netd_loop_new(&r.l), 0);
	assert_int_equal(netd_sched_new(r.l, NULL, 0, &s), 0);
	for (int i = 0; i < N_AUTO; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		assert_int_equal(netd_sched_autostart(s, name, done, &r), 0);
	}
	/* Made at once: each network reads "starting" before the loop has turned. */
	assert_int_equal(fake.made, N_AUTO);
	assert_int_equal(netd_sched_submit(s, NETD_JOB_UP, "b", NULL, done, &r), 0);
	snprintf(name, sizeof(name), "a%d", N_AUTO - 1);
	assert_int_equal(netd_sched_submit(s, NETD_JOB_DOWN, name, NULL, done, &r), 0);

	assert_int_equal(netd_loop_run(r.l), 0);
	assert_int_equal(r.answered, N_AUTO + 2);
	/* Side by side, never more than the cap (b among them, not counted by it). */
	assert_true(fake.max_running >= NETD_SCHED_AUTOSTART_MAX);
	assert_true(fake.max_running <= NETD_SCHED_AUTOSTART_MAX + 1);
	/* b did not wait for the autostarts queued before it. */
	assert_true(fake.b_ended_at > 0 && fake.b_ended_at <= NETD_SCHED_AUTOSTART_MAX + 1);
	/* The down of a network autostart held started only after that up ended. */
	assert_true(fake.last_up_at > 0 && fake.last_down_from >= fake.last_up_at);
	netd_sched_free(s);
	netd_loop_free(r.l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(autostarts_run_side_by_side_under_the_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
