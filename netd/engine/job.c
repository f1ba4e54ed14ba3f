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
#include "netd/util/log.h"

struct netd_job {
	struct netd_engine *e;
	struct netd_job *next; /* in e->jobs while it runs */
	enum netd_job_kind kind;
	char name[NETD_NAME_MAX]; /* "" for reload */
	struct netd_job_args args;
	struct netd_attach_req *taps; /* args.taps, the job's own copy */
	const struct netd_network *n; /* up, down, reconcile: once started */
	bool started, linked;
	bool was_up;        /* up: it was up before (--down-on-exit leaves it) */
	bool looked_again;  /* reconcile (heal): its second look, after a repair, is under way */
	bool repaired;      /* reconcile (heal): its first look repaired something */
	bool new_record;    /* up: its record of being up was written by this job */
	json_object *notes; /* down: what it did about state files that did not load */
	bool has_change, has_detach, has_reload;
	struct netd_change ch;
	struct netd_detach dt;
	struct netd_reload rl;
};

static const char *const kind_names[] = {
    [NETD_JOB_UP] = "up",
    [NETD_JOB_DOWN] = "down",
    [NETD_JOB_RECONCILE] = "reconcile",
    [NETD_JOB_ATTACH] = "attach",
    [NETD_JOB_DETACH] = "detach",
    [NETD_JOB_RELOAD] = "reload",
    [NETD_JOB_FORWARD] = "forward",
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

/* args, copied into j: the taps are the job's own. */
static int take_args(struct netd_job *j, const struct netd_job_args *args)
{
	if (!args)
		return 0;
	j->args = *args;
	j->args.taps = NULL;
	if (args->n_taps == 0)
		return 0;
	j->taps = calloc(args->n_taps, sizeof(*j->taps));
	if (!j->taps)
		return -ENOMEM;
	memcpy(j->taps, args->taps, args->n_taps * sizeof(*j->taps));
	j->args.taps = j->taps;
	return 0;
}

int netd_engine_job_new(struct netd_engine *e, enum netd_job_kind kind, const char *name,
                        const struct netd_job_args *args, struct netd_job **out,
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
	if (take_args(j, args) < 0 ||
	    (kind == NETD_JOB_DOWN && !(j->notes = json_object_new_array()))) {
		netd_engine_job_free(j);
		return -ENOMEM;
	}
	j->next = e->jobs;
	e->jobs = j;
	j->linked = true;
	*out = j;
	return 0;
}

/* up: its record first, so that a network that comes up is one the reconcile keeps up. */
static int record_up(struct netd_job *j, struct netd_diag *diag)
{
	struct netd_engine *e = j->e;
	int ret;

	j->was_up = netd_engine_is_up(e, j->n);
	if (netd_up_record_load(e->state_dir, j->n->name) == 0)
		return 0;
	ret = netd_up_record_save(e->state_dir, j->n->name);
	if (ret < 0) {
		netd_diag_set(diag, "%s: recording it as up in %s: %s", j->n->name, e->state_dir,
		              strerror(-ret));
		return ret;
	}
	j->new_record = true;
	return 0;
}

/* up, down, reconcile: the network's change, begun. */
static int start_change(struct netd_job *j, struct netd_wait *w, struct netd_diag *diag)
{
	static const enum netd_change_kind change_of[] = {
	    [NETD_JOB_UP] = NETD_CHANGE_UP,
	    [NETD_JOB_DOWN] = NETD_CHANGE_DOWN,
	    [NETD_JOB_RECONCILE] = NETD_CHANGE_RECONCILE,
	};
	struct netd_engine *e = j->e;
	int ret;

	if (j->kind == NETD_JOB_RECONCILE) { /* networks that are up: repair their drift */
		j->n = netd_config_find(e->config, j->name);
		if (!j->n || !netd_engine_is_up(e, j->n))
			return 0;
	} else {
		j->n = netd_engine_find(e, j->name, diag);
		if (!j->n)
			return -ENOENT;
	}
	if (j->kind == NETD_JOB_UP && (ret = record_up(j, diag)) < 0)
		return ret;
	if (j->kind == NETD_JOB_DOWN) /* while its bridge, resolved's link, is there */
		netd_resolved_sync(e, j->n, false);
	j->has_change = true;
	return netd_change_start(e, j->n, change_of[j->kind], j->args.force, j->notes, &j->ch, w,
	                         diag);
}

/* The taps of an attach or detach request by name: detach's form. */
static const char **tap_names(const struct netd_job *j)
{
	const char **names = calloc(j->args.n_taps ? j->args.n_taps : 1, sizeof(*names));

	for (size_t i = 0; names && i < j->args.n_taps; i++)
		names[i] = j->taps[i].tap;
	return names;
}

static int start_detach(struct netd_job *j, struct netd_wait *w, json_object **result,
                        struct netd_diag *diag)
{
	const char **names = tap_names(j);
	int ret;

	if (!names)
		return -ENOMEM;
	j->has_detach = true;
	ret = netd_detach_start(j->e, j->name, names, j->args.n_taps, j->args.batch, &j->dt, w,
	                        result, diag);
	free(names);
	return ret;
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
		if (j->args.batch)
			return netd_engine_attach_batch(j->e, j->name, j->taps, j->args.n_taps,
			                                result, diag);
		return j->args.n_taps ? netd_engine_attach(j->e, j->name, j->taps, result, diag)
		                      : -EINVAL;
	case NETD_JOB_DETACH:
		return j->args.n_taps ? start_detach(j, w, result, diag) : -EINVAL;
	case NETD_JOB_RELOAD:
		j->has_reload = true;
		return netd_reload_start(j->e, &j->rl, w, diag);
	case NETD_JOB_FORWARD:
		return netd_engine_forward(j->e, j->name, &j->args.forward, j->args.forward_remove,
		                           result, diag);
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
	if (!j->linked)
		return;
	for (struct netd_job **pp = &j->e->jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	j->linked = false;
	/* A network the event-driven repair found busy with this job is its to look at now. */
	netd_heal_freed(j->e, j->name);
}

/* A reconcile's end: each repair goes to the log, naming the network and the steps, and a
 * repair of rules that drifted is kept for status too. A network up without a record (left by
 * an older netd) gets one. */
static int reconciled(struct netd_job *j, int ret, struct netd_diag *diag)
{
	const struct netd_plan *plan = &j->ch.plan;
	const char *name = j->n->name;
	char steps[512] = "";
	size_t len = 0;
	int rec;

	for (size_t i = 0; i < plan->n && len < sizeof(steps); i++)
		len += snprintf(steps + len, sizeof(steps) - len, "%s%s", i ? ", " : "",
		                netd_step_name(plan->steps[i]));
	if (ret < 0)
		netd_log_net(LOG_WARNING, name, "reconcile failed: %s",
		             diag->msg[0] ? diag->msg : strerror(-ret));
	else if (plan->n > 0)
		netd_log_net(LOG_NOTICE, name, "reconcile repaired: %s", steps);
	if (ret == 0 && plan->n > 0 && plan->steps[0] == NETD_STEP_CREATE_BRIDGE)
		netd_resolved_sync(j->e, j->n, true); /* a new bridge is a new link to resolved */
	if (ret == 0 && j->ch.drift)
		ret = netd_repair_note(j->e, name, j->ch.v.o.rules_drift);
	if (ret == 0 && (rec = netd_up_record_load(j->e->state_dir, name)) != 0 && rec != -EINVAL)
		ret = netd_up_record_save(j->e->state_dir, name);
	return ret;
}

/*
 * The end of a change of network j->n. A network this process brought up is one
 * --down-on-exit takes down; an up that repaired rules that drifted says what (*out). An up
 * that failed forgets the record it wrote; a down forgets the record even when a step failed,
 * so the reconcile does not bring back what down took away (a failed step is reported, and
 * down can be run again).
 */
static int end_change(struct netd_job *j, int ret, json_object **out, struct netd_diag *diag)
{
	struct netd_engine *e = j->e;
	size_t i = netd_engine_index(e->config, j->n);
	int rec;

	switch (j->kind) {
	case NETD_JOB_UP:
		if (ret == 0)
			netd_resolved_sync(e, j->n, true);
		if (ret == 0 && j->ch.drift) {
			ret = netd_repair_note(e, j->n->name, j->ch.v.o.rules_drift);
			*out = ret == 0 ? netd_repair_json(e, j->n->name) : NULL;
		}
		if (ret < 0 && j->new_record)
			netd_up_record_forget(e->state_dir, j->n->name);
		if (ret == 0 && !j->was_up)
			e->brought_up[i] = true;
		return ret;
	case NETD_JOB_DOWN:
		rec = netd_up_record_forget(e->state_dir, j->n->name);
		if (ret == 0 && rec < 0) {
			netd_diag_set(diag, "%s: removing its record of being up from %s: %s",
			              j->n->name, e->state_dir, strerror(-rec));
			ret = rec;
		}
		if (ret == 0)
			e->brought_up[i] = false;
		return ret;
	default:
		return reconciled(j, ret, diag);
	}
}

/* A reconcile the event-driven repair asked for that repaired something looks once more: a
 * repair can make another one due that no kernel event announces (an attached tap deleted is
 * forgotten from the record, and then its port binding must go). true: its change is
 * released, to be started anew. */
static bool look_again(struct netd_job *j, int ret)
{
	if (j->kind != NETD_JOB_RECONCILE || !j->args.heal || j->looked_again || ret < 0 ||
	    j->ch.plan.n == 0)
		return false;
	j->repaired = j->looked_again = true;
	netd_change_release(&j->ch);
	j->has_change = false;
	return true;
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
	while (ret != -EINPROGRESS && j->has_change) {
		ret = end_change(j, ret, &out, diag);
		if (!look_again(j, ret))
			break;
		ret = start_change(j, w, diag);
	}
	if (ret == -EINPROGRESS)
		return ret;
	if (j->kind == NETD_JOB_RECONCILE && j->args.heal)
		netd_heal_reconciled(j->e, j->name, ret < 0 ? ret : j->repaired);
	if (ret == 0 && j->kind == NETD_JOB_DOWN) { /* its answer: the notes */
		out = j->notes;
		j->notes = NULL;
	}
	if (ret == 0 && j->kind == NETD_JOB_RELOAD) /* its answer: what it did */
		out = netd_reload_take_report(&j->rl);
	release(j);
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
	json_object_put(j->notes);
	free(j->taps);
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

bool netd_engine_network_autostart(const struct netd_engine *e, size_t i)
{
	return i < e->config->n_networks && e->config->networks[i]->autostart;
}

/* ---- the blocking calls: a job run to its end ---- */

static int run_sync(struct netd_engine *e, enum netd_job_kind kind, const char *name,
                    const struct netd_job_args *args, json_object **result, struct netd_diag *diag)
{
	struct netd_job *j;
	struct netd_wait w;
	int ret;

	ret = netd_engine_job_new(e, kind, name, args, &j, diag);
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

int netd_engine_up_report(struct netd_engine *e, const char *name, json_object **repair,
                          struct netd_diag *diag)
{
	if (repair)
		*repair = NULL;
	return run_sync(e, NETD_JOB_UP, name, NULL, repair, diag);
}

int netd_engine_down(struct netd_engine *e, const char *name, struct netd_diag *diag)
{
	return netd_engine_down_ex(e, name, false, NULL, diag);
}

int netd_engine_down_ex(struct netd_engine *e, const char *name, bool force, json_object *notes,
                        struct netd_diag *diag)
{
	struct netd_job_args args = {.force = force};
	json_object *done = NULL;
	int ret = run_sync(e, NETD_JOB_DOWN, name, &args, &done, diag);

	for (size_t i = 0; notes && i < json_object_array_length(done); i++)
		json_object_array_add(notes, json_object_get(json_object_array_get_idx(done, i)));
	json_object_put(done);
	return ret;
}

int netd_engine_reload(struct netd_engine *e, struct netd_diag *diag)
{
	return run_sync(e, NETD_JOB_RELOAD, NULL, NULL, NULL, diag);
}

/* detach of taps[0..k), answered as one tap or as a batch. */
static int detach_sync(struct netd_engine *e, const char *name, const char *const *taps, size_t k,
                       bool batch, json_object **out, struct netd_diag *diag)
{
	struct netd_attach_req *reqs = calloc(k ? k : 1, sizeof(*reqs));
	struct netd_job_args args = {.taps = reqs, .n_taps = k, .batch = batch};
	int ret;

	*out = NULL;
	if (!reqs)
		return -ENOMEM;
	for (size_t i = 0; i < k; i++)
		snprintf(reqs[i].tap, sizeof(reqs[i].tap), "%s", taps[i]);
	ret = run_sync(e, NETD_JOB_DETACH, name, &args, out, diag);
	free(reqs);
	return ret;
}

int netd_engine_detach(struct netd_engine *e, const char *name, const char *tap, json_object **out,
                       struct netd_diag *diag)
{
	return detach_sync(e, name, &tap, 1, false, out, diag);
}

int netd_engine_detach_batch(struct netd_engine *e, const char *name, const char *const *taps,
                             size_t k, json_object **out, struct netd_diag *diag)
{
	return detach_sync(e, name, taps, k, true, out, diag);
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
	return e->brought_up[i] && netd_engine_is_up(e, e->config->networks[i]);
}

int netd_engine_autostart(struct netd_engine *e, struct netd_diag *diag)
{
	return for_each(e, pick_autostart, NETD_JOB_UP, diag);
}

int netd_engine_reconcile_begin(struct netd_engine *e)
{
	netd_pass_begin(e); /* the pass's networks share one kernel snapshot (pass.c) */
	e->passes++;
	/* Upstream DNS too: a resolv.conf change the watch missed, a servers file removed. */
	return netd_upstream_sync(e, NULL);
}

void netd_engine_reconcile_end(struct netd_engine *e)
{
	netd_pass_end(e);
}

/* Every network that is up, whether its bridge is there or not (the job picks them). */
int netd_engine_reconcile(struct netd_engine *e)
{
	int sync = netd_engine_reconcile_begin(e);
	int ret = for_each(e, pick_all, NETD_JOB_RECONCILE, NULL);

	netd_engine_reconcile_end(e);
	return ret < 0 ? ret : sync;
}

int netd_engine_down_all(struct netd_engine *e, struct netd_diag *diag)
{
	return for_each(e, pick_brought_up, NETD_JOB_DOWN, diag);
}
