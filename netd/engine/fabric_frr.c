/*
 * FRR's part of the spanning networks, never blocking the daemon: every vtysh run is an
 * operation (netd/kernel/frr.h) that a change waits for like a dnsmasq start, so a hung FRR
 * costs the change that asked at most NETD_VTYSH_TIMEOUT_MS and nothing else.
 *
 * - The look: a change of a spanning network (up, reconcile, down) first asks FRR whether it
 *   runs with zebra and bgpd and what it has of the fabric's `router bgp` block, and an up or
 *   a reconcile then the network's BGP/EVPN state; the answers go to e->frr (what FRR said
 *   last, with when), which observe reads, so the plan is made from a fresh answer.
 * - The steps "configure FRR" and "unconfigure FRR" (and the undo of the first): one vtysh
 *   run each, resumed by apply.c.
 * - list and status read e->frr only, and status says how old the answer is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/fabric.h"
#include "netd/kernel/frr.h"
#include "netd/kernel/vxlan.h"

#define LOOK_CMDS "show daemons\nshow running-config"

/* The socket dir as vtysh's option, and in messages. */
static const char *vty_dir(const struct netd_fabric *f)
{
	return f->frr_socket_dir;
}

/* The first line of text, for a message. */
static void first_line(const char *text, char *buf, size_t len)
{
	const char *s = text ? text : "";

	while (*s == '\n' || *s == ' ')
		s++;
	snprintf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
}

/* FRR runs with zebra and bgpd; else -EHOSTDOWN with why. run: vtysh's answer to
 * `show daemons` (and what followed it), ret its result. */
static int frr_verdict(const struct netd_fabric *f, int ret, const char *run, char *why, size_t len)
{
	const char *dir = vty_dir(f)[0] ? vty_dir(f) : "FRR's default";
	bool zebra, bgpd;
	char line[96];

	first_line(run, line, sizeof(line));
	if (ret == -ENOENT) {
		snprintf(why, len, "FRR is not installed (no vtysh in PATH); install frr");
		return -EHOSTDOWN;
	}
	if (ret == -ETIMEDOUT) {
		snprintf(why, len,
		         "FRR does not answer (vtysh, vty sockets in %.100s, killed after %d s)",
		         dir, NETD_VTYSH_TIMEOUT_MS / 1000);
		return -EHOSTDOWN;
	}
	if (ret < 0 && !run) {
		snprintf(why, len, "running vtysh: %s", strerror(-ret));
		return ret;
	}
	netd_frr_daemons_parse(line, &zebra, &bgpd);
	if (ret < 0 && !zebra && !bgpd) {
		snprintf(why, len, "FRR is not running (vtysh, vty sockets in %.100s: %s)", dir,
		         line);
		return -EHOSTDOWN;
	}
	if (!zebra || !bgpd) {
		snprintf(why, len,
		         "FRR runs without %s (show daemons: %s); a spanning network needs zebra "
		         "and bgpd",
		         !zebra ? "zebra" : "bgpd", line);
		return -EHOSTDOWN;
	}
	return 0;
}

/* The answer to LOOK_CMDS (ret, run) into e->frr. */
static void seen_config(struct netd_engine *e, const struct netd_fabric *f, int ret,
                        const char *run)
{
	struct netd_frr_seen *s = &e->frr;
	struct netd_underlay u = {0};
	char missing[128];

	s->at_ms = netd_now_ms();
	s->running = false;
	s->config = 0;
	s->problem[0] = '\0';
	if (frr_verdict(f, ret, run, s->problem, sizeof(s->problem)) < 0)
		return;
	s->running = true;
	netd_underlay_resolve(e->nl, f->underlay_addr, f->underlay_if, &u, NULL);
	s->config = netd_frr_config_state(run, f, u.addr, missing, sizeof(missing));
	if (s->config == 0)
		snprintf(s->problem, sizeof(s->problem), "FRR has no router bgp %u block", f->asn);
	else if (s->config == 2)
		snprintf(s->problem, sizeof(s->problem), "FRR's router bgp %u lacks '%s'", f->asn,
		         missing);
	if (s->config < 0)
		s->config = 0;
}

/* The answer to the status commands of vni into e->frr.status, with when; a run that failed
 * leaves the last good answer (its age says how old). */
