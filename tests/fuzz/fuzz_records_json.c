/* libFuzzer target: arbitrary bytes as a records file (check --records).
 * Whatever parses must write back and parse again to the same records. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/records_json.h"

#define FUZZ_MAX_RECORDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct expected_record a[FUZZ_MAX_RECORDS], b[FUZZ_MAX_RECORDS];
	char domain[RECORD_NAME_MAX], domain2[RECORD_NAME_MAX], msg[256];
	size_t n = 0, n2 = 0, i;
	char *text;

	if (records_json_parse((const char *)data, size, domain, sizeof domain, a, FUZZ_MAX_RECORDS,
			       &n, msg, sizeof msg) != BH_OK) {
		if (!memchr(msg, '\0', sizeof msg) || n != 0)
			abort();
		return 0;
	}
	text = records_json_write(domain, a, n, NULL);
	if (records_json_parse(text, strlen(text), domain2, sizeof domain2, b, FUZZ_MAX_RECORDS,
			       &n2, msg, sizeof msg) != BH_OK)
		abort();
	if (n2 != n || strcmp(domain, domain2) != 0)
		abort();
	for (i = 0; i < n; i++)
		if (a[i].purpose != b[i].purpose || a[i].type != b[i].type ||
		    a[i].required != b[i].required || strcmp(a[i].name, b[i].name) != 0)
			abort();
	free(text);
	return 0;
}
