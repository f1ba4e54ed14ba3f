/*
 * Tap devices: created with the tun ioctls (netlink cannot make a persistent tap with an
 * owner), then configured over rtnetlink like any other link; new ones many at once, in one
 * batch (nl_batch.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
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

/* The messages of one tap in the batch; each tagged with the tap's index and its step. */
enum { STEP_SET, STEP_ISOLATE, STEP_UP, STEPS };

static struct nlmsghdr *tap_msg(struct netd_nl_batch *b, const struct netd_tap_new *t, size_t i,
                                unsigned step, unsigned up)
{
	struct nlmsghdr *h =
	    netd_nl_batch_link(b, RTM_NEWLINK, AF_UNSPEC, 0, up, up, i * STEPS + step);

	/* By name, as every change netd makes: the kernel resolves it, no lookup first. */
	if (h && !mnl_attr_put_strz_check(h, NETD_NL_BATCH_MSG_MAX, IFLA_IFNAME, t->name))
		return NULL;
	return h;
}

static int add_tap(struct netd_nl_batch *b, const struct netd_tap_new *t, size_t i, int master)
{
	unsigned up = t->set.isolated ? 0 : IFF_UP;
	struct nlattr *info, *data;
	struct nlmsghdr *h;

	h = tap_msg(b, t, i, STEP_SET, up);
	if (!h || !mnl_attr_put_strz_check(h, NETD_NL_BATCH_MSG_MAX, IFLA_IFALIAS, t->set.alias))
		return -ENOMEM;
	mnl_attr_put(h, IFLA_ADDRESS, 6, t->set.host_mac);
	if (t->set.mtu)
		mnl_attr_put_u32(h, IFLA_MTU, t->set.mtu);
	mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)master);
	if (!t->set.isolated)
		return 0;
	/* What `ip link set dev T type bridge_slave isolated on` sends: the bridge reads it
	 * only once T is its port, so it cannot ride in the message that enslaves T. */
	h = tap_msg(b, t, i, STEP_ISOLATE, 0);
	if (!h)
		return -ENOMEM;
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_SLAVE_KIND, "bridge");
	data = mnl_attr_nest_start(h, IFLA_INFO_SLAVE_DATA);
	mnl_attr_put_u8(h, IFLA_BRPORT_ISOLATED, 1);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	return tap_msg(b, t, i, STEP_UP, IFF_UP) ? 0 : -ENOMEM;
}

/* The batch that sets up the taps made: each bridge's index looked up once. */
static int build(struct netd_nl *nl, const struct netd_tap_new *v, size_t n,
                 struct netd_nl_batch *b, size_t *bad, struct netd_diag *diag)
{
	const char *bridge = NULL;
	int master = 0, ret = 0;

	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (!bridge || strcmp(bridge, v[i].set.bridge) != 0) {
			bridge = v[i].set.bridge;
			master = netd_nl_ifindex(nl, bridge);
		}
		ret = master < 0 ? master : add_tap(b, &v[i], i, master);
		if (ret < 0) {
			*bad = i;
			netd_diag_set(diag, "configuring tap %s: %s%s%s", v[i].name,
			              master < 0 ? "bridge " : "", master < 0 ? bridge : "",
			              master < 0 ? ": No such device" : strerror(-ret));
		}
	}
	return ret;
}

static void batch_failed(const struct netd_tap_new *v, size_t tag, int err, struct netd_diag *diag)
{
	const struct netd_tap_new *t = &v[tag / STEPS];

	switch (tag % STEPS) {
	case STEP_SET:
		netd_diag_set(diag, "setting alias, MAC, MTU %u and master %s of tap %s: %s",
		              t->set.mtu, t->set.bridge, t->name, strerror(-err));
		break;
	case STEP_ISOLATE:
		netd_diag_set(diag, "setting port %s isolated on: %s", t->name, strerror(-err));
		break;
	default:
		netd_diag_set(diag, "setting %s up: %s", t->name, strerror(-err));
		break;
	}
}

int netd_taps_create(struct netd_nl *nl, struct netd_tap_new *v, size_t n, size_t *failed,
                     struct netd_diag *diag)
{
	struct netd_nl_batch *b = netd_nl_batch_new();
	const char **made = calloc(n + 1, sizeof(*made));
	size_t n_made = 0, bad = SIZE_MAX, tag;
	int ret = b && made ? 0 : -ENOMEM;

	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = netd_tap_create(&v[i].opts, v[i].name, diag);
		if (ret < 0)
			bad = i;
		else
			made[n_made++] = v[i].name;
	}
	if (ret == 0)
		ret = build(nl, v, n, b, &bad, diag);
	if (ret == 0 && (ret = netd_nl_batch_run(b, &tag)) < 0) {
		if (tag != SIZE_MAX) {
			bad = tag / STEPS;
			batch_failed(v, tag, ret, diag);
		} else {
			netd_diag_set(diag, "configuring %zu taps: %s", n, strerror(-ret));
		}
	}
	if (ret == -ENOMEM && n_made == 0)
		netd_diag_set(diag, "creating %zu taps: %s", n, strerror(ENOMEM));
	/* All or nothing: a tap of a failed batch is nobody's. */
	if (ret < 0)
		netd_nl_links_delete(nl, made, n_made, NULL);
	if (failed)
		*failed = bad;
	netd_nl_batch_free(b);
	free(made);
	return ret;
}
