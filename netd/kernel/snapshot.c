/*
 * One pass's view of the namespace's links and IPv4 addresses (kernel/snapshot.h): read whole
 * up front and looked up by binary search, or narrow, each lookup a query of its own that
 * the kernel filters to what it names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/snapshot.h"

/* An address with its place in the dump: a link's addresses keep the kernel's order. */
struct snap_addr {
	struct netd_link_addr a;
	size_t pos;
};

struct netd_kernel_snapshot {
	struct netd_nl *nl;
	bool whole;
	struct netd_link_info *links;
	size_t n_links;
	/* The same links, sorted four ways: by name, by ifindex, by (master, ifindex), by
	 * (alias, ifindex). */
	const struct netd_link_info **by_name, **by_index, **by_master, **by_alias;
	struct snap_addr *addrs; /* by (ifindex, pos) */
	size_t n_addrs;
};

static int cmp_name(const void *a, const void *b)
{
	const struct netd_link_info *x = *(const struct netd_link_info *const *)a;
	const struct netd_link_info *y = *(const struct netd_link_info *const *)b;

	return strcmp(x->name, y->name);
}

static int cmp_int(int x, int y)
{
	return (x > y) - (x < y);
}

static int cmp_index(const void *a, const void *b)
{
	const struct netd_link_info *x = *(const struct netd_link_info *const *)a;
	const struct netd_link_info *y = *(const struct netd_link_info *const *)b;

	return cmp_int(x->ifindex, y->ifindex);
}

static int cmp_master(const void *a, const void *b)
{
	const struct netd_link_info *x = *(const struct netd_link_info *const *)a;
	const struct netd_link_info *y = *(const struct netd_link_info *const *)b;

	return x->master != y->master ? cmp_int(x->master, y->master)
	                              : cmp_int(x->ifindex, y->ifindex);
}

static int cmp_alias(const void *a, const void *b)
{
	const struct netd_link_info *x = *(const struct netd_link_info *const *)a;
	const struct netd_link_info *y = *(const struct netd_link_info *const *)b;
	int c = strcmp(x->alias, y->alias);

	return c ? c : cmp_int(x->ifindex, y->ifindex);
}

