/*
 * A dnsmasq that wakes only for its own bridge (dnsmasq_priv.h: netd_dnsmasq_quiet_*).
 *
 * dnsmasq 2.90 binds its one rtnetlink socket to every IPv4/IPv6 address and route group
 * whatever its options, so every address or route change of the host wakes every network's
 * dnsmasq. netd makes that socket itself, with a socket filter (core/dnsmasq_nl_filter.c)
 * that lets through only dnsmasq's dump replies, acks and its bridge's address notices, and
 * hands it over as the return value of dnsmasq's socket() call, without ptrace:
 *
 *   the forked child, before exec: no_new_privs, then a seccomp filter that turns
 *   socket(AF_NETLINK, *, NETLINK_ROUTE) into a user notification and allows every other
 *   call; the filter's listener goes to netd over a socketpair;
 *   netd: when the listener is readable (the start waits on it and on the pidfd together,
 *   through an epoll fd), it checks the call, makes the socket in the same netns with the
 *   type's flags, attaches the filter and answers with SECCOMP_IOCTL_NOTIF_ADDFD +
 *   SECCOMP_ADDFD_FLAG_SEND (kernel 5.14): the fd is socket()'s return value.
 *
 * Then netd closes the listener. The seccomp filter stays on dnsmasq (and on its children)
 * for life: dnsmasq makes one rtnetlink socket, but a later socket(AF_NETLINK, *,
 * NETLINK_ROUTE) of that process would fail with ENOSYS (a user notification with no
 * listener left).
 *
 * The filter is an optimisation, never a condition of DHCP working: when the child cannot put
 * the seccomp filter on (an older kernel, a syscall filter without seccomp()), dnsmasq starts
 * unfiltered and netd logs why once; when netd cannot make or hand over the socket, it lets
 * dnsmasq's own socket() run (SECCOMP_USER_NOTIF_FLAG_CONTINUE); when the listener gets lost
 * on its way, dnsmasq's socket() fails (ENOSYS: no listener), that start fails, and it is
 * started again without the hook (dnsmasq_spawn.c retry_start).
 *
 * netd never waits for the child's word: the socketpair is one more descriptor the start
 * waits on, and the word is taken when it is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dnsmasq_priv.h"
#include "netd/dnsmasq_nl_filter.h"
#include "netd/util/log.h"

#if defined(__x86_64__)
#define QUIET_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define QUIET_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define QUIET_ARCH AUDIT_ARCH_I386
#elif defined(__riscv) && __riscv_xlen == 64
#define QUIET_ARCH AUDIT_ARCH_RISCV64
#elif defined(__s390x__)
#define QUIET_ARCH AUDIT_ARCH_S390X
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define QUIET_ARCH AUDIT_ARCH_PPC64LE
#endif

#ifdef QUIET_ARCH
/* The low 32 bits of a syscall argument: seccomp_data is in host order (unlike a socket
 * filter's loads), and socket()'s arguments are ints. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#endif

/* socket(AF_NETLINK, *, NETLINK_ROUTE) of this build's arch: a notification; anything else,
 * another arch's calls included, allowed. */
static const struct sock_filter seccomp_code[] = {
    /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, QUIET_ARCH, 0, 7),
    /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 5),
    /* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
    /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 3),
    /* 6 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
    /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NETLINK_ROUTE, 0, 1),
    /* 8 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
    /* 9 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static const struct sock_fprog seccomp_prog = {
    .len = sizeof(seccomp_code) / sizeof(seccomp_code[0]),
    .filter = (struct sock_filter *)seccomp_code,
};

/* The child's word to netd: 0 with the listener attached, or the errno of its failure. */
static int send_word(int sock, int err, int listener)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	if (listener >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &listener, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)sizeof(err) ? 0 : -1;
}

/* In the vfork child (netd_child_spawn_hook), which shares netd's memory while netd is
 * suspended until it execs: system calls only, no malloc or stdio; it writes only its own
 * stack (and errno, which netd does not read after the spawn), reads *arg. Nothing here may
 * wait for netd: the word (4 bytes and one descriptor) goes into the fresh socketpair's buffer,
 * which is empty and takes it without netd reading it; MSG_DONTWAIT (and the pair's
 * SOCK_NONBLOCK) make the send fail rather than wait if it ever did not. The filter only
 * traps socket(AF_NETLINK, *, NETLINK_ROUTE), which nothing before exec calls (a trapped call
 * here would wait for netd's answer: a deadlock). prctl and seccomp act on this task alone,
 * not on netd, with which it shares only memory. A filter put on whose listener cannot reach
 * netd would make dnsmasq's socket() fail: the child exits then, and netd starts dnsmasq again
 * without the hook. Not ASan-instrumented, as child.c's child_main: it may _exit, and never
 * return to unpoison its frame on the child's stack. */
