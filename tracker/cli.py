"""The ``llm-atlas`` command line: a thin layer over the library. Run ``llm-atlas --help``.

Each command imports what it needs inside its own body, so ``llm-atlas search`` starts without loading the
catalog, the relevance filter or the site code (a cold search stays near a second); those imports are for
start-up time only, never to get round an import circle (``lint-imports`` keeps the package layered).
"""

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

from tracker.embedding.embedders import BACKENDS, DEFAULT_BACKEND
from tracker.errors import AtlasError
from tracker.library import DEFAULT_METHOD as DEFAULT_RECOMMEND
from tracker.library import METHODS as RECOMMEND_METHODS
from tracker.search.query import DEFAULT_METHOD, METHODS
from tracker.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
# the CLI's methods plus the site's page's own ranking (tracker.search.site_search), measured like the others
SEARCH_METHODS = (*METHODS, "site")


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
      llm-atlas build             render pages and the search page's data, build the site into site/

    Every command takes --data-dir, --cache-dir and --catalog-dir. Errors print one line to stderr and
    exit 1; bad usage exits 2. --json prints machine-readable output on stdout; logs go to stderr.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


# -- update / import / index -----------------------------------------------------------------------
@cli.command()
@click.option("--since", callback=_date, metavar="DATE",
              help="First day of the window (YYYY-MM-DD). Default: a few days before the last run's end.")
@click.option("--until", callback=_date, metavar="DATE",
              help="Last day of the window (YYYY-MM-DD). Default: today (UTC).")
@click.option("--categories", default=None, metavar="CATS",
              help="arXiv categories, comma-separated. Default: from tracker.toml "
              "(cs.CL,cs.LG,cs.AI).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Tracker settings. Default: <repo>/tracker.toml, or $LLM_ATLAS_TRACKER_CONFIG.")
@click.option("--arxiv-api-url", default=None, metavar="URL",
              help="Another arXiv API endpoint (a mirror, or a test server).")
@click.option("--arxiv-feed-url", default=None, metavar="URL",
              help="Another listing-feed base URL; the categories are appended (…/rss/cs.CL+cs.LG).")
@click.option("--no-feed", is_flag=True, help="Read the API only, not the listing feed.")
@click.option("--offline-ok", is_flag=True, help="Exit 0 when arXiv cannot be reached (the first `make site`).")
@click.option("--no-index", is_flag=True, help="Store papers only; skip embedding and indexing.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@folder_options
def update(settings: Settings, since: date | None, until: date | None, categories: str | None,
           config_path: Path | None, arxiv_api_url: str | None, arxiv_feed_url: str | None, no_feed: bool,
           offline_ok: bool, no_index: bool, as_json: bool) -> None:
    """Fetch new LLM papers from arXiv, store them, and bring the index up to date.

    Reads the window (default: from a few days before the last run's end to today) from the API and the
    listing feed, keeps papers about LLMs, stores new ones and new versions, and writes a run manifest to
    data/tracker/runs/. When arXiv cannot be reached, says so and carries on with the stored papers (exit 1,
    or 0 with --offline-ok, as `make site` runs it). A run that fetched nothing because of errors exits 1; a
    window with no new papers (a weekend) is not an error. See README "Tracker".
    """
    import dataclasses

    from tracker.fetch.config import load_tracker_config
    from tracker.fetch.update import run_update
    from tracker.store import PaperStore

    config = load_tracker_config(config_path, settings.repo_root, arxiv_api_url, arxiv_feed_url)
    if categories is not None:
        config = dataclasses.replace(config, categories=[c.strip() for c in categories.split(",") if c.strip()])
    if no_feed:
        config = dataclasses.replace(config, use_feed=False)
    store = PaperStore(settings.data_dir)
    # `make site` on a machine without network must not leave a new manifest in a fresh clone.
    report = run_update(store, config, since, until, record_unreachable=not offline_ok)
    if not report.reachable and report.fetched == 0:
        info(f"arXiv is unreachable: carrying on with the {len(store)} stored papers ({report.errors[0]})")
    else:
        info(f"{report.since} … {report.until}: fetched {report.fetched}, {report.seen} seen before, "
             f"{report.assessed} assessed, {report.relevant} about LLMs: {report.new} new, "
             f"{report.updated} updated, {len(report.skipped)} skipped")
        for problem in report.errors:
            info(f"warning: {problem}")
    if report.manifest:
        info(f"run manifest: {report.manifest}")
    if not no_index:
        _run_index(settings, store)
    if as_json:
        emit_json(report.as_dict())
    if report.status in ("error", "unreachable") and not (offline_ok and not report.reachable):
        if report.fetched == 0:
            raise AtlasError(f"update fetched nothing: {report.reason}")
        raise AtlasError(f"the API window was not read whole ({report.entries_read} of {report.total_results} "
                         f"entries): {report.reason}; what was read is stored, the state is unchanged")


@cli.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--filter/--no-filter", "use_filter", default=True, show_default=True,
              help="Keep only papers about LLMs (the relevance filter).")
