/* Port forwards (include/netd/forward.h): their rules, text and JSON. Pure. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/forward.h"
#include "netd/mode.h"

int netd_forward_proto_from_string(const char *s)
{
	if (strcmp(s, "tcp") == 0)
		return IPPROTO_TCP;
	if (strcmp(s, "udp") == 0)
		return IPPROTO_UDP;
	return -EINVAL;
}

const char *netd_forward_proto_to_string(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "?";
}

static int port_parse(const char *s, const char **end, uint16_t *out)
{
	unsigned long v = 0;
	const char *c = s;

	while (*c >= '0' && *c <= '9' && c - s < 6)
		v = v * 10 + (unsigned long)(*c++ - '0');
	if (c == s || (*s == '0' && c - s > 1) || v < 1 || v > 65535)
		return -EINVAL;
	*end = c;
	*out = (uint16_t)v;
	return 0;
}

int netd_port_range_parse(const char *s, struct netd_port_range *out)
{
	struct netd_port_range r;
	const char *c;

	if (port_parse(s, &c, &r.first) < 0)
		return -EINVAL;
	r.last = r.first;
	if (*c == '-' && port_parse(c + 1, &c, &r.last) < 0)
		return -EINVAL;
	if (*c || r.last < r.first)
		return -EINVAL;
	*out = r;
	return 0;
}

void netd_forward_defaults(struct netd_forward *f)
{
	if (!f->guest_port.first)
		f->guest_port = f->host_port;
}

bool netd_forward_overlaps(const struct netd_forward *a, const struct netd_forward *b)
{
	return a->proto == b->proto &&
	       (!a->host_addr.s_addr || !b->host_addr.s_addr ||
	        a->host_addr.s_addr == b->host_addr.s_addr) &&
	       a->host_port.first <= b->host_port.last && b->host_port.first <= a->host_port.last;
}

static int fail(enum netd_forward_key *key, enum netd_forward_key k, char *why, size_t len,
                const char *msg, const char *arg)
{
	*key = k;
	snprintf(why, len, msg, arg);
	return -EINVAL;
}

/* Where the guest stands: inside the subnet, not the host, network or broadcast address. */
static int check_guest(const struct netd_network *n, const struct netd_forward *f,
                       enum netd_forward_key *key, char *why, size_t len)
{
	static const char *const what[] = {
	    [NETD_GUEST_ADDR_OUTSIDE] = "GuestAddress %s is outside the network's subnet",
	    [NETD_GUEST_ADDR_HOST] = "GuestAddress %s is the host's own address on the network",
	    [NETD_GUEST_ADDR_NETWORK] = "GuestAddress %s is the subnet's network address",
	    [NETD_GUEST_ADDR_BROADCAST] = "GuestAddress %s is the subnet's broadcast address",
	};
	char ip[INET_ADDRSTRLEN];
	enum netd_guest_addr g = netd_guest_addr_check(&n->address, f->guest);

	inet_ntop(AF_INET, &f->guest, ip, sizeof(ip));
	return g == NETD_GUEST_ADDR_OK
	           ? 0
	           : fail(key, NETD_FWD_KEY_GUEST_ADDRESS, why, len, what[g], ip);
}

static int check_host_addr(const struct netd_network *n, const struct netd_forward *f,
                           enum netd_forward_key *key, char *why, size_t len)
{
	uint32_t a = ntohl(f->host_addr.s_addr);
	char ip[INET_ADDRSTRLEN];

	if (!a)
		return 0;
	inet_ntop(AF_INET, &f->host_addr, ip, sizeof(ip));
	if (a >= 0xe0000000u)
		return fail(key, NETD_FWD_KEY_HOST_ADDRESS, why, len,
		            "HostAddress %s is a multicast or broadcast address; give one of the "
		            "host's own addresses",
		            ip);
	if (f->host_addr.s_addr == n->address.addr.s_addr)
		return fail(key, NETD_FWD_KEY_HOST_ADDRESS, why, len,
		            "HostAddress %s is the network's own bridge address, which its guests "
		            "use to reach the host; give another address of the host",
		            ip);
	return 0;
}

int netd_forward_check(const struct netd_network *n, const struct netd_forward *f,
                       enum netd_forward_key *key, char *why, size_t len)
{
	const struct netd_mode_ops *ops = netd_mode_ops(n->mode);
	unsigned hl = netd_port_range_len(&f->host_port);
	int ret;

