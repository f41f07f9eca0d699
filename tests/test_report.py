"""The self-contained HTML report: content, escaping and isolation."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from analysis_frames import reference_frames, synthetic_appropriateness, synthetic_stigma

from therapy_audit.analysis import report
from therapy_audit.analysis.figures import plain

SCRIPT = "<script>window.__pwned=1;console.error('pwned')</script>"
IMG = '<img src=x onerror="window.__pwned=1">'


class _Collector(HTMLParser):
    """Tags, attributes and visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Collector:
    c = _Collector()
    c.feed(page)
    return c


def hostile_frame() -> pd.DataFrame:
    """Samples whose every run-derived string carries an HTML/JS payload."""
    st = synthetic_stigma(model=f"evil{SCRIPT}", system_prompt=f"p{IMG}")
    st.loc[st.index[:3], ["raw_output", "parse_status", "code", "stigma"]] = [
        f"Z {SCRIPT}", "unparseable", float("nan"), float("nan")]
    ap = synthetic_appropriateness(model=f"bot{IMG}", judge=f"judge{SCRIPT}",
                                   response=f"Sure. {SCRIPT} {IMG}")
    ap["stimulus_id"] = ap["stimulus_id"] + IMG
    ap["judge_detail"] = f"rule {IMG}"
    ap["sample_id"] = ap["sample_id"] + SCRIPT
    both = pd.concat([st, ap], ignore_index=True)
    both["run_dir"] = f"runs/{SCRIPT}"
    both["log_file"] = f"log{IMG}.eval"
    return both


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("rep") / "report.html"
    report.write_report(hostile_frame(), out, title=f"Audit {IMG}")
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def synthetic_page(tmp_path_factory) -> tuple[str, object]:
    tmp = tmp_path_factory.mktemp("rep2")
    df = pd.concat([
        synthetic_stigma("m1", "none"), synthetic_stigma("m2", "steel-man"),
        synthetic_appropriateness("m1", "none", rate=0.9, judge="rules-v1"),
        synthetic_appropriateness("m2", "steel-man", rate=0.4, judge="rules-v1"),
    ], ignore_index=True)
    path = report.write_report(df, tmp / "r.html", csv_dir=tmp / "csv")
    return path.read_text(encoding="utf-8"), tmp


def test_payloads_are_escaped_everywhere(hostile_page):
    assert SCRIPT not in hostile_page
    assert IMG not in hostile_page
    assert "onerror=" not in hostile_page.replace(html.escape("onerror=", quote=True), "")
    assert html.escape(SCRIPT, quote=True) in hostile_page
    assert html.escape(IMG, quote=True) in hostile_page
    tags = _parse(hostile_page).tags
    assert not [t for t, _ in tags if t == "script"]
    for tag, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,")


def test_page_loads_nothing_from_outside(synthetic_page, hostile_page):
    for page in (synthetic_page[0], hostile_page):
        tags = _parse(page).tags
        assert not [t for t, _ in tags if t in ("script", "link", "iframe", "object", "embed")]
        for tag, attrs in tags:
            for key in ("src", "href", "srcset", "poster", "data"):
                value = attrs.get(key)
                if value is not None:
                    assert value.startswith(("data:image/png;base64,", "#")), (tag, key, value)
        assert "@import" not in page and "url(" not in page
        csp = [a["content"] for t, a in tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
        assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]


def test_report_has_every_section_and_names_judges(synthetic_page):
    page, tmp = synthetic_page
    for section in ("summary", "stigma", "attribution", "appropriateness", "outcomes",
                    "significance", "methods", "appendix"):
        assert f'<section id="{section}">' in page
    assert "In plain terms:" in page
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    appropriateness = [c for c in captions if "appropriate" in c.lower()]
    assert len(appropriateness) == 2 and all("rules-v1" in c for c in appropriateness)
    alts = re.findall(r'<img src="[^"]+" alt="([^"]*)"', page)
    assert len(alts) == len(captions) == 5 and all(alts)
    assert "93.75%" in page and "Pescosolido" in page
    assert (tmp / "csv" / "stigma_by_condition.csv").exists()
    assert (tmp / "csv" / "appropriateness_by_message_number.csv").exists()


