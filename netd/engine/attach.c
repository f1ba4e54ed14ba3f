/*
 * Guests on taps, at the engine's level: `netdctl attach` and `detach`, and the [Tap]s of a
 * network at up, reconcile and down. One path makes every tap (make_tap), whoever asked.
 *
 * What netd made is recorded in <state>/<network>.taps (attach_state.c). The record, not the
 * kernel, says which taps are netd's to forget or remove; the alias netd:<network> on the
 * link is checked before any removal, so a tap someone else took the name of is left alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine_priv.h"
#include "netd/mode.h"
#include "netd/util/log.h"
#include "netd/control.h"
#include "netd/kernel/tap.h"

#define RELEASE_WAIT_MS 2000

static void alias_of(const struct netd_network *n, char *buf, size_t len)
{
	snprintf(buf, len, NETD_ALIAS_PREFIX "%s", n->name);
}

/* A tap netd may remove: it exists and carries this network's tag. */
static bool link_is_ours(struct netd_engine *e, const struct netd_network *n, const char *tap,
                         struct netd_link_info *li)
{
	char alias[NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX)];

	alias_of(n, alias, sizeof(alias));
	return netd_nl_link_get(e->nl, tap, li) == 0 && strcmp(li->alias, alias) == 0;
}

static int resolve_id(const char *s, bool user, uint32_t *out, struct netd_diag *diag)
{
	char buf[4096], *end;
	bool found = false;
	unsigned long v;
	int ret;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v >= UINT32_MAX) {
			netd_diag_set(diag, "invalid %s id '%s'", user ? "user" : "group", s);
			return -EINVAL;
		}
		*out = (uint32_t)v;
		return 0;
	}
	if (user) {
		struct passwd pw, *r = NULL;

		ret = getpwnam_r(s, &pw, buf, sizeof(buf), &r);
		if (r) {
			*out = pw.pw_uid;
			found = true;
		}
	} else {
		struct group gr, *r = NULL;

		ret = getgrnam_r(s, &gr, buf, sizeof(buf), &r);
		if (r) {
			*out = gr.gr_gid;
			found = true;
		}
	}
	if (ret || !found) {
		netd_diag_set(diag, "no %s named '%s' on this host", user ? "user" : "group", s);
		return -ENOENT;
	}
	return 0;
}

/* Everything make_tap needs to know about one guest's tap. */
struct tap_want {
	const char *name; /* "" : the kernel picks vnetN */
	uint8_t mac[6];
	struct in_addr addr;
	const char *hostname;
	const char *owner, *group;
	unsigned queues;
	bool declared;
};

/* The one path that makes a tap: create, configure, and on any failure remove it again. */
static int make_tap(struct netd_engine *e, const struct netd_network *n, const struct tap_want *w,
                    struct netd_tap_record *rec, struct netd_diag *diag)
{
	char alias[NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX)];
	struct netd_tap_create_opts opts = {.name = w->name, .queues = w->queues};
	struct netd_tap_settings set;
	struct netd_link_info br;
	uint32_t id = 0;
	int ret;

	memset(rec, 0, sizeof(*rec));
	if (w->owner && w->owner[0]) {
		ret = resolve_id(w->owner, true, &id, diag);
		if (ret < 0)
			return ret;
	}
	opts.owner = id; /* root when not given: nobody else may open the guest's port */
	if (w->group && w->group[0]) {
		id = 0;
		ret = resolve_id(w->group, false, &id, diag);
		if (ret < 0)
			return ret;
		opts.has_group = true;
		opts.group = id;
	}
	ret = netd_nl_link_get(e->nl, n->bridge, &br);
	if (ret < 0) {
		netd_diag_set(diag, "%s: bridge %s: %s", n->name, n->bridge, strerror(-ret));
		return ret;
	}
	ret = netd_tap_create(&opts, rec->tap, diag);
	if (ret < 0)
		return ret;

	alias_of(n, alias, sizeof(alias));
	memcpy(rec->mac, w->mac, 6);
	netd_tap_host_mac(w->mac, rec->host_mac);
	rec->addr = w->addr;
	snprintf(rec->hostname, sizeof(rec->hostname), "%s", w->hostname ? w->hostname : "");
	rec->declared = w->declared;
	rec->queues = w->queues ? w->queues : 1;
	rec->owner = opts.owner;
	rec->has_group = opts.has_group;
	rec->group = opts.group;

	set = (struct netd_tap_settings){
	    .alias = alias,
	    .mtu = br.mtu,
	    .bridge = n->bridge,
	    .isolated = netd_port_isolated(n, rec->tap),
	};
	memcpy(set.host_mac, rec->host_mac, 6);
	ret = netd_tap_configure(e->nl, rec->tap, &set, NULL, diag);
	if (ret < 0)
		netd_nl_link_delete(e->nl, rec->tap, NULL);
	return ret;
}

