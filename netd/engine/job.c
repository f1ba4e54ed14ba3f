/*
 * Changes as jobs (include/netd/engine.h): what each kind starts and resumes, which network
 * a job holds (one job per network; a reload holds them all), what list shows meanwhile, and
 * the blocking calls, which are a job run to its end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/control.h"

struct netd_job {
	struct netd_engine *e;
	struct netd_job *next; /* in e->jobs while it runs */
	enum netd_job_kind kind;
	char name[NETD_NAME_MAX]; /* "" for reload */
	struct netd_attach_req req;
	const struct netd_network *n; /* up, down, reconcile: once started */
	bool started, linked;
	bool was_up; /* up: the bridge was there before (--down-on-exit leaves it) */
	bool has_change, has_detach, has_reload;
	struct netd_change ch;
	struct netd_detach dt;
	struct netd_reload rl;
};

static const char *const kind_names[] = {
    [NETD_JOB_UP] = "up",         [NETD_JOB_DOWN] = "down",     [NETD_JOB_RECONCILE] = "reconcile",
    [NETD_JOB_ATTACH] = "attach", [NETD_JOB_DETACH] = "detach", [NETD_JOB_RELOAD] = "reload",
};

const char *netd_engine_busy_label(const struct netd_engine *e, const char *name)
{
	for (const struct netd_job *j = e->jobs; j; j = j->next) {
		if (j->kind == NETD_JOB_RELOAD && j->has_reload)
			return netd_reload_busy(e, &j->rl, name);
		if (strcmp(j->name, name) != 0)
			continue;
		if (j->kind == NETD_JOB_UP)
			return "starting";
		if (j->kind == NETD_JOB_DOWN)
			return "stopping";
	}
	return NULL;
}

/* Another job holds what this one needs: -EBUSY and why. */
static int check_free(const struct netd_engine *e, enum netd_job_kind kind, const char *name,
                      struct netd_diag *diag)
{
	for (const struct netd_job *j = e->jobs; j; j = j->next) {
		if (j->kind == NETD_JOB_RELOAD) {
			netd_diag_set(diag, "busy: a reload is in progress");
			return -EBUSY;
		}
		if (kind == NETD_JOB_RELOAD || strcmp(j->name, name) == 0) {
			netd_diag_set(diag, "busy: %s of %s is in progress", kind_names[j->kind],
			              j->name);
			return -EBUSY;
		}
	}
	return 0;
}

int netd_engine_job_new(struct netd_engine *e, enum netd_job_kind kind, const char *name,
                        const struct netd_attach_req *req, struct netd_job **out,
                        struct netd_diag *diag)
{
	struct netd_job *j;
	int ret;

	*out = NULL;
	ret = check_free(e, kind, name ? name : "", diag);
	if (ret < 0)
		return ret;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->e = e;
	j->kind = kind;
	snprintf(j->name, sizeof(j->name), "%s", name ? name : "");
	if (req)
		j->req = *req;
	j->next = e->jobs;
	e->jobs = j;
	j->linked = true;
	*out = j;
	return 0;
}

/* up, down, reconcile: the network's change, begun. */
static int start_change(struct netd_job *j, struct netd_wait *w, struct netd_diag *diag)
{
	struct netd_engine *e = j->e;

	if (j->kind == NETD_JOB_RECONCILE) { /* networks that are up: repair their drift */
		j->n = netd_config_find(e->config, j->name);
		if (!j->n || !netd_engine_bridge_is_ours(e, j->n))
			return 0;
	} else {
		j->n = netd_engine_find(e, j->name, diag);
		if (!j->n)
			return -ENOENT;
		j->was_up = netd_engine_bridge_is_ours(e, j->n);
	}
	j->has_change = true;
	return netd_change_start(e, j->n, j->kind == NETD_JOB_DOWN, &j->ch, w, diag);
}

static int start(struct netd_job *j, struct netd_wait *w, json_object **result,
                 struct netd_diag *diag)
{
	switch (j->kind) {
	case NETD_JOB_UP:
	case NETD_JOB_DOWN:
	case NETD_JOB_RECONCILE:
		return start_change(j, w, diag);
	case NETD_JOB_ATTACH:
		return netd_engine_attach(j->e, j->name, &j->req, result, diag);
	case NETD_JOB_DETACH:
		j->has_detach = true;
		return netd_detach_start(j->e, j->name, j->req.tap, &j->dt, w, result, diag);
	case NETD_JOB_RELOAD:
		j->has_reload = true;
		return netd_reload_start(j->e, &j->rl, w, diag);
	}
	return -EINVAL;
}

static int resume(struct netd_job *j, struct netd_wait *w, json_object **result,
                  struct netd_diag *diag)
{
	if (j->has_change)
		return netd_change_resume(&j->ch, w, diag);
	if (j->has_detach)
		return netd_detach_resume(j->e, &j->dt, w, result, diag);
	if (j->has_reload)
		return netd_reload_resume(j->e, &j->rl, w, diag);
	return -EINVAL;
}