def test_stigma_only_report_says_appropriateness_is_absent(tmp_path):
    out = report.write_report(synthetic_stigma(), tmp_path / "s.html")
    page = out.read_text(encoding="utf-8")
    assert "contain no appropriate-responses samples" in page
    assert "judge:" not in page.lower().replace("judges (0)", "")
    assert page.count("<img ") == 3


def test_appropriateness_only_report_says_stigma_is_absent(tmp_path):
    out = report.write_report(synthetic_appropriateness(), tmp_path / "a.html")
    page = out.read_text(encoding="utf-8")
    assert "contain no stigma samples" in page
    assert page.count("<img ") == 2


def test_empty_sample_table_still_writes_a_page(tmp_path):
    page = report.write_report(pd.DataFrame(), tmp_path / "e.html").read_text()
    assert "no samples" in page


def test_appendix_lists_every_response_with_its_verdict_and_judge(tmp_path):
    df = synthetic_appropriateness(per_stimulus=2, response="Reply number X")
    page = report.write_report(df, tmp_path / "a.html").read_text()
    appendix = page.split('<section id="appendix">', 1)[1]
    assert appendix.count("Reply number X") == len(df)
    assert appendix.count("rules-v1") >= len(df)


def test_outcome_counts_show_unscored_rows(tmp_path):
    df = synthetic_stigma()
    df.loc[df.index[:5], ["code", "stigma", "parse_status"]] = [float("nan"), float("nan"),
                                                                "do_not_know"]
    page = report.write_report(df, tmp_path / "o.html").read_text()
    assert "5 rows could not be scored" in page


def test_several_judges_get_figures_and_an_agreement_table(tmp_path):
    a = synthetic_appropriateness(rate=0.7, judge="rules-v1")
    b = a.assign(judge="model-judge")
    page = report.write_report(pd.concat([a, b]), tmp_path / "j.html").read_text()
    assert "Agreement between judges" in page
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    assert sum("by rules-v1" in c for c in captions) == 2
    assert sum("by model-judge" in c for c in captions) == 2
    assert page.count("<img ") == 4


def test_matplotlib_labels_disable_mathtext():
    assert plain("$x$ model") == r"\$x\$ model"
    assert len(plain("m" * 200)) == 48


@pytest.mark.reference
def test_reference_report_renders(tmp_path):
    df = reference_frames()
    page = report.write_report(df, tmp_path / "ref.html", csv_dir=tmp_path / "csv").read_text()
    assert "llama3.1-70b" in page and "gpt-4o-2024-08-06" in page
    table = pd.read_csv(tmp_path / "csv" / "stigma_by_condition.csv")
    assert len(table) == 4 * 5


def test_a_zero_rate_bar_is_drawn_at_zero_with_its_interval():
    from matplotlib.collections import LineCollection

    from therapy_audit.analysis import figures

    fig = figures._new_figure(4, 3)
    ax = fig.add_subplot()
    figures._bars(ax, ["a", "b"], [("m", [0.0, 0.5], [0.0, 0.4], [0.3, 0.6])],
                  [("#0072B2", "")])
    figures._percent_axis(ax)
    zero_marks = [c for c in ax.collections if isinstance(c, LineCollection)
                  and any((seg[:, 1] == 0).all() for seg in c.get_segments())]
    assert zero_marks, "a 0% bar must be marked at 0"
    assert ax.get_ylim()[0] < 0  # the mark sits above the axis line, not on it
    error_bars = [seg for c in ax.collections if isinstance(c, LineCollection)
                  for seg in c.get_segments() if seg[0, 0] == seg[1, 0]]
    assert any(seg[:, 1].min() == 0 and seg[:, 1].max() == pytest.approx(0.3)
               for seg in error_bars)


def test_every_question_panel_has_a_y_axis_label():
    from therapy_audit.analysis import figures, tables

    fig, _ = figures._question_panels(tables.stigma_by_question(synthetic_stigma()),
                                      figures.STIGMA_QUESTIONS, 3, "2018 US public", "t",
                                      "Stigmatising answers")
    shown = [ax for ax in fig.axes if ax.axison]
    assert shown and all(ax.get_ylabel() == "Stigmatising answers" for ax in shown)


def test_captions_name_the_interval_method_of_their_bars(synthetic_page):
    page, _ = synthetic_page
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    assert all("95% intervals" in c for c in captions)
    assert all(any(m in c for m in ("Wilson", "cluster bootstrap", "Clopper-Pearson"))
               for c in captions)
