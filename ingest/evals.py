"""Evaluation results: the evidence that a cheaper model can serve a workload.

Two readers, both of kind ``evals`` (table ``eval_result``, view ``evals``):

- ``evals``: the generic eval CSV/JSONL/Parquet. Columns ``workload, request_id`` (either may be
  empty, not both), ``baseline_model, candidate_model`` and either ``baseline_score,
  candidate_score`` (numbers, higher is better) or ``passed`` (true/false: the candidate's answer
  was good enough). Optional ``judge``. Offline evals, shadow traffic, A/B tests or an LLM judge all
  reduce to this shape.
- ``alpacaeval``: AlpacaEval 2.0 per-prompt judge preferences (``model, instruction_id,
  preference_vs_reference, reference_generator, dataset``). Each row becomes workload = ``dataset``,
  request_id = ``alpacaeval-<instruction_id>``, baseline = the reference generator with the score
  1.5 (the judge's "as good as the reference" point) and candidate score = the preference (1–2).

The baseline model is canonicalized after load (the loader canonicalizes the candidate column).
"""

from __future__ import annotations

import duckdb

from ingest.base import Context
from ingest.loader import AFTER_LOAD
from ingest.models import canonical_model
from ingest.sniff import Sniff

TRUE_WORDS = "('true', 't', 'yes', 'y', '1', 'pass', 'passed')"
FALSE_WORDS = "('false', 'f', 'no', 'n', '0', 'fail', 'failed')"


def _bool(expr: str) -> str:
    return (f"CASE WHEN lower(trim({expr})) IN {TRUE_WORDS} THEN true "
            f"WHEN lower(trim({expr})) IN {FALSE_WORDS} THEN false END")


class GenericEvalReader:
    name = "evals"
    kind = "evals"
    description = ("Eval results (CSV/JSONL/Parquet): workload, request_id, baseline_model, candidate_model, "
                   "baseline_score + candidate_score or passed")

    def detect(self, s: Sniff) -> bool:
        return (s.container in {"csv", "jsonl", "parquet"} and s.has("candidate_model")
                and (s.has("candidate_score") or s.has("passed")))

    def read(self, ctx: Context) -> str:
        ctx.raw_auto()
        c = ctx.col
        workload, request_id = f"rs_null({c('workload')})", f"rs_null({c('request_id')})"
        base_raw, cand_raw = f"rs_null({c('baseline_model')})", f"rs_null({c('candidate_model')})"
        passed = c("passed")
        cols = [
            f"{workload} AS workload", f"{request_id} AS request_id",
            f"{base_raw} AS baseline_model_raw", f"{cand_raw} AS candidate_model_raw",
            f"rs_num({c('baseline_score')}) AS baseline_score",
            f"rs_num({c('candidate_score')}) AS candidate_score",
            f"{_bool(passed)} AS passed",
            f"rs_null({c('judge')}) AS judge",
        ]
        bad_num = " ".join(
            f"WHEN rs_bad_num({c(n)}) THEN '{n} \"' || {c(n)} || '\" is not a number' "
            for n in ("baseline_score", "candidate_score") if ctx.has(n))
        reject = f"""CASE
            WHEN {cand_raw} IS NULL THEN 'candidate_model is empty'
            WHEN {workload} IS NULL AND {request_id} IS NULL THEN 'workload and request_id are both empty'
            {bad_num}
            WHEN rs_null({passed}) IS NOT NULL AND {_bool(passed)} IS NULL
                THEN 'passed "' || {passed} || '" is not true/false'
            WHEN {_bool(passed)} IS NULL AND rs_num({c('candidate_score')}) IS NULL
                THEN 'neither passed nor candidate_score is given'
            WHEN {_bool(passed)} IS NULL AND rs_num({c('baseline_score')}) IS NULL
                THEN 'candidate_score without baseline_score'
        END"""
        key = (f"CASE WHEN {request_id} IS NOT NULL THEN concat_ws('|', coalesce({workload}, ''), {request_id}, "
               f"coalesce({base_raw}, ''), {cand_raw}, coalesce(rs_null({c('judge')}), '')) "
               f"ELSE {ctx.row_hash()} END")
        return (f"SELECT {', '.join(cols)}, {key} AS _key, _line, {reject} AS _reject, "
                f"{ctx.record()} AS _record FROM {ctx.RAW}")


class AlpacaEvalReader:
    name = "alpacaeval"
    kind = "evals"
    description = "AlpacaEval 2.0 per-prompt judge preferences (model, instruction_id, preference_vs_reference)"

    def detect(self, s: Sniff) -> bool:
        return s.container == "csv" and s.has("model", "instruction_id", "preference_vs_reference")

    def read(self, ctx: Context) -> str:
        ctx.raw_csv()
        c = ctx.col
        iid, pref = c("instruction_id"), c("preference_vs_reference")
        cols = [
            f"rs_null({c('dataset')}) AS workload",
            f"'alpacaeval-' || trim({iid}) AS request_id",
            f"coalesce(rs_null({c('reference_generator')}), 'gpt4_1106_preview') AS baseline_model_raw",
            f"rs_null({c('model')}) AS candidate_model_raw",
            "1.5 AS baseline_score",
            f"rs_num({pref}) AS candidate_score",
            "CAST(NULL AS BOOLEAN) AS passed",
            f"rs_null({c('judge')}) AS judge",
        ]
        reject = f"""CASE
            WHEN rs_null({c('model')}) IS NULL THEN 'model is empty'
            WHEN rs_int({iid}) IS NULL THEN 'instruction_id "' || coalesce({iid}, '') || '" is not a number'
            WHEN rs_num({pref}) IS NULL THEN 'preference_vs_reference "' || coalesce({pref}, '') || '" is not a number'
        END"""
        key = f"concat_ws('|', 'alpacaeval', trim({iid}), {c('model')}, coalesce({c('judge')}, ''))"
        return (f"SELECT {', '.join(cols)}, {key} AS _key, _line, {reject} AS _reject, "
                f"{ctx.record()} AS _record FROM {ctx.RAW}")


def canonicalize_baselines(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """Fill ``baseline_model`` from ``baseline_model_raw`` through the alias table (once per name)."""
    raws = [r[0] for r in con.execute(
        "SELECT DISTINCT baseline_model_raw FROM eval_result WHERE source_file_id = ? "
        "AND baseline_model_raw IS NOT NULL", [source_file_id]).fetchall()]
    for raw in raws:
        con.execute("UPDATE eval_result SET baseline_model = ? WHERE source_file_id = ? AND baseline_model_raw = ?",
                    [canonical_model(raw), source_file_id, raw])


AFTER_LOAD.setdefault("evals", []).append(canonicalize_baselines)