@click.option("--since", callback=_date, metavar="DATE", help="Only papers first submitted on or after this date.")
@click.option("--until", callback=_date, metavar="DATE", help="Only papers first submitted on or before this date.")
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
    from tracker.store import PaperStore

    papers = [
        p for p in read_papers(path) if (not since or p.published >= since) and (not until or p.published <= until)
    ]
    kept = _filter_with_progress(papers) if use_filter else papers
    store = PaperStore(settings.data_dir)
    result = store.upsert(kept)
    store.save()
    counts = {"read": len(papers), "kept": len(kept), **result.as_dict(), "stored": len(store)}
    if as_json:
        emit_json(counts)
    else:
        info(f"read {counts['read']} papers, kept {counts['kept']}: {counts['new']} new, "
             f"{counts['updated']} updated, {counts['unchanged']} unchanged; the store holds {counts['stored']}")


def _filter_with_progress(papers: list[Any]) -> list[Any]:
    """The relevance filter over a whole file, in chunks, with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from tracker.relevance.filter import filter_llm_papers

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=_stderr_console(), transient=True) as progress:
        task = progress.add_task("filtering", total=len(papers))
        return filter_llm_papers(papers, progress=lambda n: progress.advance(task, n))


def _run_index(settings: Settings, store: Any, backend: str | None = None) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from tracker.embedding.embedders import make_embedder
    from tracker.search.index import build_index

    embedder = make_embedder(backend or DEFAULT_BACKEND, settings.cache_dir, info)
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=_stderr_console(), transient=True) as progress:
        task = progress.add_task("embedding", total=0)
        report = build_index(
            store, settings.cache_dir, embedder,
            progress=lambda n: progress.advance(task, n),
            on_start=lambda total: progress.update(task, total=total), log=info,
        )
    written = f"; {report.vector_files_written} week files of vectors written to the store" \
        if report.vector_files_written else ""
    info(f"index: {report.papers} papers: {report.from_store} vectors from the store, {report.from_cache} from the "
         f"cache, {report.embedded} embedded now{written} ({report.model}, {report.backend}, {report.kind})")
    return report


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@cli.command()
@click.option("--embedder", "backend", type=click.Choice(BACKENDS), default=DEFAULT_BACKEND, show_default=True,
              help="How papers are embedded: ONNX Runtime (exported from the shipped model once, into the "
                   "cache) or sentence-transformers on torch (the reference).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@folder_options
def index(settings: Settings, backend: str, as_json: bool) -> None:
    """Embed new or changed papers and rebuild the search index: vectors + BM25 (no network).

    The store keeps its papers' vectors (data/vectors/, by week of first listing): a vector is taken from
    there when its file is whole, of this model and of the paper's current text, then from the cache
    (model + paper id + text hash); only the rest is embedded, and the run says how many came from where.
    The default embedder (ONNX Runtime int8 with the shipped adapter) writes new and changed weeks back to
    data/vectors/. Interrupt it at any time: finished chunks are kept and the next run resumes. Searches use
    the embedder the index was built with. Dense search is exact up to 300,000 papers, an IVF index above.
    """
    from tracker.store import PaperStore

    report = _run_index(settings, PaperStore(settings.data_dir), backend)
    if as_json:
        emit_json(report.as_dict())


# -- backfill shards and freshness (the weekly GitHub workflow) ----------------------------------------
@cli.command(name="shard-window")
@click.option("--since", callback=_date, required=True, metavar="DATE",
              help="First day of the whole backfill window (YYYY-MM-DD).")
@click.option("--until", callback=_date, required=True, metavar="DATE",
              help="Last day of the whole backfill window (YYYY-MM-DD).")
@click.option("--shards", type=int, default=None, metavar="N", help="Split into this many shards and list them all.")
@click.option("--shard", "one", default=None, metavar="I/N", help="Only shard I of N, written I/N (e.g. 2/4).")
@click.option("--json", "as_json", is_flag=True, help='Print [{"shard", "index", "of", "since", "until", "days"}].')
def shard_window_command(since: date, until: date, shards: int | None, one: str | None, as_json: bool) -> None:
    """Split a backfill window into contiguous sub-windows, one per runner.

    Each shard job runs `llm-atlas update --since S --until U --no-index` for its own window into its own
    --data-dir; `llm-atlas merge-shards` then merges their stores in an order-independent way.
    """
    from tracker.fetch.shards import ShardError, shard_window, split_window

    if (shards is None) == (one is None):
        raise ShardError("give exactly one of --shards N (all shards) or --shard I/N (one shard)")
    windows = [shard_window(since, until, one)] if one else split_window(since, until, shards or 0)
    if as_json:
        emit_json([w.as_dict() for w in windows])
        return
    for w in windows:
        click.echo(f"{w.name}\t{w.since}\t{w.until}\t{w.days} days")


@cli.command(name="merge-shards")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@folder_options
def merge_shards(settings: Settings, sources: tuple[Path, ...], as_json: bool) -> None:
    """Merge the stores of backfill shards (folders holding papers/YYYY/MM.jsonl, or .jsonl files).

    Every record of every shard is read and checked first, then upserted in one canonical order: the
    resulting store is byte-identical whatever order the shards are given in.
    """
    from tracker.fetch.shards import merge_slices
    from tracker.store import PaperStore

    store = PaperStore(settings.data_dir)
    result, read = merge_slices(store, list(sources))
    counts = {"shards": len(sources), "read": read, **result.as_dict(), "stored": len(store)}
    if as_json:
        emit_json(counts)
    else:
        info(f"merged {counts['shards']} shards ({read} records): {counts['new']} new, {counts['updated']} updated, "
             f"{counts['unchanged']} unchanged; the store holds {counts['stored']}")


@cli.command()
@click.option("--max-weeks", type=click.IntRange(1), default=2, show_default=True, metavar="N",
              help="Stale when the newest stored paper was first submitted longer ago than this.")
@click.option("--as-of", callback=_date, metavar="DATE", help="Judge as of this day (YYYY-MM-DD). Default: today.")
@click.option("--json", "as_json", is_flag=True, help='Print {"stale", "newest", "age_days", "reason", ...}.')
@folder_options
def freshness(settings: Settings, max_weeks: int, as_of: date | None, as_json: bool) -> None:
    """Fail (exit 1) when the newest stored paper was first submitted more than --max-weeks weeks ago: the
    weekly run's staleness check, the loud end of a silent tracker."""
    from tracker.fetch.freshness import check_freshness
    from tracker.store import PaperStore

    result = check_freshness(PaperStore(settings.data_dir), max_weeks, as_of)
    if as_json:
        emit_json(result.as_dict())
    if result.stale:
        raise AtlasError(f"stale store: {result.describe()}")
    info(f"fresh: {result.describe()}")


