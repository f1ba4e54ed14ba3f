/* A decoded request, checked and answered: reads at once, changes through the scheduler. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control_server.h"
#include "netd/util/log.h"

/* A request whose answer waits for its change to end. */
struct pending {
	struct netd_engine *e;
	struct netd_ctl_request req;
	uid_t uid;
	pid_t pid;
	netd_ctl_reply_fn fn;
	void *arg;
};

/* The list entry of one network, as the confirmation of up and down. */
static int entry_of(struct netd_engine *e, const char *name, json_object **out)
{
	struct netd_diag ignored;

	*out = NULL;
	if (netd_engine_entry(e, name, out, &ignored) == 0)
		return 0;
	/* Gone from the config (down after a reload removed it): say what we know. */
	*out = json_object_new_object();
	if (!*out)
		return -ENOMEM;
	json_object_object_add(*out, "name", json_object_new_string(name));
	json_object_object_add(*out, "state", json_object_new_string("down"));
	return 0;
}

/* The answer to p's request: ret (0 or -errno) with result or diag; logged. */
static void answer(const struct pending *p, int ret, json_object *result, struct netd_diag *diag)
{
	const struct netd_ctl_request *req = &p->req;
	const char *name = req->name;
	int level = LOG_DEBUG;

	if (ret) {
		json_object_put(result);
		result = NULL;
		/* The engine promises -errno; a positive value must not read as success. */
		if (ret > 0)
			ret = -EIO;
		if (!diag->msg[0])
			netd_diag_set(diag, "%s%s%s: %s", req->cmd->name, *name ? " " : "", name,
			              strerror(-ret));
	}
	/* Writes are logged always; reads only with --verbose, they are many and harmless. */
	if (req->cmd->needs_root || ret == -EPERM)
		level = ret ? LOG_ERR : LOG_INFO;
	netd_log(level, "%s%s%s from uid %u pid %d: %s%s", req->cmd->name, *name ? " " : "", name,
	         (unsigned)p->uid, (int)p->pid, ret ? "failed: " : "ok", ret ? diag->msg : "");
	p->fn(p->arg, ret ? netd_ctl_response_error(-ret, diag->msg)
	                  : netd_ctl_response_ok(result)); /* takes result */
}

/* A change ended: its confirmation, as the client prints it, then the answer. */
static void changed(void *arg, int ret, json_object *result, const struct netd_diag *d)
{
	struct pending *p = arg;
	struct netd_diag diag = *d;
	const char *name = p->req.name;
	json_object *w = NULL;

	if (ret == 0 && p->req.cmd->cmd == NETD_CTL_UP) {
		/* What it repaired of a network that was up and had drifted (NULL: nothing). */
		json_object *repair = result;
		struct netd_diag ignored;

		/* Up, but another firewall may still drop what the policy allows: say so, from the
		 * same look at the network as its entry. */
		if (netd_engine_entry_warnings(p->e, NULL, name, &result, &w, &ignored) < 0)
			ret = entry_of(p->e, name, &result);
		if (ret == 0 && repair) {
			json_object_object_add(result, "repaired", repair);
			repair = NULL;
		}
		json_object_put(repair);
		if (ret == 0 && w)
			json_object_object_add(result, "warnings", w);
	} else if (ret == 0 && p->req.cmd->cmd == NETD_CTL_DOWN) {
		/* What it did about state files that did not load: "warnings" (netdctl prints
		 * them on stderr). */
		w = result;
		ret = entry_of(p->e, name, &result);
		if (ret == 0 && json_object_array_length(w) > 0) {
			json_object_object_add(result, "warnings", w);
			w = NULL;
		}
		json_object_put(w);
	} else if (ret == 0 && p->req.cmd->cmd == NETD_CTL_RELOAD) {
		/* The list, each network with what the reload did to it. */
		w = result;
		ret = netd_engine_list(p->e, &result);
		if (ret == 0)
			netd_reload_report_merge(result, w);
		json_object_put(w);
	}
	answer(p, ret, result, &diag);
	free(p);
}

static const enum netd_job_kind job_of[NETD_CTL_MAX] = {
    [NETD_CTL_UP] = NETD_JOB_UP,         [NETD_CTL_DOWN] = NETD_JOB_DOWN,
    [NETD_CTL_RELOAD] = NETD_JOB_RELOAD, [NETD_CTL_ATTACH] = NETD_JOB_ATTACH,
    [NETD_CTL_DETACH] = NETD_JOB_DETACH, [NETD_CTL_FORWARD] = NETD_JOB_FORWARD,
};

/* A change: to the scheduler, answered when it ends. */
static int submit(struct netd_sched *s, struct pending *p)
{
	const struct netd_ctl_request *req = &p->req;
	enum netd_ctl_cmd cmd = req->cmd->cmd;
	struct netd_job_args args = {.force = req->force};
	struct pending *copy = malloc(sizeof(*copy));
	int ret;

	if (!copy)
		return -ENOMEM;
	if (cmd == NETD_CTL_ATTACH || cmd == NETD_CTL_DETACH) { /* one tap, or "taps" */
		args.taps = req->n_taps ? req->taps : &req->attach;
		args.n_taps = req->n_taps ? req->n_taps : 1;
		args.batch = req->n_taps > 0;
	}
	args.forward = req->forward;
	args.forward_remove = req->forward_remove;
	*copy = *p;
	/* The scheduler keeps the taps; the request's stay its decoder's. */
	copy->req.taps = NULL;
	copy->req.n_taps = 0;
	ret = netd_sched_submit(s, job_of[cmd], cmd == NETD_CTL_RELOAD ? NULL : req->name, &args,
	                        changed, copy);
	if (ret < 0)
		free(copy);
	return ret;
}

void netd_ctl_dispatch(struct netd_engine *e, struct netd_sched *s,
                       const struct netd_ctl_request *req, uid_t uid, pid_t pid,
                       netd_ctl_reply_fn fn, void *arg)
{
	struct pending p = {.e = e, .req = *req, .uid = uid, .pid = pid, .fn = fn, .arg = arg};
	struct netd_diag diag = {{0}};
	json_object *result = NULL;
	int ret;

	ret = netd_ctl_check_permission(req->cmd, uid, &diag);
	if (ret)
		goto out;
	switch (req->cmd->cmd) {
	case NETD_CTL_LIST:
		ret = netd_engine_list(e, &result);
		break;
	case NETD_CTL_STATUS:
		ret = netd_engine_status(e, req->name, &result, &diag);
		break;
	case NETD_CTL_LEASES:
		ret = netd_engine_leases(e, req->name, &result, &diag);
		break;
	case NETD_CTL_UP:
	case NETD_CTL_DOWN:
	case NETD_CTL_RELOAD:
	case NETD_CTL_ATTACH:
	case NETD_CTL_DETACH:
	case NETD_CTL_FORWARD:
		ret = submit(s, &p);
		if (ret == 0)
			return;
		break;
	default:
		netd_diag_set(&diag, "command '%s' not implemented", req->cmd->name);
		ret = -ENOSYS;
		break;
	}
out:
	answer(&p, ret, result, &diag);
}
