/*
 * Port forwards on the engine's side (include/netd/forward.h): the bridge's route_localnet,
 * which a forward from 127.0.0.1 (HostAddress=127.0.0.1) needs, and the live forwards of
 * `netdctl forward add|remove`, kept in the network's definition (marked live) and recorded in
 * <state>/<network>.forwards. The rules themselves are the network's nft batch
 * (netd/core/nft_forward.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/forward.h"
#include "netd/util/log.h"
#include "netd/util/state_file.h"

/*
 * net.ipv4.conf.<bridge>.route_localnet: 1 while a forward of the network takes connections
 * to 127.0.0.1 (the kernel routes nothing from or to 127/8 through an interface without it,
 * so the DNATed packet and the guest's answer would be dropped as martians), else back to
 * what a new interface gets (net.ipv4.conf.default), which the bridge had when netd made it.
 */
int netd_forward_localnet(const struct netd_network *n, const struct netd_desired *d,
                          struct netd_diag *diag)
{
	char key[80], have[16] = "", want[16] = "1";
	int ret;

	if (!d->nft)
		return 0;
	if (!d->nft->route_localnet &&
	    netd_sysctl_read("net/ipv4/conf/default/route_localnet", want, sizeof(want)) < 0)
		snprintf(want, sizeof(want), "0");
	snprintf(key, sizeof(key), "net/ipv4/conf/%s/route_localnet", n->bridge);
	ret = netd_sysctl_read(key, have, sizeof(have));
	if (ret == -ENOENT)
		return 0; /* no bridge (yet): set when it is made and the rules are applied */
	if (ret == 0 && strcmp(have, want) == 0)
		return 0;
	ret = netd_sysctl_write(key, want);
	if (ret < 0)
		netd_diag_set(diag, "setting %s to %s: %s", key, want, strerror(-ret));
	return ret;
}

/* ---- live forwards: `netdctl forward add|remove` ---- */

static const struct netd_state_record forwards_record = {
    .kind = "forwards",
    .to_json = netd_forward_list_to_json,
    .from_json = netd_forward_list_from_json,
    .malformed = "not a list of forwards",
};

/* n's live forwards, as its state file keeps them. */
static int save_live(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag)
{
	struct netd_forward_list l = {calloc(n->n_forwards + 1, sizeof(*l.v)), 0};
	int ret = l.v ? 0 : -ENOMEM;

	for (size_t i = 0; l.v && i < n->n_forwards; i++)
		if (n->forwards[i].live)
			l.v[l.n++] = n->forwards[i];
	if (ret == 0)
		ret = l.n ? netd_state_record_save(&forwards_record, e->state_dir, n->name, &l)
		          : netd_state_record_forget(&forwards_record, e->state_dir, n->name, NULL);
	if (ret < 0)
		netd_diag_set(diag, "%s: recording its forwards in %s: %s", n->name, e->state_dir,
		              strerror(-ret));
	netd_forward_list_clear(&l);
	return ret;
}

/* Whether f fits n of c: its own rules, and no forward of any network overlapping it. The
 * message names what is in the way. */
static int fits(const struct netd_config *c, const struct netd_network *n,
                const struct netd_forward *f, struct netd_diag *diag)
{
	const struct netd_network *owner;
	enum netd_forward_key key;
	char why[256], text[96];
	size_t i;

	if (netd_forward_check(n, f, &key, why, sizeof(why)) < 0) {
		netd_diag_set(diag, "%s: %s", n->name, why);
		return -EINVAL;
	}
	if (!netd_forward_find_overlap(c, n, f, false, &owner, &i))
		return 0;
	netd_forward_format(&owner->forwards[i], text, sizeof(text));
	if (owner->forwards[i].live)
		netd_diag_set(diag,
		              "%s: the host port is taken by a forward of network '%s' (%s, "
		              "added by netdctl forward add)",
		              n->name, owner->name, text);
	else
		netd_diag_set(diag,
		              "%s: the host port is taken by a forward of network '%s' (%s, "
		              "%s:%u)",
		              n->name, owner->name, text, owner->source, owner->forwards[i].line);
	return -EEXIST;
}

