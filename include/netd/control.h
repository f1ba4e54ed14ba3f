/*
 * The control socket: one JSON request and one JSON response per unix stream connection
 * (docs: notes/CLI.md). control_proto.c is pure (encoding, decoding, the command table);
 * netd/daemon/control_server.h serves the daemon's side, netd/ctl/ctl.h is netdctl's side.
 */
#ifndef NETD_CONTROL_H
#define NETD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "netd/model.h"

#define NETD_CTL_DEFAULT_SOCKET "/run/netd/netd.sock"
#define NETD_CTL_SOCKET_NAME    "netd.sock"
/* A request larger than this is refused. The largest one a client needs is an attach of
 * NETD_ATTACH_BATCH_MAX taps with every option at its longest: about 262 KB. */
#define NETD_CTL_REQUEST_MAX (512 * 1024)
/* The most taps one attach request makes: a bridge holds 1023 ports. */
#define NETD_ATTACH_BATCH_MAX 1023
/* Responses carry rules text and lease tables; this only stops a runaway peer. */
#define NETD_CTL_RESPONSE_MAX (16 * 1024 * 1024)
/* A client that sends nothing for this long is dropped, so it cannot stall the daemon. */
#define NETD_CTL_SERVER_TIMEOUT_MS 5000
/* The client waits this long for an answer: an up may wait for dnsmasq and the kernel. */
#define NETD_CTL_CLIENT_TIMEOUT_MS 60000

/* What `netdctl attach` asks for; every field optional. Parsed, not yet checked against the
 * network (that is the engine's job). */
struct netd_attach_req {
	char tap[IFNAMSIZ]; /* "": the kernel picks vnetN */
	bool has_mac;
	uint8_t mac[6];
	bool has_addr;
	struct in_addr addr;
	bool has_addr6; /* "address6": the guest's IPv6 address, bound by GuestSourceCheck */
	struct in6_addr addr6;
	char hostname[NETD_HOSTNAME_MAX]; /* "": none */
	char owner[NETD_TAP_ID_MAX];      /* user name or uid; "": root */
	char group[NETD_TAP_ID_MAX];      /* group name or gid; "": none */
	unsigned queues;                  /* 0 or 1: single queue */
};

enum netd_ctl_cmd {
	NETD_CTL_LIST,
	NETD_CTL_STATUS,
	NETD_CTL_UP,
	NETD_CTL_DOWN, /* + "force" (optional boolean) */
	NETD_CTL_LEASES,
	NETD_CTL_RELOAD,
	NETD_CTL_ATTACH,  /* + "tap","mac","address","address6","hostname","owner","group",
	                     "queues", or
	                     "taps":[{those}...] */
	NETD_CTL_DETACH,  /* + "tap", or "taps":[names] */
	NETD_CTL_FORWARD, /* + "op":"add"|"remove", "forward":{netd_forward_to_json()} */
	NETD_CTL_MAX,
};

struct netd_ctl_cmd_info {
	enum netd_ctl_cmd cmd;
	const char *name;
	bool needs_name; /* the request must carry "name": a network */
	bool needs_root; /* it changes the host: only uid 0 may send it */
};

/* The command table, indexed by enum netd_ctl_cmd. */
const struct netd_ctl_cmd_info *netd_ctl_cmd_by_id(enum netd_ctl_cmd cmd);
/* NULL for an unknown command name. */
const struct netd_ctl_cmd_info *netd_ctl_cmd_find(const char *name);

struct netd_ctl_request {
	const struct netd_ctl_cmd_info *cmd;
	char name[NETD_NAME_MAX];      /* "" when the command takes none */
	struct netd_attach_req attach; /* attach's arguments; detach's "tap" is attach.tap */
	bool force;                    /* down: go ahead without the uplink's snapshot */
	/* attach or detach with "taps": one per tap (n_taps from 1 to NETD_ATTACH_BATCH_MAX;
	 * detach fills only .tap), attach unused; NULL and 0 otherwise. Freed by
	 * netd_ctl_request_clear(). */
	struct netd_attach_req *taps;
	size_t n_taps;
	/* forward: the forward to add, or to remove (only protocol, host port and address
	 * count then) */
	struct netd_forward forward;
	bool forward_remove;
};

/* {"cmd":...,"name":...}\n into a malloc'd string. name may be NULL. */
int netd_ctl_request_encode(const char *cmd, const char *name, char **out);
/* The same with the members of args (an object; NULL for none) added: attach's options. */
int netd_ctl_request_encode_args(const char *cmd, const char *name, json_object *args, char **out);
/*
 * Parse one request of len bytes (a trailing newline is allowed). Everything a peer can get
 * wrong (not JSON, not an object, unknown cmd, missing or invalid name) returns -EINVAL,
 * a request over NETD_CTL_REQUEST_MAX -EMSGSIZE, with a message in diag meant for the peer.
 * A request decoded without error may hold memory: netd_ctl_request_clear() it.
 */
int netd_ctl_request_decode(const char *buf, size_t len, struct netd_ctl_request *req,
                            struct netd_diag *diag);
/* Free what a decoded request holds (its taps); the request may be decoded into again. */
void netd_ctl_request_clear(struct netd_ctl_request *req);

/* 0 when uid may send cmd; else -EPERM and the exact message of the contract in diag. */
int netd_ctl_check_permission(const struct netd_ctl_cmd_info *cmd, uid_t uid,
                              struct netd_diag *diag);

/* {"ok":true,"result":result}\n; takes ownership of result (NULL encodes null). */
char *netd_ctl_response_ok(json_object *result);
/* {"ok":false,"error":msg,"errno":err}\n; err is positive. */
char *netd_ctl_response_error(int err, const char *msg);
/*
 * Parse a response. ok:true -> 0 and *result (caller owns; may be NULL for null).
 * ok:false -> -errno from the response with its message in diag (-EIO if errno is absent).
 * A malformed response -> -EPROTO and diag says so; *reply_err is set true only for the
 * daemon's own ok:false, so the caller can tell "it refused" from "it spoke garbage".
 */
int netd_ctl_response_decode(const char *buf, size_t len, json_object **result, bool *reply_err,
                             struct netd_diag *diag);

#endif
