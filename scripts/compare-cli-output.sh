#!/usr/bin/env bash
# Renders every fixture record and sample event in every format, replays the corpus, and prints the patterns, on two
# commits, then diffs the outputs. A refactoring must leave them byte-for-byte the same.
#   scripts/compare-cli-output.sh BASE [HEAD]     (HEAD defaults to the working tree)
# Exit 0 when the outputs are identical, 1 when they differ (the diff is printed), 2 for usage errors.
set -euo pipefail
base=${1:?usage: scripts/compare-cli-output.sh BASE [HEAD]}
head=${2:-}
top=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$work/base" >/dev/null 2>&1 || true;
      [ -z "$head" ] || git -C "$top" worktree remove --force "$work/head" >/dev/null 2>&1 || true;
      rm -rf "$work"' EXIT

checkout() { # REV DIR: a detached work tree that shares this clone's node_modules
  git -C "$top" worktree add --detach "$2" "$1" >/dev/null 2>&1
  ln -s "$top/node_modules" "$2/node_modules"
}

outputs() { # DIR OUT: every CLI output the corpus gives, one file per command
  local dir=$1 out=$2 inputs=() format
  mkdir -p "$out"
  mapfile -t inputs < <(cd "$dir" && ls tests/fixtures/cloudtrail/*.jsonl events/*.json | grep -v provenance)
  for format in text json sns slack jira; do
    (cd "$dir" && node bin/iam-alerts.js render --format "$format" "${inputs[@]}" >"$out/render-$format.out" 2>&1; echo "exit $?" >>"$out/render-$format.out")
  done
  (cd "$dir" && node bin/iam-alerts.js replay --jsonl tests/fixtures/cloudtrail >"$out/replay-jsonl.out" 2>&1; echo "exit $?" >>"$out/replay-jsonl.out")
  (cd "$dir" && node bin/iam-alerts.js replay tests/fixtures/cloudtrail >"$out/replay.out" 2>&1; echo "exit $?" >>"$out/replay.out")
  for preset in all writes changes auth; do
    (cd "$dir" && node bin/iam-alerts.js patterns --preset "$preset" >"$out/patterns-$preset.out" 2>&1; echo "exit $?" >>"$out/patterns-$preset.out")
  done
}

checkout "$base" "$work/base"
outputs "$work/base" "$work/out-base"
if [ -n "$head" ]; then
  checkout "$head" "$work/head"
  outputs "$work/head" "$work/out-head"
else
  outputs "$top" "$work/out-head"
fi
if diff -ru "$work/out-base" "$work/out-head"; then
  echo "identical: $(ls "$work/out-base" | wc -l) outputs of $base and ${head:-the working tree}"
else
  exit 1
fi
