/* Private to netd/nft_*.c: the socket, batches acked message by message, dumps. */
#ifndef NETD_NFT_INT_H
#define NETD_NFT_INT_H

/* netinet/in.h (through nft.h) before the kernel headers, or they clash */
#include "netd/kernel/nft.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#define NFT_BASE_CHAINS 4
#define NFT_KEY_MAX     64 /* the longest set key compared: a few fields concatenated */
#define NFT_SET_NAME    64 /* ours are short; a longer name is not ours */
/* nft(8)'s datatype numbers, so that `nft list` prints the maps' key types. */
#define NFT_TYPE_IPADDR  7
#define NFT_TYPE_IP6ADDR 8
#define NFT_TYPE_IFNAME  41

/* ---- netd's tables as the kernel has them, read back at one ruleset generation ---- */

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
	uint8_t data[16];               /* a map's data that is not a verdict (the forward maps) */
	uint32_t data_len;
	char owner[NETD_NAME_MAX]; /* the network its comment "netd:<net>" names, or "" */
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
	/* The elements again, by key and by the chain they jump to (nft_index.c). */
	const struct nft_elem **by_key, **by_chain;
};

/* One of netd's tables (inet netd, bridge netd): its chains, its sets and their elements. */
struct nft_ktable {
	bool exists;
	struct nft_kchain *chains;
	size_t n_chains;
	struct nft_kset *sets;
	size_t n_sets;
};

/*
 * Everything tables inet netd and bridge netd hold, as read at ruleset generation gen
 * (NFT_MSG_GETGEN; it moves on every change to any table). Kept on the socket and read again
 * only when the generation moved, so verifying N networks of a host nothing changed costs N
 * generation queries and no dump.
 */
struct nft_snapshot {
	bool valid;
	uint32_t gen;
	struct nft_ktable inet, bridge;
};

/* nft_verify_cache.c: verify's last answer per network, by generation and wants. */
struct nft_vcache_ent;
struct nft_vcache {
	struct nft_vcache_ent **v; /* sorted by network name */
	size_t n, cap;
	bool off;                      /* netd_nft_verify_remember(false) */
	uint64_t remembered, computed; /* netd_nft_verify_counts */
};
uint64_t nft_vcache_key(const struct netd_nft_net *x);
bool nft_vcache_get(const struct nft_vcache *c, const char *network, uint32_t gen, uint64_t key,
                    struct netd_nft_drift *out);
int nft_vcache_put(struct nft_vcache *c, const char *network, uint32_t gen, uint64_t key,
                   const struct netd_nft_drift *out);
void nft_vcache_release(struct nft_vcache *c);

struct netd_nft {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	struct nft_snapshot snap;
	/* netd_nft_observe_hold(): the generation is checked once, then trusted. */
	bool hold, hold_checked;
	/* What the dumps and gets have read (netd_nft_read_counts). */
	uint64_t read_msgs, read_bytes;
	struct nft_vcache vcache;
};

/* nft_socket.c: the socket owns the snapshot, and frees it when it closes. */
void nft_snapshot_release(struct nft_snapshot *s);
void nft_ktable_release(struct nft_ktable *t);
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
	/* What the batch changes in netd's tables, for the snapshot to follow it (nft_patch.c)
	 * without reading the tables again: the chains it touches, the elements it adds or
	 * deletes. A message nobody noted (a table or map made or deleted) makes the snapshot be
	 * read again whole. */
	struct nft_touch *touched;
	size_t n_touched, cap_touched;
	/* The table and maps it makes if missing: when the snapshot has them, a no-op. */
	struct nft_touch *kept;
	size_t n_kept, cap_kept;
	struct nft_elem_op *ops;
	size_t n_ops, cap_ops;
	size_t n_noted;    /* messages noted */
	size_t noted_upto; /* the last message noted, + 1 */
};

/* A chain a batch changes (made, deleted, flushed, given rules). */
struct nft_touch {
	uint8_t family;
	char chain[NETD_NFT_CHAIN_MAX];
};

/* An element a batch adds (NFT_MSG_NEWSETELEM) or deletes. */
struct nft_elem_op {
	uint8_t family;
	uint16_t type;
	char set[NFT_SET_NAME];
	struct nft_elem e;
};

/* The message just built changes chain (in the table of b->family), or adds or deletes e in
 * set. Errors stick in b->err. */
