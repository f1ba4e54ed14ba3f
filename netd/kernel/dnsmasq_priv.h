/* Private to netd/kernel/dnsmasq_*.c: a start or stop of one network's dnsmasq in progress. */
#ifndef NETD_KERNEL_DNSMASQ_PRIV_H
#define NETD_KERNEL_DNSMASQ_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

#include "netd/kernel/child.h"
#include "netd/kernel/dnsmasq.h"

enum netd_dnsmasq_phase {
	NETD_DQ_SPAWNED, /* start: the foreground dnsmasq runs until its sockets are bound */
	NETD_DQ_REAPING, /* start: that process missed its deadline and was sent SIGKILL */
	NETD_DQ_TERM,    /* stop: SIGTERM sent, waiting for the exit */
	NETD_DQ_KILL,    /* stop: SIGKILL sent after the SIGTERM deadline */
};

struct netd_dnsmasq_op {
	struct netd_dnsmasq_paths p;
	enum netd_dnsmasq_phase phase;
	int pidfd;          /* the process waited for: the foreground child, or our dnsmasq */
	long long deadline; /* of the phase, netd_now_ms() */
	bool start;         /* a start (its stop phases are the cleanup of a failed one) */
	/* start only */
	char name[NETD_NAME_MAX + 16];
	struct netd_child ch;    /* the foreground dnsmasq, waited for (the reaper's list) */
	int errfd;               /* its stderr */
	char bin[NETD_PATH_MAX]; /* the dnsmasq started, for a retry */
	int retries;             /* starts retried so far (dnsmasq_spawn.c: retry_start) */
	int ret;                 /* a failed start's error, kept while its cleanup stop runs */
	struct netd_diag diag;
	/* dnsmasq_quiet.c: the filter on its rtnetlink socket */
	unsigned bridge_index; /* its bridge, whose address notices pass (0: no filter) */
	int word;              /* netd's end of the child's socketpair until it spoke, or -1 */
	int listener;          /* the foreground process's seccomp listener until answered, or -1 */
	int epfd;              /* pidfd and word or listener: what the start waits on, or -1 */
	int rtnl;              /* netd's copy of the socket it handed over, until the foreground
	                        * process is done (then out of the groups it ignores), or -1 */
	bool hook_lost;        /* the hand-over failed: a retry starts dnsmasq without it */
	bool addr_notices;     /* it acts on its bridge's address notices (IPv6): it keeps the
	                        * address groups, which an IPv4-only one leaves too */
};

/* The stop phases, shared by a stop, a kill and a failed start's cleanup. enter: SIGTERM to
 * our dnsmasq (with kill_now SIGKILL at once, and only the SIGKILL deadline); step: after the
 * exit the files go, past the SIGTERM deadline SIGKILL, past the SIGKILL deadline -ETIMEDOUT.
 * Both: 0 when nothing runs any more (conf, hosts and pid file removed), -EINPROGRESS while
 * waiting on op->pidfd, -errno when a signal cannot be sent (then dnsmasq still runs and its
 * files stay). */
int netd_dnsmasq_stop_enter(struct netd_dnsmasq_op *op, bool kill_now);
int netd_dnsmasq_stop_step(struct netd_dnsmasq_op *op);

/* dnsmasq_quiet.c: dnsmasq's rtnetlink socket made by netd with a socket filter, so that it
 * wakes only for its own bridge (see there how, and the fallbacks). init: the bridge from
 * conf_text's interface= line (none: no filter), no listener. spawn: fork and exec op->bin
 * with argv (stderr errfd) as netd_child_spawn(op->ch, pidfd) does, with the seccomp hook
 * when there is a bridge and the hook was not lost before; 0 or -errno (the fork's); it never
 * waits for the child. step: take the child's word once it came, answer the pending socket()
 * call once the listener is readable (call it each time the start wakes). close: word,
 * listener and epoll fd, with the foreground process done; the socket handed over leaves the
 * route groups dnsmasq bound it to, and the address groups too unless op->addr_notices. */
void netd_dnsmasq_quiet_init(struct netd_dnsmasq_op *op, const char *conf_text);
int netd_dnsmasq_quiet_spawn(struct netd_dnsmasq_op *op, char *const argv[], int errfd, int *pidfd);
void netd_dnsmasq_quiet_step(struct netd_dnsmasq_op *op);
void netd_dnsmasq_quiet_close(struct netd_dnsmasq_op *op);

#endif
