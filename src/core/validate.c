#include "core/validate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <idn2.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/assets.h"
#include "core/sanitize.h"

#define LABEL_MAX	63
#define DOMAIN_TEXT_MAX 253 /* octets of a name in A-label form, no trailing dot */
#define LOCAL_PART_MAX	64
#define ADDRESS_MAX	254 /* RFC 5321 path limit less the angle brackets */

static const char *const input_error_words[INPUT__COUNT] = {
    [INPUT_OK] = "ok",
    [INPUT_EMPTY] = "empty",
    [INPUT_TOO_LONG] = "too-long",
    [INPUT_LABEL_TOO_LONG] = "label-too-long",
    [INPUT_LABEL_EMPTY] = "label-empty",
    [INPUT_LABEL_HYPHEN] = "label-hyphen",
    [INPUT_BAD_CHARACTER] = "bad-character",
    [INPUT_SINGLE_LABEL] = "single-label",
    [INPUT_IP_LITERAL] = "ip-literal",
    [INPUT_IDN_INVALID] = "idn-invalid",
    [INPUT_NUMERIC_TLD] = "numeric-tld",
    [INPUT_VENDOR_DOMAIN] = "vendor-domain",
    [INPUT_FREEMAIL] = "freemail",
    [INPUT_EMAIL_NO_AT] = "email-no-at",
    [INPUT_EMAIL_LOCAL] = "email-local",
    [INPUT_CONTROL_CHARACTER] = "control-character",
    [INPUT_BAD_UTF8] = "bad-utf8",
    [INPUT_URL] = "url",
    [INPUT_PATTERN_NO_NAME] = "pattern-no-name",
    [INPUT_PUBLIC_SUFFIX] = "public-suffix",
    [INPUT_RECORD_TOO_LONG] = "record-too-long",
    [INPUT_DID_YOU_MEAN] = "did-you-mean",
    [INPUT_WWW] = "www",
    [INPUT_SUBDOMAIN] = "subdomain",
    [INPUT_DNS_LABEL] = "dns-label",
    [INPUT_PASTE_NEWLINE] = "paste-newline",
    [INPUT_PATTERN_UNKNOWN] = "pattern-unknown",
};

const char *input_error_word(enum input_error err)
{
	if ((unsigned)err >= INPUT__COUNT)
		return "unknown";
	return input_error_words[err];
}

/* Copies n bytes of s into detail (cap bytes), never cutting a character. */
static void detail_set(char *detail, size_t cap, const char *s, size_t n)
{
	size_t w = 0;
	if (!detail || !cap)
		return;
	while (w < n) {
		unsigned cp;
		size_t len = utf8_decode((const unsigned char *)s + w, n - w, &cp);
		if (!len || w + len >= cap)
			break;
		w += len;
	}
	memcpy(detail, s, w);
	detail[w] = '\0';
}

#define DETAIL_SHOWN 24 /* characters of a typed part quoted in a message */

/* Like detail_set, but a part longer than DETAIL_SHOWN characters is cut
 * to its start and "...", so that the message fits under the field. */
static void detail_part(char *detail, size_t cap, const char *s, size_t n)
{
	size_t w = 0, chars = 0, cut = 0;
	while (w < n) {
		unsigned cp;
		size_t len = utf8_decode((const unsigned char *)s + w, n - w, &cp);
		if (!len)
			break;
		w += len;
		if (++chars == DETAIL_SHOWN - 3)
			cut = w;
	}
	if (chars > DETAIL_SHOWN) {
		char shown[DETAIL_SHOWN * 4 + 4];
		memcpy(shown, s, cut);
		memcpy(shown + cut, "...", 4);
		detail_set(detail, cap, shown, cut + 3);
		return;
	}
	detail_set(detail, cap, s, n);
}

static void detail_str(char *detail, size_t cap, const char *s)
{
	detail_set(detail, cap, s, strlen(s));
}

