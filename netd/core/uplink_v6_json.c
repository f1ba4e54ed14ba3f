/*
 * The IPv6 part of an uplink snapshot as JSON (the "ipv6" member of <network>.uplink):
 * addresses as "prefix" text with their flags and lifetimes, routes with their expiry, and
 * the sysctls as read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/json_get.h"
#include "netd/uplink_v6.h"

static json_object *ip6(const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static void add_int(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static json_object *addr_json(const struct netd_v6_addr *a)
{
	json_object *o = json_object_new_object();
	char pfx[INET6_ADDRSTRLEN + 4];

	json_object_object_add(
	    o, "prefix",
	    json_object_new_string(netd_v6_prefix_format(&a->addr, a->len, pfx, sizeof(pfx))));
	add_int(o, "scope", a->scope);
	add_int(o, "flags", a->flags);
	add_int(o, "valid", a->valid);
	add_int(o, "preferred", a->preferred);
	return o;
}

static json_object *route_json(const struct netd_v6_route *r)
{
	json_object *o = json_object_new_object();
	char pfx[INET6_ADDRSTRLEN + 4];

	json_object_object_add(
	    o, "dst",
	    json_object_new_string(netd_v6_prefix_format(&r->dst, r->dst_len, pfx, sizeof(pfx))));
	if (r->has_gateway)
		json_object_object_add(o, "gateway", ip6(&r->gateway));
	add_int(o, "metric", r->metric);
	add_int(o, "protocol", r->protocol);
	add_int(o, "type", r->type);
	add_int(o, "pref", r->pref);
	add_int(o, "expires", r->expires);
	if (r->ra)
		json_object_object_add(o, "ra", json_object_new_boolean(true));
	return o;
}

json_object *netd_uplink_v6_to_json(const struct netd_uplink_v6 *v)
{
	json_object *j = json_object_new_object(), *addrs = json_object_new_array(),
	            *routes = json_object_new_array(), *sys = json_object_new_object();

	add_int(j, "taken_at", v->taken_at);
	for (size_t i = 0; i < v->n_addrs; i++)
		json_object_array_add(addrs, addr_json(&v->addrs[i]));
	for (size_t i = 0; i < v->n_routes; i++)
		json_object_array_add(routes, route_json(&v->routes[i]));
	for (size_t i = 0; i < v->n_sysctls; i++)
		json_object_object_add(sys, v->sysctls[i].key,
		                       json_object_new_string(v->sysctls[i].value));
	json_object_object_add(j, "addresses", addrs);
	json_object_object_add(j, "routes", routes);
	json_object_object_add(j, "sysctls", sys);
	return j;
}

/* An integer member in [0, max]; -EINVAL when missing or out of range. */
static int num(json_object *o, const char *key, int64_t max, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -EINVAL;
	*out = json_object_get_int64(v);
	return *out < 0 || *out > max ? -EINVAL : 0;
}

/* "addr/len" into a and len. */
static int prefix6(const char *s, struct in6_addr *a, uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 4], *slash, *end;
	long l;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	l = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || l < 0 || l > 128 || inet_pton(AF_INET6, buf, a) != 1)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

static int addr_from(json_object *o, struct netd_v6_addr *a)
{
	int64_t scope, flags, valid, pref;

	if (!json_object_is_type(o, json_type_object) ||
	    prefix6(netd_json_str(o, "prefix"), &a->addr, &a->len) < 0 ||
	    num(o, "scope", 255, &scope) < 0 || num(o, "flags", UINT32_MAX, &flags) < 0 ||
	    num(o, "valid", UINT32_MAX, &valid) < 0 || num(o, "preferred", UINT32_MAX, &pref) < 0)
		return -EINVAL;
	a->scope = (uint8_t)scope;
	a->flags = (uint32_t)flags;
	a->valid = (uint32_t)valid;
	a->preferred = (uint32_t)pref;
	return 0;
}

static int route_from(json_object *o, struct netd_v6_route *r)
{
	int64_t metric, proto, type, pref, expires;
	json_object *v;
	const char *gw;

	if (!json_object_is_type(o, json_type_object) ||
	    prefix6(netd_json_str(o, "dst"), &r->dst, &r->dst_len) < 0 ||
	    num(o, "metric", UINT32_MAX, &metric) < 0 || num(o, "protocol", 255, &proto) < 0 ||
	    num(o, "type", 255, &type) < 0 || num(o, "pref", 255, &pref) < 0 ||
	    num(o, "expires", UINT32_MAX, &expires) < 0)
		return -EINVAL;
	gw = netd_json_str(o, "gateway");
	if (gw && inet_pton(AF_INET6, gw, &r->gateway) != 1)
		return -EINVAL;
	r->has_gateway = gw != NULL;
	r->ra = json_object_object_get_ex(o, "ra", &v) && json_object_get_boolean(v);
	r->metric = (uint32_t)metric;
	r->protocol = (uint8_t)proto;
	r->type = (uint8_t)type;
	r->pref = (uint8_t)pref;
	r->expires = (uint32_t)expires;
	return 0;
}

static int sysctls_from(json_object *o, struct netd_uplink_v6 *v)
{
	if (!o || !json_object_is_type(o, json_type_object) ||
	    json_object_object_length(o) > NETD_UPLINK_V6_MAX_SYSCTLS)
		return -EINVAL;
	json_object_object_foreach(o, key, val)
	{
		struct netd_v6_sysctl *s = &v->sysctls[v->n_sysctls];
		bool known = false;

		for (size_t i = 0; netd_uplink_v6_sysctl_keys[i]; i++)
			known |= strcmp(key, netd_uplink_v6_sysctl_keys[i]) == 0;
		/* Only keys netd moves: the file names paths under /proc/sys. */
		if (!known || !json_object_is_type(val, json_type_string) ||
		    strlen(json_object_get_string(val)) >= sizeof(s->value))
			return -EINVAL;
		snprintf(s->key, sizeof(s->key), "%s", key);
		snprintf(s->value, sizeof(s->value), "%s", json_object_get_string(val));
		v->n_sysctls++;
	}
	return 0;
}

int netd_uplink_v6_from_json(json_object *j, struct netd_uplink_v6 *v)
{
	json_object *arr, *sys;
	int64_t at;

	memset(v, 0, sizeof(*v));
	if (!j || !json_object_is_type(j, json_type_object) ||
	    num(j, "taken_at", INT64_MAX, &at) < 0 ||
	    !(arr = netd_json_array(j, "addresses", NETD_UPLINK_V6_MAX_ADDRS)))
		goto bad;
	v->taken_at = at;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (addr_from(json_object_array_get_idx(arr, i), &v->addrs[v->n_addrs++]) < 0)
			goto bad;
	if (!(arr = netd_json_array(j, "routes", NETD_UPLINK_V6_MAX_ROUTES)))
		goto bad;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (route_from(json_object_array_get_idx(arr, i), &v->routes[v->n_routes++]) < 0)
			goto bad;
	if (!json_object_object_get_ex(j, "sysctls", &sys) || sysctls_from(sys, v) < 0)
		goto bad;
	v->present = true;
	return 0;
bad:
	memset(v, 0, sizeof(*v));
	return -EINVAL;
}