	if (!ops || !ops->port_forwards || !n->has_address)
		return fail(
		    key, NETD_FWD_KEY_PROTOCOL, why, len,
		    "Mode=%s does not route to its guests, so nothing can be forwarded to them; "
		    "forwards need a mode that does NAT or routing (Mode=nat or routed)",
		    ops ? ops->name : "?");
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return fail(key, NETD_FWD_KEY_PROTOCOL, why, len, "%s", "use Protocol=tcp or udp");
	if (hl > NETD_FORWARD_PORTS_MAX)
		return fail(key, NETD_FWD_KEY_HOST_PORT, why, len,
		            "HostPort spans more than %s ports; split it into several forwards",
		            "1024");
	if (netd_port_range_len(&f->guest_port) != hl)
		return fail(key, NETD_FWD_KEY_GUEST_PORT, why, len, "%s",
		            "GuestPort's range must be as long as HostPort's (each host port goes "
		            "to its own guest port)");
	ret = check_guest(n, f, key, why, len);
	return ret ? ret : check_host_addr(n, f, key, why, len);
}

bool netd_forward_find_overlap(const struct netd_config *c, const struct netd_network *self,
                               const struct netd_forward *f, bool skip_self,
                               const struct netd_network **owner, size_t *index)
{
	for (size_t i = 0; c && i < c->n_networks; i++) {
		const struct netd_network *m = c->networks[i];

		if (skip_self && m == self)
			continue;
		for (size_t j = 0; j < m->n_forwards; j++)
			if (&m->forwards[j] != f && netd_forward_overlaps(&m->forwards[j], f)) {
				*owner = m;
				*index = j;
				return true;
			}
	}
	return false;
}

static void range_text(const struct netd_port_range *r, char *buf, size_t len)
{
	if (r->first == r->last)
		snprintf(buf, len, "%u", r->first);
	else
		snprintf(buf, len, "%u-%u", r->first, r->last);
}

void netd_forward_format(const struct netd_forward *f, char *buf, size_t len)
{
	char host[INET_ADDRSTRLEN] = "*", guest[INET_ADDRSTRLEN], hp[16], gp[16];

	if (f->host_addr.s_addr)
		inet_ntop(AF_INET, &f->host_addr, host, sizeof(host));
	inet_ntop(AF_INET, &f->guest, guest, sizeof(guest));
	range_text(&f->host_port, hp, sizeof(hp));
	range_text(&f->guest_port, gp, sizeof(gp));
	snprintf(buf, len, "%s %s:%s -> %s:%s", netd_forward_proto_to_string(f->proto), host, hp,
	         guest, gp);
}

static int add_str(json_object *o, const char *key, const char *v)
{
	json_object *s = json_object_new_string(v);

	if (!s || json_object_object_add(o, key, s) < 0) {
		json_object_put(s);
		return -ENOMEM;
	}
	return 0;
}

