"""What a followable page (a topic's, a family's, a model's) and its feed are called and where the feed lives.

The page modules pass a ``Follow`` to their template (the head's feed link and the "Follow" button, ``_follow.j2``);
``tracker.site.pages.follow_pages`` writes the feeds themselves, the Follow page and the OPML file.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.knowledge.catalog import CatalogModel, Family
from tracker.knowledge.topics import Topic
from tracker.settings import GENERATED
from tracker.site.atom import ATOM_TYPE

__all__ = ["FEEDS", "FEED_SIZE", "FOLLOW_PAGE", "KINDS", "OPML", "Follow", "family_follow", "model_follow",
           "topic_follow"]

FEEDS = f"{GENERATED}/feeds"
FOLLOW_PAGE = f"{FEEDS}/index.md"
OPML = f"{FEEDS}/llm-atlas.opml"
FEED_SIZE = 50
KINDS = ("topic", "family", "model")


@dataclass(frozen=True)
class Follow:
    """A followable page: its feed's path under ``docs/`` and the words the page, its head and the feed use."""

    kind: str  # one of KINDS
    id: str
    name: str  # the topic's, family's or model's name
    page: str  # the md path of the page it follows
    about: str  # what the feed's papers are: "on RAG & retrieval", "that name GPT-4 or are its own paper"

    @property
    def path(self) -> str:
        return f"{FEEDS}/{'families' if self.kind == 'family' else self.kind + 's'}/{self.id}.xml"

    @property
    def title(self) -> str:
        """The feed's title, and its ``<link rel="alternate">``'s."""
        return f"LLM Atlas: {self.name}" + ("" if self.kind == "model" else f" ({self.kind})")

    @property
    def subtitle(self) -> str:
        return f"The newest {FEED_SIZE} LLM papers from arXiv {self.about}, newest first."

    @property
    def media_type(self) -> str:
        return ATOM_TYPE


def topic_follow(topic: Topic) -> Follow:
    return Follow("topic", topic.id, topic.name, f"{GENERATED}/topics/{topic.id}.md",
                  f"on the topic {topic.name}")


def family_follow(family: Family) -> Follow:
    return Follow("family", family.id, family.name, f"{GENERATED}/families/{family.id}.md",
                  f"that name a model of the {family.name} family or the family itself")


def model_follow(model: CatalogModel) -> Follow:
    return Follow("model", model.id, model.name, f"{GENERATED}/models/{model.id}.md",
                  f"that name {model.name} or are its own paper")
