/*
 * Is a network's dnsmasq running, and are its conf and hosts files what netd would write?
 * Every reconcile pass and every `list` asks this of every network. Answered from scratch
 * (dnsmasq_run.c) it costs four file reads and a pidfd per network: the pid file,
 * /proc/PID/cmdline, the conf and the hosts file. Here the answer is kept from one check to
 * the next, and only what it rests on is looked at again: the pid file's and the two files'
 * stat(), and whether the process behind a pidfd kept open has exited. A pidfd cannot follow
 * a recycled pid, so "still running" means the very process once found to be ours.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "netd/kernel/dnsmasq.h"

/* A file changed less than this before it was found equal is read again next time: a second
 * change within the file system's timestamp granularity would not show in its stat(). */
#define SETTLE_NS 2000000000LL

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

static void file_id(const char *path, struct netd_file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) < 0)
		return;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	id->ctime = st.st_ctim;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool same_file(const struct netd_file_id *a, const struct netd_file_id *b)
{
	return a->ino && a->ino == b->ino && a->dev == b->dev && a->size == b->size &&
	       same_time(&a->mtime, &b->mtime) && same_time(&a->ctime, &b->ctime);
}

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static bool settled(const struct netd_file_id *id, const struct timespec *now)
{
	long long changed =
	    ns_of(&id->ctime) > ns_of(&id->mtime) ? ns_of(&id->ctime) : ns_of(&id->mtime);

	return id->ino && ns_of(now) - changed >= SETTLE_NS;
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
 * checked. pf: the pid file as it was before the checks read it.
 */
static int find_running(const struct netd_dnsmasq_paths *p, struct netd_dnsmasq_seen *seen,
                        const struct netd_file_id *pf, const struct timespec *now)
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
		if (settled(pf, now))
			seen->pid_file = *pf;
	} else if (fd >= 0) {
		close(fd);
	}
	return 1;
}

int netd_dnsmasq_check(const struct netd_dnsmasq_paths *p, struct netd_dnsmasq_seen *seen,
                       const char *conf_text, const char *hosts_text, pid_t *pid,
                       bool *conf_current)
{
	struct netd_file_id pf, cf, hf;
	struct timespec now;
	uint64_t h;

	*conf_current = false;
	clock_gettime(CLOCK_REALTIME, &now); /* the clock of the files' timestamps */
	file_id(p->pid, &pf);
	if ((!same_file(&pf, &seen->pid_file) || !alive(seen->pidfd)) &&
	    find_running(p, seen, &pf, &now) == 0)
		return 0;
	*pid = seen->pid;
	if (!conf_text)
		return 1;
	h = texts_hash(conf_text, hosts_text ? hosts_text : "");
	file_id(p->conf, &cf);
	file_id(p->hosts, &hf);
	if (h == seen->texts && same_file(&cf, &seen->conf) && same_file(&hf, &seen->hosts)) {
		*conf_current = true;
		return 1;
	}
	seen->texts = 0;
	*conf_current = netd_dnsmasq_conf_matches(p, conf_text, hosts_text) == 1;
	if (*conf_current && settled(&cf, &now) && settled(&hf, &now)) {
		seen->conf = cf;
		seen->hosts = hf;
		seen->texts = h;
	}
	return 1;
}
