/*
 * FRR's side of a fabric, as text: the `router bgp ASN` block netd owns, the vtysh commands
 * that add or remove it, and what `show running-config` and `show daemons` say about it.
 *
 * One list of lines (netd_frr_lines) is both what netd sends and what it looks for when it
 * checks that FRR still has its configuration (FRR restarted without it, someone removed a
 * neighbour): the lines are written as `show running-config` prints them. Lines whose printed
 * form depends on FRR's defaults profile (`no bgp default ipv4-unicast`) are left out, so a
 * host whose profile prints them otherwise does not look drifted forever.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/fabric.h"

static int add(struct netd_frr_line *v, size_t max, size_t *n, bool in_evpn, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int add(struct netd_frr_line *v, size_t max, size_t *n, bool in_evpn, const char *fmt, ...)
{
	va_list ap;

	if (*n == max)
		return -ENOSPC;
	v[*n].in_evpn = in_evpn;
	va_start(ap, fmt);
	vsnprintf(v[*n].text, sizeof(v[*n].text), fmt, ap);
	va_end(ap);
	(*n)++;
	return 0;
}

int netd_frr_lines(const struct netd_fabric *f, struct in_addr router_id, struct netd_frr_line *v,
                   size_t max)
{
	char id[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN], pfx[32];
	const char *g = NETD_FABRIC_PEER_GROUP;
	size_t n = 0;
	int ret;

	inet_ntop(AF_INET, &router_id, id, sizeof(id));
	ret = add(v, max, &n, false, "bgp router-id %s", id);
	if (ret == 0 && f->role == NETD_FABRIC_REFLECTOR) {
		netd_prefix_format(&f->listen, true, pfx, sizeof(pfx));
		ret = add(v, max, &n, false, "neighbor %s peer-group", g);
		if (ret == 0)
			ret = add(v, max, &n, false, "neighbor %s remote-as %u", g, f->asn);
		if (ret == 0)
			ret = add(v, max, &n, false, "bgp listen range %s peer-group %s", pfx, g);
	}
	for (size_t i = 0; ret == 0 && i < f->n_peers; i++) {
		inet_ntop(AF_INET, &f->peers[i], peer, sizeof(peer));
		ret = add(v, max, &n, false, "neighbor %s remote-as %u", peer, f->asn);
	}
	if (ret == 0 && f->role == NETD_FABRIC_REFLECTOR) {
		ret = add(v, max, &n, true, "neighbor %s activate", g);
		if (ret == 0)
			ret = add(v, max, &n, true, "neighbor %s route-reflector-client", g);
	}
	for (size_t i = 0; ret == 0 && i < f->n_peers; i++) {
		inet_ntop(AF_INET, &f->peers[i], peer, sizeof(peer));
		ret = add(v, max, &n, true, "neighbor %s activate", peer);
	}
	if (ret == 0)
		ret = add(v, max, &n, true, "advertise-all-vni");
	return ret < 0 ? ret : (int)n;
}

/* A growing text; NULL once out of memory. */
struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int need;
	char *bigger;

	if (!b->s)
		return;
	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap) + 1;
	va_end(ap);
	if (b->len + (size_t)need > b->cap) {
		b->cap = (b->len + (size_t)need) * 2;
		bigger = realloc(b->s, b->cap);
		if (!bigger) {
			free(b->s);
			b->s = NULL;
			return;
		}
		b->s = bigger;
	}
	va_start(ap, fmt);
	b->len += (size_t)vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
}

static struct buf buf_new(void)
{
	struct buf b = {malloc(256), 0, 256};

	if (b.s)
		b.s[0] = '\0';
	return b;
}

