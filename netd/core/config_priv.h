/*
 * Private to netd/core/config_*.c; not a public contract.
 *
 * A network file is read through one key table (config_keys.c): a row per key of every
 * section, naming the section, the key, the typed parser that checks and stores its value
 * (config_values.c, or a section's own file for what only it has), where the value goes
 * (offsetof into the section's struct) and where its line is kept, and the limits or value
 * table the parser applies. config_parse.c reads the text and hands each key to its row;
 * the rules that need the whole file run once it is in (config_validate.c, config_bond.c,
 * config_tap.c). Every error goes through cfg_fail(): "source:line: message".
 *
 * Calls point one way, down this list; no file calls one above it:
 *
 *   config_dir.c       a directory of network files
 *   config_parse.c     the text of one file, then its whole-file rules
 *   config_fabric.c    the fabric file, and [VXLAN]'s rules (netd/fabric.h)
 *   config_keys.c      the key table and the sections' instances; names each row's parser
 *   config_bond.c      [Bond]'s own parsers and rules
 *   config_tap.c       [Tap]'s own parsers and rules
 *   config_nat.c       NATAddress= and NATPorts=: the port range's parser, their rules
 *   config_dns.c       [DNS]'s and [DNSRecord]'s own parsers and rules
 *   config_dhcp.c      [DHCP]'s options: their parsers and rules
 *   config_ipv6.c      the IPv6 twins of Address= and Range=, IPv6NAT= and their rules
 *   config_validate.c  the rules that tie keys together
 *   config_values.c    the typed parsers sections share
 *   config_diag.c      the one error helper; section and key names
 *
 * A parser knows its key by the row it is handed (k), so nothing below the table needs it.
 */
#ifndef NETD_CONFIG_PRIV_H
#define NETD_CONFIG_PRIV_H

#include <arpa/inet.h>
#include <stdarg.h>

#include "netd/bond.h"
#include "netd/config.h"
#include "netd/mode.h"

#define MAX_FILE_SIZE      (1024 * 1024)
#define DEFAULT_LEASE_TIME 3600
#define MIN_LEASE_TIME     120 /* dnsmasq refuses shorter leases */

enum section {
	SEC_NONE,
	SEC_NETWORK,
	SEC_DHCP,
	SEC_HOST,
	SEC_POLICY,
	SEC_BOND,
	SEC_TAP,
	SEC_DNS,
	SEC_DNS_RECORD,
	SEC_VXLAN,
	SEC_FORWARD,
	SEC_MAX,
};

/* Rows in cfg_keys[]; config_keys.c asserts the count. */
#define CFG_N_KEYS 77

/* Where each key of a [Host] was given (0: not given); parallel to n->hosts. */
struct host_lines {
	unsigned mac, addr, name, addr6;
};

struct parser {
	const char *text;
	size_t pos;
	unsigned line;
	const char *source;
	struct netd_network *n;
	struct netd_diag *diag;
	int err;
	unsigned err_line;

	enum section cur;
	unsigned sec_line[SEC_MAX]; /* header line of the first such section; 0: absent */
	/* Line of each row's key in the current section (for [Host] and [Tap]: the current
	 * one); 0: not given yet. Only a repeat check: values and lines live in the model. */
	unsigned key_line[CFG_N_KEYS];

	struct host_lines *hl; /* parallel to n->hosts */
};

struct cfg_key;

/*
 * A typed parser: checks value v of key k and stores it into obj, the struct of the section
 * being read (cfg_section.obj). 0, or the error of cfg_fail() (which has named line and
 * key). The value is never empty: the caller refuses that first.
 */
typedef int (*cfg_parse_fn)(struct parser *p, const struct cfg_key *k, const char *v, void *obj);

