"""ECB euro reference rate files in their real format (gesmes:Envelope, single-quoted Cube
attributes, newest day first), for dates the test chooses."""
from __future__ import annotations

import datetime as dt

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
"""
FOOTER = "\t</Cube>\n</gesmes:Envelope>\n"


def document(days: list[tuple[dt.date, dict[str, float]]]) -> bytes:
    body = ""
    for date, rates in sorted(days, key=lambda d: d[0], reverse=True):
        body += f"\t\t<Cube time='{date.isoformat()}'>\n"
        for currency, rate in rates.items():
            body += f"\t\t\t<Cube currency='{currency}' rate='{rate}'/>\n"
        body += "\t\t</Cube>\n"
    return (HEADER + body + FOOTER).encode()


def business_days_back(count: int, today: dt.date | None = None) -> list[dt.date]:
    """The last `count` weekdays before today, newest first."""
    day = today or dt.date.today()
    out = []
    while len(out) < count:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            out.append(day)
    return out