# -- search ----------------------------------------------------------------------------------------
def _searcher(settings: Settings) -> Any:
    from tracker.search.index import PaperIndex
    from tracker.search.query import PaperSearch
    from tracker.store import PaperStore

    store = PaperStore(settings.data_dir)
    return PaperSearch(store, PaperIndex.load(settings.cache_dir), warn=info)


def _filters(settings: Settings, since: date | None, until: date | None, category: tuple[str, ...],
             model: tuple[str, ...], store: Any, topic: tuple[str, ...] = (), has: tuple[str, ...] = ()) -> Any:
    from tracker.search.filters import build_filters

    return build_filters(store, settings.catalog_dir, since, until, category, model, topic, has)


def _has(has_code: bool, has_weights: bool, has_data: bool) -> tuple[str, ...]:
    """The artifact kinds --has-code, --has-weights and --has-data ask for."""
    return tuple(kind for kind, wanted in (("code", has_code), ("weights", has_weights), ("data", has_data)) if wanted)


def _print_hits(hits: list[Any], as_json: bool) -> None:
    if as_json:
        emit_json([hit.as_dict() for hit in hits])
        return
    if not hits:
        info("no results")
    for rank, hit in enumerate(hits, start=1):
        p = hit.paper
        click.echo(f"{rank:>2}. {hit.score:.3f}  {p.id}  {p.published}  {p.title}")
        shown: set[str] = set()
        for artifact in p.artifacts:  # its code, weights, data: the first address of each kind
            if artifact.kind not in shown and artifact.kind != "project":
                shown.add(artifact.kind)
                click.echo(f"{'':>4}{artifact.kind:<8} {artifact.url}")


