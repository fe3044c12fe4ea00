"""Collection years: 2025/26 runs from 1 April 2025 to 31 March 2026 and is keyed by its end year (2026)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PATTERNS = (
    re.compile(r"^(20\d\d)\s*[/_\-]\s*(\d\d)$"),  # 2025/26, 2025_26, 2025-26
    re.compile(r"^(20\d\d)\s*[/_\-]\s*(20\d\d)$"),  # 2025/2026
)


@dataclass(frozen=True, order=True)
class CollectionYear:
    """A statutory collection year, identified by the calendar year in which it ends."""

    end: int

    @classmethod
    def parse(cls, text: str | int) -> CollectionYear:
        """Accept 2026, "2026", "2025/26", "2025_26", "2025-26" or "2025/2026"."""
        raw = str(text).strip()
        if re.fullmatch(r"20\d\d", raw):
            return cls(int(raw))
        for pattern in _PATTERNS:
            match = pattern.match(raw)
            if match:
                start = int(match.group(1))
                tail = int(match.group(2)) % 100
                if (start + 1) % 100 != tail:
                    raise ValueError(f"'{raw}' is not a collection year: the two years must be consecutive")
                return cls(start + 1)
        raise ValueError(f"'{raw}' is not a collection year (expected e.g. 2025/26)")

    @classmethod
    def containing(cls, day: date) -> CollectionYear:
        """The collection year whose 1 April to 31 March span contains the day."""
        return cls(day.year + 1 if day.month >= 4 else day.year)

    @property
    def start_date(self) -> date:
        return date(self.end - 1, 4, 1)

    @property
    def end_date(self) -> date:
        return date(self.end, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.end - 1}/{self.end % 100:02d}"

    @property
    def key(self) -> str:
        """Identifier form used in rule sets: 2025_26."""
        return f"{self.end - 1}_{self.end % 100:02d}"

    def previous(self) -> CollectionYear:
        return CollectionYear(self.end - 1)

    def __str__(self) -> str:
        return self.label


def year_hint_from_name(name: str) -> CollectionYear | None:
    """A collection year written in a file name ("903_2025-26_header.csv", "CIN_Census_2026.xml"), if any."""
    match = re.search(r"(?<!\d)(20\d\d)[\s_\-/]?(\d\d)(?!\d)", name)
    if match:
        start, tail = int(match.group(1)), int(match.group(2))
        if (start + 1) % 100 == tail:
            return CollectionYear(start + 1)
    match = re.search(r"(?<!\d)(20\d\d)(?!\d)", name)
    if match:
        return CollectionYear(int(match.group(1)))
    return None


def year_range(first: CollectionYear, last: CollectionYear) -> list[CollectionYear]:
    return [CollectionYear(end) for end in range(first.end, last.end + 1)]
