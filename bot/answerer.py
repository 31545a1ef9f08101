"""Question → Answer, composed from templates and quoted passages only (no generation)."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from hoidap.config import Settings
from hoidap.models import Answer, Citation, Hit
from hoidap.store import Store
from retrieval import Retriever

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # plain text; each channel escapes when it renders
)


def citation(hit: Hit, base_url: str = "") -> Citation:
    doc, p = hit.document, hit.passage
    return Citation(
        doc_id=doc.id,
        title=doc.title,
        number=doc.number,
        date=doc.date,
        issuer=doc.issuer,
        section=p.section,
        page=p.page,
        quote=p.text,
        url=f"{base_url}/documents/{doc.id}#p-{p.ordinal}",
    )


class Answerer:
    """The one answer logic shared by every channel."""

    def __init__(self, store: Store, retriever: Retriever, settings: Settings):
        self.store, self.retriever, self.settings = store, retriever, settings

    def ask(self, question: str, session_id: str = "", channel: str = "web") -> Answer:
        question = question.strip()
        hits = self.retriever.search(question, k=4)
        if not hits:
            text = TEMPLATES.get_template("not_found.j2").render(contact=self.settings.contact)
            return Answer("not_found", text)
        citations = [citation(h, self.settings.public_url) for h in hits[:3]]
        text = TEMPLATES.get_template("answered.j2").render(first=citations[0])
        return Answer("answered", text, citations)
