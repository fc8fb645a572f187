/* Text from the network (DNS answers, API messages) is untrusted: it passes
 * through here before it reaches the terminal, a state file or an export. */
#ifndef BEHALF_CORE_SANITIZE_H
#define BEHALF_CORE_SANITIZE_H

#include <stddef.h>

/* Copies in to out (cap bytes, always NUL-terminated, never cutting a
 * character in half) keeping printable UTF-8 only: C0 and C1 controls, DEL,
 * invalid UTF-8 and bidirectional overrides become '?' (so no escape
 * sequence survives).  Returns the bytes written. */
size_t sanitize_text(const char *in, char *out, size_t cap);

/* Decodes one UTF-8 character at s (at most n bytes): returns its length
 * (1..4) and stores the code point, or 0 for an invalid or overlong
 * sequence. */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

#endif
