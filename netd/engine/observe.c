/* Observe: what the kernel, our nft table, our dnsmasq and our state files have now for one
 * network. The links and addresses come from the pass's snapshot (pass.c, kernel/snapshot.h):
 * a pass over N networks reads them once; a look at one network alone asks the kernel only
 * for what it names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/bond.h"
#include "netd/kernel/snapshot.h"
#include "engine_priv.h"
#include "netd/mode.h"
#include "netd/kernel/uplink.h"

/* Ports of the bridge whose isolation flag differs from the policy. The uplink of a bridged
 * network is never isolated: isolated ports still reach non-isolated ones, which is how
 * guests keep the LAN while not seeing each other. Each port's flag came in its own link
 * message. */
static size_t count_ports_to_isolate(const struct netd_desired *d,
                                     const struct netd_link_info *ports, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		int is = ports[i].port_isolated;

		if (is >= 0 && (is == 1) != netd_port_isolated(d->net, ports[i].name))
			count++;
	}
	return count;
}

/* A state file that does not load, as a load described it. */
static void note_issue(struct netd_state_issue *f, const struct netd_state_info *info)
{
	f->bad = true;
	snprintf(f->file, sizeof(f->file), "%s", info->path);
	snprintf(f->reason, sizeof(f->reason), "%s", info->reason);
}

/* The kernel layer's facts about the bond, in the planner's terms. */
static int observe_bond(struct netd_engine *e, const struct netd_network *n, const char *alias,
                        struct netd_observed *o)
{
	struct netd_bond_facts f;
	int ret = netd_bond_observe(e->nl, &n->bond, n->name, alias, e->state_dir, &f);

	if (ret < 0)
		return ret;
	o->bond_exists = f.exists;
	o->bond_ours = f.ours;
	snprintf(o->bond_kind, sizeof(o->bond_kind), "%s", f.kind);
	snprintf(o->bond_alias, sizeof(o->bond_alias), "%s", f.alias);
	o->bond_saved = f.saved;
	/* Missing matters only while the bond is ours: then its slaves need the file. */
	if (f.file.loads == -EINVAL || (f.file.loads == -ENOENT && f.ours)) {
		note_issue(&o->files[NETD_STATE_FILE_BOND], &f.file.info);
		o->files[NETD_STATE_FILE_BOND].prev_loads = f.file.prev_loads;
		o->files[NETD_STATE_FILE_BOND].prev_used = f.file.prev_used;
	}
	snprintf(o->bond_slave_absent, IFNAMSIZ, "%s", f.slave_absent);
	snprintf(o->bond_slave_busy, IFNAMSIZ, "%s", f.slave_busy);
	snprintf(o->bond_slave_master, IFNAMSIZ, "%s", f.slave_master);
	return 0;
}

/*
 * Whether netd holds a snapshot to give the uplink back from: the file; or when it does not
 * load (or is gone while the bridge holds the uplink), its .prev if that agrees with the
 * kernel: the previous good copy of the snapshot of this very take-over (the first write
 * of a state file puts the same content there), checked against the bridge's MAC and
 * addresses, so a copy of another time is never used.
 */
static int observe_uplink_saved(struct netd_engine *e, const struct netd_network *n,
                                struct netd_observed *o)
{
	struct netd_state_issue *f = &o->files[NETD_STATE_FILE_UPLINK];
	struct netd_state_info info;
	struct netd_uplink_state s;
	int ret;

	ret = netd_uplink_load(e->state_dir, n->name, NETD_STATE_CURRENT, &s, &info);
	o->uplink_saved = ret == 0;
	if (ret == 0 || (ret == -ENOENT && !o->uplink_enslaved))
		return 0;
	if (ret != -ENOENT && ret != -EINVAL)
		return ret;
	note_issue(f, &info);
	ret = netd_uplink_load(e->state_dir, n->name, NETD_STATE_PREV, &s, NULL);
	if (ret == -ENOMEM)
		return ret;
	f->prev_loads = ret == 0;
	f->prev_used = f->prev_loads && o->uplink_enslaved && strcmp(s.name, n->uplink) == 0 &&
	               netd_uplink_agrees(e->nl, &s, n->bridge);
	o->uplink_saved = f->prev_used;
	return 0;
}

