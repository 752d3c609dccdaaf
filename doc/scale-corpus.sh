#!/bin/sh
# Builds a corpus of N runs for the scale figures in BENCHMARKS.md (issue 27):
# a third synthetic capture run folders (wxaudit synth, the scenarios in turn),
# a third the 12 shared Citizen Lab request logs copied under new names,
# a third cumulative logs: chains of 10 logs, each the previous one plus the
# next shared log.
# The shared logs extend one another (one session), and identical copies
# would all join one chain: each copy, and each chain, is made a session of
# its own by spaces after its first line (JSON ignores them; the line
# hashes differ), so the corpus has N/3 + N/30 chains.
# Usage: doc/scale-corpus.sh WXAUDIT SHARED_LOGS_DIR OUT_DIR N
set -eu
wx=$1 logs=$2 out=$3 n=$4
mkdir -p "$out/runs" "$out/logs"
set -- "$logs"/*.log.jsonl
nlogs=$#
scenarios=$("$wx" synth --list | awk '{print $1}')
nsc=$(echo "$scenarios" | wc -l)
# session FILE V: FILE with V spaces after its first line.
session() { sed "1s/\$/$(printf '%*s' "$2" '')/" "$1"; }
i=0
while [ "$i" -lt "$n" ]; do
  case $((i % 3)) in
  0) # a capture run folder
    sc=$(echo "$scenarios" | sed -n "$(( (i / 3) % nsc + 1 ))p")
    "$wx" synth --scenario "$sc" --seed "$i" --out "$out/runs/run-$i" >/dev/null ;;
  1) # a copy of a shared log
    k=$(( (i / 3) % nlogs + 1 ))
    eval "src=\${$k}"
    session "$src" "$i" > "$out/logs/copy-$i.log.jsonl" ;;
  2) # the next step of a cumulative chain (10 steps a chain)
    c=$(( i / 30 )) s=$(( (i / 3) % 10 ))
    k=$(( (c + s) % nlogs + 1 ))
    eval "src=\${$k}"
    prev=$out/logs/chain-$c-step-$((s - 1)).log.jsonl
    if [ "$s" -gt 0 ] && [ -f "$prev" ]; then
      { cat "$prev"; session "$src" $((1000 + c)); } > "$out/logs/chain-$c-step-$s.log.jsonl"
    else
      session "$src" $((1000 + c)) > "$out/logs/chain-$c-step-$s.log.jsonl"
    fi ;;
  esac
  i=$((i + 1))
done
