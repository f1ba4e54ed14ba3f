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
#define NFT_KEY_MAX     64 /* the longest set key compared: a few fields concatenated */
#define NFT_SET_NAME    64 /* ours are short; a longer name is not ours */

/* ---- the table as the kernel has it, read back at one ruleset generation ---- */

/* A set or map element: key (and the end of an interval), and where it sends the packet. */
struct nft_elem {
	uint8_t key[NFT_KEY_MAX];
	uint32_t key_len;
	uint8_t key_end[NFT_KEY_MAX]; /* interval: the end (exclusive), key_len bytes; has_end */
	bool has_end;
	bool end_attr; /* the end is the element's own KEY_END (concatenated ranges), not an
	                * element of its own with the interval-end flag */
	bool has_verdict;
	int32_t verdict;                /* NFT_JUMP, NF_ACCEPT, ... when has_verdict */
	char chain[NETD_NFT_CHAIN_MAX]; /* jump/goto target, "" otherwise */
};

struct nft_kchain {
	char name[NETD_NFT_CHAIN_MAX];
	bool hooked; /* a base chain: hook, prio, type and policy are meaningful */
	uint32_t hook, policy;
	int32_t prio;
	char type[16];
	char **rules; /* each rule's expressions as nft_rule_canon() writes them, in order */
	size_t n_rules;
};

struct nft_kset {
	char name[NFT_SET_NAME];
	uint32_t flags, key_type, key_len, data_type;
	struct nft_elem *elems; /* an interval's start and end folded into one element */
	size_t n_elems;
};

/*
 * Everything table inet netd holds, as read at ruleset generation gen (NFT_MSG_GETGEN; it
 * moves on every change to any table). Kept on the socket and read again only when the
 * generation moved, so verifying N networks of a host nothing changed costs N generation
 * queries and no dump.
 */
struct nft_snapshot {
	bool valid;
	uint32_t gen;
	bool table; /* the table exists */
	struct nft_kchain *chains;
	size_t n_chains;
	struct nft_kset *sets;
	size_t n_sets;
};

struct netd_nft {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	struct nft_snapshot snap;
};

/* nft_socket.c: the socket owns the snapshot, and frees it when it closes. */
void nft_snapshot_release(struct nft_snapshot *s);
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

/* ---- nft_observe.c: reading the table back ---- */

/* The snapshot of the table as it is now (*out stays owned by nft, valid until the next
 * call): reread only when the ruleset generation moved since it was read. */
int nft_snapshot_get(struct netd_nft *nft, const struct nft_snapshot **out);
const struct nft_kchain *nft_snap_chain(const struct nft_snapshot *s, const char *name);
const struct nft_kset *nft_snap_set(const struct nft_snapshot *s, const char *name);
/* A rule's expressions as text, one "[ name body ]" each (libnftnl's own printer), without
 * handle, position, userdata or counter values: equal texts are equal rules. */
int nft_rule_canon(struct nftnl_rule *r, char **out);
/* Is name a netd network chain ("in_x" ...)? Fills the network name when so. */
bool nft_chain_network(const char *chain, char network[NETD_NAME_MAX]);

/* ---- nft_expr.c: the IR's rules and the base chains' dispatch rules as libnftnl rules,
 * the one code that writes them to the batch and builds what verification expects ---- */

struct nftnl_rule *nft_rule_build(const char *chain, const struct netd_nft_rule *ir,
                                  const char *comment, int *err);
int nft_put_rule(struct nft_batch *b, const char *chain, size_t index,
                 const struct netd_nft_rule *r, const char *comment);

/* The base chains: each hooked, policy accept, and dispatching through its maps. */
struct nft_dispatch {
	uint32_t key; /* NFT_META_IIFNAME, NFT_META_OIFNAME, or NFT_META_NFPROTO: ip saddr */
	enum netd_nft_chain_kind map;
	const char *text;
};
struct nft_base_spec {
	const char *name, *type;
	uint32_t hook;
	int32_t prio;
	struct nft_dispatch rules[2];
	size_t n_rules;
};
extern const struct nft_base_spec nft_base[NFT_BASE_CHAINS];
struct nftnl_rule *nft_dispatch_build(const char *chain, const struct nft_dispatch *d, int *err);
int nft_put_dispatch(struct nft_batch *b, const char *chain, size_t index,
                     const struct nft_dispatch *d);

/* ---- nft_objects.c: table, maps, chains and elements as batch messages ---- */

/* The maps the base chains dispatch through, one per chain kind, and how each is made. */
struct nft_map_spec {
	const char *name;
	uint32_t flags, key_type, key_len, data_type;
	uint32_t key_byteorder; /* nft's, in the set's userdata */
};
extern const struct nft_map_spec nft_maps[NETD_NFT_CHAIN_KINDS];

/* A set of table inet netd (name NULL: any, for a dump of all of them). */
struct nftnl_set *nft_set_new(const char *name);
int nft_put_base(struct nft_batch *b);
int nft_put_chain(struct nft_batch *b, uint16_t type, const char *name);
int nft_put_flush(struct nft_batch *b, const char *chain);
int nft_put_del_map(struct nft_batch *b, enum netd_nft_chain_kind map);
int nft_put_elem(struct nft_batch *b, uint16_t type, const char *map, const struct nft_elem *e);
int nft_put_del_table(struct nft_batch *b);

/* An element x wants, and the map it goes in. Every element a network puts in the table comes
 * from nft_want_elems, and every rule from x's chains: apply writes exactly those, and the
 * verification expects exactly those, so whatever the IR comes to hold is verified too. */
struct nft_want_elem {
	enum netd_nft_chain_kind map;
	struct nft_elem e;
};
#define NFT_WANT_ELEMS_MAX (NETD_NFT_CHAIN_KINDS * 4)
/* Every element x wants in the maps: what apply adds and what verification expects. */
size_t nft_want_elems(const struct netd_nft_net *x, struct nft_want_elem *out);
/* The element's key as nft writes it: "virbr0", 192.122.1.0/24, or hex. */
void nft_elem_key_text(const struct nft_elem *e, uint32_t key_type, char *buf, size_t len);
bool nft_elem_same(const struct nft_elem *a, const struct nft_elem *b);

/* ---- nft_verify.c: the kernel's table against what a network wants ---- */

/* The base chain is there, hooked as nft_base[i] says (policy and rules aside). */
bool nft_base_chain_hooked(const struct nft_snapshot *s, int i);
/* The map is missing or defined as nft_maps[k] says. */
bool nft_map_def_ok(const struct nft_snapshot *s, enum netd_nft_chain_kind k);
/* An element of the table that is the business of the network whose chains are names: it
 * jumps to one of them, or its key meets one the network wants. */
bool nft_elem_concerns(const struct nft_elem *e, const struct nft_want_elem *want, size_t n_want,
                       const char *map, char names[][NETD_NFT_CHAIN_MAX]);

#define NFT_DIGEST_PREFIX "netd:"

#endif
