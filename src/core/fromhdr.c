#include "core/fromhdr.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sanitize.h"

#define HEADER_LINE_MAX	 78 /* RFC 5322 2.1.1: SHOULD be no more than 78 */
#define ENCODED_WORD_MAX 75 /* RFC 2047 2 */
#define SLUG_MAX	 63
#define EW_PREFIX	 "=?UTF-8?"
#define EW_OVERHEAD	 12 /* "=?UTF-8?X?" + "?=" */

/* Output that counts what it would need, like snprintf. */
struct out {
	char *buf;  /* caller's buffer */
	size_t cap; /* its size */
	size_t n;   /* bytes produced so far (may exceed cap) */
};

static void out_putn(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->n++)
		if (o->cap && o->n < o->cap - 1)
			o->buf[o->n] = s[i];
}

static void out_puts(struct out *o, const char *s)
{
	out_putn(o, s, strlen(s));
}

/* NUL-terminates; when cut short, drops a character cut in half. */
static size_t out_finish(struct out *o)
{
	size_t end;
	if (!o->cap)
		return o->n;
	end = o->n < o->cap ? o->n : o->cap - 1;
	if (end < o->n) {
		size_t p = end;
		unsigned cp;
		while (p > 0 && ((unsigned char)o->buf[p - 1] & 0xc0) == 0x80)
			p--;
		if (p > 0 && ((unsigned char)o->buf[p - 1] & 0x80) &&
		    !utf8_decode((const unsigned char *)o->buf + p - 1, end - (p - 1), &cp))
			end = p - 1;
	}
	o->buf[end] = '\0';
	return o->n;
}

/* Copies a pattern, replacing {name} and {vendor}. */
static void display_pattern(struct out *o, const char *pattern, const char *name,
			    const char *vendor)
{
	const char *p = pattern;
	while (*p) {
		if (strncmp(p, "{name}", 6) == 0) {
			out_puts(o, name);
			p += 6;
		} else if (strncmp(p, "{vendor}", 8) == 0) {
			out_puts(o, vendor);
			p += 8;
		} else {
			out_putn(o, p++, 1);
		}
	}
}

size_t fromhdr_shown(const char *display, const char *address, char *out, size_t cap)
{
	struct out o = {out, cap, 0};
	if (display && *display) {
		out_puts(&o, display);
		out_puts(&o, " ");
	}
	out_puts(&o, "<");
	out_puts(&o, address ? address : "");
	out_puts(&o, ">");
	return out_finish(&o);
}

bool fromhdr_pattern_ok(const char *pattern, char *bad, size_t cap)
{
	const char *p = pattern;
	while (*p) {
		const char *close;
		if (strncmp(p, "{name}", 6) == 0) {
			p += 6;
			continue;
		}
		if (strncmp(p, "{vendor}", 8) == 0) {
			p += 8;
			continue;
		}
		if (*p != '{' && *p != '}') {
			p++;
			continue;
		}
		/* "{word}" as typed when it looks like a placeholder, else the brace */
		close = *p == '{' ? strchr(p, '}') : NULL;
		if (close && close - p <= 32 && !memchr(p + 1, '{', (size_t)(close - p - 1)))
			snprintf(bad, cap, "%.*s", (int)(close - p + 1), p);
		else
			snprintf(bad, cap, "%c", *p);
		return false;
	}
	return true;
}

