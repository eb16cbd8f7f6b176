"""The GitHub side: workflows, issue form, templates, Dependabot and pre-commit.

Everything here runs offline. The GitHub file formats are validated with the
schemas vendored inside check-jsonschema (no download), and the rules that
keep the workflows safe and the issue form in step with review.yml are
asserted on the parsed YAML.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ISSUE_FORM = GITHUB / "ISSUE_TEMPLATE" / "suggest-a-study.yml"
ISSUE_CONFIG = GITHUB / "ISSUE_TEMPLATE" / "config.yml"
DEPENDABOT = GITHUB / "dependabot.yml"
PR_TEMPLATE = GITHUB / "PULL_REQUEST_TEMPLATE.md"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"

# An action pinned to a full commit SHA, with the version it is in a comment (as Dependabot keeps them).
PINNED = re.compile(r"^\s*(- )?uses: [A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> set[str]:
    """Event names of a workflow. PyYAML reads the key `on` as the boolean True."""
    on = workflow.get(True, workflow.get("on"))
    if isinstance(on, str):
        return {on}
    return set(on)


def jobs(workflow: dict) -> dict[str, dict]:
    return workflow["jobs"]


def steps(workflow: dict) -> list[dict]:
    return [step for job in jobs(workflow).values() for step in job.get("steps", [])]


def uses(workflow: dict) -> list[str]:
    """Every `uses:` of a workflow: steps' actions and jobs' reusable workflows."""
    found = [job["uses"] for job in jobs(workflow).values() if "uses" in job]
    return found + [step["uses"] for step in steps(workflow) if "uses" in step]


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def step_using(workflow: dict, action: str, job: str | None = None) -> dict:
    found = jobs(workflow)[job].get("steps", []) if job else steps(workflow)
    matches = [step for step in found if step.get("uses", "").startswith(action + "@")]
    assert len(matches) == 1, f"expected one step using {action}"
    return matches[0]


def step_running(workflow: dict, job: str, command: str) -> dict:
    matches = [step for step in jobs(workflow)[job]["steps"] if command in step.get("run", "")]
    assert len(matches) == 1, f"expected one step of {job} running {command!r}"
    return matches[0]


@pytest.fixture(scope="module")
def ci() -> dict:
    return read_yaml(GITHUB / "workflows" / "ci.yml")


@pytest.fixture(scope="module")
def pages() -> dict:
    return read_yaml(GITHUB / "workflows" / "pages.yml")


@pytest.fixture(scope="module")
def review() -> dict:
    return read_yaml(ROOT / "review.yml")


@pytest.fixture(scope="module")
def form() -> dict:
    return read_yaml(ISSUE_FORM)


def form_field(form: dict, field_id: str) -> dict:
    matches = [item for item in form["body"] if item.get("id") == field_id]
    assert len(matches) == 1, f"expected one field with id {field_id!r}"
    return matches[0]


# Schemas ---------------------------------------------------------------------


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    """Run check-jsonschema with one of its vendored schemas. A proxy that goes
    nowhere makes sure nothing is fetched from the network."""
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "https_proxy": dead}
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, "--color", "never", *map(str, files)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_expected_workflows_exist():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "pages.yml"]


@pytest.mark.parametrize(
    ("schema", "files"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("custom.github-workflows-require-timeout", WORKFLOWS),
        ("vendor.github-issue-forms", [ISSUE_FORM]),
        ("vendor.github-issue-config", [ISSUE_CONFIG]),
        ("vendor.dependabot", [DEPENDABOT]),
    ],
    ids=["workflows", "workflows-timeout", "issue-form", "issue-config", "dependabot"],
)
def test_github_files_match_their_vendored_schema(schema, files):
    result = check_jsonschema(schema, *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    """Guards the test above: the vendored schema really is applied."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    stepz: []\n", encoding="utf-8")
    result = check_jsonschema("vendor.github-workflows", broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "stepz" in result.stdout


# Every workflow ------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_never_uses_pull_request_target(path):
    """A pull request's code is untrusted: it must never run with write access."""
    assert "pull_request_target" not in triggers(read_yaml(path))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_grants_permissions_per_job_only(path):
    workflow = read_yaml(path)
    assert workflow.get("permissions") == {}, "the workflow-wide default should grant nothing"
    for name, job in jobs(workflow).items():
        assert "permissions" in job, f"job {name!r} has no permissions"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_has_concurrency(path):
    concurrency = read_yaml(path).get("concurrency")
    assert concurrency and concurrency.get("group")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path):
    found = uses(read_yaml(path))
    assert found
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(- )?uses:", line)]
    assert len(lines) == len(found)
    for line in lines:
        assert PINNED.match(line), f"{line.strip()!r} is not pinned to a commit SHA with its version in a comment"


