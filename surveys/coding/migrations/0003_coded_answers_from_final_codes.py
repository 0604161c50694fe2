"""The coded answer of a response (e.g. ``added_value``) holds only final codes: categories an
interviewer ticked, or a single coder's provisional codes in a codebook that now needs two coders,
are removed from the answers of units without a coding decision. Each removal is kept in the
interview's audit trail (``AnswerChange``, changed by nobody), so nothing is lost."""
from django.db import migrations


def forwards(apps, schema_editor):
    Codebook = apps.get_model("coding", "Codebook")
    CodingDecision = apps.get_model("coding", "CodingDecision")
    Answer = apps.get_model("surveys", "Answer")
    Interview = apps.get_model("interviews", "Interview")
    AnswerChange = apps.get_model("interviews", "AnswerChange")
    for codebook in Codebook.objects.all():
        decided = CodingDecision.objects.filter(codebook=codebook).values("response_id")
        stale = Answer.objects.filter(question_id=codebook.question_id).exclude(response_id__in=decided)
        interviews = dict(Interview.objects.filter(response_id__in=stale.values("response_id"))
                          .values_list("response_id", "pk"))
        versions = dict(Interview.objects.filter(pk__in=list(interviews.values())).values_list("pk", "version"))
        AnswerChange.objects.bulk_create([
            AnswerChange(interview_id=interviews[a.response_id], question_id=a.question_id,
                         version=versions[interviews[a.response_id]], changed_by=None,
                         old_value=a.value, new_value=None)
            for a in stale if a.response_id in interviews])
        stale.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0002_blind_coding"),
        ("interviews", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
