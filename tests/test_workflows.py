"""The GitHub workflows: linted by actionlint (with shellcheck) and audited by zizmor, plus the promises
the README makes about them (schedule, backfill inputs, one run at a time, least privilege, pinned
actions, the cache key, the same scripts a maintainer runs)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).parent.parent
GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent

# Official actions, pinned by the commit of a release tag. Each SHA was found with the same version
# comment in several unrelated public repositories (docs/notes: /work/notes/issue-7.md lists them).
PINNED = {
    "actions/checkout": ("de0fac2e4500dabe0009e67214ff5f5447ce83dd", "v6.0.2"),
    "actions/setup-python": ("a309ff8b426b58ec0e2a45f0f869d46889d02405", "v6.2.0"),
    "actions/cache": ("9255dc7a253b0ccc959486e2bca901246202afeb", "v5.0.1"),
    "actions/upload-artifact": ("b7c566a772e6b6bfb58ed0dc250532a479d7789f", "v6.0.0"),
    "actions/download-artifact": ("37930b1c2abaa49bbe596cd826c3c89aef350131", "v7.0.0"),
    "actions/upload-pages-artifact": ("7b1f4a764d45c48632c6b24a0339c27f5614fb0b", "v4.0.0"),
    "actions/deploy-pages": ("d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e", "v4.0.5"),
}


def tool(name: str) -> str:
    """The linters come from the dev extras (wheels with the binaries inside), next to this Python."""
    path = BIN / name
    found = str(path) if path.is_file() else shutil.which(name)
    assert found, f"{name} is missing: install the dev extras (make install)"
    return found


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # PyYAML reads the bare key `on` as the boolean True
    data["on"] = data.pop(True, data.get("on"))
    return data


def actionlint(*paths: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("actionlint"), "-shellcheck", tool("shellcheck"), "-no-color",
                           *map(str, paths)], cwd=cwd, capture_output=True, text=True)


def zizmor(target: Path) -> list[dict[str, Any]]:
    """zizmor's findings of medium severity or worse (offline: no GitHub API)."""
    result = subprocess.run([tool("zizmor"), "--offline", "--format", "json", "--min-severity", "medium",
                             str(target)], capture_output=True, text=True)
    assert result.returncode in (0, 11, 12, 13, 14), result.stderr  # 1x: findings of that severity
    findings = json.loads(result.stdout)
    assert isinstance(findings, list)
    return findings


def test_actionlint_is_clean() -> None:
    assert WORKFLOWS, "no workflows"
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_zizmor_finds_nothing_medium_or_worse() -> None:
    findings = zizmor(GITHUB)
    assert findings == [], json.dumps(findings, indent=1)[:3000]