def search_options(func: F) -> F:
    for option in reversed([
        click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 1000), metavar="N",
                     help="How many results."),
        click.option("--since", callback=_date, metavar="DATE",
                     help="Only papers first submitted on or after this date."),
        click.option("--until", callback=_date, metavar="DATE",
                     help="Only papers first submitted on or before this date."),
        click.option("--category", multiple=True, metavar="CAT",
                     help="Only papers in this arXiv category (repeatable)."),
        click.option("--model", multiple=True, metavar="ID",
                     help="Only papers linked to this catalog model or family id (repeatable)."),
        click.option("--topic", multiple=True, metavar="ID",
                     help="Only papers under this research topic id (repeatable)."),
        click.option("--has-code", is_flag=True,
                     help="Only papers that name their code (a repository address in the abstract or comment)."),
        click.option("--has-weights", is_flag=True,
                     help="Only papers that name model weights (a Hugging Face model, collection …)."),
        click.option("--has-data", is_flag=True, help="Only papers that name a dataset (Hugging Face, Zenodo …)."),
        click.option("--json", "as_json", is_flag=True, help='Print [{"id", "title", "score", ...}] best first.'),
    ]):
        func = option(func)
    return func


@cli.command()
@click.argument("query")
@search_options
@click.option("--method", type=click.Choice(SEARCH_METHODS), default=DEFAULT_METHOD, show_default=True,
              help="dense (MiniLM vectors), bm25 (words) or hybrid (both: a convex combination of their normalised "
                   "scores; best on the held-out evaluation sets); site ranks as the site's search page does "
                   "(static query encoder, compact paper codes, cut postings; README \"Search in the site\").")
@folder_options
def search(settings: Settings, query: str, k: int, since: date | None, until: date | None,
           category: tuple[str, ...], model: tuple[str, ...], topic: tuple[str, ...], has_code: bool,
           has_weights: bool, has_data: bool, method: str, as_json: bool) -> None:
    """Search stored papers by meaning and words: QUERY is matched against every title and abstract.

    hybrid (the default) fuses the MiniLM cosine and BM25 scores (see README "Search quality and speed").
    --json prints [{"id", "title", "score", "published", "categories", "authors", "url", "artifacts"}] best
    first: hybrid scores are fused scores in 0..1, dense scores cosines, bm25 scores BM25; artifacts are the
    code, weights, data and project pages the paper names ([{"kind", "url"}], README "Papers with code").
    --model takes a catalog model or family id, --topic a topic id of catalog/topics.yaml; --has-code,
    --has-weights and --has-data keep the papers that name one (all of those given).
    """
    searcher = _searcher(settings)
    filters = _filters(settings, since, until, category, model, searcher.store, topic,
                       _has(has_code, has_weights, has_data))
    if method == "site":
        from tracker.search.site_search import SiteSearch

        _print_hits(SiteSearch(searcher).search(query, k, filters), as_json)
        return
    _print_hits(searcher.search(query, k, filters, method=method), as_json)


@cli.command()
@click.argument("arxiv_id")
@search_options
@folder_options
def related(settings: Settings, arxiv_id: str, k: int, since: date | None, until: date | None,
            category: tuple[str, ...], model: tuple[str, ...], topic: tuple[str, ...], has_code: bool,
            has_weights: bool, has_data: bool, as_json: bool) -> None:
    """Papers most like ARXIV_ID by their vectors (the paper itself is left out); same filters as search."""
    searcher = _searcher(settings)
    hits = searcher.related(arxiv_id, k, _filters(settings, since, until, category, model, searcher.store, topic,
                                                  _has(has_code, has_weights, has_data)))
    _print_hits(hits, as_json)