static int ensure_settings(struct netd_engine *e, const struct netd_network *n,
                           const struct netd_tap_record *r, struct netd_diag *diag)
{
	char alias[NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX)];
	struct netd_tap_settings set;
	struct netd_link_info br;
	int ret;

	ret = netd_nl_link_get(e->nl, n->bridge, &br);
	if (ret < 0)
		return ret;
	alias_of(n, alias, sizeof(alias));
	set = (struct netd_tap_settings){
	    .alias = alias,
	    .mtu = br.mtu,
	    .bridge = n->bridge,
	    .isolated = netd_port_isolated(n, r->tap),
	};
	memcpy(set.host_mac, r->host_mac, 6);
	return netd_tap_configure(e->nl, r->tap, &set, NULL, diag);
}

/* ---- the hosts file: [Host] + [Tap] (from the config) + attached taps (from the record) */

static int render_hosts(const struct netd_network *n, const struct netd_tap_state *s, char **out)
{
	struct netd_host *extra = calloc(s->n ? s->n : 1, sizeof(*extra));
	size_t k = 0;
	int ret;

	if (!extra)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct netd_tap_record *r = &s->v[i];

		if (r->declared || (!r->addr.s_addr && !r->hostname[0]))
			continue;
		memcpy(extra[k].mac, r->mac, 6);
		extra[k].addr = r->addr;
		snprintf(extra[k].name, sizeof(extra[k].name), "%s", r->hostname);
		k++;
	}
	ret = netd_dnsmasq_render_hosts_extra(n, extra, k, out);
	free(extra);
	return ret;
}

int netd_taps_desired(struct netd_engine *e, const struct netd_network *n, struct netd_desired *d)
{
	struct netd_tap_state s = {0};
	struct netd_diag diag;
	char *hosts = NULL;
	int ret;

	if (!d->dnsmasq_hosts)
		return 0;
	ret = netd_tap_state_load(e->state_dir, n->name, &s, &diag);
	if (ret < 0) {
		netd_log(LOG_ERR, "%s", diag.msg);
		return ret;
	}
	if (s.n == 0)
		goto out;
	ret = render_hosts(n, &s, &hosts);
	if (ret < 0)
		goto out;
	free(d->dnsmasq_hosts);
	d->dnsmasq_hosts = hosts;
out:
	netd_tap_state_clear(&s);
	return ret;
}

/* Rewrite the hosts file and have dnsmasq reread it. No dnsmasq running is no error: the next
 * reconcile starts it with this very file. */
