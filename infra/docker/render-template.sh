#!/bin/sh
# render-template.sh TEMPLATE OUTPUT
# envsubst for the lab's `*.template` files inside containers, but strict like the TS
# renderer: every ${NAME} must be set in the environment (empty is fine) or nothing is
# written and the container exits naming the missing variables. nginx's own `$variables`
# (no braces) pass through. POSIX sh + awk, so it runs on Debian and busybox images alike.
set -eu
[ "$#" -eq 2 ] || { echo "usage: render-template.sh TEMPLATE OUTPUT" >&2; exit 2; }
template="$1" output="$2"
[ -r "$template" ] || { echo "render-template: cannot read template $template" >&2; exit 1; }
mkdir -p "$(dirname "$output")"
awk -v template="$template" '
  {
    rest = $0; line = ""
    while (match(rest, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
      name = substr(rest, RSTART + 2, RLENGTH - 3)
      if (!(name in ENVIRON)) { missing[name] = 1; value = "" } else value = ENVIRON[name]
      line = line substr(rest, 1, RSTART - 1) value
      rest = substr(rest, RSTART + RLENGTH)
    }
    print line rest
  }
  END {
    for (name in missing) { printf "render-template: %s needs %s, which is not set\n", template, name > "/dev/stderr"; failed = 1 }
    exit failed
  }
' "$template" >"$output.tmp" || { rm -f "$output.tmp"; exit 1; }
mv "$output.tmp" "$output"
