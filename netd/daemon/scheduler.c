/*
 * Changes as engine jobs on the event loop. A job that waits (-EINPROGRESS) is watched: its fd
 * (a pidfd) and its deadline both run it again. Starting a job runs its first part at once,
 * and that part is bounded (netlink, one nft batch, a fork); so a turn starts one job at most,
 * and a reconcile pass takes one network per turn: every fd ready meanwhile is served between.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "netd/control.h"
#include "netd/util/log.h"
#include "netd/util/wait.h"
#include "scheduler.h"

struct item {
	struct item *next;
	struct netd_sched *s;
	enum netd_job_kind kind;
	char name[NETD_NAME_MAX];     /* "" for reload */
	struct netd_job_args args;    /* its taps are taps */
	struct netd_attach_req *taps; /* the change's own copy */
	struct netd_job *job;
	struct netd_watch *watch; /* the fd the job waits for */
	struct netd_timer timer;  /* and its deadline */
	netd_sched_done_fn fn;    /* NULL: a reconcile, reported in the log */
	void *arg;
	bool capped; /* an autostart: counts against NETD_SCHED_AUTOSTART_MAX while it runs */
};

struct netd_sched {
	struct netd_loop *l;
	struct netd_engine *e;
	struct item *queue;     /* not started, in the order asked */
	struct item *running;   /* started, waiting */
	size_t n_capped;        /* autostarts among them */
	struct netd_timer kick; /* start the next queued change that may start */
	unsigned interval;
	struct netd_timer tick; /* the next reconcile pass */
	struct netd_timer step; /* the next network of the pass */
	size_t pass_i;
	bool pass;
	long long pass_ms; /* when the pass began: its length in the debug log (bench_daemon.sh) */
};

/* Whether a and b may not run side by side: the same network, or either is a reload. */
static bool conflict(const struct item *a, const struct item *b)
{
	return a->kind == NETD_JOB_RELOAD || b->kind == NETD_JOB_RELOAD ||
	       strcmp(a->name, b->name) == 0;
}

/* it may start: nothing running and nothing queued before it conflicts with it. */
static bool may_start(const struct netd_sched *s, const struct item *it)
{
	/* First, and in O(1): a kick walks past every autostart still queued. */
	if (it->capped && s->n_capped >= NETD_SCHED_AUTOSTART_MAX)
		return false;
	for (const struct item *r = s->running; r; r = r->next)
		if (conflict(r, it))
			return false;
	for (const struct item *q = s->queue; q && q != it; q = q->next)
		if (conflict(q, it))
			return false;
	return true;
}

static void unlink_from(struct item **list, struct item *it)
{
	for (struct item **pp = list; *pp; pp = &(*pp)->next)
		if (*pp == it) {
			*pp = it->next;
			break;
		}
	it->next = NULL;
}

static void item_free(struct item *it)
{
	netd_loop_unwatch(it->s->l, it->watch);
	netd_loop_timer_cancel(it->s->l, &it->timer);
	netd_engine_job_free(it->job);
	free(it->taps);
	free(it);
}

/* The job ended with ret: tell whoever asked, and let the next change go. */
static void report(struct item *it, int ret, json_object *result, const struct netd_diag *diag)
{
	struct netd_sched *s = it->s;

	if (it->fn)
		it->fn(it->arg, ret, result, diag);
	else if (ret < 0 && !it->job) /* a reconcile that ran logs its own end */
		netd_log(LOG_WARNING, "reconcile of %s: %s", it->name,
		         diag->msg[0] ? diag->msg : strerror(-ret));
	if (!it->fn)
		json_object_put(result);
	item_free(it);
	netd_loop_timer_at(s->l, &s->kick, 0);
}

static void wake(void *arg);
static void wake_fd(void *arg, uint32_t events)
{
	wake(arg);
}