__attribute__((no_sanitize("address"))) static void child_hook(void *arg)
{
	int sock = *(const int *)arg, listener = -1, err = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err = errno;
	else if ((listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	                                  SECCOMP_FILTER_FLAG_NEW_LISTENER, &seccomp_prog)) < 0)
		err = errno;
	if (send_word(sock, err, listener) < 0 && listener >= 0)
		_exit(126);
	if (listener >= 0)
		close(listener);
	close(sock);
}
#endif

/* Once per netd: why dnsmasqs run unfiltered. */
static void tell_once(const char *why, int err)
{
	static bool told;

	if (told)
		return;
	told = true;
	netd_log(LOG_NOTICE,
	         "dnsmasq wakes on every address and route change of the host: cannot filter its "
	         "netlink socket (%s: %s)",
	         why, strerror(err));
}

void netd_dnsmasq_quiet_init(struct netd_dnsmasq_op *op, const char *conf_text)
{
	char name[IF_NAMESIZE];

	op->word = op->listener = op->epfd = op->rtnl = -1;
	op->bridge_index = 0;
	op->hook_lost = false;
	op->addr_notices = netd_dnsmasq_conf_addr_notices(conf_text);
	if (netd_dnsmasq_conf_interface(conf_text, name, sizeof(name)) == 0)
		op->bridge_index = if_nametoindex(name);
}

/* netd's end: the child's word. 1 with *listener, 0 when the child runs unfiltered (it said
 * why), -EAGAIN when it has not spoken yet, another -errno when the word got lost (EOF: the
 * child exited before it spoke; the descriptor dropped). */
static int recv_word(int sock, int *listener)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	int err = 0;
	struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = u.buf,
	                     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(err))
		return -EPIPE;
	cm = CMSG_FIRSTHDR(&msg);
	if (err == 0 && cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    !(msg.msg_flags & MSG_CTRUNC)) {
		memcpy(listener, CMSG_DATA(cm), sizeof(int));
		return 1;
	}
	if (err == 0)
		return -EBADF;
	tell_once("seccomp user notification in dnsmasq", err);
	return 0;
}

/* The start waits on the pidfd and on the child's word (then on the listener) at once: an
 * epoll fd over them. */
static int watch_both(struct netd_dnsmasq_op *op, int pidfd)
{
	struct epoll_event ev = {.events = EPOLLIN};

	op->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (op->epfd < 0)
		return -errno;
	ev.data.fd = pidfd;
	if (epoll_ctl(op->epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0)
		return -errno;
	ev.data.fd = op->word;
	if (epoll_ctl(op->epfd, EPOLL_CTL_ADD, op->word, &ev) < 0)
		return -errno;
	return 0;
}

int netd_dnsmasq_quiet_spawn(struct netd_dnsmasq_op *op, char *const argv[], int errfd, int *pidfd)
{
#ifdef QUIET_ARCH
	int pair[2] = {-1, -1}, ret;
	struct netd_child_hook hook = {.run = child_hook, .arg = &pair[1]};

	if (!op->bridge_index || op->hook_lost ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) < 0)
		return netd_child_spawn(op->bin, argv, -1, errfd, &op->ch, pidfd);
	ret = netd_child_spawn_hook(op->bin, argv, -1, errfd, &hook, &op->ch, pidfd);
	close(pair[1]); /* the child's end: EOF at netd's when the child is gone */
	if (ret < 0) {
		close(pair[0]);
		return ret;
	}
	op->word = pair[0];
	if (watch_both(op, *pidfd) < 0) {
		/* Nothing to wait on it with: dropping the word makes the child's send fail, so it
		 * exits before exec, and the start is retried without the hook. */
		netd_dnsmasq_quiet_close(op);
		op->hook_lost = true;
	}
	return 0;
#else
	if (op->bridge_index)
		tell_once("no seccomp architecture known for this build", ENOSYS);
	return netd_child_spawn(op->bin, argv, -1, errfd, &op->ch, pidfd);
#endif
}

/* socket()'s arguments as the filter promised them. */
static bool is_rtnl_socket(const struct seccomp_data *d)
{
#ifdef QUIET_ARCH
	return d->arch == QUIET_ARCH && d->nr == __NR_socket && (int)d->args[0] == AF_NETLINK &&
	       (int)d->args[2] == NETLINK_ROUTE;
#else
	(void)d;
	return false;
#endif
}

/* The filtered socket made here and handed over as the call's return value; netd keeps a copy
 * in op->rtnl until the foreground process is done. */