void nft_batch_note_chain(struct nft_batch *b, const char *chain);
/* The message just built makes the table (set NULL) or map set if missing. */
void nft_batch_note_kept(struct nft_batch *b, const char *set);
void nft_batch_note_elem(struct nft_batch *b, uint16_t type, const char *set,
                         const struct nft_elem *e);

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

/* A get of one object (request payload by build): cb sees the reply; -ENOENT when none. */
int nft_get_family(struct netd_nft *nft, uint8_t family, uint16_t type,
                   void (*build)(struct nlmsghdr *, void *), void *build_arg, mnl_cb_t cb,
                   void *data);

/* ---- nft_observe.c: reading the tables back ---- */

/* The snapshot of both tables as they are now (*out stays owned by nft, valid until the next
 * call): reread only when the ruleset generation moved since it was read. */
int nft_snapshot_get(struct netd_nft *nft, const struct nft_snapshot **out);
/* Table <family> netd read now, outside the snapshot: its chains (with their rules only when
 * rules), sets and elements. For a batch that needs only names and elements (attach). */
int nft_ktable_read(struct netd_nft *nft, uint8_t family, bool rules, struct nft_ktable *t);
const struct nft_kchain *nft_snap_chain(const struct nft_ktable *t, const char *name);
const struct nft_kset *nft_snap_set(const struct nft_ktable *t, const char *name);
/* A rule's expressions as text, one "[ name body ]" each (libnftnl's own printer), without
 * handle, position, userdata or counter values: equal texts are equal rules. */
int nft_rule_canon(struct nftnl_rule *r, char **out);
/* Is name a netd network chain ("in_x" ...)? Fills the network name when so. */
bool nft_chain_network(const char *chain, char network[NETD_NAME_MAX]);
/* The ruleset's generation now. */
int nft_ruleset_gen(struct netd_nft *nft, uint32_t *gen);
/* Chain name of table <family> netd with its rules, read alone: 1 and *k filled (the caller
 * frees its rules), 0 when there is no such chain. */
int nft_chain_read(struct netd_nft *nft, uint8_t family, const char *name, struct nft_kchain *k);

/* ---- nft_patch.c: the snapshot following netd's own batch ---- */

/* Batch b was committed, and the generation was pre just before: when b alone moved the
 * ruleset since the snapshot was read, the snapshot is brought to what b made (the chains it
 * touched read again by name, its elements added or deleted as sent) instead of being read
 * again whole; otherwise it is left for the generation check to read again. */
void nft_snapshot_follow(struct nft_batch *b, uint32_t pre);

/* ---- nft_match.c: the IR's matches as expressions ---- */

/* The dependencies nft adds to a rule's matches, each once: `ip ...` implies `meta nfproto
 * ipv4` (inet) or `meta protocol ip` (bridge), `udp ...` implies `meta l4proto udp`, `arp
 * ...` implies `ether type arp`. */
struct nft_deps {
	bool ipv4, arp, ipv6;
	int l4proto;
	uint8_t family; /* of the rule's table */
};

int nft_put_match(struct nftnl_rule *r, struct nft_deps *d, const struct netd_nft_match *m);
int nft_need_ipv4(struct nftnl_rule *r, struct nft_deps *d);
/* A port forward's key, [ip daddr .] meta l4proto . th dport (one register a field, as nft
 * concatenates), looked up in set (map: its data into register 1 on). */
int nft_fwd_key_lookup(struct nftnl_rule *r, struct nft_deps *d, bool addr, const char *set,
                       bool map);
int nft_need_ipv6(struct nftnl_rule *r, struct nft_deps *d);  /* `meta nfproto ipv6` (inet) */
int nft_add_expr(struct nftnl_rule *r, struct nftnl_expr *e); /* e NULL: -ENOMEM */
int nft_meta(struct nftnl_rule *r, uint32_t key);             /* into register 1 */
/* cmp op of register 1 against len bytes of data. */
int nft_cmp(struct nftnl_rule *r, enum nft_cmp_ops op, const void *data, uint32_t len);
int nft_payload(struct nftnl_rule *r, enum nft_payload_bases base, uint32_t off, uint32_t len);

/* ---- nft_expr.c: the IR's rules and the base chains' dispatch rules as libnftnl rules in
 * table <family> netd, the one code that writes them to the batch and builds what
 * verification expects ---- */

struct nftnl_rule *nft_rule_build(uint8_t family, const char *chain, const struct netd_nft_rule *ir,
                                  const char *comment, int *err);