enum cfg_flags {
	CFG_IN_SECTION =
	    1u << 0,           /* "invalid KEY 'v' in [Section]: ...": the key name is ambiguous */
	CFG_UNKNOWN = 1u << 1, /* "unknown KEY 'v': ..." rather than "invalid" */
	CFG_REPEATS = 1u << 2, /* may be given more than once in a section (its parser counts) */
	/* The next row is this key's IPv6 twin: a value with ':' goes there, so the key may be
	 * given once per family (config_ipv6.c). */
	CFG_V6_TWIN = 1u << 3,
	/* An IPv6 twin: found only through the row before it, never listed on its own. */
	CFG_TWIN = 1u << 4,
};

#define CFG_NO_LINE (-1)

/* One key of one section. */
struct cfg_key {
	enum section sec;
	/* NULL where another table owns the name: [Bond] (bond_opts.c, with the kernel's name
	 * and modes of each option) and [Policy] (the model's cells); id says which. */
	const char *name;
	cfg_parse_fn parse;
	size_t off, size; /* the value in the section's struct */
	int line;         /* offset of its line (unsigned) in cfg_section.lines; or CFG_NO_LINE */
	unsigned long min, max;               /* numbers, prefix lengths, times */
	const struct netd_bond_table *values; /* cfg_parse_enum: names indexed by value */
	int (*lookup)(const char *s);         /* cfg_parse_enum: the model's name -> value */
	const char *hint;                     /* the wording a parser takes from its row */
	unsigned flags;                       /* enum cfg_flags */
	int id;                               /* [Bond]: enum netd_bond_opt; [Policy]: cell */
};

/* How a section is read; its name is cfg_section_name()'s. */
struct cfg_section {
	bool repeats; /* a new header starts a new instance ([Host], [Tap]) */
	/* A repeated section's new instance; 0 or the error of cfg_fail(). */
	int (*begin)(struct parser *p);
	void *(*obj)(struct parser *p);   /* what the rows' off point into */
	void *(*lines)(struct parser *p); /* what the rows' line point into */
};

/* The key table (config_keys.c). */
extern const struct cfg_section cfg_sections[SEC_MAX];
extern const struct cfg_key *const cfg_keys; /* CFG_N_KEYS rows */
/* The row of key name in section s, or NULL (names are case-sensitive). */
const struct cfg_key *cfg_key_find(enum section s, const char *name);

/* Names, as every message writes them (config_diag.c): "Network", ...; NULL for SEC_NONE. */
const char *cfg_section_name(enum section s);
/* The row's key: its own name, or the one bond_opts.c or the model gives its id. */
const char *cfg_key_name(const struct cfg_key *k);

/*
 * The one shape of a config error (config_diag.c): "source:line: message" into diag;
 * returns -EINVAL.
 * cfg_fail() records the parser's first error only (later ones are often its echoes) and
 * returns it.
 */
