/*
 * A config directory: every *.conf in it, and the checks that span networks or the host.
 * Above the parse of one file (config_parse.c); its own errors go through config_diag.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "netd/fabric.h"
#include "config_priv.h"

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	/* Hidden files are editors' and package managers' leftovers, never networks. */
	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

static int is_fabric(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 7 && strcmp(d->d_name + n - 7, ".fabric") == 0;
}

/* Byte order, not the locale's: the load order must not depend on LC_COLLATE. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The one *.fabric file of the directory, if any, then the networks against it. */
static int load_fabric(const char *dir, size_t dlen, struct netd_config *c, struct netd_diag *diag)
{
	struct dirent **ents = NULL;
	char path[NETD_PATH_MAX];
	int count, ret = 0;

	count = scandir(dir, &ents, is_fabric, by_name);
	if (count < 0) {
		ret = -errno;
		netd_diag_set(diag, "%s: %s", dir, strerror(errno));
		return ret;
	}
	if (count > 1) {
		ret = -EINVAL;
		netd_diag_set(diag,
		              "%.*s/%s: a second fabric file (the first is %s); a host has one "
		              "place in one fabric",
		              (int)dlen, dir, ents[1]->d_name, ents[0]->d_name);
		goto out;
	}
	if (count == 1) {
		snprintf(path, sizeof(path), "%.*s/%s", (int)dlen, dir, ents[0]->d_name);
		ret = netd_fabric_parse_file(path, &c->fabric, diag);
	}
	if (ret == 0)
		ret = netd_fabric_check_networks(c, diag);
out:
	for (int i = 0; i < count; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

int netd_config_load_dir(const char *dir, struct netd_config **out, struct netd_diag *diag)
{
	struct dirent **ents = NULL;
	struct netd_config *c = NULL;
	struct netd_network *n;
	char path[NETD_PATH_MAX];
	size_t dlen = strlen(dir);
	struct stat st;
	int count, ret = 0;

	count = scandir(dir, &ents, is_conf, by_name);
	if (count < 0) {
		ret = -errno;
		netd_diag_set(diag, "%s: %s", dir, strerror(errno));
		return ret;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->networks = calloc(count ? (size_t)count : 1, sizeof(*c->networks));
	if (!c || !c->networks) {
		ret = -ENOMEM;
		netd_diag_set(diag, "%s: %s", dir, strerror(ENOMEM));
		goto out;
	}
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (int i = 0; i < count; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)dlen, dir,
		                     ents[i]->d_name) >= sizeof(path)) {
			ret = -ENAMETOOLONG;
			netd_diag_set(diag, "%s/%s: %s", dir, ents[i]->d_name,
			              strerror(ENAMETOOLONG));
			goto out;
		}
		if (stat(path, &st) < 0) {
			ret = -errno;
			netd_diag_set(diag, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		ret = netd_config_parse_file(path, &n, diag);
		if (ret < 0)
			goto out;
		c->networks[c->n_networks++] = n;
	}
	if (c->n_networks == 0) {
		ret = netd_config_parse_string(netd_embedded_default_conf, "<embedded>", &n, diag);
		if (ret < 0)
			goto out;
		c->networks[c->n_networks++] = n;
	}
	ret = netd_config_check_set(c, diag);
	if (ret == 0)
		ret = load_fabric(dir, dlen, c, diag);
out:
	for (int i = 0; i < count; i++)
		free(ents[i]);
	free(ents);
	if (ret < 0) {
		netd_config_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

/* Checks network b against an earlier network a; errors are reported at b's lines. */
static int check_pair(const struct netd_network *a, const struct netd_network *b,
                      struct netd_diag *diag)
{
	char pa[32], pb[32];

	if (strcmp(a->name, b->name) == 0)
		return cfg_diag(diag, b->source, b->line_name,
		                "network name '%s' is already defined in %s:%u", b->name, a->source,
		                a->line_name);
	if (strcmp(a->bridge, b->bridge) == 0)
		return cfg_diag(diag, b->source, b->line_bridge,
		                "bridge '%s' is already used by network '%s' (%s:%u); give each "
		                "network its own Bridge=",
		                b->bridge, a->name, a->source, a->line_bridge);
	if (a->has_address && b->has_address && netd_prefix_overlaps(&a->address, &b->address))
		return cfg_diag(diag, b->source, b->line_address,
		                "subnet %s of network '%s' overlaps subnet %s of network '%s' "
		                "(%s:%u); choose a subnet of its own",
		                netd_prefix_format(&b->address, true, pb, sizeof(pb)), b->name,
		                netd_prefix_format(&a->address, true, pa, sizeof(pa)), a->name,
		                a->source, a->line_address);
	if (cfg_check_pair6(a, b, diag) < 0)
		return -EINVAL;
	if (a->uplink[0] && strcmp(a->uplink, b->uplink) == 0)
		return cfg_diag(diag, b->source, b->line_uplink,
		                "uplink '%s' is already used by network '%s' (%s:%u); a NIC can be "
		                "the uplink of one bridge only",
		                b->uplink, a->name, a->source, a->line_uplink);
	if (b->uplink[0] && strcmp(b->uplink, a->bridge) == 0)
		return cfg_diag(diag, b->source, b->line_uplink,
		                "uplink '%s' is the bridge of network '%s' (%s:%u)", b->uplink,
		                a->name, a->source, a->line_bridge);
	if (a->uplink[0] && strcmp(a->uplink, b->bridge) == 0)
		return cfg_diag(diag, b->source, b->line_bridge,
		                "bridge '%s' is the uplink of network '%s' (%s:%u); rename one of "
		                "them",
		                b->bridge, a->name, a->source, a->line_uplink);
	return cfg_check_forward_pair(a, b, diag);
}

int netd_config_check_set(const struct netd_config *c, struct netd_diag *diag)
{
	int ret;

	for (size_t j = 1; j < c->n_networks; j++)
		for (size_t i = 0; i < j; i++) {
			ret = check_pair(c->networks[i], c->networks[j], diag);
			if (ret < 0)
				return ret;
		}
	return 0;
}

int netd_config_check_host(const struct netd_network *n, const struct netd_host_prefix *hp,
                           size_t n_hp, struct netd_diag *diag)
{
	char mine[32], theirs[32];

	if (!n->has_address)
		return 0;
	for (size_t i = 0; i < n_hp; i++) {
		if (hp[i].owned_by[0] && strcmp(hp[i].owned_by, n->name) == 0)
			continue;
		/* A default route covers every subnet but claims none: a more specific
		 * route to our bridge wins over it. */
		if (hp[i].is_route && hp[i].prefix.len == 0)
			continue;
		if (!netd_prefix_overlaps(&n->address, &hp[i].prefix))
			continue;
		return cfg_diag(diag, n->source, n->line_address,
		                "subnet %s overlaps %s already on the host (%s %s)",
		                netd_prefix_format(&n->address, true, mine, sizeof(mine)),
		                netd_prefix_format(&hp[i].prefix, true, theirs, sizeof(theirs)),
		                hp[i].is_route ? "route via" : "address on", hp[i].ifname);
	}
	return cfg_check_nat_host(n, hp, n_hp, diag);
}
