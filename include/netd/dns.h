/*
 * DNS and DHCP options of a network ([DNS], [DNSRecord], and [DHCP]'s options beyond the range):
 * the model's part, and the pure helpers that check and render it. The keys are shaped so an
 * importer of libvirt's network XML can map <domain>, <dns> (<forwarder>, <host>, <srv>,
 * <txt>, enable='no') and <bootp> onto them one to one.
 */
#ifndef NETD_DNS_H
#define NETD_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETD_DNS_NAME_MAX       254 /* a dotted name without the final dot, and its NUL */
#define NETD_DNS_VALUE_MAX      512
#define NETD_DNS_FORWARDERS_MAX 16
#define NETD_DNS_RECORDS_MAX    1024
#define NETD_DHCP_RANGES_MAX    8 /* IPv4 ranges beyond the first Range= */
#define NETD_DHCP_ADDRS_MAX     8 /* DNS=, NTP= */
#define NETD_DHCP_OPTIONS_MAX   32
#define NETD_DHCP_OPTION_MAX    256 /* one Option= value, normalised */
#define NETD_DHCP_BOOTFILE_MAX  128 /* the BOOTP file field */

enum netd_dns_type {
	NETD_DNS_A,
	NETD_DNS_AAAA,
	NETD_DNS_CNAME,
	NETD_DNS_SRV,
	NETD_DNS_TXT,
	NETD_DNS_PTR,
	NETD_DNS_TYPES,
};

/* One entry of Forwarders=: "ADDR" (every name), "DOMAIN/ADDR" (names under DOMAIN only) or
 * "DOMAIN/" (names under DOMAIN are answered locally and never forwarded), as libvirt's
 * <forwarder addr= domain=>. */
struct netd_dns_forwarder {
	char domain[NETD_DNS_NAME_MAX]; /* "" for every name */
	char addr[48];                  /* an IPv4 or IPv6 address; "" for local only */
};

/* A [DNSRecord] section. value is as written, checked for its type: A/AAAA an address,
 * CNAME/PTR a name, SRV "priority weight port target", TXT text. */
struct netd_dns_record {
	enum netd_dns_type type;
	char name[NETD_DNS_NAME_MAX];
	char value[NETD_DNS_VALUE_MAX];
	unsigned line;                             /* of the [DNSRecord] header */
	unsigned type_line, name_line, value_line; /* 0: not given */
};

/* [DNS], one per network. */
struct netd_dns {
	bool disabled;                  /* Enable=no: no DNS listener; DHCP stays */
	char domain[NETD_DNS_NAME_MAX]; /* "" when none */
	bool local_only; /* LocalOnly= (default yes): the domain is never forwarded */
	struct netd_dns_forwarder forwarders[NETD_DNS_FORWARDERS_MAX];
	size_t n_forwarders;
	struct netd_dns_record *records; /* [DNSRecord]s, in file order */
	size_t n_records;
	unsigned line, line_enable, line_domain, line_local_only, line_forwarders;
};

struct netd_dhcp_range {
	struct in_addr first, last;
	unsigned line;
};

/* [DHCP]'s keys beyond Range= and LeaseTime=. */
struct netd_dhcp_opts {
	struct netd_dhcp_range ranges[NETD_DHCP_RANGES_MAX]; /* the second Range= on */
	size_t n_ranges;
	bool no_router;        /* Router=no: no default route for the guests */
	struct in_addr router; /* Router=ADDR; 0 when not given (the mode's default) */
	struct in_addr dns[NETD_DHCP_ADDRS_MAX]; /* DNS=; none: the host's address */
	size_t n_dns;
	struct in_addr ntp[NETD_DHCP_ADDRS_MAX];
	size_t n_ntp;
	/* Option=, normalised as dnsmasq's dhcp-option takes it: "NUMBER,VALUE" or
	 * "option:NAME,VALUE" */
	char options[NETD_DHCP_OPTIONS_MAX][NETD_DHCP_OPTION_MAX];
	unsigned option_line[NETD_DHCP_OPTIONS_MAX];
	size_t n_options;
	char bootfile[NETD_DHCP_BOOTFILE_MAX]; /* BootFile=; "" when none */
	struct in_addr next_server;            /* NextServer=; 0 when none */
	unsigned line_router, line_dns, line_ntp, line_bootfile, line_next_server;
};

/* "A", ... and back (-EINVAL for an unknown name; case-insensitive). */
const char *netd_dns_type_to_string(enum netd_dns_type t);
int netd_dns_type_from_string(const char *s);

/* A DNS name: dot-separated labels of 1-63 letters, digits, '-' or '_' (SRV's _service),
 * at most 253 bytes, one trailing dot allowed. */
bool netd_dns_name_valid(const char *s);

/* The DHCP options dnsmasq knows by name (dnsmasq --help dhcp), in its order. */
struct netd_dhcp_option_name {
	unsigned code;
	const char *name;
};
extern const struct netd_dhcp_option_name netd_dhcp_option_names[];
extern const size_t netd_dhcp_n_option_names;
/* The code of a dnsmasq option name, or -ENOENT. */
int netd_dhcp_option_code(const char *name);

#endif