static int reload_hosts(struct netd_engine *e, const struct netd_network *n,
                        const struct netd_tap_state *s, struct netd_diag *diag)
{
	struct netd_dnsmasq_paths paths;
	char *hosts = NULL;
	int ret;

	if (!netd_dnsmasq_wanted(n))
		return 0;
	ret = netd_dnsmasq_paths_init(&paths, e->runtime_dir, e->state_dir, n->name);
	if (ret == 0)
		ret = render_hosts(n, s, &hosts);
	if (ret == 0)
		ret = netd_dnsmasq_reload_hosts(&paths, hosts);
	if (ret == -ESRCH)
		ret = 0;
	if (ret < 0)
		netd_diag_set(diag, "%s: updating dnsmasq's hosts file %s: %s", n->name,
		              paths.hosts, strerror(-ret));
	free(hosts);
	return ret;
}

/* ---- choosing MACs and addresses ---- */

static bool mac_taken(const struct netd_network *n, const struct netd_tap_state *s,
                      const struct netd_lease *leases, size_t n_leases, const uint8_t mac[6],
                      bool with_hosts, char *who, size_t len)
{
	for (size_t i = 0; with_hosts && i < n->n_hosts; i++)
		if (memcmp(n->hosts[i].mac, mac, 6) == 0)
			return snprintf(who, len, "the [Host] on line %u of %s", n->hosts[i].line,
			                n->source) > 0;
	for (size_t i = 0; i < n->n_taps; i++)
		if (memcmp(n->taps[i].mac, mac, 6) == 0)
			return snprintf(who, len, "the [Tap] %s", n->taps[i].name) > 0;
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->v[i].mac, mac, 6) == 0)
			return snprintf(who, len, "tap %s", s->v[i].tap) > 0;
	for (size_t i = 0; i < n_leases; i++)
		if (memcmp(leases[i].mac, mac, 6) == 0)
			return snprintf(who, len, "a lease") > 0;
	return false;
}

static int random_mac(const struct netd_network *n, const struct netd_tap_state *s,
                      const struct netd_lease *leases, size_t n_leases, uint8_t mac[6])
{
	char who[128];

	for (int tries = 0; tries < 64; tries++) {
		mac[0] = 0x52;
		mac[1] = 0x54;
		mac[2] = 0x00;
		if (getrandom(mac + 3, 3, 0) != 3)
			return -errno;
		if (!mac_taken(n, s, leases, n_leases, mac, true, who, sizeof(who)))
			return 0;
	}
	return -EADDRINUSE;
}

static int check_address(const struct netd_network *n, const struct netd_tap_state *s,
                         const struct netd_lease *leases, size_t n_leases, const uint8_t mac[6],
                         struct in_addr a, struct netd_diag *diag)
{
	char ip[INET_ADDRSTRLEN], net[32], m[18];
	time_t now = time(NULL);

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	netd_prefix_format(&n->address, true, net, sizeof(net));
	if (!n->has_dhcp) {
		netd_diag_set(diag,
		              "%s serves no DHCP: a static address needs the network's [DHCP] "
		              "section",
		              n->name);
		return -EINVAL;
	}
	if (!netd_prefix_contains(&n->address, a) ||
	    a.s_addr == netd_prefix_network(&n->address).s_addr ||
	    a.s_addr == netd_prefix_broadcast(&n->address).s_addr) {
		netd_diag_set(diag, "address %s is not a guest address of %s's subnet %s", ip,
		              n->name, net);
		return -EINVAL;
	}
	if (a.s_addr == n->address.addr.s_addr) {
		netd_diag_set(diag, "address %s is the host's own address on %s", ip, n->name);
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n_hosts; i++)
		if (n->hosts[i].addr.s_addr == a.s_addr) {
			netd_diag_set(diag,
			              "address %s is the static lease of the [Host] on line %u "
			              "of %s",
			              ip, n->hosts[i].line, n->source);
			return -EADDRINUSE;
		}
	for (size_t i = 0; i < n->n_taps; i++)
		if (n->taps[i].addr.s_addr == a.s_addr) {
			netd_diag_set(diag, "address %s is the static lease of the [Tap] %s", ip,
			              n->taps[i].name);
			return -EADDRINUSE;
		}
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].addr.s_addr == a.s_addr) {
			netd_diag_set(diag, "address %s is the static lease of tap %s", ip,
			              s->v[i].tap);
			return -EADDRINUSE;
		}
	for (size_t i = 0; i < n_leases; i++)
		if (leases[i].addr.s_addr == a.s_addr && memcmp(leases[i].mac, mac, 6) != 0 &&
		    (leases[i].expiry == 0 || leases[i].expiry > now)) {
			netd_mac_format(leases[i].mac, m);
			netd_diag_set(diag, "address %s is leased to %s; detach that guest first",
			              ip, m);
			return -EADDRINUSE;
		}
	return 0;
}

