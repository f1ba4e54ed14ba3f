/* An uplink snapshot as JSON in the state dir: what `down` needs to put the uplink back,
 * kept on disk so it survives a netd restart between `up` and `down`. The file itself (its
 * envelope, atomic durable write, previous copy) is netd/util/state_file.h's. */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netd/json_get.h"
#include "netd/kernel/uplink.h"

static json_object *ip(struct in_addr a)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	return json_object_new_string(buf);
}

int netd_uplink_to_json(const struct netd_uplink_state *s, char **out)
{
	json_object *j = json_object_new_object(), *addrs = json_object_new_array(),
	            *routes = json_object_new_array();
	char mac[18], pfx[32];

	netd_mac_format(s->mac, mac);
	json_object_object_add(j, "name", json_object_new_string(s->name));
	json_object_object_add(j, "mac", json_object_new_string(mac));
	json_object_object_add(j, "was_up", json_object_new_boolean(s->was_up));
	for (size_t i = 0; i < s->n_addrs; i++) {
		json_object *a = json_object_new_object();

		json_object_object_add(a, "prefix",
		                       json_object_new_string(netd_prefix_format(
		                           &s->addrs[i].prefix, false, pfx, sizeof(pfx))));
		json_object_object_add(a, "broadcast", ip(s->addrs[i].broadcast));
		json_object_object_add(a, "flags", json_object_new_int(s->addrs[i].flags));
		json_object_object_add(a, "scope", json_object_new_int(s->addrs[i].scope));
		json_object_array_add(addrs, a);
	}
	for (size_t i = 0; i < s->n_routes; i++) {
		const struct netd_uplink_route *r = &s->routes[i];
		json_object *o = json_object_new_object();

		json_object_object_add(
		    o, "dst",
		    json_object_new_string(netd_prefix_format(&r->dst, false, pfx, sizeof(pfx))));
		json_object_object_add(o, "gateway", ip(r->gateway));
		json_object_object_add(o, "prefsrc", ip(r->prefsrc));
		json_object_object_add(o, "metric", json_object_new_int64(r->metric));
		json_object_object_add(o, "protocol", json_object_new_int(r->protocol));
		json_object_object_add(o, "scope", json_object_new_int(r->scope));
		json_object_object_add(o, "type", json_object_new_int(r->type));
		json_object_array_add(routes, o);
	}
	json_object_object_add(j, "addresses", addrs);
	json_object_object_add(j, "routes", routes);
	/* Format 2 adds "ipv6"; a format 1 file (no IPv6 saved) still loads and restores IPv4. */
	if (s->v6.present) {
		json_object_object_add(j, "format", json_object_new_int(NETD_UPLINK_FORMAT));
		json_object_object_add(j, "ipv6", netd_uplink_v6_to_json(&s->v6));
	}
	*out = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY));
	json_object_put(j);
	return *out ? 0 : -ENOMEM;
}

static int64_t num(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* "format" absent or 1: written before IPv6 was saved; 2: with "ipv6"; later: refused. */
static int v6_from_json(json_object *j, struct netd_uplink_v6 *v)
{
	int64_t format = json_object_object_get_ex(j, "format", NULL) ? num(j, "format") : 1;
	json_object *o;

	memset(v, 0, sizeof(*v));
	if (format < 1 || format > NETD_UPLINK_FORMAT)
		return -EINVAL;
	if (!json_object_object_get_ex(j, "ipv6", &o))
		return format == 1 ? 0 : -EINVAL;
	return netd_uplink_v6_from_json(o, v);
}

int netd_uplink_from_json(const char *text, struct netd_uplink_state *s)
{
	json_object *j = json_tokener_parse(text), *arr, *v;
	int ret = -EINVAL;

	memset(s, 0, sizeof(*s));
	if (!j || !json_object_is_type(j, json_type_object) || !netd_json_str(j, "name") ||
	    !netd_ifname_valid(netd_json_str(j, "name")) ||
	    netd_mac_parse(netd_json_str(j, "mac") ? netd_json_str(j, "mac") : "", s->mac) < 0)
		goto out;
	snprintf(s->name, sizeof(s->name), "%s", netd_json_str(j, "name"));
	s->was_up = json_object_object_get_ex(j, "was_up", &v) && json_object_get_boolean(v);
	if (!(arr = netd_json_array(j, "addresses", NETD_UPLINK_MAX_ADDRS)))
		goto out;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *a = json_object_array_get_idx(arr, i);
		struct netd_uplink_addr *x = &s->addrs[s->n_addrs++];

		if (netd_prefix_parse(netd_json_str(a, "prefix"), &x->prefix) < 0 ||
		    netd_ipv4_parse(netd_json_str(a, "broadcast"), &x->broadcast) < 0)
			goto out;
		x->flags = (uint8_t)num(a, "flags");
		x->scope = (uint8_t)num(a, "scope");
	}
	if (!(arr = netd_json_array(j, "routes", NETD_UPLINK_MAX_ROUTES)))
		goto out;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct netd_uplink_route *r = &s->routes[s->n_routes++];

		if (netd_prefix_parse(netd_json_str(o, "dst"), &r->dst) < 0 ||
		    netd_ipv4_parse(netd_json_str(o, "gateway"), &r->gateway) < 0 ||
		    netd_ipv4_parse(netd_json_str(o, "prefsrc"), &r->prefsrc) < 0)
			goto out;
		r->metric = (uint32_t)num(o, "metric");
		r->protocol = (uint8_t)num(o, "protocol");
		r->scope = (uint8_t)num(o, "scope");
		r->type = (uint8_t)num(o, "type");
	}
	ret = v6_from_json(j, &s->v6);
out:
	json_object_put(j);
	return ret;
}

static int to_json(const void *s, char **out)
{
	return netd_uplink_to_json(s, out);
}

static int from_json(const char *text, void *s)
{
	return netd_uplink_from_json(text, s);
}

/* Durable (as every state file): after a crash it is the way to give the uplink back. */
static const struct netd_state_record record = {
    NETD_UPLINK_KIND,
    to_json,
    from_json,
    "not an uplink snapshot",
};

int netd_uplink_save(const char *state_dir, const char *network, const struct netd_uplink_state *s)
{
	return netd_state_record_save(&record, state_dir, network, s);
}

int netd_uplink_load(const char *state_dir, const char *network, enum netd_state_copy which,
                     struct netd_uplink_state *s, struct netd_state_info *info)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = netd_state_record_load(&record, state_dir, network, which, s, info);
	/* Lifetimes count down while the file sits on disk. */
	if (ret == 0 && s->v6.present)
		netd_uplink_v6_age(&s->v6, (int64_t)time(NULL));
	return ret;
}

int netd_uplink_forget(const char *state_dir, const char *network, struct netd_diag *diag)
{
	return netd_state_record_forget(&record, state_dir, network, diag);
}
