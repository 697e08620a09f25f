"""Reads wrk --latency output; prints "requests_per_second p99_ms non_2xx"."""
import re
import sys

text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
match = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", text)
value, unit = float(match.group(1)), match.group(2)
p99_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
print(f"{rps:.1f} {p99_ms:.2f} {int(bad.group(1)) if bad else 0}")
