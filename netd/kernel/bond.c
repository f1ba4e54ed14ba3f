/*
 * Bonds over rtnetlink. The mode can only be set while the bond is down and has no slaves,
 * and a NIC must be down to be enslaved, so the order is fixed: create the bond (down, with
 * every option), enslave each slave (down, master, up), then set the bond up.
 *
 * Each slave's state is saved in <state>/<network>.bond (bond_state.c) before anything is
 * touched, so that
 * `down`, even after a netd restart, gives the slaves back exactly as they were: the bond
 * changes a slave's MAC in some modes and its MTU to the bond's, and the slave's IPv4 and
 * IPv6 addresses and routes move onto the bond (from where the uplink code moves them onto the
 * bridge: a host whose address was on eth0 keeps it).
 *
 * IPv6 must leave a slave before it is set down to be enslaved: with keep_addr_on_down 0 (the
 * default) the kernel drops a link's global addresses and their routes when it goes down, and
 * a slave makes no IPv6 of its own (addrconf skips IFF_SLAVE links). The uplink code's IPv6
 * steps (kernel/uplink_v6.h) do the move, the bond standing where they expect the bridge: the
 * bond takes one slave's IPv6 sysctls (netd_bond_saved_v6_donor), so it runs SLAAC as that slave
 * did, and an RA's routes go back as the kernel's own RA routes (kernel/uplink_v6_move.c says why).
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>

#include "netd/kernel/bond.h"
#include "netd/kernel/uplink.h"
#include "netd/kernel/uplink_v6.h"
#include "nl_priv.h"

int netd_bond_saved(const char *state_dir, const char *network)
{
	char path[NETD_PATH_MAX];

	if (netd_state_path(path, sizeof(path), state_dir, network, NETD_BOND_KIND) < 0)
		return 0;
	return access(path, F_OK) == 0;
}

/* ---- requests ---- */

/* Whether the option goes to the kernel: given, and what systemd-networkd would send for the
 * same [Bond] (netd/bond.h), so a section written for networkd sets the same options here. */
#define SENT(o) netd_bond_opt_sent(b, NETD_BOND_OPT_##o)

/* IFLA_INFO_DATA of the bond: the mode, and each option the config gave that networkd would
 * send (the kernel's defaults stay for the others). Types as the kernel's bond_policy
 * (bond_netlink.c). Built by hand: libnl 3.7's bonding.h has no setter for the mode or any option
 * (rtnl_link_bond_alloc, _add, _enslave and _release only), and what its "bond" type puts in
 * IFLA_LINKINFO is the kind alone, so the whole create request is ours. */
