/*
 * A pass: the looks at many networks that share one kernel snapshot (a list, the reconcile
 * pass the scheduler runs one network per turn, the heal pass). Inside one, the first observe
 * takes the links and addresses whole (one dump of each) and every later observe looks them
 * up in it, and nft verify checks the ruleset's generation once. A write of netd's own (an
 * apply step, an attach, a detach) makes the snapshot stale: the next observe of the pass
 * takes it again, so no network is ever planned from what netd changed since. Outside a
 * pass, each observe takes a narrow snapshot of its own: a look at one network asks the
 * kernel only for what it names.
 */
#include <errno.h>

#include "engine_priv.h"
#include "netd/kernel/snapshot.h"

void netd_pass_begin(struct netd_engine *e)
{
	/* A pass begun inside another (a list during the scheduler's pass) starts afresh. */
	netd_snapshot_free(e->pass_k);
	e->pass_k = NULL;
	e->pass_depth++;
	netd_nft_observe_hold(e->nft, true);
}

void netd_pass_end(struct netd_engine *e)
{
	if (e->pass_depth == 0 || --e->pass_depth > 0)
		return;
	netd_snapshot_free(e->pass_k);
	e->pass_k = NULL;
	netd_nft_observe_hold(e->nft, false);
}

void netd_pass_stale(struct netd_engine *e)
{
	netd_snapshot_free(e->pass_k);
	e->pass_k = NULL;
}

int netd_pass_snapshot(struct netd_engine *e, struct netd_kernel_snapshot **k, bool *own)
{
	int ret;

	*k = NULL;
	*own = false;
	if (e->pass_depth && !e->pass_k) {
		ret = netd_snapshot_take(e->nl, &e->pass_k);
		if (ret < 0)
			return ret;
	}
	if (e->pass_k) {
		*k = e->pass_k;
		return 0;
	}
	*own = true;
	return netd_snapshot_narrow(e->nl, k);
}
