/*
 * Is a network's dnsmasq running, and are its conf and hosts files what netd would write?
 * Every reconcile pass and every `list` asks this of every network. Answered from scratch
 * (dnsmasq_run.c) it costs four file reads and a pidfd per network: the pid file,
 * /proc/PID/cmdline, the conf and the hosts file. Here the answer is kept from one check to
 * the next, and only what it rests on is looked at again: whether inotify saw any of the three
 * files change (the caller's util/dir_watch.h), and whether the process behind a pidfd kept
 * open has exited. A pidfd cannot follow a recycled pid, so "still running" means the very
 * process once found to be ours.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "netd/kernel/dnsmasq.h"
#include "netd/util/dir_watch.h"

void netd_dnsmasq_seen_init(struct netd_dnsmasq_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->pidfd = -1;
}

void netd_dnsmasq_seen_clear(struct netd_dnsmasq_seen *s)
{
	if (s->pidfd >= 0)
		close(s->pidfd);
	netd_dnsmasq_seen_init(s);
}

/* The version of the file at path in w's directory; 0 (never a version) without w. */
static uint64_t version(const struct netd_dir_watch *w, const char *path)
{
	const char *base = strrchr(path, '/');

	return w ? netd_dir_watch_version(w, base ? base + 1 : path) : 0;
}

/* FNV-1a over both texts, a byte that no text holds between them. */
static uint64_t texts_hash(const char *conf, const char *hosts)
{
	uint64_t h = 14695981039346656037ULL;
	const char *parts[2] = {conf, hosts};

	for (int k = 0; k < 2; k++) {
		for (const unsigned char *c = (const unsigned char *)parts[k]; *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h ? h : 1;
}

/* The process behind pidfd has not exited (a pidfd polls readable once it has). */
static bool alive(int pidfd)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

	return pidfd >= 0 && poll(&pfd, 1, 0) == 0;
}

/*
 * The check from scratch, and a pidfd on what it found for next time. The pidfd is opened
 * between two checks that agree on the pid, and kept only if its process still runs after
 * the second: then that process held the pid during the second check, so it is the one
 * checked. v_pid: the pid file's version before the checks read it.
 */
static int find_running(const struct netd_dnsmasq_paths *p, struct netd_dnsmasq_seen *seen,
                        uint64_t v_pid)
{
	pid_t first = 0, second = 0;
	int fd;

	netd_dnsmasq_seen_clear(seen);
	if (netd_dnsmasq_running(p, &first) != 1)
		return 0;
	fd = (int)syscall(SYS_pidfd_open, first, 0);
	if (netd_dnsmasq_running(p, &second) != 1) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	seen->pid = second;
	if (fd >= 0 && second == first && alive(fd)) {
		seen->pidfd = fd;
		seen->pid_file = v_pid;
	} else if (fd >= 0) {
		close(fd);
	}
	return 1;
}

int netd_dnsmasq_check(const struct netd_dnsmasq_paths *p, const struct netd_dir_watch *w,
                       struct netd_dnsmasq_seen *seen, const char *conf_text,
                       const char *hosts_text, pid_t *pid, bool *conf_current)
{
	uint64_t v_pid = version(w, p->pid), v_conf, v_hosts, h;

	*conf_current = false;
	if ((!v_pid || v_pid != seen->pid_file || !alive(seen->pidfd)) &&
	    find_running(p, seen, v_pid) == 0)
		return 0;
	*pid = seen->pid;
	if (!conf_text)
		return 1;
	h = texts_hash(conf_text, hosts_text ? hosts_text : "");
	v_conf = version(w, p->conf);
	v_hosts = version(w, p->hosts);
	if (v_conf && h == seen->texts && v_conf == seen->conf && v_hosts == seen->hosts) {
		*conf_current = true;
		return 1;
	}
	seen->texts = 0;
	*conf_current = netd_dnsmasq_conf_matches(p, conf_text, hosts_text) == 1;
	if (*conf_current && v_conf) {
		seen->conf = v_conf;
		seen->hosts = v_hosts;
		seen->texts = h;
	}
	return 1;
}
