/*
 * `netdctl forward add|remove` (include/netd/engine.h, netd_engine_forward): a live forward
 * checked as a [Forward] is, kept in the network's definition (marked live), recorded by
 * forward.c, and, when the network is up, its rules written again in one nft batch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/forward.h"

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
		ret = netd_forward_fits(e->config, n, &was, diag);
		if (ret == 0)
			ret = netd_forward_append(n, &was);
		if (ret < 0)
			return ret;
		i = n->n_forwards - 1;
	}
	ret = netd_forward_save_live(e, n, diag);
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
	netd_forward_save_live(e, n, NULL);
	apply_rules(e, n, NULL);
	return ret;
}
