#!/usr/bin/env bash
# What `#[differentiate]` costs at build time.
#
#   scripts/compile_time/measure.sh [N] [SEED]        # defaults: 100 functions, seed 1
#
# 1. Writes, with gen.py, two lib crates of the same N random numeric
#    functions (10-20 lines each: f64 scalars, [f64; 3] arrays, loops with
#    constant and runtime bounds and over `a.iter()`, value branches, `let mut`
#    accumulators, float methods, ~10% nalgebra Vector3/Matrix3), under
#    $OUT/plain (no attribute) and $OUT/diff (`#[differentiate]` on each),
#    each with its own target dir, plus $OUT/fifty (one 50-line function) and
#    $OUT/deps (an empty lib with the same dependencies).
# 2. Builds the dependencies once (untimed) in $OUT/deps and copies its
#    target/ into the other crates, so that each timed build compiles only the
#    generated crate.
# 3. For `cargo check`, `cargo build` and `cargo build --release`: touches
#    src/lib.rs and times the wall clock of rebuilding the crate alone, plain
#    and diff alternately, best of $RUNS; prints mode, plain s, diff s, extra s
#    and extra ms per function. CARGO_INCREMENTAL=0 (otherwise a touch would
#    reuse the previous session's results), CARGO_BUILD_JOBS=2. A run in
#    which anything besides the generated crate was recompiled (the macro
#    changed under it) is thrown away and repeated.
# 4. The expansion of one 50-line function: rustc's `expand_crate` (the pass
#    that runs the proc macro and parses what it returns) from
#    `cargo +nightly rustc --profile check -- -Z time-passes`, best of
#    $RUNS_FIFTY, with and without the attribute; and, on stable, `cargo check`
#    of that crate with and without the attribute (what expansion and
#    type-checking the generated code cost together).
#
# Takes a few minutes (N=100 on 2 cores: about 5 minutes the first time, when
# the dependencies are built in 3 profiles and with nightly, about 2-3 after).
# Leaves everything under $OUT for reuse: profile.sh (nightly) then shows
# which rustc passes and queries the extra time goes to, on the same crates.
#
# Environment:
#   OUT=/tmp/ct          where the crates go (outside the repository)
#   REPO=<this repo>     the autodiff checkout the crates depend on
#   REV=                 e.g. REV=HEAD: measure that commit, exported with
#                        `git archive` to $OUT/src-<hash>, instead of the work
#                        tree (use it while someone is editing the macro)
#   RUNS=2               timed builds per crate and mode (the best is kept)
#   RUNS_FIFTY=5         runs for the 50-line function
#   MODES="check debug release"
#   NIGHTLY=1            0 skips the `-Z time-passes` expansion figure
#   FEATURES=            autodiff's features instead of its defaults, e.g.
#                        FEATURES=std to leave out `hessian`
set -euo pipefail

N=${1:-100}
SEED=${2:-1}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(cd "$HERE/../.." && pwd)}
OUT=${OUT:-/tmp/ct}
RUNS=${RUNS:-2}
RUNS_FIFTY=${RUNS_FIFTY:-5}
MODES=${MODES:-"check debug release"}
NIGHTLY=${NIGHTLY:-1}
REV=${REV:-}
FEATURES=${FEATURES:-}

export CARGO_INCREMENTAL=0
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
mkdir -p "$OUT"
LOG="$OUT/log"
mkdir -p "$LOG"

DEP="$REPO"
if [[ -n "$REV" ]]; then
    HASH=$(git -C "$REPO" rev-parse --short=12 "$REV")
    DEP="$OUT/src-$HASH"
    if [[ ! -f "$DEP/Cargo.toml" ]]; then
        mkdir -p "$DEP"
        git -C "$REPO" archive "$HASH" | tar -x -C "$DEP"
    fi
    DESC="commit $HASH (exported to $DEP)"
else
    DESC="work tree $REPO ($(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet -- autodiff-macros autodiff-runtime src 2>/dev/null || echo ', with uncommitted changes'))"
fi

python3 "$HERE/gen.py" --n "$N" --seed "$SEED" --repo "$DEP" --out "$OUT" ${FEATURES:+--features "$FEATURES"}

now() { date +%s.%N; }

# cargo ARGS... in crate directory $1, failing loudly with the log.
cargo_in() {
    local dir=$1
    shift
    if ! (cd "$dir" && cargo "$@") >"$LOG/last.out" 2>"$LOG/last.err"; then
        echo "cargo $* failed in $dir:" >&2
        tail -40 "$LOG/last.err" >&2
        exit 1
    fi
}

mode_args() {
    case $1 in
        check) echo check ;;
        debug) echo build ;;
        release) echo build --release ;;
        *) echo "unknown mode $1" >&2; exit 1 ;;
    esac
}

# Dependencies, untimed: build them in deps/ and copy its target/ (same
# relative path to autodiff from every crate, so the same metadata hashes).
echo "building dependencies (untimed) against $DESC ..."
for mode in $MODES; do
    # shellcheck disable=SC2046
    cargo_in "$OUT/deps" $(mode_args "$mode")
done
for crate in plain diff fifty; do
    mkdir -p "$OUT/$crate/target"
    cp -a -u "$OUT/deps/target/." "$OUT/$crate/target/"
    cp "$OUT/deps/Cargo.lock" "$OUT/$crate/Cargo.lock"
done

