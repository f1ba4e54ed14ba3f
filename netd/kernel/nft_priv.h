/* Private to netd/nft_*.c: the socket, batches acked message by message, dumps. */
#ifndef NETD_NFT_INT_H
#define NETD_NFT_INT_H

/* netinet/in.h (through nft.h) before the kernel headers, or they clash */
#include "netd/kernel/nft.h"

#include <linux/netfilter.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#define NFT_BASE_CHAINS 4

/*
 * What observe last read of table inet netd, valid while the kernel's ruleset generation
 * (NFT_MSG_GETGEN; it moves on every change to any table) is the one it was read at. A
 * reconcile of N networks that nothing changed then costs N small generation queries instead
 * of N dumps of every chain. Digests are filled chain by chain as they are asked for.
 */
struct nft_observe_cache {
	bool valid;
	uint32_t gen;
	bool table;
	char (*chains)[NETD_NFT_CHAIN_MAX];
	char (*digests)[NETD_NFT_DIGEST_LEN + 1]; /* parallel to chains; "" unknown */
	bool *no_digest;                          /* parallel: read, and carries none */
	size_t n;
};

struct netd_nft {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	struct nft_observe_cache cache;
	/* netd_nft_observe_hold(): the generation is checked once, then trusted. */
	bool hold, hold_checked;
};

/* nft_socket.c: the socket owns the cache, and frees it when it closes. */
void nft_observe_cache_release(struct nft_observe_cache *c);
/* Receive buffers: a dump reply or a batch of acks at a time. */
#define NFT_RECV_BUF (64 * 1024)
/* Drop whatever replies are still queued on the socket (buf: NFT_RECV_BUF bytes of scratch). */
void nft_drain(struct netd_nft *nft, char *buf);

/* One transaction: every message carries NLM_F_ACK and a description for errors. */
struct nft_batch {
	struct netd_nft *nft;
	struct nftnl_batch *b;
	uint32_t first_seq; /* seq of the first message after BATCH_BEGIN */
	char **what;        /* what[seq - first_seq]: e.g. "adding rule 2 of chain in_x (...)" */
	size_t n, cap;
	int err; /* sticky: the first failure while building */
};

int nft_batch_init(struct netd_nft *nft, struct nft_batch *b);
void nft_batch_release(struct nft_batch *b);
/* A header for the next message; the caller builds the payload then calls nft_batch_next.
 * NULL (and b->err set) on failure; the description is printf-style. */
struct nlmsghdr *nft_batch_msg(struct nft_batch *b, uint16_t type, uint16_t flags, const char *fmt,
                               ...) __attribute__((format(printf, 4, 5)));
void nft_batch_next(struct nft_batch *b);
/* Send, read every ack; the first error is named in diag. 0 when nothing was queued. */
int nft_batch_commit(struct nft_batch *b, struct netd_diag *diag);

/* A dump request: build fills the request payload (may be NULL); cb sees each reply. */
int nft_dump(struct netd_nft *nft, uint16_t type, void (*build)(struct nlmsghdr *, void *),
             void *build_arg, mnl_cb_t cb, void *data);

/* ---- the kernel's view of table inet netd ---- */
struct nft_elem {
	uint8_t key[IFNAMSIZ];
	uint32_t key_len;
	uint8_t key_end[4]; /* nat_src: the interval's end (exclusive); has_end */
	bool has_end;
	char chain[NETD_NFT_CHAIN_MAX]; /* jump target */
};

struct nft_state {
	bool table;                         /* the table has at least one chain */
	char (*chains)[NETD_NFT_CHAIN_MAX]; /* every chain of the table */
	size_t n_chains;
	struct nft_elem *elems[NETD_NFT_CHAIN_KINDS]; /* per map, when dumped */
	size_t n_elems[NETD_NFT_CHAIN_KINDS];
};

int nft_state_chains(struct netd_nft *nft, struct nft_state *st);
int nft_state_elems(struct netd_nft *nft, struct nft_state *st);
void nft_state_release(struct nft_state *st);
bool nft_state_has_chain(const struct nft_state *st, const char *name);
/* Is name a netd network chain ("in_x" ...)? Fills the network name when so. */
bool nft_chain_network(const char *chain, char network[NETD_NAME_MAX]);

/* ---- objects and rules as libnftnl messages ---- */
extern const char *const nft_map_names[NETD_NFT_CHAIN_KINDS];
extern const char *const nft_base_chains[NFT_BASE_CHAINS];

int nft_put_base(struct nft_batch *b);
int nft_put_chain(struct nft_batch *b, uint16_t type, const char *name);
int nft_put_flush(struct nft_batch *b, const char *chain);
int nft_put_rule(struct nft_batch *b, const char *chain, size_t index,
                 const struct netd_nft_rule *r, const char *comment);
int nft_put_elem(struct nft_batch *b, uint16_t type, enum netd_nft_chain_kind map,
                 const struct nft_elem *e);
int nft_put_del_table(struct nft_batch *b);
/* The element a network wants in map k. */
void nft_wanted_elem(const struct netd_nft_net *x, enum netd_nft_chain_kind k, struct nft_elem *e);

#define NFT_DIGEST_PREFIX "netd:"

#endif
