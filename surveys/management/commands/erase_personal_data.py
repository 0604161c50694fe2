from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from surveys import services


class Command(BaseCommand):
    help = ("Erase a respondent's personal data on request: the invitation's e-mail and label and the "
            "respondent's free-text answers; the anonymous coded answers stay. Give the person by "
            "--email, --label or --response (repeatable).")

    def add_arguments(self, parser):
        parser.add_argument("--email", action="append", default=[], help="an invitation's e-mail address")
        parser.add_argument("--label", action="append", default=[], help="an invitation's label")
        parser.add_argument("--response", action="append", default=[], help="a response's UUID")
        parser.add_argument("--keep-free-text", action="store_true",
                            help="keep short and long text answers (default: delete them, they may identify)")
        parser.add_argument("--dry-run", action="store_true", help="report what would be erased; change nothing")

    def handle(self, *args, email, label, response, keep_free_text, dry_run, **options):
        if not (email or label or response):
            raise CommandError("Say whose data to erase: --email, --label or --response.")
        try:
            report = services.personal_data_erase(emails=email, labels=label, response_uuids=response,
                                                  free_text=not keep_free_text, dry_run=dry_run)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not report.invitations and not report.responses:
            raise CommandError("No invitation or response matches; nothing was changed.")
        verb = "Would erase" if dry_run else "Erased"
        codes = ", ".join(report.free_text_codes) or "none"
        self.stdout.write(
            f"{verb}:\n"
            f"  invitations matched:        {report.invitations}\n"
            f"  e-mail addresses cleared:   {report.emails_cleared}\n"
            f"  labels cleared:             {report.labels_cleared}\n"
            f"  admin log names replaced:   {report.admin_log_entries}\n"
            f"  responses matched:          {report.responses}\n"
            f"  free-text answers deleted:  {report.free_text_answers} (questions: {codes})"
            f"{' [kept: --keep-free-text]' if keep_free_text else ''}\n"
            f"  coded answers kept:         {report.coded_answers_kept}"
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
