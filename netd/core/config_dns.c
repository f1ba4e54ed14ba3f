/*
 * [DNS] (one per network: Enable=, Domain=, LocalOnly=, Forwarders=) and [DNSRecord]
 * (repeatable: Type=, Name=, Value=): their parsers and the rules that need the whole file,
 * each record checked strictly for its type with the line of the key at fault.
 *
 * Called by the key table (the parsers, cfg_begin_record()) and config_parse.c
 * (cfg_check_dns()); calls down to config_values.c and config_diag.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netd/dns.h"
#include "config_priv.h"

int cfg_parse_dns_enable(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct cfg_key row = *k;
	bool on = false;

	row.off = 0;
	row.size = sizeof(on);
	if (cfg_parse_bool(p, &row, v, &on) < 0)
		return p->err;
	((struct netd_network *)obj)->dns.disabled = !on;
	return 0;
}

/* A name without its trailing dot into buf (NETD_DNS_NAME_MAX); false when it is no name. */
static bool name_copy(const char *v, char *buf)
{
	size_t len = strlen(v);

	if (!netd_dns_name_valid(v))
		return false;
	if (v[len - 1] == '.')
		len--;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return true;
}

int cfg_parse_domain(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (!name_copy(v, (char *)obj + k->off))
		return cfg_invalid(
		    p, k, v,
		    "give a domain name of letters, digits and '-' separated by dots, "
		    "e.g. Domain=lab.example");
	return 0;
}

static bool addr_valid(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* One token of Forwarders=: ADDR, DOMAIN/ADDR or DOMAIN/. */
static int forwarder(const char *tok, struct netd_dns_forwarder *f)
{
	const char *slash = strchr(tok, '/');
	char domain[NETD_DNS_NAME_MAX];
	size_t len;

	memset(f, 0, sizeof(*f));
	if (!slash) {
		if (!addr_valid(tok) || strlen(tok) >= sizeof(f->addr))
			return -EINVAL;
		strcpy(f->addr, tok);
		return 0;
	}
	len = (size_t)(slash - tok);
	if (len == 0 || len >= sizeof(domain))
		return -EINVAL;
	memcpy(domain, tok, len);
	domain[len] = '\0';
	if (!name_copy(domain, f->domain))
		return -EINVAL;
	if (!slash[1])
		return 0;
	if (!addr_valid(slash + 1) || strlen(slash + 1) >= sizeof(f->addr))
		return -EINVAL;
	strcpy(f->addr, slash + 1);
	return 0;
}

/* Forwarders=: up to 16 of ADDR (every name), DOMAIN/ADDR (split DNS) or DOMAIN/ (answered
 * here only), separated by blanks. */
int cfg_parse_forwarders(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct netd_dns *dns = &((struct netd_network *)obj)->dns;
	char buf[512], *save = NULL, *tok;

	if (strlen(v) >= sizeof(buf))
		goto bad;
	strcpy(buf, v);
	dns->n_forwarders = 0;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		struct netd_dns_forwarder *f = &dns->forwarders[dns->n_forwarders];

		if (dns->n_forwarders == NETD_DNS_FORWARDERS_MAX)
			return cfg_invalid(p, k, v, "give at most %d forwarders",
			                   NETD_DNS_FORWARDERS_MAX);
		if (forwarder(tok, f) < 0)
			return cfg_invalid(p, k, v,
			                   "'%s' is not ADDRESS, DOMAIN/ADDRESS or DOMAIN/; e.g. "
			                   "Forwarders=192.0.2.53 corp.example/10.0.0.53",
			                   tok);
		for (size_t j = 0; j < dns->n_forwarders; j++)
			if (strcasecmp(dns->forwarders[j].domain, f->domain) == 0 &&
			    strcmp(dns->forwarders[j].addr, f->addr) == 0)
				return cfg_invalid(p, k, v, "'%s' is named twice", tok);
		dns->n_forwarders++;
	}
	if (dns->n_forwarders)
		return 0;
bad:
	return cfg_invalid(p, k, v, "give ADDRESS, DOMAIN/ADDRESS or DOMAIN/ entries");
}

int cfg_begin_record(struct parser *p)
{
	struct netd_dns *dns = &p->n->dns;
	struct netd_dns_record *r;

	if (dns->n_records == NETD_DNS_RECORDS_MAX)
		return cfg_fail(p, p->line, "more than %d [DNSRecord] sections",
		                NETD_DNS_RECORDS_MAX);
	r = realloc(dns->records, (dns->n_records + 1) * sizeof(*r));
	if (!r)
		return cfg_fail_nomem(p);
	dns->records = r;
	memset(&r[dns->n_records], 0, sizeof(*r));
	r[dns->n_records].line = p->line;
	dns->n_records++;
	return 0;
}

int cfg_parse_record_type(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	int t = netd_dns_type_from_string(v);

	if (t < 0)
		return cfg_invalid(p, k, v, "use A, AAAA, CNAME, SRV, TXT or PTR");
	((struct netd_dns_record *)obj)->type = (enum netd_dns_type)t;
	return 0;
}

/* Name= and Value= as written (printable); checked for the type once the section is in. */
int cfg_parse_record_text(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (strlen(v) >= k->size)
		return cfg_invalid(p, k, v, "at most %zu characters", k->size - 1);
	for (const char *c = v; *c; c++)
		if (!isprint((unsigned char)*c))
			return cfg_invalid(p, k, v, "printable characters only");
	snprintf((char *)obj + k->off, k->size, "%s", v);
	return 0;
}

