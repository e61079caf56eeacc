#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, two at a time and at the lowest priority
# (the machine is shared), each from its corpus under fuzz/corpus/ (seeded from the hostile
# table: HOSTILE_SEED_DIR, see README), then minimises each corpus with `cargo fuzz cmin`.
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`). Logs go to fuzz/logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
# target:max_len (bytes): a reply datagram, a DNS message, a PAC result, a profile, a journal.
targets=(ntp_reply:1100 dns_reply:4096 pac_result:4096 profile:8192 journal:16384)
mkdir -p logs
run() {
    local t=${1%%:*} len=${1##*:}
    nice -n 19 cargo +nightly fuzz run --sanitizer none "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len="$len" -timeout=10 -rss_limit_mb=1024 \
        -print_final_stats=1 >"logs/$t.log" 2>&1
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    pids=()
    for t in "${targets[@]:i:2}"; do
        run "$t" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
done
for t in "${targets[@]}"; do
    t=${t%%:*}
    nice -n 19 cargo +nightly fuzz cmin --sanitizer none "$t" "corpus/$t" >>"logs/$t.log" 2>&1
    echo "$t: $(ls "corpus/$t" | wc -l) inputs, $(du -sk "corpus/$t" | cut -f1) KB"
done
