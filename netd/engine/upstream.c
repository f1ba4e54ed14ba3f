/*
 * The upstream DNS servers of every network's dnsmasq. netd reads the host's resolv.conf and
 * writes <runtime>/upstream.servers, which each dnsmasq reads when it starts and again on
 * SIGHUP (no-resolv, servers-file=). dnsmasq left to watch resolv.conf itself would hold an
 * inotify instance of root's each (fs.inotify.max_user_instances: 128 by default, for every
 * root process of the host); here one watch serves every network, and the reconcile pass
 * compares again in case an event was missed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/kernel/file_watch.h"
#include "netd/util/fsutil.h"

#define RESOLV_CONF_MAX (64 * 1024)

/* Every dnsmasq of ours that runs rereads the servers file: the number told in *told. */
static void tell_all(struct netd_engine *e, size_t *told)
{
	for (size_t i = 0; i < e->config->n_networks; i++) {
		struct netd_dnsmasq_paths p;

		if (netd_dnsmasq_paths_init(&p, e->runtime_dir, e->state_dir,
		                            e->config->networks[i]->name) == 0 &&
		    netd_dnsmasq_hup(&p) == 0)
			(*told)++;
	}
}

int netd_upstream_sync(struct netd_engine *e, size_t *told)
{
	char path[NETD_PATH_MAX], *resolv = NULL, *want = NULL, *have = NULL;
	size_t n = 0;
	int ret;

	ret = netd_dnsmasq_servers_path(e->runtime_dir, path, sizeof(path));
	if (ret < 0)
		goto out;
	/* No resolv.conf is no upstream, as for dnsmasq; an unreadable one keeps the last
	 * servers rather than dropping them all. */
	ret = netd_file_read_cached(e->resolv_conf, RESOLV_CONF_MAX, &resolv);
	if (ret < 0 && ret != -ENOENT)
		goto out;
	ret = netd_dnsmasq_render_servers(resolv, &want);
	if (ret < 0)
		goto out;
	if (netd_file_read_cached(path, RESOLV_CONF_MAX, &have) == 0 && strcmp(have, want) == 0)
		goto out; /* unchanged: nothing written, nobody woken */
	/* dnsmasq rereads it as nobody: world-readable. */
	ret = netd_file_write_atomic(path, want, 0644, false);
	if (ret == 0)
		tell_all(e, &n);
out:
	if (told)
		*told = n;
	free(resolv);
	free(want);
	free(have);
	return ret;
}

int netd_engine_upstream_open(struct netd_engine *e)
{
	int ret;

	if (!e->resolv_watch && (ret = netd_file_watch_open(e->resolv_conf, &e->resolv_watch)) < 0)
		return ret;
	/* Catch up with what changed while no netd watched (dnsmasqs left running by an earlier
	 * netd); an error here is the reconcile pass's to report, the watch stands either way. */
	netd_upstream_sync(e, NULL);
	return netd_file_watch_fd(e->resolv_watch);
}

int netd_engine_upstream_handle(struct netd_engine *e, size_t *told)
{
	int ret;

	if (told)
		*told = 0;
	if (!e->resolv_watch)
		return -EBADF;
	ret = netd_file_watch_read(e->resolv_watch);
	if (ret <= 0)
		return ret;
	return netd_upstream_sync(e, told);
}
