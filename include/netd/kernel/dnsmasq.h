/* The dnsmasq process of a network: start, observe, reload, stop; its lease file; telling it a
 * lease is gone. The only code that spawns or signals dnsmasq. */
#ifndef NETD_KERNEL_DNSMASQ_H
#define NETD_KERNEL_DNSMASQ_H

#include "netd/dnsmasq.h"
#include "netd/util/wait.h"

/*
 * Write conf and hosts (atomically, mode 0644), run `dnsmasq --conf-file=...` and wait for
 * its parent to exit: dnsmasq only returns once its sockets are bound and the pid file is
 * written, so success here means it serves. On failure diag carries dnsmasq's own stderr.
 * dnsmasq_bin NULL means $NETD_DNSMASQ or /usr/sbin/dnsmasq.
 * -EALREADY (nothing touched) when our dnsmasq already runs; -EIO when dnsmasq refused to
 * start, and then no process, pid, conf or hosts file is left behind.
 */
int netd_dnsmasq_start(const struct netd_dnsmasq_paths *p, const char *conf_text,
                       const char *hosts_text, const char *dnsmasq_bin, pid_t *pid,
                       struct netd_diag *diag);

/* 1 and *pid when the pid file names a live dnsmasq started with our conf; 0 when not. */
int netd_dnsmasq_running(const struct netd_dnsmasq_paths *p, pid_t *pid);

/* A pidfd on our dnsmasq (the pid file's, checked as for stop; close-on-exec), readable once
 * that process has exited, and *pid its pid: how netd learns at once that it died. -ESRCH
 * when our dnsmasq is not running. */
int netd_dnsmasq_pidfd(const struct netd_dnsmasq_paths *p, pid_t *pid);

/* 1 when the conf file on disk equals text, 0 when it differs or is missing. */
int netd_dnsmasq_conf_matches(const struct netd_dnsmasq_paths *p, const char *conf_text,
                              const char *hosts_text);

/* SIGTERM the pid from the pid file (only if it is our dnsmasq), wait up to 2 s for it to
 * exit (then SIGKILL, 1 s), then remove conf, hosts and pid files. Leases stay. Not running:
 * 0. A signal that cannot be sent (-EPERM, ...) or a process that outlives SIGKILL
 * (-ETIMEDOUT) is returned, and then dnsmasq still runs and its files stay. */
int netd_dnsmasq_stop(const struct netd_dnsmasq_paths *p);

/* A stopped (SIGSTOP) or stuck dnsmasq acts on no SIGTERM: SIGKILL our dnsmasq (the pid file's,
 * checked as for stop) at once, wait up to 1 s, then remove conf, hosts and pid files. Leases
 * stay: dnsmasq writes the lease file at each change, so nothing of it is lost. */
int netd_dnsmasq_kill(const struct netd_dnsmasq_paths *p);

/*
 * The same start, stop and kill for an event loop: they never wait themselves. begin returns 0 or
 * -errno when the operation ended at once (*op NULL), or -EINPROGRESS with *op: then the
 * caller waits as netd_dnsmasq_op_wait() says (the pidfd of the process waited for, and the
 * deadline of the phase) and calls netd_dnsmasq_op_resume() until it answers anything but
 * -EINPROGRESS: the result netd_dnsmasq_start()/_stop()/_kill() would have returned
 * (resume's pid and diag are for a start; a stop or kill leaves them alone). Then
 * netd_dnsmasq_op_free(). A stop waits 2 s after SIGTERM, then 1 s after SIGKILL; a kill
 * 1 s after SIGKILL; a start 10 s for dnsmasq to be ready.
 */
struct netd_dnsmasq_op;
int netd_dnsmasq_start_begin(const struct netd_dnsmasq_paths *p, const char *conf_text,
                             const char *hosts_text, const char *dnsmasq_bin,
                             struct netd_dnsmasq_op **op, struct netd_diag *diag);
int netd_dnsmasq_stop_begin(const struct netd_dnsmasq_paths *p, struct netd_dnsmasq_op **op);
int netd_dnsmasq_kill_begin(const struct netd_dnsmasq_paths *p, struct netd_dnsmasq_op **op);
void netd_dnsmasq_op_wait(const struct netd_dnsmasq_op *op, struct netd_wait *w);
int netd_dnsmasq_op_resume(struct netd_dnsmasq_op *op, pid_t *pid, struct netd_diag *diag);
/* A start whose dnsmasq still waits for netd to hand it its netlink socket (the filtered one of
 * dnsmasq_quiet.c: the child's word or the notification of its socket() call not taken yet):
 * takes what is there, then answers 1 while that hand-over is still to come, else 0. Meanwhile
 * dnsmasq is stopped in its socket() call, so a caller about to be busy for a while without
 * the loop (a large nft commit) lets the hand-over happen first and dnsmasq gets ready
 * alongside. */
