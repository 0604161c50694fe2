"""analysis.frames: one row per completed response, a column per question code, constant queries."""
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis import frames
from surveys import services
from surveys.models import Response

pytestmark = pytest.mark.django_db


def test_frame_columns_and_types(demo_wave):
    df = frames.wave_frame(demo_wave)
    assert len(df) == 100
    assert list(df.columns[:4]) == ["response_id", "wave", "submitted_at", "language"]
    assert "sc1_contacts" in df and "barriers__1" in df and "barriers" not in df
    sc1 = df["sc1_contacts"]
    assert isinstance(sc1.dtype, pd.CategoricalDtype) and sc1.cat.ordered
    assert list(sc1.cat.categories) == ["Low", "Not very high", "High", "Very high"]
    assert sc1.value_counts()["Very high"] == 15
    assert not df["region"].cat.ordered
    assert set(df["barriers__1"].dropna().unique()) <= {0, 1}
    assert df["response_id"].is_unique and (df["wave"] == "social-capital-demo").all()


def test_codes_and_russian_labels(demo_wave):
    codes = frames.wave_frame(demo_wave, codes=True)
    assert codes["sc7_trust"].value_counts()[4] == 55
    ru = frames.wave_frame(demo_wave, lang="ru")
    assert list(ru["sc1_contacts"].cat.categories) == ["Низкий", "Не очень высокий", "Высокий", "Очень высокий"]


def test_only_completed_responses(demo_wave):
    services.response_start(wave=demo_wave)  # an in-progress response
    assert Response.objects.filter(wave=demo_wave).count() == 101
    assert len(frames.wave_frame(demo_wave)) == 100


def test_query_count_does_not_grow_with_responses(demo_wave, social_capital):
    from surveys.models import Wave
    small = Wave.objects.create(instrument=social_capital, title="s", slug="s", status=Wave.Status.CLOSED)
    Response.objects.filter(pk=demo_wave.responses.first().pk).update(wave=small)  # 1 response against 99
    with CaptureQueriesContext(connection) as few:
        frames.wave_frame(Wave.objects.get(pk=small.pk))
    with CaptureQueriesContext(connection) as many:
        frames.wave_frame(Wave.objects.get(pk=demo_wave.pk))
    assert len(few) == len(many) <= 8


def test_waves_of_different_instruments_are_refused(demo_wave, instruments):
    from surveys.models import Wave
    other = Wave.objects.create(instrument=instruments["cluster-managers"], title="i", slug="i")
    with pytest.raises(ValueError, match="different instruments"):
        frames.wave_frame([demo_wave, other])


def test_no_personal_data_in_frames(demo_wave):
    from surveys.models import Invitation
    issued = services.invitations_create(wave=demo_wave, count=1, emails=["ceo@firm.example"], labels=["Firm X"])
    response = services.response_start(wave=demo_wave, invitation=issued[0].invitation).response
    Response.objects.filter(pk=response.pk).update(status="completed", submitted_at=demo_wave.opens_at)
    df = frames.wave_frame(demo_wave)
    text = df.astype(str).to_csv()
    assert "ceo@firm.example" not in text and "Firm X" not in text and issued[0].token not in text
    assert Invitation.objects.count() == 1