def test_the_linters_do_catch_mistakes(tmp_path: Path) -> None:
    """weekly.yml broken three ways must be flagged, so that the clean results above mean something:
    a checkout that leaves its token in .git/config, an attacker-controlled expression pasted into a
    shell script, and a misspelt input."""
    broken_repo = tmp_path / "repo"
    shutil.copytree(GITHUB, broken_repo / ".github")
    subprocess.run(["git", "init", "-q", str(broken_repo)], check=True)
    weekly = broken_repo / ".github" / "workflows" / "weekly.yml"
    text = weekly.read_text(encoding="utf-8")
    checkout = "        with:\n          persist-credentials: false\n      - uses: ./.github/actions/setup-atlas\n"
    assert checkout in text
    text = text.replace(checkout, "      - uses: ./.github/actions/setup-atlas\n", 1)
    injected = '"${{ github.event.head_commit.message }}"'
    text = text.replace("python scripts/weekly\n", f"python scripts/weekly --since {injected}\n", 1)
    text = text.replace("LLM_ATLAS_SINCE: ${{ inputs.since }}", "LLM_ATLAS_SINCE: ${{ inputs.sincee }}", 1)
    weekly.write_text(text, encoding="utf-8")
    lint = actionlint(weekly, cwd=broken_repo)
    assert lint.returncode == 1 and "sincee" in lint.stdout
    audits = {(finding["ident"], finding["determinations"]["severity"]) for finding in zizmor(broken_repo / ".github")}
    assert {("template-injection", "High"), ("artipacked", "Medium")} <= audits


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_verified_commit(path: Path) -> None:
    files = [path, *sorted(GITHUB.glob("actions/*/action.yml"))]
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            match = re.search(r"uses:\s*(\S+)(.*)$", line)
            if not match or match.group(1).startswith("./"):
                continue
            action, _, ref = match.group(1).partition("@")
            repository = "/".join(action.split("/")[:2])  # actions/cache/restore lives in actions/cache
            assert repository in PINNED, f"{file.name}: {action} is not one of the reviewed actions"
            sha, version = PINNED[repository]
            assert ref == sha, f"{file.name}: {action}@{ref} is not pinned to {sha}"
            assert match.group(2).strip() == f"# {version}", f"{file.name}: {action} lacks '# {version}'"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "nothing granted at the top; each job asks for its own"
    writes = {name: {k for k, v in (job.get("permissions") or {}).items() if v == "write"}
              for name, job in workflow["jobs"].items()}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{name} must say what it needs"
    if path.name == "weekly.yml":
        assert writes == {"plan": set(), "backfill": set(), "weekly": {"contents"}, "deploy": {"pages", "id-token"},
                          "alert": {"issues"}, "for-you": {"issues"}, "keepalive": {"actions"}, "touch-cache": set()}
    else:
        assert all(not granted for granted in writes.values())
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_weekly_triggers_concurrency_and_cache() -> None:
    workflow = load(GITHUB / "workflows" / "weekly.yml")
    monday, midweek = (entry["cron"] for entry in workflow["on"]["schedule"])
    assert monday.endswith("* * 1") and midweek.endswith("* * 4")
    # the update runs on Mondays only; Thursdays only touch the cache (GitHub drops it after 7 idle days)
    assert f"github.event.schedule != '{midweek}'" in workflow["jobs"]["weekly"]["if"]
    assert workflow["jobs"]["touch-cache"]["if"] == f"github.event.schedule == '{midweek}'"
    assert set(workflow["on"]["workflow_dispatch"]["inputs"]) >= {"since", "until", "shards"}
    assert workflow["concurrency"]["cancel-in-progress"] is False  # queue, never two writers of data/
    weekly = workflow["jobs"]["weekly"]
    [cache] = [s for s in weekly["steps"] if str(s.get("uses", "")).startswith("actions/cache@")]
    assert cache["with"]["path"] == ".cache/llm-atlas"
    # a new model, new dependencies or a new search adapter start a fresh cache
    hashed = "hashFiles('pyproject.toml', 'tracker/embedding/data/search_adapter/**')"
    assert f"${{{{ env.EMBEDDING_MODEL }}}}-${{{{ {hashed} }}}}" in cache["with"]["key"]
    assert workflow["env"]["EMBEDDING_MODEL"] == "all-MiniLM-L6-v2"
    [touch] = workflow["jobs"]["touch-cache"]["steps"]
    assert cache["with"]["key"].startswith(touch["with"]["restore-keys"].strip())
    scripts = "\n".join(str(s.get("run", "")) for s in weekly["steps"])
    assert "python scripts/weekly" in scripts and "--merge-shards" in scripts
    assert "jq -r .commit_message" in scripts and "git diff --cached --quiet" in scripts
    uses = [str(s.get("uses", "")) for job in workflow["jobs"].values() for s in job.get("steps", [])]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    keepalive = workflow["jobs"]["keepalive"]
    assert "actions/workflows/weekly.yml/enable" in keepalive["steps"][0]["run"]
    assert "failure" in workflow["jobs"]["alert"]["if"]


def test_the_setup_action_installs_the_cpu_build_of_torch() -> None:
    action = yaml.safe_load((GITHUB / "actions" / "setup-atlas" / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    assert steps[0]["with"]["cache"] == "pip"
    assert steps[1]["env"]["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"


def test_ci_runs_the_test_suite_on_push_and_pull_request() -> None:
    workflow = load(GITHUB / "workflows" / "ci.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    runs = [str(s.get("run", "")) for s in workflow["jobs"]["test"]["steps"]]
    assert ".ci/run" in runs and "make lint" in runs
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_for_you_is_posted_only_when_the_maintainer_turns_it_on() -> None:
    """README "For you": the report is written when a library is kept; the issue only with the variable set."""
    jobs = load(GITHUB / "workflows" / "weekly.yml")["jobs"]
    posting = jobs["for-you"]
    assert "vars.LLM_ATLAS_FOR_YOU_ISSUE == '1'" in posting["if"] and posting["needs"] == "weekly"
    assert "gh issue create" in posting["steps"][-1]["run"]
    weekly = next(s for s in jobs["weekly"]["steps"] if s.get("id") == "weekly")
    assert weekly["env"]["LLM_ATLAS_FOR_YOU_REPORT"].endswith("/for-you.md")