static void seen_status(struct netd_engine *e, uint32_t vni, int ret, const char *run)
{
	json_object *st = NULL;
	char key[16];

	if (ret < 0 || netd_frr_status_parse(run, &st) < 0)
		return;
	if (!e->frr.status && !(e->frr.status = json_object_new_object())) {
		json_object_put(st);
		return;
	}
	json_object_object_add(st, "at_ms", json_object_new_int64(netd_now_ms()));
	snprintf(key, sizeof(key), "%u", vni);
	json_object_object_add(e->frr.status, key, st);
}

bool netd_fabric_spans(const struct netd_engine *e, const struct netd_network *n)
{
	return n->vni && e->config->fabric;
}

/* The status commands of n's VNI begun, when FRR runs and the look wants them. */
static int look_status(struct netd_engine *e, const struct netd_network *n,
                       struct netd_fabric_look *l)
{
	char cmds[160];
	int ret;

	l->status_next = false;
	if (!l->want_status || !e->frr.running)
		return 0;
	netd_frr_status_cmds(n->vni, cmds, sizeof(cmds));
	ret = netd_vtysh_begin(vty_dir(e->config->fabric), cmds, &l->op);
	l->status_next = ret == -EINPROGRESS;
	return ret == -EINPROGRESS ? ret : 0;
}

int netd_fabric_look_begin(struct netd_engine *e, const struct netd_network *n, bool status,
                           struct netd_fabric_look *l, struct netd_wait *w)
{
	const struct netd_fabric *f = e->config->fabric;
	int ret;

	memset(l, 0, sizeof(*l));
	l->want_status = status;
	ret = netd_vtysh_begin(vty_dir(f), LOOK_CMDS, &l->op);
	if (ret != -EINPROGRESS) {
		seen_config(e, f, ret, NULL); /* no vtysh at all: that is the answer */
		ret = look_status(e, n, l);
	}
	if (ret == -EINPROGRESS)
		netd_vtysh_op_wait(l->op, w);
	return ret;
}

int netd_fabric_look_resume(struct netd_engine *e, const struct netd_network *n,
                            struct netd_fabric_look *l, struct netd_wait *w)
{
	char *run = NULL;
	int ret = netd_vtysh_op_resume(l->op, &run);

	if (ret == -EINPROGRESS) {
		netd_vtysh_op_wait(l->op, w);
		return ret;
	}
	netd_vtysh_op_free(l->op);
	l->op = NULL;
	if (l->status_next) {
		seen_status(e, n->vni, ret, run);
		l->status_next = false;
		ret = 0;
	} else {
		seen_config(e, e->config->fabric, ret, run);
		ret = look_status(e, n, l);
		if (ret == -EINPROGRESS)
			netd_vtysh_op_wait(l->op, w);
	}
	free(run);
	return ret;
}

void netd_fabric_look_release(struct netd_fabric_look *l)
{
	netd_vtysh_op_free(l->op);
	l->op = NULL;
}

void netd_fabric_frr_observe(const struct netd_engine *e, struct netd_observed *o)
{
	o->frr_running = e->frr.running;
	o->frr_config = e->frr.config;
	snprintf(o->frr_problem, sizeof(o->frr_problem), "%s",
	         e->frr.at_ms ? e->frr.problem : "FRR not asked yet");
}

/* A step's vtysh run begun: -EINPROGRESS with r->vty, or the error with diag. */
static int step_begin(struct netd_apply_ctx *c, struct netd_apply_run *r, char *cmds,
                      struct netd_diag *diag)
{
	int ret;

	if (!cmds)
		return -ENOMEM;
	ret = netd_vtysh_begin(vty_dir(c->d->fabric), cmds, &r->vty);
	free(cmds);
	if (ret != -EINPROGRESS)
		netd_diag_set(diag, "running vtysh: %s", strerror(-ret));
	return ret;
}

int netd_fabric_frr_add(struct netd_apply_ctx *c, struct netd_apply_run *r, struct netd_diag *diag)
{
	const struct netd_fabric *f = c->d->fabric;
	struct netd_underlay u;
	int ret;

	/* The change's look just asked: FRR that does not run fails the up here, first. */
	if (!c->before->frr_running) {
		netd_diag_set(diag, "%s",
		              c->before->frr_problem[0] ? c->before->frr_problem
		                                        : "FRR does not run with zebra and bgpd");
		return -EHOSTDOWN;
	}
	ret = netd_underlay_resolve(c->e->nl, f->underlay_addr, f->underlay_if, &u, diag);
	if (ret < 0)
		return ret;
	return step_begin(c, r, netd_frr_render_add(f, u.addr), diag);
}

