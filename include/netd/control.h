/*
 * The control socket: one JSON request and one JSON response per unix stream connection
 * (docs: notes/CLI.md). control_proto.c is pure (encoding, decoding, the command table);
 * control_server.c serves the daemon's side, control_client.c is netdctl's side.
 */
#ifndef NETD_CONTROL_H
#define NETD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "netd/model.h"
#include "netd/tap.h"

struct netd_engine;

#define NETD_CTL_DEFAULT_SOCKET "/run/netd/netd.sock"
#define NETD_CTL_SOCKET_NAME    "netd.sock"
/* A request larger than this is refused: no command needs more than a name. */
#define NETD_CTL_REQUEST_MAX (64 * 1024)
/* Responses carry rules text and lease tables; this only stops a runaway peer. */
#define NETD_CTL_RESPONSE_MAX (16 * 1024 * 1024)
/* A client that sends nothing for this long is dropped, so it cannot stall the daemon. */
#define NETD_CTL_SERVER_TIMEOUT_MS 5000
/* The client waits this long for an answer: an up may wait for dnsmasq and the kernel. */
#define NETD_CTL_CLIENT_TIMEOUT_MS 60000

enum netd_ctl_cmd {
	NETD_CTL_LIST,
	NETD_CTL_STATUS,
	NETD_CTL_UP,
	NETD_CTL_DOWN,
	NETD_CTL_LEASES,
	NETD_CTL_RELOAD,
	NETD_CTL_ATTACH, /* + "tap","mac","address","hostname","owner","group","queues" */
	NETD_CTL_DETACH, /* + "tap" (required) */
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
};

/* {"cmd":...,"name":...}\n into a malloc'd string. name may be NULL. */
int netd_ctl_request_encode(const char *cmd, const char *name, char **out);
/* The same with the members of args (an object; NULL for none) added: attach's options. */
int netd_ctl_request_encode_args(const char *cmd, const char *name, json_object *args, char **out);
/*
 * Parse one request of len bytes (a trailing newline is allowed). Everything a peer can get
 * wrong (not JSON, not an object, unknown cmd, missing or invalid name) returns -EINVAL,
 * a request over NETD_CTL_REQUEST_MAX -EMSGSIZE, with a message in diag meant for the peer.
 */
int netd_ctl_request_decode(const char *buf, size_t len, struct netd_ctl_request *req,
                            struct netd_diag *diag);

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

/* --- server (daemon side) --- */

/*
 * Bind and listen on path, mode 0666. A stale socket file (nobody answers) is replaced;
 * if another daemon answers: -EADDRINUSE, "another netd is running on PATH".
 */
int netd_ctl_server_open(const char *path, int *fd_out, struct netd_diag *diag);
/* Close the listening socket and unlink path. */
void netd_ctl_server_close(int fd, const char *path);
/* Accept one connection on the listening fd and serve its one request. */
int netd_ctl_server_serve_one(int listen_fd, struct netd_engine *e);
/* Run one decoded request as peer uid; 0 and *result, or -errno and diag. */
int netd_ctl_dispatch(struct netd_engine *e, const struct netd_ctl_request *req, uid_t uid,
                      pid_t pid, json_object **result, struct netd_diag *diag);

/* --- client (netdctl side) --- */

/*
 * Send one request and wait up to timeout_ms for the answer.
 * 0: *result (caller owns). -errno: diag says why; *reached is false when the daemon could
 * not be reached or did not answer (connect failed, timeout, garbage), true when it refused.
 */
int netd_ctl_call(const char *path, const char *cmd, const char *name, int timeout_ms,
                  json_object **result, bool *reached, struct netd_diag *diag);
/* netd_ctl_call with arguments beyond the name (see netd_ctl_request_encode_args). */
int netd_ctl_call_args(const char *path, const char *cmd, const char *name, json_object *args,
                       int timeout_ms, json_object **result, bool *reached, struct netd_diag *diag);

/* --- text rendering for humans (cli_format.c, pure) --- */

/* The list as a table with a header; rows in the order given. */
int netd_fmt_list(FILE *f, json_object *list);
/* One network's status: definition, policy matrix, objects, dnsmasq pid, rules. */
int netd_fmt_status(FILE *f, json_object *status);
/* Leases as a table; expiry is shown in local time, 0 as "never". */
int netd_fmt_leases(FILE *f, json_object *leases);
/* One line for up/down: "default: up (virbr0 192.122.1.1/24)". */
int netd_fmt_confirm(FILE *f, const char *name, json_object *entry);
/* attach: "default: attached vnet0 (guest 52:54:00:.., host side fe:54:00:.., 192.122.1.10)"
 * then the qemu arguments on one line, quoted for a shell where needed. */
int netd_fmt_attach(FILE *f, json_object *att);
/* detach: "default: detached vnet0 (...)". */
int netd_fmt_detach(FILE *f, json_object *det);

#endif
