/* Batches on the netfilter socket: one transaction per change, every message acked, errors
 * matched back to the message that caused them by sequence number (as nftables' src/mnl.c
 * does). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <libnftnl/common.h>

#include "nft_priv.h"

#define BATCH_PAGE    (16 * 1024)
#define BATCH_OVERRUN 8192 /* the biggest single message we build */

int nft_batch_init(struct netd_nft *nft, struct nft_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->nft = nft;
	b->family = NFPROTO_INET;
	b->b = nftnl_batch_alloc(BATCH_PAGE, BATCH_OVERRUN);
	if (!b->b)
		return -ENOMEM;
	nftnl_batch_begin(nftnl_batch_buffer(b->b), nft->seq++);
	nftnl_batch_update(b->b);
	b->first_seq = nft->seq;
	/* Dumps made while the batch is built take seqs beyond any it could use. */
	nft->seq += 1u << 20;
	return 0;
}

void nft_batch_release(struct nft_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->what[i]);
	free(b->what);
	free(b->touched);
	free(b->kept);
	free(b->ops);
	if (b->b)
		nftnl_batch_free(b->b);
	memset(b, 0, sizeof(*b));
}

struct nlmsghdr *nft_batch_msg(struct nft_batch *b, uint16_t type, uint16_t flags, const char *fmt,
                               ...)
{
	va_list ap;
	char *what;
	int len;

	if (b->err)
		return NULL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char **w = realloc(b->what, cap * sizeof(*w));

		if (!w) {
			b->err = -ENOMEM;
			return NULL;
		}
		b->what = w;
		b->cap = cap;
	}
	va_start(ap, fmt);
	len = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (len < 0) {
		b->err = -ENOMEM;
		return NULL;
	}
	b->what[b->n++] = what;
	/* libnftnl leaves attribute padding as it finds it: send zeros, not heap garbage. */
	memset(nftnl_batch_buffer(b->b), 0, BATCH_OVERRUN);
	/* Message i has seq first_seq + i, whatever else used the socket meanwhile. */
	return nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b->b), type, b->family, flags | NLM_F_ACK,
	                             b->first_seq + (uint32_t)(b->n - 1));
}

void nft_batch_next(struct nft_batch *b)
{
	if (!b->err && nftnl_batch_update(b->b) < 0)
		b->err = -ENOMEM;
}

/* Room for one more of *n items of size sz in *v (capacity *cap). */
static void *room(struct nft_batch *b, void *vp, size_t *n, size_t *cap, size_t sz)
{
	void **v = vp;

	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		void *p = realloc(*v, c * sz);

		if (!p) {
			b->err = -ENOMEM;
			return NULL;
		}
		*v = p;
		*cap = c;
	}
	return (char *)*v + (*n)++ * sz;
}

/* The message just built is noted (once, however many elements it carries). */
static void noted(struct nft_batch *b)
{
	if (b->noted_upto != b->n) {
		b->noted_upto = b->n;
		b->n_noted++;
	}
}

static void note_name(struct nft_batch *b, struct nft_touch **v, size_t *n, size_t *cap,
                      const char *name)
{
	struct nft_touch *t;

	if (b->err)
		return;
	t = room(b, v, n, cap, sizeof(*t));
	if (!t)
		return;
	t->family = b->family;
	snprintf(t->chain, sizeof(t->chain), "%s", name);
	noted(b);
}

void nft_batch_note_chain(struct nft_batch *b, const char *chain)
{
	note_name(b, &b->touched, &b->n_touched, &b->cap_touched, chain);
}

void nft_batch_note_kept(struct nft_batch *b, const char *set)
{
	note_name(b, &b->kept, &b->n_kept, &b->cap_kept, set ? set : "");
}

void nft_batch_note_elem(struct nft_batch *b, uint16_t type, const char *set,
                         const struct nft_elem *e)
{
	struct nft_elem_op *op;

	if (b->err)
		return;
	op = room(b, &b->ops, &b->n_ops, &b->cap_ops, sizeof(*op));
	if (!op)
		return;
	op->family = b->family;
	op->type = type;
	snprintf(op->set, sizeof(op->set), "%s", set);
	op->e = *e;
	noted(b);
}

/* Room for every ack of a big batch: a lost ack would hide an error. */
static void size_rcvbuf(struct netd_nft *nft, size_t n_msgs)
{
	int size = (int)(n_msgs * 1024 + NFT_RECV_BUF);
	int fd = mnl_socket_get_fd(nft->nl);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static int send_batch(struct nft_batch *b)
{
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
	int n_iov = nftnl_batch_iovec_len(b->b);
	struct iovec *iov;
	struct msghdr msg = {0};
	ssize_t sent;
	int ret = 0;

	iov = calloc(n_iov, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(b->b, iov, n_iov);
	msg.msg_name = &snl;
	msg.msg_namelen = sizeof(snl);
	msg.msg_iov = iov;
	msg.msg_iovlen = n_iov;
	sent = sendmsg(mnl_socket_get_fd(b->nft->nl), &msg, 0);
	if (sent < 0)
		ret = -errno;
	free(iov);
	return ret;
}

int nft_batch_commit(struct nft_batch *b, struct netd_diag *diag)
{
	size_t acks = 0, failed = SIZE_MAX;
	int fail_errno = 0, ret;
	char *buf = NULL;
	uint32_t pre = 0;
	bool follow;

	if (b->err) {
		netd_diag_set(diag, "nft: building the batch: %s", strerror(-b->err));
		return b->err;
	}
	if (b->n == 0)
		return 0;
	/* The ruleset moves: a held snapshot is checked again at the next read. */
	b->nft->hold_checked = false;
	nftnl_batch_end(nftnl_batch_buffer(b->b), b->first_seq + (uint32_t)b->n);
	if (nftnl_batch_update(b->b) < 0)
		return -ENOMEM;
	size_rcvbuf(b->nft, b->n);
	/* The snapshot can follow a batch that noted all it changes, from the generation it
	 * was read at (nft_patch.c). */
	follow = b->nft->snap.valid && b->n_noted == b->n && nft_ruleset_gen(b->nft, &pre) == 0 &&
	         pre == b->nft->snap.gen;
	ret = send_batch(b);
	if (ret < 0) {
		netd_diag_set(diag, "nft: sending the batch: %s", strerror(-ret));
		return ret;
	}
	buf = malloc(NFT_RECV_BUF);
	if (!buf)
		return -ENOMEM;
	/* nfnetlink processes the whole batch inside sendmsg(): every ack is queued by now,
	 * so read until the socket is empty (or every message has answered). */
	while (acks < b->n) {
		ssize_t got = recv(mnl_socket_get_fd(b->nft->nl), buf, NFT_RECV_BUF, MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int len = (int)got;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			ret = -errno;
			netd_diag_set(diag, "nft: reading acks: %s", strerror(errno));
			goto out;
		}
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;
			size_t idx;

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != b->nft->portid)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			idx = nlh->nlmsg_seq - b->first_seq;
			if (idx >= b->n)
				continue;
			acks++;
			if (e->error != 0 && idx < failed) {
				failed = idx;
				fail_errno = -e->error;
			}
		}
	}
	if (failed != SIZE_MAX) {
		ret = -fail_errno;
		netd_diag_set(diag, "nft: %s: %s", b->what[failed], strerror(fail_errno));
	} else if (acks < b->n) {
		ret = -EIO;
		netd_diag_set(diag, "nft: %zu of %zu messages were not acknowledged", b->n - acks,
		              b->n);
	} else if (follow) {
		nft_snapshot_follow(b, pre);
	}
out:
	free(buf);
	return ret;
}
