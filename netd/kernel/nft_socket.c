/* The netfilter socket itself: open, close, and dumps (a request and its replies). The batch
 * (nft_batch.c) and the observer (nft_observe.c) both sit on top of it; neither calls the
 * other. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <libnftnl/common.h>

#include "nft_priv.h"

int netd_nft_open(struct netd_nft **out)
{
	struct netd_nft *nft;
	int one = 1, ret;

	*out = NULL;
	nft = calloc(1, sizeof(*nft));
	if (!nft)
		return -ENOMEM;
	nft->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nft->nl) {
		ret = -errno;
		goto out;
	}
	if (mnl_socket_bind(nft->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	/* Error acks need only the header of the message that failed. */
	mnl_socket_setsockopt(nft->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	nft->portid = mnl_socket_get_portid(nft->nl);
	nft->seq = (uint32_t)time(NULL);
	*out = nft;
	return 0;
out:
	netd_nft_close(nft);
	return ret;
}

void netd_nft_close(struct netd_nft *nft)
{
	if (!nft)
		return;
	if (nft->nl)
		mnl_socket_close(nft->nl);
	nft_snapshot_release(&nft->snap);
	nft_vcache_release(&nft->vcache);
	free(nft);
}

uint32_t netd_nft_portid(const struct netd_nft *nft)
{
	return nft->portid;
}

void nft_ktable_release(struct nft_ktable *t)
{
	for (size_t i = 0; i < t->n_chains; i++) {
		for (size_t r = 0; r < t->chains[i].n_rules; r++)
			free(t->chains[i].rules[r]);
		free(t->chains[i].rules);
	}
	free(t->chains);
	for (size_t i = 0; i < t->n_sets; i++) {
		free(t->sets[i].elems);
		free(t->sets[i].by_key);
		free(t->sets[i].by_chain);
	}
	free(t->sets);
	memset(t, 0, sizeof(*t));
}

void nft_snapshot_release(struct nft_snapshot *s)
{
	nft_ktable_release(&s->inet);
	nft_ktable_release(&s->bridge);
	memset(s, 0, sizeof(*s));
}

void nft_drain(struct netd_nft *nft, char *buf)
{
	while (recv(mnl_socket_get_fd(nft->nl), buf, NFT_RECV_BUF, MSG_DONTWAIT) > 0 ||
	       errno == EINTR)
		;
}

int nft_dump(struct netd_nft *nft, uint16_t type, void (*build)(struct nlmsghdr *, void *),
             void *build_arg, mnl_cb_t cb, void *data)
{
	return nft_dump_family(nft, NFPROTO_INET, type, build, build_arg, cb, data);
}

/* Count what a reply brought (netd_nft_read_counts). */
static void count(struct netd_nft *nft, const char *buf, ssize_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;

	nft->read_bytes += (uint64_t)len;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		nft->read_msgs++;
}

void netd_nft_read_counts(const struct netd_nft *nft, uint64_t *msgs, uint64_t *bytes)
{
	*msgs = nft->read_msgs;
	*bytes = nft->read_bytes;
}

/* A request and its replies: a dump (NLM_F_DUMP) ends with DONE, a get (NLM_F_ACK) with its
 * ack. */
static int request(struct netd_nft *nft, uint8_t family, uint16_t type, uint16_t flags,
                   void (*build)(struct nlmsghdr *, void *), void *build_arg, mnl_cb_t cb,
                   void *data)
{
	char *buf = calloc(1, NFT_RECV_BUF); /* zeroed: the request's padding goes out as is */
	struct nlmsghdr *nlh;
	int ret = 0;
	uint32_t seq;

	if (!buf)
		return -ENOMEM;
	seq = nft->seq++;
	nlh = nftnl_nlmsg_build_hdr(buf, type, family, flags, seq);
	if (build)
		build(nlh, build_arg);
	if (mnl_socket_sendto(nft->nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(nft->nl, buf, NFT_RECV_BUF);

		if (len < 0) {
			ret = -errno;
			break;
		}
		count(nft, buf, len);
		ret = mnl_cb_run(buf, len, seq, nft->portid, cb, data);
		if (ret <= MNL_CB_STOP) {
			ret = ret < 0 ? -errno : 0;
			break;
		}
	}
	/* A dump cut short (error, or EINTR when the ruleset changed under it) leaves
	 * the rest queued: drop it so the next reader sees only its own answers. */
	if (ret < 0)
		nft_drain(nft, buf);
out:
	free(buf);
	return ret;
}

int nft_dump_family(struct netd_nft *nft, uint8_t family, uint16_t type,
                    void (*build)(struct nlmsghdr *, void *), void *build_arg, mnl_cb_t cb,
                    void *data)
{
	return request(nft, family, type, NLM_F_DUMP, build, build_arg, cb, data);
}

int nft_get_family(struct netd_nft *nft, uint8_t family, uint16_t type,
                   void (*build)(struct nlmsghdr *, void *), void *build_arg, mnl_cb_t cb,
                   void *data)
{
	return request(nft, family, type, NLM_F_ACK, build, build_arg, cb, data);
}
