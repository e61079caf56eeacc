#!/usr/bin/python3
"""Compares two `oqs-net probe --format json` rounds of the same lab, one from the Linux build and
one from the Windows build under Wine, section by section (check by check).

Must be equal: the round's status, summary and root causes; the set of checks; each check's status
and finding codes; and each check's data with its times taken out (and, for the sections that
differ by platform by design, only the part that must agree; see PLATFORM below).
Times (every number whose key ends in `_ms`) are compared by the kind of exchange they measure (a
DNS lookup, an NTP round trip, a TCP connect, a TLS handshake, an HTTP request or CONNECT answer;
other numbers by where they are), by their least value over a build's rounds, which must lie within
the lab's latency of the other build's: the lab adds that latency to every reply, so a larger gap
is a slower or different exchange. The least, because it is what the exchange costs without the
machine's load: two cores shared with builds make medians and the round's duration swing by
hundreds of milliseconds between two Linux rounds, and under Wine every socket wait goes through
the wineserver process, which a loaded machine starves (measured: lookups made while the TLS
handshakes ran took 100-200 ms under Wine against 55-75 ms on Linux, the round's own sequential
lookups 52-55 ms under both). Medians are printed beside, not judged. Numbers measured fewer than
MIN_SAMPLES times are not compared, for the same reason. Offsets are signed: theirs is the least size.

Every difference is printed by name (check id, then the path inside its data, then which rounds);
exit 1 if any. Given two Linux rounds, the second is the control: nothing may differ between them.

usage: compare-rounds.py --latency-ms MS --linux L1.json [L2.json] --windows W1.json [W2.json]
       compare-rounds.py --latency-ms MS --linux L1.json --self-test
"""

import argparse
import json
import re
import statistics
import sys

MIN_SAMPLES = 2

# Where each exchange's time is, by section and path (list indices dropped). None: not an
# exchange's time. The TLS and TCP checks' lookups of a name another check is asking at that moment
# join that query (the resolver shares identical questions in flight), so they take anything from
# 0 to the exchange's time: 0.7 ms under Wine against 51 ms on Linux in one run. Not compared.
EXCHANGES = {
    ("dns", "result.lookups.queries.elapsed_ms"): "DNS lookup",
    ("tcp", "a.elapsed_ms"): None,
    ("tcp", "aaaa.elapsed_ms"): None,
    ("nat64", "query.elapsed_ms"): "DNS lookup",
    ("tls", "resolve_ms"): None,
    ("ntp", "samples.reading.delay_ms"): "NTP round trip",
    ("tcp", "attempts.elapsed_ms"): "TCP connect",
    ("tls", "connect_ms"): "TCP connect",
    ("proxy_route", "connect.connect_ms"): "TCP connect",
    ("tls", "handshake_ms"): "TLS handshake",
    ("tls", "request_ms"): "HTTP request",
    ("proxy_route", "connect.response_ms"): "HTTP request",
}

# Sections that differ by platform by design, and what in them must still agree.
#  - proxy_settings: Windows reads Internet Options (WinINet) and WinHTTP from the registry as extra
#    sources, Linux reads the environment; only the sources both builds were given (the --proxy flag
#    and the profile) and what the round made of them must agree.
#  - adapter: the inventory is the operating system's own (netlink on Linux; GetAdaptersAddresses on
#    Windows, which names an adapter by its GUID and gives the name a user sees as its friendly
#    name, and keeps DNS servers per adapter where Linux keeps them for the system); the adapter
#    chosen, as a user would name it, its addresses and the choice made must agree.
#  - routes: the same adapter naming; the routes and the adapter's label must agree.
def _adapter(d):
    a = d.get("adapter") or {}
    return {
        "selection": {k: (d.get("selection") or {}).get(k) for k in ("by", "source")},
        "adapter": {
            "label": a.get("friendly_name") or a.get("name"),
            **{k: a.get(k) for k in ("up", "loopback", "addresses", "gateways")},
        },
        "dns servers": (d.get("dns") or {}).get("servers"),
        **{k: d.get(k) for k in ("binding", "families", "expectations", "not_judged")},
    }


PLATFORM = {
    "proxy_settings": lambda d: {
        "sources": [s for s in d.get("sources", []) if s.get("kind") in ("flag", "profile")],
        **{k: d.get(k) for k in ("effective", "auto_detect", "bypass_missing", "bypass_extra", "pac")},
    },
    "adapter": _adapter,
    "routes": lambda d: {k: d.get(k) for k in ("oqs_label", "routes")},
}

