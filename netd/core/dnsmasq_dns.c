/*
 * dnsmasq's text for [DNS], [DNSRecord] and [DHCP]'s options: pure rendering.
 *
 * What dnsmasq rereads on SIGHUP goes into files of their own, so a change to it needs no
 * restart (engine: the step "reread dnsmasq"): the DHCP options (dhcp-optsfile, <net>.opts)
 * and the A/AAAA records (addn-hosts, <net>.records), next to the static leases
 * (dhcp-hostsfile). What dnsmasq reads only at start stays in its config file, and a change to
 * it restarts dnsmasq: the domain, the forwarders, CNAME/SRV/TXT/PTR records (dnsmasq has no
 * file it rereads for them), more ranges and PXE.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/dnsmasq.h"
#include "netd/mode.h"

static const char *ip(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static bool has_default_forwarder(const struct netd_dns *dns)
{
	for (size_t i = 0; i < dns->n_forwarders; i++)
		if (!dns->forwarders[i].domain[0])
			return true;
	return false;
}

/* PTR's name: an IPv4 address becomes its in-addr.arpa name. */
static void ptr_name(const char *name, char *buf, size_t len)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, name, &a) != 1) {
		snprintf(buf, len, "%s", name);
		return;
	}
	h = ntohl(a.s_addr);
	snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff,
	         h >> 24);
}

/* The records dnsmasq reads only from its config file. */
static void conf_record(FILE *f, const struct netd_dns_record *r)
{
	char target[NETD_DNS_VALUE_MAX], name[NETD_DNS_NAME_MAX + 32];
	unsigned prio, weight, port;

	switch (r->type) {
	case NETD_DNS_CNAME:
		fprintf(f, "cname=%s,%s\n", r->name, r->value);
		break;
	case NETD_DNS_SRV:
		/* Without a target dnsmasq answers that the service is not offered. */
		if (sscanf(r->value, "%u %u %u %511s", &prio, &weight, &port, target) != 4)
			break;
		if (strcmp(target, ".") == 0)
			fprintf(f, "srv-host=%s\n", r->name);
		else
			fprintf(f, "srv-host=%s,%s,%u,%u,%u\n", r->name, target, port, prio,
			        weight);
		break;
	case NETD_DNS_TXT:
		fprintf(f, "txt-record=%s,\"%s\"\n", r->name, r->value);
		break;
	case NETD_DNS_PTR:
		ptr_name(r->name, name, sizeof(name));
		fprintf(f, "ptr-record=%s,%s\n", name, r->value);
		break;
	default: /* A, AAAA: the records file */
		break;
	}
}

void netd_dnsmasq_conf_dns(FILE *f, const struct netd_network *n,
                           const struct netd_dnsmasq_paths *p)
{
	const struct netd_dns *dns = &n->dns;

	/* Enable=no: no DNS listener at all (port 0); DHCP then sends no DNS server either,
	 * unless [DHCP] DNS= names one. */
	if (dns->disabled) {
		fprintf(f, "port=0\nno-resolv\n");
		return;
	}
	/* Upstream servers from netd's file, reread on SIGHUP, instead of dnsmasq watching
	 * resolv.conf itself: that watch costs each dnsmasq an inotify instance of root's
	 * (fs.inotify.max_user_instances, 128 by default), and netd watches it once for all.
	 * Forwarders= for every name replace the host's servers. */
	fprintf(f, "no-resolv\n");
	if (!has_default_forwarder(dns))
		fprintf(f, "servers-file=%s\n", p->servers);
	for (size_t i = 0; i < dns->n_forwarders; i++) {
		const struct netd_dns_forwarder *fw = &dns->forwarders[i];

		if (fw->domain[0])
			fprintf(f, "server=/%s/%s\n", fw->domain, fw->addr);
		else
			fprintf(f, "server=%s\n", fw->addr);
	}
	/* The guests' DHCP names answer as NAME and NAME.DOMAIN; expand-hosts does the same
	 * for the records file's short names. */
	if (dns->domain[0]) {
		fprintf(f, "domain=%s\nexpand-hosts\n", dns->domain);
		if (dns->local_only)
			fprintf(f, "local=/%s/\n", dns->domain);
	}
	fprintf(f, "addn-hosts=%s\n", p->records);
	for (size_t i = 0; i < dns->n_records; i++)
		conf_record(f, &dns->records[i]);
}

