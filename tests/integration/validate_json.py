#!/usr/bin/env python3
"""validate_json.py SCHEMA FILE: validates the JSON in FILE ("-": stdin)
against the JSON Schema SCHEMA with the jsonschema package (Debian's
python3-jsonschema), checking the schema itself first.  Exit 0 valid, 1
invalid (every error printed with its path), 2 usage."""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    if sys.argv[2] == "-":
        doc = json.load(sys.stdin)
    else:
        with open(sys.argv[2], encoding="utf-8") as f:
            doc = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        path = "/".join(str(p) for p in e.path) or "(root)"
        print(f"{sys.argv[2]}: {path}: {e.message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
