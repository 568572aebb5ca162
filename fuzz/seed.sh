#!/usr/bin/env bash
# Seeds the fuzz corpora with every bundled and test policy file.
# Usage: fuzz/seed.sh   (from anywhere; corpus dirs are gitignored)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
for target in load decide fmt_roundtrip; do
    mkdir -p "$here/corpus/$target"
done
n=0
while IFS= read -r -d '' f; do
    # A flat, unique name: the path with `/` replaced.
    rel="${f#"$root"/}"
    name="${rel//\//__}"
    for target in load decide fmt_roundtrip; do
        cp "$f" "$here/corpus/$target/$name"
    done
    n=$((n + 1))
done < <(find "$root/policies" "$root/tests/fixtures" "$root/tests/cases" -name '*.policy' -type f -print0 2>/dev/null | sort -z)
# `decide` reads structured bytes (see fuzz_targets/decide.rs), not policy
# text: the files above are just bytes to it, so it also gets two byte
# strings that build a few statements and requests.
printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f' > "$here/corpus/decide/seed-ascending"
head -c 512 /dev/zero | tr '\0' '\007' > "$here/corpus/decide/seed-sevens"
# `request` reads request text: the example and test requests.
mkdir -p "$here/corpus/request"
r=0
while IFS= read -r -d '' f; do
    rel="${f#"$root"/}"
    cp "$f" "$here/corpus/request/${rel//\//__}"
    r=$((r + 1))
done < <(find "$root/examples" "$root/tests/cli_fixtures/requests" \( -name '*.yaml' -o -name '*.json' -o -name '*.jsonl' \) -type f -print0 2>/dev/null | sort -z)
echo "seeded $n policy files into fuzz/corpus/{load,decide,fmt_roundtrip} and $r requests into fuzz/corpus/request"