size_t fromhdr_display_name(enum from_format format, const char *name, const char *vendor,
			    const char *pattern, char *out, size_t cap)
{
	struct out o = {out, cap, 0};
	if (!name)
		name = "";
	if (!vendor)
		vendor = "";
	/* Without a vendor name the formats would read "Jane via ", so the
	 * name stands alone. */
	if (!vendor[0] && (format == FROM_FORMAT_VIA || format == FROM_FORMAT_FOR))
		format = FROM_FORMAT_PLAIN;
	switch (format) {
	case FROM_FORMAT_VIA:
		display_pattern(&o, "{name} via {vendor}", name, vendor);
		break;
	case FROM_FORMAT_FOR:
		display_pattern(&o, "{vendor} for {name}", name, vendor);
		break;
	case FROM_FORMAT_CUSTOM:
		if (pattern && pattern[0]) {
			display_pattern(&o, pattern, name, vendor);
			break;
		}
		/* fall through */
	case FROM_FORMAT_PLAIN:
	default:
		out_puts(&o, name);
		break;
	}
	return out_finish(&o);
}

/* ASCII letters for Latin-1 letters U+00C0..U+00FF ("" separates words). */
static const char *const slug_latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",	 "i",
    "d", "n", "o", "o", "o", "o", "o",	"",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",	 "i",
    "d", "n", "o", "o", "o", "o", "o",	"",  "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Base letters of Latin Extended-A, U+0100..U+017F. */
static const char slug_latin_a[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii"
				   "iijjkkkllllllllllnnnnnnnnnoooooooorrrrrrssssssss"
				   "ttttttuuuuuuuuuuuuwwyyyzzzzzzs";
_Static_assert(sizeof slug_latin_a == 129, "one letter per code point U+0100..U+017F");

/* The ASCII spelling of cp for a slug: NULL when cp separates words. */
static const char *slug_letters(unsigned cp, char *one)
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
		one[0] = (char)cp;
		return one;
	}
	if (cp >= 'A' && cp <= 'Z') {
		one[0] = (char)(cp - 'A' + 'a');
		return one;
	}
	if (cp >= 0xc0 && cp <= 0xff)
		return slug_latin1[cp - 0xc0][0] ? slug_latin1[cp - 0xc0] : NULL;
	if (cp >= 0x100 && cp <= 0x17f) {
		one[0] = slug_latin_a[cp - 0x100];
		return one;
	}
	return NULL;
}

void fromhdr_slug(const char *in, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)p), w = 0;
	size_t max = cap ? cap - 1 : 0;
	bool gap = false, had_text = false;
	if (!cap)
		return;
	if (max > SLUG_MAX)
		max = SLUG_MAX;
	while (n) {
		char one[2] = {0, 0};
		unsigned cp = 0xfffd;
		size_t len = utf8_decode(p, n, &cp);
		const char *letters = slug_letters(len ? cp : 0xfffd, one);
		size_t add;
		if (!len)
			len = 1;
		if (cp != ' ' && cp != '-' && cp != '_' && cp != '.')
			had_text = true;
		p += len;
		n -= len;
		if (!letters) {
			gap = w > 0;
			continue;
		}
		add = strlen(letters) + (gap ? 1 : 0);
		if (w + add > max)
			break;
		if (gap)
			out[w++] = '-';
		memcpy(out + w, letters, strlen(letters));
		w += strlen(letters);
		gap = false;
	}
	if (!w) {
		/* Nothing spellable (a name in another script): a stable
		 * label from the bytes, so two customers do not collide. */
		uint32_t h = 2166136261u;
		for (p = (const unsigned char *)(in ? in : ""); *p; p++)
			h = (h ^ *p) * 16777619u;
		if (had_text)
			snprintf(out, cap, "customer-%08x", (unsigned)h);
		else
			snprintf(out, cap, "customer");
		return;
	}
	out[w] = '\0';
}

/* Appends s without bytes that could break out of an address: blanks,
 * controls, angle brackets. */
static void put_address_part(struct out *o, const char *s, bool lower)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char ch = (char)c;
		if (c <= ' ' || c == 0x7f || c == '<' || c == '>')
			continue;
		if (lower && c >= 'A' && c <= 'Z')
			ch = (char)(c - 'A' + 'a');
		out_putn(o, &ch, 1);
	}
}

