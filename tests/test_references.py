"""APA 7 references: exact output for the real studies, escaping, order, year suffixes, cache."""

from __future__ import annotations

import html
import os
import re
from dataclasses import replace

import markdown

from conftest import ROOT
from evidence import references as refs
from evidence.cache import Cache, read_entries
from evidence.dataset import load
from evidence.models import Author

DATA = load(ROOT)
STUDIES = {s.id: s for s in DATA.studies}
GOLDEN = ROOT / "tests" / "golden" / "references.html"

HUAMAN = (
    "Huamán Coronel, P. L., & Medina Sotelo, C. G. (2022). Transformación digital en la administración "
    "pública: desafíos para una gobernanza activa en el Perú [Digital transformation in public "
    "administration: challenges for an active governance in Peru]. Comuni@cción, 13(2). "
    "https://doi.org/10.33595/2226-1478.13.2.594"
)


def references_list(studies) -> str:
    return "".join(f'<li id="{sid}">{rendered[0]}</li>\n' for sid, rendered in refs.render_all(studies).items())


def visible_text(fragment: str) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_golden_reference_list():
    """Regenerate with UPDATE_GOLDEN=1 after a deliberate change, and review the diff."""
    produced = references_list(DATA.studies)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(produced, encoding="utf-8")
    assert produced == GOLDEN.read_text(encoding="utf-8")
    assert produced.count("<li ") == 16


def test_huaman_is_apa_7():
    study = STUDIES["huaman-2022"]
    assert refs.reference_text(study, "2022") == HUAMAN
    rendered = refs.reference_html(study, "2022")
    assert "<i>Comuni@cción</i>, <i>13</i>(2)" in rendered
    assert visible_text(rendered) == HUAMAN


def test_doi_is_a_link_and_only_https_addresses_are():
    rendered = refs.reference_html(STUDIES["huaman-2022"])
    assert (
        '<a href="https://doi.org/10.33595/2226-1478.13.2.594">https&#58;//doi.org/10.33595/2226-1478.13.2.594</a>'
    ) in rendered
    for url in ("javascript:alert(1)", "http://example.org/x"):
        study = replace(STUDIES["vicente-2022"], url=url)
        assert "<a" not in refs.reference_html(study)
        assert url in refs.reference_text(study)


def test_hostile_text_appears_literally():
    title = "<script>alert(1)</script> *x* {{ y }} [a](b) _u_ `c` # | \\ \ue000i\ue001 $m$\n- item"
    study = replace(
        STUDIES["huaman-2022"],
        original_title=None,
        title=title,
        authors=(Author("<b>Evil</b>", "A & B"),),
        journal="J *x*",
        doi='10.1/"><script>',
    )
    rendered = refs.reference_html(study)
    assert "<script>" not in rendered and "<b>" not in rendered and "\n" not in rendered
    bare = re.sub(r'<a href="[^"]*">|&#?\w+;', "", rendered)
    assert not set("*_`[]{}#|\\$\ue000\ue001") & set(bare)
    assert visible_text(rendered) == refs.reference_text(study)
    assert " ".join(title.replace("\ue000", "").replace("\ue001", "").split()) in refs.reference_text(study)
    page = markdown.markdown(f"Cite as: {rendered}")
    assert not re.search("<(em|code|script|ul|li)>", page)
    assert visible_text(page) == f"Cite as: {refs.reference_text(study)}"
    assert 'href="https://doi.org/10.1/%22%3E%3Cscript%3E"' in rendered


def test_accented_names_sort_with_their_letters_and_n_tilde_after_n():
    base = STUDIES["valenzuela-2019"]
    names = ["Oblitas", "Zapata", "Ñahui", "Barragán", "Nuñez", "Ángeles", "Nuz", "Nunez", "Élmer", "Egúsquiza"]
    studies = [replace(base, id=f"s{i}", authors=(Author(name),)) for i, name in enumerate(names)]
    order = [s.authors[0].family for s in refs.ordered(studies)]
    assert order == ["Ángeles", "Barragán", "Egúsquiza", "Élmer", "Nunez", "Nuñez", "Nuz", "Ñahui", "Oblitas", "Zapata"]
    assert refs.collate("García-Estrella") == refs.collate("garcia estrella")


def test_reference_list_order_of_the_real_studies():
    order = [s.id for s in refs.ordered(DATA.studies)]
    assert order.index("rodriguez-2023") < order.index("rodriguez-2021")  # Rodríguez Alegre, Rodríguez-Román
    assert order.index("valenzuela-2019") < order.index("valenzuela-2023")  # one author before "et al."
    assert [s["id"] for s in refs.csl_items(DATA.studies)] == order


