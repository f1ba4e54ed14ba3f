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

#include <netlink/attr.h>

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

/* IFLA_MASTER etc. of one RTM_NEWLINK; nothing to send when it only has its header. */
static struct nl_msg *setlink_msg(int ifindex)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int netd_tap_configure(struct netd_nl *nl, const char *tap, const struct netd_tap_settings *s,
                       bool *changed, struct netd_diag *diag)
{
	struct netd_link_info li, br;
	struct nl_msg *msg = NULL;
	bool wrote = false, any = false;
	int ret, iso;

	ret = netd_nl_link_get(nl, tap, &li);
	if (ret == 0)
		ret = netd_nl_link_get(nl, s->bridge, &br);
	if (ret < 0) {
		netd_diag_set(diag, "configuring tap %s: %s", tap, strerror(-ret));
		goto out;
	}
	msg = setlink_msg(li.ifindex);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	if (strcmp(li.alias, s->alias) != 0) {
		any = true;
		if (nla_put_string(msg, IFLA_IFALIAS, s->alias) < 0)
			ret = -ENOMEM;
	}
	if (memcmp(li.mac, s->host_mac, 6) != 0) {
		any = true;
		if (nla_put(msg, IFLA_ADDRESS, 6, s->host_mac) < 0)
			ret = -ENOMEM;
	}
	if (s->mtu && li.mtu != s->mtu) {
		any = true;
		if (nla_put_u32(msg, IFLA_MTU, s->mtu) < 0)
			ret = -ENOMEM;
	}
	if (li.master != br.ifindex) {
		any = true;
		if (nla_put_u32(msg, IFLA_MASTER, (uint32_t)br.ifindex) < 0)
			ret = -ENOMEM;
	}
	if (ret < 0)
		goto out;
	if (any) {
		ret = netd_nl_request(nl, msg);
		msg = NULL;
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
	nlmsg_free(msg);
	if (ret == -ENOMEM)
		netd_diag_set(diag, "configuring tap %s: %s", tap, strerror(ENOMEM));
	if (changed)
		*changed = wrote;
	return ret;
}