size_t fromhdr_address(enum from_address kind, const char *shared_local, const char *customer_slug,
		       const char *vendor_domain, char *out, size_t cap)
{
	struct out o = {out, cap, 0};
	char slug[SLUG_MAX + 1];
	char *domain = xstrdup(vendor_domain ? vendor_domain : "");
	size_t dlen = strlen(domain);
	if (dlen && domain[dlen - 1] == '.')
		domain[dlen - 1] = '\0';
	fromhdr_slug(customer_slug, slug, sizeof slug);
	switch (kind) {
	case FROM_ADDRESS_LOCAL:
		out_puts(&o, slug);
		out_puts(&o, "@");
		break;
	case FROM_ADDRESS_SUBDOMAIN:
		out_puts(&o, slug);
		out_puts(&o, "@");
		out_puts(&o, slug);
		out_puts(&o, ".");
		break;
	case FROM_ADDRESS_SHARED:
	default:
		put_address_part(&o, shared_local, false);
		out_puts(&o, "@");
		break;
	}
	put_address_part(&o, domain, true);
	free(domain);
	return out_finish(&o);
}

/* The display name made safe for a header: controls become spaces,
 * invalid UTF-8 becomes U+FFFD, blanks at the ends go.  Caller frees. */
static char *header_clean_display(const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), w = 0, start = 0;
	char *s = xmalloc(n * 3 + 1);
	while (n) {
		unsigned cp;
		size_t len = utf8_decode(p, n, &cp);
		if (!len) {
			memcpy(s + w, "\xef\xbf\xbd", 3);
			w += 3;
			len = 1;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			s[w++] = ' ';
		} else {
			memcpy(s + w, p, len);
			w += len;
		}
		p += len;
		n -= len;
	}
	while (w && s[w - 1] == ' ')
		w--;
	s[w] = '\0';
	while (s[start] == ' ')
		start++;
	memmove(s, s + start, w - start + 1);
	return s;
}

/* atext of RFC 5322 3.2.3. */
static bool header_is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* A header being written: where the current line stands. */
struct header {
	struct out o;
	size_t col; /* characters on the current line */
};

/* Writes a token after a space, folding first when it would pass the line
 * limit. */
static void header_token(struct header *h, const char *tok, size_t len)
{
	if (h->col + 1 + len > HEADER_LINE_MAX && h->col > 1) {
		out_puts(&h->o, "\n ");
		h->col = 1;
	} else {
		out_puts(&h->o, " ");
		h->col++;
	}
	out_putn(&h->o, tok, len);
	h->col += len;
}

/* Splits s into tokens at the first blank of each run of blanks (the
 * rest of the run starts the next token, so a fold never leaves a line of
 * blanks only); false when a token is too long to fit any line. */
static bool header_words(struct header *h, const char *s, bool write)
{
	const char *p = s;
	for (;;) {
		const char *e = p;
		size_t len;
		while (*e == ' ')
			e++;
		while (*e && *e != ' ')
			e++;
		len = (size_t)(e - p);
		if (len + 1 > HEADER_LINE_MAX)
			return false;
		if (write)
			header_token(h, p, len);
		if (!*e)
			return true;
		p = e + 1;
	}
}

/* Q encoding may leave these as they are in a phrase (RFC 2047 5 (3)). */
static bool q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t q_len(const unsigned char *s, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += q_plain(s[i]) || s[i] == ' ' ? 1 : 3;
	return len;
}

static size_t b_len(size_t bytes)
{
	return (bytes + 2) / 3 * 4;
}

static void q_encode(struct out *o, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		char e[3];
		if (s[i] == ' ') {
			out_puts(o, "_");
		} else if (q_plain(s[i])) {
			out_putn(o, (const char *)s + i, 1);
		} else {
			e[0] = '=';
			e[1] = hex[s[i] >> 4];
			e[2] = hex[s[i] & 15];
			out_putn(o, e, 3);
		}
	}
}