static int hand_socket(struct netd_dnsmasq_op *op, const struct seccomp_notif *req)
{
	struct sock_filter code[NETD_DNSMASQ_NL_FILTER_LEN];
	struct sock_fprog prog = {.filter = code};
	int type = (int)req->data.args[1], fd = -1, ret = 0;
	struct seccomp_notif_addfd add = {
	    .id = req->id,
	    .flags = SECCOMP_ADDFD_FLAG_SEND,
	    .newfd_flags = (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0,
	};

	if (!is_rtnl_socket(&req->data))
		return -EINVAL;
	/* SOCK_NONBLOCK stays in the type: it is the open file's, which dnsmasq shares;
	 * close-on-exec is per descriptor (newfd_flags), netd's own copy always has it. */
	fd = socket(AF_NETLINK, type | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	prog.len = (unsigned short)netd_dnsmasq_nl_filter(op->bridge_index, code);
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		ret = -errno;
	else if (ioctl(op->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		ret = -errno;
	add.srcfd = (unsigned)fd;
	if (ret == 0 && ioctl(op->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0)
		ret = -errno;
	if (ret == 0 && op->rtnl < 0) {
		op->rtnl = fd; /* for its route groups, once dnsmasq bound it (quiet_close) */
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* One notification: answered with the filtered socket, or else let through to dnsmasq's own
 * socket() call. */
static void answer(struct netd_dnsmasq_op *op)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	int ret;

	memset(&req, 0, sizeof(req)); /* the kernel wants it zeroed */
	if (ioctl(op->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return; /* ENOENT: the caller died meanwhile */
	ret = hand_socket(op, &req);
	if (ret == 0)
		return;
	netd_log(LOG_WARNING,
	         "dnsmasq for %s: cannot hand it a filtered netlink socket (%s); "
	         "it makes its own",
	         op->name, strerror(-ret));
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	ioctl(op->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* The child's word, once it is there: the listener then joins what the start waits on. A word
 * lost (the child gone before it spoke, or no listener with it) marks the hook lost: the
 * child exits, or its socket() fails without a listener, and the start is retried without. */
static void take_word(struct netd_dnsmasq_op *op)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int ret = recv_word(op->word, &op->listener);

	if (ret == -EAGAIN)
		return;
	close(op->word); /* out of the epoll set with it */
	op->word = -1;
	if (ret == 1) {
		ev.data.fd = op->listener;
		if (epoll_ctl(op->epfd, EPOLL_CTL_ADD, op->listener, &ev) == 0)
			return;
		ret = -errno;
		close(op->listener);
		op->listener = -1;
	}
	if (ret == 0)
		return;
	op->hook_lost = true;
	netd_log(LOG_WARNING, "dnsmasq for %s: its netlink socket's filter got lost (%s)", op->name,
	         strerror(-ret));
}

void netd_dnsmasq_quiet_step(struct netd_dnsmasq_op *op)
{
	struct pollfd p = {.fd = op->listener, .events = POLLIN};

	if (op->word >= 0)
		take_word(op);
	if (op->listener < 0 || poll(&p, 1, 0) <= 0)
		return;
	if (p.revents & POLLIN)
		answer(op);
	/* Answered, or no process left under the filter (POLLHUP): nothing more to come. */
	close(op->listener);
	op->listener = -1;
}

/*
 * dnsmasq binds its socket to the IPv4 and IPv6 route groups too, whose notices the filter
 * drops: out of them, the kernel no longer offers it each route change at all. With a thousand
 * networks that was a thousand filter runs for each route an `up` or `down` adds or removes,
 * inside that request's own netlink call (0.3 % of all samples at N=1000 under `perf`, in
 * netlink_broadcast_filtered and the filter). An IPv4-only dnsmasq also leaves the address
 * groups: it never acts on an address notice (netd_dnsmasq_conf_addr_notices), and each
 * address a change adds or removes anywhere on the host was offered to every such socket (at
 * N=1000, 1 ms of the `up` that adds its bridge's address, in the kernel). An IPv6 one keeps
 * them: its router advertisements follow its bridge's addresses, through the filter. Only
 * once the foreground process is done: dnsmasq's bind() comes before it exits, and a bind
 * after the drop would undo it.
 */
static void leave_groups(int fd, bool addr_notices)
{
	/* The route groups first: a dnsmasq that acts on address notices leaves only those. */
	static const int groups[] = {RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_IFADDR,
	                             RTNLGRP_IPV6_IFADDR};
	size_t n = addr_notices ? 2 : sizeof(groups) / sizeof(groups[0]);

	for (size_t i = 0; i < n; i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &groups[i],
		               sizeof(groups[i])) < 0)
			netd_log(LOG_DEBUG, "dnsmasq's netlink socket: leaving group %d: %s",
			         groups[i], strerror(errno));
}

void netd_dnsmasq_quiet_close(struct netd_dnsmasq_op *op)
{
	if (op->rtnl >= 0) {
		leave_groups(op->rtnl, op->addr_notices);
		close(op->rtnl);
	}
	if (op->word >= 0)
		close(op->word);
	if (op->listener >= 0)
		close(op->listener);
	if (op->epfd >= 0)
		close(op->epfd);
	op->word = op->listener = op->epfd = op->rtnl = -1;
}