static void range_line(FILE *f, const struct netd_network *n, struct in_addr first,
                       struct in_addr last)
{
	struct in_addr m = {htonl(n->address.len ? 0xffffffffu << (32 - n->address.len) : 0)};
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN];

	fprintf(f, "dhcp-range=%s,%s,%s,", ip(first, a), ip(last, b), ip(m, mask));
	if (n->lease_time)
		fprintf(f, "%u\n", n->lease_time);
	else
		fprintf(f, "infinite\n");
}

uint32_t netd_dnsmasq_lease_max(const struct netd_network *n)
{
	uint32_t size = ntohl(n->dhcp_last.s_addr) - ntohl(n->dhcp_first.s_addr) + 1;

	for (size_t i = 0; i < n->dhcp.n_ranges; i++)
		size += ntohl(n->dhcp.ranges[i].last.s_addr) -
		        ntohl(n->dhcp.ranges[i].first.s_addr) + 1;
	return size;
}

void netd_dnsmasq_conf_dhcp(FILE *f, const struct netd_network *n,
                            const struct netd_dnsmasq_paths *p)
{
	const struct netd_dhcp_opts *o = &n->dhcp;
	char a[INET_ADDRSTRLEN];

	for (size_t i = 0; i < o->n_ranges; i++)
		range_line(f, n, o->ranges[i].first, o->ranges[i].last);
	/* The options live in a file dnsmasq rereads on SIGHUP. */
	fprintf(f, "dhcp-optsfile=%s\n", p->opts);
	if (o->bootfile[0]) {
		fprintf(f, "dhcp-boot=%s", o->bootfile);
		if (o->next_server.s_addr)
			fprintf(f, ",,%s", ip(o->next_server, a));
		fputc('\n', f);
	}
}

static void addr_option(FILE *f, unsigned code, const struct in_addr *a, size_t k)
{
	char buf[INET_ADDRSTRLEN];

	fprintf(f, "%u", code);
	for (size_t i = 0; i < k; i++)
		fprintf(f, ",%s", ip(a[i], buf));
	fputc('\n', f);
}

/* text: open_memstream's buffer, valid only once f is closed. */
static int finish(FILE *f, char **text, char **out)
{
	int ret = ferror(f) ? -ENOMEM : 0;

	if (fclose(f) != 0)
		ret = -ENOMEM;
	if (ret < 0) {
		free(*text);
		return ret;
	}
	*out = *text;
	return 0;
}

int netd_dnsmasq_render_opts(const struct netd_network *n, char **out)
{
	const struct netd_dhcp_opts *o = &n->dhcp;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	if (n->has_dhcp) {
		/* An empty router option, so a guest of a network the host does not route for
		 * gets no default route through the host. */
		if (o->router.s_addr)
			addr_option(f, 3, &o->router, 1);
		else if (!o->no_router && netd_network_host_is_router(n))
			addr_option(f, 3, &n->address.addr, 1);
		else
			addr_option(f, 3, NULL, 0);
		if (o->n_dns)
			addr_option(f, 6, o->dns, o->n_dns);
		else if (!n->dns.disabled)
			addr_option(f, 6, &n->address.addr, 1);
		if (o->n_ntp)
			addr_option(f, 42, o->ntp, o->n_ntp);
		/* [Network] MTU=: the guests' interface MTU (option 26), the bridge's own; in
		 * the options file, so a changed MTU reaches dnsmasq by a reread */
		if (n->mtu)
			fprintf(f, "26,%u\n", n->mtu);
		for (size_t i = 0; i < o->n_options; i++)
			fprintf(f, "%s\n", o->options[i]);
	}
	return finish(f, &text, out);
}

int netd_dnsmasq_render_records(const struct netd_network *n, char **out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	/* A [Host] with an address and a name answers by that name before (and whether or
	 * not) its guest holds the lease: dnsmasq puts a dhcp-hostsfile name in DNS only for
	 * a live lease. */
	for (size_t i = 0; i < n->n_hosts; i++) {
		const struct netd_host *h = &n->hosts[i];
		char a[INET_ADDRSTRLEN];

		if (h->addr.s_addr && h->name[0])
			fprintf(f, "%s %s\n", ip(h->addr, a), h->name);
	}
	for (size_t i = 0; i < n->dns.n_records; i++) {
		const struct netd_dns_record *r = &n->dns.records[i];

		if (r->type == NETD_DNS_A || r->type == NETD_DNS_AAAA)
			fprintf(f, "%s %s\n", r->value, r->name);
	}
	return finish(f, &text, out);
}
