/* netdctl's side of the control socket, and its text for humans; private to netd/ctl/. */
#ifndef NETD_CTL_CTL_H
#define NETD_CTL_CTL_H

#include "netd/control.h"

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
/* The JSON format's version, in every document --json prints (json_doc.c). */
#define NETD_JSON_VERSION 1
/* `--json`'s document for cmd's result: {"version": 1, ...} (json_doc.c). */
void netd_print_json_document(FILE *f, const char *cmd, json_object *result);

int netd_fmt_list(FILE *f, json_object *list);
/* One network's status: definition, dnsmasq pid, the last repair of its rules ("rules:
 * repaired at HH:MM:SS (what)", local time), policy matrix, objects, taps, warnings, rules. */
int netd_fmt_status(FILE *f, json_object *status);
/* The same with the network's nft rules in full (status --rules). */
int netd_fmt_status_rules(FILE *f, json_object *status);
/* A spanning network's "fabric" section of status (cli_fabric.c); nothing without one. */
void netd_fmt_fabric(FILE *f, json_object *fabric);
/* Leases as a table; expiry is shown in local time, 0 as "never". */
int netd_fmt_leases(FILE *f, json_object *leases);
/* status's "dns" object as its lines (cli_dns.c); nothing when there is none. */
void netd_fmt_dns(FILE *f, json_object *dns);
/* reload's answer (the list, each network up with "reload": what was done) (cli_reload.c). */
int netd_fmt_reload(FILE *f, json_object *list);
/* One line for up/down: "default: up (virbr0 192.122.1.1/24)", and when up repaired drift,
 * ", rules repaired: <what>" on it. */
int netd_fmt_confirm(FILE *f, const char *name, json_object *entry);
/* attach: "default: attached vnet0 (guest 52:54:00:.., host side fe:54:00:.., 192.122.1.10)"
 * then the qemu arguments on one line, quoted for a shell where needed. */
int netd_fmt_attach(FILE *f, json_object *att);
/* attach of several taps ({"network","taps":[...]}): each tap as netd_fmt_attach prints it. */
int netd_fmt_attach_batch(FILE *f, json_object *res);
/* detach: "default: detached vnet0 (...)". */
int netd_fmt_detach(FILE *f, json_object *det);
/* detach of several taps ({"network","taps":[...]}): each as netd_fmt_detach prints it. */
int netd_fmt_detach_batch(FILE *f, json_object *res);

/* --- port forwards (forward_cli.c) --- */

/* forward's arguments (add|remove NAME PROTO HOSTPORT [GUEST[:PORT]] [HOSTADDRESS]) as the
 * request's members {"op","forward"}; -EINVAL with diag on a syntax error. */
int netd_forward_cli_args(int argc, char **argv, json_object **args, struct netd_diag *diag);
/* "default: added tcp *:8080 -> 192.122.1.10:80". */
int netd_fmt_forward(FILE *f, json_object *res);
/* status's forwards, one a line with where it comes from; nothing when there are none. */
void netd_fmt_forwards(FILE *f, json_object *forwards);

/* netdctl import-libvirt ARGS (cli_import.c); argv[0] is the command. Returns the exit code. */
int netd_ctl_import_libvirt(int argc, char **argv);

#endif
