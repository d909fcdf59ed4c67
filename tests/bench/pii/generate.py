"""Make the benchmark sentences (and Presidio's own findings on them) for `make bench-pii`.

Runs in the separate .venv-bench-pii, which has presidio-evaluator. Writes one JSON file (the
path given as the only argument; the generator prints progress on stdout):
{"sentences": [{"text", "spans": [[label, start, end]]}], "presidio": [[[label, start, end]]]
or null, "presidio_note": str}.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    """Generate the 2,000 sentences and, when spaCy has an English model, run Presidio."""
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    faker = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, random_seed=42)
    samples = faker.generate_new_fake_sentences(num_samples=2000)
    sentences = [
        {
            "text": s.full_text,
            "spans": [[sp.entity_type, sp.start_position, sp.end_position] for sp in s.spans],
        }
        for s in samples
    ]
    presidio = None
    note = ""
    try:
        import spacy

        model = next(
            (m for m in ("en_core_web_lg", "en_core_web_md", "en_core_web_sm") if _has(spacy, m)),
            None,
        )
        if model is None:
            note = "Presidio not run: no spaCy English model is importable in .venv-bench-pii."
        else:
            from presidio_analyzer import AnalyzerEngine
            from presidio_analyzer.nlp_engine import NlpEngineProvider

            nlp = NlpEngineProvider(
                nlp_configuration={
                    "nlp_engine_name": "spacy",
                    "models": [{"lang_code": "en", "model_name": model}],
                }
            ).create_engine()
            engine = AnalyzerEngine(nlp_engine=nlp)
            presidio = [
                [[r.entity_type, r.start, r.end] for r in engine.analyze(s["text"], language="en")]
                for s in sentences
            ]
            note = f"Presidio run with spaCy model {model}."
    except ImportError as exc:
        note = f"Presidio not run: {exc}."
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        json.dump({"sentences": sentences, "presidio": presidio, "presidio_note": note}, fh)


def _has(spacy: object, name: str) -> bool:
    try:
        spacy.load(name)  # type: ignore[attr-defined]
    except OSError:
        return False
    return True


if __name__ == "__main__":
    main()