void netd_forward_merge_live(struct netd_engine *e, struct netd_config *c)
{
	for (size_t i = 0; i < c->n_networks; i++) {
		struct netd_network *n = c->networks[i];
		struct netd_forward_list l = {0};
		struct netd_state_info info;
		struct netd_diag diag = {""};
		char text[96];

		if (netd_state_record_load(&forwards_record, e->state_dir, n->name,
		                           NETD_STATE_CURRENT, &l, &info) < 0) {
			if (strcmp(info.reason, "is missing") != 0)
				netd_log(LOG_WARNING, "%s: live forwards not restored: %s %s",
				         n->name, info.path, info.reason);
			continue;
		}
		for (size_t k = 0; k < l.n; k++) {
			netd_forward_format(&l.v[k], text, sizeof(text));
			if (fits(c, n, &l.v[k], &diag) < 0)
				netd_log(LOG_WARNING, "forward %s left out: %s", text, diag.msg);
			else if (netd_forward_append(n, &l.v[k]) < 0)
				netd_log(LOG_ERR, "%s: forward %s: %s", n->name, text,
				         strerror(ENOMEM));
		}
		netd_forward_list_clear(&l);
	}
}

/* The network's rules as its forwards now are, when it is up: one nft batch. */
static int apply_rules(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag)
{
	struct netd_view v;
	int ret;

	if (!netd_engine_is_up(e, n))
		return 0;
	ret = netd_view_load(e, n, &v, diag);
	if (ret < 0)
		return ret;
	ret = netd_nft_apply_net(e->nft, v.d->nft, diag);
	if (ret == 0)
		ret = netd_forward_localnet(n, v.d, diag);
	netd_view_release(&v);
	return ret;
}

/* The forward of n that remove means: the same protocol, host port(s) and host address. */
static int find(const struct netd_network *n, const struct netd_forward *f, struct netd_diag *diag)
{
	char text[96];

	for (size_t i = 0; i < n->n_forwards; i++) {
		const struct netd_forward *o = &n->forwards[i];

		if (o->proto != f->proto || o->host_port.first != f->host_port.first ||
		    o->host_port.last != f->host_port.last ||
		    o->host_addr.s_addr != f->host_addr.s_addr)
			continue;
		if (o->live)
			return (int)i;
		netd_forward_format(o, text, sizeof(text));
		netd_diag_set(diag, "%s: forward %s is declared by %s:%u; edit the file and reload",
		              n->name, text, n->source, o->line);
		return -EPERM;
	}
	if (f->host_addr.s_addr)
		inet_ntop(AF_INET, &f->host_addr, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "any address");
	if (f->host_port.last != f->host_port.first)
		netd_diag_set(diag, "%s: no forward of %s ports %u-%u on %s", n->name,
		              netd_forward_proto_to_string(f->proto), f->host_port.first,
		              f->host_port.last, text);
	else
		netd_diag_set(diag, "%s: no forward of %s port %u on %s", n->name,
		              netd_forward_proto_to_string(f->proto), f->host_port.first, text);
	return -ENOENT;
}

static int answer(const struct netd_network *n, const struct netd_forward *f, bool remove,
                  json_object **out)
{
	json_object *o = json_object_new_object();

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "network", json_object_new_string(n->name));
	json_object_object_add(o, "op", json_object_new_string(remove ? "remove" : "add"));
	json_object_object_add(o, "forward", netd_forward_to_json(f));
	json_object_object_add(o, "forwards", netd_forwards_json(n));
	*out = o;
	return 0;
}

int netd_engine_forward(struct netd_engine *e, const char *name, const struct netd_forward *f,
                        bool remove, json_object **out, struct netd_diag *diag)
{
	const struct netd_network *found = netd_engine_find(e, name, diag);
	struct netd_network *n;
	struct netd_forward was;
	size_t i;
	int ret;

	*out = NULL;
	if (!found)
		return -ENOENT;
	n = e->config->networks[netd_engine_index(e->config, found)];
	if (remove) {
		ret = find(n, f, diag);
		if (ret < 0)
			return ret;
		i = (size_t)ret;
		was = n->forwards[i];
		netd_forward_remove_at(n, i);
	} else {
		was = *f;
		was.live = true;
		was.line = 0;
		memset(was.key_line, 0, sizeof(was.key_line));
		netd_forward_defaults(&was);
		ret = fits(e->config, n, &was, diag);
		if (ret == 0)
			ret = netd_forward_append(n, &was);
		if (ret < 0)
			return ret;
		i = n->n_forwards - 1;
	}
	ret = save_live(e, n, diag);
	if (ret == 0)
		ret = apply_rules(e, n, diag);
	if (ret == 0)
		return answer(n, &was, remove, out);
	/* Undone: the forwards as they were, in the file and in the kernel. */
	if (remove) {
		netd_forward_append(n, &was);
		memmove(&n->forwards[i + 1], &n->forwards[i],
		        (n->n_forwards - i - 1) * sizeof(n->forwards[0]));
		n->forwards[i] = was;
	} else {
		netd_forward_remove_at(n, i);
	}
	save_live(e, n, NULL);
	apply_rules(e, n, NULL);
	return ret;
}