json_object *netd_forward_to_json(const struct netd_forward *f)
{
	char ip[INET_ADDRSTRLEN], hp[16], gp[16];
	json_object *o = json_object_new_object();
	int ret;

	if (!o)
		return NULL;
	range_text(&f->host_port, hp, sizeof(hp));
	range_text(&f->guest_port, gp, sizeof(gp));
	ret = add_str(o, "protocol", netd_forward_proto_to_string(f->proto));
	if (!ret)
		ret = add_str(o, "host_port", hp);
	if (!ret)
		ret = add_str(o, "guest_address", inet_ntop(AF_INET, &f->guest, ip, sizeof(ip)));
	if (!ret)
		ret = add_str(o, "guest_port", gp);
	if (!ret && f->host_addr.s_addr)
		ret = add_str(o, "host_address", inet_ntop(AF_INET, &f->host_addr, ip, sizeof(ip)));
	if (!ret && f->live)
		ret =
		    json_object_object_add(o, "live", json_object_new_boolean(1)) < 0 ? -ENOMEM : 0;
	if (ret) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Member key of o as a string ("8080", "8000-8010") or a number; NULL when absent. */
static const char *member(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (json_object_is_type(v, json_type_int)) {
		snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
		return buf;
	}
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

int netd_forward_from_json(json_object *o, struct netd_forward *f, char *why, size_t len)
{
	char b1[24], b2[24], b3[24], b4[24], b5[24];
	const char *proto = member(o, "protocol", b1, sizeof(b1));
	const char *hp = member(o, "host_port", b2, sizeof(b2));
	const char *guest = member(o, "guest_address", b3, sizeof(b3));
	const char *gp = member(o, "guest_port", b4, sizeof(b4));
	const char *host = member(o, "host_address", b5, sizeof(b5));
	int p;

	memset(f, 0, sizeof(*f));
	if (!json_object_is_type(o, json_type_object) || !proto || !hp || !guest) {
		snprintf(why, len, "a forward needs protocol, host_port and guest_address");
		return -EINVAL;
	}
	p = netd_forward_proto_from_string(proto);
	if (p < 0) {
		snprintf(why, len, "invalid protocol '%.20s': use tcp or udp", proto);
		return -EINVAL;
	}
	f->proto = (uint8_t)p;
	if (netd_port_range_parse(hp, &f->host_port) < 0 ||
	    (gp && netd_port_range_parse(gp, &f->guest_port) < 0)) {
		snprintf(why, len, "invalid port '%.20s': give a port 1-65535 or a range N-M",
		         netd_port_range_parse(hp, &f->host_port) < 0 ? hp : gp);
		return -EINVAL;
	}
	if (netd_ipv4_parse(guest, &f->guest) < 0 ||
	    (host && netd_ipv4_parse(host, &f->host_addr) < 0)) {
		snprintf(why, len, "invalid address '%.20s': give one IPv4 address",
		         netd_ipv4_parse(guest, &f->guest) < 0 ? guest : host);
		return -EINVAL;
	}
	netd_forward_defaults(f);
	return 0;
}

bool netd_forward_same(const struct netd_forward *a, const struct netd_forward *b)
{
	return a->proto == b->proto && a->host_port.first == b->host_port.first &&
	       a->host_port.last == b->host_port.last && a->guest.s_addr == b->guest.s_addr &&
	       a->guest_port.first == b->guest_port.first &&
	       a->guest_port.last == b->guest_port.last &&
	       a->host_addr.s_addr == b->host_addr.s_addr;
}

int netd_forward_append(struct netd_network *n, const struct netd_forward *f)
{
	struct netd_forward *v = realloc(n->forwards, (n->n_forwards + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	n->forwards = v;
	v[n->n_forwards++] = *f;
	return 0;
}

void netd_forward_remove_at(struct netd_network *n, size_t i)
{
	if (i >= n->n_forwards)
		return;
	memmove(&n->forwards[i], &n->forwards[i + 1],
	        (n->n_forwards - i - 1) * sizeof(n->forwards[0]));
	n->n_forwards--;
}

int netd_forward_request_decode(json_object *req, struct netd_forward *f, bool *remove,
                                struct netd_diag *diag)
{
	json_object *op, *fw = NULL;
	char why[160];

	if (!json_object_object_get_ex(req, "op", &op) ||
	    !json_object_is_type(op, json_type_string) ||
	    (strcmp(json_object_get_string(op), "add") != 0 &&
	     strcmp(json_object_get_string(op), "remove") != 0)) {
		netd_diag_set(diag, "'forward' needs \"op\": \"add\" or \"remove\"");
		return -EINVAL;
	}
	*remove = strcmp(json_object_get_string(op), "remove") == 0;
	if (!json_object_object_get_ex(req, "forward", &fw) ||
	    netd_forward_from_json(fw, f, why, sizeof(why)) < 0) {
		netd_diag_set(diag, "'forward': %s",
		              fw ? why : "needs \"forward\": {\"protocol\", \"host_port\", ...}");
		return -EINVAL;
	}
	f->live = true;
	return 0;
}

int netd_forward_list_to_json(const void *list, char **out)
{
	const struct netd_forward_list *l = list;
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	int ret = 0;

	*out = NULL;
	if (!o || !arr || json_object_object_add(o, "forwards", arr) < 0) {
		json_object_put(arr);
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < l->n && !ret; i++) {
		json_object *f = netd_forward_to_json(&l->v[i]);

		if (!f || json_object_array_add(arr, f) < 0) {
			json_object_put(f);
			ret = -ENOMEM;
		}
	}
	if (!ret && !(*out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN))))
		ret = -ENOMEM;
out:
	json_object_put(o);
	return ret;
}

int netd_forward_list_from_json(const char *text, void *list)
{
	struct netd_forward_list *l = list;
	json_object *o = json_tokener_parse(text), *arr;
	struct netd_forward f;
	char why[160];
	int ret = -EINVAL;

	memset(l, 0, sizeof(*l));
	if (!o || !json_object_object_get_ex(o, "forwards", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		goto out;
	l->v = calloc(json_object_array_length(arr) + 1, sizeof(*l->v));
	if (!l->v) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		if (netd_forward_from_json(json_object_array_get_idx(arr, i), &f, why,
		                           sizeof(why)) < 0)
			goto out;
		f.live = true;
		l->v[l->n++] = f;
	}
	ret = 0;
out:
	if (ret < 0)
		netd_forward_list_clear(l);
	json_object_put(o);
	return ret;
}

void netd_forward_list_clear(struct netd_forward_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

json_object *netd_forwards_json(const struct netd_network *n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n->n_forwards; i++) {
		const struct netd_forward *f = &n->forwards[i];
		json_object *o = netd_forward_to_json(f);

		if (o && !f->live)
			json_object_object_add(o, "line", json_object_new_int64(f->line));
		if (!o || json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}
