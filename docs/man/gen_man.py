#!/usr/bin/env python3
"""netd's man pages, made from README.md: the README is the one source of the key tables, the
matrix and the commands, and the pages are its sections in roff. Run after editing README.md:

    python3 docs/man/gen_man.py README.md docs/man

tests/man/test_man.sh checks that the committed pages are what this prints, that they render
(man -l) and that netd.conf(5) names every key the parser knows."""
import re
import sys

# (page, section number, one-line description, synopsis lines, [(README heading, part)]):
# part "all" is the section with its subsections, "netd" / "netdctl" the part of "Commands"
# before / from its netdctl usage block.
PAGES = [
    ("netd.conf", 5, "network definitions for netd",
     ["/etc/netd/*.conf"],
     [("The networks", "all"), ("Configuration", "all"), ("Anti-spoofing", "all")]),
    ("netd", 8, "virtual network fabric manager for KVM hosts",
     ["netd [--config-dir DIR] [--state-dir DIR] [--runtime-dir DIR] [--socket PATH]",
      "     [--dnsmasq PATH] [--resolv-conf PATH] [--no-autostart] [--down-on-exit]",
      "     [--reconcile-interval SECONDS] [--no-event-repair] [--log-level LEVEL]",
      "     [--version]"],
     [("Commands", "netd"), ("Reliability", "all"), ("Other firewalls", "all")]),
    ("netdctl", 8, "control netd's virtual networks",
     ["netdctl [--socket PATH] [--json] COMMAND [ARGS]", "netdctl --version"],
     [("Commands", "netdctl")]),
]
SEE_ALSO = "netd(8), netdctl(8), netd.conf(5), dnsmasq(8), nft(8), systemd.netdev(5)"


def sections(text):
    """README as [(level, title, [lines])], level 2 or 3; what precedes the first ## is
    dropped."""
    out, cur = [], None
    fence = False
    for line in text.split("\n"):
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"^(##+) (.*)$", line)
        if m and len(m.group(1)) <= 3:
            cur = (len(m.group(1)), m.group(2).strip(), [])
            out.append(cur)
        elif cur:
            cur[2].append(line)
    return out


def pick(secs, title, part):
    """The lines of README section `title` (with its ### subsections for "all")."""
    for i, (level, t, lines) in enumerate(secs):
        if t != title or level != 2:
            continue
        body = [("", lines)]
        for level2, t2, lines2 in secs[i + 1:]:
            if level2 == 2:
                break
            body.append((t2, lines2))
        if part == "all":
            return body
        # "Commands": netd's part ends where the netdctl usage block begins
        flat = []
        for sub, ls in body:
            if sub:
                flat.append("### " + sub)
            flat.extend(ls)
        cut = next(k for k, l in enumerate(flat)
                   if l.startswith("```") and k + 1 < len(flat) and flat[k + 1].startswith("netdctl"))
        return [("", flat[:cut] if part == "netd" else flat[cut:])]
    sys.exit("gen_man.py: README.md has no section '## %s'" % title)


def esc(s):
    s = s.replace("\\", "\\e")
    return s


def inline(s):
    """Markdown inline marks to roff fonts: `code` and **strong** bold, *em* italic."""
    s = esc(s)
    s = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", s)
    s = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\\fI\1\\fR", s)
    s = s.replace("-", "\\-")
    return s


def line_safe(s):
    """A roff text line must not start with . or '."""
    return "\\&" + s if s[:1] in (".", "'") else s


def table(rows):
    cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
    cells = [c for c in cells if not all(re.fullmatch(r":?-+:?", x) for x in c)]
    n = max(len(c) for c in cells)
    out = [".TS", "allbox tab(\x01);", " ".join(["l"] * (n - 1) + ["lx"]) + "."]
    for k, c in enumerate(cells):
        c = c + [""] * (n - len(c))
        fmt = [inline(x) for x in c]
        out.append("\x01".join("T{\n" + line_safe(x) + "\nT}" if x else "" for x in fmt))
    out.append(".TE")
    return out


def body_to_roff(lines):
    out, para, i = [], [], 0

    def flush():
        if para:
            out.append(".PP")
            out.extend(line_safe(inline(p)) for p in para)
            para.clear()

    while i < len(lines):
        l = lines[i]
        if l.startswith("```"):
            flush()
            out.append(".PP")
            out.append(".nf")
            out.append(".RS 4")
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                out.append(line_safe(esc(lines[i]).replace("-", "\\-")))
                i += 1
            out.append(".RE")
            out.append(".fi")
        elif l.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            out.extend(table(rows))
            continue
        elif re.match(r"^(\*|-|\d+\.) ", l):
            flush()
            item = [re.sub(r"^(\*|-|\d+\.) ", "", l)]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                item.append(lines[i].strip())
                i += 1
            out.append(".IP \\(bu 2")
            out.extend(line_safe(inline(p)) for p in item)
            continue
        elif l.startswith("### "):
            flush()
            out.append(".SS " + inline(l[4:]))
        elif not l.strip():
            flush()
        else:
            para.append(l.strip())
        i += 1
    flush()
    return out


def page(secs, name, num, desc, synopsis, parts):
    out = ['.\\" generated by docs/man/gen_man.py from README.md; do not edit',
           '.TH %s %d "" "netd" "netd"' % (name.upper(), num),
           ".SH NAME", "%s \\- %s" % (name, desc),
           ".SH SYNOPSIS", ".nf"]
    out.extend(line_safe(esc(s).replace("-", "\\-")) for s in synopsis)
    out.append(".fi")
    for title, part in parts:
        body = pick(secs, title, part)
        out.append(".SH " + ("DESCRIPTION" if title == parts[0][0] else inline(title).upper()))
        for sub, lines in body:
            if sub:
                out.append(".SS " + inline(sub))
            out.extend(body_to_roff(lines))
    out.append(".SH SEE ALSO")
    out.append(inline(SEE_ALSO))
    return "\n".join(out) + "\n"


def main():
    readme, outdir = sys.argv[1], sys.argv[2]
    secs = sections(open(readme, encoding="utf-8").read())
    for name, num, desc, synopsis, parts in PAGES:
        with open("%s/%s.%d" % (outdir, name, num), "w", encoding="utf-8") as f:
            f.write(page(secs, name, num, desc, synopsis, parts))


main()
