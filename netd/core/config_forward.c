/*
 * The [Forward] section of a network file: a port of the host forwarded to a guest, one each
 * (netd/forward.h). Its own parsers (the rows are in config_keys.c), the rules that tie its
 * keys to the rest of the file, and the one across files: no two forwards of any network may
 * claim the same protocol, host address and port.
 *
 * Called by the key table (begin, parsers), config_parse.c (cfg_check_forwards()) and
 * config_dir.c (cfg_check_forward_pair()); calls down to config_diag.c and forward.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/forward.h"
#include "config_priv.h"

int cfg_begin_forward(struct parser *p)
{
	struct netd_network *n = p->n;
	struct netd_forward f = {.line = p->line};

	return netd_forward_append(n, &f) < 0 ? cfg_fail_nomem(p) : 0;
}

void *cfg_forward_obj(struct parser *p)
{
	return &p->n->forwards[p->n->n_forwards - 1];
}

/* HostPort=, GuestPort=: a port or a range N-M. */
int cfg_parse_port_range(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (netd_port_range_parse(v, (struct netd_port_range *)((char *)obj + k->off)) < 0)
		return cfg_invalid(p, k, v,
		                   "give a port 1-65535 or a range of them, e.g. %s=8080 or "
		                   "%s=8000-8010",
		                   cfg_key_name(k), cfg_key_name(k));
	return 0;
}

static const char *const required[][2] = {
    [NETD_FWD_KEY_PROTOCOL] = {"Protocol", "Protocol=tcp"},
    [NETD_FWD_KEY_HOST_PORT] = {"HostPort", "HostPort=8080"},
    [NETD_FWD_KEY_GUEST_ADDRESS] = {"GuestAddress", "GuestAddress=192.122.1.10"},
};

static int check_one(struct parser *p, struct netd_forward *f)
{
	enum netd_forward_key key;
	char why[256];

	for (int k = 0; k <= NETD_FWD_KEY_GUEST_ADDRESS; k++)
		if (!f->key_line[k])
			return cfg_fail(p, f->line, "[Forward] has no %s=; add one, e.g. %s",
			                required[k][0], required[k][1]);
	netd_forward_defaults(f);
	if (netd_forward_check(p->n, f, &key, why, sizeof(why)) < 0)
		return cfg_fail(p, f->key_line[key] ? f->key_line[key] : f->line, "%s", why);
	return 0;
}

int cfg_check_forwards(struct parser *p)
{
	struct netd_network *n = p->n;
	char text[96];

	for (size_t i = 0; i < n->n_forwards; i++) {
		struct netd_forward *f = &n->forwards[i];

		if (check_one(p, f) < 0)
			return p->err;
		for (size_t j = 0; j < i; j++) {
			if (!netd_forward_overlaps(&n->forwards[j], f))
				continue;
			netd_forward_format(&n->forwards[j], text, sizeof(text));
			return cfg_fail(p, f->key_line[NETD_FWD_KEY_HOST_PORT],
			                "HostPort overlaps the [Forward] on line %u (%s): one host "
			                "port and address goes to one guest",
			                n->forwards[j].line, text);
		}
	}
	return 0;
}

int cfg_check_forward_pair(const struct netd_network *a, const struct netd_network *b,
                           struct netd_diag *diag)
{
	char text[96];

	for (size_t i = 0; i < b->n_forwards; i++)
		for (size_t j = 0; j < a->n_forwards; j++) {
			const struct netd_forward *f = &b->forwards[i], *o = &a->forwards[j];

			if (!netd_forward_overlaps(o, f))
				continue;
			netd_forward_format(o, text, sizeof(text));
			return cfg_diag(
			    diag, b->source, f->key_line[NETD_FWD_KEY_HOST_PORT],
			    "HostPort overlaps the forward of network '%s' (%s:%u: %s): "
			    "one host port and address goes to one guest",
			    a->name, a->source, o->line, text);
		}
	return 0;
}