int netd_dnsmasq_op_handing_over(struct netd_dnsmasq_op *op);
/* Accepts NULL. An op freed before its end kills the foreground dnsmasq of a start. */
void netd_dnsmasq_op_free(struct netd_dnsmasq_op *op);
/* The daemon reaped pid (waitpid(-1) on SIGCHLD) with status: a start waiting for that
 * process takes its verdict from here. */
void netd_dnsmasq_reaped(pid_t pid, int status);

/* dnsmasq_probe.c: is it still answering? Never waits. */

/* Send the liveness query (netd/dnsmasq.h) with id to server:53; *fd (non-blocking,
 * close-on-exec, the caller's to close) is where its answer arrives. */
int netd_dnsmasq_probe_send(struct in_addr server, uint16_t id, int *fd);
/* The next query, with id, on a socket of netd_dnsmasq_probe_send() (to the same server). */
int netd_dnsmasq_probe_again(int fd, uint16_t id);
/* 1 when the answer to id has arrived on fd, 0 when not (yet); -ECONNREFUSED when nothing
 * listens on the server's port 53 any more. */
int netd_dnsmasq_probe_answered(int fd, uint16_t id);

/* SIGHUP our dnsmasq (only if the pid file names it): it rereads its hosts file and the
 * servers file (upstream DNS) and clears its cache. -ESRCH when it is not running. */
int netd_dnsmasq_hup(const struct netd_dnsmasq_paths *p);

/* Rewrite the hosts file and SIGHUP dnsmasq so it rereads it, without a restart.
 * -ESRCH (file still written) when our dnsmasq is not running. */
int netd_dnsmasq_reload_hosts(const struct netd_dnsmasq_paths *p, const char *hosts_text);

/* dnsmasq_files.c: what dnsmasq rereads on SIGHUP, so a change to it needs no restart. */

/* 1 when the conf file holds exactly conf_text, 0 when not (or missing). */
int netd_dnsmasq_conf_file_matches(const struct netd_dnsmasq_paths *p, const char *conf_text);
/* 1 when the hosts, options and records files hold exactly these texts (NULL: ""), 0 when
 * one differs or is missing. */
int netd_dnsmasq_reread_matches(const struct netd_dnsmasq_paths *p, const char *hosts_text,
                                const char *opts_text, const char *records_text);
/* Write the options and records files (before a start, which writes conf and hosts). */
int netd_dnsmasq_reread_write(const struct netd_dnsmasq_paths *p, const char *opts_text,
                              const char *records_text);
/* Write hosts, options and records and SIGHUP our dnsmasq: it rereads them, keeping its pid
 * and its leases. -ESRCH (files written) when it is not running. */
int netd_dnsmasq_reread(const struct netd_dnsmasq_paths *p, const char *hosts_text,
                        const char *opts_text, const char *records_text);

/* Read and parse the lease file; a missing file is 0 leases. */
int netd_dnsmasq_leases_read(const struct netd_dnsmasq_paths *p, struct netd_lease **out,
                             size_t *n);
/* The same file's DHCPv6 leases. */
int netd_dnsmasq_leases6_read(const struct netd_dnsmasq_paths *p, struct netd_lease6 **out,
                              size_t *n);

/* dhcp_release.c */

/* Pure: a DHCPRELEASE of client (chaddr mac) to server, into buf (at least 300 bytes);
 * returns its length. */
size_t netd_dhcp_release_build(uint8_t *buf, size_t len, struct in_addr server,
                               struct in_addr client, const uint8_t mac[6], uint32_t xid);
/*
 * Send it to the dnsmasq serving bridge at server:67, from this host, bound to the bridge so
 * dnsmasq takes it as arriving there. dnsmasq drops the lease and rewrites its lease file:
 * no restart, and other guests' leases and dnsmasq's DNS are untouched.
 */
int netd_dhcp_release_send(const char *bridge, struct in_addr server, struct in_addr client,
                           const uint8_t mac[6]);

#endif
