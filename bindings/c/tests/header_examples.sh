#!/usr/bin/env bash
# Compiles every ```c example in the doc comments of a generated wsframe.h,
# so that the header's examples cannot drift from the API it declares:
#
#   bindings/c/tests/header_examples.sh HEADER
#
# cbindgen writes each `///` line of bindings/c/src as a " * " line inside a
# /** */ comment; a block runs from a "```c" line to the next "```" line.
# Each block becomes the body of a function of its own, after
# header_examples_prelude.h (the helpers and locals an example may assume),
# and is compiled as C99 with -Wall -Wextra -Werror, syntax only, against
# HEADER itself (its directory on the include path). CC picks the compiler.
# Run by `make c-test` (bindings/c/tests/run.sh).
# Fails, naming each example that does not compile and the compiler's
# error, or when the header has no example at all; on success prints
# "header examples: N compiled".
set -euo pipefail

header=${1:?usage: header_examples.sh HEADER}
[[ -f $header ]] || { echo "header_examples.sh: no such file: $header" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
include_dir=$(cd "$(dirname "$header")" && pwd)
cc=${CC:-cc}
# -include: HEADER itself, whatever its name, before the prelude's
# #include <wsframe.h> (which its include guard then skips).
cflags=(-std=c99 -Wall -Wextra -Werror -Wno-unused-variable -Wno-unused-but-set-variable
    -Wno-unused-parameter -fsyntax-only -I"$include_dir" -include "$include_dir/$(basename "$header")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Split the examples out: $work/N.c holds block N as a wrapped function,
# $work/N.txt the example as written, $work/N.name "header line L, NAME" (the
# item the comment documents: the function or struct declared after it).
awk -v dir="$work" -v prelude="$here/header_examples_prelude.h" '
    function strip(line) { sub(/^[ \t]*\*( |$)/, "", line); return line }
    in_block && /^[ \t]*\*[ \t]*```[ \t]*$/ {
        print "    }\n}" > file
        close(file)
        close(dir "/" count ".txt")
        in_block = 0
        pending = pending " " count
        next
    }
    in_block { print strip($0) > file; print strip($0) > (dir "/" count ".txt"); next }
    /^[ \t]*\*[ \t]*```c[ \t]*$/ {
        count++
        file = dir "/" count ".c"
        start[count] = NR
        print "#include \"" prelude "\"" > file
        print "void header_example_" count "(void);" > file
        print "void header_example_" count "(void) {" > file
        print "    HEADER_EXAMPLE_LOCALS;" > file
        print "    {" > file
        printf "#line %d \"example %d\"\n", 1, count > file
        in_block = 1
        next
    }
    # The first declared name after the comment that held the blocks.
    pending != "" && /\*\// { closed = 1; next }
    pending != "" && closed && match($0, /wsframe_[a-z_0-9]+/) {
        # A function by the name before its "(", a struct by its tag.
        if (!match($0, /wsframe_[a-z_0-9]+\(/)) match($0, /wsframe_[a-z_0-9]+/)
        name = substr($0, RSTART, RLENGTH)
        sub(/\($/, "", name)
        split(substr(pending, 2), ids, " ")
        for (i in ids) print "header line " start[ids[i]] ", " name > (dir "/" ids[i] ".name")
        pending = ""
        closed = 0
    }
    END {
        if (in_block) { print "unterminated ```c block at header line " start[count] > "/dev/stderr"; exit 1 }
        print count + 0 > (dir "/count")
    }
' "$header"

count=$(cat "$work/count")
if ((count == 0)); then
    echo "header examples: no \`\`\`c block found in $header"
    exit 1
fi

# The prelude and its locals alone first: a compiler or prelude problem is
# reported once, not as every example failing.
printf '#include "%s"\nvoid header_example_0(void);\nvoid header_example_0(void) { HEADER_EXAMPLE_LOCALS; }\n' \
    "$here/header_examples_prelude.h" >"$work/0.c"
if ! "$cc" "${cflags[@]}" "$work/0.c" >"$work/0.log" 2>&1; then
    echo "header examples: the prelude alone does not compile ($cc):"
    sed 's/^/    /' "$work/0.log"
    exit 1
fi

failed=0
for ((i = 1; i <= count; i++)); do
    where=$(cat "$work/$i.name" 2>/dev/null || echo "unknown item")
    if ! "$cc" "${cflags[@]}" "$work/$i.c" >"$work/$i.log" 2>&1; then
        failed=$((failed + 1))
        echo "FAIL example $i ($where) does not compile:"
        sed 's/^/    /' "$work/$i.log"
        echo "    --- the example:"
        cat -n "$work/$i.txt" | sed 's/^/    /'
    fi
done
if ((failed > 0)); then
    echo "header examples: $failed of $count failed to compile"
    exit 1
fi
echo "header examples: $count compiled"