static void detail_number(char *detail, size_t cap, unsigned long n)
{
	if (detail && cap)
		snprintf(detail, cap, "%lu", n);
}

/* A control character as "U+001B": never shown raw in a message. */
static void detail_codepoint(char *detail, size_t cap, unsigned cp)
{
	if (detail && cap)
		snprintf(detail, cap, "U+%04X", cp);
}

static void detail_clear(char *detail, size_t cap)
{
	if (detail && cap)
		detail[0] = '\0';
}

/* C0 and C1 controls, DEL, and the bidirectional overrides that can make
 * a name display as something else. */
static bool is_control(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Length of the blank at s (n bytes available), 0 when none: ASCII white
 * space, no-break space and the ideographic space of CJK keyboards. */
static size_t blank_len(const char *s, size_t n)
{
	unsigned cp;
	size_t len;
	if (!n)
		return 0;
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
		return 1;
	len = utf8_decode((const unsigned char *)s, n, &cp);
	if (len && (cp == 0xa0 || cp == 0x3000))
		return len;
	return 0;
}

/* Finds the trimmed span of s: *start and *len. */
static void trim_span(const char *s, size_t n, size_t *start, size_t *len)
{
	size_t b = 0, e = n;
	size_t k;
	while ((k = blank_len(s + b, e - b)) != 0)
		b += k;
	while (e > b) {
		/* Step back over one character and see whether it is a blank. */
		size_t p = e - 1;
		while (p > b && ((unsigned char)s[p] & 0xc0) == 0x80)
			p--;
		k = blank_len(s + p, e - p);
		if (k != e - p)
			break;
		e = p;
	}
	*start = b;
	*len = e - b;
}

void validate_trim(char *s)
{
	size_t start, len;
	trim_span(s, strlen(s), &start, &len);
	memmove(s, s + start, len);
	s[len] = '\0';
}

/* Checks that s (n bytes) is UTF-8 without control characters. */
static enum input_error check_text(const char *s, size_t n, char *detail, size_t cap)
{
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		size_t len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!len) {
			detail_clear(detail, cap);
			return INPUT_BAD_UTF8;
		}
		if (is_control(cp)) {
			detail_codepoint(detail, cap, cp);
			return INPUT_CONTROL_CHARACTER;
		}
		i += len;
	}
	return INPUT_OK;
}

static bool is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* "https://shop.example/path" and "shop.example/path": the host part goes to
 * detail so the message can suggest it. */
static bool looks_like_url(const char *s, size_t n, char *detail, size_t cap)
{
	const char *host = s, *end = s + n, *p;
	const char *scheme = NULL;
	for (p = s; p + 2 < end; p++)
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			scheme = p;
			break;
		}
	if (scheme)
		host = scheme + 3;
	else if (n >= 7 && strncmp(s, "mailto:", 7) == 0)
		host = s + 7;
	else if (!memchr(s, '/', n))
		return false;
	for (p = host; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	end = p;
	/* Drop "user@" and ":port" so only the host remains. */
	for (p = end; p > host; p--)
		if (p[-1] == '@') {
			host = p;
			break;
		}
	for (p = host; p < end; p++)
		if (*p == ':') {
			end = p;
			break;
		}
	detail_set(detail, cap, host, (size_t)(end - host));
	return true;
}

/* 192.0.2.1, 2001:db8::1 and [2001:db8::1] are addresses, not names. */
static bool is_ip_literal(const char *s, size_t n)
{
	char tmp[64];
	unsigned char addr[16];
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		return true;
	}
	if (!n || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (tmp[n - 1] == '.')
		tmp[n - 1] = '\0';
	return inet_pton(AF_INET, tmp, addr) == 1 || inet_pton(AF_INET6, tmp, addr) == 1;
}