/* Uplink= of a bridged network: there, enslaved to our bridge or to another master, and
 * whether netd holds its state to give it back. */
static int observe_uplink(struct netd_engine *e, const struct netd_network *n,
                          struct netd_kernel_snapshot *k, const struct netd_link_info *br,
                          struct netd_observed *o)
{
	struct netd_link_info up, master;
	int ret;

	ret = netd_snapshot_link(k, n->uplink, &up);
	if (ret < 0 && ret != -ENODEV)
		return ret;
	o->uplink_exists = ret == 0;
	o->uplink_mtu = o->uplink_exists ? up.mtu : 0;
	if (o->uplink_exists && up.master) {
		if (o->bridge == NETD_BRIDGE_OURS && up.master == br->ifindex)
			o->uplink_enslaved = true;
		else if (netd_snapshot_link_by_index(k, up.master, &master) == 0)
			snprintf(o->uplink_master, sizeof(o->uplink_master), "%s", master.name);
	}
	return observe_uplink_saved(e, n, o);
}

/* The links a network's taps may be: the bridge's ports, the links tagged for it, and (by
 * name) any other link of the snapshot. */
struct tap_src {
	struct netd_kernel_snapshot *k;
	const struct netd_link_info *ports, *tagged;
	size_t n_ports, n_tagged;
	int br_index;
};

static int tap_link(const struct tap_src *src, const char *name, struct netd_link_info *out)
{
	for (size_t i = 0; i < src->n_ports; i++)
		if (strcmp(src->ports[i].name, name) == 0) {
			*out = src->ports[i];
			return 0;
		}
	for (size_t i = 0; i < src->n_tagged; i++)
		if (strcmp(src->tagged[i].name, name) == 0) {
			*out = src->tagged[i];
			return 0;
		}
	return netd_snapshot_link(src->k, name, out);
}

/* Add what the kernel has under name, if anything, to o->taps (once per name). Only a
 * [Tap]'s settings are checked (declared): of an attached tap that exists only its port
 * (enslaved) counts. */
