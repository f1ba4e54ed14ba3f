/*
 * The state of the event-driven repair (heal.c says what the events mean): one mark per
 * network that an event says may have drifted, a timer that runs the pass over the marked
 * networks soon after the first mark, and a pidfd on every network's dnsmasq. All of them sit
 * in one epoll set, whose fd is the one the daemon's event loop watches: the number of
 * networks does not change what the daemon watches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "engine_priv.h"
#include "netd/util/wait.h"
#include "netd/kernel/nft_monitor.h"
#include "netd/util/log.h"

/* A burst of events (an `ip -batch`, a flushed table, a bridge deleted with its ports and
 * addresses) is one pass: the pass waits until the events pause this long... */
#define QUIET_MS 50
/* ... but never longer than this after the first, so a stream of them cannot hold it off. */
#define LATEST_MS 250

/* epoll tags: the timer, the ruleset monitor, then TAG_DNSMASQ + slot. */
enum { TAG_TIMER, TAG_NFT, TAG_DNSMASQ };

static int watch_fd(struct netd_heal *h, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void dns_close(struct netd_heal *h, struct netd_heal_dnsmasq *d)
{
	if (d->fd < 0)
		return;
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, d->fd, NULL);
	close(d->fd);
	d->fd = -1;
	d->pid = 0;
	d->network[0] = '\0';
}

void netd_heal_set_free(struct netd_engine *e)
{
	struct netd_heal *h = e->heal;

	if (!h)
		return;
	for (size_t i = 0; i < h->n_dns; i++)
		dns_close(h, &h->dns[i]);
	free(h->dns);
	free(h->nets);
	netd_nft_monitor_close(h->nft);
	if (h->timerfd >= 0)
		close(h->timerfd);
	if (h->epfd >= 0)
		close(h->epfd);
	free(h);
	e->heal = NULL;
}

int netd_heal_set_open(struct netd_engine *e)
{
	struct netd_heal *h;
	int ret;

	if (e->heal)
		return e->heal->epfd;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	e->heal = h;
	h->timerfd = -1;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0) {
		ret = -errno;
		goto fail;
	}
	h->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (h->timerfd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = watch_fd(h, h->timerfd, TAG_TIMER);
	if (ret == 0)
		ret = netd_nft_monitor_open(&h->nft);
	if (ret == 0)
		ret = watch_fd(h, netd_nft_monitor_fd(h->nft), TAG_NFT);
	if (ret == 0)
		ret = netd_heal_reset(e);
	if (ret < 0)
		goto fail;
	/* Whatever drifted while nobody listened, and every dnsmasq to watch: one pass. */
	netd_heal_mark_all(e);
	netd_heal_schedule(e);
	return h->epfd;
fail:
	netd_heal_set_free(e);
	return ret;
}

static void set_dirty(struct netd_heal *h, size_t i)
{
	long now = (long)netd_now_ms();

	if (i >= h->n_nets)
		return;
	if (!h->first_ms)
		h->first_ms = now;
	h->last_ms = now;
	if (!h->nets[i].dirty) {
		h->nets[i].dirty = true;
		h->nets[i].marked_ms = now;
		h->n_marked++;
	}
}

void netd_heal_mark(struct netd_engine *e, size_t i)
{
	if (!e->heal)
		return;
	e->heal->events++;
	set_dirty(e->heal, i);
}

void netd_heal_mark_name(struct netd_engine *e, const char *network)
{
	for (size_t i = 0; e->heal && i < e->config->n_networks; i++)
		if (strcmp(e->config->networks[i]->name, network) == 0)
			netd_heal_mark(e, i);
}

void netd_heal_mark_all(struct netd_engine *e)
{
	if (!e->heal)
		return;
	e->heal->events++;
	for (size_t i = 0; i < e->heal->n_nets; i++)
		set_dirty(e->heal, i);
}