/* The full stops UTS 46 treats as dots: ideographic, fullwidth, halfwidth. */
static size_t dot_len(const char *s, size_t n)
{
	unsigned cp;
	size_t len;
	if (n && *s == '.')
		return 1;
	len = utf8_decode((const unsigned char *)s, n, &cp);
	if (len && (cp == 0x3002 || cp == 0xff0e || cp == 0xff61))
		return len;
	return 0;
}

/* Checks one label as typed (before IDNA): emptiness, hyphens, ASCII
 * characters that are never allowed. */
static enum input_error check_label_typed(const char *l, size_t n, char *detail, size_t cap)
{
	size_t i;
	if (!n) {
		detail_clear(detail, cap);
		return INPUT_LABEL_EMPTY;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		if (c < 0x80 && !is_ldh((char)c)) {
			detail_set(detail, cap, l + i, 1);
			return INPUT_BAD_CHARACTER;
		}
	}
	if (l[0] == '-' || l[n - 1] == '-') {
		detail_part(detail, cap, l, n);
		return INPUT_LABEL_HYPHEN;
	}
	return INPUT_OK;
}

/* Converts one name to A-labels with libidn2: non-transitional (IDNA2008 +
 * UTS 46) first, transitional as a fallback.  Caller frees *out. */
static int idn_to_ascii(const char *in, char **out)
{
	int rc = idn2_lookup_u8((const uint8_t *)in, (uint8_t **)out,
				IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK && idn2_lookup_u8((const uint8_t *)in, (uint8_t **)out,
					    IDN2_NFC_INPUT | IDN2_TRANSITIONAL) == IDN2_OK)
		return IDN2_OK;
	if (rc != IDN2_OK)
		*out = NULL;
	return rc;
}

/* True when an "xn--" label decodes to a U-label that encodes back to it. */
static bool alabel_valid(const char *label)
{
	char *u = NULL, *back = NULL;
	bool ok = false;
	if (idn2_to_unicode_8z8z(label, &u, 0) == IDN2_OK && u &&
	    idn_to_ascii(u, &back) == IDN2_OK && back)
		ok = strcmp(back, label) == 0;
	idn2_free(u);
	idn2_free(back);
	return ok;
}

/* Checks the A-label form: lengths, characters, hyphens, TLD. */
static enum input_error check_ascii_name(const char *name, char *detail, size_t cap)
{
	const char *l = name, *dot;
	size_t labels = 0;
	if (strlen(name) > DOMAIN_TEXT_MAX) {
		detail_number(detail, cap, DOMAIN_TEXT_MAX);
		return INPUT_TOO_LONG;
	}
	for (;;) {
		size_t n;
		bool digits = true;
		dot = strchr(l, '.');
		n = dot ? (size_t)(dot - l) : strlen(l);
		enum input_error err = check_label_typed(l, n, detail, cap);
		if (err)
			return err;
		if (n > LABEL_MAX) {
			detail_part(detail, cap, l, n);
			return INPUT_LABEL_TOO_LONG;
		}
		if (n >= 4 && l[2] == '-' && l[3] == '-') {
			char label[LABEL_MAX + 1];
			memcpy(label, l, n);
			label[n] = '\0';
			/* "ab--" is reserved; only valid punycode may use it. */
			if (strncmp(label, "xn", 2) != 0 || !alabel_valid(label)) {
				detail_part(detail, cap, l, n);
				return INPUT_IDN_INVALID;
			}
		}
		for (size_t i = 0; i < n; i++)
			if (l[i] < '0' || l[i] > '9')
				digits = false;
		labels++;
		if (!dot) {
			if (labels == 1) {
				detail_part(detail, cap, l, n);
				return INPUT_SINGLE_LABEL;
			}
			if (digits) {
				detail_part(detail, cap, l, n);
				return INPUT_NUMERIC_TLD;
			}
			return INPUT_OK;
		}
		l = dot + 1;
	}
}

/* The first label of name that libidn2 refuses, for the message (the
 * whole name when no single label is to blame). */