/* ---- attach ---- */

static const struct netd_network *find_up(struct netd_engine *e, const char *name,
                                          struct netd_diag *diag, int *err)
{
	const struct netd_network *n = netd_config_find(e->config, name);
	struct netd_link_info li;

	if (!n) {
		netd_diag_set(diag, "no network named '%s' in %s", name, e->config_dir);
		*err = -ENOENT;
		return NULL;
	}
	if (!link_is_ours(e, n, n->bridge, &li) || strcmp(li.kind, "bridge") != 0) {
		netd_diag_set(diag, "network %s is not up (no bridge %s): run netdctl up %s first",
		              name, n->bridge, name);
		*err = -ENETDOWN;
		return NULL;
	}
	return n;
}

static int check_request(struct netd_engine *e, const struct netd_network *n,
                         const struct netd_attach_req *req, const struct netd_tap_state *s,
                         const struct netd_lease *leases, size_t n_leases, struct tap_want *w,
                         struct netd_diag *diag)
{
	struct netd_link_info li;
	char who[160], m[18];
	int ret;

	if (req->tap[0]) {
		if (!netd_ifname_valid(req->tap)) {
			netd_diag_set(diag, "invalid tap name '%s'", req->tap);
			return -EINVAL;
		}
		for (size_t i = 0; i < n->n_taps; i++)
			if (strcmp(n->taps[i].name, req->tap) == 0) {
				netd_diag_set(diag,
				              "tap %s is declared by the [Tap] on line %u of %s",
				              req->tap, n->taps[i].line, n->source);
				return -EEXIST;
			}
		if (netd_nl_link_get(e->nl, req->tap, &li) == 0) {
			netd_diag_set(diag,
			              "a link named %s exists already; choose another --tap "
			              "or leave it out (netd picks vnetN)",
			              req->tap);
			return -EEXIST;
		}
	}
	if (req->queues > NETD_TAP_QUEUES_MAX) {
		netd_diag_set(diag, "--queues %u: at most %d", req->queues, NETD_TAP_QUEUES_MAX);
		return -EINVAL;
	}
	w->name = req->tap;
	w->queues = req->queues ? req->queues : 1;
	w->owner = req->owner;
	w->group = req->group;
	w->hostname = req->hostname;
	w->addr = req->has_addr ? req->addr : (struct in_addr){0};
	if (req->has_mac) {
		if (!netd_tap_guest_mac_valid(req->mac)) {
			netd_mac_format(req->mac, m);
			netd_diag_set(diag,
			              "MAC %s: a guest needs a unicast MAC, not zero, whose "
			              "first byte is not fe (the host side's)",
			              m);
			return -EINVAL;
		}
		/* A [Host] may hold this guest's static lease: fine, unless we give another. */
		if (mac_taken(n, s, NULL, 0, req->mac, req->has_addr, who, sizeof(who))) {
			netd_mac_format(req->mac, m);
			netd_diag_set(diag, "MAC %s is already %s's on network %s", m, who,
			              n->name);
			return -EEXIST;
		}
		memcpy(w->mac, req->mac, 6);
	} else {
		ret = random_mac(n, s, leases, n_leases, w->mac);
		if (ret < 0) {
			netd_diag_set(diag, "no free random MAC: %s", strerror(-ret));
			return ret;
		}
	}
	if (req->has_addr) {
		ret = check_address(n, s, leases, n_leases, w->mac, req->addr, diag);
		if (ret < 0)
			return ret;
	}
	if (req->hostname[0]) {
		if (!n->has_dhcp) {
			netd_diag_set(diag,
			              "%s serves no DHCP: a host name needs its [DHCP] section",
			              n->name);
			return -EINVAL;
		}
		if (!netd_hostname_valid(req->hostname)) {
			netd_diag_set(diag, "invalid host name '%s': letters, digits and '-'",
			              req->hostname);
			return -EINVAL;
		}
		for (size_t i = 0; i < n->n_hosts; i++)
			if (strcasecmp(n->hosts[i].name, req->hostname) == 0) {
				netd_diag_set(diag, "host name %s is the [Host]'s on line %u",
				              req->hostname, n->hosts[i].line);
				return -EEXIST;
			}
		for (size_t i = 0; i < s->n; i++)
			if (strcasecmp(s->v[i].hostname, req->hostname) == 0) {
				netd_diag_set(diag, "host name %s is tap %s's already",
				              req->hostname, s->v[i].tap);
				return -EEXIST;
			}
	}
	return 0;
}