int cfg_diag(struct netd_diag *diag, const char *source, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cfg_fail(struct parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cfg_fail_nomem(struct parser *p);
/* A warning of the file: "source:line: text" appended to the network's warnings. 0 or the
 * error of cfg_fail_nomem(). */
int cfg_warn(struct parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A value the key's parser refused, on the current line:
 * "invalid KEY 'v'[ in [Section]]: <what is wanted>". */
int cfg_invalid(struct parser *p, const struct cfg_key *k, const char *v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The wording every interface name's error shares (with IFNAMSIZ - 1). */
#define CFG_IFNAME_RULE "interface name is 1-%d bytes without '/', ':' or whitespace"

/* Shared typed parsers (config_values.c). */
int cfg_parse_netname(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_ifname(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_hostname(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_ipv4(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_host_prefix(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_mac(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_bool(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_uint(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
/* A systemd time span ("100ms", "1s 500ms", "1.5s"; a bare number is seconds) in µs: 0,
 * -EINVAL, or -ERANGE ("infinity", or past 2^64 µs). */
int cfg_timespan_us(const char *s, uint64_t *us);
int cfg_parse_ms(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_secs(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_enum(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
/* [DHCP]'s own: "FIRST LAST" into n->dhcp_first/last; a lease time with a unit. */
int cfg_parse_range(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_lease_time(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
/* [Network] NATPorts= (config_nat.c): FIRST-LAST into a uint16_t[2]. */
int cfg_parse_nat_ports(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
/* The IPv6 twins' own (config_ipv6.c): Address=ADDR/LEN, Range=FIRST LAST, an address. */
int cfg_parse_host_prefix6(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_range6(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_ipv6(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
/* The row a value goes to: k's IPv6 twin for a value with ':', else k. */
const struct cfg_key *cfg_key_for_value(const struct cfg_key *k, const char *v);
/* [Bond]'s own (config_bond.c). */
int cfg_parse_slaves(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_arp_targets(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_system_mac(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
/* [DHCP]'s options (config_dhcp.c): a Range= after the first, Router=, DNS=/NTP= (address
 * lists), Option=, BootFile=. */
int cfg_parse_ranges(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_router(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_addr_list(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_dhcp_option(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_bootfile(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
/* [DNS] and [DNSRecord] (config_dns.c). */
int cfg_parse_dns_enable(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_domain(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_forwarders(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_record_type(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_record_text(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_begin_record(struct parser *p);
/* [Tap]'s own (config_tap.c). */
int cfg_parse_guest_mac(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
int cfg_parse_id(struct parser *p, const struct cfg_key *k, const char *v, void *obj);
/* [Forward]'s own (config_forward.c): its instances, and a port or a range. */
int cfg_begin_forward(struct parser *p);
void *cfg_forward_obj(struct parser *p);
int cfg_parse_port_range(struct parser *p, const struct cfg_key *k, const char *v, void *obj);

static inline const char *ip_str(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static inline uint32_t hval(struct in_addr a)
{
	return ntohl(a.s_addr);
}

static inline struct in_addr ip_of(uint32_t host_order)
{
	struct in_addr a = {htonl(host_order)};
	return a;
}

/* The rules that need the whole file, in the order finish() runs them (config_validate.c
 * unless marked). */
int cfg_check_bond(struct parser *p, const struct netd_mode_ops *ops); /* config_bond.c */
int cfg_check_mode_rules(struct parser *p, const struct netd_mode_ops *ops);
int cfg_check_range(struct parser *p);
int cfg_check_host(struct parser *p, size_t i);
int cfg_check_taps(struct parser *p);     /* config_tap.c */
int cfg_check_forwards(struct parser *p); /* config_forward.c */
/* No forward of b overlaps one of a (config_forward.c; errors at b's line). */
int cfg_check_forward_pair(const struct netd_network *a, const struct netd_network *b,
                           struct netd_diag *diag);
int cfg_check_policy(struct parser *p, const struct netd_mode_ops *ops);
int cfg_check_nat(struct parser *p, const struct netd_mode_ops *ops); /* config_nat.c */
/* NATAddress= is an address of the host (config_nat.c, for netd_config_check_host()). */
int cfg_check_nat_host(const struct netd_network *n, const struct netd_host_prefix *hp, size_t n_hp,
                       struct netd_diag *diag);
int cfg_check_dhcp_opts(struct parser *p);                              /* config_dhcp.c */
int cfg_check_dns(struct parser *p);                                    /* config_dns.c */
int cfg_check_vxlan(struct parser *p, const struct netd_mode_ops *ops); /* config_fabric.c */
int cfg_check_ipv6(struct parser *p, const struct netd_mode_ops *ops); /* config_ipv6.c */
/* Network b's IPv6 prefix against an earlier network a's (config_dir.c's pair check). */
int cfg_check_pair6(const struct netd_network *a, const struct netd_network *b,
                    struct netd_diag *diag);
/* [Host] and [Tap] Address=: a guest's address of the subnet (who: "host" or "tap"). */
int cfg_check_guest_addr(struct parser *p, const char *who, struct in_addr a, unsigned line);

#endif