/* Rule index of chain, in the table of b->family. */
int nft_put_rule(struct nft_batch *b, const char *chain, size_t index,
                 const struct netd_nft_rule *r, const char *comment);
int nft_put_flush(struct nft_batch *b, const char *chain);

/* A base chain's dispatch rule: key vmap @map. */
struct nft_dispatch {
	uint32_t key; /* NFT_META_IIFNAME, NFT_META_OIFNAME, or NFT_META_NFPROTO: ip saddr */
	const char *map;
	const char *text;
	/* A rule of its own instead (the forwards' lookups, nft_forward_rules.c): its expressions.
	 */
	int (*build)(struct nftnl_rule *r, struct nft_deps *d);
	bool ip6; /* with NFT_META_NFPROTO: ip6 saddr */
};
struct nftnl_rule *nft_dispatch_build(uint8_t family, const char *chain,
                                      const struct nft_dispatch *d, int *err);
int nft_put_dispatch(struct nft_batch *b, const char *chain, size_t index,
                     const struct nft_dispatch *d);

/* ---- nft_spec.c: each table's frame (base chains and maps) as data ---- */

/* A map a base chain dispatches through, and how it is made. */
struct nft_map_spec {
	const char *name;
	uint32_t flags, key_type, key_len, data_type;
	uint32_t key_byteorder; /* nft's, in the set's userdata */
	uint32_t data_len;      /* a map whose data is not a verdict; 0 otherwise */
};
/* A base chain: hooked, policy accept, and dispatching through its maps. */
struct nft_base_spec {
	const char *name, *type;
	uint32_t hook;
	int32_t prio;
	struct nft_dispatch rules[3]; /* forward: in and out; postrouting: ip and ip6 */
	size_t n_rules;
};
/* A table's frame: what every network in it shares. */
struct nft_frame {
	uint8_t family;
	const char *family_name; /* "inet", "bridge" */
	const struct nft_map_spec *maps;
	size_t n_maps;
	uint32_t
	    first_set_id; /* NFTNL_SET_ID of maps[0]: apart from the other table's in a batch */
	const struct nft_base_spec *base;
	size_t n_base;
};
/* Table inet netd's maps, one per chain kind (nft_maps[k]), and its base chains. */
extern const struct nft_map_spec nft_maps[NETD_NFT_CHAIN_KINDS];
extern const struct nft_base_spec nft_base[NFT_BASE_CHAINS];
extern const struct nft_frame nft_inet_frame, nft_bridge_frame;
/* Port forwards' part of table inet netd (their maps and DNAT chains): made by a network with
 * forwards, checked by it, left to the others; gone with the table. */
#define NFT_FWD_MAPS 4
extern const struct nft_frame nft_fwd_frame;
/* The map called name in the table of family, or NULL. */
const struct nft_map_spec *nft_map_spec_of(uint8_t family, const char *name);

/* ---- nft_objects.c: tables, maps, chains and elements as batch messages, in the table of
 * b->family ---- */

/* A set of table <family> netd (name NULL: any, for a dump of all of them). */
struct nftnl_set *nft_set_new(uint8_t family, const char *name);
int nft_put_table(struct nft_batch *b);
int nft_put_del_table(struct nft_batch *b);
int nft_put_map(struct nft_batch *b, const struct nft_map_spec *m, uint32_t id);
int nft_put_del_map(struct nft_batch *b, const struct nft_map_spec *m);
int nft_put_chain(struct nft_batch *b, uint16_t type, const char *name);
int nft_put_base_chain(struct nft_batch *b, const struct nft_base_spec *spec);
/* c made if missing, flushed and filled with its rules, the first labelled "netd:<digest>"
 * for whoever reads `nft list` (nothing trusts it: the rules themselves are compared). */
int nft_put_chain_rules(struct nft_batch *b, const struct netd_nft_chain *c, const char *digest);
int nft_put_elem(struct nft_batch *b, uint16_t type, const char *map, const struct nft_elem *e);

/* An element x wants, and the map it goes in. Every element a network puts in table inet
 * netd comes from nft_want_elems, and every rule from x's chains: apply writes exactly those,
 * and the verification expects exactly those, so whatever the IR comes to hold is verified
 * too. */