static int tap_fact(const struct netd_desired *d, const struct tap_src *src, const char *name,
                    bool declared, struct netd_tap_links *k)
{
	struct netd_link_info l;
	struct netd_tap_link *t;
	int ret;

	if (netd_tap_links_find(k, name))
		return 0;
	ret = tap_link(src, name, &l);
	if (ret < 0)
		return ret == -ENODEV ? 0 : ret;
	t = &k->v[k->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", l.name);
	t->ours = strcmp(l.alias, d->alias) == 0;
	snprintf(t->alias, sizeof(t->alias), "%s", l.alias);
	t->enslaved = src->br_index && l.master == src->br_index;
	t->isolated = t->enslaved && declared && l.port_isolated >= 0 ? l.port_isolated : -1;
	t->up = l.up;
	t->mtu = l.mtu;
	memcpy(t->mac, l.mac, 6);
	return 0;
}

/* A link netd made for the network that is neither its bridge nor its bond (a tap, recorded
 * or not): down removes it. */
static bool tagged_port(const struct netd_desired *d, const struct netd_link_info *l)
{
	const struct netd_network *n = d->net;

	return strcmp(l->alias, d->alias) == 0 && strcmp(l->kind, "bridge") != 0 &&
	       strcmp(l->kind, "bond") != 0 && strcmp(l->name, n->bridge) != 0 &&
	       strcmp(l->name, n->bond.name) != 0 && strcmp(l->name, d->vxlan) != 0;
}

/* The links under the names of the network's [Tap]s and recorded taps, then every other link
 * tagged for the network (its bridge and bond aside). */
static int observe_taps(const struct netd_desired *d, struct tap_src *src,
                        const struct netd_link_info *br, struct netd_observed *o)
{
	const struct netd_network *n = d->net;
	struct netd_tap_links *k = &o->taps;
	size_t tagged = 0;
	int ret = 0;

	for (size_t i = 0; i < src->n_tagged; i++)
		tagged += tagged_port(d, &src->tagged[i]);
	if (n->n_taps == 0 && d->taps.n == 0 && tagged == 0)
		return 0;
	k->v = calloc(n->n_taps + d->taps.n + tagged, sizeof(*k->v));
	if (!k->v)
		return -ENOMEM;
	k->bridge_mtu = src->br_index ? br->mtu : 0;
	for (size_t i = 0; ret == 0 && i < n->n_taps; i++)
		ret = tap_fact(d, src, n->taps[i].name, true, k);
	for (size_t i = 0; ret == 0 && i < d->taps.n; i++)
		ret = tap_fact(d, src, d->taps.v[i].tap, false, k);
	for (size_t i = 0; ret == 0 && i < src->n_tagged; i++)
		if (tagged_port(d, &src->tagged[i]))
			ret = tap_fact(d, src, src->tagged[i].name, false, k);
	return ret;
}

/* The network's rules and map elements, in both of netd's tables, compared with the kernel's
 * by content (cheap when the ruleset did not change since the last look). */
static int observe_rules(struct netd_engine *e, const struct netd_desired *d,
                         struct netd_observed *o)
{
	struct netd_nft_drift drift;
	int ret = netd_nft_verify_net(e->nft, d->nft, &drift);

	if (ret < 0)
		return ret;
	o->rules_present = drift.present;
	o->rules_current = drift.n == 0;
	snprintf(o->rules_drift, sizeof(o->rules_drift), "%s", drift.what);
	return 0;
}

/* The bridge's ports (their isolation flags) and the links tagged for the network: its taps. */
static int observe_links(const struct netd_desired *d, struct netd_kernel_snapshot *k,
                         const struct netd_link_info *br, struct netd_observed *o)
{
	struct netd_link_info *ports = NULL, *tagged = NULL;
	struct tap_src src = {.k = k};
	int ret = 0;

	if (o->bridge == NETD_BRIDGE_OURS) {
		src.br_index = br->ifindex;
		ret = netd_snapshot_ports(k, br->ifindex, &ports, &src.n_ports);
		if (ret < 0)
			goto out;
		o->n_ports_to_isolate = count_ports_to_isolate(d, ports, src.n_ports);
		netd_mtu_observe(d->net, br, ports, src.n_ports, o);
	}
	ret = netd_snapshot_tagged_taps(k, d->alias, &tagged, &src.n_tagged);
	if (ret < 0)
		goto out;
	src.ports = ports;
	src.tagged = tagged;
	ret = observe_taps(d, &src, br, o);
out:
	free(ports);
	free(tagged);
	return ret;
}

/* The bridge under the network's name: whose it is, and (ours) whether it is up with its
 * address. */
static int observe_bridge(const struct netd_desired *d, struct netd_kernel_snapshot *k,
                          struct netd_link_info *li, struct netd_observed *o)
{
	const struct netd_network *n = d->net;
	int ret;

	ret = netd_snapshot_link(k, n->bridge, li);
	if (ret == -ENODEV) {
		o->bridge = NETD_BRIDGE_ABSENT;
		return 0;
	}
	if (ret < 0)
		return ret;
	snprintf(o->bridge_kind, sizeof(o->bridge_kind), "%s", li->kind);
	snprintf(o->bridge_alias, sizeof(o->bridge_alias), "%s", li->alias);
	if (strcmp(li->alias, d->alias) == 0 && strcmp(li->kind, "bridge") == 0)
		o->bridge = NETD_BRIDGE_OURS;
	else if (strncmp(li->alias, NETD_ALIAS_PREFIX, strlen(NETD_ALIAS_PREFIX)) == 0 &&
	         strcmp(li->kind, "bridge") == 0)
		o->bridge = NETD_BRIDGE_OTHER_NET;
	else
		o->bridge = NETD_BRIDGE_FOREIGN;
	if (o->bridge != NETD_BRIDGE_OURS)
		return 0;
	o->bridge_up = li->up;
	if (n->has_address) {
		ret = netd_snapshot_addr_has(k, li->ifindex, &n->address);
		if (ret < 0)
			return ret;
		o->has_address = ret == 1;
	}
	return 0;
}

/* The kernel's side: links and addresses from one snapshot (the pass's, or a narrow one of
 * this look's own), the uplink and the bond. */
static int observe_kernel(struct netd_engine *e, const struct netd_desired *d,
                          struct netd_observed *o)
{
	const struct netd_network *n = d->net;
	struct netd_kernel_snapshot *k = NULL;
	struct netd_link_info li;
	bool own = false;
	int ret;

	memset(&li, 0, sizeof(li));
	ret = netd_pass_snapshot(e, &k, &own);
	if (ret < 0)
		return ret;
	ret = observe_bridge(d, k, &li, o);
	/* the IPv6 address too (not in the snapshot: asked of the kernel for this bridge) */
	if (ret == 0 && o->has_address && n->has_address6) {
		ret = netd_ipv6_address_has(e, n);
		if (ret >= 0) {
			o->has_address = ret == 1;
			ret = 0;
		}
	}
	if (ret == 0)
		ret = observe_links(d, k, &li, o);
	if (ret == 0 && n->uplink[0])
		ret = observe_uplink(e, n, k, &li, o);
	if (ret == 0 && n->bond.name[0])
		ret = observe_bond(e, n, d->alias, o);
	/* a spanning network's VXLAN port and FRR's part (nothing for one that does not span) */
	if (ret == 0)
		ret = netd_fabric_observe(e, d, o->bridge == NETD_BRIDGE_OURS ? li.ifindex : 0, o);
	if (own)
		netd_snapshot_free(k);
	return ret;
}

int netd_observe(struct netd_engine *e, const struct netd_desired *d,
                 const struct netd_dnsmasq_paths *paths, struct netd_observed *o)
{
	char fwd[16];
	int ret;

	memset(o, 0, sizeof(*o));
	ret = observe_kernel(e, d, o);
	if (ret < 0)
		return ret;

	ret = observe_rules(e, d, o);
	if (ret < 0)
		return ret;

	ret = netd_dnsmasq_running(paths, &o->dnsmasq_pid);
	if (ret < 0)
		return ret;
	o->dnsmasq_running = ret == 1;
	if (o->dnsmasq_running && d->dnsmasq_conf) {
		/* What dnsmasq rereads on SIGHUP differing is no reason to restart it. */
		o->dnsmasq_conf_current =
		    netd_dnsmasq_conf_file_matches(paths, d->dnsmasq_conf) == 1;
		o->dnsmasq_files_stale =
		    o->dnsmasq_conf_current &&
		    netd_dnsmasq_reread_matches(paths, d->dnsmasq_hosts, d->dnsmasq_opts,
		                                d->dnsmasq_records) != 1;
	}

	if (netd_sysctl_read("net/ipv4/ip_forward", fwd, sizeof(fwd)) == 0)
		o->ip_forward_on =
		    strcmp(fwd, "1") == 0 && (!d->forwarding6 || netd_forwarding6_on());
	/* The value to put back when the last network that routes goes down. */
	if (d->forwarding)
		return netd_forwarding_issue(e->state_dir, &o->files[NETD_STATE_FILE_IP_FORWARD]);
	return 0;
}
