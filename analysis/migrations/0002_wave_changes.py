"""A counter per wave of the in-place changes of its completed responses and their answers, kept
by triggers (any writer: services, admin, repairs, bulk operations, raw SQL)."""
from django.db import migrations, models
import django.db.models.deletion

CHANGE = "analysis_wavechange"
DONE = "'completed'"


def _bump_sqlite(response_id: str) -> str:
    return (f"INSERT INTO {CHANGE} (wave_id, n) SELECT wave_id, 1 FROM surveys_response "
            f"WHERE id = {response_id} AND status = {DONE} ON CONFLICT(wave_id) DO UPDATE SET n = n + 1;")


SQLITE = [
    f"CREATE TRIGGER analysis_change_answer_insert AFTER INSERT ON surveys_answer BEGIN "
    f"{_bump_sqlite('NEW.response_id')} END",
    f"CREATE TRIGGER analysis_change_answer_update AFTER UPDATE ON surveys_answer BEGIN "
    f"{_bump_sqlite('NEW.response_id')} END",
    f"CREATE TRIGGER analysis_change_answer_delete AFTER DELETE ON surveys_answer BEGIN "
    f"{_bump_sqlite('OLD.response_id')} END",
    f"CREATE TRIGGER analysis_change_response_update AFTER UPDATE ON surveys_response "
    f"WHEN OLD.status = {DONE} BEGIN "
    f"INSERT INTO {CHANGE} (wave_id, n) VALUES (OLD.wave_id, 1) ON CONFLICT(wave_id) DO UPDATE SET n = n + 1; END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "analysis_change_answer_insert", "analysis_change_answer_update", "analysis_change_answer_delete",
    "analysis_change_response_update")]
POSTGRESQL = [
    f"""CREATE FUNCTION analysis_change_answer() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        rid bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN rid := OLD.response_id; ELSE rid := NEW.response_id; END IF;
        INSERT INTO {CHANGE} (wave_id, n)
            SELECT wave_id, 1 FROM surveys_response WHERE id = rid AND status = {DONE}
            ON CONFLICT (wave_id) DO UPDATE SET n = {CHANGE}.n + 1;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION analysis_change_response() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = {DONE} THEN
            INSERT INTO {CHANGE} (wave_id, n) VALUES (OLD.wave_id, 1)
                ON CONFLICT (wave_id) DO UPDATE SET n = {CHANGE}.n + 1;
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER analysis_change_answer AFTER INSERT OR UPDATE OR DELETE ON surveys_answer "
    "FOR EACH ROW EXECUTE FUNCTION analysis_change_answer()",
    "CREATE TRIGGER analysis_change_response AFTER UPDATE ON surveys_response "
    "FOR EACH ROW EXECUTE FUNCTION analysis_change_response()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS analysis_change_answer ON surveys_answer",
    "DROP TRIGGER IF EXISTS analysis_change_response ON surveys_response",
    "DROP FUNCTION IF EXISTS analysis_change_answer()",
    "DROP FUNCTION IF EXISTS analysis_change_response()",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, ()):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("analysis", "0001_response_lines"), ("surveys", "0015_instrument_structure_revision")]

    operations = [
        migrations.CreateModel(
            name="WaveChange",
            fields=[
                ("wave", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                              related_name="+", serialize=False, to="surveys.wave",
                                              db_constraint=False)),
                ("n", models.BigIntegerField(default=0, verbose_name="changes")),
            ],
            options={"verbose_name": "changes of a wave's completed responses",
                     "verbose_name_plural": "changes of waves' completed responses"},
        ),
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})),
    ]
