/*
 * A guest's DHCP lease when its tap goes: given back through dnsmasq when it runs (it holds
 * the leases in memory and rewrites its file itself), struck from the file when it does not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_priv.h"
#include "netd/util/fsutil.h"
#include "netd/util/wait.h"

#define RELEASE_WAIT_MS 2000
/* Far above any real lease file (a /16 full of guests is a few MB). */
#define LEASES_FILE_MAX (64u << 20)

int netd_tap_leases_strip_file(const struct netd_dnsmasq_paths *p, const uint8_t (*macs)[6],
                               size_t n_macs)
{
	char *text = NULL, *kept = NULL;
	bool dropped = false;
	int ret;

	ret = netd_file_read(p->leases, LEASES_FILE_MAX, &text);
	if (ret == -ENOENT)
		return 0;
	if (ret == 0)
		ret = netd_leases_strip(text, macs, n_macs, &kept, &dropped);
	/* Not durable: a lease that comes back after a power loss expires like any other. */
	if (ret == 0 && dropped)
		ret = netd_file_write_atomic(p->leases, kept, 0644, false);
	free(text);
	free(kept);
	return ret;
}

/* Index of mac's lease (the last one: dnsmasq appends), or -1. */
static ssize_t lease_of(const struct netd_lease *leases, size_t count, const uint8_t mac[6])
{
	ssize_t found = -1;

	for (size_t i = 0; i < count; i++)
		if (memcmp(leases[i].mac, mac, 6) == 0)
			found = (ssize_t)i;
	return found;
}

/* The lease file as it is now (*leases, the caller frees) and mac's lease in it (*found, -1
 * when none); -errno with why when it cannot be read. */
static int lease_now(const struct netd_dnsmasq_paths *p, const uint8_t mac[6],
                     struct netd_lease **leases, ssize_t *found, struct netd_diag *why)
{
	size_t count = 0;
	int ret = netd_dnsmasq_leases_read(p, leases, &count);

	if (ret < 0) {
		netd_diag_set(why, "reading %s: %s", p->leases, strerror(-ret));
		return ret;
	}
	*found = lease_of(*leases, count, mac);
	return 0;
}

/* dnsmasq writes the file as it handles the release: look again this often until then. */
#define RELEASE_CHECK_MS 10

int netd_tap_lease_forget_resume(const struct netd_network *n, struct netd_lease_wait *lw,
                                 struct in_addr *released, struct netd_wait *w,
                                 struct netd_diag *diag)
{
	struct netd_lease *leases = NULL;
	struct netd_diag why = {{0}};
	ssize_t found;
	int ret;

	ret = lease_now(&lw->paths, lw->mac, &leases, &found, &why);
	free(leases);
	if (ret < 0)
		goto out;
	if (found < 0) {
		*released = lw->addr;
		return 0;
	}
	if (netd_now_ms() >= lw->deadline) {
		netd_diag_set(&why, "dnsmasq still holds it after %d ms", RELEASE_WAIT_MS);
		ret = -ETIMEDOUT;
		goto out;
	}
	w->fd = -1;
	w->deadline_ms = netd_now_ms() + RELEASE_CHECK_MS;
	return -EINPROGRESS;
out:
	netd_diag_set(diag, "%s: releasing the guest's lease: %s", n->name, why.msg);
	return ret;
}

/* Give the lease back through the running dnsmasq (then wait for it), or strike it from the
 * file. */
static int drop_lease(const struct netd_network *n, struct netd_lease_wait *lw,
                      const struct netd_lease *l, struct netd_diag *diag)
{
	int ret;

	if (!netd_dnsmasq_running(&lw->paths, NULL)) {
		ret = netd_tap_leases_strip_file(&lw->paths, (const uint8_t(*)[6])l->mac, 1);
		if (ret < 0)
			netd_diag_set(diag, "removing it from %s: %s", lw->paths.leases,
			              strerror(-ret));
		return ret;
	}
	ret = netd_dhcp_release_send(n->bridge, n->address.addr, l->addr, l->mac);
	if (ret < 0) {
		netd_diag_set(diag, "sending a DHCPRELEASE on %s: %s", n->bridge, strerror(-ret));
		return ret;
	}
	memcpy(lw->mac, l->mac, 6);
	lw->addr = l->addr;
	lw->deadline = netd_now_ms() + RELEASE_WAIT_MS;
	return -EINPROGRESS;
}

int netd_tap_lease_forget_start(struct netd_engine *e, const struct netd_network *n,
                                const uint8_t mac[6], struct netd_lease_wait *lw,
                                struct in_addr *released, struct netd_wait *w,
                                struct netd_diag *diag)
{
	struct netd_lease *leases = NULL;
	struct netd_diag why = {{0}};
	ssize_t found;
	int ret;

	released->s_addr = 0;
	if (!netd_dnsmasq_wanted(n))
		return 0;
	ret = netd_dnsmasq_paths_init(&lw->paths, e->runtime_dir, e->state_dir, n->name);
	if (ret < 0) {
		netd_diag_set(&why, "%s", strerror(-ret));
		goto out;
	}
	ret = lease_now(&lw->paths, mac, &leases, &found, &why);
	if (ret < 0 || found < 0)
		goto out;
	ret = drop_lease(n, lw, &leases[found], &why);
	if (ret == 0)
		*released = leases[found].addr;
	if (ret == -EINPROGRESS) { /* dnsmasq may have written its file already */
		free(leases);
		return netd_tap_lease_forget_resume(n, lw, released, w, diag);
	}
out:
	if (ret < 0)
		netd_diag_set(diag, "%s: releasing the guest's lease: %s", n->name, why.msg);
	free(leases);
	return ret;
}