static int put_options(struct netd_nl *nl, struct nl_msg *msg, const struct netd_bond *b)
{
	struct nlattr *data, *targets;
	int idx, ret = -EMSGSIZE;

	data = nla_nest_start(msg, IFLA_INFO_DATA);
	if (!data || nla_put_u8(msg, IFLA_BOND_MODE, b->mode) < 0)
		return ret;
#define U32(o, attr, v)                                                                            \
	if (SENT(o) && nla_put_u32(msg, attr, v) < 0)                                              \
		return ret;
#define U16(o, attr, v)                                                                            \
	if (SENT(o) && nla_put_u16(msg, attr, v) < 0)                                              \
		return ret;
#define U8(o, attr, v)                                                                             \
	if (SENT(o) && nla_put_u8(msg, attr, v) < 0)                                               \
		return ret;
	U32(MIIMON, IFLA_BOND_MIIMON, b->miimon)
	U32(UPDELAY, IFLA_BOND_UPDELAY, b->updelay)
	U32(DOWNDELAY, IFLA_BOND_DOWNDELAY, b->downdelay)
	U32(ARP_INTERVAL, IFLA_BOND_ARP_INTERVAL, b->arp_interval)
	U32(ARP_VALIDATE, IFLA_BOND_ARP_VALIDATE, b->arp_validate)
	U32(ARP_ALL_TARGETS, IFLA_BOND_ARP_ALL_TARGETS, b->arp_all_targets)
	U8(PRIMARY_RESELECT, IFLA_BOND_PRIMARY_RESELECT, b->primary_reselect)
	U8(FAIL_OVER_MAC, IFLA_BOND_FAIL_OVER_MAC, b->fail_over_mac)
	U8(XMIT_HASH_POLICY, IFLA_BOND_XMIT_HASH_POLICY, b->xmit_hash_policy)
	U32(RESEND_IGMP, IFLA_BOND_RESEND_IGMP, b->resend_igmp)
	U8(NUM_PEER_NOTIF, IFLA_BOND_NUM_PEER_NOTIF, b->num_peer_notif)
	U8(ALL_SLAVES_ACTIVE, IFLA_BOND_ALL_SLAVES_ACTIVE, b->all_slaves_active)
	U32(MIN_LINKS, IFLA_BOND_MIN_LINKS, b->min_links)
	U32(LP_INTERVAL, IFLA_BOND_LP_INTERVAL, b->lp_interval)
	U32(PACKETS_PER_SLAVE, IFLA_BOND_PACKETS_PER_SLAVE, b->packets_per_slave)
	U8(LACP_RATE, IFLA_BOND_AD_LACP_RATE, b->lacp_rate)
	U8(AD_SELECT, IFLA_BOND_AD_SELECT, b->ad_select)
	U16(AD_ACTOR_SYS_PRIO, IFLA_BOND_AD_ACTOR_SYS_PRIO, b->ad_actor_sys_prio)
	U16(AD_USER_PORT_KEY, IFLA_BOND_AD_USER_PORT_KEY, b->ad_user_port_key)
	U8(TLB_DYNAMIC_LB, IFLA_BOND_TLB_DYNAMIC_LB, b->tlb_dynamic_lb)
	U8(ARP_MISSED_MAX, IFLA_BOND_MISSED_MAX, b->arp_missed_max)
	U32(PEER_NOTIFY_DELAY, IFLA_BOND_PEER_NOTIF_DELAY, b->peer_notify_delay)
#undef U32
#undef U16
#undef U8
	if (SENT(AD_ACTOR_SYSTEM) &&
	    nla_put(msg, IFLA_BOND_AD_ACTOR_SYSTEM, 6, b->ad_actor_system) < 0)
		return ret;
	if (SENT(ARP_IP_TARGETS)) {
		targets = nla_nest_start(msg, IFLA_BOND_ARP_IP_TARGET);
		if (!targets)
			return ret;
		for (size_t i = 0; i < b->n_arp_targets; i++)
			if (nla_put(msg, (int)i, 4, &b->arp_targets[i]) < 0)
				return ret;
		nla_nest_end(msg, targets);
	}
	/* The kernel records a primary that is not enslaved yet and picks it when it is. */
	if (SENT(PRIMARY)) {
		idx = netd_nl_ifindex(nl, b->primary);
		if (idx < 0)
			return idx;
		if (nla_put_u32(msg, IFLA_BOND_PRIMARY, (uint32_t)idx) < 0)
			return ret;
	}
	nla_nest_end(msg, data);
	return 0;
}

static int bond_create(struct netd_nl *nl, const struct netd_bond *b, const char *alias,
                       struct netd_diag *diag)
{
	struct nl_msg *msg;
	struct nlattr *info;
	int ret = -ENOMEM;

	msg = netd_nl_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, AF_UNSPEC, 0, b->name);
	if (!msg || !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "bond") < 0)
		goto fail;
	ret = put_options(nl, msg, b);
	if (ret < 0)
		goto fail;
	nla_nest_end(msg, info);
	ret = netd_nl_request(nl, msg);
	msg = NULL;
	if (ret == -EOPNOTSUPP) {
		netd_diag_set(diag, "creating bond %s: " NETD_BOND_NO_DRIVER, b->name);
		return ret;
	}
	if (ret < 0)
		goto fail;

	/* The kernel ignores IFLA_IFALIAS in a create request: set it on the new link. */
	ret = netd_nl_link_set_alias(nl, b->name, alias);
	if (ret < 0) {
		netd_nl_link_delete(nl, b->name, NULL);
		netd_diag_set(diag, "setting alias of bond %s: %s", b->name, strerror(-ret));
	}
	return ret;
fail:
	nlmsg_free(msg);
	netd_diag_set(diag, "creating bond %s (mode %s): %s", b->name,
	              netd_bond_mode_to_string(b->mode), strerror(-ret));
	return ret;
}

/* ---- up and down ---- */

static int snapshot_slaves(struct netd_nl *nl, const struct netd_bond *b,
                           struct netd_bond_saved *sv, struct netd_diag *diag)
{
	struct netd_link_info li, master;
	int ret;

