/*
 * The record of a network's taps: <state>/<network>.taps, JSON. It is what lets a netd that
 * restarts (or reloads) know which taps and static leases are its own: the taps themselves
 * are persistent kernel objects and outlive netd, the leases live in dnsmasq's hosts file,
 * which is rendered from the config plus this record.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netd/dnsmasq.h"
#include "netd/tap.h"

void netd_tap_state_clear(struct netd_tap_state *s)
{
	if (!s)
		return;
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int netd_tap_state_add(struct netd_tap_state *s, const struct netd_tap_record *r)
{
	struct netd_tap_record *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->v = v;
	s->v[s->n++] = *r;
	return 0;
}

void netd_tap_state_remove(struct netd_tap_state *s, size_t i)
{
	if (i >= s->n)
		return;
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
}

ssize_t netd_tap_state_find(const struct netd_tap_state *s, const char *tap)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].tap, tap) == 0)
			return (ssize_t)i;
	return -1;
}

int netd_tap_state_copy(const struct netd_tap_state *from, struct netd_tap_state *to)
{
	to->v = NULL;
	to->n = 0;
	if (!from || from->n == 0)
		return 0;
	to->v = malloc(from->n * sizeof(*to->v));
	if (!to->v)
		return -ENOMEM;
	memcpy(to->v, from->v, from->n * sizeof(*to->v));
	to->n = from->n;
	return 0;
}

int netd_tap_state_put(struct netd_tap_state *s, const struct netd_tap_record *r)
{
	ssize_t i = netd_tap_state_find(s, r->tap);

	if (i >= 0)
		netd_tap_state_remove(s, (size_t)i);
	return netd_tap_state_add(s, r);
}

int netd_tap_state_hosts(const struct netd_network *n, const struct netd_tap_state *s, char **out)
{
	size_t count = s ? s->n : 0, k = 0;
	struct netd_host *extra = calloc(count ? count : 1, sizeof(*extra));
	int ret;

	if (!extra)
		return -ENOMEM;
	/* Declared taps are in the config's part already; an attached one only when it has
	 * something for dnsmasq to hand out. */
	for (size_t i = 0; i < count; i++) {
		const struct netd_tap_record *r = &s->v[i];

		if (r->declared ||
		    (!r->addr.s_addr && IN6_IS_ADDR_UNSPECIFIED(&r->addr6) && !r->hostname[0]))
			continue;
		memcpy(extra[k].mac, r->mac, 6);
		extra[k].addr = r->addr;
		extra[k].addr6 = r->addr6;
		snprintf(extra[k].name, sizeof(extra[k].name), "%s", r->hostname);
		k++;
	}
	ret = netd_dnsmasq_render_hosts_extra(n, extra, k, out);
	free(extra);
	return ret;
}

/* What names a guest's port, in the record and in attach's answer alike. */
static void add_identity(json_object *o, const struct netd_tap_record *r)
{
	char mac[18], a[INET6_ADDRSTRLEN];

	json_object_object_add(o, "tap", json_object_new_string(r->tap));
	netd_mac_format(r->mac, mac);
	json_object_object_add(o, "mac", json_object_new_string(mac));
	netd_mac_format(r->host_mac, mac);
	json_object_object_add(o, "host_mac", json_object_new_string(mac));
	json_object_object_add(
	    o, "address",
	    r->addr.s_addr ? json_object_new_string(inet_ntop(AF_INET, &r->addr, a, sizeof(a)))
	                   : NULL);
	/* Only when it has one: records written before IPv6 read the same. */
	if (!IN6_IS_ADDR_UNSPECIFIED(&r->addr6))
		json_object_object_add(
		    o, "address6",
		    json_object_new_string(inet_ntop(AF_INET6, &r->addr6, a, sizeof(a))));
}

static json_object *record_obj(const struct netd_tap_record *r)
{
	json_object *o = json_object_new_object();

	add_identity(o, r);
	json_object_object_add(o, "hostname",
	                       r->hostname[0] ? json_object_new_string(r->hostname) : NULL);
	json_object_object_add(o, "declared", json_object_new_boolean(r->declared));
	json_object_object_add(o, "queues", json_object_new_int((int)r->queues));
	json_object_object_add(o, "owner", json_object_new_int64(r->owner));
	json_object_object_add(o, "group", r->has_group ? json_object_new_int64(r->group) : NULL);
	return o;
}

