/* The engine's read-only views: list, one entry, status, leases, warnings. They observe and
 * report; nothing here writes to the kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/forward.h"
#include "netd/kernel/firewall.h"
#include "netd/mode.h"
#include "netd/tap.h"
#include "netd/kernel/uplink.h"
#include "netd/kernel/uplink_v6.h"

static const char *state_of(const struct netd_view *v)
{
	const struct netd_observed *o = &v->o;
	bool any = o->bridge == NETD_BRIDGE_OURS || o->rules_present || o->dnsmasq_running;
	struct netd_plan plan;

	/* A state file that does not load outranks the rest: it is what needs doing. */
	if (netd_observed_needs_attention(o))
		return "needs-attention";
	if (!any)
		return "down";
	if (o->bridge == NETD_BRIDGE_OURS && netd_plan_up(v->d, o, &plan, NULL) == 0 && plan.n == 0)
		return "up";
	return "partial";
}

/* A switched network's address is whatever the uplink brought to the bridge: the LAN's. */
static bool lan_address(struct netd_engine *e, const struct netd_network *n,
                        const struct netd_view *v, struct netd_prefix *out)
{
	struct netd_uplink_state s;

	if (!netd_mode_ops(n->mode)->switched || v->o.bridge != NETD_BRIDGE_OURS ||
	    netd_uplink_snapshot(e->nl, n->bridge, &s) < 0 || s.n_addrs == 0)
		return false;
	*out = s.addrs[0].prefix;
	return true;
}

/* The IPv6 addresses a switched network's uplink brought to the bridge (its global and ULA
 * ones, moved with IPv4), with what the kernel says of their lifetimes; NULL when none. */
static json_object *lan_ipv6(struct netd_engine *e, const struct netd_network *n,
                             const struct netd_view *v)
{
	struct netd_uplink_v6 *v6 = calloc(1, sizeof(*v6));
	json_object *arr = NULL;
	char buf[64];

	if (!v6 || !netd_mode_ops(n->mode)->switched || v->o.bridge != NETD_BRIDGE_OURS ||
	    netd_uplink_v6_snapshot(e->nl, n->bridge, v6) < 0 || v6->n_addrs == 0)
		goto out;
	arr = json_object_new_array();
	for (size_t i = 0; i < v6->n_addrs; i++) {
		const struct netd_v6_addr *a = &v6->addrs[i];

		netd_v6_prefix_format(&a->addr, a->len, buf, sizeof(buf));
		json_object_array_add(arr, json_object_new_string(buf));
	}
out:
	free(v6);
	return arr;
}

static json_object *summary(struct netd_engine *e, const struct netd_network *n,
                            const struct netd_view *v)
{
	struct netd_prefix lan;
	json_object *j = json_object_new_object();
	const char *label;
	char buf[32];

	json_object_object_add(j, "name", json_object_new_string(n->name));
	json_object_object_add(j, "mode", json_object_new_string(netd_mode_to_string(n->mode)));
	json_object_object_add(j, "bridge", json_object_new_string(n->bridge));
	if (n->has_address)
		json_object_object_add(j, "address",
		                       json_object_new_string(netd_prefix_format(
		                           &n->address, false, buf, sizeof(buf))));
	else if (lan_address(e, n, v, &lan))
		json_object_object_add(
		    j, "address",
		    json_object_new_string(netd_prefix_format(&lan, false, buf, sizeof(buf))));
	else
		json_object_object_add(j, "address", NULL);
	netd_address6_json(n, j);
	/* A network a job is changing says so, rather than how far the job got. */
	label = netd_engine_busy_label(e, n->name);
	json_object_object_add(j, "state", json_object_new_string(label ? label : state_of(v)));
	json_object_object_add(j, "autostart", json_object_new_boolean(n->autostart));
	if (n->vni) /* spans hosts */
		json_object_object_add(j, "vni", json_object_new_int64(n->vni));
	return j;
}

int netd_engine_list(struct netd_engine *e, json_object **out)
{
	json_object *arr = json_object_new_array();

	netd_pass_begin(e); /* one snapshot of the kernel for every network */
	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];
		struct netd_diag d;
		struct netd_view v;

		if (netd_view_load(e, n, &v, &d) < 0)
			continue;
		json_object_array_add(arr, summary(e, n, &v));
		netd_view_release(&v);
	}
	netd_pass_end(e);
	*out = arr;
	return 0;
}

