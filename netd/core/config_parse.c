/*
 * The strict parser of one network definition (INI, one network per file).
 *
 * Debian's libinih passes no line number to the handler, so inih reads through our own
 * line reader: it counts lines, tracks [Section] headers itself (inih calls the handler
 * only for keys, so an empty section or a repeated [Host] would be invisible otherwise)
 * and stops the parse at the first error by reporting end of input.
 *
 * Each key is checked as it is read, by its row of the key table (config_keys.c); rules that
 * tie keys together (the range inside the subnet, the mode's rules) run once the whole file
 * is in.
 *
 * The top of the parse: it calls the key table, the whole-file rules (config_validate.c,
 * config_bond.c, config_tap.c) and config_diag.c; only config_dir.c and callers outside
 * config call it.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/* "A, B and C": the keys of section s, in table order. */
static void key_list(enum section s, char *buf, size_t len)
{
	size_t used = 0;
	int last = -1, count = 0;

	buf[0] = '\0';
	for (int i = 0; i < CFG_N_KEYS; i++)
		if (cfg_keys[i].sec == s && !(cfg_keys[i].flags & CFG_TWIN))
			last = i;
	for (int i = 0; i < CFG_N_KEYS && used < len; i++) {
		if (cfg_keys[i].sec != s || (cfg_keys[i].flags & CFG_TWIN))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
		                 count == 0  ? ""
		                 : i == last ? " and "
		                             : ", ",
		                 cfg_key_name(&cfg_keys[i]));
		count++;
	}
}

/* One Key=Value of the current section, through its row of the key table. */
static int set_key(struct parser *p, const char *name, const char *value)
{
	const struct cfg_section *sec = &cfg_sections[p->cur];
	const char *sec_name = cfg_section_name(p->cur);
	const struct cfg_key *k = cfg_key_find(p->cur, name);
	unsigned *seen;
	char list[768];

	if (!k) {
		key_list(p->cur, list, sizeof(list));
		return cfg_fail(p, p->line,
		                "unknown key '%s' in [%s]; the keys there are %s (case-sensitive)",
		                name, sec_name, list);
	}
	k = cfg_key_for_value(k, value);
	seen = &p->key_line[k - cfg_keys];
	if (*seen && !(k->flags & CFG_REPEATS))
		return cfg_fail(p, p->line,
		                "%s= is given twice in [%s] (first on line %u); keep one", name,
		                sec_name, *seen);
	if (!value || !*value)
		return cfg_fail(p, p->line,
		                "%s= has an empty value; give a value or remove the line", name);
	if (k->parse(p, k, value, sec->obj(p)) < 0)
		return p->err;
	*seen = p->line;
	if (k->line != CFG_NO_LINE)
		*(unsigned *)((char *)sec->lines(p) + k->line) = p->line;
	return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;

	/* Always "success": inih's own error count is kept for syntax errors only. */
	if (p->err)
		return 1;
	if (p->cur == SEC_NONE)
		cfg_fail(p, p->line,
		         "%s= is outside any section; put it under a section header such "
		         "as [Network]",
		         name);
	else if (!*name)
		cfg_fail(p, p->line, "missing key name before '='");
	else
		set_key(p, name, value);
	return 1;
}

/* A line starting with '[' (leading blanks already gone). */
static int begin_section(struct parser *p, const char *line, size_t len)
{
	const char *close = memchr(line, ']', len);
	const char *rest;
	size_t name_len;
	enum section s;

	if (!close)
		return cfg_fail(p, p->line, "section header without ']'; write it as [Network]");
	name_len = (size_t)(close - line - 1);
	for (rest = close + 1; rest < line + len && (*rest == ' ' || *rest == '\t'); rest++)
		;
	if (rest < line + len && *rest != ';' && *rest != '#')
		return cfg_fail(p, p->line, "unexpected text after the section header [%.*s]",
		                (int)name_len, line + 1);
	for (s = SEC_NETWORK; s < SEC_MAX; s++)
		if (strlen(cfg_section_name(s)) == name_len &&
		    strncmp(cfg_section_name(s), line + 1, name_len) == 0)
			break;
	if (s == SEC_MAX)
		return cfg_fail(
		    p, p->line,
		    "unknown section [%.*s]; sections are case-sensitive: [Network], "
		    "[DHCP], [Host], [Policy], [Tap], [Bond], [DNS], [DNSRecord] or [VXLAN]",
		    (int)(name_len > 64 ? 64 : name_len), line + 1);
	if (!cfg_sections[s].repeats && p->sec_line[s])
		return cfg_fail(p, p->line,
		                "section [%s] appears again (first on line %u); a file defines one "
		                "network, and only [Host], [Tap] and [DNSRecord] may repeat",
		                cfg_section_name(s), p->sec_line[s]);
	if (!p->sec_line[s])
		p->sec_line[s] = p->line;
	p->cur = s;
	if (!cfg_sections[s].repeats)
		return 0;
	/* A new instance: its keys may all be given again. */
	for (int i = 0; i < CFG_N_KEYS; i++)
		if (cfg_keys[i].sec == s)
			p->key_line[i] = 0;
	return cfg_sections[s].begin(p);
}

