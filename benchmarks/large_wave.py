"""A closed social-capital wave of ``n`` completed responses, for the benchmarks (bulk-created,
answers drawn from the demo data's rows)."""
from __future__ import annotations


def make_wave(n: int, *, seed: int = 7, slug: str | None = None):
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from surveys.demo import social_capital_rows
    from surveys.models import Answer, Instrument, Question, Response, Wave

    instrument = Instrument.objects.get(code="social-capital")
    questions = {q.code: q for q in Question.objects.filter(instrument=instrument)}
    template = social_capital_rows()
    rng = np.random.default_rng(seed)
    wave = Wave.objects.create(instrument=instrument, title=f"bench {n}", slug=slug or f"bench-{n}",
                               status=Wave.Status.CLOSED)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, n, 10_000):
            size = min(10_000, n - start)
            responses = Response.objects.bulk_create([
                Response(wave=wave, status=Response.Status.COMPLETED, language="ru", submitted_at=now,
                         current_step=3) for _ in range(size)])
            answers = []
            picks = rng.integers(0, len(template), size=size)
            for response, pick in zip(responses, picks):
                for code, value in template[pick].items():
                    answers.append(Answer(response=response, question=questions[code], value=value))
            Answer.objects.bulk_create(answers, batch_size=5000)
    return wave
