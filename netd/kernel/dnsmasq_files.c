/*
 * The files a running dnsmasq rereads on SIGHUP (static leases, DHCP options, A/AAAA records):
 * compared with what they should hold, and rewritten then reread without a restart, so dnsmasq
 * keeps its pid, its cache of leases and its DNS service through the change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/dnsmasq.h"
#include "netd/util/fsutil.h"

#define FILE_MAX (16 * 1024 * 1024)

/* 1 when path holds exactly text (NULL: ""), 0 when not or missing, -errno. */
static int same(const char *path, const char *text)
{
	char *have = NULL;
	int ret = netd_file_read_cached(path, FILE_MAX, &have);

	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	ret = strcmp(have, text ? text : "") == 0;
	free(have);
	return ret;
}

int netd_dnsmasq_conf_file_matches(const struct netd_dnsmasq_paths *p, const char *conf_text)
{
	return same(p->conf, conf_text);
}

int netd_dnsmasq_reread_matches(const struct netd_dnsmasq_paths *p, const char *hosts_text,
                                const char *opts_text, const char *records_text)
{
	int ret = same(p->hosts, hosts_text);

	if (ret == 1)
		ret = same(p->opts, opts_text);
	if (ret == 1)
		ret = same(p->records, records_text);
	return ret;
}

int netd_dnsmasq_reread_write(const struct netd_dnsmasq_paths *p, const char *opts_text,
                              const char *records_text)
{
	/* World-readable: dnsmasq rereads them as nobody. */
	int ret = netd_file_write_atomic(p->opts, opts_text ? opts_text : "", 0644, false);

	if (ret == 0)
		ret = netd_file_write_atomic(p->records, records_text ? records_text : "", 0644,
		                             false);
	return ret;
}

int netd_dnsmasq_reread(const struct netd_dnsmasq_paths *p, const char *hosts_text,
                        const char *opts_text, const char *records_text)
{
	int ret = netd_file_write_atomic(p->hosts, hosts_text ? hosts_text : "", 0644, false);

	if (ret == 0)
		ret = netd_dnsmasq_reread_write(p, opts_text, records_text);
	return ret < 0 ? ret : netd_dnsmasq_hup(p);
}
