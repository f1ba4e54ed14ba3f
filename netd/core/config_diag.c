/*
 * The bottom of config: the one error helper of a network file ("source:line: message") and
 * the names it speaks in, a section's and a key's. Every other config_*.c calls down to
 * here; this file calls none of them, and knows a key only by the row it is handed, never
 * the key table (config_keys.c) or the parsers that table names. Key names that another
 * table owns come from below config: bond_opts.c for [Bond], the model for [Policy].
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

static const char *const section_names[SEC_MAX] = {
    [SEC_NETWORK] = "Network", [SEC_DHCP] = "DHCP",
    [SEC_HOST] = "Host",       [SEC_POLICY] = "Policy",
    [SEC_BOND] = "Bond",       [SEC_TAP] = "Tap",
    [SEC_DNS] = "DNS",         [SEC_DNS_RECORD] = "DNSRecord",
    [SEC_VXLAN] = "VXLAN",
    [SEC_FORWARD] = "Forward",
};

const char *cfg_section_name(enum section s)
{
	return section_names[s];
}

const char *cfg_key_name(const struct cfg_key *k)
{
	if (k->name)
		return k->name;
	if (k->sec == SEC_BOND)
		return netd_bond_opt((enum netd_bond_opt)k->id)->key;
	return netd_cell_to_string((enum netd_cell)k->id);
}

static int vdiag(struct netd_diag *diag, const char *source, unsigned line, const char *fmt,
                 va_list ap)
{
	char msg[sizeof(diag->msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	netd_diag_set(diag, "%s:%u: %s", source, line, msg);
	return -EINVAL;
}

int cfg_diag(struct netd_diag *diag, const char *source, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vdiag(diag, source, line, fmt, ap);
	va_end(ap);
	return ret;
}

int cfg_fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	/* The first error is the one the user gets; later ones are often its echoes. */
	if (p->err)
		return p->err;
	va_start(ap, fmt);
	p->err = vdiag(p->diag, p->source, line, fmt, ap);
	va_end(ap);
	p->err_line = line;
	return p->err;
}

int cfg_warn(struct parser *p, unsigned line, const char *fmt, ...)
{
	size_t old = p->n->warnings ? strlen(p->n->warnings) : 0;
	char text[512], *grown;
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	len = snprintf(NULL, 0, "%s:%u: %s\n", p->source, line, text);
	grown = realloc(p->n->warnings, old + (size_t)len + 1);
	if (!grown)
		return cfg_fail_nomem(p);
	snprintf(grown + old, (size_t)len + 1, "%s:%u: %s\n", p->source, line, text);
	p->n->warnings = grown;
	return 0;
}

int cfg_fail_nomem(struct parser *p)
{
	if (!p->err) {
		netd_diag_set(p->diag, "%s: %s", p->source, strerror(ENOMEM));
		p->err = -ENOMEM;
		p->err_line = p->line;
	}
	return p->err;
}

int cfg_invalid(struct parser *p, const struct cfg_key *k, const char *v, const char *fmt, ...)
{
	char want[512], where[32] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (k->flags & CFG_IN_SECTION)
		snprintf(where, sizeof(where), " in [%s]", cfg_section_name(k->sec));
	return cfg_fail(p, p->line, "%s %s '%s'%s: %s",
	                k->flags & CFG_UNKNOWN ? "unknown" : "invalid", cfg_key_name(k), v, where,
	                want);
}