int netd_fabric_frr_remove(struct netd_apply_ctx *c, struct netd_apply_run *r,
                           struct netd_diag *diag)
{
	return step_begin(c, r, netd_frr_render_remove(c->d->fabric), diag);
}

/* The undo of "configure FRR": only what that step added, and only while no other spanning
 * network needs it (as the view saw it). */
int netd_fabric_frr_undo(struct netd_apply_ctx *c, struct netd_apply_run *r)
{
	struct netd_diag ignored;

	if (c->before->frr_config != 0 || !c->before->frr_last)
		return 0;
	return netd_fabric_frr_remove(c, r, &ignored);
}

int netd_fabric_frr_resume(struct netd_apply_ctx *c, struct netd_apply_run *r,
                           enum netd_step_kind k, struct netd_diag *diag)
{
	const struct netd_fabric *f = c->d->fabric;
	bool add = k == NETD_STEP_CONFIGURE_FRR && !r->undoing;
	char *run = NULL, line[96];
	int ret = netd_vtysh_op_resume(r->vty, &run);

	if (ret == -EINPROGRESS)
		return ret;
	netd_vtysh_op_free(r->vty);
	r->vty = NULL;
	first_line(run, line, sizeof(line));
	if (ret == -ETIMEDOUT)
		snprintf(line, sizeof(line), "no answer within %d s", NETD_VTYSH_TIMEOUT_MS / 1000);
	if (ret < 0 && add)
		netd_diag_set(diag, "FRR refused the fabric's router bgp %u: %s", f->asn,
		              line[0] ? line : strerror(-ret));
	else if (ret < 0)
		netd_diag_set(diag, "removing FRR's router bgp %u: %s", f->asn,
		              line[0] ? line : strerror(-ret));
	if (ret == 0) { /* what FRR has now, as far as netd knows */
		c->e->frr.config = add ? 1 : 0;
		c->e->frr.at_ms = netd_now_ms();
		c->e->frr.problem[0] = '\0';
	}
	free(run);
	return ret;
}

/* {"age_s": seconds since FRR said it} */
static void add_age(json_object *j, long long at_ms)
{
	long long age = (netd_now_ms() - at_ms + 500) / 1000;

	json_object_object_add(j, "age_s", json_object_new_int64(age < 0 ? 0 : age));
}

json_object *netd_fabric_status(struct netd_engine *e, const struct netd_view *v)
{
	static const char *const configs[] = {"none", "complete", "partial"};
	const struct netd_observed *o = &v->o;
	json_object *j = json_object_new_object(), *frr = json_object_new_object(), *st = NULL;
	char key[16];

	json_object_object_add(j, "vni", json_object_new_int64(v->d->net->vni));
	json_object_object_add(j, "vxlan_port", json_object_new_string(v->d->vxlan));
	json_object_object_add(j, "vxlan_port_ok", json_object_new_boolean(o->vxlan_current));
	json_object_object_add(frr, "running", json_object_new_boolean(o->frr_running));
	json_object_object_add(frr, "config",
	                       json_object_new_string(configs[o->frr_config == 1   ? 1
	                                                      : o->frr_config == 2 ? 2
	                                                                           : 0]));
	if (o->frr_problem[0])
		json_object_object_add(frr, "problem", json_object_new_string(o->frr_problem));
	if (e->frr.at_ms)
		add_age(frr, e->frr.at_ms);
	json_object_object_add(j, "frr", frr);
	snprintf(key, sizeof(key), "%u", v->d->net->vni);
	if (!o->frr_running || !e->frr.status ||
	    !json_object_object_get_ex(e->frr.status, key, &st))
		return j;
	json_object_object_foreach(st, k, val)
	{
		if (strcmp(k, "at_ms") == 0)
			add_age(j, json_object_get_int64(val));
		else
			json_object_object_add(j, k, json_object_get(val));
	}
	return j;
}