static int cmp_addr(const void *a, const void *b)
{
	const struct snap_addr *x = a, *y = b;

	if (x->a.ifindex != y->a.ifindex)
		return cmp_int(x->a.ifindex, y->a.ifindex);
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static const struct netd_link_info **sorted(const struct netd_kernel_snapshot *k,
                                            int (*cmp)(const void *, const void *))
{
	const struct netd_link_info **v = calloc(k->n_links + 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < k->n_links; i++)
		v[i] = &k->links[i];
	qsort(v, k->n_links, sizeof(*v), cmp);
	return v;
}

/* The addresses of the dump, sorted by link (each link's in the dump's order). */
static int take_addrs(struct netd_kernel_snapshot *k)
{
	struct netd_link_addr *v = NULL;
	size_t n = 0;
	int ret;

	ret = netd_nl_addr_list(k->nl, 0, &v, &n);
	if (ret < 0)
		return ret;
	k->addrs = calloc(n + 1, sizeof(*k->addrs));
	if (!k->addrs) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		k->addrs[i] = (struct snap_addr){.a = v[i], .pos = i};
	k->n_addrs = n;
	qsort(k->addrs, n, sizeof(*k->addrs), cmp_addr);
	free(v);
	return 0;
}

int netd_snapshot_narrow(struct netd_nl *nl, struct netd_kernel_snapshot **out)
{
	struct netd_kernel_snapshot *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->nl = nl;
	*out = k;
	return 0;
}

int netd_snapshot_take(struct netd_nl *nl, struct netd_kernel_snapshot **out)
{
	struct netd_kernel_snapshot *k = NULL;
	int ret;

	ret = netd_snapshot_narrow(nl, &k);
	if (ret < 0)
		return ret;
	ret = netd_nl_link_list(nl, &k->links, &k->n_links);
	if (ret < 0)
		goto fail;
	ret = -ENOMEM;
	k->by_name = sorted(k, cmp_name);
	k->by_index = sorted(k, cmp_index);
	k->by_master = sorted(k, cmp_master);
	k->by_alias = sorted(k, cmp_alias);
	if (!k->by_name || !k->by_index || !k->by_master || !k->by_alias)
		goto fail;
	ret = take_addrs(k);
	if (ret < 0)
		goto fail;
	k->whole = true;
	*out = k;
	return 0;
fail:
	netd_snapshot_free(k);
	return ret;
}

void netd_snapshot_free(struct netd_kernel_snapshot *k)
{
	if (!k)
		return;
	free(k->links);
	free(k->by_name);
	free(k->by_index);
	free(k->by_master);
	free(k->by_alias);
	free(k->addrs);
	free(k);
}

bool netd_snapshot_is_whole(const struct netd_kernel_snapshot *k)
{
	return k->whole;
}

int netd_snapshot_link(struct netd_kernel_snapshot *k, const char *name, struct netd_link_info *out)
{
	struct netd_link_info key;
	const struct netd_link_info *kp = &key, **hit;

	if (!k->whole)
		return netd_nl_link_get(k->nl, name, out);
	if (!netd_ifname_valid(name))
		return -ENODEV;
	snprintf(key.name, sizeof(key.name), "%s", name);
	hit = bsearch(&kp, k->by_name, k->n_links, sizeof(*hit), cmp_name);
	if (!hit)
		return -ENODEV;
	*out = **hit;
	return 0;
}

int netd_snapshot_link_by_index(struct netd_kernel_snapshot *k, int ifindex,
                                struct netd_link_info *out)
{
	struct netd_link_info key = {.ifindex = ifindex};
	const struct netd_link_info *kp = &key, **hit;

	if (!k->whole)
		return netd_nl_link_get_by_index(k->nl, ifindex, out);
	hit = ifindex > 0 ? bsearch(&kp, k->by_index, k->n_links, sizeof(*hit), cmp_index) : NULL;
	if (!hit)
		return -ENODEV;
	*out = **hit;
	return 0;
}

/* The first of k->by_master whose master is at least master. */
static size_t first_port(const struct netd_kernel_snapshot *k, int master)
{
	size_t lo = 0, hi = k->n_links;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->by_master[mid]->master < master)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int netd_snapshot_ports(struct netd_kernel_snapshot *k, int master, struct netd_link_info **out,
                        size_t *n)
{
	size_t first, end;

	*out = NULL;
	*n = 0;
	if (!k->whole)
		return netd_nl_link_ports(k->nl, master, out, n);
	if (master <= 0)
		return -ENODEV;
	first = first_port(k, master);
	for (end = first; end < k->n_links && k->by_master[end]->master == master; end++)
		;
	if (end == first)
		return 0;
	*out = calloc(end - first, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = first; i < end; i++)
		(*out)[i - first] = *k->by_master[i];
	*n = end - first;
	return 0;
}

/* The first of k->by_alias whose alias is at least alias. */
static size_t first_alias(const struct netd_kernel_snapshot *k, const char *alias)
{
	size_t lo = 0, hi = k->n_links;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(k->by_alias[mid]->alias, alias) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Narrow: the kernel filters by kind, not by alias. */
static int query_tagged_taps(struct netd_kernel_snapshot *k, const char *alias,
                             struct netd_link_info **out, size_t *n)
{
	struct netd_link_info *v = NULL;
	size_t m = 0, all = 0;
	int ret;

	ret = netd_nl_link_of_kind(k->nl, "tun", &v, &all);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < all; i++)
		if (strcmp(v[i].alias, alias) == 0)
			v[m++] = v[i];
	if (m == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = m;
	return 0;
}

int netd_snapshot_tagged_taps(struct netd_kernel_snapshot *k, const char *alias,
                              struct netd_link_info **out, size_t *n)
{
	size_t first, end, m = 0;

	*out = NULL;
	*n = 0;
	if (!k->whole)
		return query_tagged_taps(k, alias, out, n);
	first = first_alias(k, alias);
	for (end = first; end < k->n_links && strcmp(k->by_alias[end]->alias, alias) == 0; end++)
		;
	if (end == first)
		return 0;
	*out = calloc(end - first, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = first; i < end; i++)
		if (strcmp(k->by_alias[i]->kind, "tun") == 0)
			(*out)[m++] = *k->by_alias[i];
	if (m == 0) {
		free(*out);
		*out = NULL;
	}
	*n = m;
	return 0;
}

/* From a narrow snapshot: one filtered dump. */
static int query_addrs(struct netd_kernel_snapshot *k, int ifindex, struct netd_prefix **out,
                       size_t *n)
{
	struct netd_link_addr *v = NULL;
	size_t m = 0;
	int ret;

	ret = netd_nl_addr_list(k->nl, ifindex, &v, &m);
	if (ret < 0)
		return ret;
	*out = calloc(m + 1, sizeof(**out));
	if (!*out) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m; i++)
		if (v[i].ifindex == ifindex)
			(*out)[(*n)++] = v[i].prefix;
	free(v);
	return 0;
}

int netd_snapshot_addrs(struct netd_kernel_snapshot *k, int ifindex, struct netd_prefix **out,
                        size_t *n)
{
	size_t lo = 0, hi = k->n_addrs, end;

	*out = NULL;
	*n = 0;
	if (ifindex <= 0)
		return -ENODEV;
	if (!k->whole)
		return query_addrs(k, ifindex, out, n);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->addrs[mid].a.ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < k->n_addrs && k->addrs[end].a.ifindex == ifindex; end++)
		;
	if (end == lo)
		return 0;
	*out = calloc(end - lo, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = lo; i < end; i++)
		(*out)[i - lo] = k->addrs[i].a.prefix;
	*n = end - lo;
	return 0;
}

int netd_snapshot_addr_has(struct netd_kernel_snapshot *k, int ifindex, const struct netd_prefix *p)
{
	struct netd_prefix *v = NULL;
	size_t n = 0;
	int ret;

	ret = netd_snapshot_addrs(k, ifindex, &v, &n);
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (v[i].len == p->len && v[i].addr.s_addr == p->addr.s_addr)
			ret = 1;
	free(v);
	return ret;
}
