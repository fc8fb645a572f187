/* libFuzzer target: arbitrary bytes as a customer's state file.  Loading
 * either refuses it with a message or gives a wizard that saves and loads
 * again to the same value in every saved field, as the state table lists
 * them (a state behalf accepted once must never become one it refuses, or
 * one that means something else, after a save). */
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/state.h"
#include "core/state_table.h"
#include "core/wizard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir_path[64];

/* At exit: the directory and the files the runs left in it. */
static void fuzz_dir_remove(void)
{
	char path[sizeof fuzz_dir_path + 280];
	struct dirent *e;
	DIR *d = opendir(fuzz_dir_path);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof path, "%s/%s", fuzz_dir_path, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(fuzz_dir_path);
}

/* The directory of every run, made once: the fuzzer runs one input after
 * the other in one process. */
static const char *fuzz_dir(void)
{
	if (!fuzz_dir_path[0]) {
		snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "/tmp/behalf-fuzz-state-XXXXXX");
		if (!mkdtemp(fuzz_dir_path))
			abort();
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir_path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wizard a, b;
	static unsigned char saved_map[sizeof(struct wizard)];
	static bool mapped;
	size_t i;
	struct wizard_config cfg = {0};
	struct state_handle *h = NULL;
	char path[128], msg[512];
	const char *dir = fuzz_dir();
	FILE *f;

	snprintf(path, sizeof path, "%s/fuzz.json", dir);
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	str_copy(cfg.customer_id, sizeof cfg.customer_id, "fuzz");
	str_copy(cfg.vendor_name, sizeof cfg.vendor_name, "Acme Help Desk");
	wizard_init(&a, &cfg);
	msg[0] = '\0';
	if (state_peek(dir, "fuzz", &a, msg, sizeof msg) != BH_OK) {
		if (!memchr(msg, '\0', sizeof msg) || !msg[0])
			abort(); /* a refusal says why */
		return 0;
	}
	if (state_open(dir, "fuzz", &h, msg, sizeof msg) != BH_OK)
		abort();
	if (state_save(h, &a, msg, sizeof msg) != BH_OK)
		abort();
	wizard_init(&b, &cfg);
	if (state_load(h, &b, msg, sizeof msg) != BH_OK) {
		fprintf(stderr, "saved state refused on reload: %s\n", msg);
		abort();
	}
	state_close(h);
	if (!mapped) { /* once: which bytes the table saves */
		state_table_map(saved_map);
		mapped = true;
	}
	for (i = 0; i < sizeof a; i++)
		if (saved_map[i] == 1 && ((unsigned char *)&a)[i] != ((unsigned char *)&b)[i]) {
			fprintf(stderr, "byte %zu of the wizard changed in a save and a load\n", i);
			abort();
		}
	return 0;
}