char *netd_frr_render_add(const struct netd_fabric *f, struct in_addr router_id)
{
	struct netd_frr_line *v = calloc(NETD_FRR_LINES_MAX, sizeof(*v));
	struct buf b = buf_new();
	int n = v ? netd_frr_lines(f, router_id, v, NETD_FRR_LINES_MAX) : -ENOMEM;

	if (n < 0) {
		free(b.s);
		b.s = NULL;
	}
	put(&b, "configure terminal\nrouter bgp %u\n", f->asn);
	for (int i = 0; i < n; i++) {
		if (v[i].in_evpn && (i == 0 || !v[i - 1].in_evpn))
			put(&b, "address-family l2vpn evpn\n");
		put(&b, "%s\n", v[i].text);
	}
	put(&b, "exit-address-family\n");
	free(v);
	return b.s;
}

char *netd_frr_render_remove(const struct netd_fabric *f)
{
	struct buf b = buf_new();

	put(&b, "configure terminal\nno router bgp %u\n", f->asn);
	return b.s;
}

/* The next line of text into line (without its newline, at most len - 1 bytes); NULL at
 * the end. */
static const char *next_line(const char *t, char *line, size_t len)
{
	const char *nl;
	size_t n, shown;

	if (!*t)
		return NULL;
	nl = strchr(t, '\n');
	n = nl ? (size_t)(nl - t) : strlen(t);
	shown = n && t[n - 1] == '\r' ? n - 1 : n;
	snprintf(line, len, "%.*s", (int)shown, t); /* a longer line is no line of ours */
	return nl ? nl + 1 : t + n;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Marks found[i] for each wanted line in the block starting after `router bgp ASN`. */
static void scan_block(const char *t, const struct netd_frr_line *v, int n, bool *found)
{
	char line[256];
	bool evpn = false;

	while ((t = next_line(t, line, sizeof(line)))) {
		const char *s = skip_blanks(line);

		/* The block ends at the next top-level line (`exit`, `!`, another block). */
		if (line[0] != ' ' && line[0] != '\t')
			break;
		if (strcmp(s, "address-family l2vpn evpn") == 0) {
			evpn = true;
			continue;
		}
		if (strncmp(s, "address-family ", 15) == 0) {
			evpn = false;
			continue;
		}
		if (strcmp(s, "exit-address-family") == 0) {
			evpn = false;
			continue;
		}
		for (int i = 0; i < n; i++)
			if (v[i].in_evpn == evpn && strcmp(v[i].text, s) == 0)
				found[i] = true;
	}
}

int netd_frr_config_state(const char *running, const struct netd_fabric *f,
                          struct in_addr router_id, char *missing, size_t len)
{
	struct netd_frr_line *v = calloc(NETD_FRR_LINES_MAX, sizeof(*v));
	bool *found = calloc(NETD_FRR_LINES_MAX, sizeof(*found));
	char head[32], line[256];
	const char *t = running;
	int n, ret = 0;

	if (len)
		missing[0] = '\0';
	n = v && found ? netd_frr_lines(f, router_id, v, NETD_FRR_LINES_MAX) : -ENOMEM;
	if (n < 0) {
		ret = n;
		goto out;
	}
	snprintf(head, sizeof(head), "router bgp %lu", (unsigned long)f->asn);
	while ((t = next_line(t, line, sizeof(line))) && strcmp(line, head) != 0)
		;
	if (!t)
		goto out;
	scan_block(t, v, n, found);
	ret = 1;
	for (int i = 0; i < n && ret == 1; i++)
		if (!found[i]) {
			ret = 2;
			snprintf(missing, len, "%s%s",
			         v[i].in_evpn ? "address-family l2vpn evpn: " : "", v[i].text);
		}
out:
	free(v);
	free(found);
	return ret;
}

void netd_frr_daemons_parse(const char *text, bool *zebra, bool *bgpd)
{
	char word[32];
	int off;

	*zebra = *bgpd = false;
	while (sscanf(text, " %31s%n", word, &off) == 1) {
		*zebra |= strcmp(word, "zebra") == 0;
		*bgpd |= strcmp(word, "bgpd") == 0;
		text += off;
	}
}
