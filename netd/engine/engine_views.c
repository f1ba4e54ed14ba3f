/* The engine's read-only views: list, one entry, status, leases, warnings. They observe and
 * report; nothing here writes to the kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/kernel/firewall.h"
#include "netd/mode.h"
#include "netd/tap.h"

static const char *state_of(const struct netd_view *v)
{
	const struct netd_observed *o = &v->o;
	bool any = o->bridge == NETD_BRIDGE_OURS || o->rules_present || o->dnsmasq_running;
	struct netd_plan plan;

	if (!any)
		return "down";
	if (o->bridge == NETD_BRIDGE_OURS && netd_plan_up(v->d, o, &plan, NULL) == 0 && plan.n == 0)
		return "up";
	return "partial";
}

/* A switched network's address is whatever the uplink brought to the bridge: the LAN's (the
 * bridge's first, from the view's snapshot). */
static bool lan_address(const struct netd_network *n, const struct netd_view *v,
                        struct netd_prefix *out)
{
	struct netd_prefix *addrs = NULL;
	struct netd_link_info br;
	size_t count = 0;
	bool found;

	if (!netd_mode_ops(n->mode)->switched || v->o.bridge != NETD_BRIDGE_OURS ||
	    netd_snapshot_link(v->pass->k, n->bridge, &br) < 0 ||
	    netd_snapshot_addrs(v->pass->k, br.ifindex, &addrs, &count) < 0)
		return false;
	found = count > 0;
	if (found)
		*out = addrs[0];
	free(addrs);
	return found;
}

static json_object *summary(const struct netd_network *n, const struct netd_view *v)
{
	struct netd_prefix lan;
	json_object *j = json_object_new_object();
	char buf[32];

	json_object_object_add(j, "name", json_object_new_string(n->name));
	json_object_object_add(j, "mode", json_object_new_string(netd_mode_to_string(n->mode)));
	json_object_object_add(j, "bridge", json_object_new_string(n->bridge));
	if (n->has_address)
		json_object_object_add(j, "address",
		                       json_object_new_string(netd_prefix_format(
		                           &n->address, false, buf, sizeof(buf))));
	else if (lan_address(n, v, &lan))
		json_object_object_add(
		    j, "address",
		    json_object_new_string(netd_prefix_format(&lan, false, buf, sizeof(buf))));
	else
		json_object_object_add(j, "address", NULL);
	json_object_object_add(j, "state", json_object_new_string(state_of(v)));
	json_object_object_add(j, "autostart", json_object_new_boolean(n->autostart));
	return j;
}

/* Every network, observed in one snapshot of the kernel (when it cannot be read whole, each
 * network is observed on its own, as status does). */
int netd_engine_list(struct netd_engine *e, json_object **out)
{
	json_object *arr = json_object_new_array();
	struct netd_pass pass;
	bool shared = netd_pass_begin(e, true, &pass) == 0;

	pass.nft_held = shared;
	netd_nft_observe_hold(e->nft, shared);

	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];
		struct netd_diag d;
		struct netd_view v;

		if (netd_view_load_in(e, n, shared ? &pass : NULL, &v, &d) < 0)
			continue;
		json_object_array_add(arr, summary(n, &v));
		netd_view_release(&v);
	}
	netd_nft_observe_hold(e->nft, false);
	netd_pass_end(&pass);
	*out = arr;
	return 0;
}

int netd_engine_entry(struct netd_engine *e, const char *name, json_object **out,
                      struct netd_diag *diag)
{
	const struct netd_network *n = netd_engine_find(e, name, diag);
	struct netd_view v;
	int ret;

	if (!n)
		return -ENOENT;
	ret = netd_view_load(e, n, &v, diag);
	if (ret < 0)
		return ret;
	*out = summary(n, &v);
	netd_view_release(&v);
	return 0;
}

static json_object *rules_text(const struct netd_nft_net *x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *j;

	if (!f)
		return NULL;
	netd_nft_render_net(x, f);
	fclose(f);
	j = json_object_new_string(buf ? buf : "");
	free(buf);
	return j;
}

/* Lines naming the cells other firewalls on the host break for this network ([] if none). */
static json_object *firewall_findings(const struct netd_network *n)
{
	struct netd_fw_chain *chains = NULL;
	struct netd_fw_finding f[16];
	json_object *arr = json_object_new_array();
	char brnf[8] = "0", line[768];
	size_t count = 0, found;

	if (netd_fw_scan(&chains, &count) < 0)
		return arr;
	/* Without br_netfilter loaded the sysctl is absent: bridged frames skip the ip hooks. */
	netd_sysctl_read("net/bridge/bridge-nf-call-iptables", brnf, sizeof(brnf));
	found = netd_fw_check(n, chains, count, strcmp(brnf, "1") == 0, f, 16);
	for (size_t i = 0; i < found; i++) {
		netd_fw_describe(&f[i], line, sizeof(line));
		json_object_array_add(arr, json_object_new_string(line));
	}
	free(chains);
	return arr;
}