static void b_encode(struct out *o, const unsigned char *s, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		char e[4];
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		e[0] = b64[(v >> 18) & 63];
		e[1] = b64[(v >> 12) & 63];
		e[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		e[3] = i + 2 < n ? b64[v & 63] : '=';
		out_putn(o, e, 4);
	}
}

/* Writes s as RFC 2047 encoded-words, each at most 75 characters and
 * ending on a character boundary, folding between words. */
static void header_encoded_words(struct header *h, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	bool use_q = q_len(p, n) <= b_len(n);
	while (n) {
		size_t room, bytes = 0, enc = 0;
		unsigned cp;
		size_t first = utf8_decode(p, n, &cp);
		if (!first)
			first = 1;
		/* Fold first when not even one character fits here. */
		room = h->col + 1 < HEADER_LINE_MAX ? HEADER_LINE_MAX - h->col - 1 : 0;
		if (room > ENCODED_WORD_MAX)
			room = ENCODED_WORD_MAX;
		if (room < EW_OVERHEAD + (use_q ? q_len(p, first) : b_len(first)) && h->col > 1) {
			out_puts(&h->o, "\n");
			h->col = 0;
			room = ENCODED_WORD_MAX;
		}
		while (bytes < n) {
			size_t len = utf8_decode(p + bytes, n - bytes, &cp), next;
			if (!len)
				len = 1;
			next = use_q ? enc + q_len(p + bytes, len) : b_len(bytes + len);
			if (bytes && EW_OVERHEAD + next > room)
				break;
			enc = next;
			bytes += len;
		}
		out_puts(&h->o, " " EW_PREFIX);
		out_puts(&h->o, use_q ? "Q?" : "B?");
		if (use_q)
			q_encode(&h->o, p, bytes);
		else
			b_encode(&h->o, p, bytes);
		out_puts(&h->o, "?=");
		h->col += 1 + EW_OVERHEAD + enc;
		p += bytes;
		n -= bytes;
	}
}

/* The display as a quoted-string: " and \ escaped. Caller frees. */
static char *header_quote(const char *s)
{
	size_t n = strlen(s), w = 0;
	char *q = xmalloc(n * 2 + 3);
	q[w++] = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			q[w++] = '\\';
		q[w++] = *s;
	}
	q[w++] = '"';
	q[w] = '\0';
	return q;
}

size_t fromhdr_header(const char *display, const char *address, char *out, size_t cap)
{
	struct header h = {{out, cap, 0}, 0};
	struct out addr = {NULL, 0, 0};
	char *name = header_clean_display(display ? display : "");
	char *addr_text;
	bool ascii = true, atoms = true;
	size_t i;

	/* The address, cleaned, measured, then written. */
	put_address_part(&addr, address, false);
	addr_text = xmalloc(addr.n + 3);
	addr = (struct out){addr_text, addr.n + 3, 0};
	out_puts(&addr, "<");
	put_address_part(&addr, address, false);
	out_puts(&addr, ">");
	out_finish(&addr);

	out_puts(&h.o, "From:");
	h.col = 5;
	if (!name[0]) {
		/* No display name: the bare addr-spec. */
		header_token(&h, addr_text + 1, strlen(addr_text) - 2);
		free(addr_text);
		free(name);
		return out_finish(&h.o);
	}
	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c >= 0x80)
			ascii = false;
		else if (c != ' ' && !header_is_atext((char)c))
			atoms = false;
		if (c == ' ' && (name[i + 1] == ' '))
			atoms = false;
	}
	if (ascii && atoms && header_words(&h, name, false)) {
		header_words(&h, name, true);
	} else {
		char *quoted = ascii ? header_quote(name) : NULL;
		if (quoted && header_words(&h, quoted, false))
			header_words(&h, quoted, true);
		else
			header_encoded_words(&h, name);
		free(quoted);
	}
	header_token(&h, addr_text, strlen(addr_text));
	free(addr_text);
	free(name);
	return out_finish(&h.o);
}