	memset(sv, 0, sizeof(*sv));
	snprintf(sv->bond, sizeof(sv->bond), "%s", b->name);
	for (size_t i = 0; i < b->n_slaves; i++) {
		ret = netd_nl_link_get(nl, b->slaves[i], &li);
		if (ret < 0) {
			netd_diag_set(diag, "slave %s of bond %s: %s", b->slaves[i], b->name,
			              ret == -ENODEV ? "no such interface" : strerror(-ret));
			return ret;
		}
		if (li.master) {
			if (netd_nl_link_get_by_index(nl, li.master, &master) < 0)
				snprintf(master.name, sizeof(master.name), "#%d", li.master);
			netd_diag_set(diag, "slave %s of bond %s is already enslaved to %s",
			              b->slaves[i], b->name, master.name);
			return -EBUSY;
		}
		ret = netd_uplink_snapshot(nl, b->slaves[i], &sv->slaves[i].s);
		if (ret == 0)
			ret = netd_uplink_v6_snapshot(nl, b->slaves[i], &sv->slaves[i].s.v6);
		if (ret < 0) {
			netd_diag_set(diag, "reading the state of slave %s: %s", b->slaves[i],
			              strerror(-ret));
			return ret;
		}
		sv->slaves[i].mtu = li.mtu;
		sv->n++;
	}
	return 0;
}

/* The slave's IPv6 off it, before it goes down (which would drop it): the bond gets the
 * donor's sysctls, the slave takes no RAs, its addresses and routes leave. */
static int v6_leave(struct netd_nl *nl, const struct netd_bond_slave_state *sl, bool donor,
                    const char *bond, struct netd_diag *diag)
{
	struct netd_uplink_v6 *v;
	int ret;

	if (!sl->s.v6.present)
		return 0;
	v = malloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	*v = sl->s.v6;
	if (!donor)
		v->n_sysctls = 0;
	ret = netd_uplink_v6_leave(nl, v, sl->s.name, bond, diag);
	free(v);
	return ret;
}

/* A slave's addresses go before it is enslaved; setting it down takes its routes. */
static int enslave(struct netd_nl *nl, const struct netd_bond_slave_state *sl, bool donor,
                   const char *bond, struct netd_diag *diag)
{
	int ret = v6_leave(nl, sl, donor, bond, diag);

	for (size_t i = 0; i < sl->s.n_addrs && ret == 0; i++)
		ret = netd_nl_addr_del(nl, sl->s.name, &sl->s.addrs[i].prefix, diag);
	if (ret == 0)
		ret = netd_nl_link_set_up(nl, sl->s.name, false, diag);
	if (ret == 0)
		ret = netd_nl_link_set_master(nl, sl->s.name, bond, diag);
	if (ret == 0)
		ret = netd_nl_link_set_up(nl, sl->s.name, true, diag);
	return ret;
}

/* The slaves' addresses and routes, now the bond's: the uplink code takes them from there. */
static int move_l3_to_bond(struct netd_nl *nl, const struct netd_bond_saved *sv,
                           struct netd_diag *diag)
{
	struct netd_uplink_state *onto;
	int ret = 0;

	onto = calloc(1, sizeof(*onto));
	if (!onto)
		return -ENOMEM;
	for (size_t i = 0; i < sv->n && ret == 0; i++) {
		const struct netd_uplink_state *s = &sv->slaves[i].s;

		if (s->n_addrs || s->n_routes) {
			*onto = *s;
			snprintf(onto->name, sizeof(onto->name), "%s", sv->bond);
			onto->was_up = true;
			onto->v6.present = false; /* below: the bond has the donor's sysctls */
			/* give_back without a bridge: no master, up, the addresses, the routes */
			ret = netd_uplink_give_back(nl, onto, NULL, diag);
		}
		/* usable at once: they passed duplicate address detection on this link */
		if (ret == 0 && s->v6.present)
			ret = netd_uplink_v6_arrive(nl, &s->v6, sv->bond, diag);
	}
	free(onto);
	return ret;
}

int netd_bond_up(struct netd_nl *nl, const struct netd_bond *b, const char *alias,
                 const char *state_dir, const char *network, struct netd_diag *diag)
{
	struct netd_diag ignored;
	struct netd_bond_saved *sv;
	int ret;

	sv = calloc(1, sizeof(*sv));
	if (!sv)
		return -ENOMEM;
	ret = snapshot_slaves(nl, b, sv, diag);
	if (ret < 0)
		goto out;
	ret = netd_bond_saved_write(state_dir, network, sv);
	if (ret < 0) {
		netd_diag_set(diag, "saving the state of the slaves of bond %s in %s: %s", b->name,
		              state_dir, strerror(-ret));
		goto out;
	}
	ret = bond_create(nl, b, alias, diag);
	if (ret < 0) {
		netd_bond_saved_forget(state_dir, network, NULL);
		goto out;
	}
	for (size_t i = 0; i < sv->n && ret == 0; i++)
		ret = enslave(nl, &sv->slaves[i], (int)i == netd_bond_saved_v6_donor(sv), b->name,
		              diag);
	if (ret == 0)
		ret = netd_nl_link_set_up(nl, b->name, true, diag);
	if (ret == 0)
		ret = move_l3_to_bond(nl, sv, diag);
	if (ret < 0)
		netd_bond_down(nl, b->name, alias, state_dir, network, &ignored);
out:
	free(sv);
	return ret;
}