def test_same_authors_and_year_get_letters_in_title_order():
    base = replace(STUDIES["huaman-2022"], original_title=None, language=None)
    later, earlier = replace(base, id="x-2022", title="Zeta study"), replace(base, id="y-2022", title="Alpha study")
    labels = refs.year_labels([later, earlier, STUDIES["vicente-2022"]])
    assert labels == {"y-2022": "2022a", "x-2022": "2022b", "vicente-2022": "2022"}
    assert "(2022b). Zeta study." in refs.reference_text(later, labels["x-2022"])
    assert refs.in_text(earlier, labels["y-2022"]) == "Huamán Coronel & Medina Sotelo, 2022a"
    assert set(refs.year_labels(DATA.studies).values()) == {str(s.year) for s in DATA.studies}


def test_in_text_citations():
    cited = {
        sid: refs.in_text(STUDIES[sid]) for sid in ("rodriguez-2021", "huaman-2022", "marquez-2022", "vicente-2022")
    }
    assert cited == {
        "rodriguez-2021": "Rodríguez-Román, 2021",
        "huaman-2022": "Huamán Coronel & Medina Sotelo, 2022",
        "marquez-2022": "Márquez Domínguez et al., 2022",
        "vicente-2022": "Vicente et al., 2022",
    }


def test_incomplete_author_list_is_visible_and_no_initials_are_invented():
    text = refs.reference_text(STUDIES["vicente-2022"])
    assert text.startswith("Vicente. (2022). Digitalization")
    assert text.endswith(refs.INCOMPLETE_NOTE)
    assert refs.INCOMPLETE_NOTE not in refs.reference_text(STUDIES["huaman-2022"])


def test_csl_item_has_only_known_fields():
    assert refs.csl_item(STUDIES["vicente-2022"]) == {
        "id": "vicente-2022",
        "type": "article",
        "title": "Digitalization and satisfaction among Peruvian users towards their civil registration office",
        "author": [{"family": "Vicente"}],
        "issued": {"date-parts": [[2022]]},
    }
    paiva = refs.csl_item(STUDIES["paiva-2019"])
    assert paiva["type"] == "paper-conference"
    assert (paiva["collection-title"], paiva["collection-number"], paiva["event-title"]) == (
        "Advances in Intelligent Systems and Computing",
        "930",
        "WorldCIST'19",
    )
    assert refs.csl_item(STUDIES["machuca-vilchez-2023"])["issued"] == {"date-parts": [[2023, 4, 20]]}
    assert refs.csl_item(STUDIES["huaman-2022"])["title"].endswith("governance in Peru]")


def test_review_reference_has_no_date():
    text = refs.review_reference_text(DATA.review)
    assert text.startswith("Jáuregui Iparraguirre, P. K. (n.d.). The Impact of Digital Government")
    assert 'Revista Científica "Visión de Futuro"' in text
    assert '<a href="https://doi.org/10.36995/j.visiondefuturo.2024.29.01.003.en">' in refs.review_reference_html(
        DATA.review
    )


def test_cache_gives_the_same_result_and_survives_damage(tmp_path):
    studies = DATA.studies[:3]
    fresh = refs.render_all(studies)
    assert refs.render_all(studies, Cache(tmp_path)) == fresh
    assert len(read_entries(tmp_path / "references.cache")[0]) == 3
    (tmp_path / "references.cache").write_text("not json", encoding="utf-8")
    assert refs.render_all(studies, Cache(tmp_path)) == fresh
    assert len(read_entries(tmp_path / "references.cache")[0]) == 3


def test_a_rendering_put_earlier_in_the_run_is_a_hit(tmp_path, monkeypatch):
    """The second edition finds in the cache what the first rendered in the same run: nothing is rendered twice."""
    rendered = []
    render_many = refs._render_many
    monkeypatch.setattr(refs, "_render_many", lambda items: rendered.extend(items) or render_many(items))
    cache = Cache(tmp_path)
    first = refs.render_all(DATA.studies, cache)
    assert len(rendered) == 16
    assert refs.render_all(DATA.studies, cache) == first and len(rendered) == 16
    assert refs.render_all(DATA.studies) == first and len(rendered) == 32  # without a cache, rendered again


def test_lookups_answered_once_give_what_citeproc_gives(monkeypatch):
    """The references of many different studies are the same with citeproc's own lookups as with those answered
    once per element (see references.py)."""
    from citeproc import model
    from citeproc.source import CitationItem

    studies = [
        replace(
            STUDIES[sid],
            id=f"{sid}-{n}",
            authors_complete=bool(n % 2),
            pages=None if n % 3 else "1–14",
            doi=None if n % 2 else STUDIES[sid].doi,
            language=None if n == 2 else STUDIES[sid].language,
        )
        for n in range(3)
        for sid in sorted(STUDIES)
    ]
    remembered = refs.render_all(studies)
    assert not refs._REFERENCES  # emptied after each reference
    for owner in (model.Parent, model.Text):
        monkeypatch.setattr(owner, "calls_variable", owner.__dict__["calls_variable"].__wrapped__)
    monkeypatch.setattr(model.CitationStylesElement, "xpath_search", refs._search)
    monkeypatch.setattr(CitationItem, "reference", property(refs._get_reference))
    assert refs.render_all(studies) == remembered