struct nft_want_elem {
	enum netd_nft_chain_kind map;
	struct nft_elem e;
};
#define NFT_WANT_ELEMS_MAX (NETD_NFT_CHAIN_KINDS * 4)
/* Every element x wants in the maps: what apply adds and what verification expects. */
size_t nft_want_elems(const struct netd_nft_net *x, struct nft_want_elem *out);
/* The element key jumping to chain in an ifname-keyed map. */
void nft_ifname_elem(const char *key, const char *chain, struct nft_elem *e);
/* The element's key as nft writes it: "virbr0", 192.122.1.0/24, or hex. */
void nft_elem_key_text(const struct nft_elem *e, uint32_t key_type, char *buf, size_t len);
bool nft_elem_same(const struct nft_elem *a, const struct nft_elem *b);
/* The same key (or interval), whatever it maps to. */
bool nft_elem_same_key(const struct nft_elem *a, const struct nft_elem *b);

/* ---- nft_index.c: lookups in a table as read back, in log n ---- */

/* Index k's elements (once, as it is read): by key and by the chain they jump to. */
int nft_kset_index(struct nft_kset *k);
/* Indexed k with element pos taken out, and k (indexed, or with no elements) with e put in at
 * the end: the index follows without sorting every element again (netd's own batches,
 * nft_patch.c). 0, or -ESTALE when the index does not hold the element where its order says
 * (a caller reads the set again), -ENOMEM; k is unchanged on failure. */
int nft_kset_remove(struct nft_kset *k, size_t pos);
int nft_kset_append(struct nft_kset *k, const struct nft_elem *e);
/* Whether two of indexed k's elements have one key: never in a kernel's set, but a dump of a
 * large hash set can repeat some elements and miss as many (nft_observe.c dump_elems). */
bool nft_kset_repeats_key(const struct nft_kset *k);
/* The element of set (may be NULL) with e's key, or NULL. */
const struct nft_elem *nft_set_find_key(const struct nft_kset *set, const struct nft_elem *e);
/* Append to the list *v (*n of *cap, grown as needed; the caller frees it) the positions in
 * set->elems of the elements whose key or interval meets w's (set may be NULL). */
int nft_set_meeting(const struct nft_kset *set, const struct nft_elem *w, size_t **v, size_t *n,
                    size_t *cap);
/* The same for the elements that jump to chain (prefix: to any chain whose name begins so). */
int nft_set_jumping(const struct nft_kset *set, const char *chain, bool prefix, size_t **v,
                    size_t *n, size_t *cap);
/* Sort a list of positions and drop repeats; its new length. */
size_t nft_positions_sorted(size_t *v, size_t n);
/* The position of the first of t's chains (sorted by name) whose name is not below prefix:
 * the chains beginning with prefix follow it. */
size_t nft_snap_chains_from(const struct nft_ktable *t, const char *prefix);

/* ---- nft_drift.c: what differs, as text ---- */

/* The groups of a drift's text, in the order it names them: base chains and maps of the
 * tables, then the network's chains, then its elements. */
enum nft_drift_group { NFT_G_TABLE, NFT_G_CHAINS, NFT_G_ELEMS, NFT_G_COUNT };

struct nft_report {
	char text[NFT_G_COUNT][NETD_NFT_DRIFT_MAX];
	unsigned n;
};

