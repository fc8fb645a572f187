/* libFuzzer target: arbitrary bytes as an answer of Postmark's.  The first
 * byte picks the request answered (enum postmark_reply), the second the
 * HTTP status (from the table below), the rest is the body.  The answer is
 * read by the same code as in a session (postmark_parse_reply): it must
 * end in a known error or go on, and whatever the reply holds must be fit
 * to show: every string ended inside its field, no control character. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "esp/postmark.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The statuses Postmark answers with, and some it should not. */
static const long statuses[16] = {200, 200, 200, 201, 204, 302, 401, 404,
				  413, 415, 418, 422, 422, 429, 500, 503};

/* A string field: ended inside the field, printable (sanitized). */
static void check_text(const char *s, size_t cap)
{
	const char *end = memchr(s, '\0', cap);
	const unsigned char *p;

	if (!end)
		abort();
	for (p = (const unsigned char *)s; p < (const unsigned char *)end; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct esp_reply out;
	enum postmark_reply what;
	enum bh_err err;
	long status;

	if (size < 2)
		return 0;
	what = (enum postmark_reply)(data[0] % POSTMARK_REPLY__COUNT);
	status = statuses[data[1] % 16];
	err = postmark_parse_reply(what, status, (const char *)data + 2, size - 2, &out);
	if ((int)err < 0 || err >= BH_ERR__COUNT)
		abort();
	check_text(out.message, sizeof out.message);
	check_text(out.domain.id, sizeof out.domain.id);
	check_text(out.domain.name, sizeof out.domain.name);
	check_text(out.signature.id, sizeof out.signature.id);
	check_text(out.signature.email, sizeof out.signature.email);
	check_text(out.signature.name, sizeof out.signature.name);
	check_text(out.server_id, sizeof out.server_id);
	/* An ending in error always says why; a success is never an error
	 * status's. */
	if (err != BH_OK && err != BH_ERR_BUSY && !out.message[0])
		abort();
	if (err == BH_OK && (status < 200 || status >= 300))
		abort();
	if (err == BH_OK && what == POSTMARK_REPLY_DOMAIN && !out.domain.exists)
		abort();
	if (err == BH_OK && what == POSTMARK_REPLY_SIGNATURE && !out.signature.exists)
		abort();
	return 0;
}