/* What a job holds, let go; and its network is free for the next. */
static void release(struct netd_job *j)
{
	if (j->has_change)
		netd_change_release(&j->ch);
	if (j->has_detach)
		netd_detach_release(&j->dt);
	if (j->has_reload)
		netd_reload_release(&j->rl);
	j->has_change = j->has_detach = j->has_reload = false;
	for (struct netd_job **pp = &j->e->jobs; j->linked && *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	j->linked = false;
}

/* The end: a network this process brought up is one --down-on-exit takes down. */
static void end(struct netd_job *j, int ret)
{
	struct netd_engine *e = j->e;

	if (ret == 0 && j->kind == NETD_JOB_UP && !j->was_up)
		e->brought_up[netd_engine_index(e->config, j->n)] = true;
	if (ret == 0 && j->kind == NETD_JOB_DOWN)
		e->brought_up[netd_engine_index(e->config, j->n)] = false;
	release(j);
}

int netd_engine_job_run(struct netd_job *j, struct netd_wait *w, json_object **result,
                        struct netd_diag *diag)
{
	json_object *out = NULL;
	int ret;

	if (!j->linked)
		return -EINVAL; /* ended already */
	ret = j->started ? resume(j, w, &out, diag) : start(j, w, &out, diag);
	j->started = true;
	if (ret == -EINPROGRESS)
		return ret;
	end(j, ret);
	if (result)
		*result = out;
	else
		json_object_put(out);
	return ret;
}

void netd_engine_job_free(struct netd_job *j)
{
	struct netd_diag ignored;
	struct netd_wait w;

	if (!j)
		return;
	/* Never left half done: an abandoned job still runs to its end (and rolls back). */
	while (j->linked && j->started &&
	       netd_engine_job_run(j, &w, NULL, &ignored) == -EINPROGRESS)
		netd_wait_block(&w);
	release(j);
	free(j);
}

size_t netd_engine_n_networks(const struct netd_engine *e)
{
	return e->config->n_networks;
}

const char *netd_engine_network_name(const struct netd_engine *e, size_t i)
{
	return i < e->config->n_networks ? e->config->networks[i]->name : NULL;
}

/* ---- the blocking calls: a job run to its end ---- */

static int run_sync(struct netd_engine *e, enum netd_job_kind kind, const char *name,
                    const struct netd_attach_req *req, json_object **result, struct netd_diag *diag)
{
	struct netd_job *j;
	struct netd_wait w;
	int ret;

	ret = netd_engine_job_new(e, kind, name, req, &j, diag);
	if (ret < 0)
		return ret;
	while ((ret = netd_engine_job_run(j, &w, result, diag)) == -EINPROGRESS)
		netd_wait_block(&w);
	netd_engine_job_free(j);
	return ret;
}

int netd_engine_up(struct netd_engine *e, const char *name, struct netd_diag *diag)
{
	return run_sync(e, NETD_JOB_UP, name, NULL, NULL, diag);
}

int netd_engine_down(struct netd_engine *e, const char *name, struct netd_diag *diag)
{
	return run_sync(e, NETD_JOB_DOWN, name, NULL, NULL, diag);
}

int netd_engine_reload(struct netd_engine *e, struct netd_diag *diag)
{
	return run_sync(e, NETD_JOB_RELOAD, NULL, NULL, NULL, diag);
}

int netd_engine_detach(struct netd_engine *e, const char *name, const char *tap, json_object **out,
                       struct netd_diag *diag)
{
	struct netd_attach_req req;

	memset(&req, 0, sizeof(req));
	snprintf(req.tap, sizeof(req.tap), "%s", tap);
	return run_sync(e, NETD_JOB_DETACH, name, &req, out, diag);
}

/* kind on every network that pick selects; keeps going, reports the first error. */
static int for_each(struct netd_engine *e, bool (*pick)(struct netd_engine *, size_t),
                    enum netd_job_kind kind, struct netd_diag *diag)
{
	int first = 0;

	for (size_t i = 0; i < e->config->n_networks; i++) {
		struct netd_diag d = {""};

		if (pick(e, i))
			netd_keep_first(
			    run_sync(e, kind, e->config->networks[i]->name, NULL, NULL, &d), &d,
			    &first, diag);
	}
	return first;
}

static bool pick_autostart(struct netd_engine *e, size_t i)
{
	return e->config->networks[i]->autostart;
}

static bool pick_all(struct netd_engine *e, size_t i)
{
	return true;
}

static bool pick_brought_up(struct netd_engine *e, size_t i)
{
	return e->brought_up[i] && netd_engine_bridge_is_ours(e, e->config->networks[i]);
}

int netd_engine_autostart(struct netd_engine *e, struct netd_diag *diag)
{
	return for_each(e, pick_autostart, NETD_JOB_UP, diag);
}

int netd_engine_reconcile(struct netd_engine *e)
{
	return for_each(e, pick_all, NETD_JOB_RECONCILE, NULL);
}

int netd_engine_down_all(struct netd_engine *e, struct netd_diag *diag)
{
	return for_each(e, pick_brought_up, NETD_JOB_DOWN, diag);
}
