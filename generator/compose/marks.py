"""The two inline marks of a text: ``**đậm**`` and ``*nghiêng*`` (content-format.md).

They are read as CommonMark emphasis by markdown-it-py, restricted to what the
contract allows: stars only (``_`` is literal), ``\\*`` for a literal star, and a
star written between two letters or digits (``5*3``, ``{{ 7*7 }}``) is always
literal. Every other construct (HTML, links, backticks, entities, other
backslashes) is off, so it stays the text the clerk wrote.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import emphasis
from markdown_it.rules_inline.state_inline import StateInline


def _star_escape(state: StateInline, silent: bool) -> bool:
    """``\\*`` is a literal star; any other backslash is literal text."""
    src, pos = state.src, state.pos
    if src[pos] != "\\" or pos + 1 >= state.posMax or src[pos + 1] != "*":
        return False
    if not silent:
        state.pending += "*"
    state.pos += 2
    return True


def _stars(state: StateInline, silent: bool) -> bool:
    """Emphasis by stars only; a run of stars between two letters or digits is text."""
    src, pos = state.src, state.pos
    if src[pos] != "*":
        return False
    end = pos
    while end < state.posMax and src[end] == "*":
        end += 1
    if pos > 0 and src[pos - 1].isalnum() and end < state.posMax and src[end].isalnum():
        if not silent:
            state.pending += src[pos:end]
        state.pos = end
        return True
    return emphasis.tokenize(state, silent)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero")
    md.enable("emphasis")  # its balancing pass (ruler2) pairs the stars
    md.inline.ruler.at("emphasis", _stars)
    md.inline.ruler.before("emphasis", "star_escape", _star_escape)
    return md


def spans(text: str) -> list[tuple[str, bool, bool]]:
    """``text`` as (literal text, bold, italic) pieces, in order."""
    if "*" not in text:
        return [(text, False, False)] if text else []
    out: list[tuple[str, bool, bool]] = []
    bold = italic = 0
    for token in _parser().parseInline(text)[0].children or []:
        if token.type == "strong_open":
            bold += 1
        elif token.type == "strong_close":
            bold -= 1
        elif token.type == "em_open":
            italic += 1
        elif token.type == "em_close":
            italic -= 1
        elif token.content:
            piece = (token.content, bold > 0, italic > 0)
            if out and out[-1][1:] == piece[1:]:
                out[-1] = (out[-1][0] + piece[0],) + piece[1:]
            else:
                out.append(piece)
    return out