def _weeks(ctx: click.Context, param: click.Parameter, value: str) -> int | None:
    if value.strip().lower() in ("all", "0"):
        return None
    try:
        weeks = int(value)
    except ValueError:
        weeks = -1
    if weeks < 1:
        raise click.BadParameter(f"a number of weeks or 'all', not {value!r}")
    return weeks


@cli.command()
@click.argument("library", type=click.Path(path_type=Path))
@click.option("-k", "k", default=20, show_default=True, type=click.IntRange(1, 1000), metavar="N",
              help="How many papers.")
@click.option("--since", callback=_date, metavar="DATE",
              help="Only papers first listed on or after this date (instead of --weeks).")
@click.option("--until", callback=_date, metavar="DATE", help="Only papers first listed on or before this date.")
@click.option("--weeks", default="4", show_default=True, callback=_weeks, metavar="N|all",
              help="Without --since: the store's newest N ISO weeks (the newest, partial one included), or all.")
@click.option("--method", type=click.Choice(RECOMMEND_METHODS), default=DEFAULT_RECOMMEND, show_default=True,
              help="How papers are scored against the library (README \"For you\"): topk, the mean of the 3 "
                   "nearest library papers' cosines; mean, max, clusters, mix, recency, bm25 as measured there; "
                   "site ranks as the site's For-you page does.")
@click.option("--json", "as_json", is_flag=True,
              help='Print [{"id", "title", "score", "because": [library ids]}] best first.')
@click.option("--markdown", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Also write the list as a Markdown report (scripts/weekly's For-you issue).")
@folder_options
def recommend(settings: Settings, library: Path, k: int, since: date | None, until: date | None,
              weeks: int | None, method: str, as_json: bool, markdown: Path | None) -> None:
    """What is new for you: the store's newest papers ranked by meaning against LIBRARY, your papers.

    LIBRARY is a BibTeX file (Zotero, Mendeley, the site's Library export: the arXiv id in eprint, url or doi)
    or a text file of arXiv ids or URLs, one per line. Library papers the store lacks are embedded from the
    BibTeX's title and abstract, else reported and left out; no usable paper exits 1. Papers already in the
    library are skipped; each result names the library papers it is closest to (because).
    """
    from tracker.embedding.embedders import make_embedder
    from tracker.library.recommend import recommend as rank
    from tracker.library.recommend import summary, text_lines
    from tracker.search.index import PaperIndex
    from tracker.store import PaperStore

    index = PaperIndex.load(settings.cache_dir)
    result = rank(library, PaperStore(settings.data_dir), index, k, method, since, until, weeks,
                  embed=lambda texts: make_embedder(index.backend, settings.cache_dir, info).encode(texts))
    for warning in result.warnings:
        info(f"warning: {warning}")
    info(summary(result))
    if markdown is not None:
        from tracker.atomic import atomic_write_text
        from tracker.library.report import markdown_report

        atomic_write_text(markdown, markdown_report(result))
        info(f"wrote {markdown}")
    if as_json:
        emit_json([item.as_dict() for item in result.items])
        return
    if not result.items:
        info("no papers in the window")
    for line in text_lines(result):
        click.echo(line)


@cli.command(name="eval")
@click.argument("beir_dir", type=click.Path(path_type=Path))
@click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 100), metavar="N",
              help="Cut-off of nDCG, Recall and MRR.")
@click.option("--method", type=click.Choice(SEARCH_METHODS), default=DEFAULT_METHOD, show_default=True,
              help="The search method to evaluate (site: the site's search page's ranking).")
@click.option("--embedder", "backend", type=click.Choice(BACKENDS), default=DEFAULT_BACKEND, show_default=True,
              help="How documents and queries are embedded.")
