/* libFuzzer target: what the customer types, through every check, the From
 * header and the text field.  Beyond "no crash", it asserts what the rest
 * of behalf relies on: the header never carries a line break that is not a
 * fold, nor a line over 78 characters; a slug is always a DNS label. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/fromhdr.h"
#include "core/sanitize.h"
#include "core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The header's shape: folds are "\n ", lines at most 78, length right. */
static void fuzz_check_header(const char *h, size_t n)
{
	const char *line = h;
	if (n != strlen(h) || strchr(h, '\r'))
		abort();
	for (;;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > 78)
			abort();
		if (!nl)
			break;
		if (nl[1] != ' ')
			abort();
		line = nl + 1;
	}
	for (; *h; h++)
		if ((unsigned char)*h < 0x20 && *h != '\n')
			abort();
}

static void fuzz_check_slug(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 63 || s[0] == '-' || s[n - 1] == '-')
		abort();
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct validate_context ctx = {"vendor.example", true};
	struct domain_value d;
	struct field f;
	char detail[128], email[EMAIL_MAX], display[FROM_DISPLAY_MAX];
	char header[FROM_HEADER_MAX], slug[64];
	char *in;
	size_t n;
	enum from_format format;

	if (size > 4096)
		return 0;
	in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';

	if (validate_domain(in, &ctx, &d, detail, sizeof detail) == INPUT_OK) {
		/* A name that passed passes again in its A-label form. */
		struct domain_value again;
		if (validate_domain(d.ascii, &ctx, &again, detail, sizeof detail) != INPUT_OK ||
		    strcmp(again.ascii, d.ascii) != 0)
			abort();
	}
	/* A suggestion is always a domain that passes, and suggests nothing
	 * cleaner itself (taking it twice changes nothing). */
	{
		char meant[DOMAIN_UNICODE_MAX], again[DOMAIN_UNICODE_MAX];
		enum domain_hint hint = validate_domain_suggest(in, meant, sizeof meant);
		if (hint != DOMAIN_HINT_NONE) {
			if (validate_domain(meant, NULL, &d, detail, sizeof detail) != INPUT_OK)
				abort();
			if (validate_domain_suggest(meant, again, sizeof again) ==
			    DOMAIN_HINT_CLEANED)
				abort();
		}
	}
	/* A split mailbox's address holds an @ and no angle bracket. */
	{
		char name[FIELD_CAP], address[FIELD_CAP];
		if (validate_split_mailbox(in, name, sizeof name, address, sizeof address) &&
		    (!strchr(address, '@') || strpbrk(address, "<>")))
			abort();
	}
	if (validate_dns_label(in, detail, sizeof detail) == INPUT_OK) {
		/* One label: no dot, at most 63 octets once trimmed. */
		char *label = strdup(in);
		if (!label)
			abort();
		validate_trim(label);
		if (strchr(label, '.') || strlen(label) > 63)
			abort();
		free(label);
	}
	validate_local_part(in, detail, sizeof detail);
	validate_email(in, &ctx, email, sizeof email, &d, detail, sizeof detail);
	validate_display_name(in, detail, sizeof detail);
	(void)validate_is_freemail(in);

	/* The first byte picks the format; the rest is the name and, for a
	 * custom format, the pattern too. */
	format = size ? (enum from_format)(data[0] % FROM_FORMAT__COUNT) : FROM_FORMAT_VIA;
	fromhdr_display_name(format, in, "Vendor", in, display, sizeof display);
	n = fromhdr_header(display, "notifications@vendor.example", header, sizeof header);
	if (n < sizeof header)
		fuzz_check_header(header, n);
	n = fromhdr_header(in, "jane@vendor.example", header, sizeof header);
	if (n < sizeof header)
		fuzz_check_header(header, n);
	fromhdr_slug(in, slug, sizeof slug);
	fuzz_check_slug(slug);

	memset(&f, 0, sizeof f);
	field_set(&f, in);
	if (field_insert(&f, in, size) && f.len >= FIELD_CAP)
		abort();
	field_home(&f);
	while (field_right(&f))
		if (field_cursor_chars(&f) > field_chars(&f))
			abort();
	while (field_backspace(&f))
		;
	if (f.len || f.cursor)
		abort();

	free(in);
	return 0;
}
