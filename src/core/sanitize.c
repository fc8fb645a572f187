#include "core/sanitize.h"

#include <stdbool.h>
#include <string.h>

size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c;
	size_t len, i;
	if (!n)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that must not reach a terminal or document as they are. */
static bool sanitize_is_unsafe(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
	       cp == 0x200f || cp == 0xfeff;
}

size_t sanitize_text(const char *in, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), w = 0;
	if (!cap)
		return 0;
	while (n) {
		unsigned cp;
		size_t len = utf8_decode(p, n, &cp);
		const unsigned char *src = p;
		size_t outlen = len;
		if (!len || sanitize_is_unsafe(cp)) {
			src = (const unsigned char *)"?";
			outlen = 1;
			if (!len)
				len = 1;
		}
		if (w + outlen >= cap)
			break;
		memcpy(out + w, src, outlen);
		w += outlen;
		p += len;
		n -= len;
	}
	out[w] = '\0';
	return w;
}