int netd_tap_state_format(const char *network, const struct netd_tap_state *s, char **out)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	const char *text;
	int ret = -ENOMEM;

	*out = NULL;
	if (!root || !arr) {
		json_object_put(arr);
		goto out;
	}
	json_object_object_add(root, "network", json_object_new_string(network));
	json_object_object_add(root, "taps", arr);
	for (size_t i = 0; i < s->n; i++)
		json_object_array_add(arr, record_obj(&s->v[i]));
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text && (*out = malloc(strlen(text) + 2))) {
		sprintf(*out, "%s\n", text);
		ret = 0;
	}
out:
	json_object_put(root);
	return ret;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool int_of(json_object *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= min && *out <= max;
}

static bool is_null(json_object *o, const char *key)
{
	json_object *v;

	return !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null);
}

static int parse_record(json_object *o, struct netd_tap_record *r, size_t i, struct netd_diag *diag)
{
	const char *s;
	int64_t v;
	json_object *b;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object))
		goto bad;
	s = str_of(o, "tap");
	if (!s || !netd_ifname_valid(s))
		goto bad;
	snprintf(r->tap, sizeof(r->tap), "%s", s);
	s = str_of(o, "mac");
	if (!s || netd_mac_parse(s, r->mac) < 0)
		goto bad;
	s = str_of(o, "host_mac");
	if (!s || netd_mac_parse(s, r->host_mac) < 0)
		goto bad;
	if (!is_null(o, "address") &&
	    (!(s = str_of(o, "address")) || netd_ipv4_parse(s, &r->addr) < 0))
		goto bad;
	if (!is_null(o, "address6") &&
	    (!(s = str_of(o, "address6")) || netd_ipv6_parse(s, &r->addr6) < 0))
		goto bad;
	if (!is_null(o, "hostname")) {
		s = str_of(o, "hostname");
		if (!s || strlen(s) >= sizeof(r->hostname))
			goto bad;
		snprintf(r->hostname, sizeof(r->hostname), "%s", s);
	}
	if (!json_object_object_get_ex(o, "declared", &b) ||
	    !json_object_is_type(b, json_type_boolean))
		goto bad;
	r->declared = json_object_get_boolean(b);
	if (!int_of(o, "queues", 1, NETD_TAP_QUEUES_MAX, &v))
		goto bad;
	r->queues = (unsigned)v;
	if (!int_of(o, "owner", 0, UINT32_MAX - 1, &v))
		goto bad;
	r->owner = (uid_t)v;
	if (!is_null(o, "group")) {
		if (!int_of(o, "group", 0, UINT32_MAX - 1, &v))
			goto bad;
		r->has_group = true;
		r->group = (gid_t)v;
	}
	return 0;
bad:
	netd_diag_set(diag, "tap record %zu is malformed", i);
	return -EINVAL;
}

int netd_tap_state_parse(const char *text, struct netd_tap_state *out, struct netd_diag *diag)
{
	json_object *root = json_tokener_parse(text), *arr;
	struct netd_tap_record r;
	int ret = -EINVAL;

	out->v = NULL;
	out->n = 0;
	if (!root || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "taps", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		netd_diag_set(diag, "not a tap record: expected {\"network\":...,\"taps\":[...]}");
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		ret = parse_record(json_object_array_get_idx(arr, i), &r, i, diag);
		if (ret == 0 && netd_tap_state_find(out, r.tap) >= 0) {
			netd_diag_set(diag, "tap %s is recorded twice", r.tap);
			ret = -EINVAL;
		}
		if (ret == 0)
			ret = netd_tap_state_add(out, &r);
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		netd_tap_state_clear(out);
	json_object_put(root);
	return ret;
}

json_object *netd_tap_record_json(const char *network, const struct netd_tap_record *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "network", json_object_new_string(network));
	add_identity(o, r);
	if (r->hostname[0])
		json_object_object_add(o, "hostname", json_object_new_string(r->hostname));
	json_object_object_add(o, "qemu", netd_tap_qemu_args(r->tap, r->mac, r->queues));
	return o;
}
