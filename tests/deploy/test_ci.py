"""The workflows in deploy/ for git hosts: valid, runnable without Node, and the address record
survives them.

The end-to-end test plays the git host: a bare repository as the host's copy, a site from
`litfass init` pushed to it, and each workflow's shell steps taken from its YAML and run by
bash in order, in a fresh folder, as the host's runner would (the steps that are actions, such
as actions/checkout, the test does itself). The site installs litfass from its own
requirements.txt: a wheel of this checkout. A rename pushed to the host and built by the
workflow must still answer 301 at the old address, because the workflow committed
addresses.yaml back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_package import built_wheel, clean_env

from conftest import REPO
from litfass.outputs.redirects import read_redirects

DEPLOY = REPO / "deploy"
# Labels the runners of each host have: Forgejo's runner registered with its defaults, Codeberg's
# hosted runners. actionlint knows GitHub's own labels.
FORGEJO_LABELS = ("docker", "codeberg-tiny", "codeberg-small", "codeberg-medium")
FORGEJO = ("forgejo-actions.yml", "codeberg-pages.yml")
GITHUB = ("github-actions.yml", "github-pages.yml")
GITLAB = ("gitlab-ci.yml", "gitlab-pages-ci.yml")
PUBLISHING = ("forgejo-actions.yml", "github-actions.yml", "gitlab-ci.yml")
PUBLISH_LINE = 'python build.py publish ${LITFASS_DESTINATION:+"$LITFASS_DESTINATION"} "$@"'
BOT = "litfass-bot"
# Every workflow's first step after the checkout, word for word (checked below): run once for
# the module by `runner`, and left out of each run, which finds its effect in place.
INSTALL = "python -m pip install --quiet --no-cache-dir -r requirements.txt"
OLD, NEW = "/aktuelles/willkommen/", "/aktuelles/hallo-welt/"


def load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


def steps_of(name: str) -> list[dict]:
    """The steps of the job that builds (the first job)."""
    jobs = load(name)["jobs"]
    return next(iter(jobs.values()))["steps"]


@pytest.mark.parametrize("name", FORGEJO + GITHUB)
def test_actions_workflows_pass_actionlint(name: str, tmp_path: Path) -> None:
    config = tmp_path / "actionlint.yaml"
    labels = FORGEJO_LABELS if name in FORGEJO else ()  # GitHub's own labels only on GitHub
    config.write_text(yaml.safe_dump({"self-hosted-runner": {"labels": list(labels)}}))
    linted = subprocess.run(
        ["actionlint", "-config-file", str(config), "-no-color", str(DEPLOY / name)],
        capture_output=True,
        text=True,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize("name", FORGEJO)
def test_forgejo_workflows_need_no_node_and_run_on_a_forgejo_label(name: str) -> None:
    (job,) = load(name)["jobs"].values()
    assert job["runs-on"] in FORGEJO_LABELS
    assert job["container"]["image"].startswith("python:")  # git and Python, no Node
    assert not [step for step in job["steps"] if "uses" in step]  # actions are Node programs
    clone = job["steps"][0]["run"]
    assert "git clone" in clone and "http.extraHeader" in clone  # the token never in a URL
    assert "TOKEN@" not in clone and "TOKEN}@" not in clone


@pytest.mark.parametrize("name", GITHUB)
def test_github_workflows_run_on_github_and_may_push(name: str) -> None:
    workflow = load(name)
    assert {job["runs-on"] for job in workflow["jobs"].values()} == {"ubuntu-latest"}
    assert workflow["permissions"]["contents"] == "write"


@pytest.mark.parametrize("name", GITLAB)
def test_gitlab_pipelines_have_what_gitlab_requires(name: str, tmp_path: Path) -> None:
    pipeline = load(name)
    assert pipeline["image"].startswith("python:")
    keywords = {"image", "workflow", "variables", "stages", "default", "include"}
    jobs = {key: value for key, value in pipeline.items() if key not in keywords}
    assert len(jobs) == 1
    (job_name, job), *_ = jobs.items()
    assert all(isinstance(line, str) for line in job["script"])
    assert isinstance(pipeline["workflow"]["rules"][0]["if"], str)
    script = tmp_path / "script.sh"
    script.write_text("\n".join(job["script"]), encoding="utf-8")
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0  # runners may use sh
    if name == "gitlab-pages-ci.yml":
        assert job_name == "pages" and job["artifacts"]["paths"] == ["public"]


@pytest.mark.parametrize("name", FORGEJO + GITHUB + GITLAB)
def test_workflows_build_strict_on_a_schedule_and_keep_the_address_record(name: str) -> None:
    text = (DEPLOY / name).read_text(encoding="utf-8")
    assert "python build.py --strict" in text and "rsync" not in text
    assert "requirements.txt" in text and "pip install litfass" not in text
    assert "git add addresses.yaml" in text and "[skip ci]" in text
    assert "TOKEN@" not in text and "TOKEN}@" not in text  # tokens go in a header, not a URL
    if name in PUBLISHING:
        assert PUBLISH_LINE in text
    assert text.count(INSTALL) == 1  # the step `runner` runs for every workflow
    if name not in GITLAB:  # GitLab's schedules are set in its settings, not in the file
        assert load(name)[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key `on` as True


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Another version than the editable install in this environment, so that pip installs it.
    return built_wheel(tmp_path_factory.mktemp("wheel"), version="0.1.0+ci")


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> dict[str, str]:
    """A runner's environment (no git identity of its own) in which the workflows' install
    step, the same in each, ran once: litfass installed from a site's requirements.txt."""
    tmp = tmp_path_factory.mktemp("runner")
    venv = tmp / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
    )
    home = tmp / "home"
    home.mkdir()
    env = {
        **clean_env(),
        "HOME": str(home),
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "PIP_NO_INDEX": "1",  # everything but the wheel is in the environment already
        "GIT_CONFIG_NOSYSTEM": "1",
        "LANG": "C.UTF-8",
    }
    (tmp / "requirements.txt").write_text(f"litfass @ {wheel.as_uri()}\n")
    done = subprocess.run(INSTALL, shell=True, cwd=tmp, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    installed = subprocess.run(
        ["python", "-c", "import litfass, sys; sys.stdout.write(litfass.__file__)"],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert installed.stdout.startswith(str(venv)), installed.stdout  # the wheel, not the checkout
    return env


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory, runner: dict[str, str]) -> Path:
    """A site as `litfass init` makes it, made once and copied into each host's repository."""
    site = tmp_path_factory.mktemp("init") / "site"
    made = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "init", str(site)],
        env={**runner, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    shutil.rmtree(site / "output")
    (site / "addresses.yaml").unlink()  # as if `init` had been run elsewhere
    return site


class Host:
    """A git host: its repository, an author's clone, and runs of a workflow."""

    def __init__(self, tmp: Path, workflow: str, env: dict[str, str]) -> None:
        self.tmp, self.workflow, self.env = tmp, workflow, env
        self.origin = tmp / "origin.git"
        self.live = tmp / "live"  # the web space `publish` writes to
        self.runs = 0
        self.git("init", "--quiet", "--bare", "-b", "main", str(self.origin))
        self.author = tmp / "author"
        self.git("clone", "--quiet", str(self.origin), str(self.author))

    def git(self, *args: str, cwd: Path | None = None, author: bool = False) -> str:
        env = dict(self.env)
        if author:
            env |= {
                "GIT_AUTHOR_NAME": "Pressestelle",
                "GIT_AUTHOR_EMAIL": "presse@verein.example",
                "GIT_COMMITTER_NAME": "Pressestelle",
                "GIT_COMMITTER_EMAIL": "presse@verein.example",
            }
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def push(self, message: str) -> None:
        self.git("add", "--all", cwd=self.author)
        self.git("commit", "--quiet", "-m", message, cwd=self.author, author=True)
        self.git("push", "--quiet", "origin", "HEAD:main", cwd=self.author)

    def log(self) -> list[tuple[str, str]]:
        lines = self.git("log", "--format=%an%x09%s", "main", cwd=self.origin).splitlines()
        return [tuple(line.split("\t", 1)) for line in lines]  # type: ignore[misc]

    def ci(self) -> Path:
        """Run the workflow's build job in a fresh folder; return that folder. `publish` is the
        real one, to a folder standing in for the web space (its SFTP and FTP transports are
        tested against real servers in test_publish.py)."""
        self.runs += 1
        workspace = self.tmp / f"run-{self.runs}"
        workspace.mkdir()
        values = {  # what the host fills in for ${{ ... }}; secrets and variables unset
            "REPO_URL": self.origin.as_uri(),
            "BRANCH": "main",
            "GIT_TOKEN": "",
            "PUSH_URL": self.origin.as_uri(),
            "LITFASS_DESTINATION": str(self.live),
        }
        pipeline = load(self.workflow)
        if self.workflow in GITLAB:
            self.git("clone", "--quiet", str(self.origin), ".", cwd=workspace)
            self.git("checkout", "--quiet", "--detach", cwd=workspace)  # as GitLab checks out
            (job,) = (pipeline[key] for key in ("website", "pages") if key in pipeline)
            env = {key: values.get(key, "") for key in pipeline["variables"]}
            env["LITFASS_DESTINATION"] = values["LITFASS_DESTINATION"]  # set in its settings
            scripts = ["\n".join(line for line in job["script"] if line != INSTALL)]
        else:
            job = next(iter(pipeline["jobs"].values()))
            env = {key: values.get(key, "") for key in job["env"]}
            scripts = []
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    self.git("clone", "--quiet", str(self.origin), ".", cwd=workspace)
                elif "run" in step and step["run"] != INSTALL:
                    scripts.append(step["run"])
        for number, script in enumerate(scripts):
            path = self.tmp / f"step-{self.runs}-{number}.sh"
            path.write_text(script, encoding="utf-8")
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
                cwd=workspace,
                env={**self.env, **env},
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        return workspace


def built_site(host: Host, workspace: Path) -> Path:
    """Where this run's site went: the web space, the Pages artifact or the pages branch."""
    if host.workflow in PUBLISHING:
        return host.live
    if host.workflow == "gitlab-pages-ci.yml":
        return workspace / "public"
    if host.workflow == "codeberg-pages.yml":
        pages = host.tmp / f"pages-{host.runs}"
        host.git("clone", "--quiet", "--branch", "pages", str(host.origin), str(pages))
        return pages
    return workspace / "output"  # github-pages.yml: what upload-pages-artifact takes


@pytest.mark.parametrize("workflow", FORGEJO + GITHUB + GITLAB)
def test_a_rename_on_the_git_host_built_by_ci_still_answers_301(
    workflow: str, tmp_path: Path, wheel: Path, runner: dict[str, str], started: Path
) -> None:
    host = Host(tmp_path, workflow, runner)
    shutil.copytree(started, host.author, dirs_exist_ok=True)  # the repository is the site
    (host.author / "requirements.txt").write_text(f"litfass @ {wheel.as_uri()}\n")
    target = ".gitlab-ci.yml" if workflow in GITLAB else f".forgejo/workflows/{workflow}"
    (host.author / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEPLOY / workflow, host.author / target)
    host.push("Neues Portal")

    first = built_site(host, host.ci())
    assert (first / OLD.strip("/") / "index.html").is_file()
    assert host.log()[0] == (BOT, "addresses.yaml nach dem Bauen [skip ci]")
    changed = host.git("show", "--name-only", "--format=", "main", cwd=host.origin).split()
    assert changed == ["addresses.yaml"]  # the bot commits nothing else

    host.git("pull", "--quiet", "--rebase", cwd=host.author)
    host.git("mv", "content/news/willkommen.md", "content/news/hallo-welt.md", cwd=host.author)
    host.push("Beitrag umbenannt")
    workspace = host.ci()
    second = built_site(host, workspace)
    assert (second / NEW.strip("/") / "index.html").is_file()
    moved = read_redirects((second / "redirects.nginx").read_bytes())
    assert moved[OLD.encode()].endswith(NEW.encode())
    assert [who for who, _ in host.log()[:3]] == [BOT, "Pressestelle", BOT]
    record = yaml.safe_load(host.git("show", "main:addresses.yaml", cwd=host.origin))
    assert record[OLD]["urls"] == [OLD, NEW]

    if workflow in PUBLISHING:  # the same steps in the Pages variants: run them once per host
        before = host.log()
        host.ci()  # the hourly run: nothing changed, nothing to commit
        assert host.log() == before
        assert read_redirects((host.live / "redirects.nginx").read_bytes()) == moved
