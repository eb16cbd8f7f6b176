"""Synthetic evidence bases of any size, valid against the schema, for benchmarks.

Realistic field lengths, accented and compound Spanish names, every trend and
group, years 2019-2023. Deterministic: the same N gives the same files.
"""

from __future__ import annotations

import os
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import yaml

from evidence import fmt
from evidence.generate import GENERATED_FILES, GENERATED_FOLDERS

ROOT = Path(__file__).resolve().parent.parent

FAMILIES = [
    "Huamán Coronel",
    "García-Estrella",
    "Núñez del Prado",
    "Rodríguez-Román",
    "Ñahui Quispe",
    "Álvarez Cárdenas",
    "Machuca-Vílchez",
    "Pérez Ríos",
    "Quispe Mamani",
    "Ávila Zúñiga",
    "Olórtegui",
    "Benavides",
    "Castañeda Ruiz",
    "Díaz de la Vega",
    "Espinoza",
    "Fernández Ñique",
    "Gálvez",
    "Ibáñez",
    "López Padilla",
    "Márquez Domínguez",
    "Ordóñez",
    "Sánchez-Cerro",
    "Túpac Yupanqui",
    "Úrsula Vera",
]
GIVENS = [
    "Pepe Luis",
    "Rosario del Pilar",
    "María José",
    "Ángel",
    "Inés",
    "José Manuel",
    "Lucía",
    "Raúl",
    "Begoña",
    "Martín",
    "Sofía Elena",
    "Germán",
]
WORDS = (
    "digital government public administration citizen services municipal transparency open data "
    "interoperability electronic identity modernization policy regional local e-participation trust "
    "satisfaction platform procurement Peru Lima Cusco Arequipa inclusión gestión pública"
).split()
JOURNALS = [
    "Revista Española de la Transparencia",
    "Comuni@cción",
    "Enfoque UTE",
    "Revista Venezolana de Gerencia",
    "Knowledge and Performance Management",
    "Revista Arbitrada Interdisciplinaria Koinonía",
]


def _slug(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize()


def study(rng: random.Random, index: int, trends: list[str], groups: list[str]) -> dict:
    year = rng.randint(2019, 2023)
    authors = [{"family": rng.choice(FAMILIES), "given": rng.choice(GIVENS)} for _ in range(rng.randint(1, 4))]
    data = {
        "id": f"{_slug(authors[0]['family'].split()[0])}-{year}-{index}",
        "title": _sentence(rng, 8, 22),
        "year": year,
        "authors": authors,
        "finding": ". ".join(_sentence(rng, 10, 25) for _ in range(rng.randint(2, 4))) + ".",
        "trends": sorted(rng.sample(trends, rng.randint(1, 2))),
        "group": groups[index % len(groups)],
    }
    if rng.random() < 0.6:
        data.update(
            {
                "language": rng.choice(["es", "en"]),
                "type": "journal-article",
                "journal": rng.choice(JOURNALS),
                "volume": str(rng.randint(1, 30)),
                "issue": str(rng.randint(1, 4)),
                "doi": f"10.5555/bench.{index}",
                "sources": [f"https://example.org/record/{index}"],
            }
        )
    return data


def make(target: Path, n: int) -> Path:
    """A repository folder with review.yml, the review's 16 studies and n - 16 synthetic ones (n >= 16), and the
    site's own docs and config."""
    if target.exists():
        shutil.rmtree(target)
    (target / "studies").mkdir(parents=True)
    shutil.copy(ROOT / "review.yml", target / "review.yml")
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(
        ROOT / "docs",
        target / "docs",
        # the generated pages are made again for the synthetic studies
        ignore=shutil.ignore_patterns(*(folder.split("/")[-1] for folder in GENERATED_FOLDERS), *GENERATED_FILES),
    )
    for linked in ("evidence", "templates", "schema", "overrides", "locale"):
        os.symlink(ROOT / linked, target / linked)
    review = yaml.safe_load((ROOT / "review.yml").read_text(encoding="utf-8"))
    trends = [t["id"] for t in review["trends"]]
    groups = [g["id"] for g in review["groups"]]
    real = sorted(p for p in (ROOT / "studies").glob("*.yml") if not p.name.startswith("_"))
    for file in real:
        shutil.copy(file, target / "studies" / file.name)
    rng = random.Random(n)
    texts = [
        "# yaml-language-server: $schema=../schema/study.schema.json\n"
        + yaml.safe_dump(study(rng, index, trends, groups), allow_unicode=True, sort_keys=False, width=100)
        for index in range(max(0, n - len(real)))
    ]
    with ProcessPoolExecutor(mp_context=get_context("fork")) as pool:  # in the layout `fmt` keeps
        texts = list(pool.map(fmt.canonical, texts, chunksize=64))
    for text in texts:
        study_id = yaml.safe_load(text)["id"]
        (target / "studies" / f"{study_id}.yml").write_text(text, encoding="utf-8")
    return target
