/*
 * State files that do not load (include/netd/plan.h, struct netd_state_issue): when `down`
 * refuses, what status says about each, and how to recover. Pure.
 *
 * A snapshot is the only way back for what netd took over: deleting the bridge that holds
 * the uplink takes the uplink's addresses and routes with it, deleting a bond strands its
 * slaves. So without one that loads (or a .prev that agrees with the kernel) down refuses,
 * and --force keeps the uplink's addresses and routes as the kernel has them instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netd/plan.h"

bool netd_observed_needs_attention(const struct netd_observed *o)
{
	for (int k = 0; k < NETD_STATE_FILES; k++)
		if (o->files[k].bad)
			return true;
	return false;
}

/* "<file> <reason>", or a stand-in when observe found no file to name. */
static const char *what(const struct netd_state_issue *f, const char *fallback, char *buf,
                        size_t len)
{
	if (f->bad && f->file[0])
		snprintf(buf, len, "%s %s%s", f->file, f->reason,
		         f->prev_loads ? " (its .prev loads but does not agree with the kernel)"
		                       : "");
	else
		snprintf(buf, len, "%s", fallback);
	return buf;
}

int netd_plan_down_check(const struct netd_desired *d, const struct netd_observed *o, bool force,
                         struct netd_diag *diag)
{
	const struct netd_network *n = d->net;
	char buf[NETD_PATH_MAX + 512];

	if (force)
		return 0;
	if (o->uplink_enslaved && !o->uplink_saved) {
		netd_diag_set(
		    diag,
		    "%s: bridge %s holds uplink %s and netd has no snapshot to give it "
		    "back from: %s; deleting the bridge would take the uplink's addresses "
		    "and routes with it, so down stops here. Restore the file, or run "
		    "`netdctl down --force %s`: it moves the addresses and routes back "
		    "from %s to %s as the kernel has them, then releases %s",
		    n->name, n->bridge, n->uplink,
		    what(&o->files[NETD_STATE_FILE_UPLINK], "no snapshot file", buf, sizeof(buf)),
		    n->name, n->bridge, n->uplink, n->uplink);
		return -EBUSY;
	}
	if (o->bond_ours && !o->bond_saved) {
		netd_diag_set(
		    diag,
		    "%s: netd has no saved state of the slaves of bond %s: %s; deleting "
		    "the bond would strand them, so down stops here. Restore the file, or "
		    "run `netdctl down --force %s`: it gives the uplink back as the kernel "
		    "has it and leaves bond %s",
		    n->name, n->bond.name,
		    what(&o->files[NETD_STATE_FILE_BOND], "no saved state file", buf, sizeof(buf)),
		    n->name, n->bond.name);
		return -EBUSY;
	}
	return 0;
}

static void uplink_advice(const struct netd_desired *d, const struct netd_observed *o,
                          const struct netd_state_issue *f, char *buf, size_t len)
{
	const struct netd_network *n = d->net;

	if (f->prev_used)
		snprintf(buf, len,
		         "its .prev loads and agrees with the kernel: down gives uplink %s back "
		         "from it",
		         n->uplink);
	else if (o->uplink_enslaved)
		snprintf(buf, len,
		         "down refuses to delete bridge %s, which holds uplink %s: restore the "
		         "file, or `netdctl down --force %s` moves the addresses and routes back "
		         "from %s to %s as the kernel has them",
		         n->bridge, n->uplink, n->name, n->bridge, n->uplink);
	else
		snprintf(buf, len,
		         "uplink %s is not in bridge %s, so nothing waits to be given back: "
		         "`netdctl down --force %s` forgets the file",
		         n->uplink, n->bridge, n->name);
}

void netd_state_issue_advice(const struct netd_desired *d, const struct netd_observed *o,
                             enum netd_state_file k, char *buf, size_t len)
{
	const struct netd_network *n = d->net;
	const struct netd_state_issue *f = &o->files[k];

	switch (k) {
	case NETD_STATE_FILE_UPLINK:
		uplink_advice(d, o, f, buf, len);
		return;
	case NETD_STATE_FILE_BOND:
		if (f->prev_used)
			snprintf(
			    buf, len,
			    "its .prev loads and agrees with the kernel: down gives the slaves "
			    "of bond %s back from it",
			    n->bond.name);
		else
			snprintf(
			    buf, len,
			    "down refuses to delete bond %s: restore the file, or `netdctl down "
			    "--force %s` leaves the bond and forgets the file",
			    n->bond.name, n->name);
		return;
	case NETD_STATE_FILE_TAPS:
		snprintf(buf, len,
		         "up and reconcile leave the taps alone and attach refuses until it loads; "
		         "`netdctl down %s` removes every tap tagged netd:%s and forgets it%s",
		         n->name, n->name,
		         f->prev_loads ? " (or restore its .prev, which loads)" : "");
		return;
	case NETD_STATE_FILE_IP_FORWARD:
		snprintf(
		    buf, len,
		    "down leaves net.ipv4.ip_forward as it is: set it to what the host had and "
		    "remove the file");
		return;
	case NETD_STATE_FILES:
		break;
	}
	snprintf(buf, len, "?");
}