/* Everything the slave had, whatever the bond did to it; first error reported. */
static int give_back_slave(struct netd_nl *nl, const struct netd_bond_slave_state *sl,
                           struct netd_diag *diag)
{
	struct netd_link_info li;
	struct netd_diag d;
	int ret, first = 0;

	ret = netd_nl_link_get(nl, sl->s.name, &li);
	if (ret < 0) {
		netd_diag_set(diag, "giving back slave %s: %s", sl->s.name,
		              ret == -ENODEV ? "it no longer exists" : strerror(-ret));
		return ret;
	}
#define KEEP(expr)                                                                                 \
	do {                                                                                       \
		ret = (expr);                                                                      \
		if (ret < 0 && !first) {                                                           \
			first = ret;                                                               \
			*diag = d;                                                                 \
		}                                                                                  \
	} while (0)
	/* Down first: not every driver takes a new MAC while up. */
	if (li.up)
		KEEP(netd_nl_link_set_up(nl, sl->s.name, false, &d));
	if (li.master)
		KEEP(netd_nl_link_set_master(nl, sl->s.name, NULL, &d));
	if (memcmp(li.mac, sl->s.mac, 6) != 0)
		KEEP(netd_nl_link_set_mac(nl, sl->s.name, sl->s.mac, &d));
	if (sl->mtu && li.mtu != sl->mtu)
		KEEP(netd_nl_link_set_mtu(nl, sl->s.name, sl->mtu, &d));
	/* up/down as it was, then its addresses and routes */
	KEEP(netd_uplink_give_back(nl, &sl->s, NULL, &d));
#undef KEEP
	return first;
}

/* The .prev of a bond file agrees with the kernel: it names this bond, and each slave it
 * lists is the bond's (or free, when the bond is gone). */
static bool prev_agrees(struct netd_nl *nl, const char *bond, const struct netd_bond_saved *sv)
{
	struct netd_link_info b, sl;
	bool exists = netd_nl_link_get(nl, bond, &b) == 0;

	if (strcmp(sv->bond, bond) != 0 || sv->n == 0)
		return false;
	for (size_t i = 0; i < sv->n; i++)
		if (netd_nl_link_get(nl, sv->slaves[i].s.name, &sl) < 0 ||
		    sl.master != (exists ? b.ifindex : 0))
			return false;
	return true;
}

int netd_bond_saved_pick(struct netd_nl *nl, const char *bond, const char *state_dir,
                         const char *network, struct netd_bond_saved *sv, struct netd_bond_file *f)
{
	struct netd_bond_saved *prev;
	int ret;

	memset(f, 0, sizeof(*f));
	f->loads = netd_bond_saved_load(state_dir, network, NETD_STATE_CURRENT, sv, &f->info);
	if (f->loads != -ENOENT && f->loads != -EINVAL)
		return f->loads;
	prev = calloc(1, sizeof(*prev));
	if (!prev)
		return -ENOMEM;
	ret = netd_bond_saved_load(state_dir, network, NETD_STATE_PREV, prev, NULL);
	f->prev_loads = ret == 0;
	if (f->prev_loads && prev_agrees(nl, bond, prev)) {
		*sv = *prev;
		f->prev_used = true;
	}
	free(prev);
	return ret == -ENOMEM ? ret : 0;
}

/* The slaves' IPv6 as the bond has it now, before deleting the bond takes it: the lifetimes
 * the RAs refreshed while the network was up (the uplink code gave them back to the bond). */
static void v6_refresh(struct netd_nl *nl, const char *bond, struct netd_bond_saved *sv)
{
	struct netd_uplink_v6 *cur = calloc(1, sizeof(*cur));

	if (cur && netd_uplink_v6_snapshot(nl, bond, cur) == 0 && cur->present)
		for (size_t i = 0; i < sv->n; i++)
			if (sv->slaves[i].s.v6.present)
				netd_uplink_v6_refresh(&sv->slaves[i].s.v6, cur);
	free(cur);
}

