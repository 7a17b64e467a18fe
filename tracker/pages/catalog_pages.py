"""The catalog section: the models table and one page per model."""

from __future__ import annotations

from tracker.render import GENERATED, PageWriter, SiteData


def add_pages(writer: PageWriter, data: SiteData) -> None:
    models = data.catalog.models
    by_model = data.papers_of_model()
    ordered = sorted(models.values(), key=lambda m: (m.family, m.release, m.id))
    counts = {model_id: len(papers) for model_id, papers in by_model.items()}
    writer.add(f"{GENERATED}/models/index.md", "models_index.md.j2", models=ordered,
               families=data.catalog.families, counts=counts)
    for model in ordered:
        derived = sorted((m for m in models.values() if m.base_model == model.id), key=lambda m: m.id)
        writer.add(
            f"{GENERATED}/models/{model.id}.md", "model.md.j2", model=model,
            family=data.catalog.families.get(model.family), papers=by_model[model.id], links=data.links,
            catalog_models=models, derived=derived,
        )