# Within a section, what varies from one round to the next on any platform: the lab rotates its
# round-robin answers with every query (two rounds start at different points of the rotation), so
# each query's answer order is dropped and the summary's member set (sorted) compared instead.
# The same goes for the order in which an NTP server's names were found (answers arrive in parallel)
# and for the round-robin member the adapter check happened to route to first.
def normalise(kind, data):
    if kind == "ntp":
        data["names"] = sorted(data.get("names") or [])
    if kind == "dns":
        for s in data.get("summary", []):
            s["members"] = sorted(s.get("members") or [])
        for lookup in (data.get("result") or {}).get("lookups", []):
            for q in lookup.get("queries", []):
                q["answers"] = sorted(a.get("ip", "") for a in q.get("answers") or [])
    return data


def split_times(value, path, times, kind):
    """Returns `value` without its `_ms` numbers, which go to times[exchange or kind.path]."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k.endswith("_ms") and (isinstance(v, (int, float)) or v is None):
                if isinstance(v, (int, float)):
                    # An offset (NTP) is signed: its size is what a stall makes larger.
                    # Named by where it is, without list indices: `tcp` `a.elapsed_ms` (the
                    # lookup) apart from `attempts.elapsed_ms` (the connection).
                    where = re.sub(r"\[\d+\]", "", f"{path}.{k}").split(".", 1)[1]
                    name = EXCHANGES.get((kind, where), f"{kind}.{where}")
                    if name is not None:
                        times.setdefault(name, []).append(abs(float(v)) if "offset" in k else float(v))
                continue
            out[k] = split_times(v, f"{path}.{k}", times, kind)
        return out
    if isinstance(value, list):
        return [split_times(v, f"{path}[{i}]", times, kind) for i, v in enumerate(value)]
    return value


def diff(a, b, path, out):
    """Appends one line per difference between a and b, named by path."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(f"{path}.{k}: only in the second: {json.dumps(b[k])[:200]}")
            elif k not in b:
                out.append(f"{path}.{k}: only in the first: {json.dumps(a[k])[:200]}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {json.dumps(a)[:200]} vs {json.dumps(b)[:200]}")


def check_facts(check, times):
    data = check.get("data") or {}
    (kind, inner), = data.items() if len(data) == 1 else (("?", data),)
    inner = normalise(kind, json.loads(json.dumps(inner)))
    if kind in PLATFORM:
        inner = PLATFORM[kind](inner)
    return {
        "status": check.get("status"),
        "codes": sorted(f.get("code") for f in check.get("findings", [])),
        "data": split_times(inner, kind, times, kind),
    }


def compare_facts(first, second, a_name, b_name, times_a, times_b):
    """The differences between two rounds, times apart (collected into times_a and times_b)."""
    problems = []
    for key in ("status", "summary", "resolvers", "lang"):
        if first.get(key) != second.get(key):
            problems.append(f"round {key}: {a_name} {first.get(key)!r}, {b_name} {second.get(key)!r}")
    codes = lambda r: sorted(c.get("code") for c in r.get("root_causes", []))
    if codes(first) != codes(second):
        problems.append(f"round root causes: {a_name} {codes(first)}, {b_name} {codes(second)}")
    checks_a = {c["id"]: c for c in first.get("checks", [])}
    checks_b = {c["id"]: c for c in second.get("checks", [])}
    for name, checks in ((a_name, checks_a), (b_name, checks_b)):
        if not checks:
            problems.append(f"the {name} round has no checks")
    for cid in sorted(set(checks_a) - set(checks_b)):
        problems.append(f"{cid}: only in the {a_name} round")
    for cid in sorted(set(checks_b) - set(checks_a)):
        problems.append(f"{cid}: only in the {b_name} round")
    for cid in [c for c in checks_a if c in checks_b]:
        fa = check_facts(checks_a[cid], times_a)
        fb = check_facts(checks_b[cid], times_b)
        out = []
        diff(fa, fb, "", out)
        problems.extend(f"{cid}{line} ({a_name} vs {b_name})" for line in out)
    return problems