/* Deleting a bond of ours whose slaves netd cannot give back would strand them: refused. */
static int refuse(const char *bond, const char *network, const struct netd_bond_file *f, bool ours,
                  struct netd_diag *diag)
{
	if (f->loads == 0 || f->prev_used || (!ours && f->loads == -ENOENT))
		return 0;
	if (ours) {
		netd_diag_set(diag,
		              "%s %s: netd does not delete bond %s without the saved state of its "
		              "slaves; restore the file, or `netdctl down --force %s` releases the "
		              "bond with the addresses and routes it has and leaves it",
		              f->info.path, f->info.reason, bond, network);
		return -EBUSY;
	}
	netd_diag_set(diag, "%s %s: the slaves of bond %s cannot be given back; the file stays",
	              f->info.path, f->info.reason, bond);
	return -EINVAL;
}

int netd_bond_down(struct netd_nl *nl, const char *bond, const char *alias, const char *state_dir,
                   const char *network, struct netd_diag *diag)
{
	struct netd_link_info li;
	struct netd_bond_saved *sv;
	struct netd_bond_file f;
	struct netd_diag d;
	bool ours;
	int ret, first = 0;

	sv = calloc(1, sizeof(*sv));
	if (!sv)
		return -ENOMEM;
	ours = netd_nl_link_get(nl, bond, &li) == 0 && strcmp(li.kind, "bond") == 0 &&
	       strcmp(li.alias, alias) == 0;
	first = netd_bond_saved_pick(nl, bond, state_dir, network, sv, &f);
	if (first == 0)
		first = refuse(bond, network, &f, ours, diag);
	if (first < 0)
		goto out;
	/* Deleting the bond releases its slaves; a link under the name that is not ours stays. */
	if (ours) {
		v6_refresh(nl, bond, sv);
		ret = netd_nl_link_delete(nl, bond, &d);
		if (ret < 0 && !first) {
			first = ret;
			*diag = d;
		}
	}
	for (size_t i = 0; i < sv->n; i++) {
		ret = give_back_slave(nl, &sv->slaves[i], &d);
		if (ret < 0 && !first) {
			first = ret;
			*diag = d;
		}
	}
	if (!first)
		first = netd_bond_saved_forget(state_dir, network, diag);
out:
	free(sv);
	return first;
}

/* netd holds the slaves' state: the file loads, or its .prev agrees with the kernel. */
static int observe_saved(struct netd_nl *nl, const char *bond, const char *state_dir,
                         const char *network, struct netd_bond_facts *o)
{
	struct netd_bond_saved *sv = calloc(1, sizeof(*sv));
	int ret = -ENOMEM;

	if (sv)
		ret = netd_bond_saved_pick(nl, bond, state_dir, network, sv, &o->file);
	o->saved = ret == 0 && (o->file.loads == 0 || o->file.prev_used);
	free(sv);
	return ret;
}

int netd_bond_observe(struct netd_nl *nl, const struct netd_bond *b, const char *network,
                      const char *alias, const char *state_dir, struct netd_bond_facts *o)
{
	struct netd_link_info li, sl, master;
	int ret, bond_index = 0;

	memset(o, 0, sizeof(*o));

	ret = netd_nl_link_get(nl, b->name, &li);
	if (ret < 0 && ret != -ENODEV)
		return ret;
	o->exists = ret == 0;
	if (o->exists) {
		snprintf(o->kind, sizeof(o->kind), "%s", li.kind);
		snprintf(o->alias, sizeof(o->alias), "%s", li.alias);
		o->ours = strcmp(li.kind, "bond") == 0 && strcmp(li.alias, alias) == 0;
		bond_index = li.ifindex;
	}
	ret = observe_saved(nl, b->name, state_dir, network, o);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < b->n_slaves; i++) {
		ret = netd_nl_link_get(nl, b->slaves[i], &sl);
		if (ret == -ENODEV) {
			if (!o->slave_absent[0])
				snprintf(o->slave_absent, IFNAMSIZ, "%s", b->slaves[i]);
			continue;
		}
		if (ret < 0)
			return ret;
		if (sl.master && (!o->ours || sl.master != bond_index) && !o->slave_busy[0]) {
			snprintf(o->slave_busy, IFNAMSIZ, "%s", b->slaves[i]);
			if (netd_nl_link_get_by_index(nl, sl.master, &master) == 0)
				snprintf(o->slave_master, IFNAMSIZ, "%s", master.name);
		}
	}
	return 0;
}