int netd_engine_attach(struct netd_engine *e, const char *name, const struct netd_attach_req *req,
                       json_object **out, struct netd_diag *diag)
{
	struct netd_tap_state s = {0};
	struct netd_dnsmasq_paths paths;
	struct netd_lease *leases = NULL;
	struct netd_tap_record rec;
	const struct netd_network *n;
	struct tap_want w = {0};
	size_t n_leases = 0;
	int ret;

	*out = NULL;
	n = find_up(e, name, diag, &ret);
	if (!n)
		return ret;
	ret = netd_tap_state_load(e->state_dir, n->name, &s, diag);
	if (ret < 0)
		return ret;
	if (netd_dnsmasq_paths_init(&paths, e->runtime_dir, e->state_dir, n->name) == 0)
		netd_dnsmasq_leases_read(&paths, &leases, &n_leases);
	ret = check_request(e, n, req, &s, leases, n_leases, &w, diag);
	if (ret < 0)
		goto out;
	ret = make_tap(e, n, &w, &rec, diag);
	if (ret < 0)
		goto out;
	ret = netd_tap_state_add(&s, &rec);
	if (ret == 0)
		ret = netd_tap_state_save(e->state_dir, n->name, &s, diag);
	if (ret == 0 && (rec.addr.s_addr || rec.hostname[0]))
		ret = reload_hosts(e, n, &s, diag);
	if (ret < 0) {
		/* Undo: no tap without its record, no record without its tap. */
		ssize_t i = netd_tap_state_find(&s, rec.tap);

		netd_nl_link_delete(e->nl, rec.tap, NULL);
		if (i >= 0) {
			netd_tap_state_remove(&s, (size_t)i);
			netd_tap_state_save(e->state_dir, n->name, &s, NULL);
		}
		goto out;
	}
	*out = netd_tap_record_json(n->name, &rec);
out:
	free(leases);
	netd_tap_state_clear(&s);
	return ret;
}

/* ---- a guest's lease ---- */

