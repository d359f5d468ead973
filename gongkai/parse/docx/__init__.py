"""Word .docx → RawDocument: safe archive reading (archive), list numbering (numbering), the body walk (body)."""

from gongkai.parse.docx.body import parse_docx

__all__ = ["parse_docx"]