/* The network's taps as the state file records them, and whether each is in the kernel. */
static json_object *taps_json(struct netd_engine *e, const struct netd_network *n)
{
	struct netd_tap_state st = {0};
	json_object *arr = json_object_new_array();
	struct netd_link_info li;
	struct netd_diag d;

	if (netd_tap_state_load(e->state_dir, n->name, &st, &d) < 0)
		return arr;
	for (size_t i = 0; i < st.n; i++) {
		const struct netd_tap_record *r = &st.v[i];
		json_object *t = json_object_new_object();
		char mac[18], ip[INET_ADDRSTRLEN];

		netd_mac_format(r->mac, mac);
		json_object_object_add(t, "tap", json_object_new_string(r->tap));
		json_object_object_add(t, "mac", json_object_new_string(mac));
		if (r->addr.s_addr) {
			inet_ntop(AF_INET, &r->addr, ip, sizeof(ip));
			json_object_object_add(t, "address", json_object_new_string(ip));
		}
		json_object_object_add(t, "declared", json_object_new_boolean(r->declared));
		json_object_object_add(
		    t, "present",
		    json_object_new_boolean(netd_nl_link_get(e->nl, r->tap, &li) == 0));
		json_object_array_add(arr, t);
	}
	netd_tap_state_clear(&st);
	return arr;
}

int netd_engine_warnings(struct netd_engine *e, const char *name, json_object **out,
                         struct netd_diag *diag)
{
	const struct netd_network *n = netd_engine_find(e, name, diag);

	if (!n)
		return -ENOENT;
	*out = firewall_findings(n);
	return 0;
}

int netd_engine_status(struct netd_engine *e, const char *name, json_object **out,
                       struct netd_diag *diag)
{
	const struct netd_network *n = netd_engine_find(e, name, diag);
	json_object *j, *pol, *obj, *dhcp;
	struct netd_prefix lan;
	struct netd_view v;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int ret;

	if (!n)
		return -ENOENT;
	ret = netd_view_load(e, n, &v, diag);
	if (ret < 0)
		return ret;
	j = summary(n, &v);
	json_object_object_add(j, "source", json_object_new_string(n->source));
	if (n->uplink[0])
		json_object_object_add(j, "uplink", json_object_new_string(n->uplink));

	pol = json_object_new_object();
	for (int c = 0; c < NETD_CELL_MAX; c++)
		json_object_object_add(pol, netd_cell_to_string(c),
		                       json_object_new_string(netd_policy_to_string(n->policy[c])));
	json_object_object_add(j, "policy", pol);

	if (n->has_dhcp) {
		dhcp = json_object_new_object();
		inet_ntop(AF_INET, &n->dhcp_first, a, sizeof(a));
		inet_ntop(AF_INET, &n->dhcp_last, b, sizeof(b));
		json_object_object_add(dhcp, "first", json_object_new_string(a));
		json_object_object_add(dhcp, "last", json_object_new_string(b));
		json_object_object_add(dhcp, "lease_time", json_object_new_int64(n->lease_time));
		json_object_object_add(dhcp, "hosts", json_object_new_int64((int64_t)n->n_hosts));
		json_object_object_add(j, "dhcp", dhcp);
	}

	obj = json_object_new_object();
	json_object_object_add(obj, "bridge",
	                       json_object_new_boolean(v.o.bridge == NETD_BRIDGE_OURS));
	json_object_object_add(obj, "bridge_up", json_object_new_boolean(v.o.bridge_up));
	/* A switched network's address is the LAN's, moved onto the bridge with the uplink. */
	json_object_object_add(obj, "address",
	                       json_object_new_boolean(netd_mode_ops(n->mode)->switched
	                                                   ? lan_address(n, &v, &lan)
	                                                   : v.o.has_address));
	json_object_object_add(
	    obj, "rules",
	    json_object_new_boolean(v.o.rules_present &&
	                            strcmp(v.o.rules_digest, v.d->nft->digest) == 0));
	json_object_object_add(obj, "dnsmasq", json_object_new_boolean(v.o.dnsmasq_running));
	json_object_object_add(obj, "ip_forward", json_object_new_boolean(v.o.ip_forward_on));
	json_object_object_add(j, "objects", obj);
	if (v.o.dnsmasq_running)
		json_object_object_add(j, "dnsmasq_pid", json_object_new_int(v.o.dnsmasq_pid));
	json_object_object_add(j, "rules", rules_text(v.d->nft));
	json_object_object_add(j, "taps", taps_json(e, n));
	json_object_object_add(j, "firewall", firewall_findings(n));
	netd_view_release(&v);
	*out = j;
	return 0;
}

int netd_engine_leases(struct netd_engine *e, const char *name, json_object **out,
                       struct netd_diag *diag)
{
	const struct netd_network *n = netd_engine_find(e, name, diag);
	struct netd_dnsmasq_paths paths;
	struct netd_lease *leases = NULL;
	size_t count = 0;
	json_object *arr;
	int ret;

	if (!n)
		return -ENOENT;
	ret = netd_dnsmasq_paths_init(&paths, e->runtime_dir, e->state_dir, n->name);
	if (ret == 0)
		ret = netd_dnsmasq_leases_read(&paths, &leases, &count);
	if (ret < 0) {
		netd_diag_set(diag, "%s: reading leases from %s: %s", n->name, paths.leases,
		              strerror(-ret));
		return ret;
	}
	arr = json_object_new_array();
	for (size_t i = 0; i < count; i++) {
		json_object *l = json_object_new_object();
		char mac[18], ip[INET_ADDRSTRLEN];

		netd_mac_format(leases[i].mac, mac);
		inet_ntop(AF_INET, &leases[i].addr, ip, sizeof(ip));
		json_object_object_add(l, "mac", json_object_new_string(mac));
		json_object_object_add(l, "address", json_object_new_string(ip));
		json_object_object_add(l, "hostname", json_object_new_string(leases[i].hostname));
		json_object_object_add(l, "expiry", json_object_new_int64(leases[i].expiry));
		json_object_array_add(arr, l);
	}
	free(leases);
	*out = arr;
	return 0;
}