static void idn_find_bad_label(const char *name, char *detail, size_t cap)
{
	size_t n = strlen(name), l = 0;
	detail_part(detail, cap, name, n);
	while (l <= n) {
		size_t k = 0, e = l;
		char *label, *out = NULL;
		int rc;
		while (e < n && (k = dot_len(name + e, n - e)) == 0)
			e++;
		label = xstrndup(name + l, e - l);
		rc = idn_to_ascii(label, &out);
		idn2_free(out);
		free(label);
		if (rc != IDN2_OK) {
			detail_part(detail, cap, name + l, e - l);
			return;
		}
		if (e >= n)
			return;
		l = e + k;
	}
}

/* The Public Suffix List: the distribution's copy (Debian's publicsuffix)
 * when newer than the one built into libpsl, kept for the process. */
static const psl_ctx_t *psl_context(void)
{
	static psl_ctx_t *latest;
	static bool tried;
	if (!tried) {
		tried = true;
		latest = psl_latest(NULL);
	}
	return latest ? latest : psl_builtin();
}

bool validate_registrable_domain(const char *name, char *out, size_t cap)
{
	const psl_ctx_t *psl = psl_context();
	char lower[DOMAIN_ASCII_MAX];
	const char *org;
	size_t i;
	out[0] = '\0';
	if (!str_copy(lower, sizeof lower, name))
		return false;
	for (i = 0; lower[i]; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	if (i && lower[i - 1] == '.')
		lower[i - 1] = '\0';
	if (!psl || !lower[0])
		return false;
	org = psl_registrable_domain(psl, lower);
	return org && str_copy(out, cap, org);
}

/* co.uk, com, github.io: listed suffixes, under which people register
 * names.  An unlisted TLD ("example") does not count: the implicit "*"
 * rule would make every single label a suffix. */
static bool is_public_suffix(const char *ascii)
{
	const psl_ctx_t *psl = psl_context();
	return psl && psl_is_public_suffix2(psl, ascii, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

/* The longest domain, in octets, under which a record named
 * "<label>.<domain>" still fits the 253 octets of a DNS name. */
static size_t record_room(const char *label)
{
	size_t prefix = strlen(label);
	return prefix + 1 < DOMAIN_TEXT_MAX ? DOMAIN_TEXT_MAX - prefix - 1 : 0;
}

/* name (A-label form) is vendor or a name under it. */
static bool is_under(const char *name, const char *vendor)
{
	size_t n = strlen(name), v = strlen(vendor);
	if (!v)
		return false;
	if (n == v)
		return strcmp(name, vendor) == 0;
	return n > v && name[n - v - 1] == '.' && strcmp(name + n - v, vendor) == 0;
}

/* The vendor's domain from the configuration, in lower-case A-labels. */
static bool vendor_normalise(const char *vendor, char *out, size_t cap)
{
	size_t start, len;
	char *tmp, *ascii = NULL;
	bool ok;
	trim_span(vendor, strlen(vendor), &start, &len);
	if (len && vendor[start + len - 1] == '.')
		len--;
	tmp = xstrndup(vendor + start, len);
	if (is_ascii(tmp, len)) {
		for (size_t i = 0; i < len; i++)
			tmp[i] = lower(tmp[i]);
		ok = str_copy(out, cap, tmp);
	} else {
		ok = idn_to_ascii(tmp, &ascii) == IDN2_OK && str_copy(out, cap, ascii);
		idn2_free(ascii);
	}
	free(tmp);
	return ok && out[0];
}

/* What every check does first: the text between the blanks at either end
 * (*s, *n), refused when empty or holding control characters or broken
 * UTF-8. */
static enum input_error input_prepare(const char *input, const char **s, size_t *n, char *detail,
				      size_t cap)
{
	size_t start;
	detail_clear(detail, cap);
	if (!input)
		return INPUT_EMPTY;
	trim_span(input, strlen(input), &start, n);
	*s = input + start;
	if (!*n)
		return INPUT_EMPTY;
	return check_text(*s, *n, detail, cap);
}

enum input_error validate_domain(const char *input, const struct validate_context *ctx,
				 struct domain_value *out, char *detail, size_t cap)
{
	size_t n, i;
	const char *s;
	char name[DOMAIN_UNICODE_MAX];
	char ascii[DOMAIN_ASCII_MAX];
	enum input_error err;

	err = input_prepare(input, &s, &n, detail, cap);
	if (err)
		return err;
	if (looks_like_url(s, n, detail, cap))
		return INPUT_URL;
	if (memchr(s, '@', n)) {
		detail_str(detail, cap, "@");
		return INPUT_BAD_CHARACTER;
	}
	if (is_ip_literal(s, n)) {
		detail_part(detail, cap, s, n);
		return INPUT_IP_LITERAL;
	}
	if (n >= sizeof name) {
		detail_number(detail, cap, DOMAIN_TEXT_MAX);
		return INPUT_TOO_LONG;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	/* One trailing dot (the root) is fine; a second one is an empty label. */
	{
		size_t p = n - 1;
		while (p > 0 && ((unsigned char)name[p] & 0xc0) == 0x80)
			p--;
		if (dot_len(name + p, n - p) == n - p) {
			name[p] = '\0';
			n = p;
		}
	}
	if (!n) {
		detail_clear(detail, cap);
		return INPUT_LABEL_EMPTY;
	}

	/* Label checks on the name as typed, so that the message names the
	 * character or label the customer sees. */
	{
		size_t l = 0;
		for (;;) {
			size_t k = 0, e = l;
			while (e < n && (k = dot_len(name + e, n - e)) == 0)
				e++;
			err = check_label_typed(name + l, e - l, detail, cap);
			if (err)
				return err;
			if (e >= n)
				break;
			l = e + k;
		}
	}

	if (is_ascii(name, n)) {
		for (i = 0; i < n; i++)
			name[i] = lower(name[i]);
		if (n >= sizeof ascii) {
			detail_number(detail, cap, DOMAIN_TEXT_MAX);
			return INPUT_TOO_LONG;
		}
		memcpy(ascii, name, n + 1);
	} else {
		char *a = NULL;
		int rc = idn_to_ascii(name, &a);
		if (rc == IDN2_TOO_BIG_DOMAIN) {
			detail_number(detail, cap, DOMAIN_TEXT_MAX);
			return INPUT_TOO_LONG;
		}
		if (rc != IDN2_OK) {
			idn_find_bad_label(name, detail, cap);
			/* libidn2 reports a label whose punycode passes 63
			 * octets as too big an output. */
			if (rc == IDN2_TOO_BIG_LABEL || rc == IDN2_PUNYCODE_BIG_OUTPUT)
				return INPUT_LABEL_TOO_LONG;
			return INPUT_IDN_INVALID;
		}
		for (i = 0; a[i]; i++)
			a[i] = lower(a[i]);
		if (!str_copy(ascii, sizeof ascii, a)) {
			idn2_free(a);
			detail_number(detail, cap, DOMAIN_TEXT_MAX);
			return INPUT_TOO_LONG;
		}
		idn2_free(a);
	}
	err = check_ascii_name(ascii, detail, cap);
	if (err)
		return err;
	if (is_public_suffix(ascii)) {
		detail_part(detail, cap, name, n);
		return INPUT_PUBLIC_SUFFIX;
	}

	if (ctx && ctx->vendor_domain) {
		char vendor[DOMAIN_ASCII_MAX];
		if (vendor_normalise(ctx->vendor_domain, vendor, sizeof vendor) &&
		    is_under(ascii, vendor)) {
			detail_str(detail, cap, vendor);
			return INPUT_VENDOR_DOMAIN;
		}
	}
	if (ctx && ctx->refuse_freemail && validate_is_freemail(ascii)) {
		detail_str(detail, cap, ascii);
		return INPUT_FREEMAIL;
	}

	if (out) {
		char *u = NULL;
		memset(out, 0, sizeof *out);
		str_copy(out->ascii, sizeof out->ascii, ascii);
		if (idn2_to_unicode_8z8z(ascii, &u, 0) == IDN2_OK && u &&
		    str_copy(out->unicode, sizeof out->unicode, u))
			out->is_idn = strcmp(out->ascii, out->unicode) != 0;
		else
			str_copy(out->unicode, sizeof out->unicode, ascii);
		idn2_free(u);
	}
	return INPUT_OK;
}

/* atext of RFC 5322: what a dot-atom local part may hold besides dots. */
static bool is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Checks a local part as a dot-atom; quoted local parts are refused. */
static enum input_error check_local(const char *l, size_t n, char *detail, size_t cap)
{
	size_t i = 0;
	if (!n || n > LOCAL_PART_MAX || l[0] == '"' || l[0] == '.' || l[n - 1] == '.') {
		detail_part(detail, cap, l, n);
		return INPUT_EMAIL_LOCAL;
	}
	while (i < n) {
		unsigned cp;
		size_t len = utf8_decode((const unsigned char *)l + i, n - i, &cp);
		if (l[i] == '.' && l[i + 1] == '.') {
			detail_part(detail, cap, l, n);
			return INPUT_EMAIL_LOCAL;
		}
		if (l[i] != '.' && !is_atext(l[i])) {
			detail_set(detail, cap, l + i, len ? len : 1);
			return INPUT_BAD_CHARACTER;
		}
		i += len ? len : 1;
	}
	return INPUT_OK;
}

enum input_error validate_email(const char *input, const struct validate_context *ctx, char *out,
				size_t cap, struct domain_value *domain_out, char *detail,
				size_t cap_detail)
{
	size_t n;
	const char *s, *at;
	char *domain;
	struct domain_value dv;
	enum input_error err;

	if (out && cap)
		out[0] = '\0';
	err = input_prepare(input, &s, &n, detail, cap_detail);
	if (err)
		return err;
	if (n > EMAIL_MAX - 1) {
		detail_number(detail, cap_detail, ADDRESS_MAX);
		return INPUT_TOO_LONG;
	}
	if (n >= 7 && strncmp(s, "mailto:", 7) == 0) {
		detail_set(detail, cap_detail, s + 7, n - 7);
		return INPUT_URL;
	}
	at = NULL;
	for (const char *p = s; p < s + n; p++)
		if (*p == '@')
			at = p;
	if (!at) {
		detail_clear(detail, cap_detail);
		return INPUT_EMAIL_NO_AT;
	}
	err = check_local(s, (size_t)(at - s), detail, cap_detail);
	if (err)
		return err;
	domain = xstrndup(at + 1, (size_t)(s + n - at - 1));
	if (!domain[0]) {
		free(domain);
		return INPUT_EMPTY;
	}
	err = validate_domain(domain, ctx, &dv, detail, cap_detail);
	free(domain);
	if (err)
		return err;
	if ((size_t)(at - s) + 1 + strlen(dv.ascii) > ADDRESS_MAX) {
		detail_number(detail, cap_detail, ADDRESS_MAX);
		return INPUT_TOO_LONG;
	}
	if (out && cap)
		snprintf(out, cap, "%.*s@%s", (int)(at - s), s, dv.ascii);
	if (domain_out)
		*domain_out = dv;
	return INPUT_OK;
}

enum input_error validate_record_names(const struct domain_value *d, const char *longest_label,
				       char *detail, size_t cap)
{
	size_t room = record_room(longest_label ? longest_label : "");
	detail_clear(detail, cap);
	if (strlen(d->ascii) > room) {
		detail_number(detail, cap, room);
		return INPUT_RECORD_TOO_LONG;
	}
	return INPUT_OK;
}

enum input_error validate_local_part(const char *input, char *detail, size_t cap)
{
	size_t n;
	const char *s;
	enum input_error err = input_prepare(input, &s, &n, detail, cap);
	if (err)
		return err;
	return check_local(s, n, detail, cap);
}

enum input_error validate_dns_label(const char *input, char *detail, size_t cap)
{
	size_t n;
	const char *s;
	enum input_error err = input_prepare(input, &s, &n, detail, cap);
	if (err)
		return err;
	if (n > LABEL_MAX || check_label_typed(s, n, detail, cap) != INPUT_OK) {
		detail_part(detail, cap, s, n);
		return INPUT_DNS_LABEL;
	}
	return INPUT_OK;
}

bool validate_split_mailbox(const char *input, char *name, size_t name_cap, char *address,
			    size_t address_cap)
{
	const char *s, *lt, *at;
	size_t n, ns, nn, as, an, w = 0;
	char *tmp;

	if (!input || input_prepare(input, &s, &n, NULL, 0) || n < 3 || s[n - 1] != '>')
		return false;
	lt = NULL;
	for (const char *p = s; p < s + n - 1; p++)
		if (*p == '<')
			lt = p;
	if (!lt)
		return false;
	trim_span(lt + 1, (size_t)(s + n - 1 - lt - 1), &as, &an);
	at = memchr(lt + 1 + as, '@', an);
	if (!an || !at || memchr(lt + 1 + as, '<', an) || memchr(lt + 1 + as, '>', an))
		return false;
	trim_span(s, (size_t)(lt - s), &ns, &nn);
	tmp = xstrndup(s + ns, nn);
	/* "Doe, Jane": the quotes go, a backslash keeps the character after it. */
	if (nn >= 2 && tmp[0] == '"' && tmp[nn - 1] == '"') {
		for (size_t r = 1; r + 1 < nn; r++) {
			if (tmp[r] == '\\' && r + 2 < nn)
				r++;
			tmp[w++] = tmp[r];
		}
		tmp[w] = '\0';
	}
	if (name && name_cap)
		str_copy(name, name_cap, tmp);
	free(tmp);
	detail_set(address, address_cap, lt + 1 + as, an);
	return true;
}

/* The host in a link or an address as typed: "https://user@Host:8080/x",
 * "mailto:jane@host", "Jane <jane@host>".  Sets *cleaned when anything
 * around the host was dropped. */
static void suggest_host(const char *s, size_t n, const char **host, size_t *len, bool *cleaned)
{
	const char *h = s, *end = s + n, *p;
	for (p = s; p + 2 < end; p++)
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			h = p + 3;
			break;
		}
	if ((size_t)(end - h) >= 7 && strncasecmp(h, "mailto:", 7) == 0)
		h += 7;
	for (p = h; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	end = p;
	for (p = end; p > h; p--)
		if (p[-1] == '@') {
			h = p;
			break;
		}
	for (p = h; p < end; p++)
		if (*p == ':' || *p == '>') {
			end = p;
			break;
		}
	while (h < end && *h == '<')
		h++;
	*cleaned = h != s || end != s + n;
	*host = h;
	*len = (size_t)(end - h);
}

/* str_copy that allows no output. */
static void suggest_put(char *out, size_t cap, const char *s)
{
	if (out && cap)
		str_copy(out, cap, s);
}

enum domain_hint validate_domain_suggest(const char *input, char *out, size_t cap)
{
	const char *s, *host;
	size_t n, len;
	bool cleaned;
	char name[DOMAIN_UNICODE_MAX];
	struct domain_value dv, rest;
	const char *parent;

	if (out && cap)
		out[0] = '\0';
	if (input_prepare(input, &s, &n, NULL, 0))
		return DOMAIN_HINT_NONE;
	suggest_host(s, n, &host, &len, &cleaned);
	if (!len || len >= sizeof name)
		return DOMAIN_HINT_NONE;
	memcpy(name, host, len);
	name[len] = '\0';
	if (validate_domain(name, NULL, &dv, NULL, 0) != INPUT_OK)
		return DOMAIN_HINT_NONE;
	/* www. names a website; the mail domain is the rest, when it is one. */
	if (strncmp(dv.ascii, "www.", 4) == 0 &&
	    validate_domain(dv.ascii + 4, NULL, &rest, NULL, 0) == INPUT_OK) {
		suggest_put(out, cap, rest.unicode);
		return cleaned ? DOMAIN_HINT_CLEANED : DOMAIN_HINT_WWW;
	}
	if (cleaned) {
		suggest_put(out, cap, dv.unicode);
		return DOMAIN_HINT_CLEANED;
	}
	parent = psl_context() ? psl_registrable_domain(psl_context(), dv.ascii) : NULL;
	if (parent && strcmp(parent, dv.ascii) != 0 &&
	    validate_domain(parent, NULL, &rest, NULL, 0) == INPUT_OK) {
		suggest_put(out, cap, rest.unicode);
		return DOMAIN_HINT_PARENT;
	}
	return DOMAIN_HINT_NONE;
}

enum input_error validate_display_name(const char *input, char *detail, size_t cap)
{
	size_t n, i = 0, chars = 0;
	const char *s;
	enum input_error err;

	err = input_prepare(input, &s, &n, detail, cap);
	if (err)
		return err;
	while (i < n) {
		unsigned cp;
		i += utf8_decode((const unsigned char *)s + i, n - i, &cp);
		chars++;
	}
	if (chars > DISPLAY_NAME_MAX) {
		detail_number(detail, cap, DISPLAY_NAME_MAX);
		return INPUT_TOO_LONG;
	}
	return INPUT_OK;
}

/* The free-mail list: assets/freemail.txt parsed once, sorted. */
static char **freemail_list; /* malloced array of malloced names */
static size_t freemail_count;
static bool freemail_loaded;

static int freemail_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void freemail_load(void)
{
	const struct asset *a = asset_find("freemail.txt");
	const char *p, *end;
	size_t cap = 0;
	freemail_loaded = true;
	if (!a)
		return;
	p = (const char *)a->data;
	end = p + a->size;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *hash;
		size_t start, len;
		if (!eol)
			eol = end;
		hash = memchr(p, '#', (size_t)(eol - p));
		trim_span(p, (size_t)((hash ? hash : eol) - p), &start, &len);
		if (len) {
			char *name = xstrndup(p + start, len);
			for (size_t i = 0; i < len; i++)
				name[i] = lower(name[i]);
			if (freemail_count == cap) {
				cap = cap ? cap * 2 : 64;
				freemail_list =
				    xrealloc(freemail_list, cap * sizeof *freemail_list);
			}
			freemail_list[freemail_count++] = name;
		}
		p = eol + 1;
	}
	qsort(freemail_list, freemail_count, sizeof *freemail_list, freemail_cmp);
}

bool validate_is_freemail(const char *domain)
{
	char name[DOMAIN_ASCII_MAX];
	const char *p;
	size_t n;
	if (!domain)
		return false;
	if (!freemail_loaded)
		freemail_load();
	n = strlen(domain);
	if (n && domain[n - 1] == '.')
		n--;
	if (!n || n >= sizeof name)
		return false;
	for (size_t i = 0; i < n; i++)
		name[i] = lower(domain[i]);
	name[n] = '\0';
	/* The name itself, then each parent: mail.gmail.com is still Gmail. */
	for (p = name; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		const char *key = p;
		if (!*p)
			break;
		if (bsearch(&key, freemail_list, freemail_count, sizeof *freemail_list,
			    freemail_cmp))
			return true;
	}
	return false;
}