@click.option("--split", default="test", show_default=True, metavar="NAME",
              help="Which qrels/<split>.tsv to score (dev tunes).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"ndcg@10", "recall@10", "recall@100", "mrr@10", "queries"}.')
@folder_options
def eval_(settings: Settings, beir_dir: Path, k: int, method: str, backend: str, split: str, as_json: bool) -> None:
    """Retrieval quality on a BEIR-format set (corpus.jsonl, queries.jsonl, qrels/test.tsv).

    The set is indexed under <cache>/eval/ with the chosen method; the paper store is not touched.
    Prints nDCG@k, Recall@k, Recall@100 and MRR@k over the judged queries.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from tracker.search.evaluation import evaluate

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=_stderr_console(), transient=True) as progress:
        task = progress.add_task("embedding", total=None)
        result = evaluate(beir_dir, settings.cache_dir, method, k, backend, split=split,
                          progress=lambda n: progress.advance(task, n), data_dir=settings.data_dir)
    if as_json:
        emit_json(result)
        return
    click.echo(f"{beir_dir} ({split}, {result['queries']} queries, {method}, {backend})")
    for name, value in result.items():
        if name != "queries":
            click.echo(f"  {name:<11} {value:.4f}")


# -- catalog and links -----------------------------------------------------------------------------
@cli.group()
def catalog() -> None:
    """Check the model catalog, export its JSON Schema, and find the models it lacks."""


@catalog.command()
@folder_options
def validate(settings: Settings) -> None:
    """Validate every catalog file and the cross-file rules (ids, base models, unique aliases, dates, arXiv
    ids, Epoch AI rows, a source for every model, catalog/not_models.yaml); a draft written by `catalog
    candidates --draft` is refused until its facts have sources. The first problem is named with its file and
    field (exit 1)."""
    from tracker.knowledge.catalog import load_catalog

    loaded = load_catalog(settings.catalog_dir)
    info(f"catalog OK: {len(loaded.models)} models in {len(loaded.families)} families")


@catalog.command()
@folder_options
def schema(settings: Settings) -> None:
    """Write catalog/schema/model.schema.json and families.schema.json (editors complete and check YAML with them)."""
    from tracker.atomic import write_if_changed
    from tracker.knowledge.catalog import schema_files

    for name, text in schema_files().items():
        path = settings.catalog_dir / "schema" / name
        changed = write_if_changed(path, text.encode())
        info(f"{'wrote' if changed else 'unchanged'} {path}")


@catalog.command()
@click.option("--since", callback=_date, metavar="DATE",
              help="Only papers first submitted on or after this date (YYYY-MM-DD). Default: the whole store.")
@click.option("--top", type=click.IntRange(1), default=50, show_default=True, metavar="N",
              help="How many names to list, best first.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"since", "first", "last", "papers", "months", "candidates", "groups": [{"stem", "family", '
                   '"papers", "papers_per_month", "names": [{"rank", "name", "family", "papers", "papers_per_month", '
                   '"paper_ids", "evidence": [{"paper", "sentence"}], "variants", "signs"}]}]}.')
@click.option("--draft", "draft_name", metavar="NAME",
              help="Write catalog/models/<family>/<id>.yaml for this candidate instead: its aliases as the papers "
                   "write them, its first paper and the papers that introduce it, every fact unknown (validate "
                   "refuses the draft until they are filled in with sources).")
@folder_options
def candidates(settings: Settings, since: date | None, top: int, as_json: bool, draft_name: str | None) -> None:
    """Model names the stored papers use that no catalog alias matches: what to add to the catalog next.

    A name has a version or size ("Kimi-K2.5", "GLM-5.1", "OLMo-3-7B") and looks like a model: its stem is a
    catalog family's name, or in a share of its papers it carries a parameter count, is listed next to a model
    the catalog knows, or is called an LLM, and more often than it is used as a benchmark, a data set or a method
    ("on GSM8K", "BM25 retrieval"). Names that are not catalog models (catalog/not_models.yaml) and releases of
    several catalog models ("Gemini 2.5") are left out. Names are ranked by papers per month and grouped by
    family-like stem, each with two evidence sentences and its paper ids. Rules and measured recall and
    precision: tracker/knowledge/candidates.py, scripts/candidates_eval.py.
    """
    from tracker.knowledge.candidates import find_candidates
    from tracker.knowledge.catalog import load_catalog
    from tracker.store import PaperStore

    if draft_name is not None:
        _write_draft(settings, draft_name)
        return
    report = find_candidates(list(PaperStore(settings.data_dir)), load_catalog(settings.catalog_dir, skip_drafts=True),
                             since=since)
    info(f"{len(report.candidates)} candidate names in {report.papers} papers "
         f"({report.first or '-'} to {report.last or '-'}, {report.months:.1f} months); showing the top {top}")
    if as_json:
        emit_json(report.as_dict(top))
        return
    for group in report.groups(top):
        family = f"catalog family {group.family}" if group.family else "no catalog family"
        click.echo(f"{group.stem} ({family}): {len(group.papers)} papers")
        for name in group.candidates:
            more = f" +{len(name.papers) - 8}" if len(name.papers) > 8 else ""
            click.echo(f"  {name.rank:>3}. {name.name}  {len(name.papers)} papers, {name.papers_per_month}/month  "
                       f"[{', '.join(name.signs)}]  {' '.join(name.papers[:8])}{more}")
            for paper_id, sentence in name.evidence:
                click.echo(f"       {paper_id}: {sentence}")


def _write_draft(settings: Settings, name: str) -> None:
    from tracker.knowledge.catalog import load_catalog
    from tracker.knowledge.drafts import DraftError, draft_model
    from tracker.store import PaperStore

    try:
        draft = draft_model(name, list(PaperStore(settings.data_dir)),
                            load_catalog(settings.catalog_dir, skip_drafts=True), date.today())
    except DraftError as error:
        raise AtlasError(str(error)) from None
    path = settings.catalog_dir / draft.relative_path
    if path.exists():
        raise AtlasError(f"{path} exists already: not overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(draft.text, encoding="utf-8")
    if not draft.family_known:
        info(f"family {draft.family!r} is not in {settings.catalog_dir / 'families.yaml'}: describe it there too")
    info("draft written: fill in its facts with their sources, delete its draft block, then run "
         "`llm-atlas catalog validate`")
    click.echo(str(path))


@catalog.command(name="check-epoch")
@click.argument("csv_path", metavar="CSV", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help='Print {"rows", "language_rows", "matched_models", "matched", "disagreements": [{"model", "row", '
                   '"field", "catalog", "epoch", "difference"}], "missing_rows": [{"model", "row"}], "lacking": '
                   '[{"row", "organization", "published", "parameters", "accessibility", "link"}]}.')
@folder_options
def check_epoch_command(settings: Settings, csv_path: Path, as_json: bool) -> None:
    """Compare the catalog with Epoch AI's notable-models table (its CSV download).

    Rows are matched to catalog models by epoch_ai_row, else by name. Reports the facts that disagree
    (parameters more than 10 % apart, release dates more than a month apart), the rows the catalog cites that
    the table lacks, and the table's language models the catalog lacks, newest first. Exits 0 whatever it
    finds: a maintainer judges each report (the table can be the one that is wrong). Rules:
    tracker/knowledge/epoch_check.py.
    """
    from tracker.knowledge.catalog import load_catalog
    from tracker.knowledge.epoch_check import check_epoch, read_epoch_csv

    result = check_epoch(load_catalog(settings.catalog_dir), read_epoch_csv(csv_path))
    info(f"{csv_path}: {result.rows} rows, {result.language_rows} language models; "
         f"{len(result.matched)} catalog models matched")
    if as_json:
        emit_json(result.as_dict())
        return
    click.echo(f"facts that disagree ({len(result.disagreements)}):")
    for d in result.disagreements:
        click.echo(f"  {d.model}  {d.field}: catalog {d.catalog}, Epoch {d.epoch} ({d.difference}; row {d.row!r})")
    click.echo(f"rows the catalog cites that the table lacks ({len(result.missing_rows)}):")
    for missing in result.missing_rows:
        click.echo(f"  {missing['model']}  epoch_ai_row {missing['row']!r}")
    click.echo(f"language models the catalog lacks ({len(result.lacking)}), newest first:")
    for row in result.lacking:
        size = f"{row.parameters:,} parameters" if row.parameters else "parameters unknown"
        click.echo(f"  {row.published}  {row.row}  ({row.organization or 'organization unknown'}; {size}; "
                   f"{row.accessibility or 'accessibility unknown'})")


@cli.command()
@click.argument("ids", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help='Print {"<paper id>": [{"model", "family", "via"}, ...]}.')
@click.option("--families", "with_families", is_flag=True,
              help='Also print family-only links ({"model": null, "family", "via": "family"}): papers that '
                   "name a family but none of its catalog models.")
@folder_options
def links(settings: Settings, ids: tuple[str, ...], as_json: bool, with_families: bool) -> None:
    """The catalog models each stored paper is linked to, and why (all linked papers without IDS).

    --json prints {"<paper id>": [{"model", "family", "via": "alias|arxiv", "evidence"}]}. Rules and measured
    precision/recall: tracker/knowledge/linking.py, tests/fixtures/linking/README.md.
    """
    from tracker.knowledge.catalog import load_catalog
    from tracker.knowledge.linking import ModelLinker
    from tracker.paper import split_arxiv_id
    from tracker.store import PaperStore

    store = PaperStore(settings.data_dir)
    linker = ModelLinker(load_catalog(settings.catalog_dir))
    wanted = [split_arxiv_id(i)[0] for i in ids]
    for paper_id in wanted:
        if paper_id not in store:
            raise AtlasError(f"paper {paper_id} is not in the store")
    papers = [store.papers[i] for i in wanted] if wanted else list(store)
    result: dict[str, list[dict[str, str | None]]] = {}
    for paper in papers:
        model_links = linker.link(paper)
        result[paper.id] = [link.as_dict() for link in model_links]
        if with_families:
            result[paper.id] += [mention.as_dict() for mention in linker.family_mentions(paper, model_links)]
    if not wanted:
        result = {pid: entries for pid, entries in result.items() if entries}
    if as_json:
        emit_json(result)
        return
    for paper_id, entries in result.items():
        described = ", ".join(
            f"{f['model'] or 'family ' + str(f['family'])} ({f['via']}: {f['evidence']})" for f in entries
        ) or "no model"
        click.echo(f"{paper_id}  {described}")


# -- site ------------------------------------------------------------------------------------------
@cli.command()
@folder_options
def render(settings: Settings) -> None:
    """Write the generated pages into docs/generated/ from the store and the catalog.

    Without the search index: the weekly digests leave out their themes of the week (`build` has them).
    """
    from tracker.site.build import render_site

    written, removed, total = render_site(settings)
    info(f"rendered {total} pages ({written} changed, {removed} stale removed)")


@cli.command()
@click.option("--strict/--no-strict", default=True, show_default=True, help="Fail on any MkDocs warning.")
@click.option("--search/--no-search", default=True, show_default=True,
              help="Bundle the search page's data, model and scripts (indexes the store first when the index "
                   "is stale; needs `npm ci`). --no-search builds the pages only, the digests without themes.")
@folder_options
def build(settings: Settings, strict: bool, search: bool) -> None:
    """Index the store when stale, render the pages and the search page's data, then `mkdocs build` into site/.

    The weekly digests' themes of the week cluster the index's paper vectors (README "Weekly digests").

    The search page (site/search/) answers queries in the reader's browser from chunked static files (a
    trained token table as its query encoder, paper codes in inverted lists, BM25 postings by word), fetching
    only what a query needs; it ranks as `search --method site`. Nothing runs on a server.
    """
    from tracker.site.build import build_site, programs_run_beside, render_site

    with programs_run_beside(settings):  # the Learn programs run on the other core while the pages render
        written, removed, total = render_site(settings, search=search, log=info,
                                              reindex=lambda store: _run_index(settings, store))
    info(f"rendered {total} pages ({written} changed, {removed} stale removed)")
    build_site(settings, strict=strict)
    info(f"site built in {settings.require_repo() / 'site'}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@folder_options
def stats(settings: Settings, as_json: bool) -> None:
    """Counts: papers, per month, per model, per topic, naming their code, weights or data; whether the index
    is fresh."""
    from tracker.knowledge.catalog import load_catalog
    from tracker.knowledge.topics import load_topics
    from tracker.stats import collect_stats
    from tracker.store import PaperStore

    data = collect_stats(
        PaperStore(settings.data_dir), load_catalog(settings.catalog_dir), settings.cache_dir,
        load_topics(settings.catalog_dir),
    )
    if as_json:
        emit_json(data)
        return
    click.echo(f"papers: {data['papers']} ({data['first_published']} … {data['last_published']})")
    click.echo(f"linked to a model: {data['linked_papers']}; catalog models: {data['models']}")
    index_state = data["index"]
    state = "fresh" if index_state["fresh"] else ("stale" if index_state["built"] else "not built")
    click.echo("naming their " + ", ".join(f"{kind}: {count}" for kind, count in data["with_artifacts"].items()))
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
