/*
 * One dnsmasq per network, for DHCP and DNS on that network's bridge only.
 * Pure here: paths, config rendering, the lease file's parser. The process itself (start, stop,
 * observe, reload) is include/netd/kernel/dnsmasq.h.
 */
#ifndef NETD_DNSMASQ_H
#define NETD_DNSMASQ_H

#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "netd/model.h"

struct netd_dnsmasq_paths {
	char conf[NETD_PATH_MAX];    /* <runtime>/<net>.dnsmasq.conf */
	char hosts[NETD_PATH_MAX];   /* <runtime>/<net>.hosts   (dhcp-hostsfile, SIGHUP reloads) */
	char opts[NETD_PATH_MAX];    /* <runtime>/<net>.opts    (dhcp-optsfile, SIGHUP reloads) */
	char records[NETD_PATH_MAX]; /* <runtime>/<net>.records (addn-hosts, SIGHUP reloads) */
	char pid[NETD_PATH_MAX];     /* <runtime>/<net>.pid */
	char leases[NETD_PATH_MAX];  /* <state>/<net>.leases   (survives restarts) */
	/* <runtime>/upstream.servers: the upstream DNS servers, one file for every network's
	 * dnsmasq (servers-file=, reread on SIGHUP); netd writes it from the host's resolv.conf */
	char servers[NETD_PATH_MAX];
};

#define NETD_DNSMASQ_SERVERS_FILE "upstream.servers"

int netd_dnsmasq_paths_init(struct netd_dnsmasq_paths *p, const char *runtime_dir,
                            const char *state_dir, const char *network);

/* <runtime_dir>/upstream.servers into buf: the one path of the shared servers file. */
int netd_dnsmasq_servers_path(const char *runtime_dir, char *buf, size_t len);

/* Whether the network runs a dnsmasq at all: it has an address, and a [DHCP] section or DNS
 * (every network with a host address, unless [DNS] Enable=no and no [DHCP]). */
bool netd_dnsmasq_wanted(const struct netd_network *n);

/*
 * Pure: the config file text (caller frees *out). Bound to the bridge only
 * (interface=, bind-interfaces, except-interface=lo), so a resolver on port 53 of another
 * address does not stop it; user=nobody after start; pid-file, dhcp-leasefile,
 * dhcp-hostsfile from p; dhcp-range with the lease time; dhcp-no-override; no-ping
 * (an address probe costs 3 s per lease); no hosts of the machine's own; no resolv.conf
 * either (no-resolv): upstream servers come from p->servers (servers-file=), so dnsmasq
 * holds no inotify instance. [DNS], [DNSRecord] and [DHCP]'s options through
 * dnsmasq_dns.c: what dnsmasq rereads on SIGHUP (DHCP options, A/AAAA records) goes to
 * p->opts and p->records (dhcp-optsfile=, addn-hosts=), the rest into this text.
 */
/* The IPv6 lines of the config (dnsmasq_conf6.c): RA, SLAAC, DHCPv6; nothing without IPv6. */
void netd_dnsmasq_render_ipv6(const struct netd_network *n, FILE *f);
int netd_dnsmasq_render_conf(const struct netd_network *n, const struct netd_dnsmasq_paths *p,
                             char **out);
/* Pure: the dhcp-hostsfile text, one "mac,ip,name" line per [Host], then one "mac,ip" per
 * [Tap] with an Address. */
int netd_dnsmasq_render_hosts(const struct netd_network *n, char **out);
/* The same followed by extra entries: the taps attached at run time (netd/engine/attach*.c). */
int netd_dnsmasq_render_hosts_extra(const struct netd_network *n, const struct netd_host *extra,
                                    size_t n_extra, char **out);

/* ---- [DNS], [DNSRecord] and [DHCP]'s options (dnsmasq_dns.c) ---- */

/* The config lines of [DNS] and [DNSRecord]s (from no-resolv on: upstream, forwarders, domain,
 * addn-hosts, the records dnsmasq reads only at start), appended to f. */
void netd_dnsmasq_conf_dns(FILE *f, const struct netd_network *n,
                           const struct netd_dnsmasq_paths *p);
/* The [DHCP] lines beyond the first range: more ranges, dhcp-optsfile, dhcp-boot. */
void netd_dnsmasq_conf_dhcp(FILE *f, const struct netd_network *n,
                            const struct netd_dnsmasq_paths *p);
/* How many addresses all the network's ranges hold. */
uint32_t netd_dnsmasq_lease_max(const struct netd_network *n);
/* Pure: the dhcp-optsfile text (router, DNS, NTP, Option=s), reread on SIGHUP; "" without
 * [DHCP]. Caller frees *out. */
int netd_dnsmasq_render_opts(const struct netd_network *n, char **out);
/* Pure: the addn-hosts text, reread on SIGHUP: "ADDR NAME" per [Host] with both, then per
 * A/AAAA [DNSRecord]. */
int netd_dnsmasq_render_records(const struct netd_network *n, char **out);

/*
 * Pure: the servers-file text for dnsmasq from the text of a resolv.conf (NULL: none), read
 * the way dnsmasq reads one: every "nameserver ADDR" line, in order, becomes "server=ADDR";
 * IPv6 keeps a "%scope" suffix (an interface name). Anything else (comments, search,
 * options, an address that does not parse) is skipped. No nameserver: "" (dnsmasq then has
 * no upstream, as it has with a resolv.conf without one). Caller frees *out.
 */
int netd_dnsmasq_render_servers(const char *resolv_text, char **out);

struct netd_lease {
	time_t expiry; /* 0: infinite */
	uint8_t mac[6];
	struct in_addr addr;
	char hostname[NETD_HOSTNAME_MAX]; /* "" for "*" */
	char client_id[128];
};

/* Pure parser of dnsmasq's lease file text. Lines that are not an IPv4 lease on Ethernet
 * (torn last line, DHCPv6 section, junk) are skipped, never an error. */
int netd_dnsmasq_leases_parse(const char *text, struct netd_lease **out, size_t *n);

/* A DHCPv6 lease (leases6.c): its guest's MAC only where its DUID carries one. */
struct netd_lease6 {
	time_t expiry; /* 0: infinite */
	uint32_t iaid;
	struct in6_addr addr;
	char hostname[NETD_HOSTNAME_MAX]; /* "" for "*" */
	char duid[128];
	bool has_mac;
	uint8_t mac[6];
};

/* The file's DHCPv6 leases (after its "duid" line); other lines skipped as above. */
int netd_dnsmasq_leases6_parse(const char *text, struct netd_lease6 **out, size_t *n);

/* ---- netd's liveness query to a dnsmasq (dns_probe.c): "version.bind" CH TXT, a question
 * dnsmasq answers itself, never from upstream; every netd dnsmasq serves DNS on its bridge's
 * address ---- */

#define NETD_DNS_PROBE_LEN 30 /* the query's length */
/* Pure: the query with id into buf; its length, 0 when len is too small. */
size_t netd_dns_probe_query(uint8_t *buf, size_t len, uint16_t id);
/* Pure: buf is a response to that query (any rcode: any answer proves dnsmasq turns). */
bool netd_dns_probe_is_answer(const uint8_t *buf, size_t len, uint16_t id);

#endif
