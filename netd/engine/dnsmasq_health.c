/*
 * Is each network's dnsmasq still answering? A dnsmasq that is alive can still serve nothing:
 * stopped (SIGSTOP), or stuck. The reconcile asks it the liveness query of netd/dnsmasq.h (a
 * DNS question it answers itself) and never waits for the answer: each reconcile looks for
 * the answer to the query the one before sent, then sends the next. So a dnsmasq gets a whole
 * reconcile interval to answer, and a reconcile costs one datagram each way per network
 * instead of a timeout. Each query wakes a dnsmasq, which costs netd more than the rest of the
 * network's pass: a pass asks at most QUERIES_PER_PASS of them, so beyond that many networks
 * each dnsmasq is asked every ceil(N / QUERIES_PER_PASS)-th pass (a new dnsmasq at once). The query
 * goes to dnsmasq's address on the bridge, from the host (every netd dnsmasq serves DNS there, DHCP
 * or not); the socket of the query in flight is what an event loop would poll.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine_priv.h"
#include "netd/util/wait.h"
#include "netd/util/log.h"

/* Less than this since the query (an extra reconcile right after a tick): not yet a verdict. */
#define ANSWER_MS        500
#define QUERIES_PER_PASS 128

struct netd_dnsmasq_watch {
	int fd; /* the query in flight; -1: none */
	uint16_t id;
	pid_t pid; /* the dnsmasq it was sent to */
	long sent_ms;
	bool answered;
};

static void watch_close(struct netd_dnsmasq_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

void netd_dnsmasq_watch_free(struct netd_engine *e)
{
	for (size_t i = 0; i < e->n_watch; i++)
		watch_close(&e->watch[i]);
	free(e->watch);
	e->watch = NULL;
	e->n_watch = 0;
}

int netd_dnsmasq_watch_reset(struct netd_engine *e)
{
	netd_dnsmasq_watch_free(e);
	e->watch = calloc(e->config->n_networks + 1, sizeof(*e->watch));
	if (!e->watch)
		return -ENOMEM;
	e->n_watch = e->config->n_networks;
	for (size_t i = 0; i < e->n_watch; i++)
		e->watch[i].fd = -1;
	return 0;
}

/* The verdict on the query in flight to pid: 1 hung, 0 answered, -EAGAIN none yet. */
static int verdict(const struct netd_network *n, struct netd_dnsmasq_watch *w, pid_t pid)
{
	long silent = (long)netd_now_ms() - w->sent_ms;
	int ret;

	/* None, one sent to a dnsmasq since replaced, or answered already. */
	if (w->fd < 0 || w->pid != pid || w->answered)
		return 0;
	ret = netd_dnsmasq_probe_answered(w->fd, w->id);
	w->answered = ret == 1;
	if (ret == 1)
		return 0;
	if (ret == 0 && silent < ANSWER_MS)
		return -EAGAIN;
	if (ret == 0)
		netd_log_net(LOG_WARNING, n->name,
		             "dnsmasq (pid %d) left a DNS query unanswered for %ld ms", (int)pid,
		             silent);
	else
		netd_log_net(LOG_WARNING, n->name,
		             "dnsmasq (pid %d) no longer answers on port 53: %s", (int)pid,
		             strerror(-ret));
	return 1;
}

bool netd_dnsmasq_hung(struct netd_engine *e, size_t i, pid_t pid)
{
	const struct netd_network *n = e->config->networks[i];
	struct netd_dnsmasq_watch *w;
	int ret;

	if (i >= e->n_watch)
		return false;
	w = &e->watch[i];
	ret = verdict(n, w, pid);
	if (ret == -EAGAIN)
		return false;
	if (ret == 1) {
		watch_close(w);
		return true;
	}
	/* The dnsmasq asked last, and answering, waits for its turn to be asked again. */
	if (w->fd >= 0 && w->pid == pid &&
	    (e->passes + i) % ((e->n_watch + QUERIES_PER_PASS - 1) / QUERIES_PER_PASS) != 0)
		return false;
	if (getrandom(&w->id, sizeof(w->id), GRND_NONBLOCK) != sizeof(w->id))
		w->id = (uint16_t)(w->id * 31 + 7);
	/* The socket of an answered query asks again (it is connected to the same address):
	 * a socket made and closed per network and pass cost as much as the query. A query
	 * that cannot be sent says nothing about dnsmasq: no verdict next time. */
	if (w->fd < 0 || netd_dnsmasq_probe_again(w->fd, w->id) < 0) {
		watch_close(w);
		if (netd_dnsmasq_probe_send(n->address.addr, w->id, &w->fd) < 0)
			w->fd = -1;
	}
	w->pid = pid;
	w->sent_ms = (long)netd_now_ms();
	w->answered = false;
	return false;
}
