from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accounts.service import AccountService
from cli.main import app
from core.settings import Settings
from storage.database import Database
from tests.factories import creator_record, jsonl


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> CliRunner:
    monkeypatch.setenv("CREATORMATCH_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CREATORMATCH_DATA_DIR", str(settings.data_dir))
    return CliRunner()


def invoke(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


class TestOrgsAndKeys:
    def test_create_org_then_a_key_that_authenticates(
        self, cli: CliRunner, settings: Settings, database: Database
    ) -> None:
        code, out, _ = invoke(cli, "orgs", "create", "acme")
        assert code == 0 and "acme" in out
        code, out, err = invoke(cli, "keys", "create", "--org", "acme", "--scopes", "read,write")
        assert code == 0
        secret = out.strip()
        assert secret.startswith("cm_") and "not shown again" in err
        with database.session() as session:
            key = AccountService(settings.api_key_pepper.get_secret_value()).authenticate(
                session, secret
            )
            assert key.scopes == ["read", "write"]
        code, out, _ = invoke(cli, "keys", "list", "--org", "acme")
        assert secret.split("_", 2)[1] in out and secret not in out

    def test_duplicate_org_and_bad_scope_fail_clearly(self, cli: CliRunner) -> None:
        invoke(cli, "orgs", "create", "acme")
        code, _, err = invoke(cli, "orgs", "create", "acme")
        assert code == 1 and "already exists" in err
        code, _, err = invoke(cli, "keys", "create", "--org", "acme", "--scopes", "read,root")
        assert code == 1 and "unknown scope 'root'" in err
        code, _, err = invoke(cli, "keys", "create", "--org", "nobody")
        assert code == 1 and "not found" in err


class TestCreatorsImportExport:
    @pytest.fixture(autouse=True)
    def _org(self, cli: CliRunner) -> None:
        assert invoke(cli, "orgs", "create", "acme")[0] == 0

    def test_import_reports_a_summary_and_export_gives_it_back(
        self, cli: CliRunner, tmp_path: Path
    ) -> None:
        path = tmp_path / "in.jsonl"
        path.write_bytes(jsonl([creator_record(handle=f"h{i}") for i in range(3)]))
        code, out, _ = invoke(cli, "creators", "import", str(path), "--org", "acme", "-q")
        assert code == 0
        assert out.strip() == "created 3, updated 0, unchanged 0, rejected 0"
        out_csv = tmp_path / "out.csv"
        code, _, _ = invoke(
            cli, "creators", "export", "--org", "acme", "--format", "csv", "-o", str(out_csv)
        )
        assert code == 0
        assert len(out_csv.read_text().splitlines()) == 4
        code, out, _ = invoke(
            cli, "creators", "import", str(out_csv), "--org", "acme", "--json", "-q"
        )
        assert json.loads(out)["unchanged"] == 3

    def test_invalid_file_writes_nothing_and_names_line_and_field(
        self, cli: CliRunner, tmp_path: Path
    ) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("platform,handle,followers\ninstagram,a,10\ninstagram,b,-2\n")
        code, _, err = invoke(cli, "creators", "import", str(path), "--org", "acme", "-q")
        assert code == 2
        assert "line 3, field 'followers'" in err
        assert "nothing was written" in err
        code, out, _ = invoke(cli, "creators", "export", "--org", "acme")
        assert out == ""

    def test_skip_invalid_exits_3_and_lists_the_rejects(
        self, cli: CliRunner, tmp_path: Path
    ) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("platform,handle,followers\ninstagram,a,10\nmyspace,b,2\n")
        code, out, err = invoke(
            cli, "creators", "import", str(path), "--org", "acme", "--skip-invalid", "-q"
        )
        assert code == 3
        assert "created 1" in out and "rejected 1" in out
        assert "line 3, field 'platform': unknown platform 'myspace'" in err

    def test_missing_file_and_unknown_org(self, cli: CliRunner, tmp_path: Path) -> None:
        code, _, err = invoke(
            cli, "creators", "import", str(tmp_path / "nope.csv"), "--org", "acme"
        )
        assert code == 1 and "no such file" in err
        path = tmp_path / "in.jsonl"
        path.write_bytes(jsonl([creator_record()]))
        code, _, err = invoke(cli, "creators", "import", str(path), "--org", "nobody", "-q")
        assert code == 2 and "organisation 'nobody' not found" in err


class TestCreatorsCrmPresets:
    @pytest.fixture(autouse=True)
    def _org(self, cli: CliRunner) -> None:
        assert invoke(cli, "orgs", "create", "acme")[0] == 0

    def test_hubspot_import_then_export_gives_the_crm_columns_back(
        self, cli: CliRunner, tmp_path: Path
    ) -> None:
        from creators.presets import HUBSPOT
        from tests.creators.test_presets import HUBSPOT_CSV, same_columns

        path = tmp_path / "hubspot-contacts.csv"
        path.write_bytes(HUBSPOT_CSV.encode("utf-8"))
        code, out, _ = invoke(
            cli, "creators", "import", str(path), "--org", "acme", "--preset", "hubspot", "-q"
        )
        assert code == 0
        assert out.strip() == "created 6, updated 0, unchanged 0, rejected 0"
        out_csv = tmp_path / "for-hubspot.csv"
        code, _, err = invoke(
            cli,
            "creators",
            "export",
            "--org",
            "acme",
            "--format",
            "csv",
            "--preset",
            "hubspot",
            "-o",
            str(out_csv),
        )
        assert code == 0, err
        same_columns(out_csv.read_text(encoding="utf-8"), HUBSPOT_CSV, HUBSPOT)

    def test_an_error_names_line_and_crm_column(self, cli: CliRunner, tmp_path: Path) -> None:
        from tests.creators.test_presets import SALESFORCE_BAD

        path = tmp_path / "salesforce.csv"
        path.write_text(SALESFORCE_BAD, encoding="utf-8")
        code, _, err = invoke(
            cli, "creators", "import", str(path), "--org", "acme", "--preset", "salesforce", "-q"
        )
        assert code == 2
        assert "line 7, column 'Followers__c': must be a whole number" in err
        assert "nothing was written" in err

    def test_bad_preset_options_fail_clearly(self, cli: CliRunner, tmp_path: Path) -> None:
        path = tmp_path / "in.csv"
        path.write_text("Instagram Handle\nana\n")
        code, _, err = invoke(cli, "creators", "import", str(path), "--preset", "pipedrive")
        assert code == 1 and "unknown preset 'pipedrive'" in err
        code, _, err = invoke(cli, "creators", "export", "--org", "acme", "--preset", "nope")
        assert code == 1 and "unknown preset 'nope'" in err
