#!/usr/bin/env python3
"""Turns a QR code drawn as terminal text (src/export/qr.h) into a PGM image
that zbarimg can read: the text is parsed back into modules, dark modules
drawn black, light ones white, each module scale x scale pixels.

usage: qr_to_pgm.py [--ascii] [--scale N] IN.txt OUT.pgm

IN may be a whole captured screen (tmux capture-pane -p): the code is the
longest run of lines that hold a run of block characters at the same
column.  In the half-block text ink marks LIGHT modules: "█" both halves,
"▀" the upper, "▄" the lower, " " none.  With --ascii a module is two
columns, "##" light and "  " dark."""
import sys

HALF = {"\u2588": (1, 1), "\u2580": (1, 0), "\u2584": (0, 1), " ": (0, 0)}


def find_block(lines, ascii_mode):
    """The (start, width, rows) of the code: consecutive lines whose
    characters at [start, start+width) are all code characters."""
    ink = set("#") if ascii_mode else set("\u2588\u2580\u2584")
    best = None
    i = 0
    while i < len(lines):
        line = lines[i]
        cols = [c for c, ch in enumerate(line) if ch in ink]
        if not cols:
            i += 1
            continue
        start, end = cols[0], cols[-1] + 1
        j = i
        while j < len(lines) and len(lines[j]) >= end and \
                all(ch in ink or ch == " " for ch in lines[j][start:end]) and \
                lines[j][start] in ink:
            j += 1
        if best is None or j - i > best[2]:
            best = (start, end - start, j - i, i)
        i = max(j, i + 1)
    if best is None:
        sys.exit("qr_to_pgm: no code found")
    start, width, rows, first = best
    return [lines[first + k][start:start + width] for k in range(rows)]


def modules(block, ascii_mode):
    """Rows of modules, 1 = light."""
    out = []
    for line in block:
        if ascii_mode:
            out.append([1 if line[c:c + 2] == "##" else 0 for c in range(0, len(line), 2)])
        else:
            top = [HALF.get(ch, (0, 0))[0] for ch in line]
            bottom = [HALF.get(ch, (0, 0))[1] for ch in line]
            out.append(top)
            out.append(bottom)
    return out


def main(argv):
    ascii_mode = "--ascii" in argv
    scale = 8
    args = [a for a in argv if a != "--ascii"]
    if "--scale" in args:
        k = args.index("--scale")
        scale = int(args[k + 1])
        del args[k:k + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    with open(args[0], encoding="utf-8") as f:
        lines = f.read().split("\n")
    rows = modules(find_block(lines, ascii_mode), ascii_mode)
    width = max(len(r) for r in rows)
    # A few more light modules around, in case the capture cut the quiet zone.
    pad = 4
    w = (width + 2 * pad) * scale
    h = (len(rows) + 2 * pad) * scale
    pixels = bytearray([255]) * (w * h)
    for y, row in enumerate(rows):
        for x, light in enumerate(row):
            if light:
                continue
            for dy in range(scale):
                base = ((y + pad) * scale + dy) * w + (x + pad) * scale
                pixels[base:base + scale] = bytes(scale)
    with open(args[1], "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (w, h))
        f.write(pixels)


if __name__ == "__main__":
    main(sys.argv[1:])
