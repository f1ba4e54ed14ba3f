/*
 * bench_dnsmasq_fleet: start (or stop) N dnsmasqs exactly as netd starts a network's: netd's
 * rendered config and hosts text (netd_dnsmasq_render_conf/_hosts), the servers file the
 * engine writes, and netd_dnsmasq_start (which returns once dnsmasq serves). Used by
 * bench_dnsmasq.sh; run it inside the namespace that holds the interfaces.
 *
 *   bench_dnsmasq_fleet start DIR FIRST COUNT IFACES [bind-dynamic]
 *   bench_dnsmasq_fleet stop DIR FIRST COUNT
 *
 * Networks FIRST .. FIRST+COUNT-1. Network k is "f<k>" (mode nat, DHCP) with host address
 * 10.(100 + k/256).(k%256).1/24 on bridge nb<k> when IFACES >= FIRST+COUNT; with fewer
 * interfaces than networks, on the address label nb<k % IFACES>:<k / IFACES> instead
 * (dnsmasq's interface= matches labels), so several networks share one bridge, each with its
 * own subnet, as the bench's `ip` commands set up.
 * bind-dynamic: the same config with bind-dynamic instead of bind-interfaces, for comparison.
 * Prints one line: started, failed, the first failure, and start times (total, median, max).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netd/kernel/dnsmasq.h"
#include "netd/mode.h"
#include "netd/util/fsutil.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Network k as the config parser would leave it (mode defaults in the policy). */
static struct netd_network *network(unsigned k, unsigned total, unsigned ifaces)
{
	struct netd_network *n = netd_network_new();
	const struct netd_mode_ops *ops = netd_mode_ops(NETD_MODE_NAT);
	uint32_t base = (10u << 24) | ((100u + k / 256) << 16) | ((k % 256) << 8);

	if (!n)
		return NULL;
	snprintf(n->name, sizeof(n->name), "f%u", k);
	n->mode = NETD_MODE_NAT;
	if (ifaces >= total)
		snprintf(n->bridge, sizeof(n->bridge), "nb%u", k);
	else
		snprintf(n->bridge, sizeof(n->bridge), "nb%u:%u", k % ifaces, k / ifaces);
	for (int c = 0; c < NETD_CELL_MAX; c++)
		n->policy[c] = ops->defaults[c];
	n->has_address = true;
	n->address.addr.s_addr = htonl(base | 1);
	n->address.len = 24;
	n->has_dhcp = true;
	n->dhcp_first.s_addr = htonl(base | 2);
	n->dhcp_last.s_addr = htonl(base | 254);
	n->lease_time = 3600;
	return n;
}

/* netd's text for network k; bind-dynamic swapped in when asked. */
static int render(const struct netd_network *n, const struct netd_dnsmasq_paths *p, bool dynamic,
                  char **conf, char **hosts)
{
	static const char bi[] = "bind-interfaces\n";
	char *at, *swapped = NULL;
	int ret = netd_dnsmasq_render_conf(n, p, conf);

	if (ret == 0)
		ret = netd_dnsmasq_render_hosts(n, hosts);
	if (ret < 0 || !dynamic || !(at = strstr(*conf, bi)))
		return ret;
	if (asprintf(&swapped, "%.*sbind-dynamic\n%s", (int)(at - *conf), *conf, at + strlen(bi)) <
	    0)
		return -ENOMEM;
	free(*conf);
	*conf = swapped;
	return 0;
}

static int start_one(const char *dir, unsigned k, unsigned total, unsigned ifaces, bool dynamic,
                     double *ms, struct netd_diag *diag)
{
	struct netd_network *n = network(k, total, ifaces);
	struct netd_dnsmasq_paths p;
	char *conf = NULL, *hosts = NULL;
	pid_t pid;
	double t0;
	int ret = n ? netd_dnsmasq_paths_init(&p, dir, dir, n->name) : -ENOMEM;

	if (ret == 0)
		ret = render(n, &p, dynamic, &conf, &hosts);
	t0 = now_ms();
	if (ret == 0)
		ret = netd_dnsmasq_start(&p, conf, hosts, NULL, &pid, diag);
	*ms = now_ms() - t0;
	free(conf);
	free(hosts);
	netd_network_free(n);
	return ret;
}

static int start(const char *dir, unsigned first, unsigned count, unsigned ifaces, bool dynamic)
{
	char servers[NETD_PATH_MAX];
	double *ms = calloc(count + 1, sizeof(*ms)), t0 = now_ms();
	struct netd_diag diag = {{0}}, first_err = {{0}};
	unsigned ok = 0, failed = 0;

	/* The engine writes the servers file before any dnsmasq starts (engine/upstream.c). */
	if (!ms || netd_dnsmasq_servers_path(dir, servers, sizeof(servers)) < 0 ||
	    netd_file_write_atomic(servers, "", 0644, false) < 0) {
		fprintf(stderr, "bench_dnsmasq_fleet: cannot write the servers file in %s\n", dir);
		free(ms);
		return 1;
	}
	for (unsigned k = first; k < first + count; k++) {
		if (start_one(dir, k, first + count, ifaces, dynamic, &ms[ok], &diag) == 0) {
			ok++;
			continue;
		}
		if (failed++ == 0)
			first_err = diag;
	}
	qsort(ms, ok, sizeof(*ms), cmp_double);
	printf("started=%u failed=%u total_ms=%.0f median_ms=%.2f max_ms=%.2f first_error=\"%s\"\n",
	       ok, failed, now_ms() - t0, ok ? ms[ok / 2] : 0.0, ok ? ms[ok - 1] : 0.0,
	       first_err.msg);
	free(ms);
	return failed ? 1 : 0;
}

static int stop(const char *dir, unsigned first, unsigned count)
{
	unsigned failed = 0;

	for (unsigned k = first; k < first + count; k++) {
		struct netd_dnsmasq_paths p;
		char name[NETD_NAME_MAX];

		snprintf(name, sizeof(name), "f%u", k);
		if (netd_dnsmasq_paths_init(&p, dir, dir, name) < 0 || netd_dnsmasq_stop(&p) < 0)
			failed++;
	}
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long first = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	unsigned long count = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
	unsigned long ifaces = argc > 5 ? strtoul(argv[5], NULL, 10) : 0;
	bool sane = count > 0 && first + count <= 4096;

	if (argc >= 6 && strcmp(argv[1], "start") == 0 && sane && ifaces > 0)
		return start(argv[2], (unsigned)first, (unsigned)count, (unsigned)ifaces,
		             argc > 6 && strcmp(argv[6], "bind-dynamic") == 0);
	if (argc == 5 && strcmp(argv[1], "stop") == 0 && sane)
		return stop(argv[2], (unsigned)first, (unsigned)count);
	fprintf(stderr, "usage: bench_dnsmasq_fleet start DIR FIRST COUNT IFACES [bind-dynamic]\n"
	                "       bench_dnsmasq_fleet stop DIR FIRST COUNT\n");
	return 2;
}
