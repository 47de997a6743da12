"""What a sync says once about the sheet as a whole, instead of on every row. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from policies import Evaluation, PolicySet
from policies import findings as F
from sheet_schema import HeaderMap


def missing_evidence_columns(
    headers: HeaderMap, evaluations: Iterable[Evaluation | None], policies: PolicySet
) -> list[str]:
    """One note per evidence column the Cases tab lacks while open cases need that evidence.

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
        header = headers.tab.column(key).header
        kind_en = F.evidence_names(kind)[0]
        notes.append(
            F.EVIDENCE_COLUMN_MISSING.format(
                tab=headers.title,
                header=header,
                count=len(needing),
                cases="case" if len(needing) == 1 else "cases",
                need="needs" if len(needing) == 1 else "need",
                kind_en=kind_en,
                refs=", ".join(titles.get(ref, ref) for ref in refs),
                article="an" if header[:1].lower() in "aeiou" else "a",
                token=kind_en.removeprefix("the "),
            )
        )
    return notes
