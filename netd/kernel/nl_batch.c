/*
 * Several rtnetlink requests in one sendmsg, every one acked, the acks read after it and
 * matched back to their messages by sequence number, as nftables' mnl.c does for its
 * transactions. This is what makes 200 taps cost about what `ip -batch` pays for them: libnl
 * sends one message per syscall and waits for its ack before the next.
 *
 * It runs over a libmnl socket of its own, opened for the run: libnl's socket keeps its own
 * sequence numbers and expects one answer at a time. The kernel handles the messages of one
 * sendmsg in order, synchronously, and goes on after one that fails, so every ack is queued
 * by the time sendmsg returns. Each ack takes about 830 bytes of the receive buffer (what the
 * kernel charges an skb), so the messages go out in chunks whose acks the buffer holds whole:
 * 1024 messages (200 taps of an isolating network are 600) with the buffer root may ask for.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "nl_priv.h"

/* At most this many messages and bytes per sendmsg (a default wmem takes 208 KiB); fewer
 * messages when the receive buffer is smaller than ACK_ROOM each. */
#define CHUNK_MSGS  1024
#define CHUNK_BYTES (128 * 1024)
#define ACK_ROOM    2048 /* over twice what an ack costs */

struct netd_nl_batch {
	char *buf; /* the messages, back to back */
	size_t len, cap;
	struct {
		size_t off; /* of its header in buf */
		size_t tag;
	} * msg;
	size_t n, cap_msg;
	bool oom; /* a message could not be added: run fails with -ENOMEM */
};

struct netd_nl_batch *netd_nl_batch_new(void)
{
	return calloc(1, sizeof(struct netd_nl_batch));
}

void netd_nl_batch_free(struct netd_nl_batch *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b->msg);
	free(b);
}

size_t netd_nl_batch_count(const struct netd_nl_batch *b)
{
	return b->n;
}

/* buf's length with the last message as long as its attributes made it. */
static void close_last(struct netd_nl_batch *b)
{
	if (b->n) {
		struct nlmsghdr *h = (struct nlmsghdr *)(b->buf + b->msg[b->n - 1].off);

		b->len = b->msg[b->n - 1].off + NLMSG_ALIGN(h->nlmsg_len);
	}
}

static bool reserve(struct netd_nl_batch *b)
{
	if (b->len + NETD_NL_BATCH_MSG_MAX > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16 * NETD_NL_BATCH_MSG_MAX;
		char *buf = realloc(b->buf, cap);

		if (!buf)
			return false;
		b->buf = buf;
		b->cap = cap;
	}
	if (b->n == b->cap_msg) {
		size_t cap = b->cap_msg ? b->cap_msg * 2 : 64;
		void *msg = realloc(b->msg, cap * sizeof(*b->msg));

		if (!msg)
			return false;
		b->msg = msg;
		b->cap_msg = cap;
	}
	return true;
}

struct nlmsghdr *netd_nl_batch_link(struct netd_nl_batch *b, uint16_t type, uint8_t family,
                                    int ifindex, unsigned flags, unsigned change, size_t tag)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *h;

	close_last(b);
	if (b->oom || !reserve(b)) {
		b->oom = true;
		return NULL;
	}
	memset(b->buf + b->len, 0, NETD_NL_BATCH_MSG_MAX);
	h = mnl_nlmsg_put_header(b->buf + b->len);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = family;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	b->msg[b->n].off = b->len;
	b->msg[b->n].tag = tag;
	b->n++;
	return h;
}

/* The run's socket; *chunk is how many messages' acks its receive buffer holds. */
static int open_socket(struct mnl_socket **out, size_t *chunk)
{
	int one = 1, rcvbuf = CHUNK_MSGS * ACK_ROOM, fd;
	struct mnl_socket *s = mnl_socket_open(NETLINK_ROUTE);
	socklen_t len = sizeof(rcvbuf);
	int ret;

	if (!s)
		return -errno;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(s);
		return ret;
	}
	fd = mnl_socket_get_fd(s);
	/* An error's ack needs only the header of the message that failed. */
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Root may go past rmem_max; anyone else gets what rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) < 0)
		rcvbuf = 0;
	*chunk = (size_t)rcvbuf / ACK_ROOM;
	*chunk = *chunk < 16 ? 16 : *chunk > CHUNK_MSGS ? CHUNK_MSGS : *chunk;
	*out = s;
	return 0;
}

/* The first failure among messages [first, first + count), by sequence number (i + 1). */
struct acks {
	size_t first, count, seen;
	size_t failed; /* index of the first message that failed; SIZE_MAX: none */
	int err;
};

static int read_acks(struct mnl_socket *s, struct acks *a)
{
	char buf[8192];

	while (a->seen < a->count) {
		ssize_t len = recv(mnl_socket_get_fd(s), buf, sizeof(buf), MSG_DONTWAIT);
		int left;

		/* Everything was answered before sendmsg returned: nothing more to wait for. */
		if (len < 0)
			return errno == EAGAIN ? -EPROTO : -errno;
		left = (int)len;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			size_t i = h->nlmsg_seq - 1;

			if (h->nlmsg_type != NLMSG_ERROR || i < a->first ||
			    i >= a->first + a->count)
				continue;
			a->seen++;
			if (e->error && i < a->failed) {
				a->failed = i;
				a->err = e->error;
			}
		}
	}
	return 0;
}

/* One sendmsg of messages [first, first + count) and their acks. */
static int run_chunk(struct mnl_socket *s, struct netd_nl_batch *b, struct acks *a)
{
	size_t start = b->msg[a->first].off;
	size_t end = a->first + a->count < b->n ? b->msg[a->first + a->count].off : b->len;

	for (size_t i = a->first; i < a->first + a->count; i++)
		((struct nlmsghdr *)(b->buf + b->msg[i].off))->nlmsg_seq = (uint32_t)(i + 1);
	if (mnl_socket_sendto(s, b->buf + start, end - start) < 0)
		return -errno;
	return read_acks(s, a);
}

/* How many messages from first go in one sendmsg: at most chunk, and CHUNK_BYTES. */
static size_t chunk_from(const struct netd_nl_batch *b, size_t first, size_t chunk)
{
	size_t n = 1;

	while (first + n < b->n && n < chunk &&
	       b->msg[first + n].off + NETD_NL_BATCH_MSG_MAX - b->msg[first].off <= CHUNK_BYTES)
		n++;
	return n;
}

int netd_nl_batch_run(struct netd_nl_batch *b, size_t *tag)
{
	struct mnl_socket *s = NULL;
	struct acks a = {.failed = SIZE_MAX};
	size_t chunk = 0;
	int ret;

	*tag = SIZE_MAX;
	if (b->oom)
		return -ENOMEM;
	if (b->n == 0)
		return 0;
	close_last(b);
	ret = open_socket(&s, &chunk);
	for (a.first = 0; ret == 0 && a.first < b->n; a.first += a.count) {
		a.count = chunk_from(b, a.first, chunk);
		a.seen = 0;
		ret = run_chunk(s, b, &a);
		/* A chunk with a failure is the last one sent: the caller undoes the batch. */
		if (ret == 0 && a.failed != SIZE_MAX) {
			ret = a.err;
			*tag = b->msg[a.failed].tag;
		}
	}
	if (s)
		mnl_socket_close(s);
	return ret;
}
