"""The site as readers see it (issue 16), without a browser: TeX in titles, plurals, partial weeks, chart
colours and legends, and the site's address (``site_url``) as MkDocs and the feed read it.

The browser half (phone widths, the feed and sitemap of a built site, axe-core) is tests/test_site_a11y.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import CORPUS_DAY, KAGGLE_SAMPLE, REPO

from tracker.importer import read_papers
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.paper import Paper
from tracker.site.build import site_url
from tracker.site.engine import SiteData, make_environment
from tracker.site.pages.charts import PALETTE, Release, Series, line_chart, marker, release_timeline, sparkline
from tracker.site.render import render_pages
from tracker.site.text import plural, tex_text
from tracker.store import PaperStore
from tracker.weeks import is_partial, newest_day

SVG = "{http://www.w3.org/2000/svg}"


def real_papers() -> list[Paper]:
    """The 2026-07-01 listing (a Wednesday: 2026-W27 is not over) and 25 real 2012–2025 papers."""
    return list({p.id: p for p in read_papers(CORPUS_DAY)}.values()) + list(read_papers(KAGGLE_SAMPLE))


def render(tmp_path: Path, papers: list[Paper], url: str | None = None) -> dict[str, str]:
    store = PaperStore(tmp_path)
    store.upsert(papers)
    data = SiteData.collect(store, load_catalog(REPO / "catalog"), load_topics(REPO / "catalog"), site_url=url)
    return render_pages(data)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return render(tmp_path_factory.mktemp("store"), real_papers())


# -- TeX in titles -----------------------------------------------------------------------------------------
# Real titles: the eight of the bundled store that carry TeX, two of the test listing, and a few of the shared
# corpus (degrees, money, escaped dollars, \mathbb, \frac).
TITLES = {
    "M$^3$Exam: Benchmarking Multimodal Memory for Realistic User-Agent Interactions":
        "M³Exam: Benchmarking Multimodal Memory for Realistic User-Agent Interactions",
    "\\textsc{DiARC}: Distinguishing Positive and Negative Samples":
        "DiARC: Distinguishing Positive and Negative Samples",
    "ShotCrop$^3$: Cropping Human-Centric Images": "ShotCrop³: Cropping Human-Centric Images",
    "The Tell-Tale Norm: $\\ell_2$ Magnitude as a Signal": "The Tell-Tale Norm: ℓ₂ Magnitude as a Signal",
    "Can the Environment Speak for Itself? $T^{2}$-GRPO: A Turn-Trajectory":
        "Can the Environment Speak for Itself? T²-GRPO: A Turn-Trajectory",
    "Augmenting Molecular Language Models with Local $n$-gram Memory":
        "Augmenting Molecular Language Models with Local n-gram Memory",
    "S$^2$COPE: Self-Supervised Concept Discovery": "S²COPE: Self-Supervised Concept Discovery",
    "video-SALMONN-R$^3$: Learning to ReWatch": "video-SALMONN-R³: Learning to ReWatch",
    "TerraDiT-$Ω$: Unified Spatial Control": "TerraDiT-Ω: Unified Spatial Control",
    "$ω$Test: WebView-Oriented Testing": "ωTest: WebView-Oriented Testing",
    "Geo$^\\textbf{2}$: Geometry-Guided Cross-view": "Geo²: Geometry-Guided Cross-view",
    "A$^\\text{T}$A: Adaptive Transformation Agent": "AᵀA: Adaptive Transformation Agent",
    "IMTS is Worth Time $\\times$ Channel Patches": "IMTS is Worth Time × Channel Patches",
    "$V_0$: A Generalist Value Model": "V₀: A Generalist Value Model",
    "Physically Aware 360$^\\circ$ View Generation": "Physically Aware 360° View Generation",
    "MVG-KAN: Multi-View Geo-Wind Guided KAN for PM$_{2.5}$ Forecasting":
        "MVG-KAN: Multi-View Geo-Wind Guided KAN for PM₂.₅ Forecasting",
    "Explicit Factorization of $x^{p+1}-1$ over $\\mathbb{Z}_{p^e}$":
        "Explicit Factorization of xᵖ⁺¹-1 over ℤ_(pᵉ)",
    "$\\textit{Agents Under Siege}$: Breaking Pragmatic Multi-Agent LLM Systems":
        "Agents Under Siege: Breaking Pragmatic Multi-Agent LLM Systems",
    "Towards Automated DESIGN-R\\textsuperscript{\\textregistered}": "Towards Automated DESIGN-R®",
    # a lone dollar is money, an escaped one too: both stay
    "PUSA V1.0: Surpassing Wan-I2V with $500 Training Cost": "PUSA V1.0: Surpassing Wan-I2V with $500 Training Cost",
    "Active Domain Knowledge Acquisition with \\$100 Budget": "Active Domain Knowledge Acquisition with $100 Budget",
    "Costs of $5 and $10 per query": "Costs of $5 and $10 per query",
    "LLM-as-a-Judge: <b>plain</b> titles & co.": "LLM-as-a-Judge: <b>plain</b> titles & co.",
}


@pytest.mark.parametrize("title", sorted(TITLES))
def test_tex_in_titles_becomes_text(title: str) -> None:
    assert tex_text(title) == TITLES[title]


def test_tex_filter_output_is_escaped_like_any_title() -> None:
    template = make_environment().from_string("<h3>{{ title | tex }}</h3>")
    assert template.render(title="$<script>$ M$^3$Exam & \\textsc{x}") == "<h3>&lt;script&gt; M³Exam &amp; x</h3>"


def test_the_stores_tex_titles_leave_no_tex_behind() -> None:
    """Every title of the bundled store and the test listing: no backslash, brace or paired $ survives."""
    titles = [p.title for p in PaperStore(REPO / "data")] + [p.title for p in real_papers()]
    with_tex = [t for t in titles if re.search(r"\$.+\$|\\[A-Za-z]", t)]
    assert len(with_tex) >= 2
    for title in with_tex:
        assert not re.search(r"[\\{}]|\$.*\$", tex_text(title)), title


def test_plurals() -> None:
    assert [plural(n, "paper") for n in (0, 1, 2, 2634)] == ["0 papers", "1 paper", "2 papers", "2,634 papers"]
    assert plural(1, "family", "families") == "1 family" and plural(3, "family", "families") == "3 families"
    assert make_environment().from_string("{{ n | plural('paper') }}").render(n=1) == "1 paper"


def test_family_and_model_pages_with_one_paper_say_paper(tmp_path: Path) -> None:
    paper = Paper(id="2607.00001", version=1, title="Evaluating GPT-4 on $n$-step arithmetic",
                  abstract="We test GPT-4 on arithmetic.", authors=["A. Author"], categories=["cs.CL"],
                  published=date(2026, 7, 1), updated=date(2026, 7, 1))
    pages = render(tmp_path, [paper])
    family, model = pages["generated/families/gpt.md"], pages["generated/models/gpt-4.md"]
    assert "1 paper in the store names this family: 1 names one of its catalog models" in family
    assert "1 paper in the store names this model or is its own paper" in model
    assert "1 papers" not in family and "1 papers" not in model


# -- partial weeks -------------------------------------------------------------------------------------------
def test_a_week_is_partial_until_the_store_reaches_its_sunday() -> None:
    papers = real_papers()
    assert newest_day(papers) == date(2026, 7, 1)  # a Wednesday
    assert is_partial("2026-W27", date(2026, 7, 1)) and is_partial("2026-W27", date(2026, 7, 4))
    assert not is_partial("2026-W27", date(2026, 7, 5)) and not is_partial("2026-W26", date(2026, 7, 1))
    assert not is_partial("2026-W27", None) and newest_day([]) is None
    # a later version counts: the store was read up to the day of the newest version
    updated = papers[0].model_copy(update={"updated": date(2026, 7, 5), "version": 2, "versions": []})
    assert newest_day([updated]) == date(2026, 7, 5)


def test_home_and_digests_label_the_partial_week(pages: dict[str, str]) -> None:
    home = pages["generated/snippets/whats-new.md"]
    assert "This week so far, <a" in home and '<span class="atlas-partial">partial week</span>' in home
    assert "papers up to 1 July" in home and "This week's digest so far" in home
    assert 'class="atlas-spark__partial"' in home  # the sparkline's last bar is drawn as not over
    index = pages["generated/digests/index.md"]
    rows = re.findall(r"<tr><td><a[^>]*>(\d{4}-W\d\d)</a>(.*?)</tr>", index)
    partial = [week for week, rest in rows if "partial week" in rest]
    assert partial == ["2026-W27"] and len(rows) > 5
    feed = feedparser.parse(pages["generated/feed.xml"])
    assert feed.entries[0].title.startswith("Week 2026-W27 (29 June – 5 July 2026, so far): ")
    assert ", so far" not in feed.entries[1].title


def test_a_complete_week_is_not_labelled_partial(tmp_path: Path) -> None:
    sunday = Paper(id="2607.00002", version=1, title="A Sunday paper on LLM agents", abstract="LLM agents.",
                   authors=["B. Author"], categories=["cs.CL"], published=date(2026, 7, 5), updated=date(2026, 7, 5))
    pages = render(tmp_path, [*real_papers(), sunday])
    home = pages["generated/snippets/whats-new.md"]
    assert "The latest week, <a" in home and "partial" not in home and "atlas-spark__partial" not in home
    assert "partial" not in pages["generated/digests/index.md"]
    trends = pages["generated/trends.md"]
    assert "is not over" not in trends
    assert "2026-W27</text>" in trends  # the complete week is charted


def test_trend_charts_stop_at_the_last_full_week(pages: dict[str, str], tmp_path: Path) -> None:
    # the test listing is one (partial) week: nothing to chart yet, and the page says why
    trends = pages["generated/trends.md"]
    assert "2026-W27 is not over: the store's newest paper is from 2026-07-01" in trends
    assert "No full week yet: the papers that name a catalog model are all from 2026-W27" in trends
    assert trends.count('<th>2026-W27 <small class="atlas-partial">partial</small></th>') == 2
    # the same real papers spread over three weeks (two of them over): the lines end at the last full week
    papers = real_papers()
    spread = [p.model_copy(update={"published": day, "updated": day, "versions": []}) if i % 3 else p
              for i, p in enumerate(papers) if p.published.year == 2026
              for day in [date(2026, 6, 17) if i % 3 == 1 else date(2026, 6, 24)]]
    trends = render(tmp_path, spread)["generated/trends.md"]
    charts = [c for c in re.findall(r"<svg.*?</svg>", trends, flags=re.S) if "Papers per week" in c]
    assert len(charts) == 2
    for chart in charts:
        ET.fromstring(chart)
        assert "2026-W27" not in chart and "2026-W26</text>" in chart  # the x axis ends at the last full week
    assert trends.count('<th>2026-W27 <small class="atlas-partial">partial</small></th>') == 2


# -- chart colours and legends --------------------------------------------------------------------------------
def _legend(svg: str) -> list[tuple[str, str, str]]:
    """(label, fill, marker kind) of each legend entry of a release timeline."""
    root = ET.fromstring(svg)
    texts = [t for t in root.iter(f"{SVG}text") if float(t.get("x", 0)) > 600]
    shapes = {f"{SVG}circle", f"{SVG}rect", f"{SVG}polygon"}
    markers = [m for m in root if m.tag in shapes and m.find(f"{SVG}title") is None]
    return [(t.text or "", m.get("fill", ""), m.tag + str(len(m.get("points", "").split())))
            for t, m in zip(texts, markers, strict=True)]


def test_the_palette_is_okabe_ito_with_distinct_colours() -> None:
    assert PALETTE == ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "currentColor")
    markers = [marker(i, 10, 10, 4) for i in range(48)]
    kinds = {(re.search(r'fill="([^"]+)"', m).group(1), m.split()[0], m.count(",")) for m in markers}  # type: ignore[union-attr]
    assert len(kinds) == 48  # 8 colours x 6 shapes (circle, square, triangle, diamond, pentagon, cross)


def test_release_legend_has_only_families_with_dots_each_with_its_own_marker() -> None:
    catalog = load_catalog(REPO / "catalog")
    names = {f.id: f.name for f in catalog.families.values()}
    releases = [Release(m.name, names[m.family], m.release, m.total_parameters)
                for m in sorted(catalog.models.values(), key=lambda m: (m.release, m.id)) if m.total_parameters]
    groups = [names[f] for f in sorted({m.family for m in catalog.models.values()})]
    svg = str(release_timeline("Releases", releases, groups))
    legend = _legend(svg)
    shown = {label for label, _, _ in legend}
    with_dots = {r.group for r in releases}
    assert shown == {g if len(g) <= 22 else g[:21] + "…" for g in with_dots}
    assert len(shown) > len(PALETTE)  # more families than colours: the shapes tell them apart
    for family in ("Claude", "Gemini"):  # no published parameter count: no dot, so no legend entry
        assert family in groups and family not in with_dots and family not in shown
    assert len({(fill, kind) for _, fill, kind in legend}) == len(legend)
    root = ET.fromstring(svg)
    assert int(root.get("viewBox", "").split()[3]) >= 24 + 14 * len(legend)  # the legend fits in the chart


def test_line_chart_series_get_distinct_colours() -> None:
    series = [Series(f"s{i}", [i, i + 1]) for i in range(8)]
    root = ET.fromstring(str(line_chart("t", ["2026-W26", "2026-W27"], series)))
    strokes = [p.get("stroke") for p in root.iter(f"{SVG}polyline")]
    assert len(set(strokes)) == 8


def test_sparkline_marks_a_partial_last_week() -> None:
    svg = str(sparkline([3, 4, 1], label="papers per week", partial_last=True))
    root = ET.fromstring(svg)
    bars = list(root.iter(f"{SVG}rect"))
    assert [b.get("fill") for b in bars] == [PALETTE[0], PALETTE[0], "none"]
    assert "(the last week is not over)" in (root.find(f"{SVG}title").text or "")  # type: ignore[union-attr]
    assert "atlas-spark__partial" not in str(sparkline([3, 4, 1]))


# -- the site's address -----------------------------------------------------------------------------------------
def test_site_url_reads_the_env_tag_as_mkdocs_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.utils.yaml import yaml_load

    (tmp_path / "mkdocs.yml").write_text(
        'site_name: x\nsite_url: !ENV [LLM_ATLAS_SITE_URL, "https://example.org/atlas/"]\n'
        "markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n"
        "        - format: !!python/name:pymdownx.superfences.fence_code_format\n", encoding="utf-8")

    def mkdocs_reads() -> str | None:
        with open(tmp_path / "mkdocs.yml", encoding="utf-8") as file:
            return yaml_load(file).get("site_url")  # type: ignore[no-any-return]

    monkeypatch.delenv("LLM_ATLAS_SITE_URL", raising=False)
    assert site_url(tmp_path) == mkdocs_reads() == "https://example.org/atlas/"
    monkeypatch.setenv("LLM_ATLAS_SITE_URL", "https://someone.github.io/fork/")
    assert site_url(tmp_path) == mkdocs_reads() == "https://someone.github.io/fork/"
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nsite_url: https://plain.example/\n", encoding="utf-8")
    assert site_url(tmp_path) == "https://plain.example/"


def test_the_repository_always_has_a_site_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLM_ATLAS_SITE_URL", raising=False)
    url = site_url(REPO)
    assert url and re.fullmatch(r"https://[\w.-]+/([\w.-]+/)?", url), url
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: !ENV \[LLM_ATLAS_SITE_URL, \"https://", text, flags=re.M)
    # the workflow passes the address GitHub reports for the Pages site, and only when it reports one
    weekly = yaml.safe_load((REPO / ".github" / "workflows" / "weekly.yml").read_text(encoding="utf-8"))
    steps = weekly["jobs"]["weekly"]["steps"]
    pages = next(s for s in steps if s.get("id") == "pages")
    assert 'gh api "repos/$GH_REPO/pages" --jq .html_url' in pages["run"]
    build = next(s for s in steps if s.get("id") == "weekly")
    assert build["env"]["PAGES_URL"] == "${{ steps.pages.outputs.url }}"
    assert 'if [ -n "$PAGES_URL" ]; then export LLM_ATLAS_SITE_URL="$PAGES_URL"; fi' in build["run"]
    assert weekly["jobs"]["weekly"]["permissions"]["pages"] == "read"


def test_feed_titles_are_text_and_links_absolute(tmp_path: Path) -> None:
    papers = real_papers()
    terra = next(p for p in papers if p.id == "2606.31029")
    newest = terra.model_copy(update={"id": "2607.00003", "published": date(2026, 7, 2), "updated": date(2026, 7, 2),
                                      "versions": []})
    feed = feedparser.parse(render(tmp_path, [*papers, newest], "https://example.org/atlas/")["generated/feed.xml"])
    assert feed.bozo == 0 and feed.feed.link == "https://example.org/atlas/"
    assert all(e.link.startswith("https://example.org/atlas/generated/digests/20") for e in feed.entries)
    assert "TerraDiT-Ω: Unified Spatial Control" in feed.entries[0].summary and "$" not in feed.entries[0].summary