int netd_engine_entry(struct netd_engine *e, const char *name, json_object **out,
                      struct netd_diag *diag)
{
	return netd_engine_entry_warnings(e, NULL, name, out, NULL, diag);
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

/* Other firewalls' base chains as one scan found them, and whether bridged frames pass the ip
 * hooks: what a network's findings are checked against. */
struct netd_engine_fw {
	struct netd_fw_chain *chains;
	size_t n;
	bool bridge_nf;
};

int netd_engine_fw_scan(struct netd_engine *e, struct netd_engine_fw **out)
{
	struct netd_engine_fw *fw = calloc(1, sizeof(*fw));
	char brnf[8] = "0";
	int ret;

	*out = NULL;
	if (!fw)
		return -ENOMEM;
	ret = netd_fw_scan(e->nft, &fw->chains, &fw->n);
	if (ret < 0) {
		free(fw);
		return ret;
	}
	/* Without br_netfilter loaded the sysctl is absent: bridged frames skip the ip hooks. */
	netd_sysctl_read("net/bridge/bridge-nf-call-iptables", brnf, sizeof(brnf));
	fw->bridge_nf = strcmp(brnf, "1") == 0;
	*out = fw;
	return 0;
}

void netd_engine_fw_free(struct netd_engine_fw *fw)
{
	if (!fw)
		return;
	free(fw->chains);
	free(fw);
}

/* Lines naming the cells other firewalls on the host break for this network ([] if none);
 * fw NULL: scanned now. */
static json_object *firewall_findings(struct netd_engine *e, const struct netd_network *n,
                                      const struct netd_engine_fw *fw)
{
	struct netd_engine_fw *own = NULL;
	struct netd_fw_finding f[16];
	json_object *arr = json_object_new_array();
	char line[768];
	size_t found;

	if (!fw && netd_engine_fw_scan(e, &own) < 0)
		return arr;
	if (!fw)
		fw = own;
	found = netd_fw_check(n, fw->chains, fw->n, fw->bridge_nf, f, 16);
	for (size_t i = 0; i < found; i++) {
		netd_fw_describe(&f[i], line, sizeof(line));
		json_object_array_add(arr, json_object_new_string(line));
	}
	netd_engine_fw_free(own);
	return arr;
}

/* The state files that do not load: file, reason, whether the .prev loads and is used, and
 * what netd does about it. [] when every file loads. */
static json_object *attention(const struct netd_view *v)
{
	json_object *arr = json_object_new_array();
	char advice[NETD_PATH_MAX + 512];

	for (int k = 0; k < NETD_STATE_FILES; k++) {
		const struct netd_state_issue *f = &v->o.files[k];
		json_object *o;

		if (!f->bad)
			continue;
		o = json_object_new_object();
		netd_state_issue_advice(v->d, &v->o, k, advice, sizeof(advice));
		json_object_object_add(o, "file", json_object_new_string(f->file));
		json_object_object_add(o, "reason", json_object_new_string(f->reason));
		json_object_object_add(o, "previous_loads", json_object_new_boolean(f->prev_loads));
		json_object_object_add(o, "previous_used", json_object_new_boolean(f->prev_used));
		json_object_object_add(o, "advice", json_object_new_string(advice));
		json_object_array_add(arr, o);
	}
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
		char mac[18], ip[INET6_ADDRSTRLEN];

		netd_mac_format(r->mac, mac);
		json_object_object_add(t, "tap", json_object_new_string(r->tap));
		json_object_object_add(t, "mac", json_object_new_string(mac));
		if (r->addr.s_addr) {
			inet_ntop(AF_INET, &r->addr, ip, sizeof(ip));
			json_object_object_add(t, "address", json_object_new_string(ip));
		}
		if (!IN6_IS_ADDR_UNSPECIFIED(&r->addr6)) {
			inet_ntop(AF_INET6, &r->addr6, ip, sizeof(ip));
			json_object_object_add(t, "address6", json_object_new_string(ip));
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

/* The state files of v that do not load, with what netd does about each: lines into arr. */
static void state_file_lines(const struct netd_view *v, json_object *arr)
{
	char line[NETD_PATH_MAX + 1024], advice[NETD_PATH_MAX + 512];

	for (int k = 0; k < NETD_STATE_FILES; k++) {
		const struct netd_state_issue *f = &v->o.files[k];

		if (!f->bad)
			continue;
		netd_state_issue_advice(v->d, &v->o, k, advice, sizeof(advice));
		snprintf(line, sizeof(line), "%s %s: %s", f->file, f->reason, advice);
		json_object_array_add(arr, json_object_new_string(line));
	}
}

/* One look at the network for both: each look asks the kernel for the bridge's ports and the
 * network's taps, dumps it filters by walking every link of the host (a tenth of a
 * millisecond or more at a thousand networks), and `up` answers with both. */
int netd_engine_entry_warnings(struct netd_engine *e, const struct netd_engine_fw *fw,
                               const char *name, json_object **entry, json_object **warnings,
                               struct netd_diag *diag)
{
	const struct netd_network *n = netd_engine_find(e, name, diag);
	struct netd_view v;
	int ret;

	if (entry)
		*entry = NULL;
	if (warnings)
		*warnings = NULL;
	if (!n)
		return -ENOENT;
	ret = netd_view_load(e, n, &v, diag);
	/* Without a view the warnings are the firewall's alone; an entry needs one. */
	if (ret < 0 && entry)
		return ret;
	if (entry)
		*entry = summary(e, n, &v);
	if (warnings) {
		*warnings = firewall_findings(e, n, fw);
		if (ret == 0)
			state_file_lines(&v, *warnings);
	}
	if (ret == 0)
		netd_view_release(&v);
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
	j = summary(e, n, &v);
	json_object_object_add(j, "source", json_object_new_string(n->source));
	if (n->uplink[0])
		json_object_object_add(j, "uplink", json_object_new_string(n->uplink));
	if ((obj = lan_ipv6(e, n, &v)))
		json_object_object_add(j, "uplink_ipv6", obj);

	pol = json_object_new_object();
	for (int c = 0; c < NETD_CELL_MAX; c++)
		json_object_object_add(pol, netd_cell_json_key(c),
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
	netd_dhcp6_json(n, j);

	obj = json_object_new_object();
	json_object_object_add(obj, "bridge",
	                       json_object_new_boolean(v.o.bridge == NETD_BRIDGE_OURS));
	json_object_object_add(obj, "bridge_up", json_object_new_boolean(v.o.bridge_up));
	/* A switched network's address is the LAN's, moved onto the bridge with the uplink. */
	json_object_object_add(obj, "address",
	                       json_object_new_boolean(netd_mode_ops(n->mode)->switched
	                                                   ? lan_address(e, n, &v, &lan)
	                                                   : v.o.has_address));
	json_object_object_add(obj, "rules",
	                       json_object_new_boolean((v.d->has_rules || v.d->nft->n_ports > 0) &&
	                                               v.o.rules_current));
	json_object_object_add(obj, "dnsmasq", json_object_new_boolean(v.o.dnsmasq_running));
	json_object_object_add(obj, "ip_forward", json_object_new_boolean(v.o.ip_forward_on));
	json_object_object_add(j, "objects", obj);
	if (v.o.dnsmasq_running)
		json_object_object_add(j, "dnsmasq_pid", json_object_new_int(v.o.dnsmasq_pid));
	if ((obj = netd_repair_json(e, n->name)))
		json_object_object_add(j, "repair", obj);
	json_object_object_add(j, "rules", rules_text(v.d->nft));
	json_object_object_add(j, "taps", taps_json(e, n));
	json_object_object_add(j, "forwards", netd_forwards_json(n));
	json_object_object_add(j, "needs_attention", attention(&v));
	json_object_object_add(j, "firewall", firewall_findings(e, n, NULL));
	if ((obj = netd_dns_status_json(n, e->host_resolver)))
		json_object_object_add(j, "dns", obj);
	if (v.d->vxlan[0])
		json_object_object_add(j, "fabric", netd_fabric_status(e, &v));
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
	netd_leases6_json(&paths, arr);
	*out = arr;
	return 0;
}