void nft_note(struct nft_report *r, enum nft_drift_group g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The groups joined by "; " into out. */
void nft_report_join(const struct nft_report *r, char *out, size_t len);
/* The rules the batch would send, as nft_rule_canon() writes them. */
struct nft_wanted {
	char **text;
	size_t n;
};
/* Take r (built for the batch; NULL: its build failed with err) into w as text; r is freed. */
int nft_wanted_add(struct nft_wanted *w, struct nftnl_rule *r, int err);
void nft_wanted_release(struct nft_wanted *w);
/* The kernel's chain k against the wanted rules: in order; missing, foreign and changed rules
 * noted in group g. */
int nft_check_rules(struct nft_report *r, enum nft_drift_group g, const struct nft_kchain *k,
                    const struct nft_wanted *w);
/* Chain c of the IR against table t of family: missing, or its rules as above. */
int nft_check_chain(struct nft_report *r, const struct nft_ktable *t, uint8_t family,
                    const struct netd_nft_chain *c);

/* ---- nft_frame.c: a table's frame against nft_spec.c, checked and put ---- */

/* The frame's base chain i is there, hooked as it says (policy and rules aside). */
bool nft_frame_base_ok(const struct nft_ktable *t, const struct nft_frame *f, size_t i);
/* The map is missing or defined as m says. */
bool nft_frame_map_ok(const struct nft_ktable *t, const struct nft_map_spec *m);
/* The frame as f says: whatever of it t shows unfit (a base chain on another hook, a map
 * defined otherwise: neither changes in place) deleted first, then the table, maps and base
 * chains made if missing, each base chain flushed and given its dispatch rules again.
 * t NULL: only the latter (the batches of one port). In the table of f->family; b->family
 * is left as it was. */
int nft_put_frame(struct nft_batch *b, const struct nft_ktable *t, const struct nft_frame *f);
/* The frame of t against f: base chains (hook, policy, dispatch rules) and maps. */
int nft_check_frame(struct nft_report *r, const struct nft_ktable *t, const struct nft_frame *f);

/* ---- nft_verify.c: table inet netd against what a network wants ---- */

/* An element of table inet netd that is the business of the network whose chains are names:
 * it jumps to one of them, or its key meets one the network wants. */
bool nft_elem_concerns(const struct nft_elem *e, const struct nft_want_elem *want, size_t n_want,
                       const char *map, char names[][NETD_NFT_CHAIN_MAX]);
/* The elements of set that may be the network's business, by position in set->elems, in
 * order (*v of *n, the caller's to free): those that jump to one of its chains, and those
 * whose key meets one it wants in this set. Found through the set's index: nft_elem_concerns()
 * is true of none but these. */
int nft_elem_candidates(const struct nft_kset *set, const struct nft_want_elem *want, size_t n_want,
                        char names[][NETD_NFT_CHAIN_MAX], size_t **v, size_t *n);

/* ---- nft_bridge.c: table bridge netd, the guests' bound ports ---- */

/* Map port_if of t, or NULL. */
const struct nft_kset *nft_port_map(const struct nft_ktable *t);
/* x's port called port, when x binds it now: in x, in this batch (only; NULL: any), and for a
 * whole apply (only NULL) not held by another network's port chain: a record that outlived
 * its tap must not take the name's new owner's binding. NULL otherwise. */
const struct netd_nft_port *nft_port_wanted(const struct nft_ktable *t,
                                            const struct netd_nft_net *x, const char *port,
                                            const char *only);
/* The element of port_if that binds p. */
void nft_port_elem(const struct netd_nft_port *p, struct nft_elem *e);
/* An element of port_if that is x's business: it jumps to one of x's port chains, or it is
 * keyed by a port x binds and jumps to no other network's port chain. */
bool nft_port_elem_concerns(const struct nft_ktable *t, const struct netd_nft_net *x,
                            const struct nft_elem *e);
/* x's ports as it binds them (only: that port alone, its name taken from whichever chain had
 * it; NULL: all of them, whatever of table bridge netd t shows unfit made again, the
 * network's other chains and elements gone). */
int nft_put_ports(struct nft_batch *b, const struct nft_ktable *t, const struct netd_nft_net *x,
                  const char *only);
/* The network's ports gone (only: that one); the table with the last of anyone's. */
int nft_put_ports_remove(struct nft_batch *b, const struct nft_ktable *t, const char *network,
                         const char *only);

/* ---- nft_verify_ports.c: table bridge netd against what a network wants ---- */

/* x's ports in t: the table's frame (when x binds any), each bound port's chain, its other
 * port chains, and its elements of port_if. *present: some port chain of x is in t. */
int nft_verify_ports(struct nft_report *r, const struct nft_ktable *t, const struct netd_nft_net *x,
                     bool *present);

/* ---- nft_forward_rules.c: the port forwards' base rules (nft_spec.c names them) ---- */

int nft_fwd_skip_rule(struct nftnl_rule *r, struct nft_deps *d);
int nft_fwd_dnat_addr_rule(struct nftnl_rule *r, struct nft_deps *d);
int nft_fwd_dnat_any_rule(struct nftnl_rule *r, struct nft_deps *d);
int nft_fwd_masq_lo_rule(struct nftnl_rule *r, struct nft_deps *d);
/* ---- nft_forward.c: the port forwards' map elements ---- */

/* The forward elements of network as x wants them (x NULL: none): those of its elements that
 * differ go, what is missing is added, in messages of many elements each. */
int nft_put_forwards(struct nft_batch *b, const struct nft_ktable *t, const struct netd_nft_net *x,
                     const char *network);
/* The network's forward elements in t against x's: missing, changed, not wanted. */
int nft_check_forwards(struct nft_report *r, const struct nft_ktable *t,
                       const struct netd_nft_net *x);

#define NFT_DIGEST_PREFIX "netd:"

#endif