/* Screens each line before inih sees it; see the comment at the top. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *start, *nl, *line;
	size_t len, total;

	if (p->err || !p->text[p->pos])
		return NULL;
	start = p->text + p->pos;
	nl = strchr(start, '\n');
	total = nl ? (size_t)(nl - start) + 1 : strlen(start);
	p->pos += total;
	p->line++;

	line = start;
	len = nl ? (size_t)(nl - start) : total;
	if (p->line == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (len && line[len - 1] == '\r')
		len--;
	/* Leading blanks are dropped so inih never treats a line as a continuation. */
	while (len && isspace((unsigned char)*line)) {
		line++;
		len--;
	}
	if (len + 2 > (size_t)num) {
		cfg_fail(p, p->line, "line is longer than %d characters", num - 2);
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';

	if (len && line[0] == '[') {
		if (begin_section(p, line, len) < 0)
			return NULL;
	} else if (len && line[0] != ';' && line[0] != '#' && !memchr(line, '=', len)) {
		cfg_fail(p, p->line,
		         "expected Key=Value, a [Section] header or a comment, not '%.*s'",
		         (int)(len > 60 ? 60 : len), line);
		return NULL;
	}
	return str;
}

/* The rules that need the whole file; a key's presence is its line. */
static int finish(struct parser *p)
{
	struct netd_network *n = p->n;
	unsigned hdr = p->sec_line[SEC_NETWORK];
	const struct netd_mode_ops *ops;
	int ret;

	if (!hdr)
		return cfg_fail(p, 1,
		                "no [Network] section; a network file needs one with Name=, Mode= "
		                "and Bridge=");
	if (!n->line_name)
		return cfg_fail(p, hdr, "[Network] has no Name=; add one, e.g. Name=mynet");
	if (!n->line_mode)
		return cfg_fail(p, hdr,
		                "[Network] has no Mode=; add one of Mode=nat, bridged, hostonly, "
		                "internal or routed");
	if (!n->line_bridge)
		return cfg_fail(p, hdr,
		                "[Network] has no Bridge=; name the bridge to create, e.g. "
		                "Bridge=virbr1");
	n->has_address = n->line_address != 0;
	n->has_dhcp = p->sec_line[SEC_DHCP] != 0;
	n->has_address6 = n->line_address6 != 0;
	n->has_dhcp6 = n->line_range6 != 0;
	n->bond.line = p->sec_line[SEC_BOND];
	ops = netd_mode_ops(n->mode);
	if (cfg_check_bond(p, ops) < 0 || cfg_check_mode_rules(p, ops) < 0)
		return p->err;
	if (n->has_dhcp && cfg_check_range(p) < 0)
		return p->err;
	for (size_t i = 0; i < n->n_hosts; i++)
		if (cfg_check_host(p, i) < 0)
			return p->err;
	if (cfg_check_taps(p) < 0 || cfg_check_forwards(p) < 0 || cfg_check_policy(p, ops) < 0 ||
	    cfg_check_nat(p, ops) < 0 || cfg_check_vxlan(p, ops) < 0 || cfg_check_ipv6(p, ops) < 0)
		return p->err;
	n->dns.line = p->sec_line[SEC_DNS];
	if (cfg_check_dhcp_opts(p) < 0 || cfg_check_dns(p) < 0)
		return p->err;
	if (ops->validate) {
		ret = ops->validate(n, p->diag);
		if (ret < 0) {
			p->err = ret;
			return ret;
		}
	}
	return 0;
}

int netd_config_parse_string(const char *text, const char *source, struct netd_network **out,
                             struct netd_diag *diag)
{
	struct parser p = {
	    .text = text,
	    .source = source ? source : "<string>",
	    .diag = diag,
	};
	int ret;

	if (!text || !out)
		return -EINVAL;
	p.n = netd_network_new();
	if (!p.n) {
		netd_diag_set(diag, "%s: %s", p.source, strerror(ENOMEM));
		return -ENOMEM;
	}
	snprintf(p.n->source, sizeof(p.n->source), "%s", p.source);
	p.n->lease_time = DEFAULT_LEASE_TIME;

	ret = ini_parse_stream(reader, &p, handler, &p);
	if (ret == -2) {
		cfg_fail_nomem(&p);
	} else if (ret > 0 && (!p.err || (unsigned)ret < p.err_line)) {
		/* Our reader screens every line, so this is a fallback that should not fire. */
		p.err = 0;
		cfg_fail(&p, (unsigned)ret, "expected Key=Value, a [Section] header or a comment");
	}
	if (!p.err)
		finish(&p);
	ret = p.err;
	free(p.hl);
	if (ret < 0) {
		netd_network_free(p.n);
		return ret;
	}
	*out = p.n;
	return 0;
}

int netd_config_parse_file(const char *path, struct netd_network **out, struct netd_diag *diag)
{
	char *buf = NULL, *bigger;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		netd_diag_set(diag, "%s: %s", path, strerror(errno));
		return ret;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			bigger = realloc(buf, cap);
			if (!bigger) {
				ret = -ENOMEM;
				netd_diag_set(diag, "%s: %s", path, strerror(ENOMEM));
				goto out;
			}
			buf = bigger;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (len > MAX_FILE_SIZE) {
			ret = -EFBIG;
			netd_diag_set(diag,
			              "%s: larger than %d bytes; that is not a network definition",
			              path, MAX_FILE_SIZE);
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		ret = errno ? -errno : -EIO;
		netd_diag_set(diag, "%s: %s", path, strerror(-ret));
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		/* The string parser would stop at the NUL silently: name its line instead. */
		unsigned line = 1;

		for (const char *c = buf; *c; c++)
			line += *c == '\n';
		ret = -EINVAL;
		netd_diag_set(diag, "%s:%u: the file contains a NUL byte; is it a text file?", path,
		              line);
		goto out;
	}
	ret = netd_config_parse_string(buf, path, out, diag);
out:
	free(buf);
	fclose(f);
	return ret;
}