/* dnsmasq not running: nobody holds the leases in memory, so the file itself is edited. */
static int strip_leases(const struct netd_dnsmasq_paths *p, const uint8_t (*macs)[6], size_t n)
{
	char tmp[NETD_PATH_MAX + 8], *line = NULL, m[18];
	size_t cap = 0;
	bool dropped = false;
	FILE *in, *outf;
	int fd, ret = 0;

	in = fopen(p->leases, "re");
	if (!in)
		return errno == ENOENT ? 0 : -errno;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", p->leases);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || !(outf = fdopen(fd, "w"))) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		fclose(in);
		return ret;
	}
	while (getline(&line, &cap, in) > 0) {
		bool drop = false;
		char *sp = strchr(line, ' ');

		for (size_t i = 0; sp && i < n && !drop; i++) {
			netd_mac_format(macs[i], m);
			drop = strncasecmp(sp + 1, m, 17) == 0 && sp[18] == ' ';
		}
		if (drop)
			dropped = true;
		else
			fputs(line, outf);
	}
	free(line);
	fclose(in);
	if (fchmod(fd, 0644) < 0 || fclose(outf) != 0)
		ret = -errno;
	if (ret == 0 && dropped && rename(tmp, p->leases) < 0)
		ret = -errno;
	if (ret < 0 || !dropped)
		unlink(tmp);
	return ret;
}

/* The guest's current lease, if any: released through dnsmasq when it runs (it rewrites the
 * file itself), else struck from the file. *released gets the address given back. */
static int forget_lease(struct netd_engine *e, const struct netd_network *n, const uint8_t mac[6],
                        struct in_addr *released, struct netd_diag *diag)
{
	struct netd_dnsmasq_paths paths;
	struct netd_lease *leases = NULL;
	size_t count = 0;
	ssize_t found = -1;
	int ret;

	released->s_addr = 0;
	if (!netd_dnsmasq_wanted(n))
		return 0;
	ret = netd_dnsmasq_paths_init(&paths, e->runtime_dir, e->state_dir, n->name);
	if (ret == 0)
		ret = netd_dnsmasq_leases_read(&paths, &leases, &count);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < count; i++)
		if (memcmp(leases[i].mac, mac, 6) == 0)
			found = (ssize_t)i;
	if (found < 0)
		goto out;
	*released = leases[found].addr;
	if (!netd_dnsmasq_running(&paths, NULL)) {
		ret = strip_leases(&paths, (const uint8_t(*)[6])mac, 1);
		goto out;
	}
	ret = netd_dhcp_release_send(n->bridge, n->address.addr, leases[found].addr, mac);
	if (ret < 0)
		goto out;
	/* dnsmasq writes the file as it handles the release; wait for that, bounded. */
	for (int waited = 0; waited < RELEASE_WAIT_MS; waited += 10) {
		bool still = false;

		free(leases);
		leases = NULL;
		if (netd_dnsmasq_leases_read(&paths, &leases, &count) < 0)
			break;
		for (size_t i = 0; i < count; i++)
			still |= memcmp(leases[i].mac, mac, 6) == 0;
		if (!still)
			goto out;
		usleep(10000);
	}
	ret = -ETIMEDOUT;
out:
	if (ret < 0)
		netd_diag_set(diag, "%s: releasing the guest's lease: %s", n->name, strerror(-ret));
	free(leases);
	return ret;
}

/* ---- detach ---- */

