"""The element of an HTML page that holds the report, inside the portal's chrome (navigation, sidebars, link
lists), for gongkai.parse.html.

Content root (the report inside the portal chrome):

1. T3 = the innermost `<table>` whose text (whitespace removed) contains "本年新收" (表三).
2. core = the deepest ancestor of T3 whose text *outside T3* contains "总体情况" or "主动公开" (failing
   that, another section title: 收到和处理 / 行政复议 / 存在的主要问题 / 其他需要报告).
   Without a T3 table: descend from <body> into the single child that still contains every one of
   "总体情况", "主动公开", "其他需要报告" that the page contains (at least two are needed; otherwise
   the root is <body>).
3. expand: climb from core to its parent while the parent is not <body>, adds no second 表三, adds at
   most max(400, 20 % of the core text) characters in total, and at most half of what one step adds
   is link text. This takes in the article title and the page's metadata box (索引号/发布机构/公开日期)
   that portals print next to the article, and stops at navigation bars, sidebars and link lists.
4. fall back to <body> (or the document root when there is none).

Measures: an element's text with every whitespace removed (`flat_text`) and the length of its links' text.
content_root measures each element once and builds an ancestor's measures from its children's where it can
(exact: see _flat_from_children); _select_root makes the choice from the measures alone, so that a test can
give it measures taken directly.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from gongkai.parse.html_text import flat_text

_T3_MARK = "本年新收"
_PRIMARY = ("总体情况", "主动公开")
_SECONDARY = ("收到和处理", "行政复议", "存在的主要问题", "其他需要报告")
_NO_T3 = ("总体情况", "主动公开", "其他需要报告")

_COMPOSE = 16


def _flat_from_children(el: etree._Element, flats: dict[etree._Element, str]) -> str | None:
    """flat_text(el) composed from the cached _flat of its children where there is one (the ancestors of an element
    measured first), or None when no child is cached, a child is not an element (a comment or PI: left to
    _flat) or el has more than _COMPOSE children (one C call over el is then cheaper than one per child).
    Exact: el's text is its .text, then each child's text and tail in order (what tostring(method="text")
    concatenates), and removing every whitespace character commutes with concatenation."""
    if len(el) > _COMPOSE:
        return None
    parts: list[str] = []
    cached = False
    for child in el:
        if child.tag.__class__ is not str:
            return None
        text = flats.get(child)
        if text is None:
            text = flat_text(child)
        else:
            cached = True
        parts.append(text)
        if child.tail:
            parts.append("".join(child.tail.split()))
    if not cached:
        return None
    return "".join(el.text.split()) + "".join(parts) if el.text else "".join(parts)


def _link_len(el: etree._Element, flat: Callable[[etree._Element], str]) -> int:
    """The flat length of the link text inside el: of every <a> in el.iter("a") (el itself included)."""
    return sum(len(flat(a)) for a in el.iter("a"))


def _link_len_from_children(el: etree._Element, links: dict[etree._Element, int],
                            flat: Callable[[etree._Element], str]) -> int:
    """_link_len(el), from the cached link lengths of its children where there are (an ancestor of an element
    measured first): el.iter("a") is el when it is an <a>, then each child's iter("a") in order."""
    if not any(child in links for child in el):
        return _link_len(el, flat)
    own = len(flat(el)) if el.tag == "a" else 0
    for child in el:
        n = links.get(child)
        own += _link_len(child, flat) if n is None else n
    return own


def content_root(body: etree._Element) -> etree._Element:
    """The element holding the report (see the module docstring)."""
    flats: dict[etree._Element, str] = {}  # _flat of each element measured (the tree is not changed here)
    links: dict[etree._Element, int] = {}  # link_len of each element measured

    def flat(el: etree._Element) -> str:
        text = flats.get(el)
        if text is None:
            text = flats[el] = _flat_from_children(el, flats) or flat_text(el)
        return text

    def link_len(el: etree._Element) -> int:
        n = links.get(el)
        if n is None:
            n = links[el] = _link_len_from_children(el, links, flat)
        return n

    return _select_root(body, flat, link_len)


def _select_root(body: etree._Element, flat: Callable[[etree._Element], str],
                 link_len: Callable[[etree._Element], int]) -> etree._Element:
    """content_root's choice, given an element's whitespace-free text (`flat`) and the length of its links'
    text (`link_len`)."""
    tables = [t for t in body.iter("table")]
    marked = [t for t in tables if _T3_MARK in flat(t)]
    if marked:
        marked_set = set(marked)
        innermost = [t for t in marked if not any(d is not t and d in marked_set for d in t.iter("table"))]
        t3 = innermost[0]
        t3_text = flat(t3)
        core: etree._Element | None = None
        for markers in (_PRIMARY, _SECONDARY):
            for anc in t3.iterancestors():
                text = flat(anc)
                if any(text.count(m) > t3_text.count(m) for m in markers):
                    core = anc
                    break
            if core is not None:
                break
        if core is None:
            return body
        others = [t for t in innermost if t is not t3]
    else:
        present = [m for m in _NO_T3 if m in flat(body)]
        if len(present) < 2:
            return body
        core = body
        while True:
            holders = [c for c in core if c.tag.__class__ is str and all(m in flat(c) for m in present)]
            if len(holders) != 1:
                break
            core = holders[0]
        others = []
    if core is body:
        return body
    core_len = len(flat(core))
    node, node_len, node_links = core, core_len, link_len(core)
    allowance = max(400, core_len // 5)
    while True:
        parent = node.getparent()
        if parent is None or parent is body or parent.tag in ("body", "html"):
            break
        if others and any(parent in set(t.iterancestors()) and node not in set(t.iterancestors()) for t in others):
            break
        p_len = len(flat(parent))
        step = p_len - node_len
        p_links = link_len(parent)
        if step > 0 and (p_len - core_len > allowance or p_links - node_links > 0.5 * step):
            break
        node, node_len, node_links = parent, p_len, p_links
    return node
