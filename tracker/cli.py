"""The ``llm-atlas`` command line: a thin layer over the library. Run ``llm-atlas --help``."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from tracker.config import Settings
from tracker.errors import AtlasError

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("tracker")


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    from tracker.importer import parse_date

    try:
        return parse_date(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def folder_options(func: F) -> F:
    """The three folders every command accepts (option, then environment, then the repository)."""

    @click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                  help="Paper store and tracker state. Default: <repo>/data, or $LLM_ATLAS_DATA.")
    @click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
                  help="Embeddings and index. Default: <repo>/.cache/llm-atlas, or $LLM_ATLAS_CACHE.")
    @click.option("--catalog-dir", type=click.Path(path_type=Path), default=None,
                  help="Model catalog. Default: <repo>/catalog, or $LLM_ATLAS_CATALOG.")
    @functools.wraps(func)
    def wrapper(*args: Any, data_dir: Path | None, cache_dir: Path | None, catalog_dir: Path | None,
                **kwargs: Any) -> Any:
        settings = Settings.resolve(data_dir, cache_dir, catalog_dir)
        return func(*args, settings=settings, **kwargs)

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def info(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what is happening to stderr.")
@click.version_option(package_name="llm-atlas")
def cli(verbose: bool) -> None:
    """LLM Atlas: a living knowledge base and paper tracker for large language models.

    \b
    Typical use:
      llm-atlas update            fetch this week's LLM papers from arXiv
      llm-atlas index             embed new papers, refresh the search index
      llm-atlas search "lora fine-tuning on one gpu"
      llm-atlas build             render pages and build the site into site/

    Every command takes --data-dir, --cache-dir and --catalog-dir. Errors print one line to stderr and
    exit 1; bad usage exits 2. --json prints machine-readable output on stdout; logs go to stderr.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


# -- update / import / index -----------------------------------------------------------------------
@cli.command()
@click.option("--since", callback=_date, help="First submission date to fetch (YYYY-MM-DD). Default: a week ago.")
@click.option("--until", callback=_date, help="Last submission date to fetch (YYYY-MM-DD). Default: today.")
@click.option("--categories", default="cs.CL,cs.LG,cs.AI", show_default=True, help="arXiv categories, comma-separated.")
@click.option("--arxiv-api-url", default=None, help="Another arXiv API endpoint (a mirror, or a test server).")
@click.option("--offline-ok", is_flag=True, help="Exit 0 when arXiv cannot be reached (the first `make site`).")
@click.option("--no-index", is_flag=True, help="Store papers only; skip embedding and indexing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@folder_options
def update(settings: Settings, since: date | None, until: date | None, categories: str, arxiv_api_url: str | None,
           offline_ok: bool, no_index: bool, as_json: bool) -> None:
    """Fetch new LLM papers from arXiv, store them, and bring the index up to date.

    When arXiv cannot be reached, says so and carries on with the stored papers (exit 1, or 0 with
    --offline-ok).
    """
    from tracker.arxiv_api import DEFAULT_API_URL
    from tracker.store import PaperStore
    from tracker.update import run_update

    store = PaperStore(settings.data_dir)
    report = run_update(store, since, until, [c.strip() for c in categories.split(",") if c.strip()],
                        arxiv_api_url or DEFAULT_API_URL)
    if not report.reachable:
        info(f"arXiv is unreachable: carrying on with the {len(store)} stored papers ({report.errors[0]})")
    else:
        info(f"fetched {report.fetched} papers, {report.relevant} about LLMs: "
             f"{report.new} new, {report.updated} updated")
    if not no_index:
        _run_index(settings, store)
    if as_json:
        emit_json(report.as_dict())
    if report.errors and report.fetched == 0 and not (offline_ok and not report.reachable):
        raise AtlasError(f"update fetched nothing: {report.errors[0]}")


@cli.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--filter/--no-filter", "use_filter", default=True, show_default=True,
              help="Keep only papers about LLMs (the relevance filter).")
