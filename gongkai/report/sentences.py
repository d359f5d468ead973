"""Narrative text cut into sentences and clauses, as the statement reader (gongkai.report.statements) and the
year reader (gongkai.report.year) read it (pure Python): normalised (NFKC, spaces next to CJK removed), then
cut into sentences (。！？；, line ends); a sentence is cut into clauses at CLAUSE_SEP (，（）【】).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SPACE_NEAR_CJK = re.compile(r"(?<=[^\x00-\x7f])[ \t\u3000\xa0]+|[ \t\u3000\xa0]+(?=[^\x00-\x7f])")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
CLAUSE_SEP = re.compile(r"[，（）【】]")           # after _normalise: "," only in 1,234


def _normalise(text: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII), spaces next to CJK removed ("申请 21 件")."""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace(",", "，").replace("(", "（").replace(")", "）").replace(";", "；").replace(":", "：")
    t = re.sub(r"(?<=\d)，(?=\d{3}(?!\d))", ",", t)          # thousands separators stay
    return _SPACE_NEAR_CJK.sub("", t)


def split_sentences(text: str) -> Iterable[str]:
    for s in _SENTENCE_END.split(_normalise(text)):
        s = s.strip()
        if s:
            yield s


# The sentence ends as printed, before normalising, including what NFKC maps onto them (｡ → 。; ﹔ → ; …):
# texts are cut into raw chunks at them, and only the chunks that can hold a statement are normalised (see
# statements._RAW_PREFILTER); the sentences are the same as those of the whole text normalised first.
RAW_SENTENCE_END = re.compile(r"[。！？!?；;\n\u037e\u203c\u2047-\u2049\ufe12\ufe14-\ufe16\ufe54\ufe56\ufe57\uff61]+")
