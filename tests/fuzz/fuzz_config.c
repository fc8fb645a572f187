/* libFuzzer target: arbitrary bytes as the vendor's configuration file.
 * Loading either accepts it or refuses it naming where (a message that is
 * never empty); an accepted configuration holds only valid UTF-8 without
 * control characters in what behalf shows the customer. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/config.h"
#include "core/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when s is NUL-terminated in cap bytes and free of C0 controls. */
static bool clean(const char *s, size_t cap)
{
	size_t i;
	for (i = 0; i < cap && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return i < cap;
}

static char path[64];

static void fuzz_config_remove(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char msg[1024];
	FILE *f;

	if (!path[0]) {
		int fd;
		snprintf(path, sizeof path, "/tmp/behalf-fuzz-config-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(fuzz_config_remove);
		/* the file is the only source: no tokens or URL from the environment */
		unsetenv("POSTMARK_API_URL");
		unsetenv("POSTMARK_ACCOUNT_TOKEN");
		unsetenv("POSTMARK_SERVER_TOKEN");
	}
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	memset(&cfg, 0, sizeof cfg);
	msg[0] = '\0';
	if (!config_load(&cfg, path, msg, sizeof msg)) {
		if (!memchr(msg, '\0', sizeof msg) || !msg[0])
			abort();
		return 0;
	}
	if (!clean(cfg.wizard.vendor_name, sizeof cfg.wizard.vendor_name) ||
	    !clean(cfg.wizard.vendor_domain, sizeof cfg.wizard.vendor_domain))
		abort();
	return 0;
}
