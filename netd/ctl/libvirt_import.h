/*
 * netdctl import-libvirt: a libvirt network XML (what `virsh net-dumpxml` prints) turned into
 * a netd network file. Private to netd/ctl/: it is the only code that links libxml2, so the
 * daemon never does. Pure: an XML tree in, text out; no file is read or written here
 * (cli_import.c does that).
 *
 * libvirt_import.c     the entry point, <forward>, <bridge>, <ip>/<dhcp> and the rest
 * libvirt_import_dns.c <domain> and <dns>
 * libvirt_xml.c        what both use: the output sections, notes, refusals, attributes
 */
#ifndef NETD_CTL_LIBVIRT_IMPORT_H
#define NETD_CTL_LIBVIRT_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <libxml/tree.h>

#include "netd/model.h"

struct netd_lv_opts {
	const char *source; /* the XML file's name, for "FILE:LINE:" in notes and errors */
	bool ipv6;          /* the config parser takes IPv6 keys (a second Address=, IPv6NAT=) */
	const char *uplink; /* --uplink: the NIC a <forward mode='bridge'> network enslaves */
};

/*
 * Convert the <network> of doc. 0: *text is the netd file, *notes one line per thing dropped
 * or approximated ("FILE:LINE: <element>: why"), "" when none; the caller frees both.
 * -EINVAL: netd cannot carry the network over (diag names the element and its line);
 * -ENOMEM.
 */
int netd_lv_import(xmlDoc *doc, const struct netd_lv_opts *o, char **text, char **notes,
                   struct netd_diag *diag);

/* cli_import.c: whether this netd's config parser takes a network's IPv6 address (a second
 * Address=, issue 10); netd_lv_opts.ipv6 is given that. */
bool netd_lv_parser_takes_ipv6(void);

/* --- libvirt_xml.c: the conversion's state, shared by the two converting files --- */

enum lvx_section {
	LVX_NETWORK,
	LVX_DHCP,
	LVX_DNS,
	LVX_RECORDS,
	LVX_POLICY,
	LVX_N_SECTIONS,
};

#define LVX_HOSTS_MAX 256

struct lvx_host {
	char mac[18];
	char v4[16];
	char v6[46];
	char name[64];
};

struct lvx {
	const struct netd_lv_opts *o;
	struct netd_diag *diag;
	FILE *sec[LVX_N_SECTIONS];
	char *buf[LVX_N_SECTIONS];
	size_t len[LVX_N_SECTIONS];
	FILE *notes;
	char *notes_buf;
	size_t notes_len;
	struct lvx_host hosts[LVX_HOSTS_MAX];
	size_t n_hosts;
	bool dns_disabled;
};

int lvx_open(struct lvx *x, const struct netd_lv_opts *o, struct netd_diag *diag);
/* The sections in a netd file's order, each under its header when it has lines. */
int lvx_finish(struct lvx *x, char **text, char **notes);
void lvx_close(struct lvx *x);

/* One note: "SOURCE:LINE: <element>: ..." */
void lvx_note(struct lvx *x, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* diag = "SOURCE:LINE: <element>: ..."; returns -EINVAL. */
int lvx_refuse(struct lvx *x, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Attribute name of n copied into buf (truncation refused as absent); false when absent. */
bool lvx_attr(const xmlNode *n, const char *name, char *buf, size_t size);
bool lvx_is(const xmlNode *n, const char *name);
/* The next element child of parent after prev (NULL: the first); NULL at the end. */
const xmlNode *lvx_next(const xmlNode *parent, const xmlNode *prev);
/* Text content of n into buf, blanks trimmed; false when empty or too long. */
bool lvx_text(const xmlNode *n, char *buf, size_t size);

/* libvirt_import_dns.c: <domain> and <dns>, both children of <network>. */
int lvx_domain(struct lvx *x, const xmlNode *n);
int lvx_dns(struct lvx *x, const xmlNode *n);

#endif