void netd_heal_schedule(struct netd_engine *e)
{
	struct netd_heal *h = e->heal;
	struct itimerspec its;
	long due = 0, now = (long)netd_now_ms();

	if (!h || !h->n_marked)
		return;
	if (h->first_ms) {
		due = h->last_ms + QUIET_MS;
		if (due > h->first_ms + LATEST_MS)
			due = h->first_ms + LATEST_MS;
	} else if (h->hold_ms) { /* only networks held back are marked */
		due = h->hold_ms;
	}
	if (h->freed && (!due || due > now))
		due = now; /* a busy network is free: no reason to wait */
	if (!due || due == h->due_ms)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = due / 1000;
	its.it_value.tv_nsec = (due % 1000) * 1000000;
	/* Absolute: a moment already past fires at once. */
	if (timerfd_settime(h->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		netd_log(LOG_WARNING, "heal: setting the timer: %s", strerror(errno));
	else
		h->due_ms = due;
}

int netd_heal_reset(struct netd_engine *e)
{
	struct netd_heal *h = e->heal;
	size_t n = e->config->n_networks;
	struct netd_heal_net *nets;
	bool pending;

	if (!h)
		return 0;
	pending = h->n_marked > 0;
	nets = calloc(n + 1, sizeof(*nets));
	if (!nets) {
		/* No index of the old config may stay: nothing is marked until the next reset,
		 * the periodic pass alone repairs. */
		h->n_nets = h->n_marked = h->n_busy = 0;
		return -ENOMEM;
	}
	free(h->nets);
	h->nets = nets;
	h->n_nets = n;
	h->n_marked = h->n_busy = 0;
	h->hold_ms = 0;
	h->freed = false;
	/* A mark of the old config cannot be matched to the new one by its index. */
	if (pending)
		netd_heal_mark_all(e);
	return 0;
}

static struct netd_heal_dnsmasq *dns_slot(struct netd_heal *h, const char *network, bool add)
{
	struct netd_heal_dnsmasq *free_slot = NULL, *v;

	for (size_t i = 0; i < h->n_dns; i++) {
		if (h->dns[i].fd >= 0 && strcmp(h->dns[i].network, network) == 0)
			return &h->dns[i];
		if (h->dns[i].fd < 0 && !free_slot)
			free_slot = &h->dns[i];
	}
	if (!add || free_slot)
		return free_slot;
	v = realloc(h->dns, (h->n_dns + 1) * sizeof(*v));
	if (!v)
		return NULL;
	h->dns = v;
	v[h->n_dns].fd = -1;
	return &v[h->n_dns++];
}

void netd_heal_watch_dnsmasq(struct netd_engine *e, const struct netd_network *n,
                             const struct netd_dnsmasq_paths *p, pid_t pid)
{
	struct netd_heal *h = e->heal;
	struct netd_heal_dnsmasq *d;
	int fd = -1;

	if (!h)
		return;
	d = dns_slot(h, n->name, false);
	if (d && d->fd >= 0 && pid > 0 && d->pid == pid)
		return; /* the one already watched */
	if (pid != 0) {
		fd = netd_dnsmasq_pidfd(p, &pid);
		if (fd >= 0 && d && d->fd >= 0 && d->pid == pid) {
			close(fd);
			return;
		}
	}
	if (d && d->fd >= 0) /* another dnsmasq, or none any more */
		dns_close(h, d);
	if (fd < 0)
		return;
	d = dns_slot(h, n->name, true);
	if (!d || watch_fd(h, fd, TAG_DNSMASQ + (uint64_t)(d - h->dns)) < 0) {
		/* The periodic pass still finds a dead dnsmasq. */
		netd_log_net(LOG_WARNING, n->name, "cannot watch dnsmasq (pid %d) for its exit",
		             (int)pid);
		close(fd);
		return;
	}
	snprintf(d->network, sizeof(d->network), "%s", n->name);
	d->pid = pid;
	d->fd = fd;
}

int netd_heal_ready(struct netd_engine *e, bool *nft, bool *due)
{
	struct netd_heal *h = e->heal;
	struct epoll_event ev[32];
	uint64_t ticks;
	int k;

	*nft = *due = false;
	if (!h)
		return -EBADF;
	k = epoll_wait(h->epfd, ev, 32, 0);
	if (k < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < k; i++) {
		uint64_t tag = ev[i].data.u64;
		struct netd_heal_dnsmasq *d;

		if (tag == TAG_TIMER) {
			*due = read(h->timerfd, &ticks, sizeof(ticks)) == sizeof(ticks);
			h->due_ms = 0;
		} else if (tag == TAG_NFT) {
			*nft = true;
		} else if (tag - TAG_DNSMASQ < h->n_dns &&
		           (d = &h->dns[tag - TAG_DNSMASQ])->fd >= 0) {
			/* netd's own stop (down, a restart) comes here too: the pass tells. */
			netd_log_net(LOG_DEBUG, d->network, "dnsmasq (pid %d) exited", (int)d->pid);
			netd_heal_mark_name(e, d->network);
			dns_close(h, d);
		}
	}
	return 0;
}