def compare(linux, windows, latency_ms):
    """Every round against the first Linux round (a second Linux round is the control: what
    differs between two Linux rounds is the comparison's fault, not Windows'); times pooled per
    build over its rounds (two rounds taken apart in time are not stalled by the same load)."""
    names = [f"linux#{i + 1}" if i else "linux" for i in range(len(linux))]
    names += [f"windows#{i + 1}" if i else "windows" for i in range(len(windows))]
    rounds = linux + windows
    problems = []
    times = {"linux": {}, "windows": {}}
    for name, r in zip(names[1:], rounds[1:]):
        side = name.split("#")[0]
        scratch = {}
        problems += compare_facts(rounds[0], r, "linux", name, times["linux"] if name == names[1] else scratch,
                                  times[side])
    if len(rounds) == 1:
        problems.append("only one round: nothing to compare with")
    # Times: per exchange, the least values within the lab's latency.
    compared = []
    ta, tb = times["linux"], times["windows"]
    for key in sorted(set(ta) | set(tb)):
        xs, ys = ta.get(key, []), tb.get(key, [])
        if not xs or not ys:
            problems.append(f"times {key}: measured only by the {'linux' if xs else 'windows'} rounds")
            continue
        if min(len(xs), len(ys)) < MIN_SAMPLES:
            continue
        ma, mb = min(xs), min(ys)
        compared.append(f"{key} {ma:.1f}/{mb:.1f} (median {statistics.median(xs):.0f}/{statistics.median(ys):.0f})")
        if abs(ma - mb) > latency_ms:
            problems.append(f"times {key} (least of {len(xs)}/{len(ys)}): linux {ma:.1f} ms,"
                            f" windows {mb:.1f} ms, apart by more than the lab's {latency_ms:g} ms")
    return problems, len(rounds[0].get("checks", [])), compared


def self_test(round_, latency_ms):
    """The comparison must see each kind of difference, by name: a check's status, a finding code,
    a check missing, a datum, and a time off by twice the lab's latency."""
    def mutated(change):
        r = json.loads(json.dumps(round_))
        change(r)
        return r
    checks = round_.get("checks", [])
    if len(checks) < 2:
        return [f"the round to test with has {len(checks)} checks"]
    first_id, last_id = checks[0]["id"], checks[-1]["id"]
    def status(r): r["checks"][0]["status"] = "fail"
    def code(r): r["checks"][0]["findings"].append({"code": "self.test"})
    def missing(r): r["checks"].pop()
    def datum(r): r["checks"][0]["data"] = {"self": {"datum": 1}}
    def slow(r):
        def walk(v):
            if isinstance(v, dict):
                for k in v:
                    if k.endswith("_ms") and isinstance(v[k], (int, float)):
                        v[k] += 2 * latency_ms
                    else:
                        walk(v[k])
            elif isinstance(v, list):
                for x in v:
                    walk(x)
        walk(r["checks"])
    failures = []
    for what, change, expect in (
        ("a status", status, f"{first_id}.status"),
        ("a finding code", code, f"{first_id}.codes"),
        ("a missing check", missing, f"{last_id}: only in the linux round"),
        ("a datum", datum, f"{first_id}.data"),
        ("a slower time", slow, "apart by more than the lab's"),
    ):
        problems, _, _ = compare([round_, round_], [mutated(change)], latency_ms)
        if not any(expect in p for p in problems):
            failures.append(f"self-test: {what} was not reported (wanted `{expect}`; got {problems[:3]})")
    problems, _, _ = compare([round_, round_], [round_], latency_ms)
    failures += [f"self-test: a round differs from itself: {p}" for p in problems]
    return failures


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--latency-ms", type=float, required=True)
    p.add_argument("--linux", nargs="+", required=True, metavar="JSON")
    p.add_argument("--windows", nargs="+", default=[], metavar="JSON")
    p.add_argument("--self-test", action="store_true",
                   help="check that the comparison reports each kind of difference (first --linux round)")
    args = p.parse_args()
    try:
        linux = [load(path) for path in args.linux]
        windows = [load(path) for path in args.windows]
    except (OSError, ValueError) as e:
        print(f"  cannot read a round: {e}", file=sys.stderr)
        return 2
    if args.self_test:
        failures = self_test(linux[0], args.latency_ms)
        for line in failures:
            print(f"  {line}", file=sys.stderr)
        if failures:
            return 1
        print("the comparison reports a status, a finding code, a missing check, a datum and a slower"
              " time by name", file=sys.stderr)
        return 0
    problems, checks, compared = compare(linux, windows, args.latency_ms)
    for line in problems:
        print(f"  {line}", file=sys.stderr)
    if problems:
        print(f"  {len(problems)} difference(s) between the rounds", file=sys.stderr)
        return 1
    print(f"{len(linux)} Linux and {len(windows)} Windows rounds: {checks} checks equal in status,"
          f" finding codes and data; {len(compared)} kinds of time within {args.latency_ms:g} ms"
          f" (least, ms, linux/windows): {', '.join(compared)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