static bool family_addr(int af, const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(af, s, buf) == 1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* SRV's Value: "PRIORITY WEIGHT PORT TARGET", each number 0-65535 in decimal digits; TARGET
 * "." says the service is not offered (RFC 2782; libvirt's <srv target='.'>). */
static bool srv_value_valid(const char *v)
{
	char buf[NETD_DNS_VALUE_MAX], *save = NULL, *tok;
	int i = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), i++) {
		if (i == 3)
			return (strcmp(tok, ".") == 0 || netd_dns_name_valid(tok)) &&
			       !strtok_r(NULL, " \t", &save);
		if (strspn(tok, "0123456789") != strlen(tok) || strlen(tok) > 5 ||
		    atol(tok) > 65535)
			return false;
	}
	return false;
}

/* Name= of record r for its type; NULL when fine, else what is wanted. */
static const char *name_rule(const struct netd_dns_record *r)
{
	switch (r->type) {
	case NETD_DNS_SRV:
		if (r->name[0] != '_' || !strchr(r->name, '.') || !netd_dns_name_valid(r->name) ||
		    (!strstr(r->name, "._tcp") && !strstr(r->name, "._udp")))
			return "an SRV name is _SERVICE._tcp or _SERVICE._udp, then an optional "
			       "domain, e.g. Name=_ldap._tcp.lab.example";
		return NULL;
	case NETD_DNS_PTR:
		if (family_addr(AF_INET, r->name))
			return NULL;
		if (netd_dns_name_valid(r->name) &&
		    (ends_with(r->name, ".in-addr.arpa") || ends_with(r->name, ".ip6.arpa")))
			return NULL;
		return "a PTR name is an IPv4 address or a name under in-addr.arpa or ip6.arpa";
	default:
		return netd_dns_name_valid(r->name)
		           ? NULL
		           : "give a DNS name of letters, digits and '-' separated by dots";
	}
}

/* Value= of record r for its type; NULL when fine, else what is wanted. */
static const char *value_rule(const struct netd_dns_record *r)
{
	switch (r->type) {
	case NETD_DNS_A:
		return family_addr(AF_INET, r->value) ? NULL
		                                      : "an A record's value is an IPv4 address";
	case NETD_DNS_AAAA:
		return family_addr(AF_INET6, r->value)
		           ? NULL
		           : "an AAAA record's value is an IPv6 address";
	case NETD_DNS_CNAME:
	case NETD_DNS_PTR:
		return netd_dns_name_valid(r->value) ? NULL
		                                     : "the value is the DNS name it points to";
	case NETD_DNS_SRV:
		return srv_value_valid(r->value) ? NULL
		                                 : "an SRV value is PRIORITY WEIGHT PORT TARGET, "
		                                   "e.g. Value=10 50 389 ldap.lab.example";
	case NETD_DNS_TXT:
		if (strlen(r->value) > 255 || strpbrk(r->value, "\"\\"))
			return "TXT text is at most 255 characters without '\"' or '\\'";
		return NULL;
	case NETD_DNS_TYPES:
		break;
	}
	return "unknown type";
}

static int check_record(struct parser *p, size_t i)
{
	const struct netd_dns *dns = &p->n->dns;
	const struct netd_dns_record *r = &dns->records[i];
	const char *why;

	if (!r->type_line || !r->name_line || !r->value_line)
		return cfg_fail(p, r->line,
		                "[DNSRecord] has no %s=; a record needs Type=, Name= and "
		                "Value=",
		                !r->type_line   ? "Type"
		                : !r->name_line ? "Name"
		                                : "Value");
	why = name_rule(r);
	if (why)
		return cfg_fail(p, r->name_line, "invalid Name '%s' for a %s record: %s", r->name,
		                netd_dns_type_to_string(r->type), why);
	why = value_rule(r);
	if (why)
		return cfg_fail(p, r->value_line, "invalid Value '%s' for a %s record: %s",
		                r->value, netd_dns_type_to_string(r->type), why);
	/* dnsmasq answers a CNAME's name with the alias alone: no other data may share it. */
	for (size_t j = 0; j < i; j++) {
		const struct netd_dns_record *o = &dns->records[j];

		if (strcasecmp(o->name, r->name) != 0)
			continue;
		if (r->type == NETD_DNS_CNAME || o->type == NETD_DNS_CNAME)
			return cfg_fail(p, r->name_line,
			                "%s already has a record (the [DNSRecord] on line %u); a "
			                "CNAME's name can have no other record",
			                r->name, o->line);
		if (r->type == o->type && strcasecmp(o->value, r->value) == 0)
			return cfg_fail(p, r->line,
			                "the same record is given by the [DNSRecord] on line %u",
			                o->line);
	}
	return 0;
}

int cfg_check_dns(struct parser *p)
{
	const struct netd_network *n = p->n;
	const struct netd_dns *dns = &n->dns;
	unsigned at = dns->line ? dns->line : dns->n_records ? dns->records[0].line : 0;

	if (at && !n->has_address)
		return cfg_fail(p, at,
		                "[DNS] and [DNSRecord] need the network's dnsmasq, which serves "
		                "the host's address: add Address= to [Network]");
	if (dns->disabled) {
		unsigned other = dns->line_domain       ? dns->line_domain
		                 : dns->line_forwarders ? dns->line_forwarders
		                 : dns->n_records       ? dns->records[0].line
		                                        : 0;

		if (other)
			return cfg_fail(
			    p, other,
			    "nothing answers DNS with Enable=no (line %u); remove this or "
			    "the Enable=no",
			    dns->line_enable);
	}
	if (dns->line_local_only && !dns->line_domain)
		return cfg_fail(p, dns->line_local_only,
		                "LocalOnly= says whether Domain= is answered here only; add a "
		                "Domain=");
	for (size_t i = 0; i < dns->n_records; i++)
		if (check_record(p, i) < 0)
			return p->err;
	return 0;
}
