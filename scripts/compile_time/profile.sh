#!/usr/bin/env bash
# Where the build time of `#[differentiate]` goes, pass by pass.
#
#   scripts/compile_time/profile.sh          # after measure.sh, on its crates
#
# Needs the nightly toolchain (`cargo +nightly`). For the plain and diff
# crates that measure.sh wrote under $OUT (default /tmp/ct), rebuilds the
# crate alone with
#   cargo +nightly rustc --lib --profile check -- -Z self-profile   (and -Z time-passes)
#   cargo +nightly rustc --lib -- -Z time-passes                    (debug build)
#   cargo +nightly rustc --lib --release -- -Z time-passes          (release build)
# and prints the rustc passes (time-passes, wall seconds, nested passes
# included in their parents) and the rustc queries by self time (from the
# self-profile, via mm_summary/, a small analyzeme program built once into
# $OUT/tools-target), diff against plain. Dependencies are built once with
# nightly in $OUT/deps/target-nightly (untimed) and copied. A couple of
# minutes after measure.sh; the first time also builds the dependencies with
# nightly (about a minute on 2 cores). Outputs stay in $OUT/profile/.
#
# Environment: OUT=/tmp/ct, MODES="check debug release", TOP=25.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-/tmp/ct}
MODES=${MODES:-"check debug release"}
TOP=${TOP:-25}
P="$OUT/profile"
export CARGO_INCREMENTAL=0
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
mkdir -p "$P"

[[ -f "$OUT/diff/Cargo.toml" && -f "$OUT/plain/Cargo.toml" ]] || {
    echo "no crates in $OUT: run measure.sh first" >&2; exit 1; }
cargo +nightly --version >/dev/null

nightly() { # DIR ARGS...: cargo +nightly ARGS in DIR, its own nightly target dir
    local dir=$1
    shift
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target-nightly" cargo +nightly "$@")
}

mode_args() {
    case $1 in
        check) echo --profile check ;;
        debug) echo ;;
        release) echo --release ;;
    esac
}

echo "building the dependencies with nightly (untimed) ..."
for mode in $MODES; do
    # shellcheck disable=SC2046
    nightly "$OUT/deps" rustc --lib -q $(mode_args "$mode") >/dev/null
done
for crate in plain diff; do
    mkdir -p "$OUT/$crate/target-nightly"
    cp -a -u "$OUT/deps/target-nightly/." "$OUT/$crate/target-nightly/"
done

(cd "$HERE/mm_summary" && CARGO_TARGET_DIR="$OUT/tools-target" cargo build --release -q)
SUMMARY="$OUT/tools-target/release/mm_summary"

for mode in $MODES; do
    for crate in plain diff; do
        dir="$OUT/$crate"
        # shellcheck disable=SC2046
        nightly "$dir" rustc --lib -q $(mode_args "$mode") >/dev/null 2>&1  # deps fresh
        touch "$dir/src/lib.rs"
        # shellcheck disable=SC2046
        nightly "$dir" rustc --lib $(mode_args "$mode") -- -Z time-passes \
            >/dev/null 2>"$P/$mode-$crate.time-passes"
        if [[ $mode == check ]]; then
            rm -rf "$P/$mode-$crate.d"
            mkdir -p "$P/$mode-$crate.d"
            touch "$dir/src/lib.rs"
            # shellcheck disable=SC2046
            nightly "$dir" rustc --lib $(mode_args "$mode") -- -Z self-profile="$P/$mode-$crate.d" \
                >/dev/null 2>&1
        fi
    done
    echo
    echo "== $mode: rustc -Z time-passes, passes of >= 0.05 s (diff crate | plain crate), seconds"
    # time-passes prints each pass when it ends, nested passes before their parents.
    awk -F'\t' '
        FNR == 1 { f++ }
        /^time:/ { split($1, a, /[ ;]+/); t = a[2]; name = $2
                   if (f == 1) { d[name] = t; order[++n] = name } else { p[name] = t } }
        END { for (i = 1; i <= n; i++) { k = order[i]
                  if (d[k] >= 0.05) printf "%-40s %8.3f | %8.3f\n", k, d[k], p[k] } }' \
        "$P/$mode-diff.time-passes" "$P/$mode-plain.time-passes"
    if [[ $mode == check ]]; then
        echo
        echo "== check: rustc queries by self time, diff crate vs plain (-Z self-profile)"
        "$SUMMARY" --top "$TOP" "$P"/check-diff.d/*.mm_profdata "$P"/check-plain.d/*.mm_profdata
    fi
done 2>&1 | tee "$P/summary.txt"
echo
echo "full outputs in $P (summary.txt, *.time-passes, check-*.d/*.mm_profdata)"
