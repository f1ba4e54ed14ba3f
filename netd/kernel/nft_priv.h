/* Private to netd/nft_*.c: the socket, batches acked message by message, dumps. */
#ifndef NETD_NFT_INT_H
#define NETD_NFT_INT_H

/* netinet/in.h (through nft.h) before the kernel headers, or they clash */
#include "netd/kernel/nft.h"

#include <linux/netfilter.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
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

/* What observe last read of table bridge netd (the guests' ports), valid at generation gen
 * as the cache above: each port chain with the port its element maps to it and the digest on
 * its first rule (nft_bridge.c). */
struct nft_port_cache {
	bool valid;
	uint32_t gen;
	struct netd_nft_port_fact *v;
	size_t n;
};

struct netd_nft {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	struct nft_observe_cache cache;
	struct nft_port_cache ports;
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
	/* The family of the table the next messages are for: NFPROTO_INET (the default, table
	 * inet netd) or NFPROTO_BRIDGE (table bridge netd, the guests' ports). One batch may
	 * change both tables. */
	uint8_t family;
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
/* The same for the tables of another family (nft_dump: NFPROTO_INET). */
int nft_dump_family(struct netd_nft *nft, uint8_t family, uint16_t type,
                    void (*build)(struct nlmsghdr *, void *), void *build_arg, mnl_cb_t cb,
                    void *data);
void nft_port_cache_release(struct nft_port_cache *c);

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
/* The chains of table <family> netd. */
int nft_state_chains_in(struct netd_nft *nft, uint8_t family, struct nft_state *st);
/* The elements of map in table <family> netd (a missing map has none); *out is the caller's. */
int nft_dump_elems(struct netd_nft *nft, uint8_t family, const char *map, bool interval,
                   struct nft_elem **out, size_t *n_out);
/* The digest a rule carries in its comment ("netd:<digest>"): 0, or -ENOENT when none. */
int nft_rule_digest(const struct nftnl_rule *r, char digest[NETD_NFT_DIGEST_LEN + 1]);
/* Does what was read at ruleset generation cached (valid: read at all) still describe the
 * ruleset? 1 yes, 0 no (*gen: the generation to read it at now), -errno. The generation moves
 * on every change to any table. */
int nft_cache_current(struct netd_nft *nft, bool valid, uint32_t cached, uint32_t *gen);
int nft_state_elems(struct netd_nft *nft, struct nft_state *st);
void nft_state_release(struct nft_state *st);
bool nft_state_has_chain(const struct nft_state *st, const char *name);
/* Is name a netd network chain ("in_x" ...)? Fills the network name when so. */
bool nft_chain_network(const char *chain, char network[NETD_NAME_MAX]);

/* ---- the IR's matches as expressions (nft_match.c) ---- */

/* The dependencies nft adds to a rule's matches, each once: `ip ...` implies `meta nfproto
 * ipv4` (inet) or `meta protocol ip` (bridge), `udp ...` implies `meta l4proto udp`, `arp
 * ...` implies `ether type arp`. */
struct nft_deps {
	bool ipv4, arp;
	int l4proto;
	uint8_t family; /* of the rule's table */
};

int nft_put_match(struct nftnl_rule *r, struct nft_deps *d, const struct netd_nft_match *m);
int nft_need_ipv4(struct nftnl_rule *r, struct nft_deps *d);
int nft_add_expr(struct nftnl_rule *r, struct nftnl_expr *e); /* e NULL: -ENOMEM */
int nft_meta(struct nftnl_rule *r, uint32_t key);             /* into register 1 */
int nft_payload(struct nftnl_rule *r, enum nft_payload_bases base, uint32_t off, uint32_t len);

/* ---- table bridge netd: the guests' bound ports (nft_bridge.c) ---- */
struct nft_ports_state {
	struct nft_state chains; /* the table's chains (chains.table: it exists) */
	struct nft_elem *elems;  /* map port_if */
	size_t n_elems;
};

int nft_ports_read(struct netd_nft *nft, struct nft_ports_state *ps);
void nft_ports_release(struct nft_ports_state *ps);
/* Has network any port chain there? */
bool nft_ports_has(const struct nft_ports_state *ps, const char *network);
/* x's ports as it binds them (only: that port alone, its name taken from whichever chain had
 * it; NULL: all of them, the network's other chains and elements gone). */
int nft_put_ports(struct nft_batch *b, const struct nft_ports_state *ps,
                  const struct netd_nft_net *x, const char *only);
/* The network's ports gone (only: that one); the table with the last of anyone's. */
int nft_put_ports_remove(struct nft_batch *b, const struct nft_ports_state *ps, const char *network,
                         const char *only);

/* ---- objects and rules as libnftnl messages, in the table of b->family (nft_expr.c) ---- */
extern const char *const nft_map_names[NETD_NFT_CHAIN_KINDS];
extern const char *const nft_base_chains[NFT_BASE_CHAINS];

int nft_put_base(struct nft_batch *b);
int nft_put_table(struct nft_batch *b);
int nft_put_map(struct nft_batch *b, const char *name, bool ip, uint32_t id);
int nft_put_base_chain(struct nft_batch *b, const char *name, uint32_t hook, int32_t prio,
                       bool nat);
/* Rule index of chain: key (a meta key, or NFT_META_NFPROTO for `ip saddr`) vmap @map. */
int nft_put_base_rule(struct nft_batch *b, const char *chain, size_t index, uint32_t key,
                      const char *map, const char *text);
int nft_put_chain(struct nft_batch *b, uint16_t type, const char *name);
/* c made if missing, flushed and filled with its rules, the first carrying "netd:<digest>". */
int nft_put_chain_rules(struct nft_batch *b, const struct netd_nft_chain *c, const char *digest);
int nft_put_flush(struct nft_batch *b, const char *chain);
int nft_put_rule(struct nft_batch *b, const char *chain, size_t index,
                 const struct netd_nft_rule *r, const char *comment);
int nft_put_elem(struct nft_batch *b, uint16_t type, enum netd_nft_chain_kind map,
                 const struct nft_elem *e);
int nft_put_elem_in(struct nft_batch *b, uint16_t type, const char *map, const struct nft_elem *e);
int nft_put_del_table(struct nft_batch *b);
/* The element a network wants in map k. */
void nft_wanted_elem(const struct netd_nft_net *x, enum netd_nft_chain_kind k, struct nft_elem *e);

#define NFT_DIGEST_PREFIX "netd:"

#endif
