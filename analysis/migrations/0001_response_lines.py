"""The stored CSV lines of responses, and the triggers that forget a line as soon as its response
or one of its answers changes (any writer: services, admin, bulk operations, raw SQL)."""
from django.db import migrations, models
import django.db.models.deletion

LINE = "analysis_responseline"
SQLITE = [
    f"CREATE TRIGGER analysis_line_answer_insert AFTER INSERT ON surveys_answer BEGIN "
    f"DELETE FROM {LINE} WHERE response_id = NEW.response_id; END",
    f"CREATE TRIGGER analysis_line_answer_update AFTER UPDATE ON surveys_answer BEGIN "
    f"DELETE FROM {LINE} WHERE response_id IN (OLD.response_id, NEW.response_id); END",
    f"CREATE TRIGGER analysis_line_answer_delete AFTER DELETE ON surveys_answer BEGIN "
    f"DELETE FROM {LINE} WHERE response_id = OLD.response_id; END",
    f"CREATE TRIGGER analysis_line_response_update AFTER UPDATE ON surveys_response BEGIN "
    f"DELETE FROM {LINE} WHERE response_id IN (OLD.id, NEW.id); END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "analysis_line_answer_insert", "analysis_line_answer_update", "analysis_line_answer_delete",
    "analysis_line_response_update")]
POSTGRESQL = [
    # The share lock on the response waits for a refresh that holds it FOR UPDATE (it is reading
    # this response's answers) to commit, so the DELETE then sees, and removes, the line it wrote.
    f"""CREATE FUNCTION analysis_line_forget_answer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM 1 FROM surveys_response WHERE id = OLD.response_id FOR SHARE;
            DELETE FROM {LINE} WHERE response_id = OLD.response_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM 1 FROM surveys_response WHERE id = NEW.response_id FOR SHARE;
            DELETE FROM {LINE} WHERE response_id = NEW.response_id;
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION analysis_line_forget_response() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {LINE} WHERE response_id IN (OLD.id, NEW.id);
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER analysis_line_answer AFTER INSERT OR UPDATE OR DELETE ON surveys_answer "
    "FOR EACH ROW EXECUTE FUNCTION analysis_line_forget_answer()",
    "CREATE TRIGGER analysis_line_response AFTER UPDATE ON surveys_response "
    "FOR EACH ROW EXECUTE FUNCTION analysis_line_forget_response()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS analysis_line_answer ON surveys_answer",
    "DROP TRIGGER IF EXISTS analysis_line_response ON surveys_response",
    "DROP FUNCTION IF EXISTS analysis_line_forget_answer()",
    "DROP FUNCTION IF EXISTS analysis_line_forget_response()",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, ()):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    initial = True
    dependencies = [("surveys", "0003_interviews")]

    operations = [
        migrations.CreateModel(
            name="ResponseLine",
            fields=[
                ("response", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                  related_name="csv_line", serialize=False, to="surveys.response")),
                ("layout", models.CharField(max_length=64, verbose_name="layout")),
                ("line", models.TextField(verbose_name="line")),
            ],
            options={"verbose_name": "CSV line of a response", "verbose_name_plural": "CSV lines of responses"},
        ),
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})),
    ]