def test_zizmor_finds_nothing_offline():
    """zizmor's audits of the workflows and Dependabot (pinned in requirements-dev.txt), without the network."""
    zizmor = Path(sys.executable).parent / "zizmor"
    assert zizmor.exists(), "zizmor is not installed (pip install -r requirements-dev.txt)"
    result = subprocess.run(
        [str(zizmor), "--offline", "--persona", "pedantic", str(GITHUB)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


# CI ------------------------------------------------------------------------


def test_ci_runs_on_pull_requests_and_pushes(ci):
    assert triggers(ci) == {"pull_request", "push"}
    assert ci["concurrency"]["cancel-in-progress"] is True
    assert "${{ github.ref }}" in ci["concurrency"]["group"]
    assert "${{ github.workflow }}" in ci["concurrency"]["group"]


def test_ci_only_reads(ci):
    for job in jobs(ci).values():
        assert job["permissions"] == {"contents": "read"}


def test_ci_sets_up_python_with_a_pip_cache(ci):
    for name in jobs(ci):
        setup = step_using(ci, "actions/setup-python", name)["with"]
        assert setup["python-version"] == "3.11"
        assert setup["cache"] == "pip"
        assert "requirements" in setup["cache-dependency-path"]
        assert step_using(ci, "actions/checkout", name)["with"]["persist-credentials"] is False


def test_ci_checks_the_data_first_and_alone(ci):
    """The check job needs no other job and installs only the build's packages, so it answers in about a minute;
    the tests and the build wait for it."""
    assert list(jobs(ci))[0] == "check"
    check = jobs(ci)["check"]
    assert "needs" not in check and check["timeout-minutes"] <= 10
    script = "\n".join(step["run"] for step in check["steps"] if "run" in step)
    assert script == "make venv\n.venv/bin/python build_site.py check --format github"
    assert jobs(ci)["test"]["needs"] == "check"
    assert jobs(ci)["build"]["needs"] == "check"
    assert "needs" not in jobs(ci)["lint"]


def test_ci_lints_with_the_pre_commit_hooks(ci):
    step_running(ci, "lint", "make lint")


def test_ci_tests_with_playwrights_chromium(ci):
    install = step_running(ci, "test", "playwright install --with-deps chromium")
    assert 'echo "path=$path" >> "$GITHUB_OUTPUT"' in install["run"]
    test = step_running(ci, "test", "make test")
    assert test["env"] == {"CHROMIUM": f"${{{{ steps.{install['id']}.outputs.path }}}}"}
    order = [step.get("run", "") for step in jobs(ci)["test"]["steps"]]
    assert order.index(install["run"]) < order.index(test["run"])


def test_ci_builds_a_preview_and_summarises(ci):
    build = step_running(ci, "build", "make site")
    assert build["env"] == {"REPO_URL": "${{ github.server_url }}/${{ github.repository }}"}  # no SITE_URL: local
    assert step_using(ci, "actions/checkout", "build")["with"]["fetch-depth"] == 0
    assert step_using(ci, "actions/upload-artifact", "build")["with"]["path"].rstrip("/") == "site"
    summary = step_running(ci, "build", "build_site.py diff --base")
    assert "$GITHUB_STEP_SUMMARY" in summary["run"]
    assert "github.event.pull_request.base.sha" in summary["env"]["BASE"]
    assert "github.event.before" in summary["env"]["BASE"]


# Pages ---------------------------------------------------------------------


def test_pages_deploys_from_main(pages):
    on = pages.get(True, pages.get("on"))
    assert set(on) == {"push", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"]
    assert pages["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_pages_builds_for_its_address_then_deploys(pages):
    configure = step_using(pages, "actions/configure-pages", "build")
    build = step_running(pages, "build", "make site")
    assert build["env"] == {
        "SITE_URL": f"${{{{ steps.{configure['id']}.outputs.base_url }}}}",
        "REPO_URL": "${{ github.server_url }}/${{ github.repository }}",
    }
    assert "make check" in runs(pages)
    assert step_using(pages, "actions/upload-pages-artifact")["with"]["path"] == "site"
    deploy = jobs(pages)["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    step = step_using(pages, "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"


def test_only_the_deploy_job_can_write(pages):
    for name, job in jobs(pages).items():
        if name == "deploy":
            assert job["permissions"] == {"pages": "write", "id-token": "write"}
        else:
            assert job["permissions"] == {"contents": "read", "pages": "read"}, name


# Issue form ----------------------------------------------------------------


def test_issue_form_trends_match_review(form, review):
    options = [option["label"] for option in form_field(form, "trends")["attributes"]["options"]]
    assert options == [trend["name"] for trend in review["trends"]]


def test_issue_form_groups_match_review(form, review):
    assert form_field(form, "group")["attributes"]["options"] == [group["name"] for group in review["groups"]]


def test_issue_form_fields(form):
    assert form["labels"] == ["study suggestion"]
    assert form["body"][0]["type"] == "markdown"
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert len(ids) == len(set(ids))
    required = {item["id"] for item in form["body"] if item.get("validations", {}).get("required")}
    assert required == {"title", "year", "finding", "sources"}
    assert form_field(form, "finding")["type"] == "textarea"
    assert form_field(form, "sources")["type"] == "textarea"
    assert form_field(form, "trends")["type"] == "checkboxes"
    assert form_field(form, "group")["type"] == "dropdown"


def test_blank_issues_stay_enabled():
    assert read_yaml(ISSUE_CONFIG) == {"blank_issues_enabled": True}


# Other files ---------------------------------------------------------------


def test_dependabot_updates_packages_and_actions():
    config = read_yaml(DEPENDABOT)
    assert config["version"] == 2
    ecosystems = {(u["package-ecosystem"], u["directory"], u["schedule"]["interval"]) for u in config["updates"]}
    assert ecosystems == {("pip", "/", "weekly"), ("npm", "/", "weekly"), ("github-actions", "/", "weekly")}
    assert all(u["cooldown"]["default-days"] >= 7 for u in config["updates"])


def test_pull_request_template_has_the_checklist():
    text = PR_TEMPLATE.read_text(encoding="utf-8")
    assert "make check" in text
    assert "sources" in text and "review.yml" in text and "DOI" in text
    assert text.count("- [ ]") >= 5


def pre_commit_hooks() -> dict[str, dict]:
    """The hooks by id. One local repository: pre-commit clones nothing."""
    [repo] = read_yaml(PRE_COMMIT)["repos"]
    assert repo["repo"] == "local"
    return {hook["id"]: hook for hook in repo["hooks"]}


def test_pre_commit_hook_runs_the_checker_on_the_data():
    hook = pre_commit_hooks()["check-studies"]
    assert hook["entry"] == "python build_site.py check"
    assert hook["language"] == "system"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ["studies/vicente-2022.yml", "review.yml", "schema/study.schema.json"]:
        assert files.search(path), path
    for path in ["docs/index.md", "studies/notes.txt", "tests/review.yml", "evidence/cli.py"]:
        assert not files.search(path), path


def test_pre_commit_runs_the_linters_pinned_in_requirements_dev():
    hooks = pre_commit_hooks()
    assert set(hooks) == {"check-studies", "ruff-check", "ruff-format", "zizmor"}
    assert all(hook["language"] == "system" for hook in hooks.values())  # the environment's tools, no download
    assert hooks["ruff-check"]["entry"] == "ruff check"
    assert hooks["ruff-format"]["entry"] == "ruff format --check"
    assert hooks["zizmor"]["entry"] == "zizmor --offline .github/"
    files = re.compile(hooks["zizmor"]["files"])
    assert files.search(".github/workflows/ci.yml") and files.search(".github/dependabot.yml")
    assert not files.search(".github/ISSUE_TEMPLATE/config.yml")
    pins = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    for tool in ("pre-commit", "ruff", "zizmor"):
        assert re.search(rf"^{tool}==\d+(\.\d+)+$", pins, flags=re.M), tool


def test_ruff_is_configured_in_pyproject():
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert ruff["line-length"] == 120
    assert {"E", "F", "W", "I"} <= set(ruff["lint"]["select"])


def test_make_lint_runs_the_hooks_with_the_environment_on_the_path():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(
        r"^lint: .*\n\tPATH=\"\$\(CURDIR\)/\$\(VENV\)/bin:\$\$PATH\" \$\(VENV\)/bin/pre-commit run --all-files$",
        makefile,
        flags=re.M,
    )


def test_contributing_names_real_make_targets():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.M))
    mentioned = set(re.findall(r"`make ([a-z-]+)`", text))
    assert {"check", "serve", "test", "site"} <= mentioned
    assert mentioned <= targets, mentioned - targets


def test_contributing_quotes_a_message_the_checker_really_prints(repo):
    template = (ROOT / "studies" / "vicente-2022.yml").read_text(encoding="utf-8")
    broken = re.sub(r"(?m)^year: .*$", "year: twenty", template)
    result = run_cli(repo({"studies/vicente-2022.yml": broken}), "check")
    message = "`year` must be a whole number such as 2022; got 'twenty'"
    assert message in result.stdout
    assert message in CONTRIBUTING.read_text(encoding="utf-8")
