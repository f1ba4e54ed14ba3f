/*
 * Port forwards: connections to a port of the host (any of its addresses but the network's own
 * bridge address, or one HostAddress=) DNATed to a guest of a network whose mode allows it
 * (netd_mode_ops.port_forwards). Pure: the rules that make one valid, their text, their JSON
 * (the control protocol and the state file of live forwards share it). The config file's
 * [Forward] sections are parsed by core/config_forward.c through these; the nft rules come
 * from core/nft_forward.c.
 */
#ifndef NETD_FORWARD_H
#define NETD_FORWARD_H

#include <json-c/json.h>

#include "netd/model.h"

/* "tcp" / "udp" -> IPPROTO_*; -EINVAL for anything else. */
int netd_forward_proto_from_string(const char *s);
const char *netd_forward_proto_to_string(uint8_t proto); /* "?" for others */
/* "8080" or "8000-8010": 1..65535, first <= last; -EINVAL otherwise. */
int netd_port_range_parse(const char *s, struct netd_port_range *out);
static inline unsigned netd_port_range_len(const struct netd_port_range *r)
{
	return (unsigned)r->last - r->first + 1u;
}
/* GuestPort= defaults to HostPort=. */
void netd_forward_defaults(struct netd_forward *f);

/* Same protocol, host addresses that meet (any meets every address) and host port ranges that
 * share a port: the kernel could not tell which one a connection is for. */
bool netd_forward_overlaps(const struct netd_forward *a, const struct netd_forward *b);

/*
 * Forward f on network n, by itself: the mode forwards, the guest is an address of the subnet
 * and not the host's, GuestPort's range as long as HostPort's and at most
 * NETD_FORWARD_PORTS_MAX ports, HostAddress not the bridge's own or a multicast or broadcast
 * one. 0, or -EINVAL with why (a sentence) and *key, the key it is about.
 */
int netd_forward_check(const struct netd_network *n, const struct netd_forward *f,
                       enum netd_forward_key *key, char *why, size_t len);

/* The forward of some network of c (self's excepted when skip_self) that f overlaps: its
 * network and index, or false. */
bool netd_forward_find_overlap(const struct netd_config *c, const struct netd_network *self,
                               const struct netd_forward *f, bool skip_self,
                               const struct netd_network **owner, size_t *index);

/* "tcp *:8080 -> 192.122.1.10:80", "udp 203.0.113.2:5000-5009 -> 192.122.1.10:6000-6009". */
void netd_forward_format(const struct netd_forward *f, char *buf, size_t len);

/* {"protocol","host_port","guest_address","guest_port","host_address"?,"live"?}. NULL on ENOMEM. */
json_object *netd_forward_to_json(const struct netd_forward *f);
/* The same back, strictly (ports as numbers or "N-M" strings); -EINVAL with why. Fills the
 * defaults; does not check it against a network (netd_forward_check does). */
int netd_forward_from_json(json_object *o, struct netd_forward *f, char *why, size_t len);
/* Same forward, whatever line or liveness: protocol, ports, addresses. */
bool netd_forward_same(const struct netd_forward *a, const struct netd_forward *b);

/* The members of the control request "forward" (include/netd/control.h): "op" add or remove,
 * "forward" the forward; -EINVAL with a message for the peer in diag. */
int netd_forward_request_decode(json_object *req, struct netd_forward *f, bool *remove,
                                struct netd_diag *diag);

/* The live forwards of a network as its state file <state>/<network>.forwards holds them:
 * {"forwards":[...]} (util/state_file.c's record). */
struct netd_forward_list {
	struct netd_forward *v;
	size_t n;
};
int netd_forward_list_to_json(const void *list, char **out);   /* caller frees *out */
int netd_forward_list_from_json(const char *text, void *list); /* -EINVAL when malformed */
void netd_forward_list_clear(struct netd_forward_list *l);
/* n's forwards as status shows them: [{netd_forward_to_json, "line"?}...]; NULL on ENOMEM. */
json_object *netd_forwards_json(const struct netd_network *n);

/* n's forwards grow by f (copied); -ENOMEM. */
int netd_forward_append(struct netd_network *n, const struct netd_forward *f);
/* Forward i of n goes; the others keep their order. */
void netd_forward_remove_at(struct netd_network *n, size_t i);

#endif