@click.option("--since", callback=_date, help="Only papers first submitted on or after this date.")
@click.option("--until", callback=_date, help="Only papers first submitted on or before this date.")
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@folder_options
def import_(settings: Settings, path: Path, use_filter: bool, since: date | None, until: date | None,
            as_json: bool) -> None:
    """Bulk-load papers from PATH (.jsonl or .jsonl.gz).

    Reads Kaggle's arXiv metadata snapshot, the shared corpus of daily listings, or this store's own lines.
    The whole file is checked before anything is written: a bad line stops the import with its file and
    line number, and the store is left as it was.
    """
    from tracker.importer import read_papers
    from tracker.relevance import is_llm_paper
    from tracker.store import PaperStore

    papers = [
        p for p in read_papers(path) if (not since or p.published >= since) and (not until or p.published <= until)
    ]
    kept = [p for p in papers if is_llm_paper(p)] if use_filter else papers
    store = PaperStore(settings.data_dir)
    result = store.upsert(kept)
    store.save()
    counts = {"read": len(papers), "kept": len(kept), **result.as_dict(), "stored": len(store)}
    if as_json:
        emit_json(counts)
    else:
        info(f"read {counts['read']} papers, kept {counts['kept']}: {counts['new']} new, "
             f"{counts['updated']} updated, {counts['unchanged']} unchanged; the store holds {counts['stored']}")


def _run_index(settings: Settings, store: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from tracker.index import build_index

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=_stderr_console(), transient=True) as progress:
        task = progress.add_task("embedding", total=0)
        report = build_index(
            store, settings.cache_dir,
            progress=lambda n: progress.advance(task, n),
            on_start=lambda total: progress.update(task, total=total),
        )
    info(f"index: {report.papers} papers, {report.embedded} embedded now ({report.model})")
    return report


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@folder_options
def index(settings: Settings, as_json: bool) -> None:
    """Embed new or changed papers and rebuild the search index (no network).

    Vectors are cached by model + paper id + text hash, so a second run embeds nothing. Interrupt it at
    any time: finished chunks are kept and the next run resumes.
    """
    from tracker.store import PaperStore

    report = _run_index(settings, PaperStore(settings.data_dir))
    if as_json:
        emit_json(report.as_dict())


# -- search ----------------------------------------------------------------------------------------
def _searcher(settings: Settings) -> Any:
    from tracker.index import PaperIndex
    from tracker.search import PaperSearch
    from tracker.store import PaperStore

    store = PaperStore(settings.data_dir)
    return PaperSearch(store, PaperIndex.load(settings.cache_dir), warn=info)


def _filters(settings: Settings, since: date | None, until: date | None, category: tuple[str, ...],
             model: tuple[str, ...], store: Any) -> Any:
    from tracker.search import SearchFilters

    allowed: set[str] | None = None
    if model:
        from tracker.catalog import load_catalog
        from tracker.linking import link_papers_to_models

        catalog = load_catalog(settings.catalog_dir)
        unknown = [m for m in model if m not in catalog.models and m not in catalog.families]
        if unknown:
            raise AtlasError(f"--model: {unknown[0]!r} is not a catalog model or family id")
        links = link_papers_to_models(store, catalog)
        allowed = {pid for pid, found in links.items() if any(x.model in model or x.family in model for x in found)}
    return SearchFilters(since=since, until=until, categories=list(category), allowed_ids=allowed)


def _print_hits(hits: list[Any], as_json: bool) -> None:
    if as_json:
        emit_json([hit.as_dict() for hit in hits])
        return
    if not hits:
        info("no results")
    for rank, hit in enumerate(hits, start=1):
        p = hit.paper
        click.echo(f"{rank:>2}. {hit.score:.3f}  {p.id}  {p.published}  {p.title}")


def search_options(func: F) -> F:
    for option in reversed([
        click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 1000), help="How many results."),
        click.option("--since", callback=_date, help="Only papers first submitted on or after this date."),
        click.option("--until", callback=_date, help="Only papers first submitted on or before this date."),
        click.option("--category", multiple=True, help="Only papers in this arXiv category (repeatable)."),
        click.option("--model", multiple=True,
                     help="Only papers linked to this catalog model or family id (repeatable)."),
        click.option("--json", "as_json", is_flag=True, help='Print [{"id", "title", "score", ...}] best first.'),
    ]):
        func = option(func)
    return func


@cli.command()
@click.argument("query")
@search_options
@folder_options
def search(settings: Settings, query: str, k: int, since: date | None, until: date | None,
           category: tuple[str, ...], model: tuple[str, ...], as_json: bool) -> None:
    """Search stored papers by meaning: QUERY is embedded and compared with every paper."""
    searcher = _searcher(settings)
    hits = searcher.search(query, k, _filters(settings, since, until, category, model, searcher.store))
    _print_hits(hits, as_json)