/* Run the job (again); while it waits, watch what it waits for. */
static void run(struct item *it)
{
	struct netd_sched *s = it->s;
	struct netd_diag diag = {{0}};
	json_object *result = NULL;
	struct netd_wait w = {.fd = -1};
	int ret;

	netd_loop_unwatch(s->l, it->watch); /* before the job may close that fd */
	it->watch = NULL;
	netd_loop_timer_cancel(s->l, &it->timer);
	ret = netd_engine_job_run(it->job, &w, &result, &diag);
	if (ret != -EINPROGRESS) {
		unlink_from(&s->running, it);
		if (it->capped)
			s->n_capped--;
		report(it, ret, result, &diag);
		return;
	}
	if (w.fd >= 0 && !(it->watch = netd_loop_watch(s->l, w.fd, EPOLLIN, wake_fd, it)))
		w.deadline_ms = 0; /* cannot watch the fd: look again at once, then by time */
	netd_loop_timer_at(s->l, &it->timer, w.deadline_ms);
}

static void wake(void *arg)
{
	run(arg);
}

/* Start it: the job is made (an autostart's was made when it was queued) and runs until it
 * waits or ends. */
static void start(struct netd_sched *s, struct item *it)
{
	struct netd_diag diag = {{0}};
	int ret = 0;

	if (!it->job)
		ret = netd_engine_job_new(s->e, it->kind, it->name, &it->args, &it->job, &diag);
	if (ret < 0) {
		report(it, ret, NULL, &diag);
		return;
	}
	it->next = s->running;
	s->running = it;
	if (it->capped)
		s->n_capped++;
	run(it);
}

/* One queued change that may start, started; the rest wait for the next turn. */
static void kick(void *arg)
{
	struct netd_sched *s = arg;

	for (struct item *it = s->queue; it; it = it->next) {
		if (!may_start(s, it))
			continue;
		unlink_from(&s->queue, it);
		start(s, it);
		netd_loop_timer_at(s->l, &s->kick, 0);
		return;
	}
}

static struct item *item_new(struct netd_sched *s, enum netd_job_kind kind, const char *name,
                             const struct netd_job_args *args)
{
	struct item *it = calloc(1, sizeof(*it));
	size_t k = args ? args->n_taps : 0;

	if (!it)
		return NULL;
	if (k && !(it->taps = calloc(k, sizeof(*it->taps)))) {
		free(it);
		return NULL;
	}
	it->s = s;
	it->kind = kind;
	snprintf(it->name, sizeof(it->name), "%s", name ? name : "");
	if (args)
		it->args = *args;
	if (k)
		memcpy(it->taps, args->taps, k * sizeof(*it->taps));
	it->args.taps = it->taps;
	netd_timer_init(&it->timer, wake, it);
	return it;
}

/* it, answered through fn, at the end of the queue; started at the next kick that may. */
static void enqueue(struct netd_sched *s, struct item *it, netd_sched_done_fn fn, void *arg)
{
	struct item **pp = &s->queue;

	it->fn = fn;
	it->arg = arg;
	while (*pp)
		pp = &(*pp)->next;
	*pp = it;
	netd_loop_timer_at(s->l, &s->kick, 0);
}

int netd_sched_submit(struct netd_sched *s, enum netd_job_kind kind, const char *name,
                      const struct netd_job_args *args, netd_sched_done_fn fn, void *arg)
{
	struct item *it = item_new(s, kind, name, args);

	if (!it)
		return -ENOMEM;
	enqueue(s, it, fn, arg);
	return 0;
}

int netd_sched_autostart(struct netd_sched *s, const char *name, netd_sched_done_fn fn, void *arg)
{
	struct item *it = item_new(s, NETD_JOB_UP, name, NULL);
	struct netd_diag diag = {{0}};
	int ret;

	if (!it)
		return -ENOMEM;
	/* Made now, not started: the network reads "starting", and no other job may take it. */
	ret = netd_engine_job_new(s->e, NETD_JOB_UP, name, NULL, &it->job, &diag);
	if (ret < 0) {
		netd_log(LOG_ERR, "autostart of %s: %s", name,
		         diag.msg[0] ? diag.msg : strerror(-ret));
		free(it);
		return ret;
	}
	it->capped = true;
	enqueue(s, it, fn, arg);
	return 0;
}

