/* The state file described once: the table of every saved field of struct
 * wizard, which saving, loading and the checks of a loaded file all walk
 * (state.c).  For state.c and its tests; the rest of behalf uses state.h.
 *
 * A table describes one C struct (ctype) as one JSON object: each entry is a
 * JSON key and the member it holds (offsetof, sizeof), with its kind, range
 * or words.  An object in the file that groups members of the same struct
 * ("choose": {"cursor"}) is an OBJECT entry at offset 0 whose table describes
 * that struct too.  An array of structs (records, resources, servers,
 * diagnoses) or of scalars (history, advisor answers, sends_ms) has a table
 * of its own for one element.  What is deliberately not saved is listed in
 * the table's "unsaved" members, so that every member of struct wizard is
 * either saved or said not to be (test_state checks it byte by byte).
 *
 * Defaults are not in the table: a key missing from a file keeps the value
 * wizard_init gave (the one place defaults live); the elements of an array
 * read from a file start zeroed. */
#ifndef BEHALF_CORE_STATE_TABLE_H
#define BEHALF_CORE_STATE_TABLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct writer; /* state.c: collects the first failure while a file is built */
struct reader; /* state.c: where a read is and its first problem */

enum state_kind {
	STATE_STR,    /* a char array of size bytes: a longer string is corrupt */
	STATE_BOOL,   /* a bool: true or false */
	STATE_INT,    /* an int, an enum or an int64_t (size 4 or 8) in min..max */
	STATE_WORD,   /* an enum (size 4) saved as its word of words */
	STATE_FIELD,  /* a struct field: {"text", "cursor"}; len follows the text,
			 the error is not saved and is cleared */
	STATE_OBJECT, /* an object: the entries of sub, for the struct at offset */
	STATE_ARRAY,  /* an array of at most max elements of the C array at offset
			 (elements of size bytes, described by sub) */
};

/* Flags of an entry. */
#define STATE_REQUIRED	0x1u /* a file (an element) without the key is corrupt */
#define STATE_NONZERO	0x2u /* ARRAY of scalars: only elements other than 0 are saved */
#define STATE_MAX_COUNT 0x4u /* INT: max is the size_t at count less one (0 when none) */

#define STATE_NO_COUNT ((size_t)-1) /* ARRAY: no count member, all max elements are saved */

/* The words of an enum, in the order of its values. */
struct state_words {
	int n;				/* values */
	const char *(*word)(int value); /* the word of a value */
	const int *values;		/* the values (NULL: 0 to n-1) */
};

struct state_field {
	const char *key; /* the JSON key; NULL: the element of an array of scalars */
	enum state_kind kind;
	const char *member; /* the member, as written in C (for people and test messages) */
	size_t offset;	    /* offsetof the member in the struct the table describes */
	size_t size;	    /* sizeof the member; ARRAY: of one element */
	unsigned flags;	    /* STATE_REQUIRED, STATE_NONZERO, STATE_MAX_COUNT */
	int64_t min, max;   /* INT: the range; ARRAY: max is the elements of the C array */
	const struct state_words *words; /* WORD */
	const struct state_table *sub;	 /* OBJECT: the object; ARRAY: one element */
	/* ARRAY: offsetof the size_t counting the elements used, or STATE_NO_COUNT;
	 * INT with STATE_MAX_COUNT: the size_t bounding it */
	size_t count;
	/* ARRAY: a parallel C array (element i of the file's array holds the keys
	 * of sub for element i at offset and those of sub2 for element i at
	 * offset2), or sub2 NULL */
	size_t offset2, size2;
	const struct state_table *sub2;
	const char *bad; /* INT: the problem to name for a bad value, or NULL */
};

/* A member that is deliberately not saved (state.c says why). */
struct state_unsaved {
	const char *member;
	size_t offset, size;
};

struct state_table {
	const char *ctype; /* the struct described: "wizard", "wizard_resource", ... */
	const struct state_field *fields;
	size_t nfields;
	const struct state_unsaved *unsaved;
	size_t nunsaved;
};

/* The table of the whole file (ctype "wizard"), after its header (schema,
 * customer, saved_at). */
const struct state_table *state_table(void);

/* What the table says of each byte of struct wizard: map (sizeof(struct
 * wizard) bytes) is zeroed, then each byte of a saved member gets 1 added
 * and each byte of an unsaved one 16 (so 0: not described, 1: saved, 16:
 * not saved, anything else: described twice). */
void state_table_map(unsigned char *map);

#endif
