/*
 * Time spans as systemd writes them (systemd.time(7), its parse_sec()): "100ms", "1s 500ms",
 * "1.5s", "2min", and a bare number is seconds. A [Bond] pasted from a networkd .netdev must
 * mean here what it means to networkd: MIIMonitorSec=100 is 100 seconds to both.
 *
 * Called by config_values.c's time parsers; calls nothing of the config.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "config_priv.h"

#define US_PER_MS   1000ull
#define US_PER_SEC  (1000 * US_PER_MS)
#define US_PER_MIN  (60 * US_PER_SEC)
#define US_PER_HOUR (60 * US_PER_MIN)
#define US_PER_DAY  (24 * US_PER_HOUR)
#define US_PER_WEEK (7 * US_PER_DAY)
/* systemd's month and year: 30.44 and 365.25 days */
#define US_PER_MONTH (2629800 * US_PER_SEC)
#define US_PER_YEAR  (31557600 * US_PER_SEC)

/* systemd's unit table, longest names first where one is a prefix of another ("ms" before
 * "m", "min" before "m", "months" before "m"): the first whose name matches wins. */
static const struct unit {
	const char *name;
	uint64_t us;
} units[] = {
    {"seconds", US_PER_SEC},
    {"second", US_PER_SEC},
    {"sec", US_PER_SEC},
    {"s", US_PER_SEC},
    {"minutes", US_PER_MIN},
    {"minute", US_PER_MIN},
    {"min", US_PER_MIN},
    {"months", US_PER_MONTH},
    {"month", US_PER_MONTH},
    {"M", US_PER_MONTH},
    {"msec", US_PER_MS},
    {"ms", US_PER_MS},
    {"m", US_PER_MIN},
    {"hours", US_PER_HOUR},
    {"hour", US_PER_HOUR},
    {"hr", US_PER_HOUR},
    {"h", US_PER_HOUR},
    {"days", US_PER_DAY},
    {"day", US_PER_DAY},
    {"d", US_PER_DAY},
    {"weeks", US_PER_WEEK},
    {"week", US_PER_WEEK},
    {"w", US_PER_WEEK},
    {"years", US_PER_YEAR},
    {"year", US_PER_YEAR},
    {"y", US_PER_YEAR},
    {"usec", 1},
    {"us", 1},
    {"\xce\xbcs", 1}, /* μs */
};

/* The unit at s (none: seconds, the default of a bare number), its length into *len. */
static uint64_t unit_at(const char *s, size_t *len)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t l = strlen(units[i].name);

		/* the unit ends where a digit, a blank or the string does */
		if (strncmp(s, units[i].name, l) == 0 &&
		    (!s[l] || isspace((unsigned char)s[l]) || isdigit((unsigned char)s[l]))) {
			*len = l;
			return units[i].us;
		}
	}
	*len = 0;
	return isalpha((unsigned char)*s) || (unsigned char)*s >= 0x80 ? 0 : US_PER_SEC;
}

/* One "<number>[.<fraction>]<unit>" at *sp into *us; -EINVAL, or -ERANGE past 2^64 us. */
static int component(const char **sp, uint64_t *us)
{
	const char *s = *sp;
	uint64_t whole = 0, frac = 0, scale = 1, mult;
	size_t len;

	if (!isdigit((unsigned char)*s) && !(*s == '.' && isdigit((unsigned char)s[1])))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		/* digits past microseconds' precision are dropped, as systemd drops them */
		for (s++; isdigit((unsigned char)*s); s++)
			if (scale < 1000000000000000000ull) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
	}
	while (isspace((unsigned char)*s))
		s++;
	mult = unit_at(s, &len);
	if (!mult)
		return -EINVAL;
	if (whole > UINT64_MAX / mult)
		return -ERANGE;
	*us = whole * mult + (uint64_t)((long double)frac * mult / scale);
	*sp = s + len;
	return 0;
}

int cfg_timespan_us(const char *s, uint64_t *us)
{
	uint64_t total = 0, part;
	int ret;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -EINVAL;
	if (strcmp(s, "infinity") == 0)
		return -ERANGE; /* no bond timer takes it: the kernel's limit is INT_MAX ms */
	while (*s) {
		ret = component(&s, &part);
		if (ret < 0)
			return ret;
		if (total > UINT64_MAX - part)
			return -ERANGE;
		total += part;
		while (isspace((unsigned char)*s))
			s++;
	}
	*us = total;
	return 0;
}
