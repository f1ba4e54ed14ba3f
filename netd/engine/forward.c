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
int netd_forward_save_live(struct netd_engine *e, const struct netd_network *n,
                           struct netd_diag *diag)
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
int netd_forward_fits(const struct netd_config *c, const struct netd_network *n,
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
			if (netd_forward_fits(c, n, &l.v[k], &diag) < 0)
				netd_log(LOG_WARNING, "forward %s left out: %s", text, diag.msg);
			else if (netd_forward_append(n, &l.v[k]) < 0)
				netd_log(LOG_ERR, "%s: forward %s: %s", n->name, text,
				         strerror(ENOMEM));
		}
		netd_forward_list_clear(&l);
	}
}
