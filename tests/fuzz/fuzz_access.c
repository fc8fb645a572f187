/* libFuzzer target: what an SSH client controls before it is authenticated
 * (the key type and blob sshd hands to behalf ssh-keys) and what a customer
 * types on the enrollment screen (the code).  Beyond "no crash": a
 * fingerprint is always "SHA256:" and 43 base64 characters; a normalised
 * code is always 16 Crockford characters and normalising it again gives it
 * back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *blob, fp[ACCESS_FP_MAX], code[ACCESS_CODE_CHARS + 1],
	    again[ACCESS_CODE_CHARS + 1];
	size_t i;

	if (size > 20000)
		return 0;
	in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';

	/* "TYPE BLOB": as sshd's %t %k. */
	blob = strchr(in, ' ');
	if (blob) {
		*blob++ = '\0';
		if (access_key_fingerprint(in, blob, fp, sizeof fp) == BH_OK) {
			if (strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != 50)
				abort();
			for (i = 7; fp[i]; i++)
				if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01"
					    "23456789+/",
					    fp[i]))
					abort();
		} else if (fp[0]) {
			abort(); /* no half answer */
		}
		blob[-1] = ' ';
	}

	if (access_code_normalise(in, code, sizeof code)) {
		if (strlen(code) != ACCESS_CODE_CHARS ||
		    strspn(code, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") != ACCESS_CODE_CHARS)
			abort();
		if (!access_code_normalise(code, again, sizeof again) || strcmp(code, again) != 0)
			abort();
	} else if (code[0]) {
		abort();
	}
	free(in);
	return 0;
}
