"""The cluster-managers demo: 50 double-coded interviews whose final codes give Figure 1."""
from __future__ import annotations

from collections import Counter
from fractions import Fraction
from io import StringIO

import krippendorff
import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from analysis.frames.coding import coded_units, coding_frame, final_code_counts
from surveys import demo
from surveys.coding.models import Coding, CodingDecision
from surveys.interviews.models import Interview
from surveys.models import Answer, Response, Wave

from tests.helpers import login

pytestmark = pytest.mark.django_db



def reliability(frame, units, coders, code):
    present = set(map(tuple, frame[["unit", "coder", "code"]].values.tolist()))
    return np.array([[1 if (u, c, code) in present else 0 for u in units] for c in coders])


def closed_form_alpha(matrix) -> Fraction:
    n = matrix.size
    ones = int(matrix.sum())
    d = int((matrix[0] != matrix[1]).sum())
    return 1 - Fraction((n - 1) * d, (n - ones) * ones)


def test_demo_interviews_reproduce_the_papers_facts(interview_demo_wave):
    responses = Response.objects.filter(wave=interview_demo_wave)
    assert responses.count() == 50 and responses.filter(status=Response.Status.COMPLETED).count() == 50
    assert Interview.objects.filter(response__wave=interview_demo_wave, completed_at__isnull=False).count() == 50

    def values(code):
        return Counter(Answer.objects.filter(response__wave=interview_demo_wave, question__code=code)
                       .values_list("value", flat=True))

    assert values("sustainable_without_project_funds")[2] == 15  # "no"
    assert values("local_benefits")[3] == 3  # "no, its activities do not depend on local relations"
    assert values("region") == {2: 17, 3: 17, 4: 16}
    assert values("specialisation") == {2: 17, 1: 17, 3: 16}
    assert values("consent") == {1: 50}
    clusters = {c for c in values("cluster")}
    assert 'Technopolis "Noviy Zvezdniy"' in clusters or "Технополис «Новый Звёздный»" in clusters
    assert demo.create_cluster_managers_demo() == (interview_demo_wave, 0)  # idempotent
    assert Response.objects.filter(wave=interview_demo_wave).count() == 50


def test_demo_figure1_counts(interview_demo_wave):
    counts = final_code_counts(interview_demo_wave, "added_value")
    assert counts["count"].tolist() == [12, 11, 9, 8, 6, 5, 3]
    assert counts["label"].tolist() == [
        "Generating common R&D projects", "Gaining project funds", "Generating international cooperations",
        "Knowledge and technology transfer", "Increasing the cluster's competitiveness",
        "Joint communication platform and joint appearance", "Services offered by the cluster management"]
    assert counts.attrs["n_interviews"] == 50 and counts.attrs["n_coded"] == 50
    assert counts.attrs["illustrative"] is True
    # every interview was double-coded and resolved; the coded answers carry the final codes
    assert Coding.objects.filter(response__wave=interview_demo_wave, status=Coding.Status.FINISHED).count() == 100
    assert CodingDecision.objects.filter(response__wave=interview_demo_wave).count() == 50
    carried = Counter(code for value in Answer.objects.filter(
        response__wave=interview_demo_wave, question__code="added_value").values_list("value", flat=True) for code in value)
    assert [carried[k] for k in range(1, 8)] == [12, 11, 9, 8, 6, 5, 3]


# Measured on the demo data (seed surveys.demo.CM_SEED); see docs/interviews.md.
DEMO_PERCENT_AGREEMENT = {1: 0.92, 2: 0.94, 3: 1.0, 4: 0.84, 5: 0.96, 6: 0.94, 7: 0.86}
DEMO_DISAGREEMENTS = {1: 4, 2: 3, 3: 0, 4: 8, 5: 2, 6: 3, 7: 7}


def test_demo_coder_agreement(interview_demo_wave):
    frame = coding_frame(interview_demo_wave, "added_value")
    units = coded_units(interview_demo_wave, "added_value")
    assert len(units) == 100 and set(units["coder"]) == {"coder1", "coder2"}
    unit_ids = list(dict.fromkeys(units["unit"]))
    coders = ["coder1", "coder2"]
    assert len(unit_ids) == 50
    matrices, alphas = {}, {}
    for code in range(1, 8):
        m = reliability(frame, unit_ids, coders, code)
        matrices[code] = m
        assert int((m[0] != m[1]).sum()) == DEMO_DISAGREEMENTS[code]
        assert (m[0] == m[1]).mean() == pytest.approx(DEMO_PERCENT_AGREEMENT[code], abs=1e-12)
        alphas[code] = krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
        if code != 3:
            assert alphas[code] == pytest.approx(float(closed_form_alpha(m)), abs=1e-12)
    assert alphas[3] == pytest.approx(1.0)
    pooled = np.concatenate([matrices[k] for k in range(1, 8)], axis=1)
    overall_agreement = (pooled[0] == pooled[1]).mean()
    overall_alpha = krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal")
    assert int((pooled[0] != pooled[1]).sum()) == 27  # of 350 decisions: 7.7 %
    assert overall_agreement == pytest.approx(323 / 350, abs=1e-12)
    assert overall_alpha == pytest.approx(float(closed_form_alpha(pooled)), abs=1e-12)
    assert {k: round(v, 4) for k, v in alphas.items()} == {
        1: 0.8036, 2: 0.8416, 3: 1.0, 4: 0.5385, 5: 0.8355, 6: 0.7374, 7: 0.3873}
    assert round(overall_alpha, 4) == 0.7497
    print("\ncode  agreement  alpha")
    for k in range(1, 8):
        print(f"{k:>4}  {DEMO_PERCENT_AGREEMENT[k]:9.4f}  {alphas[k]:.4f}")
    print(f"all   {overall_agreement:9.4f}  {overall_alpha:.4f}")


def test_demo_is_deterministic():
    assert demo.cluster_managers_rows() == demo.cluster_managers_rows()
    truth = demo.added_value_truth()
    assert len(truth) == 50 and all(truth)
    assert Counter(k for codes in truth for k in codes) == Counter(demo.FIGURE1_DEMO_COUNTS)


def test_demo_accounts_and_the_open_interview_wave(instruments, settings):
    settings.DEMO_MODE = True
    call_command("make_demo_data", stdout=StringIO())
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    printed = out.getvalue()
    for name in ("interviewer", "coder1", "coder2", "researcher"):
        assert f"  {name}" in printed
    open_wave = Wave.objects.get(slug=demo.CM_OPEN_WAVE)
    assert open_wave.is_accepting() and not open_wave.responses.exists()
    from django.contrib.auth.models import User
    interviewer = User.objects.get(username="interviewer")
    assert interviewer.check_password("demo-interviewer-2026")
    client = login(interviewer)
    home = client.get(reverse("interviews:home")).content.decode()
    assert open_wave.title in home and "Cluster managers, demo interviews" in home
    r = client.post(reverse("interviews:start", kwargs={"slug": open_wave.slug}), {"consent": "1"})
    assert r.status_code == 302 and open_wave.responses.count() == 1
    assert login(User.objects.get(username="coder1")).get(reverse("coding:home")).status_code == 200