int netd_sched_try(struct netd_sched *s, enum netd_job_kind kind, const char *name,
                   const struct netd_job_args *args)
{
	struct item probe = {.kind = kind};
	const struct item *q;

	snprintf(probe.name, sizeof(probe.name), "%s", name ? name : "");
	for (q = s->running; q; q = q->next)
		if (conflict(q, &probe))
			return -EBUSY;
	for (q = s->queue; q; q = q->next)
		if (conflict(q, &probe))
			return -EBUSY;
	return netd_sched_submit(s, kind, name, args, NULL, NULL);
}

/* ---- the reconcile pass ---- */

/* The pass's next network: reconciled now unless a change holds it or waits for it. */
static void step(void *arg)
{
	struct netd_sched *s = arg;
	const char *name;
	struct item *it;
	int ret;

	if (s->pass_i == 0) {
		s->pass_ms = netd_now_ms();
		if ((ret = netd_engine_reconcile_begin(s->e)) < 0)
			netd_log(LOG_WARNING, "reconcile: %s", strerror(-ret));
	}
	name = netd_engine_network_name(s->e, s->pass_i++);

	if (!name) {
		s->pass = false;
		netd_engine_reconcile_end(s->e);
		netd_log(LOG_DEBUG, "reconcile pass: %zu network(s) in %lld ms", s->pass_i - 1,
		         netd_now_ms() - s->pass_ms);
		return;
	}
	netd_loop_timer_at(s->l, &s->step, 0);
	it = item_new(s, NETD_JOB_RECONCILE, name, NULL);
	if (!it)
		return;
	if (!may_start(s, it)) { /* not queued: may_start weighs every queued change */
		free(it);
		return;
	}
	start(s, it);
}

void netd_sched_reconcile(struct netd_sched *s)
{
	if (s->pass)
		return;
	s->pass = true;
	s->pass_i = 0;
	netd_loop_timer_at(s->l, &s->step, 0);
}

static void tick(void *arg)
{
	struct netd_sched *s = arg;

	netd_loop_timer_at(s->l, &s->tick, netd_now_ms() + s->interval * 1000LL);
	netd_sched_reconcile(s);
}

int netd_sched_new(struct netd_loop *l, struct netd_engine *e, unsigned interval,
                   struct netd_sched **out)
{
	struct netd_sched *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->l = l;
	s->e = e;
	s->interval = interval;
	netd_timer_init(&s->kick, kick, s);
	netd_timer_init(&s->tick, tick, s);
	netd_timer_init(&s->step, step, s);
	if (interval)
		netd_loop_timer_at(l, &s->tick, netd_now_ms() + interval * 1000LL);
	*out = s;
	return 0;
}

void netd_sched_free(struct netd_sched *s)
{
	struct netd_diag diag = {{0}};
	struct item *it;

	if (!s)
		return;
	netd_loop_timer_cancel(s->l, &s->kick);
	netd_loop_timer_cancel(s->l, &s->tick);
	netd_loop_timer_cancel(s->l, &s->step);
	/* Never left half done: a change under way runs to its end, and is reported. */
	while ((it = s->running)) {
		struct netd_wait w;
		json_object *result = NULL;
		int ret;

		diag.msg[0] = '\0';
		while ((ret = netd_engine_job_run(it->job, &w, &result, &diag)) == -EINPROGRESS)
			netd_wait_block(&w);
		s->running = it->next;
		if (it->fn)
			it->fn(it->arg, ret, result, &diag);
		else
			json_object_put(result);
		item_free(it);
	}
	while ((it = s->queue)) {
		s->queue = it->next;
		netd_diag_set(&diag, "netd is exiting: %s%s%s not started",
		              it->kind == NETD_JOB_RELOAD ? "reload" : "change",
		              it->name[0] ? " of " : "", it->name);
		if (it->fn)
			it->fn(it->arg, -ECANCELED, NULL, &diag);
		item_free(it);
	}
	free(s);
}