# Seconds to rebuild crate $1 alone with cargo ARGS...: a warm-up build
# first (deps fresh), then touch and time. Repeats a run that recompiled
# anything else.
time_crate() {
    local crate=$1
    shift
    local dir="$OUT/$crate" t0 t1 try
    for try in 1 2 3; do
        cargo_in "$dir" "$@"
        touch "$dir/src/lib.rs"
        t0=$(now)
        cargo_in "$dir" "$@"
        t1=$(now)
        if ! grep -E '^ *(Compiling|Checking) ' "$LOG/last.err" | grep -vq " ct_$crate "; then
            echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }'
            return
        fi
        echo "  (a dependency was rebuilt during the timed run of $crate; again)" >&2
    done
    echo "dependencies keep changing under $dir; use REV=HEAD" >&2
    exit 1
}

min() { printf '%s\n' "$@" | sort -g | head -1; }

RESULT="$OUT/results-n$N-seed$SEED.txt"
{
    echo "# $N functions, seed $SEED, best of $RUNS; autodiff: $DESC"
    echo "# $(rustc --version); CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS, CARGO_INCREMENTAL=0; $(date -u +%FT%TZ)"
    printf '%-8s %9s %9s %9s %12s\n' mode "plain s" "diff s" "extra s" "extra ms/fn"
} | tee "$RESULT"
for mode in $MODES; do
    plain=() diff=()
    for _ in $(seq "$RUNS"); do
        # shellcheck disable=SC2046
        plain+=("$(time_crate plain $(mode_args "$mode"))")
        # shellcheck disable=SC2046
        diff+=("$(time_crate diff $(mode_args "$mode"))")
    done
    p=$(min "${plain[@]}")
    d=$(min "${diff[@]}")
    echo "$mode $p $d $N" | awk '{
        printf "%-8s %9.2f %9.2f %9.2f %12.1f", $1, $2, $3, $3 - $2, 1000 * ($3 - $2) / $4 }' | tee -a "$RESULT"
    echo "   (runs: plain ${plain[*]}; diff ${diff[*]})" | tee -a "$RESULT"
done

# ---------------------------------------------------------------------------
# One 50-line function.
# ---------------------------------------------------------------------------
FIFTY="$OUT/fifty"
LINES=$(grep -c '' "$FIFTY/src/plain.rs.txt")
FNLINES=$(sed -n '/^pub fn long/,/^}/p' "$FIFTY/src/plain.rs.txt" | grep -c '')
echo | tee -a "$RESULT"
echo "# one $FNLINES-line function (crate $FIFTY), best of $RUNS_FIFTY" | tee -a "$RESULT"

fifty_variant() { cp "$FIFTY/src/$1.rs.txt" "$FIFTY/src/lib.rs"; }

stable_check=()
for variant in plain diff; do
    fifty_variant "$variant"
    ts=()
    for _ in $(seq "$RUNS_FIFTY"); do ts+=("$(time_crate fifty check)"); done
    stable_check+=("$(min "${ts[@]}")")
done
echo "${stable_check[*]}" | awk '{
    printf "cargo check (stable): plain %.3f s, diff %.3f s, extra %.0f ms\n", $1, $2, 1000 * ($2 - $1) }' | tee -a "$RESULT"

if [[ "$NIGHTLY" == 1 ]] && cargo +nightly --version >/dev/null 2>&1; then
    NT="$FIFTY/target-nightly"
    fifty_variant diff
    (cd "$FIFTY" && CARGO_TARGET_DIR="$NT" cargo +nightly check -q) >/dev/null 2>&1 || {
        echo "cargo +nightly check failed in $FIFTY" >&2; exit 1; }
    for variant in plain diff; do
        fifty_variant "$variant"
        best_exp=999 best_total=999
        for _ in $(seq "$RUNS_FIFTY"); do
            touch "$FIFTY/src/lib.rs"
            (cd "$FIFTY" && CARGO_TARGET_DIR="$NT" cargo +nightly rustc --lib --profile check -- -Z time-passes) \
                >/dev/null 2>"$LOG/fifty-$variant.time-passes"
            read -r exp total < <(awk '
                /[ \t]expand_crate$/ { e = substr($2, 1, length($2) - 1) }
                /[ \t]total$/ { t = substr($2, 1, length($2) - 1) }
                END { print e, t }' "$LOG/fifty-$variant.time-passes")
            best_exp=$(min "$best_exp" "$exp")
            best_total=$(min "$best_total" "$total")
        done
        echo "$variant $best_exp $best_total"
    done >"$LOG/fifty-nightly.txt"
    awk '{ e[$1] = $2; t[$1] = $3 } END {
        printf "rustc -Z time-passes (nightly), expand_crate: plain %.1f ms, diff %.1f ms, extra %.1f ms\n", 1000 * e["plain"], 1000 * e["diff"], 1000 * (e["diff"] - e["plain"])
        printf "rustc -Z time-passes (nightly), total:        plain %.1f ms, diff %.1f ms, extra %.1f ms\n", 1000 * t["plain"], 1000 * t["diff"], 1000 * (t["diff"] - t["plain"])
    }' "$LOG/fifty-nightly.txt" | tee -a "$RESULT"
    echo "(full -Z time-passes output: $LOG/fifty-diff.time-passes)" | tee -a "$RESULT"
else
    echo "(no nightly toolchain, or NIGHTLY=0: no expand_crate figure)" | tee -a "$RESULT"
fi
fifty_variant diff
echo
echo "results: $RESULT; crates: $OUT/{plain,diff,fifty}"
