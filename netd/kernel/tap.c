/*
 * Tap devices: created with the tun ioctls (netlink cannot make a persistent tap with an
 * owner), then configured over rtnetlink like any other link.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/addr.h>

#include "netd/kernel/tap.h"
#include "nl_priv.h"

int netd_tap_create(const struct netd_tap_create_opts *opts, char name_out[IFNAMSIZ],
                    struct netd_diag *diag)
{
	const char *want = opts->name && *opts->name ? opts->name : NETD_TAP_NAME_TEMPLATE;
	struct ifreq ifr = {0};
	bool made = false;
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		netd_diag_set(diag, "creating tap %s: /dev/net/tun: %s", want, strerror(errno));
		return ret;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", want);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (opts->queues > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		/* A link of another kind under the name: EINVAL from the kernel, which says
		 * nothing; the user needs to hear the name is taken. */
		if (ret == -EINVAL && opts->name && *opts->name && if_nametoindex(want))
			ret = -EEXIST;
		netd_diag_set(diag, "creating tap %s: %s", want,
		              ret == -EEXIST ? "the name is taken" : strerror(-ret));
		goto out;
	}
	made = true;
	/* TUNSETIFF attaches to a persistent tap that already has the name instead of failing:
	 * a fresh one is not persistent yet, so PERSIST here means it was someone's. */
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		ret = -errno;
		made = false;
		netd_diag_set(diag, "creating tap %s: TUNGETIFF: %s", want, strerror(-ret));
		goto out;
	}
	if (ifr.ifr_flags & IFF_PERSIST) {
		made = false;
		ret = -EEXIST;
		netd_diag_set(diag, "creating tap %s: the name is taken", want);
		goto out;
	}
	if (ioctl(fd, TUNSETOWNER, (unsigned long)opts->owner) < 0 ||
	    (opts->has_group && ioctl(fd, TUNSETGROUP, (unsigned long)opts->group) < 0) ||
	    ioctl(fd, TUNSETPERSIST, 1UL) < 0) {
		ret = -errno;
		netd_diag_set(diag, "creating tap %s: setting owner, group or persist: %s",
		              ifr.ifr_name, strerror(-ret));
		goto out;
	}
	snprintf(name_out, IFNAMSIZ, "%s", ifr.ifr_name);
	ret = 0;
out:
	/* A tap that is not persistent dies with its last descriptor: closing is the undo. */
	if (ret < 0 && made)
		ioctl(fd, TUNSETPERSIST, 0UL);
	close(fd);
	return ret;
}

/* Alias, MAC, MTU and master of the tap, where they differ from li: one change request
 * (*any false and nothing to send when all match). */
static int tap_changes(const struct netd_link_info *li, int bridge_index,
                       const struct netd_tap_settings *s, struct rtnl_link *changes, bool *any)
{
	struct nl_addr *mac;

	*any = false;
	if (strcmp(li->alias, s->alias) != 0) {
		*any = true;
		rtnl_link_set_ifalias(changes, s->alias);
		if (!rtnl_link_get_ifalias(changes))
			return -ENOMEM;
	}
	if (memcmp(li->mac, s->host_mac, 6) != 0) {
		*any = true;
		mac = nl_addr_build(AF_LLC, s->host_mac, 6);
		if (!mac)
			return -ENOMEM;
		rtnl_link_set_addr(changes, mac); /* takes its own reference */
		nl_addr_put(mac);
	}
	if (s->mtu && li->mtu != s->mtu) {
		*any = true;
		rtnl_link_set_mtu(changes, s->mtu);
	}
	if (li->master != bridge_index) {
		*any = true;
		rtnl_link_set_master(changes, bridge_index);
	}
	return 0;
}

int netd_tap_configure(struct netd_nl *nl, const char *tap, const struct netd_tap_settings *s,
                       bool *changed, struct netd_diag *diag)
{
	struct netd_link_info li, br;
	struct rtnl_link *changes = NULL;
	bool wrote = false, any;
	int ret, iso;

	ret = netd_nl_link_get(nl, tap, &li);
	if (ret == 0)
		ret = netd_nl_link_get(nl, s->bridge, &br);
	if (ret < 0) {
		netd_diag_set(diag, "configuring tap %s: %s", tap, strerror(-ret));
		goto out;
	}
	changes = rtnl_link_alloc();
	if (!changes) {
		ret = -ENOMEM;
		goto out;
	}
	rtnl_link_set_ifindex(changes, li.ifindex);
	ret = tap_changes(&li, br.ifindex, s, changes, &any);
	if (ret < 0)
		goto out;
	if (any) {
		ret = netd_nl_link_change(nl, changes);
		if (ret < 0) {
			netd_diag_set(diag,
			              "setting alias, MAC, MTU %u and master %s of tap %s: %s",
			              s->mtu, s->bridge, tap, strerror(-ret));
			goto out;
		}
		wrote = true;
	}
	iso = netd_nl_port_get_isolated(nl, tap);
	if (iso < 0 || (iso == 1) != s->isolated) {
		ret = netd_nl_port_set_isolated(nl, tap, s->isolated, diag);
		if (ret < 0)
			goto out;
		wrote = true;
	}
	if (!li.up) {
		ret = netd_nl_link_set_up(nl, tap, true, diag);
		if (ret < 0)
			goto out;
		wrote = true;
	}
	ret = 0;
out:
	rtnl_link_put(changes);
	if (ret == -ENOMEM)
		netd_diag_set(diag, "configuring tap %s: %s", tap, strerror(ENOMEM));
	if (changed)
		*changed = wrote;
	return ret;
}
