"""The year a text reports on (pure Python):

    report_year(text)          → the year a text reports on, or None
    stated_year(texts)         → (that year, the sentence stating it) or None, of several texts
                                 (statements_frame's report_year row)

report_year: the statistics period ("统计时限/期限…2023年1月1日至2023年12月31日", same year at both
ends) when stated, else the year opening the sentences of the introduction and section 一
("2023年，我局…", "2023年度我局…") when at least 3/4 of them agree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from gongkai.report.sentences import RAW_SENTENCE_END, split_sentences

_PERIOD = re.compile(r"((?:19|20)\d{2})年0?1月0?1日(?:起)?(?:至|到|—+|-+|~|～)((?:19|20)\d{2})年12月31日")
_HEAD_MARK = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])")
_LEAD_YEAR = re.compile(r"^((?:19|20)\d{2})年(度)?(?![\d月—\-至到~～])")


@lru_cache(maxsize=1 << 12)
def _chunk_years(chunk: str) -> tuple[tuple[str, int | None, int | None], ...]:
    """(sentence, the year of a one-year statistics period it states or None, the year opening it or None)
    for each sentence of one raw sentence chunk (split as in statements.extract: the same sentences as normalising
    the whole text first). Cached (at most 4,096 chunks): a pure function of the chunk's text."""
    out = []
    for s in split_sentences(chunk):
        m = _PERIOD.search(s)
        lead = _LEAD_YEAR.match(_HEAD_MARK.sub("", s))
        out.append((s, int(m.group(1)) if m and m.group(1) == m.group(2) else None,
                    int(lead.group(1)) if lead else None))
    return tuple(out)


def stated_year(texts: Iterable[str | None]) -> tuple[int, str] | None:
    years: Counter[int] = Counter()
    first: dict[int, str] = {}
    sentences = [i for t in texts if t for chunk in RAW_SENTENCE_END.split(t) for i in _chunk_years(chunk)]
    for s, period, _ in sentences:
        if period is not None:
            return period, s
    for s, _, y in sentences:
        if y is not None:
            years[y] += 1
            first.setdefault(y, s)
    if not years:
        return None
    (y, n), = years.most_common(1)
    return (y, first[y]) if n * 4 >= 3 * sum(years.values()) else None


def report_year(text: str | None) -> int | None:
    """The year a text (introduction and section 一) reports on, or None when it does not say clearly."""
    hit = stated_year([text])
    return hit[0] if hit else None