@cli.command()
@click.argument("arxiv_id")
@search_options
@folder_options
def related(settings: Settings, arxiv_id: str, k: int, since: date | None, until: date | None,
            category: tuple[str, ...], model: tuple[str, ...], as_json: bool) -> None:
    """Papers most like ARXIV_ID (the paper itself is left out)."""
    searcher = _searcher(settings)
    hits = searcher.related(arxiv_id, k, _filters(settings, since, until, category, model, searcher.store))
    _print_hits(hits, as_json)


# -- catalog and links -----------------------------------------------------------------------------
@cli.group()
def catalog() -> None:
    """Check the model catalog and export its JSON Schema."""


@catalog.command()
@folder_options
def validate(settings: Settings) -> None:
    """Validate every catalog file; the first problem is named with its file and field (exit 1)."""
    from tracker.catalog import load_catalog

    loaded = load_catalog(settings.catalog_dir)
    info(f"catalog OK: {len(loaded.models)} models in {len(loaded.families)} families")


@catalog.command()
@folder_options
def schema(settings: Settings) -> None:
    """Write catalog/schema/model.schema.json (editors complete and check YAML with it)."""
    from tracker.atomic import write_if_changed
    from tracker.catalog import model_json_schema

    path = settings.catalog_dir / "schema" / "model.schema.json"
    write_if_changed(path, (json.dumps(model_json_schema(), indent=2) + "\n").encode())
    info(f"wrote {path}")


@cli.command()
@click.argument("ids", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help='Print {"<paper id>": [{"model", "family", "via"}, ...]}.')
@folder_options
def links(settings: Settings, ids: tuple[str, ...], as_json: bool) -> None:
    """The catalog models each stored paper is linked to, and why (all linked papers without IDS)."""
    from tracker.catalog import load_catalog
    from tracker.linking import ModelLinker
    from tracker.paper import split_arxiv_id
    from tracker.store import PaperStore

    store = PaperStore(settings.data_dir)
    linker = ModelLinker(load_catalog(settings.catalog_dir))
    wanted = [split_arxiv_id(i)[0] for i in ids]
    for paper_id in wanted:
        if paper_id not in store:
            raise AtlasError(f"paper {paper_id} is not in the store")
    papers = [store.papers[i] for i in wanted] if wanted else list(store)
    result = {p.id: [link.as_dict() for link in linker.link(p)] for p in papers}
    if not wanted:
        result = {pid: found for pid, found in result.items() if found}
    if as_json:
        emit_json(result)
        return
    for paper_id, found in result.items():
        described = ", ".join(f"{f['model']} ({f['via']}: {f['evidence']})" for f in found) or "no model"
        click.echo(f"{paper_id}  {described}")


# -- site ------------------------------------------------------------------------------------------
@cli.command()
@folder_options
def render(settings: Settings) -> None:
    """Write the generated pages into docs/generated/ from the store and the catalog."""
    from tracker.site import render_site

    written, removed, total = render_site(settings)
    info(f"rendered {total} pages ({written} changed, {removed} stale removed)")


@cli.command()
@click.option("--strict/--no-strict", default=True, show_default=True, help="Fail on any MkDocs warning.")
@folder_options
def build(settings: Settings, strict: bool) -> None:
    """Render the generated pages, then `mkdocs build` the site into site/."""
    from tracker.site import build_site, render_site

    written, removed, total = render_site(settings)
    info(f"rendered {total} pages ({written} changed, {removed} stale removed)")
    build_site(settings, strict=strict)
    info(f"site built in {settings.require_repo() / 'site'}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@folder_options
def stats(settings: Settings, as_json: bool) -> None:
    """Counts: papers, per month, per model; whether the index is fresh."""
    from tracker.catalog import load_catalog
    from tracker.stats import collect_stats
    from tracker.store import PaperStore

    data = collect_stats(PaperStore(settings.data_dir), load_catalog(settings.catalog_dir), settings.cache_dir)
    if as_json:
        emit_json(data)
        return
    click.echo(f"papers: {data['papers']} ({data['first_published']} … {data['last_published']})")
    click.echo(f"linked to a model: {data['linked_papers']}; catalog models: {data['models']}")
    index_state = data["index"]
    state = "fresh" if index_state["fresh"] else ("stale" if index_state["built"] else "not built")
    click.echo(f"index: {index_state['papers']} papers, {state}")
    for month, count in data["per_month"].items():
        click.echo(f"  {month}  {count}")


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="llm-atlas", standalone_mode=False)
    except click.exceptions.Abort:
        info("interrupted")
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except AtlasError as error:
        info(f"error: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        info("interrupted: the store is as it was before this step")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
