/* import-libvirt's shared state: the output's sections, notes, refusals and XML access. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_import.h"

static const char *const section_header[LVX_N_SECTIONS] = {
    [LVX_NETWORK] = "[Network]", [LVX_DHCP] = "[DHCP]",
    [LVX_DNS] = "[DNS]",         [LVX_RECORDS] = NULL, /* each record writes its own [DNSRecord] */
    [LVX_POLICY] = "[Policy]",
};

int lvx_open(struct lvx *x, const struct netd_lv_opts *o, struct netd_diag *diag)
{
	memset(x, 0, sizeof(*x));
	x->o = o;
	x->diag = diag;
	for (int i = 0; i < LVX_N_SECTIONS; i++) {
		x->sec[i] = open_memstream(&x->buf[i], &x->len[i]);
		if (!x->sec[i])
			return -ENOMEM;
	}
	x->notes = open_memstream(&x->notes_buf, &x->notes_len);
	return x->notes ? 0 : -ENOMEM;
}

void lvx_close(struct lvx *x)
{
	for (int i = 0; i < LVX_N_SECTIONS; i++) {
		if (x->sec[i])
			fclose(x->sec[i]);
		free(x->buf[i]);
		x->sec[i] = NULL;
		x->buf[i] = NULL;
	}
	if (x->notes)
		fclose(x->notes);
	free(x->notes_buf);
	x->notes = NULL;
	x->notes_buf = NULL;
}

static void write_hosts(struct lvx *x, FILE *f)
{
	for (size_t i = 0; i < x->n_hosts; i++) {
		const struct lvx_host *h = &x->hosts[i];

		fprintf(f, "\n[Host]\nMAC=%s\n", h->mac);
		if (*h->v4)
			fprintf(f, "Address=%s\n", h->v4);
		if (*h->v6)
			fprintf(f, "Address=%s\n", h->v6);
		if (*h->name)
			fprintf(f, "Name=%s\n", h->name);
	}
}

struct note_line {
	long line;
	size_t seq;
	const char *text;
	size_t len;
};

static int note_cmp(const void *a, const void *b)
{
	const struct note_line *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The notes in the XML's line order (the forward mode is read first, for the rest depends on
 * it), each line's own in the order they were made. */
static int sort_notes(struct lvx *x, char **notes)
{
	const char *s = x->notes_buf ? x->notes_buf : "";
	size_t n = 0, cap = 0, skip = strlen(x->o->source) + 1;
	struct note_line *v = NULL, *grown;
	char *out, *p;
	int ret = -ENOMEM;

	for (const char *l = s; *l; n++) {
		size_t len = strcspn(l, "\n") + 1;

		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown)
				goto out;
			v = grown;
		}
		v[n] = (struct note_line){strtol(l + skip, NULL, 10), n, l, len};
		l += len;
	}
	if (n)
		qsort(v, n, sizeof(*v), note_cmp);
	out = p = malloc(strlen(s) + 1);
	if (!out)
		goto out;
	for (size_t i = 0; i < n; i++)
		p = mempcpy(p, v[i].text, v[i].len);
	*p = '\0';
	*notes = out;
	ret = 0;
out:
	free(v);
	return ret;
}

int lvx_finish(struct lvx *x, char **text, char **notes)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int ret = -ENOMEM;

	for (int i = 0; i < LVX_N_SECTIONS; i++)
		if (fflush(x->sec[i]))
			return -ENOMEM;
	if (fflush(x->notes))
		return -ENOMEM;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	for (int i = 0; i < LVX_N_SECTIONS; i++) {
		if (!x->len[i])
			continue;
		if (section_header[i])
			fprintf(f, "%s%s\n", i == LVX_NETWORK ? "" : "\n", section_header[i]);
		fputs(x->buf[i], f);
		/* The hosts follow the [DHCP] section they belong to. */
		if (i == LVX_DHCP)
			write_hosts(x, f);
	}
	if (!x->len[LVX_DHCP])
		write_hosts(x, f);
	if (fclose(f) || sort_notes(x, notes))
		goto out;
	*text = out;
	out = NULL;
	ret = 0;
out:
	free(out);
	return ret;
}

static int line_of(const xmlNode *n)
{
	return n ? (int)xmlGetLineNo(n) : 0;
}

void lvx_note(struct lvx *x, const xmlNode *n, const char *fmt, ...)
{
	va_list ap;

	fprintf(x->notes, "%s:%d: <%s>: ", x->o->source, line_of(n),
	        n ? (const char *)n->name : "");
	va_start(ap, fmt);
	vfprintf(x->notes, fmt, ap);
	va_end(ap);
	fputc('\n', x->notes);
}

int lvx_refuse(struct lvx *x, const xmlNode *n, const char *fmt, ...)
{
	char why[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	netd_diag_set(x->diag, "%s:%d: <%s>: %s", x->o->source, line_of(n),
	              n ? (const char *)n->name : "network", why);
	return -EINVAL;
}

bool lvx_attr(const xmlNode *n, const char *name, char *buf, size_t size)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	bool ok = false;

	if (v && strlen((const char *)v) < size) {
		strcpy(buf, (const char *)v);
		ok = true;
	}
	xmlFree(v);
	if (!ok && size)
		buf[0] = '\0';
	return ok;
}

bool lvx_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

const xmlNode *lvx_next(const xmlNode *parent, const xmlNode *prev)
{
	const xmlNode *c = prev ? prev->next : parent->children;

	while (c && c->type != XML_ELEMENT_NODE)
		c = c->next;
	return c;
}

bool lvx_text(const xmlNode *n, char *buf, size_t size)
{
	xmlChar *v = xmlNodeGetContent(n);
	const char *s = (const char *)v;
	size_t len;
	bool ok = false;

	if (!v)
		return false;
	s += strspn(s, " \t\r\n");
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	if (len && len < size) {
		memcpy(buf, s, len);
		buf[len] = '\0';
		ok = true;
	}
	xmlFree(v);
	return ok;
}