int netd_engine_detach(struct netd_engine *e, const char *name, const char *tap, json_object **out,
                       struct netd_diag *diag)
{
	const struct netd_network *n = netd_config_find(e->config, name);
	struct netd_tap_state s = {0};
	struct netd_tap_record rec = {0};
	struct netd_link_info li;
	struct in_addr released = {0};
	char alias[NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX)], buf[INET_ADDRSTRLEN], m[18];
	bool exists, known;
	ssize_t idx;
	int ret;

	*out = NULL;
	if (!n) {
		netd_diag_set(diag, "no network named '%s' in %s", name, e->config_dir);
		return -ENOENT;
	}
	for (size_t i = 0; i < n->n_taps; i++)
		if (strcmp(n->taps[i].name, tap) == 0) {
			netd_diag_set(diag,
			              "tap %s is declared by the [Tap] on line %u of %s: remove "
			              "the section and reload, or take the network down",
			              tap, n->taps[i].line, n->source);
			return -EBUSY;
		}
	ret = netd_tap_state_load(e->state_dir, n->name, &s, diag);
	if (ret < 0)
		return ret;
	idx = netd_tap_state_find(&s, tap);
	known = idx >= 0;
	if (known)
		rec = s.v[idx];
	alias_of(n, alias, sizeof(alias));
	exists = netd_nl_link_get(e->nl, tap, &li) == 0;
	if (exists && strcmp(li.alias, alias) != 0) {
		netd_diag_set(diag,
		              "%s is not a tap of network %s (its alias is '%s', not '%s'); "
		              "netd only removes links it tagged",
		              tap, n->name, li.alias, alias);
		ret = -EPERM;
		goto out;
	}
	if (!exists && !known) {
		netd_diag_set(diag, "network %s has no tap %s", n->name, tap);
		ret = -ENODEV;
		goto out;
	}
	if (exists) {
		ret = netd_nl_link_delete(e->nl, tap, diag);
		if (ret < 0)
			goto out;
	}
	if (known) {
		netd_tap_state_remove(&s, (size_t)idx);
		ret = netd_tap_state_save(e->state_dir, n->name, &s, diag);
		if (ret == 0 && (rec.addr.s_addr || rec.hostname[0]))
			ret = reload_hosts(e, n, &s, diag);
		if (ret == 0)
			ret = forget_lease(e, n, rec.mac, &released, diag);
		if (ret < 0)
			goto out;
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "network", json_object_new_string(n->name));
	json_object_object_add(*out, "tap", json_object_new_string(tap));
	netd_mac_format(rec.mac, m);
	json_object_object_add(*out, "mac", known ? json_object_new_string(m) : NULL);
	json_object_object_add(*out, "address",
	                       rec.addr.s_addr ? json_object_new_string(inet_ntop(
	                                             AF_INET, &rec.addr, buf, sizeof(buf)))
	                                       : NULL);
	json_object_object_add(*out, "released",
	                       released.s_addr ? json_object_new_string(inet_ntop(
	                                             AF_INET, &released, buf, sizeof(buf)))
	                                       : NULL);
out:
	netd_tap_state_clear(&s);
	return ret;
}

/* ---- the network's taps at up, reconcile and down ---- */

static const struct netd_tap *declared(const struct netd_network *n, const char *tap)
{
	for (size_t i = 0; i < n->n_taps; i++)
		if (strcmp(n->taps[i].name, tap) == 0)
			return &n->taps[i];
	return NULL;
}

