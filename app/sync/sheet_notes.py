"""What a sync says once about the sheet as a whole, instead of on every row. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from policies import Evaluation, PolicySet
from policies import findings as F
from sheet_schema import HeaderMap
from sheet_schema.column_names import column_name
from sheet_schema.messages import text


def missing_evidence_columns(
    headers: HeaderMap,
    evaluations: Iterable[Evaluation | None],
    policies: PolicySet,
    language: str = "en",
) -> list[str]:
    """One note per evidence column the Cases tab lacks while open cases need that evidence,
    in the team's `language`.

    Without the column a person has nowhere to say "we have it" but the Evidence text; each
    row's Next Action still asks for it, so the rows' Validation does not repeat the advice.
    """
    open_cases = [ev for ev in evaluations if ev is not None and not ev.closed]
    titles = {p.ref: p.title for p in policies.all_versions()}
    notes: list[str] = []
    for kind, key in F.EVIDENCE_COLUMNS.items():
        if key in headers.positions:
            continue
        needing = [ev for ev in open_cases if kind in ev.missing_evidence]
        if not needing:
            continue
        refs = sorted({ev.policy_ref for ev in needing if ev.policy_ref})
        spec = headers.tab.column(key)
        header = column_name(spec, language)
        kind_en, kind_zh = F.evidence_names(kind)
        named = kind_zh if language == "zh" else kind_en
        one = len(needing) == 1
        notes.append(
            text(
                "findings.evidence_column_missing_one"
                if one
                else "findings.evidence_column_missing_many",
                language,
                tab=headers.title,
                header=header,
                count=len(needing),
                kind=named,
                refs=", ".join(titles.get(ref, ref) for ref in refs),
                column=header if language == "zh" else f"{_article(header)} {header}",
                token=named.removeprefix("the "),
            )
        )
    return notes


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
