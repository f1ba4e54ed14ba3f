/* import-libvirt: <domain> and <dns> as [DNS] and [DNSRecord] (README: "From libvirt"). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_import.h"

int lvx_domain(struct lvx *x, const xmlNode *n)
{
	char name[256], local[8], reg[8];

	if (!lvx_attr(n, "name", name, sizeof(name)))
		return lvx_refuse(x, n, "has no name=");
	if (x->dns_disabled) {
		lvx_note(x, n,
		         "dropped: the network's <dns enable='no'> leaves nothing to answer it");
		return 0;
	}
	fprintf(x->sec[LVX_DNS], "Domain=%s\n", name);
	/* libvirt forwards the domain's unknown names unless localOnly='yes'; netd's default is
	 * the other way round, so say it either way. */
	lvx_attr(n, "localOnly", local, sizeof(local));
	fprintf(x->sec[LVX_DNS], "LocalOnly=%s\n", strcmp(local, "yes") == 0 ? "yes" : "no");
	if (lvx_attr(n, "register", reg, sizeof(reg)))
		lvx_note(x, n,
		         "register='%s' dropped: netd does not register the domain with the host's "
		         "resolver this way (systemd-resolved gets it on up, see \"DNS and DHCP\")",
		         reg);
	return 0;
}

static void forwarder(struct lvx *x, const xmlNode *n, FILE *list, bool *any)
{
	char addr[64], domain[256];
	bool has_addr = lvx_attr(n, "addr", addr, sizeof(addr));
	bool has_domain = lvx_attr(n, "domain", domain, sizeof(domain));

	if (!has_addr) {
		/* libvirt's domain-only forwarder sends the domain to the host's own servers
		 * (dnsmasq's server=/D/#); netd's "D/" would answer it locally only. */
		lvx_note(x, n,
		         "dropped: netd sends %s to the host's resolv.conf servers unless "
		         "another forwarder takes every name",
		         has_domain ? domain : "(no domain)");
		return;
	}
	fprintf(list, "%s%s%s%s", *any ? " " : "", has_domain ? domain : "", has_domain ? "/" : "",
	        addr);
	*any = true;
}

static void record(struct lvx *x, const char *type, const char *name, const char *value)
{
	fprintf(x->sec[LVX_RECORDS], "\n[DNSRecord]\nType=%s\nName=%s\nValue=%s\n", type, name,
	        value);
}

/* <host ip=><hostname>..</hostname>...</host>: an A or AAAA record per name. */
static int dns_host(struct lvx *x, const xmlNode *n)
{
	struct in6_addr a6;
	char ip[64], name[256];
	const xmlNode *h = NULL;
	int names = 0;

	if (!lvx_attr(n, "ip", ip, sizeof(ip)))
		return lvx_refuse(x, n, "has no ip=");
	while ((h = lvx_next(n, h))) {
		if (!lvx_is(h, "hostname") || !lvx_text(h, name, sizeof(name))) {
			lvx_note(x, h, "dropped: not a <hostname> with a name");
			continue;
		}
		record(x, inet_pton(AF_INET6, ip, &a6) == 1 ? "AAAA" : "A", name, ip);
		names++;
	}
	if (!names)
		lvx_note(x, n, "dropped: no <hostname>");
	return 0;
}

/* <srv service= protocol= [domain= target= port= priority= weight=]>. libvirt's minimal form
 * (no target) is dnsmasq's "service not offered", which RFC 2782 writes as target '.'. */
static int dns_srv(struct lvx *x, const xmlNode *n)
{
	char service[64], proto[8], domain[256], target[256], port[8], prio[8], weight[8];
	char name[512], value[300];

	if (!lvx_attr(n, "service", service, sizeof(service)) ||
	    !lvx_attr(n, "protocol", proto, sizeof(proto)))
		return lvx_refuse(x, n, "needs service= and protocol=");
	if (!lvx_attr(n, "target", target, sizeof(target)))
		strcpy(target, ".");
	if (!lvx_attr(n, "port", port, sizeof(port)))
		strcpy(port, "0");
	if (!lvx_attr(n, "priority", prio, sizeof(prio)))
		strcpy(prio, "0");
	if (!lvx_attr(n, "weight", weight, sizeof(weight)))
		strcpy(weight, "0");
	if (lvx_attr(n, "domain", domain, sizeof(domain)))
		snprintf(name, sizeof(name), "_%s._%s.%s", service, proto, domain);
	else
		snprintf(name, sizeof(name), "_%s._%s", service, proto);
	snprintf(value, sizeof(value), "%s %s %s %s", prio, weight, port, target);
	record(x, "SRV", name, value);
	return 0;
}

static int dns_txt(struct lvx *x, const xmlNode *n)
{
	char name[256], value[512];

	if (!lvx_attr(n, "name", name, sizeof(name)) || !lvx_attr(n, "value", value, sizeof(value)))
		return lvx_refuse(x, n, "needs name= and value=");
	record(x, "TXT", name, value);
	return 0;
}

static int dns_child(struct lvx *x, const xmlNode *c, FILE *fwd, bool *any_fwd)
{
	if (lvx_is(c, "forwarder"))
		forwarder(x, c, fwd, any_fwd);
	else if (lvx_is(c, "host"))
		return dns_host(x, c);
	else if (lvx_is(c, "srv"))
		return dns_srv(x, c);
	else if (lvx_is(c, "txt"))
		return dns_txt(x, c);
	else
		lvx_note(x, c, "dropped: not something netd's [DNS] knows");
	return 0;
}

int lvx_dns(struct lvx *x, const xmlNode *n)
{
	char v[16], *fwd_buf = NULL;
	size_t fwd_len = 0;
	const xmlNode *c = NULL;
	bool any_fwd = false;
	FILE *fwd;
	int ret = 0;

	if (x->dns_disabled) {
		fprintf(x->sec[LVX_DNS], "Enable=no\n");
		if (lvx_next(n, NULL))
			lvx_note(x, n, "its children dropped: enable='no' turns DNS off");
		return 0;
	}
	if (lvx_attr(n, "forwardPlainNames", v, sizeof(v)))
		lvx_note(x, n,
		         "forwardPlainNames='%s' dropped: netd's dnsmasq forwards names without a "
		         "dot like any other",
		         v);
	fwd = open_memstream(&fwd_buf, &fwd_len);
	if (!fwd)
		return -ENOMEM;
	while (!ret && (c = lvx_next(n, c)))
		ret = dns_child(x, c, fwd, &any_fwd);
	if (fclose(fwd))
		ret = ret ? ret : -ENOMEM;
	else if (!ret && any_fwd)
		fprintf(x->sec[LVX_DNS], "Forwarders=%s\n", fwd_buf);
	free(fwd_buf);
	return ret;
}
