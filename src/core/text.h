/* Words shown to people.  They live in assets/text/ (one .ini file per part) (INI files read
 * with libinih; each file owns its sections), looked up by "section.key".
 * libinih reads at most 200 characters a line: longer values continue on
 * indented lines, joined with a space; an indented line starting with "|"
 * starts a new line instead (blanks after the "|" are kept); "\n" is a
 * newline anywhere. */
#ifndef BEHALF_CORE_TEXT_H
#define BEHALF_CORE_TEXT_H

#include <stddef.h>

/* The text for "section.key"; a visible "[section.key]" placeholder when
 * missing, so a forgotten string shows up in tests instead of crashing.
 * The returned string is static: never freed. */
const char *text_get(const char *id);

/* True when the text exists. */
int text_has(const char *id);

/* Copies tmpl into out (size cap), replacing {1}..{9} by args[0..8] (NULL
 * args, or ones past nargs, become empty).  Always NUL-terminates; returns
 * the length the full result needed, like snprintf. */
size_t text_format(char *out, size_t cap, const char *tmpl, const char *const *args, size_t nargs);

/* text_get(id) then text_format with the given arguments. */
size_t text_fmt(char *out, size_t cap, const char *id, const char *a1, const char *a2,
		const char *a3);

/* Frees the parsed table (for leak checkers); text_get parses again. */
void text_free(void);

#endif