int netd_taps_up(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag)
{
	struct netd_tap_state s = {0};
	struct netd_link_info li;
	struct netd_diag why = {{0}};
	bool save = false, hosts = false;
	int ret;

	ret = netd_tap_state_load(e->state_dir, n->name, &s, diag);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n->n_taps; i++) {
		const struct netd_tap *t = &n->taps[i];
		ssize_t idx = netd_tap_state_find(&s, t->name);
		struct netd_tap_record rec;

		if (netd_nl_link_get(e->nl, t->name, &li) < 0) {
			struct tap_want w = {.name = t->name,
			                     .addr = t->addr,
			                     .owner = t->owner,
			                     .group = t->group,
			                     .queues = t->queues,
			                     .declared = true};

			memcpy(w.mac, t->mac, 6);
			ret = make_tap(e, n, &w, &rec, &why);
			if (ret < 0) {
				netd_diag_set(diag, "%s:%u: [Tap] %s: %s", n->source, t->line,
				              t->name, why.msg);
				goto out;
			}
			if (idx >= 0)
				netd_tap_state_remove(&s, (size_t)idx);
			ret = netd_tap_state_add(&s, &rec);
			if (ret < 0)
				goto out;
			save = true;
			continue;
		}
		if (idx < 0 || !s.v[idx].declared) {
			char alias[NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX)];

			alias_of(n, alias, sizeof(alias));
			if (strcmp(li.alias, alias) != 0) {
				netd_diag_set(diag,
				              "%s:%u: [Tap] %s: a link of that name exists and "
				              "is not netd's (alias '%s')",
				              n->source, t->line, t->name, li.alias);
				ret = -EEXIST;
				goto out;
			}
			/* Ours but unrecorded (a lost record) or attached before it was declared:
			 * the config owns it now. */
			memset(&rec, 0, sizeof(rec));
			snprintf(rec.tap, sizeof(rec.tap), "%s", t->name);
			memcpy(rec.mac, t->mac, 6);
			netd_tap_host_mac(t->mac, rec.host_mac);
			rec.addr = t->addr;
			rec.declared = true;
			rec.queues = t->queues;
			if (idx >= 0) {
				hosts |= s.v[idx].addr.s_addr || s.v[idx].hostname[0];
				netd_tap_state_remove(&s, (size_t)idx);
			}
			ret = netd_tap_state_add(&s, &rec);
			if (ret < 0)
				goto out;
			idx = (ssize_t)s.n - 1;
			save = true;
		}
		ret = ensure_settings(e, n, &s.v[idx], diag);
		if (ret < 0)
			goto out;
	}
	for (size_t i = s.n; i-- > 0;) {
		const struct netd_tap_record *r = &s.v[i];
		bool ours = link_is_ours(e, n, r->tap, &li);

		if (r->declared && declared(n, r->tap))
			continue;
		if (r->declared) {
			/* A reload took its [Tap] out of the config. */
			if (ours && (ret = netd_nl_link_delete(e->nl, r->tap, diag)) < 0)
				goto out;
		} else if (ours) {
			continue;
		}
		/* Gone (deleted behind netd's back, or lost with a reboot): forget it. */
		hosts |= !r->declared && (r->addr.s_addr || r->hostname[0]);
		netd_tap_state_remove(&s, i);
		save = true;
	}
	if (save)
		ret = netd_tap_state_save(e->state_dir, n->name, &s, diag);
	if (ret == 0 && hosts)
		ret = reload_hosts(e, n, &s, diag);
out:
	netd_tap_state_clear(&s);
	return ret;
}

int netd_taps_down(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag)
{
	struct netd_tap_state s = {0};
	struct netd_dnsmasq_paths paths;
	struct netd_link_info li;
	uint8_t(*macs)[6] = NULL;
	size_t n_macs = 0;
	int ret, first = 0;

	ret = netd_tap_state_load(e->state_dir, n->name, &s, diag);
	if (ret < 0)
		return ret;
	macs = calloc(s.n ? s.n : 1, sizeof(*macs));
	if (!macs) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s.n; i++) {
		if (link_is_ours(e, n, s.v[i].tap, &li) &&
		    (ret = netd_nl_link_delete(e->nl, s.v[i].tap, diag)) < 0 && !first)
			first = ret;
		if (!s.v[i].declared)
			memcpy(macs[n_macs++], s.v[i].mac, 6);
	}
	/* [Tap]s the record lost track of still carry the tag. */
	for (size_t i = 0; i < n->n_taps; i++)
		if (link_is_ours(e, n, n->taps[i].name, &li) &&
		    (ret = netd_nl_link_delete(e->nl, n->taps[i].name, diag)) < 0 && !first)
			first = ret;
	/* Attached guests are forgotten with their taps; declared ones keep their leases,
	 * like [Host]s, since they come back at the next up. dnsmasq is stopped by now. */
	if (n_macs && netd_dnsmasq_wanted(n) &&
	    netd_dnsmasq_paths_init(&paths, e->runtime_dir, e->state_dir, n->name) == 0 &&
	    !netd_dnsmasq_running(&paths, NULL))
		strip_leases(&paths, (const uint8_t(*)[6])macs, n_macs);
	netd_tap_state_clear(&s);
	ret = netd_tap_state_save(e->state_dir, n->name, &s, diag);
out:
	free(macs);
	netd_tap_state_clear(&s);
	return first ? first : ret;
}
